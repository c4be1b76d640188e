"""Document upkeep through the CLI: docs edit, rename and delete, each audited and undone like a coding."""

from __future__ import annotations

import hashlib
from pathlib import Path

from builders import DOC_TEXT
from click.testing import CliRunner

from beacon_qual.coding import codings as svc
from beacon_qual.documents import edit as docedit
from beacon_qual.search.fulltext import search
from beacon_qual.store import Project, new_uuid, now


def run(project: Project, *args: str, input: str | None = None):
    return CliRunner(env={"BEACON_QUAL_CODER": "alice"}).invoke(
        main_group(), ["--project", str(project.path), *args], input=input
    )


def main_group():
    from beacon_qual.cli import main

    return main


def ok(project: Project, *args: str, input: str | None = None) -> str:
    result = run(project, *args, input=input)
    assert result.exit_code == 0, result.output
    return result.output


def details(project: Project) -> tuple:
    return tuple(
        project.one(
            "SELECT d.name, c.name, d.phase, d.role, d.interview_date, d.interviewer, d.respondent"
            " FROM documents d LEFT JOIN cases c ON c.id = d.case_id WHERE d.id = 1"
        )
    )


def add_council(project: Project, code: str, name: str) -> None:
    with project.transaction():
        project.execute(
            "INSERT INTO cases(uuid, code, name, type, created_at) VALUES (?,?,?,?,?)",
            (new_uuid(), code, name, "district", now()),
        )


