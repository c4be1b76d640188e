"""Theme by measure: a code against a survey measure, and the code's trend over the study phases.

The figures are those of ``beacon-qual crosstab CODE --variable NAME --wave N --rollup`` and
``beacon-qual trends CODE --rollup`` for the same filters: the screen calls
:func:`beacon_qual.analysis.crosstab.crosstab` and :func:`beacon_qual.analysis.trends.trends` and
exports their reports. Charts are drawn with plotext (``textual-plotext``).
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from beacon_qual.analysis.council_matrix import with_and_without
from beacon_qual.analysis.crosstab import Crosstab, crosstab, crosstab_report
from beacon_qual.analysis.measures import Variable, all_variables, numeric_values, waves_of
from beacon_qual.analysis.selection import Filters
from beacon_qual.analysis.trends import Trends, trends, trends_report
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.tui.screens import ChoiceScreen, PromptScreen
from beacon_qual.tui.viewkit import FILTER_HELP, KeyLine, export_report, filter_text, parse_filters


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def crosstab_lines(result: Crosstab) -> Text:
    """The tests of the (one) row as ``crosstab`` reports them, BH-adjusted p included."""
    out = Text()
    row = result.rows[0] if result.rows else None
    if row is None:
        return Text("No council of the selection has a value of this measure.", style="dim")
    if row.chi is not None:
        out.append("Chi-square ", style="bold")
        out.append(
            f"{row.chi.chi2:.2f}, df {row.chi.dof}, p {_p(row.chi.p)}, p (BH) {_p(row.chi_p_adj)}, "
            f"Cramér's V {row.chi.cramers_v:.2f}"
        )
        if row.fisher is not None:
            out.append(f"; Fisher p {_p(row.fisher.p)}, p (BH) {_p(row.fisher_p_adj)}")
        if row.chi.warning:
            out.append(f"\n{row.chi.warning}", style="yellow")
        out.append("\n")
    elif result.categories:
        out.append(
            "Not tested: a test needs councils with and without the code in two categories.\n", style="dim"
        )
    if row.ranks is not None:
        mw, rho = row.ranks.mann_whitney, row.ranks.spearman
        if mw is not None:
            out.append("Mann-Whitney ", style="bold")
            out.append(
                f"U {mw.u:.1f} (with {mw.n1}, without {mw.n2}), p {_p(mw.p)}, p (BH) {_p(row.ranks.mw_p_adj)}, "
                f"rank-biserial r {mw.rank_biserial:.2f}\n"
            )
        if rho is not None:
            out.append("Spearman ", style="bold")
            out.append(
                f"rho {rho.rho:.2f} (n {rho.n}), p {_p(rho.p)}, p (BH) {_p(row.ranks.spearman_p_adj)}\n"
            )
    return out


class MeasureScreen(Screen[None]):
    """A code by a survey measure (chart, table, tests), or by study phase (t)."""

    ANALYSIS_VIEW = True  # the workbench's coding keys are off here (see WorkbenchApp.check_action)

    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("t", "toggle_trend", "Measure/phases"),
        Binding("v", "variable", "Measure"),
        Binding("w", "next_wave", "Wave"),
        Binding("k", "code", "Code"),
        Binding("f", "filter", "Filter"),
        Binding("e", "export", "Export CSV"),
    ]

    DEFAULT_CSS = """
    MeasureScreen #measure-head { height: auto; max-height: 3; padding: 0 1; background: $panel; }
    MeasureScreen #measure-chart { height: 1fr; min-height: 8; }
    MeasureScreen #measure-table { height: auto; max-height: 7; }
    MeasureScreen #measure-stats { height: auto; max-height: 4; padding: 0 1; }
    """

    def __init__(
        self, project: Project, code: str, filters: Filters | None = None, *, variable: str | None = None
    ) -> None:
        super().__init__()
        self.project = project
        self.code = code
        self.filters = filters or Filters()
        self.variables: list[Variable] = [v for v in all_variables(project) if v.type != "text"]
        wanted = next((v for v in self.variables if v.name == variable), None)
        self.variable: Variable | None = wanted or (self.variables[0] if self.variables else None)
        self.wave: int | None = self._latest_wave()
        self.trend_mode = self.variable is None
        self.result: Crosstab | None = None
        self.trend: Trends | None = None
        self.groups: tuple[list[float], list[float]] | None = None

    def _latest_wave(self) -> int | None:
        if self.variable is None:
            return None
        waves = waves_of(self.project, self.variable)
        return waves[-1] if waves else None

    def compose(self) -> ComposeResult:
        yield Static(id="measure-head")
        yield PlotextPlot(id="measure-chart")
        yield DataTable(id="measure-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="measure-stats")
        yield KeyLine(self.BINDINGS)

    def on_mount(self) -> None:
        self.load()
        self.query_one(DataTable).focus()

    # -- data --------------------------------------------------------------------------------------------
    def load(self) -> None:
        """Run the analysis the screen shows and draw it; a message instead when it cannot run."""
        filters = replace(self.filters, codes=(self.code,))
        self.result, self.trend, self.groups = None, None, None
        try:
            if self.trend_mode:
                self.trend = trends(self.project, filters, rollup=True)
            elif self.variable is not None:
                self.result = crosstab(
                    self.project, self.variable.name, filters, unit="council", wave=self.wave, rollup=True
                )
                if not self.result.categories:
                    values = numeric_values(self.project, self.variable, self.result.wave)
                    self.groups = with_and_without(
                        self.project, self.result.selection, self.result.rows[0].code_id, values
                    )
        except BeaconError as exc:
            self._show_error(str(exc))
            return
        self.draw()

    def _show_error(self, message: str) -> None:
        self.query_one("#measure-head", Static).update(
            Text.assemble(("Theme by measure", "bold"), f" · {self.code}")
        )
        self.query_one(PlotextPlot).plt.clear_figure()
        self.query_one(DataTable).clear(columns=True)
        self.query_one("#measure-stats", Static).update(Text(message, style="yellow"))

    def draw(self) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        table = self.query_one(DataTable)
        table.clear(columns=True)
        head = Text()
        head.append("Theme by measure", style="bold")
        if self.trend is not None:
            self._draw_trend(plt, table, head)
        elif self.result is not None:
            self._draw_crosstab(plt, table, head)
        head.append(f" · filters: {filter_text(self.filters) or 'none'}")
        self.query_one("#measure-head", Static).update(head)
        plot.refresh()

    def _draw_crosstab(self, plt, table: DataTable, head: Text) -> None:
        result = self.result
        assert result is not None
        row = result.rows[0]
        head.append(f" · {row.code} by {result.variable.name} (wave {result.wave}), unit: councils\n")
        if result.base is not None:
            head.append(f"Base: {result.base.text()}", style="dim")
        if result.categories:
            labels = [f"{label} (n={n})" for label, n in zip(result.categories, result.category_totals)]
            shares = [c or 0.0 for c in row.col_pct]
            plt.bar(labels, shares)
            plt.ylim(0, 100)
            plt.title(f"% of councils coded {row.code.rsplit('/', 1)[-1]}")
            table.add_columns("Category", "Councils with code", "Councils", "% of category", "% of coded")
            for i, label in enumerate(result.categories):
                table.add_row(
                    label,
                    str(row.counts[i]),
                    str(result.category_totals[i]),
                    _num(row.col_pct[i], 1),
                    _num(row.row_pct[i], 1),
                )
        elif self.groups is not None:
            with_code, without = self.groups
            plt.box(["with code", "without"], [with_code or [0.0], without or [0.0]])
            plt.title(f"{result.variable.name}: councils with and without {row.code.rsplit('/', 1)[-1]}")
            table.add_columns("Group", "Councils", "Median", "Lowest", "Highest")
            for name, values in (("with code", with_code), ("without", without)):
                median = sorted(values)[len(values) // 2] if values else None
                if values and len(values) % 2 == 0:
                    median = (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
                table.add_row(
                    name,
                    str(len(values)),
                    _num(median),
                    _num(min(values) if values else None),
                    _num(max(values) if values else None),
                )
        self.query_one("#measure-stats", Static).update(crosstab_lines(result))

    def _draw_trend(self, plt, table: DataTable, head: Text) -> None:
        trend = self.trend
        assert trend is not None
        row = trend.rows[0]
        head.append(f" · {row.code} by study phase\n")
        if trend.base is not None:
            head.append(f"Base: {trend.base.text()}", style="dim")
        phases = [f"phase {p}" for p in trend.phases]
        doc_share = [100 * k / n if n else 0.0 for k, n in zip(row.documents, trend.document_totals)]
        council_share = [100 * k / n if n else 0.0 for k, n in zip(row.councils, trend.council_totals)]
        plt.multiple_bar(phases, [doc_share, council_share], labels=["% of documents", "% of councils"])
        plt.ylim(0, 100)
        plt.title(f"{row.code.rsplit('/', 1)[-1]} by phase")
        table.add_columns("Phase", "Documents with code", "Documents", "Councils with code", "Councils")
        for i, phase in enumerate(trend.phases):
            table.add_row(
                str(phase),
                str(row.documents[i]),
                str(trend.document_totals[i]),
                str(row.councils[i]),
                str(trend.council_totals[i]),
            )
        stats = Text()
        for name, result, adjusted in (
            ("documents", row.document_trend, row.document_p_adj),
            ("councils", row.council_trend, row.council_p_adj),
        ):
            stats.append(f"Cochran-Armitage ({name}) ", style="bold")
            if result is None:
                stats.append("no test: the code is in all or none of them\n", style="dim")
            else:
                stats.append(
                    f"z {result.z:.2f}, chi2 {result.chi2:.2f}, p {_p(result.p)}, p (BH) {_p(adjusted)}\n"
                )
        stats.append("Councils recur across phases: read their test as descriptive.", style="dim")
        self.query_one("#measure-stats", Static).update(stats)

    # -- actions -----------------------------------------------------------------------------------------
    def action_close(self) -> None:
        self.dismiss(None)

    def action_toggle_trend(self) -> None:
        if self.variable is None and self.trend_mode:
            self.notify("No survey measure in this project: import one with 'beacon-qual survey import'.")
            return
        self.trend_mode = not self.trend_mode
        self.load()

    def action_variable(self) -> None:
        if not self.variables:
            self.notify("No survey measure in this project.", severity="warning")
            return

        def chosen(variable: object) -> None:
            if isinstance(variable, Variable):
                self.variable, self.trend_mode = variable, False
                self.wave = self._latest_wave()
                self.load()

        self.app.push_screen(
            ChoiceScreen(
                "Cross the code with which survey measure?",
                [(v, f"{v.name} ({v.type})") for v in self.variables],
            ),
            chosen,
        )

    def action_next_wave(self) -> None:
        if self.variable is None:
            return
        waves = waves_of(self.project, self.variable)
        if waves:
            i = waves.index(self.wave) if self.wave in waves else 0
            self.wave = waves[(i - 1) % len(waves)]  # a step back, round to the latest
            self.load()

    def action_code(self) -> None:
        picker = getattr(self.app, "picker", None)
        by_id = getattr(self.app, "code_by_id", {})
        if picker is None:
            return
        from beacon_qual.tui.screens import PickerScreen

        def picked(code_id: object) -> None:
            if isinstance(code_id, int) and code_id in by_id:
                self.code = by_id[code_id].path
                self.load()

        self.app.push_screen(PickerScreen(picker, title="Which code?", allow_new=False), picked)

    def action_filter(self) -> None:
        def given(text: str | None) -> None:
            if text is None:
                return
            try:
                self.filters = parse_filters(text, self.filters)
            except BeaconError as exc:
                self.notify(str(exc), severity="error")
                return
            self.load()

        self.app.push_screen(PromptScreen(f"Filter: {FILTER_HELP}", filter_text(self.filters)), given)

    def action_export(self) -> None:
        if self.trend is not None:
            export_report(self, trends_report(self.project, self.trend), "theme-by-phase.csv")
        elif self.result is not None:
            export_report(self, crosstab_report(self.project, self.result), "theme-by-measure.csv")
        else:
            self.notify("Nothing to export: the analysis did not run.", severity="warning")
