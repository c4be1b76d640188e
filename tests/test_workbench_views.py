"""The workbench's analysis views, driven with Textual's pilot: councils x themes and coded segments.

Each view's figures are compared with the CLI's output for the same filters (one code path), on the
analysis fixture whose numbers are counted by hand in builders.py (ANALYSIS).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from builders import IMITATION, INNOVATION
from click.testing import CliRunner
from textual.widgets import DataTable, Input

from beacon_qual.cli import main
from beacon_qual.tui.app import WorkbenchApp
from beacon_qual.tui.council_panel import CouncilPanel
from beacon_qual.tui.grid import MatrixGrid
from beacon_qual.tui.matrix import MatrixScreen
from beacon_qual.tui.measure import MeasureScreen
from beacon_qual.tui.memos import MemosScreen
from beacon_qual.tui.screens import HelpScreen, PickerScreen, PromptScreen
from beacon_qual.tui.segments import SegmentsPane, SegmentsScreen
from beacon_qual.tui.transcript import TranscriptView
from beacon_qual.tui.viewkit import KeyLine


def cli_csv(project, *args) -> list[dict]:
    result = CliRunner().invoke(main, ["--project", str(project.path), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def cli_frequency(project, code: str, council: str, column: str, *filters: str) -> int:
    rows = cli_csv(
        project, "export", "frequencies", "--by", "council", "--rollup", "--format", "csv", *filters
    )
    found = [r for r in rows if r["code"] == code and r["council"] == council]
    return int(found[0][column]) if found else 0


def shown(table: MatrixGrid, case_id: int, column: str) -> str:
    return (
        table.get_cell(str(case_id), column).plain
        if hasattr(table.get_cell(str(case_id), column), "plain")
        else str(table.get_cell(str(case_id), column))
    )


def councils_shown(table: MatrixGrid) -> list[str]:
    """The council column from top to bottom, as the table shows it."""
    return [table.get_cell(key, "council") for key in table.row_keys]


def code_id(project, path: str) -> int:
    name = path.rsplit("/", 1)[-1]
    return project.scalar("SELECT id FROM codes WHERE name = ?", (name,))


def case_id(project, code: str) -> int:
    return project.scalar("SELECT id FROM cases WHERE code = ?", (code,))


async def open_matrix(pilot) -> MatrixScreen:
    await pilot.pause()
    await pilot.press("X")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, MatrixScreen)
    return screen


async def answer(pilot, text: str) -> None:
    """Type into the prompt the view opened and press Enter."""
    await pilot.pause()
    assert isinstance(pilot.app.screen, PromptScreen)
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


def drilled(app) -> SegmentsPane:
    """The passages of the cell drilled into: shown in the matrix's place, on the same screen."""
    screen = app.screen
    assert isinstance(screen, MatrixScreen) and screen.drilled
    pane = screen.query_one(SegmentsPane)
    assert pane.display and not screen.query_one("#matrix-main").display
    return pane


def move_to(screen: MatrixScreen, case: int, column: str) -> None:
    table = screen.query_one(MatrixGrid)
    table.cursor_coordinate = (table.get_row_index(str(case)), table.get_column_index(column))


async def test_matrix_cells_equal_the_cli_frequencies_for_the_same_filters(analysis_project):
    project = analysis_project
    app = WorkbenchApp(project, coder="alice")
    innovation, aaa, ddd = code_id(project, INNOVATION), case_id(project, "AAA"), case_id(project, "DDD")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        table = screen.query_one(MatrixGrid)
        # rows: the councils with documents (EEE has none), by code
        assert councils_shown(table) == ["AAA", "BBB", "CCC", "DDD"]
        assert shown(table, aaa, f"c:{innovation}") == str(
            cli_frequency(project, INNOVATION, "AAA", "documents")
        )
        await pilot.press("u")  # coded passages instead of documents
        await pilot.pause()
        assert shown(table, aaa, f"c:{innovation}") == str(
            cli_frequency(project, INNOVATION, "AAA", "codings")
        )
        await pilot.press("f")
        await answer(pilot, "phase:1 coder:bob")
        cli = cli_frequency(project, INNOVATION, "AAA", "codings", "--phase", "1", "--coder", "bob")
        assert shown(table, aaa, f"c:{innovation}") == str(cli) == "1"
        # DDD was interviewed in phase 1 and never coded: its cells read 0, not blank
        assert shown(table, ddd, f"c:{innovation}") == "0"
        assert "Base: 3 councils interviewed" in str(screen.query_one("#matrix-head").render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MatrixScreen)


