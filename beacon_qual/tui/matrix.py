"""Councils x themes: coded documents or passages per council and code, beside the survey measures of a wave.

The figures come from :func:`beacon_qual.analysis.council_matrix.council_matrix`, which is
``export frequencies --by council --rollup`` for the same filters.
"""

from __future__ import annotations

from dataclasses import replace

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from beacon_qual.analysis.council_matrix import CouncilMatrix, council_matrix, matrix_report, survey_waves
from beacon_qual.analysis.selection import Filters
from beacon_qual.codebook.tree import load_code_tree
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.tui.grid import Cell, GridColumn, MatrixGrid
from beacon_qual.tui.screens import PromptScreen
from beacon_qual.tui.segments import SegmentsPane
from beacon_qual.tui.viewkit import (
    FILTER_HELP,
    KeyLine,
    export_report,
    filter_text,
    parse_filters,
    shaded_cell,
)

CODE_WIDTH = (
    10  # a code column's width: counts are short, names are cut (the full path is in the header line)
)


class MatrixScreen(Screen[None]):
    """Rows: councils with a document in the selection; columns: codes of a level of the tree (expandable),
    then the survey measures of one wave."""

    ANALYSIS_VIEW = True  # the workbench's coding keys are off here (see WorkbenchApp.check_action)

    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("enter", "drill", "Passages"),
        Binding("s", "sort", "Sort by column"),
        Binding("f", "filter", "Filter"),
        Binding("u", "toggle_unit", "Docs/passages"),
        Binding("w", "next_wave", "Earlier wave"),
        Binding("plus,equals_sign", "expand", "Expand code"),
        Binding("minus", "collapse", "Collapse", show=False),
        Binding("g", "chart", "Chart"),
        Binding("e", "export", "Export CSV"),
    ]
    _OWN_ACTIONS = {b.action for b in BINDINGS if isinstance(b, Binding)}

    DEFAULT_CSS = """
    MatrixScreen ContentSwitcher, MatrixScreen #matrix-main { height: 1fr; }
    MatrixScreen #matrix-head { height: auto; max-height: 3; padding: 0 1; background: $panel; }
    MatrixScreen #matrix-table { height: 1fr; }
    MatrixScreen #matrix-cell { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, project: Project, filters: Filters | None = None, *, unit: str = "documents") -> None:
        super().__init__()
        self.project = project
        self.filters = filters or Filters()
        self.unit = unit
        waves = survey_waves(project)
        self.waves: list[int | None] = [*reversed(waves), None]  # w steps back a wave, then to none
        self.wave: int | None = self.waves[0]  # the latest wave
        self.matrix: CouncilMatrix | None = None
        self.columns: list[int] = []  # code ids shown
        self.sort_by: str | None = None  # a column key ("c:ID" or "m:ID"), None: by council
        self.descending = True
        self.rows: list[int] = []  # case ids in display order

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="matrix-main"):
            with Vertical(id="matrix-main"):
                yield Static(id="matrix-head")
                yield MatrixGrid(id="matrix-table", fixed_columns=1)
                yield Static(id="matrix-cell")
            # a cell's passages are listed here, in place of the matrix (kept mounted: a drill only fills it)
            yield SegmentsPane(self.project, "", rollup=True, id="matrix-drill")
        yield KeyLine(self.BINDINGS)

    def on_mount(self) -> None:
        self.load()
        grid = self.query_one("#matrix-table", MatrixGrid)
        if self.rows and self.columns:  # start on the first code, whose full name the line below shows
            grid.cursor_coordinate = Coordinate(0, 1)
        grid.focus()

    # -- data --------------------------------------------------------------------------------------------
    def load(self) -> None:
        """Read the counts for the filters (the one slow step) and show them: the coded documents of the
        codes shown (at first the top level of the tree), those of other codes when they are shown."""
        tree = load_code_tree(self.project)
        shown = self.columns or [c for c in tree.order if tree.parent.get(c) is None]
        self.matrix = council_matrix(
            self.project, self.filters, wave=self.wave, passages=self.unit == "passages", code_ids=shown
        )
        known = {c.id for c in self.matrix.codes}
        kept = [c for c in self.columns if c in known]
        self.columns = kept or [c.id for c in self.matrix.children(None)]
        self.show()

    def _value(self, key: str, case_id: int) -> float | str | None:
        assert self.matrix is not None
        kind, ident = key.split(":")
        if kind == "c":
            return self.matrix.cell(int(ident), case_id, self.unit)
        return self.matrix.values.get(int(ident), {}).get(case_id)

    def _order(self) -> list[int]:
        assert self.matrix is not None
        rows = list(self.matrix.case_ids)  # by council code
        if self.sort_by is not None:
            values = {c: self._value(self.sort_by, c) for c in rows}
            present = [c for c in rows if values[c] is not None]
            missing = [c for c in rows if values[c] is None]  # a measure without a value goes last
            present.sort(key=lambda c: _sortable(values[c]), reverse=self.descending)
            rows = present + missing
        return rows

    def show(self) -> None:
        """Fill the table from the counts in hand (sorting, the unit and columns change without a query)."""
        assert self.matrix is not None
        matrix = self.matrix
        matrix.count_documents(self.project, self.columns)
        grid = self.query_one("#matrix-table", MatrixGrid)
        columns = [GridColumn("council", Text("Council"), 10)]
        for code_id in self.columns:
            key = f"c:{code_id}"
            columns.append(
                GridColumn(key, _head(self._column_name(key), key, self.sort_by, self.descending), CODE_WIDTH)
            )
        for variable in matrix.measures:
            key = f"m:{variable.id}"
            columns.append(
                GridColumn(key, _head(variable.name, key, self.sort_by, self.descending), CODE_WIDTH + 1)
            )
        counts = matrix.counts(self.unit)  # (code id, case id): count; a missing key is a zero
        # per column, its counts by council and the largest (the shading's top)
        by_column = [[counts.get((c, k), 0) for k in matrix.case_ids] for c in self.columns]
        tops = [max(values, default=0) for values in by_column]
        shades = [[shaded_cell(n, top) for n in values] for values, top in zip(by_column, tops)]
        measures = [
            [_measure_cell(matrix.values[v.id].get(k)) for k in matrix.case_ids] for v in matrix.measures
        ]
        position = {k: i for i, k in enumerate(matrix.case_ids)}
        self.rows = self._order()
        rows: list[tuple[str, list[Text | str | Cell]]] = []
        for case_id in self.rows:
            i = position[case_id]
            cells: list[Text | str | Cell] = [matrix.labels[case_id][0]]
            cells += [column[i] for column in shades]
            cells += [column[i] for column in measures]
            rows.append((str(case_id), cells))
        grid.set_columns(columns)
        grid.set_rows(rows)
        self._describe()

    def _column_name(self, key: str) -> str:
        assert self.matrix is not None
        kind, ident = key.split(":")
        if kind == "c":
            return ("+" if self.matrix.children(int(ident)) else "") + self.matrix.code(int(ident)).name
        return next(v.name for v in self.matrix.measures if v.id == int(ident))

    def _describe(self) -> None:
        assert self.matrix is not None
        m = self.matrix
        cells = "coded documents" if self.unit == "documents" else "coded passages"
        wave = f"survey wave {m.wave}" if m.wave is not None else "no survey measures"
        filters = filter_text(self.filters) or "none"
        head = Text.assemble(
            ("Councils x themes", "bold"),
            f" · cells: {cells} · {wave} · filters: {filters}\n",
            (f"Base: {m.base.text()}", "dim"),
        )
        self.query_one("#matrix-head", Static).update(head)
        self._cell_line()

    def _cursor_key(self) -> tuple[int | None, str | None]:
        """(case id, column key) under the cursor."""
        grid = self.query_one("#matrix-table", MatrixGrid)
        if not self.rows:
            return None, None
        row, column = grid.cursor_coordinate
        keys = ["council", *(f"c:{c}" for c in self.columns), *(f"m:{v.id}" for v in self.matrix.measures)]  # type: ignore[union-attr]
        return self.rows[min(row, len(self.rows) - 1)], keys[min(column, len(keys) - 1)]

    @on(MatrixGrid.CellHighlighted, "#matrix-table")
    def _cell_line(self) -> None:
        """The full name of what is under the cursor, so cut names can still be read."""
        if self.matrix is None:
            return
        case_id, key = self._cursor_key()
        line = Text()
        if case_id is not None and key is not None:
            label, name = self.matrix.labels[case_id]
            line.append(f"{label} {name}", style="bold")
            if key.startswith("c:"):
                code = self.matrix.code(int(key[2:]))
                n = self.matrix.cell(code.id, case_id, self.unit)
                line.append(f" · {code.path}: {n} {'documents' if self.unit == 'documents' else 'passages'}")
                line.append("  (Enter: the passages)", style="dim")
            elif key.startswith("m:"):
                variable = next(v for v in self.matrix.measures if v.id == int(key[2:]))
                line.append(
                    f" · {variable.name} (wave {self.matrix.wave}): {_measure_cell(self._value(key, case_id))[0]}"
                )
        self.query_one("#matrix-cell", Static).update(line)

    # -- actions -----------------------------------------------------------------------------------------
    def action_close(self) -> None:
        self.dismiss(None)

    def action_sort(self) -> None:
        _case, key = self._cursor_key()
        if key is None:
            return
        if key == "council":
            self.sort_by, self.descending = None, False
        elif key == self.sort_by:
            self.descending = not self.descending
        else:
            self.sort_by, self.descending = key, True
        self._resort()

    def _resort(self) -> None:
        """Reorder the rows in place (no cell is built again) and mark the sorted column."""
        assert self.matrix is not None
        grid = self.query_one("#matrix-table", MatrixGrid)
        self.rows = self._order()
        grid.order_rows([str(case_id) for case_id in self.rows])
        grid.set_columns(
            [
                GridColumn(
                    c.key, _head(self._column_name(c.key), c.key, self.sort_by, self.descending), c.width
                )
                if c.key != "council"
                else c
                for c in grid.columns
            ]
        )
        self._cell_line()

    def action_toggle_unit(self) -> None:
        self.unit = "passages" if self.unit == "documents" else "documents"
        if self.unit == "passages" and self.matrix is not None:
            self.matrix.count_passages(self.project)
        self.show()

    def action_next_wave(self) -> None:
        i = self.waves.index(self.wave) if self.wave in self.waves else -1
        self.wave = self.waves[(i + 1) % len(self.waves)]
        if self.sort_by and self.sort_by.startswith("m:"):
            self.sort_by = None
        self.load()

    def action_expand(self) -> None:
        _case, key = self._cursor_key()
        if self.matrix is None or key is None or not key.startswith("c:"):
            return
        code_id = int(key[2:])
        children = [c.id for c in self.matrix.children(code_id)]
        if not children:
            self.notify(f"{self.matrix.code(code_id).path} has no codes below it.")
            return
        i = self.columns.index(code_id)
        self.columns[i : i + 1] = children
        self.show()

    def action_collapse(self) -> None:
        _case, key = self._cursor_key()
        if self.matrix is None or key is None or not key.startswith("c:"):
            return
        parent = self.matrix.code(int(key[2:])).parent_id
        if parent is None:
            return
        below = set(_descendants(self.matrix, parent))
        first = next(i for i, c in enumerate(self.columns) if c in below)
        self.columns = [c for c in self.columns if c not in below]
        self.columns.insert(first, parent)
        self.show()

    def action_filter(self) -> None:
        def given(text: str | None) -> None:
            if text is None:
                return
            try:
                filters = parse_filters(text, self.filters)
                previous, self.filters = self.filters, filters
                try:
                    self.load()
                except BeaconError:
                    self.filters = previous
                    raise
            except BeaconError as exc:
                self.notify(str(exc), severity="error")

        self.app.push_screen(PromptScreen(f"Filter: {FILTER_HELP}", filter_text(self.filters)), given)

    @on(MatrixGrid.CellSelected, "#matrix-table")
    def _cell_selected(self) -> None:
        self.action_drill()

    def action_drill(self) -> None:
        case_id, key = self._cursor_key()
        if self.matrix is None or case_id is None or key is None or not key.startswith("c:"):
            self.notify("Move to a code's cell and press Enter to list that council's passages of it.")
            return
        code = self.matrix.code(int(key[2:]))
        label, name = self.matrix.labels[case_id]
        pane = self.query_one(SegmentsPane)
        pane.show_code(
            code.path, replace(self.filters, councils=(label,)), title=f"{code.path} in {label} {name}"
        )
        self.query_one(ContentSwitcher).current = "matrix-drill"
        self.query_one(KeyLine).show_keys(SegmentsPane.BINDINGS)
        pane.query_one(MatrixGrid).focus()

    @property
    def drilled(self) -> bool:
        """Whether a cell's passages are shown (in place of the matrix); False before the screen is composed,
        when Textual may already ask which of its keys are active."""
        switcher = self.query(ContentSwitcher)
        return bool(switcher) and switcher.first().current == "matrix-drill"

    @on(SegmentsPane.Closed)
    def _drill_closed(self) -> None:
        """Back from a cell's passages to the matrix (read again if a coding was changed from the list)."""
        self.query_one(ContentSwitcher).current = "matrix-main"
        self.query_one(KeyLine).show_keys(self.BINDINGS)
        self.query_one("#matrix-table", MatrixGrid).focus()
        if self.query_one(SegmentsPane).changed:
            self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # the matrix's keys rest while a cell's passages are shown (the list's own keys act then)
        return not self.drilled or action not in self._OWN_ACTIONS

    def action_chart(self) -> None:
        """The code under the cursor by a measure (the one under the cursor, else the first) and by phase."""
        _case_id, key = self._cursor_key()
        if self.matrix is None or key is None or key == "council":
            return
        from beacon_qual.tui.measure import MeasureScreen

        variable = None
        if key.startswith("m:"):
            variable = self._column_name(key)
            code_id = self.columns[0] if self.columns else None
        else:
            code_id = int(key[2:])
        if code_id is None:
            return
        code = self.matrix.code(code_id).path
        self.app.push_screen(MeasureScreen(self.project, code, self.filters, variable=variable))

    def action_export(self) -> None:
        if self.matrix is None:
            return
        report = matrix_report(
            self.project,
            self.matrix,
            code_ids=self.columns,
            case_ids=self.rows,
            unit=self.unit,
            sort=self._sort_text(),
        )
        export_report(self, report, "councils-by-theme.csv")

    def _sort_text(self) -> str | None:
        if self.sort_by is None or self.matrix is None:
            return None
        kind, ident = self.sort_by.split(":")
        name = (
            self.matrix.code(int(ident)).path
            if kind == "c"
            else next(v.name for v in self.matrix.measures if v.id == int(ident))
        )
        return f"{name} {'descending' if self.descending else 'ascending'}"


def _descendants(matrix: CouncilMatrix, code_id: int) -> list[int]:
    found = []
    for child in matrix.children(code_id):
        found.append(child.id)
        found.extend(_descendants(matrix, child.id))
    return found


def _head(name: str, key: str, sort_by: str | None, descending: bool) -> Text:
    arrow = ("▼" if descending else "▲") if key == sort_by else ""
    return Text(arrow + name, style="bold" if arrow else "")


def _sortable(value: float | str | None) -> tuple[int, float | str]:
    if isinstance(value, (int, float)):
        return (1, float(value))
    return (0, str(value))


_PLAIN = Style()
_MISSING = ("-", Style(dim=True), "right")


def _measure_cell(value: float | str | None) -> Cell:
    if value is None:
        return _MISSING
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else f"{value:.4g}"), _PLAIN, "right"
    return str(value), _PLAIN, "right"
