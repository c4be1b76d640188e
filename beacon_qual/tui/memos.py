"""Memos: every memo of the project (on codings, documents, codes, councils and the project) with its target,
searchable, and a way to the passage or document it is about."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from beacon_qual.analysis.output import Report, Table
from beacon_qual.analysis.provenance import provenance
from beacon_qual.codebook.tree import code_paths
from beacon_qual.store import Project
from beacon_qual.store import workbench as store
from beacon_qual.tui.viewkit import ask_search, export_report, open_passage


@dataclass(frozen=True)
class MemoRow:
    kind: str  # coding, document, code, case, project
    target: str  # what the memo is on, as a reader names it
    coder: str | None
    text: str
    updated: str | None
    document_id: int | None = None
    start: int | None = None
    end: int | None = None


def list_memos(project: Project) -> list[MemoRow]:
    """Memos on codings (kept on the coding) and in the memos table, by kind then target."""
    paths = code_paths(project)
    rows: list[MemoRow] = []
    for r in store.coding_memos(project):
        target = f"{paths.get(r['code_id'], '?')} · {r['document']} {r['start']}-{r['end']} “{' '.join(r['passage'].split())}”"
        rows.append(
            MemoRow("coding", target, r["coder"], r["memo"], r["at"], r["document_id"], r["start"], r["end"])
        )
    names = {
        "document": store.document_names(project),
        "case": store.case_labels(project),
    }
    for r in store.memos(project):
        kind, target_id = r["target_type"], r["target_id"]
        if kind == "code":
            target = paths.get(target_id, f"code {target_id}")
        elif kind in names:
            target = names[kind].get(target_id, f"{kind} {target_id}")
        else:
            target = "the project"
        rows.append(
            MemoRow(
                kind, target, r["coder"], r["text"], r["at"], target_id if kind == "document" else None, 0, 0
            )
        )
    return rows


class MemosScreen(Screen[None]):
    """All memos in a list; / searches their text and targets, Enter goes to the passage or document."""

    ANALYSIS_VIEW = True  # the workbench's coding keys are off here (see WorkbenchApp.check_action)

    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("enter", "open", "Go to target"),
        Binding("slash", "search", "Search"),
        Binding("e", "export", "Export CSV"),
    ]

    DEFAULT_CSS = """
    MemosScreen #memo-head { height: 1; padding: 0 1; background: $panel; }
    MemosScreen #memo-table { height: 1fr; }
    MemosScreen #memo-text { height: auto; max-height: 8; padding: 0 1; border-top: solid $primary; }
    """

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.memos: list[MemoRow] = []
        self.shown: list[MemoRow] = []
        self.search = ""

    def compose(self) -> ComposeResult:
        yield Static(id="memo-head")
        yield DataTable(id="memo-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="memo-text")
        yield Footer()

    def on_mount(self) -> None:
        self.memos = list_memos(self.project)
        self.fill()
        self.query_one(DataTable).focus()

    def fill(self) -> None:
        words = self.search.casefold().split()
        self.shown = [
            m for m in self.memos if all(w in f"{m.text} {m.target} {m.kind}".casefold() for w in words)
        ]
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("On", width=8)
        table.add_column("Target", width=34)
        table.add_column("Coder", width=8)
        table.add_column("Memo")
        for i, m in enumerate(self.shown):
            table.add_row(m.kind, m.target[:34], m.coder or "-", " ".join(m.text.split())[:80], key=str(i))
        head = Text.assemble(
            ("Memos", "bold"),
            f" · {len(self.shown)} of {len(self.memos)}",
            (f" · search: {self.search}" if self.search else "", "italic"),
        )
        self.query_one("#memo-head", Static).update(head)
        self._show_text()

    def _current(self) -> MemoRow | None:
        if not self.shown:
            return None
        return self.shown[min(self.query_one(DataTable).cursor_row, len(self.shown) - 1)]

    @on(DataTable.RowHighlighted)
    def _show_text(self) -> None:
        m = self._current()
        text = Text()
        if m is not None:
            text.append(f"{m.kind}: {m.target}\n", style="bold")
            text.append(m.text)
        self.query_one("#memo-text", Static).update(text)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_open(self) -> None:
        m = self._current()
        if m is None or m.document_id is None:
            self.notify("This memo is not on a passage or document." if m else "No memo.")
            return
        open_passage(self.app, m.document_id, m.start or 0, m.end or 0)

    def action_search(self) -> None:
        ask_search(self, "Search memos (words in the memo or its target)")

    def action_export(self) -> None:
        export_report(self, memos_report(self.project, self.shown, self.search), "memos.csv")


def memos_report(project: Project, shown: list[MemoRow], search: str) -> Report:
    coders = sorted({m.coder for m in shown if m.coder})
    record = provenance(
        project, "workbench memos", filters={}, coders=coders, options={"search": search or None}
    )
    rows = [[m.kind, m.target, m.coder, m.updated, m.text] for m in shown]
    return Report(
        "Memos", record, [Table("memos", "Memos", ["on", "target", "coder", "updated_at", "memo"], rows)]
    )