async def test_matrix_sorts_by_a_measure_and_expands_a_code(analysis_project):
    project = analysis_project
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        table = screen.query_one(MatrixGrid)
        score = project.scalar("SELECT id FROM variables WHERE name = 'innovation_score'")
        assert screen.matrix.wave == 2  # the latest wave: AAA -5, BBB 15, CCC 25, DDD 35
        move_to(screen, case_id(project, "AAA"), f"m:{score}")
        await pilot.press("s")
        await pilot.pause()
        assert councils_shown(table) == ["DDD", "CCC", "BBB", "AAA"]
        await pilot.press("s")  # again: ascending
        await pilot.pause()
        assert councils_shown(table) == ["AAA", "BBB", "CCC", "DDD"]
        await pilot.press("w")  # wave 1's measures
        await pilot.pause()
        assert screen.matrix.values[score][case_id(project, "AAA")] == 10
        innovation = code_id(project, INNOVATION)
        move_to(screen, case_id(project, "AAA"), f"c:{innovation}")
        await pilot.press("plus")
        await pilot.pause()
        names = [screen.matrix.code(c).name for c in screen.columns]
        assert names == ["Learning to innovate", "Imitation", "Barriers"]
        # the codes below are counted when they are shown: the same figures as the CLI's
        bbb, imitation = case_id(project, "BBB"), code_id(project, IMITATION)
        assert shown(table, bbb, f"c:{imitation}") == str(
            cli_frequency(project, IMITATION, "BBB", "documents")
        )
        assert shown(table, bbb, f"c:{imitation}") != "0"
        await pilot.press("minus")
        await pilot.pause()
        assert [screen.matrix.code(c).name for c in screen.columns] == ["Innovation", "Barriers"]


async def test_matrix_with_a_speaker_filter_equals_the_cli_frequencies(analysis_project):
    """A speaker filter keeps the codings in that side's turns: every cell (all codes, every council) equals
    ``export frequencies --by council --rollup --speaker`` for both sides, in documents with turns of both
    sides and in one without turns (the respondent's text)."""
    project = analysis_project
    with project.transaction():
        # b1.txt's first turn and b3.txt's second become the interviewer's (in b3 Bob's Barriers is only in
        # that turn, his Adaptation in both); d3.txt loses its turns
        project.execute("UPDATE units SET speaker = 'I' WHERE document_id = 3 AND kind = 'turn' AND seq = 0")
        project.execute("UPDATE units SET speaker = 'I' WHERE document_id = 4 AND kind = 'turn' AND seq = 1")
        project.execute("DELETE FROM units WHERE document_id = 7 AND kind = 'turn'")
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        table = screen.query_one(MatrixGrid)
        screen.columns = [c.id for c in screen.matrix.codes]  # every code, expanded
        screen.show()
        for side in ("interviewer", "respondent"):
            await pilot.press("f")
            await answer(pilot, f"speaker:{side}")
            assert screen.filters.speaker == side
            cli = cli_csv(
                project, "export", "frequencies", "--by", "council", "--rollup", "--speaker", side,
                "--format", "csv",
            )  # fmt: skip
            expected = {(r["code"], r["council"]): r["documents"] for r in cli}
            for case in screen.rows:
                label = screen.matrix.labels[case][0]
                for code in screen.matrix.codes:
                    assert shown(table, case, f"c:{code.id}") == expected.get((code.path, label), "0"), (
                        side,
                        label,
                        code.path,
                    )
            assert any(v != "0" for v in expected.values())
        assert expected != {}


