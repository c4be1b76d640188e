"""The coding workbench, driven with Textual's pilot: what a coder does, checked in the project file."""

from __future__ import annotations

import pytest
from builders import DOC_TEXT

from beacon_qual.store import Project, new_uuid, now
from beacon_qual.tui.app import WorkbenchApp
from beacon_qual.tui.screens import HelpScreen, PickerScreen
from beacon_qual.tui.transcript import TranscriptView

SENT1 = "How did you learn from the Beacon council?"
SENT2 = "We went on a site visit."
SENT3 = "We copied their forms at first."
TURN2 = "We went on a site visit. We copied their forms at first. Later we adapted the scheme to our rural districts."


def codings(project: Project) -> list[tuple[str, str, str, str | None]]:
    """(passage, code, coder, memo) of every coding, from the file itself."""
    rows = project.execute(
        "SELECT substr(d.text, c.start + 1, c.end - c.start), k.name, u.name, c.memo FROM codings c"
        " JOIN documents d ON d.id = c.document_id JOIN codes k ON k.id = c.code_id"
        " JOIN coders u ON u.id = c.coder_id ORDER BY c.start, k.name"
    ).fetchall()
    return [tuple(r) for r in rows]


def selected(app: WorkbenchApp) -> str:
    view = app.query_one(TranscriptView)
    s, e = view.selection
    return DOC_TEXT[s:e]


async def open_doc(pilot) -> None:
    await pilot.pause()
    await pilot.press("enter")  # the documents table has focus: open the first transcript
    await pilot.pause()


async def pick(pilot, query: str) -> None:
    await pilot.press("c")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PickerScreen)
    await pilot.press(*query)
    await pilot.press("enter")
    await pilot.pause()