def everything(project: Project) -> dict[str, list[tuple]]:
    """Every row a document deletion touches, and what triggers keep from them."""
    return {
        table: [tuple(r) for r in project.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3")]
        for table in (
            "documents",
            "units",
            "codings",
            "memos",
            "suggestions",
            "coding_units",
            "coding_counts",
        )
    }


def test_edit_corrects_details_and_undo_restores_them(tiny_project: Project) -> None:
    p = tiny_project
    add_council(p, "HUL", "Kingston upon Hull City Council")
    before = details(p)
    assert before == ("doc1.txt", "Example Borough Council", 1, "officer", None, None, None)
    out = ok(
        p,
        "docs",
        "edit",
        "doc1.txt",
        "--council",
        "HUL",
        "--phase",
        "phase 2",
        "--role",
        "Cllr",
        "--date",
        "12/03/2008",
        "--interviewer",
        "Sam  Reed",
        "--respondent",
        "R12",
    )
    assert "doc1.txt: council Example Borough Council -> Kingston upon Hull City Council" in out
    assert "doc1.txt: phase 1 -> 2" in out
    edited = (
        "doc1.txt",
        "Kingston upon Hull City Council",
        2,
        "elected member",
        "2008-03-12",
        "Sam Reed",
        "R12",
    )
    assert details(p) == edited
    listed = ok(p, "docs", "list", "--phase", "2")
    assert "doc1.txt" in listed and "Kingston upon Hull City" in listed
    ok(p, "docs", "edit", "1", "--role", "-")  # '-' clears a field
    assert details(p)[3] is None

    assert ok(p, "coding", "undo").strip() == "undid editing a document's details"
    assert details(p) == edited
    ok(p, "coding", "undo")
    assert details(p) == before
    ok(p, "coding", "redo")
    assert details(p) == edited


def test_council_goes_through_the_matching_and_refuses_guesses(tiny_project: Project) -> None:
    p = tiny_project
    add_council(p, "HUL", "Kingston upon Hull City Council")
    before = details(p)
    result = run(p, "docs", "edit", "doc1.txt", "--council", "Kingston upon Hul City Council")
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "matches Kingston upon Hull City Council only by similarity" in line and "--accept-fuzzy" in line
    assert details(p) == before
    result = run(p, "docs", "edit", "doc1.txt", "--council", "Nowhere At All", "--phase", "3")
    assert result.exit_code == 1 and details(p) == before  # one refused field: nothing changes
    out = ok(p, "docs", "edit", "doc1.txt", "--council", "Kingston upon Hul City Council", "--accept-fuzzy")
    assert "read as Kingston upon Hull City Council (fuzzy" in out
    assert details(p)[1] == "Kingston upon Hull City Council"


def test_bad_values_are_one_line_and_change_nothing(tiny_project: Project) -> None:
    p = tiny_project
    before = details(p)
    for args, message in (
        (("--phase", "second"), "phase 'second' is not a positive whole number"),
        (("--role", "mayor"), "unknown role 'mayor'"),
        (("--date", "31/02/2008"), "is not a date"),
        ((), "nothing to change"),
    ):
        result = run(p, "docs", "edit", "doc1.txt", *args)
        assert result.exit_code != 0
        [line] = result.output.strip().splitlines()
        assert line.startswith("error: ") and message in line, line
    assert details(p) == before


def test_rename_and_undo(tiny_project: Project) -> None:
    p = tiny_project
    with p.transaction():
        p.execute(
            "INSERT INTO documents(uuid, name, text, sha256, word_count, imported_at) VALUES (?,?,?,?,?,?)",
            (new_uuid(), "doc2.txt", "Q: Why?\n", "y", 2, now()),
        )
    result = run(p, "docs", "rename", "doc1.txt", "doc2.txt")
    assert result.exit_code == 1 and "document 2 is already called 'doc2.txt'" in result.output
    assert ok(p, "docs", "rename", "doc1.txt", "hull_officer_p1.txt").strip() == (
        "renamed doc1.txt to hull_officer_p1.txt"
    )
    assert "hull_officer_p1.txt" in ok(p, "docs", "show", "1")
    assert ok(p, "coding", "undo").strip() == "undid renaming a document"
    assert details(p)[0] == "doc1.txt"


def test_delete_confirms_backs_up_and_undo_brings_everything_back(
    tiny_project: Project, tmp_path: Path
) -> None:
    p = tiny_project
    alice, bob = p.coder_id("alice"), p.coder_id("bob")
    code = p.scalar("SELECT id FROM codes WHERE name = 'Adoption'")
    start = DOC_TEXT.index("We went")
    first = svc.add_coding(
        p, document_id=1, code_id=code, coder_id=alice, start=start, end=start + 24, memo="m"
    )
    svc.add_coding(p, document_id=1, code_id=code, coder_id=bob, start=0, end=11)
    svc.set_memo(p, "document", 1, "a good interview", coder_id=alice)
    with p.transaction():
        p.execute(
            "UPDATE documents SET sha256 = ? WHERE id = 1", (hashlib.sha256(DOC_TEXT.encode()).hexdigest(),)
        )
        p.execute(
            "INSERT INTO suggestions(document_id, code_id, start, end, status, coding_id, created_at)"
            " VALUES (1, ?, ?, ?, 'accepted', ?, ?)",
            (code, start, start + 24, first.id, now()),
        )
    before = everything(p)
    assert [h.document for h in search(p, "site visit")] == ["doc1.txt"]

    result = run(p, "docs", "delete", "doc1.txt", input="n\n")
    assert result.exit_code == 1
    assert "Delete document 'doc1.txt' with its 2 codings (by alice, bob) and 1 memo?" in result.output
    assert everything(p) == before

    out = ok(p, "docs", "delete", "doc1.txt", input="y\n")
    backup = Path(out.split("backup: ")[1].splitlines()[0])
    assert backup.exists()
    kept = Project.open(backup)
    assert kept.scalar("SELECT count(*) FROM codings WHERE document_id = 1") == 2  # taken before the delete
    kept.close()
    assert {table: rows for table, rows in everything(p).items() if rows} == {}
    assert list(search(p, "site visit")) == []
    assert "0 documents" in ok(p, "docs", "list")

    assert ok(p, "coding", "undo").strip() == "undid deleting a document"
    assert everything(p) == before
    assert [h.document for h in search(p, "site visit")] == ["doc1.txt"]
    assert "no problems found" in ok(p, "check")
    ok(p, "coding", "redo")
    assert p.scalar("SELECT count(*) FROM documents") == 0
    assert "no problems found" in ok(p, "check")


def test_delete_keeps_rows_of_other_tables_that_refer_to_the_document(tiny_project: Project) -> None:
    """Earlier texts (revisions) and their coding anchors go and come back with the document."""
    p = tiny_project
    with p.transaction():
        revision = p.execute(
            "INSERT INTO document_revisions(document_id, revision, text, sha256, replaced_at)"
            " VALUES (1, 1, 'old text', 'z', ?)",
            (now(),),
        ).lastrowid
        p.execute(
            "INSERT INTO coding_anchors(revision_id, coding_id, old_start, old_end, method) VALUES (?, 9, 0, 3, 'unplaced')",
            (revision,),
        )
    before = [tuple(r) for r in p.execute("SELECT * FROM coding_anchors")]
    docedit.delete_document(p, 1, coder_id=p.coder_id("alice"))
    assert p.scalar("SELECT count(*) FROM document_revisions") == 0
    svc.undo(p, p.coder_id("alice"))
    assert [tuple(r) for r in p.execute("SELECT * FROM coding_anchors")] == before