async def test_a_bad_filter_is_refused_and_the_matrix_is_kept(analysis_project):
    app = WorkbenchApp(analysis_project, coder="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        await pilot.press("f")
        await answer(pilot, "phase:9")
        assert screen.filters.phases == ()
        assert any("no documents in phase 9" in n.message for n in app._notifications)
        await pilot.press("f")
        await answer(pilot, "colour:red")
        assert any("cannot read 'colour:red'" in n.message for n in app._notifications)


async def test_drill_from_a_cell_to_its_passages_and_into_the_transcript(analysis_project):
    project = analysis_project
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        await pilot.press("plus")  # Innovation -> its children, so Imitation has a column
        await pilot.pause()
        move_to(screen, case_id(project, "BBB"), f"c:{code_id(project, IMITATION)}")
        await pilot.press("enter")
        await pilot.pause()
        segments = drilled(app)
        cli = cli_csv(project, "quotes", IMITATION, "--council", "BBB", "--speaker", "any", "--format", "csv")
        assert [(s.quote.document, s.quote.start, s.quote.end) for s in segments.shown] == [
            (r["document"], int(r["start"]), int(r["end"])) for r in cli
        ]
        assert "2 codings in 1 documents" in str(segments.query_one("#seg-head").render())
        await pilot.press("down", "enter")  # the second passage: b1.txt [105, 125)
        await pilot.pause()
        assert not isinstance(app.screen, (SegmentsScreen, MatrixScreen))
        assert app.doc.name == "b1.txt"
        assert app.query_one(TranscriptView).selection == (105, 125)


async def test_a_cell_lists_its_passages_in_place_and_escape_returns_to_the_matrix(analysis_project):
    """The drill shows the cell's passages on the matrix's screen; the matrix's keys rest meanwhile, Escape
    brings the matrix back where it was, counted again when a coding was removed from the list."""
    project = analysis_project
    app = WorkbenchApp(project, coder="alice")
    innovation, aaa = code_id(project, INNOVATION), case_id(project, "AAA")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        table = screen.query_one(MatrixGrid)
        await pilot.press("u")  # coded passages: AAA's Innovation cell counts 4
        await pilot.pause()
        move_to(screen, aaa, f"c:{innovation}")
        before = cli_frequency(project, INNOVATION, "AAA", "codings")
        assert shown(table, aaa, f"c:{innovation}") == str(before) == "4"
        await pilot.press("enter")
        await pilot.pause()
        segments = drilled(app)
        assert len(segments.shown) == 5 and {s.quote.council for s in segments.shown} == {"AAA"}
        assert "Open in transcript" in str(screen.query_one(KeyLine).render())
        await pilot.press("s")  # the matrix's sort key does nothing under the list
        await pilot.pause()
        assert screen.sort_by is None and screen.drilled
        await pilot.press("x")  # remove the first listed coding: alice's Imitation in a1.txt [0, 20)
        await pilot.pause()
        assert len(segments.shown) == 4
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and not screen.drilled
        assert screen.query_one("#matrix-main").display and table.has_focus
        assert table.cursor_coordinate == (
            table.get_row_index(str(aaa)),
            table.get_column_index(f"c:{innovation}"),
        )
        after = cli_frequency(project, INNOVATION, "AAA", "codings")
        assert shown(table, aaa, f"c:{innovation}") == str(after) == "3"
        assert "Sort by column" in str(screen.query_one(KeyLine).render())
        await pilot.press("s")
        await pilot.pause()
        assert screen.sort_by == f"c:{innovation}"


async def test_views_follow_changes_made_by_the_cli_while_they_are_open(analysis_project):
    """The counts kept between filter changes are read again once another process has changed the
    project: a document moved to another phase and council is counted and listed where it now is."""
    project = analysis_project
    app = WorkbenchApp(project, coder="alice")
    innovation, aaa = code_id(project, INNOVATION), case_id(project, "AAA")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        table = screen.query_one(MatrixGrid)
        await pilot.press("f")
        await answer(pilot, "phase:1")
        before = cli_frequency(project, INNOVATION, "AAA", "documents", "--phase", "1")
        assert shown(table, aaa, f"c:{innovation}") == str(before) == "1"
        # a2.txt (AAA, phase 2, coded Adaptation and Learning to innovate) moves to phase 1
        edited = CliRunner().invoke(
            main,
            ["--project", str(project.path), "docs", "edit", "a2.txt", "--phase", "1", "--coder", "alice"],
        )
        assert edited.exit_code == 0, edited.output
        await pilot.press("f")
        await answer(pilot, "phase:1")
        after = cli_frequency(project, INNOVATION, "AAA", "documents", "--phase", "1")
        assert shown(table, aaa, f"c:{innovation}") == str(after) == "2"
        # b1.txt (BBB) moves to CCC: the drill into CCC's Imitation cell lists its passages
        edited = CliRunner().invoke(
            main,
            [
                "--project",
                str(project.path),
                "docs",
                "edit",
                "b1.txt",
                "--council",
                "CCC",
                "--coder",
                "alice",
            ],
        )
        assert edited.exit_code == 0, edited.output
        await pilot.press("f")
        await answer(pilot, "")
        await pilot.press("plus")
        await pilot.pause()
        move_to(screen, case_id(project, "CCC"), f"c:{code_id(project, IMITATION)}")
        await pilot.press("enter")
        await pilot.pause()
        segments = drilled(app)
        assert {s.quote.document for s in segments.shown} == {"b1.txt"}


async def test_segments_recode_remove_and_memo_from_the_list(analysis_project):
    project = analysis_project
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("B")
        await pilot.pause()
        await pilot.press(*"imitation", "enter")
        await pilot.pause()
        segments = app.screen
        assert isinstance(segments, SegmentsScreen)
        assert len(segments.shown) == 5  # c1 c4 c7 c8 c17
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"copied", "ctrl+s")
        await pilot.pause()
        first = segments.shown[0].quote.coding_id
        assert project.scalar("SELECT memo FROM codings WHERE id = ?", (first,)) == "copied"
        assert segments.shown[0].memo == "copied"
        await pilot.press("c")  # the sentences around it
        await pilot.pause()
        assert "Sentence 01 is here." in str(segments.query_one("#seg-text").render())
        await pilot.press("x")
        await pilot.pause()
        assert project.scalar("SELECT count(*) FROM codings WHERE id = ?", (first,)) == 0
        assert len(segments.shown) == 4
        await pilot.press("slash")
        await answer(pilot, "Sentence 05")
        assert [s.quote.start for s in segments.shown] == [105]