async def test_open_select_by_sentence_and_turn(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        assert selected(app) == SENT1
        await pilot.press("j")
        assert selected(app) == SENT2
        await pilot.press("J")  # extend by a sentence
        assert selected(app) == f"{SENT2} {SENT3}"
        await pilot.press("K")  # and shrink again
        assert selected(app) == SENT2
        await pilot.press("w", "w")  # extend by two words
        assert selected(app) == f"{SENT2} We copied"
        await pilot.press("W")  # shrink by a word
        assert selected(app) == f"{SENT2} We"
        await pilot.press("h")  # shrink by a character
        assert selected(app) == f"{SENT2} W"
        await pilot.press("right_square_bracket")  # next speaker turn: its words, not its label
        assert selected(app) == TURN2
        await pilot.press("left_square_bracket")
        assert selected(app) == SENT1


async def test_apply_by_picker_and_number_key(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("j")
        await pick(pilot, "adopt")
        assert codings(tiny_project) == [(SENT2, "Adoption", "alice", None)]
        await pilot.press("j", "1")  # the most recent code, by number
        await pilot.pause()
        assert codings(tiny_project)[-1] == (SENT3, "Adoption", "alice", None)
        # the codebook pane counts what is in the document and project
        tree_labels = [str(n.label) for n in app.tree_nodes.values()]
        assert "● 2/2 Adoption" in tree_labels


async def test_picker_ranks_keywords_and_shows_definition(tiny_project: Project) -> None:
    with tiny_project.transaction():
        tiny_project.execute(
            "UPDATE codes SET keywords = '[\"tailored\", \"local context\"]', description = 'Changing a practice to fit'"
            " WHERE name = 'Adaptation'"
        )
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("c")
        await pilot.press(*"tailored")
        await pilot.pause()
        screen = app.screen
        assert screen.shown[0].name == "Adaptation"
        details = str(screen.query_one("#picker-details").render())
        assert "Changing a practice to fit" in details
        await pilot.press("escape")
        await pilot.pause()
        assert codings(tiny_project) == []  # cancelled: nothing written


async def test_remove_recode_memo_undo_redo(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pick(pilot, "adopt")
        await pilot.press("m")  # memo on the coding under the selection
        await pilot.pause()
        await pilot.press(*"imitation")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert codings(tiny_project) == [(SENT1, "Adoption", "alice", "imitation")]
        await pilot.press("r")  # recode keeps the memo
        await pilot.pause()
        await pilot.press(*"adapta", "enter")
        await pilot.pause()
        assert codings(tiny_project) == [(SENT1, "Adaptation", "alice", "imitation")]
        await pilot.press("x")
        await pilot.pause()
        assert codings(tiny_project) == []
        await pilot.press("u")
        await pilot.pause()
        assert codings(tiny_project) == [(SENT1, "Adaptation", "alice", "imitation")]
        await pilot.press("u")
        await pilot.pause()
        assert codings(tiny_project) == [(SENT1, "Adoption", "alice", "imitation")]
        await pilot.press("U")
        await pilot.pause()
        assert codings(tiny_project) == [(SENT1, "Adaptation", "alice", "imitation")]


async def test_adjust_boundaries_of_a_coding(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("j")
        await pick(pilot, "adopt")
        await pilot.press("home")  # move away, then come back to the coding with n
        await pilot.press("n")
        assert selected(app) == SENT2
        await pilot.press("J", "a")  # grow the selection by a sentence and adjust the coding to it
        await pilot.pause()
        assert codings(tiny_project) == [(f"{SENT2} {SENT3}", "Adoption", "alice", None)]


async def test_undo_across_a_restart(tiny_project: Project) -> None:
    path = tiny_project.path
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pick(pilot, "adopt")
        await pilot.press("q")
    tiny_project.close()
    project = Project.open(path)
    assert len(codings(project)) == 1
    app = WorkbenchApp(project)  # the coder and the document are remembered
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.coder_name == "alice" and app.doc is not None
        await pilot.press("u")
        await pilot.pause()
        assert codings(project) == []
        await pilot.press("U")
        await pilot.pause()
        assert codings(project) == [(SENT1, "Adoption", "alice", None)]
    project.close()


async def test_mine_and_all_coders_toggle(tiny_project: Project) -> None:
    from beacon_qual.coding import codings as svc

    bob = tiny_project.coder_id("bob")
    code = tiny_project.scalar("SELECT id FROM codes WHERE name = 'Adaptation'")
    svc.add_coding(tiny_project, document_id=1, code_id=code, coder_id=bob, start=0, end=11)
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        view = app.query_one(TranscriptView)
        assert view.codings == []
        await pilot.press("t")
        assert [c.coder_id for c in view.codings] == [bob]
        await pilot.press("x")  # bob's coding is not alice's to remove
        await pilot.pause()
        assert len(codings(tiny_project)) == 1


async def test_navigation_uncoded_and_search(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pick(pilot, "adopt")  # sentence 1 is now coded
        await pilot.press("home", "g")
        assert selected(app) == SENT2
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"rural", "enter")
        await pilot.pause()
        assert selected(app) == "rural"


async def test_document_filters(tiny_project: Project) -> None:
    with tiny_project.transaction():
        tiny_project.execute(
            "INSERT INTO documents(uuid, name, text, sha256, case_id, phase, role, word_count, imported_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (new_uuid(), "doc2.txt", "Q: Why?\nA: Because.\n", "y", 1, 2, "partner", 3, now()),
        )
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one("#doc-table")
        assert table.row_count == 2
        app.query_one("#doc-filter").focus()
        await pilot.press(*"phase:2")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press(*" role:officer")
        await pilot.pause()
        assert table.row_count == 0


async def test_help_lists_every_key(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for description in ("Extend by word", "Next turn", "Apply recent code", "Undo", "Remove", "Memo"):
            assert description in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize("size", [(80, 24)])
async def test_small_terminal(tiny_project: Project, size: tuple[int, int]) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=size) as pilot:
        await open_doc(pilot)
        view = app.query_one(TranscriptView)
        assert view.size.width >= 60  # the transcript gets the screen once a document is open
        await pilot.press("j")
        await pick(pilot, "adopt")
        assert codings(tiny_project) == [(SENT2, "Adoption", "alice", None)]
        await pilot.press("d")  # the documents pane comes back on demand
        await pilot.pause()
        assert not app.query_one("#documents").has_class("hidden")


async def test_two_workbenches_on_one_project(tiny_project: Project) -> None:
    """Two coders, two connections, interleaved actions: every coding lands, no lock error."""
    other = Project.open(tiny_project.path)
    alice = WorkbenchApp(tiny_project, coder="alice")
    bob = WorkbenchApp(other, coder="bob")
    async with alice.run_test(size=(120, 30)) as pa, bob.run_test(size=(120, 30)) as pb:
        await open_doc(pa)
        await open_doc(pb)
        for pilot, query in ((pa, "adopt"), (pb, "adapt"), (pa, "adapt"), (pb, "adopt")):
            await pick(pilot, query)
            await pilot.press("j")
        await pb.press("u")  # bob undoes his own latest coding only
        await pb.pause()
    other.close()
    rows = codings(tiny_project)
    assert sorted((r[1], r[2]) for r in rows) == [
        ("Adaptation", "alice"),
        ("Adaptation", "bob"),
        ("Adoption", "alice"),
    ]


async def test_in_vivo_code_from_the_picker(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("j", "c")
        await pilot.pause()
        await pilot.press(*"site visit", "ctrl+n")  # a new code named from the typed words
        await pilot.pause()
        await pilot.press("end", "s", "enter")  # the name can be edited before the code is made
        await pilot.pause()
        await pilot.press(*"innov", "enter")  # its parent: Innovation
        await pilot.pause()
        await pilot.press("y")  # confirm
        await pilot.pause()
        assert codings(tiny_project) == [(SENT2, "site visits", "alice", None)]
        parent = tiny_project.scalar(
            "SELECT p.name FROM codes c JOIN codes p ON p.id = c.parent_id WHERE c.name = 'site visits'"
        )
        assert parent == "Innovation"


async def test_project_search_steps_through_hits(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("F")
        await pilot.pause()
        await pilot.press(*"copying OR adapt", "enter")  # stemmed: "copied", "adapted"
        await pilot.pause()
        assert app.doc is not None and selected(app) == SENT3
        assert app.work_title == "search hits in document order"
        await pilot.press("greater_than_sign")
        assert selected(app) == "Later we adapted the scheme to our rural districts."
        await pilot.press("less_than_sign")
        assert selected(app) == SENT3


async def test_suggestions_accept_reject_in_the_workbench(tiny_project: Project) -> None:
    from beacon_qual.search.suggest import list_suggestions, make_suggestions

    with tiny_project.transaction():
        tiny_project.execute("UPDATE codes SET keywords = '[\"copy\"]' WHERE name = 'Adoption'")
        tiny_project.execute("UPDATE codes SET keywords = '[\"adapt\", \"visit\"]' WHERE name = 'Adaptation'")
    make_suggestions(tiny_project)
    assert len(list_suggestions(tiny_project)) == 3
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        assert len(app.query_one(TranscriptView).suggested) == 3  # shown apart from codings
        assert codings(tiny_project) == []
        await pilot.press("s")  # first suggestion: "We went on a site visit." for Adaptation
        await pilot.pause()
        assert selected(app) == SENT2
        await pilot.press("R")  # reject it; the next one is selected
        await pilot.pause()
        assert selected(app) == SENT3
        await pilot.press("A")  # accept: it becomes alice's coding
        await pilot.pause()
        assert codings(tiny_project) == [(SENT3, "Adoption", "alice", None)]
        await pilot.press("S")
        await pilot.pause()
    statuses = sorted(s.status for s in list_suggestions(tiny_project, status=None))
    assert statuses == ["accepted", "rejected", "skipped"]


async def test_disagreements_and_flagged_codings(tiny_project: Project) -> None:
    from beacon_qual.coding import codings as svc

    p = tiny_project
    a, b = p.coder_id("alice"), p.coder_id("bob")
    adopt = p.scalar("SELECT id FROM codes WHERE name = 'Adoption'")
    adapt = p.scalar("SELECT id FROM codes WHERE name = 'Adaptation'")
    start, end = DOC_TEXT.index(SENT3), DOC_TEXT.index(SENT3) + len(SENT3)
    svc.add_coding(p, document_id=1, code_id=adopt, coder_id=a, start=start, end=end)
    flagged = svc.add_coding(p, document_id=1, code_id=adapt, coder_id=b, start=start, end=end)
    with p.transaction():
        p.execute("UPDATE codings SET status = 'review' WHERE id = ?", (flagged.id,))
    app = WorkbenchApp(p, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("enter")  # bob, the only other coder
        await pilot.pause()
        assert selected(app) == SENT3
        status = str(app.query_one("#status").render())
        assert "Adoption" in status and "Adaptation" in status
        await pilot.press("V")  # codings flagged after a revision
        await pilot.pause()
        assert selected(app) == SENT3
        await pilot.press("A")
        await pilot.pause()
    assert p.scalar("SELECT count(*) FROM codings WHERE status = 'review'") == 0


async def test_mouse_click_selects_a_sentence_and_drag_selects_words(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        view = app.query_one(TranscriptView)

        def cell(offset: int) -> tuple[int, int]:
            y = view.line_of(offset)
            return offset - view._lines[y].start, y

        await pilot.click(TranscriptView, offset=cell(DOC_TEXT.index("site")))
        await pilot.pause()
        assert selected(app) == SENT2
        start, end = DOC_TEXT.index("copied"), DOC_TEXT.index("copied") + len("copied their")
        await pilot.mouse_down(TranscriptView, offset=cell(start))
        await pilot.hover(TranscriptView, offset=cell(end - 1))
        await pilot.mouse_up(TranscriptView, offset=cell(end - 1))
        await pilot.pause()
        assert selected(app) == "copied their"


async def test_mark_a_document_done_shows_it_and_undoes(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("D")
        await pilot.pause()
        done = tiny_project.execute(
            "SELECT u.name FROM document_done x JOIN coders u ON u.id = x.coder_id"
        ).fetchall()
        assert [r[0] for r in done] == ["alice"]
        table = app.query_one("#doc-table")
        assert str(table.get_cell_at((0, 1))).endswith("✓")
        await pilot.press("u")
        await pilot.pause()
        assert tiny_project.scalar("SELECT count(*) FROM document_done") == 0
        assert not str(table.get_cell_at((0, 1))).endswith("✓")
        await pilot.press("D", "D")
        await pilot.pause()
        assert tiny_project.scalar("SELECT count(*) FROM document_done") == 0


def test_a_workbench_that_stops_on_an_error_exits_non_zero(tmp_path, monkeypatch):
    # Textual prints the traceback and returns from run(); the command must not then exit 0 as if all was well.
    from click.testing import CliRunner
    from textual.app import App

    from beacon_qual.cli import main
    from beacon_qual.tui import app as tui

    project = tmp_path / "demo.db"
    assert CliRunner().invoke(main, ["-p", str(project), "demo"]).exit_code == 0

    async def press_help(pilot):
        await pilot.press("question_mark")

    def failing_help(self):
        raise RuntimeError("a fault in the workbench")

    monkeypatch.setattr(tui.WorkbenchApp, "action_help", failing_help)
    monkeypatch.setattr(
        tui.WorkbenchApp, "run", lambda self: App.run(self, headless=True, auto_pilot=press_help)
    )
    result = CliRunner().invoke(main, ["-p", str(project), "code", "--coder", "alice"])
    assert result.exit_code == 1 and "a fault in the workbench" in result.output


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_picker_beside_the_selection_lists_codes_on_a_small_screen(
    tiny_project: Project, size: tuple[int, int]
) -> None:
    """In half of a 24-row terminal the picker gives its list the room the definition and the input's frame
    would take; on a tall screen it shows both."""
    from textual.widgets import OptionList

    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=size) as pilot:
        await open_doc(pilot)
        await pilot.press("c")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen) and picker.has_class("half")
        rows = picker.query_one(OptionList).content_region.height
        details = picker.query_one("#picker-details")
        if size[1] < PickerScreen.SHORT:
            assert not details.display
            assert rows >= 5, rows
        else:
            assert details.display and details.region.height > 0
            assert rows >= 7, rows
