"""What the workbench shows after a change, read off the screen: each code's counts in the codebook pane
(this document / the project, the coder's own codings) and the document's share of coded sentences in the
document list, after applying, recoding, removing and undoing, against the project file itself."""

from __future__ import annotations

from builders import DOC_TEXT, add_units
from textual.widgets import DataTable

from beacon_qual.store import Project, new_uuid, now
from beacon_qual.tui.app import WorkbenchApp
from beacon_qual.tui.transcript import TranscriptView


def add_second_document(project: Project) -> None:
    """doc2.txt, with codings by alice (two of Adoption) and bob (one of Adaptation) already in it."""
    with project.transaction():
        doc = project.execute(
            "INSERT INTO documents(uuid, name, text, sha256, phase, role, word_count, imported_at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (new_uuid(), "doc2.txt", DOC_TEXT, "y", 2, "member", len(DOC_TEXT.split()), now()),
        ).lastrowid
        add_units(project, doc, DOC_TEXT)
        codes = dict(project.execute("SELECT name, id FROM codes").fetchall())
        for coder, code, start, end in (
            ("alice", "Adoption", 0, 10),
            ("alice", "Adoption", 20, 30),
            ("bob", "Adaptation", 0, 10),
        ):
            project.execute(
                "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (new_uuid(), doc, codes[code], project.coder_id(coder), start, end, now()),
            )


def shown_counts(app: WorkbenchApp) -> dict[str, str]:
    """{code name: the 'document/project' counts its label shows ('' when none)}."""
    out = {}
    for code_id, node in app.tree_nodes.items():
        label = node.label.plain
        name = app.code_by_id[code_id].name
        out[name] = label.removeprefix("● ").removeprefix("○ ").removesuffix(name).strip()
    return out


def expected_counts(project: Project, document_id: int, coder: str) -> dict[str, str]:
    out = {}
    for code_id, name in project.execute("SELECT id, name FROM codes"):
        where = "code_id = ? AND coder_id = (SELECT id FROM coders WHERE name = ?)"
        here = project.scalar(
            f"SELECT count(*) FROM codings WHERE {where} AND document_id = ?", (code_id, coder, document_id)
        )
        everywhere = project.scalar(f"SELECT count(*) FROM codings WHERE {where}", (code_id, coder))
        out[name] = f"{here}/{everywhere}" if here or everywhere else ""
    return out


def shown_progress(app: WorkbenchApp, document_id: int) -> str:
    table = app.query_one("#doc-table", DataTable)
    return str(table.get_cell(str(document_id), table.ordered_columns[1].key))


def expected_progress(project: Project, document_id: int, coder: str) -> str:
    total, coded = project.one(
        "SELECT count(*), sum(EXISTS (SELECT 1 FROM codings c WHERE c.document_id = u.document_id"
        " AND c.coder_id = (SELECT id FROM coders WHERE name = ?) AND c.start < u.end AND c.end > u.start))"
        " FROM units u WHERE u.document_id = ? AND u.kind = 'sentence'",
        (coder, document_id),
    )
    return f"{round(100 * coded / total)}%"


async def test_counts_and_progress_follow_every_change(tiny_project: Project) -> None:
    add_second_document(tiny_project)
    app = WorkbenchApp(tiny_project, coder="alice", document=1)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        view = app.query_one(TranscriptView)
        adoption = tiny_project.scalar("SELECT id FROM codes WHERE name = 'Adoption'")
        app.recent = [adoption]

        async def check() -> None:
            await pilot.pause()
            assert shown_counts(app) == expected_counts(tiny_project, 1, "alice")
            assert shown_progress(app, 1) == expected_progress(tiny_project, 1, "alice")
            assert shown_progress(app, 2) == expected_progress(tiny_project, 2, "alice")

        await check()
        assert shown_counts(app)["Adoption"] == "0/2"
        for sentence in view.doc.sentences[:3]:  # apply: key 1, the most recent code
            view.select(*sentence)
            await pilot.press("1")
            await check()
        assert shown_counts(app)["Adoption"] == "3/5"
        await pilot.press("r", *"adapta", "enter")  # recode the coding under the selection
        await check()
        assert shown_counts(app)["Adaptation"] == "1/1"
        await pilot.press("x")  # remove it
        await check()
        assert shown_counts(app)["Adaptation"] == ""
        await pilot.press("u")  # the removal undone
        await check()
        await pilot.press("u", "u", "u")  # the recode, then two applications
        await check()
        assert shown_counts(app)["Adoption"] == "1/3"
        assert tiny_project.scalar("SELECT count(*) FROM codings WHERE document_id = 1") == 1
        await pilot.press("t")  # every coder's codings
        await pilot.pause()
        assert shown_counts(app)["Adaptation"] == "0/1"