async def test_views_export_what_they_show_with_the_export_provenance(analysis_project, tmp_path):
    project = analysis_project
    app = WorkbenchApp(project, coder="alice")
    out = tmp_path / "matrix.csv"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        await pilot.press("f")
        await answer(pilot, "phase:1")
        await pilot.press("e")
        await answer(pilot, str(out))
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert [r["council"] for r in rows] == ["AAA", "BBB", "DDD"]
        assert rows[0][INNOVATION] == str(
            cli_frequency(project, INNOVATION, "AAA", "documents", "--phase", "1")
        )
        assert rows[0]["innovation_score (wave 2)"] == "-5"
        side = json.loads((tmp_path / "matrix.csv.provenance.json").read_text(encoding="utf-8"))
        cli_side = tmp_path / "cli.csv"
        CliRunner().invoke(
            main,
            ["--project", str(project.path), "export", "frequencies", "--phase", "1", "-o", str(cli_side)],
        )
        expected = json.loads((tmp_path / "cli.csv.provenance.json").read_text(encoding="utf-8"))
        assert set(expected) <= set(side)
        assert side["filters"] == {"phases": [1]}
        assert side["base"]["text"] == expected["base"]["text"]
        assert side["project_state"] == expected["project_state"]
        assert screen.rows
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e")
        await answer(pilot, str(tmp_path / "segments.csv"))
        rows = list(csv.DictReader((tmp_path / "segments.csv").open(encoding="utf-8")))
        assert rows and all(r["council"] == "AAA" for r in rows)
        assert (tmp_path / "segments.csv.provenance.json").exists()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_screenshots_of_the_views_show_their_labels(analysis_project, tmp_path, size):
    app = WorkbenchApp(analysis_project, coder="alice")
    async with app.run_test(size=size) as pilot:
        await open_matrix(pilot)
        matrix_svg = app.save_screenshot(f"matrix-{size[0]}x{size[1]}.svg", path=str(tmp_path))
        await pilot.press("enter")
        await pilot.pause()
        segments_svg = app.save_screenshot(f"segments-{size[0]}x{size[1]}.svg", path=str(tmp_path))
        await pilot.press("escape", "escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = str(app.screen.query_one("#help-text").render())
        for view in ("Councils x themes", "Coded segments", "Theme by measure", "Council panel", "Memos"):
            assert view in help_text, view
        await pilot.press("escape", "O")
        await pilot.pause()
        memos_svg = app.save_screenshot(f"memos-{size[0]}x{size[1]}.svg", path=str(tmp_path))
        await pilot.press("escape", "enter")  # open the first document
        await pilot.pause()
        await pilot.press("P")
        await pilot.pause()
        panel_svg = app.save_screenshot(f"panel-{size[0]}x{size[1]}.svg", path=str(tmp_path))
    matrix = Path(matrix_svg).read_text(encoding="utf-8").replace("&#160;", " ")
    for label in ("Councils x themes", "AAA", "DDD", "Innovation", "Base:"):
        assert label in matrix, label
    segments = Path(segments_svg).read_text(encoding="utf-8").replace("&#160;", " ")
    for label in ("Coded segments", "a1.txt", "alice"):
        assert label in segments, label
    memos = Path(memos_svg).read_text(encoding="utf-8").replace("&#160;", " ")
    assert "Memos" in memos and "0 of 0" in memos
    panel = Path(panel_svg).read_text(encoding="utf-8").replace("&#160;", " ")
    for label in ("AAA Aville", "innovation_score", "a2.txt"):
        assert label in panel, label


async def choose_variable(pilot, screen: MeasureScreen, name: str) -> None:
    await pilot.press("v")
    await pilot.pause()
    index = [v.name for v in screen.variables].index(name)
    await pilot.press(*["down"] * index, "enter")
    await pilot.pause()


def table_rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row(row.key)] for row in table.ordered_rows]


