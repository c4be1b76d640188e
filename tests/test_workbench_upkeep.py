"""Codebook and document upkeep in the workbench, driven with Textual's pilot and checked in the project file."""

from __future__ import annotations

from beacon_qual.codebook import edit
from beacon_qual.store import Project
from beacon_qual.tui.app import WorkbenchApp
from beacon_qual.tui.screens import ConfirmScreen, HelpScreen, PickerScreen, PromptScreen
from beacon_qual.tui.upkeep import CodeTree, FormScreen

SENT1 = "How did you learn from the Beacon council?"


def codings(project: Project) -> list[tuple[str, str]]:
    rows = project.execute(
        "SELECT substr(d.text, c.start + 1, c.end - c.start), k.name FROM codings c"
        " JOIN documents d ON d.id = c.document_id JOIN codes k ON k.id = c.code_id ORDER BY c.start, k.name"
    ).fetchall()
    return [tuple(r) for r in rows]


def tree_of(project: Project) -> list[tuple[str, str | None, int]]:
    rows = project.execute(
        "SELECT c.name, p.name, c.codable FROM codes c LEFT JOIN codes p ON p.id = c.parent_id ORDER BY c.name"
    ).fetchall()
    return [tuple(r) for r in rows]


async def open_doc(pilot) -> None:
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def line_of(app: WorkbenchApp, name: str) -> tuple[int, int]:
    """Where to click in the code tree to hit a code's name."""
    tree = app.query_one(CodeTree)
    code = next(c for c in app.codes if c.name == name)
    node = app.tree_nodes[code.id]
    return (4 * (code.depth + 1) + 2, node.line - tree.scroll_offset.y)


async def test_a_click_selects_a_code_and_a_double_click_or_enter_applies_it(tiny_project: Project) -> None:
    with tiny_project.transaction():
        tiny_project.execute("UPDATE codes SET description = 'Taking up a practice' WHERE name = 'Adoption'")
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(160, 40)) as pilot:
        await open_doc(pilot)
        await pilot.click(CodeTree, offset=line_of(app, "Adoption"))
        await pilot.pause()
        tree = app.query_one(CodeTree)
        assert app.code_by_id[tree.cursor_node.data].name == "Adoption"
        assert "Taking up a practice" in str(app.query_one("#code-details").render())
        assert codings(tiny_project) == []  # one click only shows the code
        await pilot.double_click(CodeTree, offset=line_of(app, "Adoption"))
        await pilot.pause()
        assert codings(tiny_project) == [(SENT1, "Adoption")]
        # Enter applies the highlighted code: Adaptation, below Adoption in codebook order (both share a sort
        # order; Adoption was made first).
        await pilot.press("down", "enter")
        await pilot.pause()
        assert codings(tiny_project) == [(SENT1, "Adaptation"), (SENT1, "Adoption")]


async def test_a_group_is_not_applied_from_the_tree(tiny_project: Project) -> None:
    edit.set_group(tiny_project, 3, True, coder_id=None)  # Adaptation
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(160, 40)) as pilot:
        await open_doc(pilot)
        await pilot.double_click(CodeTree, offset=line_of(app, "Adaptation"))
        await pilot.pause()
        assert codings(tiny_project) == []


