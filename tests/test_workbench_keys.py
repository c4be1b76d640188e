"""The workbench's keys for who is coding, part-sentence selection, favourites, coding every search hit,
and the small things (resizing, memo marks, undo messages, reopening where one left off)."""

from __future__ import annotations

from pathlib import Path

from builders import DOC_TEXT, Doc, add_units, build, spec
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.coding.userconfig import remembered_coder
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.tui.app import WorkbenchApp
from beacon_qual.tui.favourites import FavouritesBar
from beacon_qual.tui.screens import ChoiceScreen, PickerScreen
from beacon_qual.tui.transcript import TranscriptView

SENT2 = "We went on a site visit."
SENT3 = "We copied their forms at first."
SENT4 = "Later we adapted the scheme to our rural districts."


def codings(project: Project) -> list[tuple[str, str, str]]:
    rows = project.execute(
        "SELECT substr(d.text, c.start + 1, c.end - c.start), k.name, u.name FROM codings c"
        " JOIN documents d ON d.id = c.document_id JOIN codes k ON k.id = c.code_id"
        " JOIN coders u ON u.id = c.coder_id ORDER BY c.start, k.name"
    ).fetchall()
    return [tuple(r) for r in rows]


def selected(app: WorkbenchApp) -> str:
    s, e = app.query_one(TranscriptView).selection
    return app.doc.text[s:e]


def status(app: WorkbenchApp) -> str:
    return str(app.query_one("#status").render())


async def open_doc(pilot) -> None:
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def cli(project: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["-p", str(project), *args], input=input)


# -- who is coding ---------------------------------------------------------------------------------------


async def test_a_scripts_coder_does_not_change_who_the_workbench_opens_as(tiny_project: Project) -> None:
    path = tiny_project.path
    assert cli(path, "coder", "set", "alice").exit_code == 0
    r = cli(
        path,
        "coding",
        "add",
        "--document",
        "1",
        "--start",
        "0",
        "--end",
        "11",
        "--code",
        "Adoption",
        "--coder",
        "bob",
    )
    assert r.exit_code == 0, r.output
    assert remembered_coder() == "alice"
    app = WorkbenchApp(tiny_project)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.coder_name == "alice"
        assert "alice" in status(app)
    # a coding command without --coder acts as the remembered coder
    r = cli(path, "coding", "add", "--document", "1", "--start", "13", "--end", "20", "--code", "Adoption")
    assert r.exit_code == 0, r.output
    assert [c[2] for c in codings(tiny_project)] == ["bob", "alice"]


def test_coder_show_and_set(tiny_project: Project, tmp_path: Path) -> None:
    r = cli(tiny_project.path, "coder")
    assert r.exit_code == 0 and "coder: (none yet)" in r.output
    r = cli(tiny_project.path, "coder", "set", "  Alice   Smith ")
    assert r.exit_code == 0 and "coder: Alice Smith" in r.output
    assert "coder: Alice Smith" in cli(tiny_project.path, "coder", "show").output
    r = cli(tiny_project.path, "coder", "set", " ")
    assert r.exit_code != 0 and "cannot be empty" in r.output
    r = cli(tiny_project.path, "coding", "undo")  # alice smith has nothing to undo: acts as her
    assert r.exit_code != 0 and "nothing to undo" in r.output


async def test_the_workbench_remembers_its_coder_for_every_project(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project)  # nobody remembered: the first-run question
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert status(app).startswith(" ? ")  # nobody yet
        await pilot.press(*"carol", "enter")
        await pilot.pause()
        assert app.coder_name == "carol"
    assert remembered_coder() == "carol"