async def open_chart(pilot, project) -> MeasureScreen:
    screen = await open_matrix(pilot)
    await pilot.press("plus")  # Innovation -> its children
    await pilot.pause()
    move_to(screen, case_id(project, "AAA"), f"c:{code_id(project, IMITATION)}")
    await pilot.press("g")
    await pilot.pause()
    chart = pilot.app.screen
    assert isinstance(chart, MeasureScreen)
    return chart


async def test_theme_by_measure_shows_the_crosstab_figures_of_the_cli(analysis_project, tmp_path):
    project = analysis_project
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        chart = await open_chart(pilot, project)
        assert chart.code == IMITATION
        await choose_variable(pilot, chart, "region_type")
        cli = cli_csv(
            project, "crosstab", IMITATION, "--variable", "region_type", "--rollup", "--format", "csv"
        )
        table = chart.query_one("#measure-table", DataTable)
        assert [r[:3] for r in table_rows(table)] == [
            [r["category"], r["councils"], r["category_councils"]] for r in cli
        ]
        stats = str(chart.query_one("#measure-stats").render())
        assert f"p (BH) {float(cli[0]['p_adj']):.3f}" in stats
        assert f"Cramér's V {float(cli[0]['cramers_v']):.2f}" in stats
        assert f"Fisher p {float(cli[0]['fisher_p']):.3f}" in stats
        assert "Base: 4 councils interviewed" in str(chart.query_one("#measure-head").render())
        await pilot.press("e")
        await answer(pilot, str(tmp_path / "crosstab.csv"))
        exported = list(csv.DictReader((tmp_path / "crosstab.csv").open(encoding="utf-8")))
        assert [(r["category"], r["councils"], r["p_adj"]) for r in exported] == [
            (r["category"], r["councils"], r["p_adj"]) for r in cli
        ]
        side = json.loads((tmp_path / "crosstab.csv.provenance.json").read_text(encoding="utf-8"))
        assert side["analysis"] == "crosstab" and side["options"]["variable"] == "region_type"


