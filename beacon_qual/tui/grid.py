"""A grid of short cells drawn line by line: the councils x themes matrix, and the list of coded segments.

Textual's DataTable renders each visible cell through Rich (padding, cropping, styles), for every screen of the
matrix and again after every sort (figures in benchmarks/README.md). Here each visible line is
built from plain strings and styles in one pass (Textual's line API), so drawing costs no more than the lines
on screen, and sorting only reorders a list. The first columns stay in place while the others scroll sideways.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget


@dataclass(frozen=True)
class GridColumn:
    key: str
    label: Text
    width: int


Cell = tuple[str, Style, str]  # (text, style, justify): what a line is drawn from


def _cell(value: Text | str | Cell) -> Cell:
    """(text, style, justify) of a cell, worked out once when the rows are set."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, Text):
        style = value.style if isinstance(value.style, Style) else Style.parse(value.style or "")
        return value.plain, style, value.justify or "left"
    return str(value), Style(), "left"


class MatrixGrid(Widget, can_focus=True):
    """Rows of cells under a header line; a cell cursor moved by the arrow keys, Enter selects. With
    ``row_cursor`` the whole row under the cursor is marked (a list): left and right scroll the columns."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(-1)", "First row", show=False),
        Binding("end", "edge(1)", "Last row", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    DEFAULT_CSS = """
    MatrixGrid { height: 1fr; }
    MatrixGrid:focus { background-tint: $foreground 3%; }
    """

    class CellHighlighted(Message):
        def __init__(self, grid: MatrixGrid) -> None:
            super().__init__()
            self.grid = grid

        @property
        def control(self) -> MatrixGrid:
            return self.grid

    class CellSelected(Message):
        def __init__(self, grid: MatrixGrid) -> None:
            super().__init__()
            self.grid = grid

        @property
        def control(self) -> MatrixGrid:
            return self.grid

    def __init__(self, *, fixed_columns: int = 1, row_cursor: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.fixed_columns = fixed_columns
        self.row_cursor = row_cursor
        self.columns: list[GridColumn] = []
        self.row_keys: list[str] = []
        self._cells: dict[str, list[Cell]] = {}
        self._cursor = Coordinate(0, 0)
        self.top = 0  # first row on screen
        self.first = fixed_columns  # first scrolled column on screen (after the fixed ones)
        self._frame: tuple[Style, int, list[int]] | None = None  # what render_lines worked out for its lines

    # -- content -----------------------------------------------------------------------------------------
    def set_columns(self, columns: list[GridColumn]) -> None:
        self.columns = columns
        self.refresh()

    def set_rows(self, rows: list[tuple[str, list[Text | str | Cell]]]) -> None:
        self.row_keys = [key for key, _ in rows]
        self._cells = {key: [_cell(c) for c in cells] for key, cells in rows}
        self._clamp()
        self.refresh()

    def order_rows(self, keys: list[str]) -> None:
        """Show the rows in this order (the same keys): nothing is built again."""
        self.row_keys = list(keys)
        self.refresh()

    def get_cell(self, row_key: str, column_key: str) -> str:
        """The text a cell shows."""
        return self._cells[str(row_key)][self.get_column_index(column_key)][0]

    def get_row_index(self, row_key: str) -> int:
        return self.row_keys.index(str(row_key))

    def get_column_index(self, column_key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == column_key)

    @property
    def row_count(self) -> int:
        return len(self.row_keys)

    @property
    def cursor_coordinate(self) -> Coordinate:
        return self._cursor

    @cursor_coordinate.setter
    def cursor_coordinate(self, value: Coordinate | tuple[int, int]) -> None:
        self._cursor = Coordinate(*value)
        self._clamp()
        self.refresh()
        self.post_message(self.CellHighlighted(self))

    def _clamp(self) -> None:
        row = max(0, min(self._cursor.row, len(self.row_keys) - 1))
        column = max(0, min(self._cursor.column, len(self.columns) - 1))
        self._cursor = Coordinate(row, column)
        visible = max(1, self.size.height - 1)
        if row < self.top:
            self.top = row
        elif row >= self.top + visible:
            self.top = row - visible + 1
        self.top = max(0, min(self.top, max(0, len(self.row_keys) - visible)))
        if column >= self.fixed_columns:
            self.first = min(self.first, column)
            while self.first < column and not self._shows(column):
                self.first += 1
        self.first = max(self.first, self.fixed_columns)

    def _visible_columns(self) -> list[int]:
        """Indexes of the columns on screen: the fixed ones, then from ``first`` while they fit."""
        shown, used = [], 0
        for i in [*range(min(self.fixed_columns, len(self.columns))), *range(self.first, len(self.columns))]:
            if used >= self.size.width:
                break
            shown.append(i)
            used += self.columns[i].width
        return shown

    def _shows(self, column: int) -> bool:
        used = 0
        for i in self._visible_columns():
            used += self.columns[i].width
            if i == column:
                return used <= self.size.width
        return False

    # -- drawing -----------------------------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the lines asked for, working out the style and the columns on screen once for all of them
        (the widget's style walks up the DOM: per line it cost as much as the line)."""
        self._frame = (self.rich_style, self.size.width, self._visible_columns())
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        base, width, columns = self._frame or (self.rich_style, self.size.width, self._visible_columns())
        segments: list[Segment] = []
        if y == 0:
            for i in columns:
                column = self.columns[i]
                segments.append(
                    Segment(
                        " " + column.label.plain[: column.width - 2].ljust(column.width - 1),
                        base + Style(bold=True) + _style(column.label),
                    )
                )
        else:
            index = self.top + y - 1
            if index < len(self.row_keys):
                cells = self._cells[self.row_keys[index]]
                for i in columns:
                    text, style, justify = cells[i]
                    inner = self.columns[i].width - 2
                    text = text[:inner]
                    text = text.rjust(inner) if justify == "right" else text.ljust(inner)
                    cell_style = base + style
                    if index == self._cursor.row and (self.row_cursor or i == self._cursor.column):
                        cell_style += _CURSOR
                    elif i < self.fixed_columns:
                        cell_style += _BOLD
                    segments.append(Segment(f" {text} ", cell_style))
        return Strip(segments).crop_extend(0, width, base)

    def on_resize(self) -> None:
        self._clamp()

    # -- keys and mouse ----------------------------------------------------------------------------------
    def action_move(self, rows: int, columns: int) -> None:
        if self.row_cursor and columns:  # a list scrolls its columns sideways
            self.first = max(self.fixed_columns, min(self.first + columns, len(self.columns) - 1))
            self.refresh()
            return
        self.cursor_coordinate = Coordinate(self._cursor.row + rows, self._cursor.column + columns)

    def action_page(self, step: int) -> None:
        self.action_move(step * max(1, self.size.height - 2), 0)

    def action_edge(self, step: int) -> None:
        self.cursor_coordinate = Coordinate(0 if step < 0 else len(self.row_keys) - 1, self._cursor.column)

    def action_select(self) -> None:
        self.post_message(self.CellSelected(self))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        x = 0
        for i in self._visible_columns():
            x += self.columns[i].width
            if event.x < x:
                self.cursor_coordinate = Coordinate(self.top + event.y - 1, i)
                if event.chain > 1:
                    self.action_select()
                return

    def on_mouse_scroll_down(self) -> None:
        self.action_move(3, 0)

    def on_mouse_scroll_up(self) -> None:
        self.action_move(-3, 0)


_CURSOR = Style(reverse=True)
_BOLD = Style(bold=True)


def _style(text: Text) -> Style:
    return text.style if isinstance(text.style, Style) else Style.parse(text.style or "")