async def test_edit_a_code_in_the_form_and_undo(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.click(CodeTree, offset=line_of(app, "Adoption"))
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#f-name").value = "Taking up"
        form.query_one("#f-definition").text = "Using another council's practice"
        form.query_one("#f-keywords").value = "adopt, copy"
        await pilot.press("ctrl+s")
        await pilot.pause()
        row = tiny_project.one("SELECT name, description, keywords FROM codes WHERE id = 2")
        assert tuple(row) == ("Taking up", "Using another council's practice", '["adopt", "copy"]')
        assert str(app.tree_nodes[2].label).endswith("Taking up")  # the pane shows it at once
        assert tiny_project.get_meta("codebook_version") == "2"
        await pilot.press("u")
        await pilot.pause()
        assert tiny_project.scalar("SELECT name FROM codes WHERE id = 2") == "Adoption"
        assert app.code_by_id[2].name == "Adoption"


async def test_new_merge_move_and_delete_from_the_codebook_pane(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(160, 40)) as pilot:
        await open_doc(pilot)
        await pilot.click(CodeTree, offset=line_of(app, "Adoption"))
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"Site visits", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(*"innov", "enter")
        await pilot.pause()
        assert ("Site visits", "Innovation", 1) in tree_of(tiny_project)
        # the new code is highlighted: apply it with Enter, then merge it into Adoption
        await pilot.press("enter")
        await pilot.pause()
        assert codings(tiny_project) == [(SENT1, "Site visits")]
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"adop", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert codings(tiny_project) == [(SENT1, "Adoption")]
        assert "Site visits" not in [c.name for c in app.codes]
        # move Adaptation to the top level: the first choice when nothing is typed
        await pilot.click(CodeTree, offset=line_of(app, "Adaptation"))
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert ("Adaptation", None, 1) in tree_of(tiny_project)
        # delete Adoption after a confirmation that counts its codings
        await pilot.click(CodeTree, offset=line_of(app, "Adoption"))
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "with 1 coding (by alice)" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert codings(tiny_project) == []
        assert [c.name for c in app.codes] == ["Innovation", "Adaptation"]
        for _ in range(3):  # undo the deletion, the move and the merge
            await pilot.press("u")
            await pilot.pause()
        assert codings(tiny_project) == [(SENT1, "Site visits")]
        assert sorted(c.name for c in app.codes) == ["Adaptation", "Adoption", "Innovation", "Site visits"]


async def test_document_form_edits_details_and_undo(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("E")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#f-council").value == "Example Borough Council"
        form.query_one("#f-phase").value = "2"
        form.query_one("#f-role").value = "partner"
        form.query_one("#f-interviewer").value = "Sam Reed"
        await pilot.press("ctrl+s")
        await pilot.pause()
        row = tiny_project.one("SELECT phase, role, interviewer FROM documents WHERE id = 1")
        assert tuple(row) == (2, "partner", "Sam Reed")
        assert "ph 2 · partner" in str(app.query_one("#status").render())
        await pilot.press("E")
        await pilot.pause()
        app.screen.query_one("#f-phase").value = "second"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert (
            tiny_project.scalar("SELECT phase FROM documents WHERE id = 1") == 2
        )  # refused, nothing changed
        await pilot.press("u")
        await pilot.pause()
        row = tiny_project.one("SELECT phase, role, interviewer FROM documents WHERE id = 1")
        assert tuple(row) == (1, "officer", None)
        assert "ph 1 · officer" in str(app.query_one("#status").render())


async def test_help_lists_the_upkeep_keys(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for description in (
            "New code",
            "Edit code",
            "Move code under another parent",
            "Merge code into another",
            "Delete code with its codings",
            "Edit document details",
            "Select a code to read its definition",
        ):
            assert description in text


async def test_an_in_vivo_code_raises_the_codebook_version_and_undoes(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"open day", "ctrl+n")
        await pilot.pause()
        await pilot.press("enter")  # keep the name as typed
        await pilot.pause()
        await pilot.press(*"innov", "enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert codings(tiny_project) == [(SENT1, "open day")]
        assert tiny_project.get_meta("codebook_version") == "2"
        await pilot.press("u", "u")  # the coding, then the new code
        await pilot.pause()
        assert codings(tiny_project) == [] and "open day" not in [c.name for c in app.codes]
        assert tiny_project.scalar("SELECT count(*) FROM codes WHERE name = 'open day'") == 0


async def test_document_form_deletes_the_document_after_asking(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("E")
        await pilot.pause()
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.startswith("Delete document")
        await pilot.press("n")  # not now: nothing goes
        await pilot.pause()
        assert tiny_project.scalar("SELECT count(*) FROM documents WHERE id = 1") == 1
        await pilot.press("E")
        await pilot.pause()
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert tiny_project.scalar("SELECT count(*) FROM documents WHERE id = 1") == 0
        assert app.doc is None and app.query_one("#doc-table").row_count == 0
        assert list(tiny_project.path.parent.glob("*.before-delete-document-*.bak"))
        await pilot.press("u")  # one undo brings it back
        await pilot.pause()
        assert tiny_project.scalar("SELECT count(*) FROM documents WHERE id = 1") == 1