async def test_theme_by_measure_opens_from_the_transcript_with_a_code(analysis_project):
    app = WorkbenchApp(analysis_project, coder="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("G")
        await pilot.pause()
        await pilot.press(*"barriers", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MeasureScreen)
        assert app.screen.code == "Barriers" and app.screen.result is not None
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MeasureScreen)


async def test_theme_by_measure_numeric_groups_and_phase_trend_equal_the_cli(analysis_project):
    project = analysis_project
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        chart = await open_chart(pilot, project)
        await choose_variable(pilot, chart, "innovation_score")
        assert chart.wave == 2  # the latest wave first; w steps back
        await pilot.press("w")
        await pilot.pause()
        cli = cli_csv(
            project,
            "crosstab",
            IMITATION,
            "--variable",
            "innovation_score",
            "--wave",
            "1",
            "--rollup",
            "--format",
            "csv",
        )[0]
        rows = table_rows(chart.query_one("#measure-table", DataTable))
        assert [r[:2] for r in rows] == [["with code", cli["mw_n_with"]], ["without", cli["mw_n_without"]]]
        stats = str(chart.query_one("#measure-stats").render())
        assert f"U {float(cli['mw_u']):.1f}" in stats
        assert f"rho {float(cli['spearman_rho']):.2f}" in stats
        await pilot.press("t")  # by study phase
        await pilot.pause()
        trend = cli_csv(project, "trends", IMITATION, "--rollup", "--format", "csv")
        rows = table_rows(chart.query_one("#measure-table", DataTable))
        assert [r[:3] for r in rows] == [
            [t["phase"], t["documents_with_code"], t["documents"]] for t in trend
        ]
        stats = str(chart.query_one("#measure-stats").render())
        assert f"z {float(trend[0]['document_trend_z']):.2f}" in stats
        assert f"p (BH) {float(trend[0]['document_trend_p_adj']):.3f}" in stats
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_screenshots_of_the_charts_show_their_labels(analysis_project, tmp_path, size):
    app = WorkbenchApp(analysis_project, coder="alice")
    async with app.run_test(size=size) as pilot:
        chart = await open_chart(pilot, analysis_project)
        await choose_variable(pilot, chart, "region_type")
        crosstab_svg = app.save_screenshot(f"crosstab-{size[0]}x{size[1]}.svg", path=str(tmp_path))
        await pilot.press("t")
        await pilot.pause()
        trend_svg = app.save_screenshot(f"trend-{size[0]}x{size[1]}.svg", path=str(tmp_path))
    crosstab = Path(crosstab_svg).read_text(encoding="utf-8").replace("&#160;", " ")
    for label in ("Theme by measure", "% of councils coded Imitation", "urban", "Chi-square"):
        assert label in crosstab, label
    trend = Path(trend_svg).read_text(encoding="utf-8").replace("&#160;", " ")
    for label in ("Imitation by phase", "phase 1", "Cochran-Armitage"):
        assert label in trend, label