async def test_the_status_line_shows_the_coder_at_80x24(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice-with-a-long-name")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "alice-with-a-long-name" in status(app)
        await open_doc(pilot)
        assert status(app).lstrip().startswith("alice-with-a-long-name")
        await pilot.press("F")
        await pilot.pause()
        await pilot.press(*"visit", "enter")
        await pilot.pause()
        assert status(app).lstrip().startswith("alice-with-a-long-name")


# -- part of a sentence ----------------------------------------------------------------------------------


async def test_start_later_by_word_moves_a_word_every_press(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("j")
        assert selected(app) == SENT2
        await pilot.press("right_curly_bracket")
        assert selected(app) == "went on a site visit."
        await pilot.press("right_curly_bracket")
        assert selected(app) == "on a site visit."
        await pilot.press("right_curly_bracket", "right_curly_bracket")
        assert selected(app) == "site visit."
        await pilot.press("left_curly_bracket")
        assert selected(app) == "a site visit."


async def test_anchor_then_counted_words_selects_a_phrase(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("j", "j", "j")
        assert selected(app) == SENT4
        await pilot.press("v")  # anchor: the first word
        assert selected(app) == "Later"
        assert "SELECT" in status(app)
        await pilot.press("2", "right_curly_bracket")  # start two words later
        assert selected(app) == "adapted"
        await pilot.press("2", "w")  # end two words later
        assert selected(app) == "adapted the scheme"
        await pilot.press("L", "h")  # and by characters at either end
        assert selected(app) == "dapted the schem"
        await pilot.press("H", "l")
        assert selected(app) == "adapted the scheme"
        await pilot.press("c")  # leaves the mode with the selection kept and opens the picker
        await pilot.pause()
        await pilot.press(*"adapta", "enter")
        await pilot.pause()
        assert codings(tiny_project) == [("adapted the scheme", "Adaptation", "alice")]
        assert "SELECT" not in status(app)


async def test_find_then_anchor_turns_the_match_into_whole_words(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"rur", "enter")
        await pilot.pause()
        assert selected(app) == "rur"
        await pilot.press("v", "w", "escape")
        assert selected(app) == "rural districts."
        await pilot.press("1")  # out of the mode a digit is a recent code again (none yet): no count
        await pilot.pause()
        assert selected(app) == "rural districts."


async def test_whole_turn_key(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("j", "j")
        assert selected(app) == SENT3
        await pilot.press("T")
        assert selected(app) == f"{SENT2} {SENT3} {SENT4}"


# -- favourites and the picker ---------------------------------------------------------------------------


async def test_favourites_assigned_applied_and_kept_across_restarts(tiny_project: Project) -> None:
    path = tiny_project.path
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        assert "empty" in str(app.query_one(FavouritesBar).render())
        await pilot.press("plus")
        await pilot.pause()
        await pilot.press(*"adapta", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")  # the second key: F2
        await pilot.pause()
        assert "F2 ● Adaptation" in str(app.query_one(FavouritesBar).render())
        await pilot.press("j", "f2")
        await pilot.pause()
        assert codings(tiny_project) == [(SENT2, "Adaptation", "alice")]
        await pilot.press("q")
    tiny_project.close()
    project = Project.open(path)
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert "F2 ● Adaptation" in str(app.query_one(FavouritesBar).render())
        await pilot.press("j", "f", "2")  # the same key for terminals that keep F2 to themselves
        await pilot.pause()
        await pilot.press("f3")  # an empty key applies nothing
        await pilot.pause()
    assert codings(project) == [(SENT2, "Adaptation", "alice"), (SENT3, "Adaptation", "alice")]
    bob = WorkbenchApp(project, coder="bob")  # favourites are per coder
    async with bob.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert "empty" in str(bob.query_one(FavouritesBar).render())
    project.close()


async def test_only_the_coding_pickers_apply_a_code_on_its_name_start(tiny_project: Project) -> None:
    """The favourites picker waits for Enter even when the letters begin one code's name: a dialog follows it,
    and the Enter typed after the name must reach that dialog's choice, not be dropped."""
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("plus")
        await pilot.pause()
        await pilot.press(*"ada")  # begins Adaptation and no other name
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # F1
        await pilot.pause()
        assert "F1 ● Adaptation" in str(app.query_one(FavouritesBar).render())


def _long_project(tmp_path: Path) -> Project:
    text = "Respondent: " + " ".join(f"Sentence number {i} is here." for i in range(200)) + "\n"
    return build(tmp_path / "long.db", spec(documents=[Doc("long.txt", text)], codes=["Adoption"]))


async def test_the_picker_never_covers_the_selection(tmp_path: Path) -> None:
    project = _long_project(tmp_path)
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot)
        view = app.query_one(TranscriptView)
        for moves in ([], ["j"] * 12, ["pagedown"] * 3 + ["j"] * 3):
            await pilot.press(*moves)
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            picker = app.screen.query_one("#picker").region
            start, end = view.selection
            y0 = view.region.y - int(view.scroll_offset.y)
            rows = range(y0 + view.line_of(start), y0 + view.line_of(end - 1) + 1)
            assert all(view.region.y <= r < view.region.bottom for r in rows)  # the passage is in view
            assert not any(picker.y <= r < picker.bottom for r in rows), (list(rows), picker)
            await pilot.press("escape")
            await pilot.pause()
    project.close()


async def test_a_digit_in_the_empty_picker_applies_that_recent_code(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        for query in ("adopt", "adapta"):
            await pilot.press("c")
            await pilot.pause()
            await pilot.press(*query, "enter", "j")
            await pilot.pause()
        await pilot.press("c", "2")  # recent 2: Adoption
        await pilot.pause()
    assert codings(tiny_project)[-1] == (SENT3, "Adoption", "alice")


# -- every hit of a search -------------------------------------------------------------------------------


def test_search_apply_code_lists_asks_and_codes(tiny_project: Project) -> None:
    path = tiny_project.path
    args = ["search", "went OR copied OR learn", "--apply-code", "Adoption", "--coder", "alice"]
    r = cli(path, *args, input="n\n")
    assert r.exit_code == 0 and "3 sentences in 1 documents to code as Adoption" in r.output
    assert "nothing coded" in r.output and codings(tiny_project) == []
    r = cli(path, *args[:2], "--speaker", "respondent", *args[2:], input="y\n")
    assert r.exit_code == 0, r.output
    assert codings(tiny_project) == [(SENT2, "Adoption", "alice"), (SENT3, "Adoption", "alice")]
    r = cli(path, *args, "--yes")  # the two coded already stay as they are
    assert "1 sentences in 1 documents to code" in r.output and "2 have it already" in r.output
    assert len(codings(tiny_project)) == 3
    r = cli(path, "search", "went", "--apply-code", "Innovation", "--yes", "--coder", "alice")
    assert r.exit_code != 0 and "group code" in r.output
    r = cli(path, "search", "went", "--yes")
    assert r.exit_code != 0 and "--apply-code" in r.output
    r = cli(path, "search", "went", "--apply-code", "Adoption", "--format", "json", "--yes")
    assert r.exit_code != 0 and "leave out --format" in r.output and len(codings(tiny_project)) == 3


async def test_code_every_hit_from_the_workbench_search_list(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("F")
        await pilot.pause()
        await pilot.press(*"went OR copied OR learn", "enter")
        await pilot.pause()
        await pilot.press("C")
        await pilot.pause()
        await pilot.press(*"adopt", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        assert "3 new hits" in str(app.screen.query_one("OptionList").get_option_at_index(0).prompt)
        await pilot.press("down", "enter")  # respondents' turns only
        await pilot.pause()
    assert codings(tiny_project) == [(SENT2, "Adoption", "alice"), (SENT3, "Adoption", "alice")]


# -- small things ----------------------------------------------------------------------------------------


async def test_resizing_keeps_keys_out_of_hidden_panes_and_brings_the_codebook_back(
    tiny_project: Project,
) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(160, 40)) as pilot:
        await open_doc(pilot)
        app.query_one("#doc-table").focus()
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.query_one("#documents").has_class("hidden")
        assert app.focused is app.query_one(TranscriptView)
        await pilot.press("j", "x")  # keys go to the transcript, none into the document filter
        await pilot.pause()
        assert app.query_one("#doc-filter").value == ""
        assert app.query_one("#doc-table").row_count == 1
        assert selected(app) == SENT2
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        assert app.query_one("#codebook").display and not app.query_one("#codebook").has_class("hidden")
        assert app.query_one("#codebook").region.width > 0


async def test_memo_mark_undo_message_and_reopening_where_one_left(tiny_project: Project) -> None:
    path = tiny_project.path
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("j", "c")
        await pilot.pause()
        await pilot.press(*"adopt", "enter")
        await pilot.pause()
        view = app.query_one(TranscriptView)
        y = view.line_of(DOC_TEXT.index(SENT2)) - int(view.scroll_offset.y)
        gutter = "".join(s.text for s in view.render_line(y)._segments)
        assert "┏" in gutter and "◆" not in gutter
        await pilot.press("m", *"why", "ctrl+s")
        await pilot.pause()
        gutter = "".join(s.text for s in view.render_line(y)._segments)
        assert "◆" in gutter  # a coding with a memo is marked in its stripe
        await pilot.press("u")  # undo the memo, then the coding: the message names both
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("Adoption" in m and "We went on a site" in m for m in messages), messages
        await pilot.press("j", "w")
        await pilot.press("q")
    tiny_project.close()
    project = Project.open(path)
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert selected(app) == f"{SENT3} Later"
    project.close()


async def test_speaker_labels_with_timestamps_are_bold_in_full(tmp_path: Path) -> None:
    text = "[00:00:04] Tom Okafor: We went to the open day.\n[00:01:10] Interviewer: Why?\n"
    project = Project.create(tmp_path / "ts.db")
    with project.transaction():
        project.execute(
            "INSERT INTO documents(uuid, name, text, sha256, word_count, imported_at) VALUES (?,?,?,?,?,?)",
            (new_uuid(), "ts.txt", text, "x", len(text.split()), now()),
        )
        add_units(project, 1, text.replace("[00:00:04] Tom Okafor:", "[00-00-04] Tom Okafor:"))
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        view = app.query_one(TranscriptView)
        bold = "".join(s.text for s in view.render_line(0)._segments if s.style and s.style.bold)
        assert "[00:00:04] Tom Okafor:" in bold
    project.close()


async def test_help_lists_the_new_keys(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").render())
        for words in (
            "Selection mode",
            "Select the whole turn",
            "F1 … F9",
            "Code every hit",
            "Start later by character",
        ):
            assert words in text


async def test_counts_typed_fast_after_the_anchor_are_counts(tiny_project: Project) -> None:
    """A terminal delivers v2} in one read: the 2 must be a count, not recent code 2."""
    from textual import events

    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("j", "j", "j")
        for key, char in (("v", "v"), ("2", "2"), ("right_curly_bracket", "}"), ("2", "2"), ("w", "w")):
            app.post_message(events.Key(key, char))  # all queued before any is handled
        await pilot.pause()
        await pilot.pause()
        assert selected(app) == "adapted the scheme"


def test_one_undo_takes_back_every_hit_coded_at_once(tiny_project: Project) -> None:
    path = tiny_project.path
    args = ["search", "went OR copied OR learn", "--apply-code", "Adoption", "--coder", "alice", "--yes"]
    assert cli(path, *args).exit_code == 0 and len(codings(tiny_project)) == 3
    r = cli(path, "coding", "undo", "--coder", "alice")
    assert r.exit_code == 0 and "applying a code to 3 passages" in r.output
    assert codings(tiny_project) == []
    r = cli(path, "coding", "redo", "--coder", "alice")
    assert r.exit_code == 0 and len(codings(tiny_project)) == 3


# -- keys typed in a burst -------------------------------------------------------------------------------


def burst(app: WorkbenchApp, *keys: str) -> None:
    """Queue keys as a terminal hands over keys typed at once: all before the first is handled."""
    from textual import events

    names = {"}": "right_curly_bracket", "+": "plus", " ": "space"}
    for key in keys:
        app.post_message(events.Key(names.get(key, key), key if len(key) == 1 else None))


async def settle(pilot, done=lambda: False) -> None:
    """Let the queued keys be handled: a few pauses, more (up to a bound) until ``done()`` on a busy machine."""
    for i in range(200):
        await pilot.pause()
        if i >= 3 and done():
            break


async def test_keys_typed_in_a_burst_after_c_go_to_the_picker(tmp_path: Path) -> None:
    """j c e x p Enter typed at once on the demo: e, x (remove) and p (previous coding) belong to the picker."""
    from beacon_qual.cli.demo import build_demo

    build_demo(tmp_path / "demo.db")
    project = Project.open(tmp_path / "demo.db")
    app = WorkbenchApp(project, coder="alice", document=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        second = app.doc.sentences[1]
        burst(app, "j", "c", "e", "x", "p", "enter")
        await settle(pilot, lambda: project.scalar("SELECT count(*) FROM codings") > 0)
        got = project.execute("SELECT c.start, c.end, k.name FROM codings c JOIN codes k ON k.id = c.code_id")
        assert [tuple(r) for r in got] == [(*second, "Explicit knowledge")]
        assert not isinstance(app.screen, PickerScreen)
    project.close()


async def test_a_burst_through_two_codings_codes_both(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_doc(pilot)
        # the picker applies Adaptation at "ada"; the rest of its name and Enter are dropped, then j moves
        burst(app, "j", "c", *"adaptation", "enter", "j", "c", *"ado", "enter")
        await settle(pilot, lambda: len(codings(tiny_project)) >= 2)
        assert codings(tiny_project) == [(SENT2, "Adaptation", "alice"), (SENT3, "Adoption", "alice")]
        assert not isinstance(app.screen, PickerScreen)


async def test_a_burst_in_the_selection_mode_then_enter_codes_the_phrase(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(160, 30)) as pilot:
        await open_doc(pilot)
        burst(app, "j", "j", "j", "v", "2", "}", "2", "w", "enter", "a", "d", "a")
        await settle(pilot, lambda: bool(codings(tiny_project)))
        assert codings(tiny_project) == [("adapted the scheme", "Adaptation", "alice")]


async def test_the_picker_applies_a_code_once_only_its_name_begins_so(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(160, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("j", "c")
        await pilot.pause()
        await pilot.press("a", "d")  # Adoption and Adaptation both begin "ad": nothing yet
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen) and codings(tiny_project) == []
        await pilot.press("a")  # only Adaptation begins "ada"
        await pilot.pause()
        assert not isinstance(app.screen, PickerScreen)
        assert codings(tiny_project) == [(SENT2, "Adaptation", "alice")]
        await pilot.press(*"ptation", "enter")  # typing the whole name on does nothing more
        await pilot.pause()
        assert not isinstance(app.screen, PickerScreen)
        assert codings(tiny_project) == [(SENT2, "Adaptation", "alice")]
        assert selected(app) == SENT2
        assert not app.query_one("#documents").has_class("hidden")
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("plus", *"adapt")  # a leading + names a new code: nothing is applied
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen) and len(codings(tiny_project)) == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#prompt-input").value == "adapt"  # the new code's name, to edit


async def test_keys_typed_after_enter_in_a_prompt_go_back_to_the_transcript(tiny_project: Project) -> None:
    app = WorkbenchApp(tiny_project, coder="alice")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_doc(pilot)
        await pilot.press("slash")
        await pilot.pause()
        burst(app, *"rur", "enter", "v", "w", "c", *"ada")  # find, then whole words, then code
        await settle(pilot, lambda: bool(codings(tiny_project)))
        assert app.last_search == "rur"
        assert codings(tiny_project) == [("rural districts.", "Adaptation", "alice")]
