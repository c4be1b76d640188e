"""Coded segments: every passage of a code across documents, with council, phase, role, speaker and coder.

The list is :func:`beacon_qual.analysis.quotes.quotes` for the code and filters (``beacon-qual quotes CODE``
with the same filters lists the same passages); recoding, removing and memos go through
:mod:`beacon_qual.coding.codings`, as in the transcript.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from beacon_qual.analysis.output import Report, Table
from beacon_qual.analysis.provenance import provenance
from beacon_qual.analysis.quotes import Quote, QuoteSet, quotes
from beacon_qual.analysis.selection import Filters
from beacon_qual.coding import codings as svc
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store import workbench as store
from beacon_qual.tui.grid import GridColumn, MatrixGrid
from beacon_qual.tui.screens import MemoScreen, PickerScreen
from beacon_qual.tui.viewkit import KeyLine, ask_search, export_report, filter_text, open_passage


@dataclass(frozen=True)
class Segment:
    quote: Quote
    speaker: str | None
    memo: str | None


def coded_segments(
    project: Project, code: str, filters: Filters, *, rollup: bool = False
) -> tuple[QuoteSet, list[Segment]]:
    """The passages of ``code`` for ``filters`` (one sentence of context each side), with each one's speaker
    (the label of the turn it starts in) and memo."""
    found = quotes(project, [code], filters, context_units=1, unit_kind="sentence", rollup=rollup)
    ids = [q.coding_id for q in found.quotes if q.coding_id is not None]
    info: dict[int, tuple[str | None, str | None]] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        rows = store.speakers_and_memos(project, part)
        info.update({r[0]: (r[2], r[1]) for r in rows})
    segments = [
        Segment(q, *info.get(q.coding_id or 0, (None, None)))  # type: ignore[arg-type]
        for q in found.quotes
    ]
    return found, segments


class SegmentsPane(Vertical):
    """The passages of one code (in a council, with the matrix's filters, or everywhere): the list, its
    heading and the passage under the cursor. Its own screen (:class:`SegmentsScreen`) holds it, and so does
    the councils x themes screen, which shows it in place of the matrix when a cell is drilled into."""

    class Closed(Message):
        """Escape: the list is done with (the screen holding it goes back)."""

    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("enter", "open", "Open in transcript"),
        Binding("c", "context", "Context"),
        Binding("slash", "search", "Search"),
        Binding("r", "recode", "Recode"),
        Binding("x,delete", "remove", "Remove"),
        Binding("m", "memo", "Memo"),
        Binding("e", "export", "Export CSV"),
    ]

    DEFAULT_CSS = """
    SegmentsPane { height: 1fr; }
    SegmentsPane #seg-head { height: auto; max-height: 3; padding: 0 1; background: $panel; }
    SegmentsPane #seg-table { height: 1fr; }
    SegmentsPane #seg-text { height: auto; max-height: 8; padding: 0 1; border-top: solid $primary; }
    """

    def __init__(
        self,
        project: Project,
        code: str,
        filters: Filters | None = None,
        *,
        rollup: bool = False,
        title: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.project = project
        self.code = code
        self.filters = filters or Filters()
        self.rollup = rollup
        self.title_text = title or code
        self.found: QuoteSet | None = None
        self.segments: list[Segment] = []
        self.shown: list[Segment] = []
        self.search = ""
        self.context = False
        self.changed = False  # a coding was recoded or removed from the list

    def compose(self) -> ComposeResult:
        yield Static(id="seg-head")
        yield MatrixGrid(id="seg-table", fixed_columns=1, row_cursor=True)
        yield Static(id="seg-text")

    def show_code(self, code: str, filters: Filters, *, title: str) -> None:
        """List another code's passages (the search and the cursor start again)."""
        self.code, self.filters, self.title_text = code, filters, title
        self.search, self.changed = "", False
        self.query_one(MatrixGrid).cursor_coordinate = (0, 0)
        self.load()

    def load(self) -> None:
        self.found, self.segments = coded_segments(self.project, self.code, self.filters, rollup=self.rollup)
        self.fill()

    def fill(self) -> None:
        grid = self.query_one(MatrixGrid)
        row = grid.cursor_coordinate.row
        words = self.search.casefold().split()
        self.shown = [s for s in self.segments if all(w in s.quote.text.casefold() for w in words)]
        rows: list[tuple[str, list[str]]] = []
        for i, seg in enumerate(self.shown):
            q = seg.quote
            rows.append(
                (
                    str(i),
                    [
                        q.council or "-",
                        q.document,
                        str(q.phase or "-"),
                        q.role or "-",
                        seg.speaker or "-",
                        q.coder,
                        q.coded_as.rsplit("/", 1)[-1],
                        (("✎ " if seg.memo else "") + " ".join(q.text.split()))[:80],
                    ],
                )
            )
        heads = ["Council", "Document", "Ph", "Role", "Speaker", "Coder", "Code", "Passage"]
        widest = [7, 24, 3, 12, 14, 12, 14, 80]  # a column is as wide as its longest value, up to these
        columns = [
            GridColumn(head, Text(head), 2 + min(top, max([len(head), *(len(r[1][j]) for r in rows)])))
            for j, (head, top) in enumerate(zip(heads, widest))
        ]
        grid.set_columns(columns)
        grid.set_rows(rows)  # type: ignore[arg-type]
        if self.shown:
            grid.cursor_coordinate = (min(row, len(self.shown) - 1), 0)
        docs = len({s.quote.document_id for s in self.shown})
        councils = len({s.quote.council for s in self.shown if s.quote.council})
        head = Text.assemble(
            ("Coded segments", "bold"),
            f" · {self.title_text}{' (with the codes below it)' if self.rollup else ''}\n",
            f"{len(self.shown)} codings in {docs} documents of {councils} councils",
            (f" · search: {self.search}" if self.search else "", "italic"),
            f" · filters: {filter_text(self.filters) or 'none'}",
        )
        self.query_one("#seg-head", Static).update(head)
        self._show_text()

    def _current(self) -> Segment | None:
        grid = self.query_one(MatrixGrid)
        if not self.shown:
            return None
        return self.shown[min(grid.cursor_coordinate.row, len(self.shown) - 1)]

    @on(MatrixGrid.CellHighlighted, "#seg-table")
    def _show_text(self) -> None:
        seg = self._current()
        text = Text()
        if seg is not None:
            q = seg.quote
            if self.context:
                text.append(" ".join(q.before.split()) + " ", style="dim")
            text.append(" ".join(q.text.split()), style="bold")
            if self.context:
                text.append(" " + " ".join(q.after.split()), style="dim")
            if seg.memo:
                text.append(f"\nMemo: {seg.memo}", style="italic")
        self.query_one("#seg-text", Static).update(text)

    @on(MatrixGrid.CellSelected, "#seg-table")
    def _row_selected(self) -> None:
        self.action_open()

    # -- actions -----------------------------------------------------------------------------------------
    def action_close(self) -> None:
        self.post_message(self.Closed())

    def action_open(self) -> None:
        seg = self._current()
        if seg is not None and seg.quote.document_id is not None:
            open_passage(self.app, seg.quote.document_id, seg.quote.start, seg.quote.end)

    def action_context(self) -> None:
        self.context = not self.context
        self._show_text()

    def action_search(self) -> None:
        ask_search(self, "Search these passages (words, all must match)")

    def _coder(self) -> int | None:
        return getattr(self.app, "coder_id", None)

    def _act(self, fn, *args) -> bool:
        coder = self._coder()
        if coder is None:
            self.notify("Choose a coder name first.", severity="warning")
            return False
        try:
            fn(self.project, *args, coder_id=coder)
        except BeaconError as exc:
            self.notify(str(exc), severity="error")
            return False
        return True

    def action_recode(self) -> None:
        seg = self._current()
        picker = getattr(self.app, "picker", None)
        if seg is None or picker is None:
            return

        def picked(code_id: object) -> None:
            if isinstance(code_id, int) and self._act(svc.recode, seg.quote.coding_id, code_id):
                self.notify("Recoded (u in the transcript undoes)")
                self.changed = True
                self.load()

        self.app.push_screen(
            PickerScreen(picker, title="Change the code of this coding to…", allow_new=False), picked
        )

    def action_remove(self) -> None:
        seg = self._current()
        if seg is not None and self._act(svc.remove_coding, seg.quote.coding_id):
            self.notify("Coding removed (u in the transcript undoes)")
            self.changed = True
            self.load()

    def action_memo(self) -> None:
        seg = self._current()
        if seg is None:
            return

        def saved(text: str | None) -> None:
            if text is not None and self._act(svc.set_coding_memo, seg.quote.coding_id, text):
                self.notify("Memo saved" if text.strip() else "Memo removed")
                self.load()

        self.app.push_screen(MemoScreen(f"Memo on this {seg.quote.coded_as} coding", seg.memo or ""), saved)

    def action_export(self) -> None:
        if self.found is None:
            return
        report = segments_report(self.project, self.found, self.shown, self.search)
        export_report(self, report, "coded-segments.csv")


class SegmentsScreen(Screen[None]):
    """The coded segments of one code as a screen of its own (from the transcript, with ``B``)."""

    ANALYSIS_VIEW = True  # the workbench's coding keys are off here (see WorkbenchApp.check_action)

    BINDINGS = SegmentsPane.BINDINGS  # listed in the help; the pane inside acts on them

    def __init__(
        self,
        project: Project,
        code: str,
        filters: Filters | None = None,
        *,
        rollup: bool = False,
        title: str | None = None,
    ) -> None:
        super().__init__()
        self.pane = SegmentsPane(project, code, filters, rollup=rollup, title=title)

    def compose(self) -> ComposeResult:
        yield self.pane
        yield KeyLine(SegmentsPane.BINDINGS)

    def on_mount(self) -> None:
        self.pane.load()
        self.pane.query_one(MatrixGrid).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not any(action == b.action for b in SegmentsPane.BINDINGS if isinstance(b, Binding))

    @property
    def shown(self) -> list[Segment]:
        return self.pane.shown

    @on(SegmentsPane.Closed)
    def _pane_closed(self) -> None:
        self.dismiss(None)


SEGMENT_COLUMNS = [
    "code",
    "coded_as",
    "council",
    "council_name",
    "document",
    "phase",
    "role",
    "speaker",
    "coder",
    "start",
    "end",
    "before",
    "text",
    "after",
    "memo",
]


def segments_report(project: Project, found: QuoteSet, shown: list[Segment], search: str) -> Report:
    """The listed segments (after the search) with the provenance record ``quotes`` writes."""
    rows = [
        [
            s.quote.code,
            s.quote.coded_as,
            s.quote.council,
            s.quote.council_name,
            s.quote.document,
            s.quote.phase,
            s.quote.role,
            s.speaker,
            s.quote.coder,
            s.quote.start,
            s.quote.end,
            s.quote.before,
            s.quote.text,
            s.quote.after,
            s.memo,
        ]
        for s in shown
    ]
    record = provenance(
        project,
        "workbench coded segments",
        filters=found.selection.filters.as_dict(),
        coders=found.coders,
        options={**found.options, "search": search or None},
    )
    return Report("Coded segments", record, [Table("segments", "Coded segments", SEGMENT_COLUMNS, rows)])