async def test_council_panel_follows_the_open_document(analysis_project):
    project = analysis_project
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the first document: a1.txt of AAA
        await pilot.pause()
        await pilot.press("P")
        await pilot.pause()
        panel = app.query_one(CouncilPanel)
        shown = panel_text(panel)
        assert "AAA Aville" in shown
        # the survey values of each wave, as 'export frequencies --format wide' gives them
        wide = cli_csv(
            project, "export", "frequencies", "--format", "wide", "--with-survey", "innovation_score"
        )
        aaa = next(r for r in wide if r["council"] == "AAA")
        assert (
            "innovation_score" in shown
            and aaa["innovation_score_w2"] in shown
            and aaa["innovation_score_w1"] in shown
        )
        assert "a2.txt" in shown and "Low" in shown  # its other document; an ordinal measure by its level
        app.open_document(project.scalar("SELECT id FROM documents WHERE name = 'c2.txt'"))
        await pilot.pause(0.7)
        assert "CCC Cford" in panel_text(panel)
        await pilot.press("P")
        await pilot.pause()
        assert not app.query(CouncilPanel)


def panel_text(panel) -> str:
    from rich.console import Console

    console = Console(width=60, record=True)
    console.print(panel.query_one("#council-panel-text").content)
    return console.export_text()


async def test_memos_browser_lists_searches_and_opens_memos(analysis_project, tmp_path):
    project = analysis_project
    coding = project.scalar("SELECT id FROM codings WHERE document_id = 3 AND start = 105")
    with project.transaction():
        project.execute("UPDATE codings SET memo = 'copied the forms' WHERE id = ?", (coding,))
        project.execute(
            "INSERT INTO memos(uuid, target_type, target_id, coder_id, text, created_at) "
            "VALUES ('m1', 'code', 5, 1, 'barriers are mostly about staff', '2026-01-01')"
        )
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("O")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MemosScreen)
        assert [(m.kind, m.target.split(" ")[0]) for m in screen.shown] == [
            ("coding", IMITATION),
            ("code", "Barriers"),
        ]
        await pilot.press("slash")
        await answer(pilot, "staff")
        assert [m.kind for m in screen.shown] == ["code"]
        await pilot.press("e")
        await answer(pilot, str(tmp_path / "memos.csv"))
        rows = list(csv.DictReader((tmp_path / "memos.csv").open(encoding="utf-8")))
        assert [(r["on"], r["target"], r["memo"]) for r in rows] == [
            ("code", "Barriers", "barriers are mostly about staff")
        ]
        assert (
            json.loads((tmp_path / "memos.csv.provenance.json").read_text())["analysis"] == "workbench memos"
        )
        await pilot.press("slash")
        await answer(pilot, "forms")
        await pilot.press("enter")
        await pilot.pause()
        assert app.doc.name == "b1.txt"
        assert app.query_one(TranscriptView).selection == (105, 125)


async def test_coding_keys_do_nothing_on_a_view(analysis_project):
    project = analysis_project
    before = project.scalar("SELECT count(*) FROM codings")
    app = WorkbenchApp(project, coder="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # a transcript open behind the view, with a sentence selected
        await pilot.pause()
        await open_matrix(pilot)
        await pilot.press("1", "x", "space")  # apply recent code, remove, code: transcript keys
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        assert project.scalar("SELECT count(*) FROM codings") == before
        await pilot.press("question_mark")  # help still opens
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_the_help_names_the_key_that_opens_each_view(analysis_project):
    """Each view's heading in the help says which key opens it; pressing that key opens that view."""
    import re

    app = WorkbenchApp(analysis_project, coder="alice")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = str(app.screen.query_one("#help-text").render())
        for heading, screen in (
            ("Councils x themes", MatrixScreen),
            ("Coded segments", SegmentsScreen),
            ("Theme by measure", MeasureScreen),
            ("Memos", MemosScreen),
        ):
            found = re.search(
                r"(?m)^\s*" + re.escape(heading) + r" \((\w)[,)]", help_text
            )  # the section heading
            assert found, heading
            await pilot.press("escape", found.group(1))
            await pilot.pause()
            for _ in range(3):  # a view that asks first for a code or a measure: the first one offered
                if not isinstance(app.screen, PickerScreen | PromptScreen):
                    break
                await pilot.press("enter")
                await pilot.pause()
            assert isinstance(app.screen, screen), (heading, found.group(1), app.screen)
            await pilot.press("escape", "question_mark")
            await pilot.pause()
