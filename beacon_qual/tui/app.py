"""The coding workbench: documents, transcript and codebook side by side, keyboard first.

Every action calls the coding service, which commits before this screen says
anything: what the screen shows as applied is already on disk.
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static, Tree
from textual.widgets.tree import TreeNode

from beacon_qual.codebook.tree import coding_counts
from beacon_qual.coding import codings as svc
from beacon_qual.coding.userconfig import remember_coder, remembered_coder
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.text.terminal import guard_strips, visible_controls
from beacon_qual.tui import readmodel as wb
from beacon_qual.tui.favourites import FAVOURITE_BINDINGS, FavouriteActions, FavouritesBar
from beacon_qual.tui.keyflow import KeyFlow
from beacon_qual.tui.screens import (
    NEW_CODE,
    TOP_LEVEL,
    ChoiceScreen,
    ConfirmScreen,
    HelpScreen,
    MemoScreen,
    PickerScreen,
    PromptScreen,
    code_details,
)
from beacon_qual.tui.transcript import TranscriptView
from beacon_qual.tui.upkeep import CODEBOOK_BINDINGS, DOCUMENT_BINDING, CodeTree, UpkeepActions


@dataclass(frozen=True)
class WorkItem:
    """One stop in a list the coder steps through: a search hit, a suggestion, a disagreement, a flagged coding."""

    kind: str
    document_id: int
    start: int
    end: int
    label: str
    ref: int | None = None  # suggestion id or coding id


NARROW = 100  # below this width the codebook pane hides once a document is open
WIDE = 150  # below this width the documents pane hides once a document is open


class BindingsFooter(Footer):
    """The footer of key bindings, rebuilt only when the keys it shows change. Textual's footer rebuilds its
    keys (new widgets, then a layout pass of the whole screen) whenever the focus moves or a dialog closes,
    though the keys are mostly the same."""

    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = (
                self.show_command_palette,
                tuple(
                    (binding.key, binding.action, binding.description, enabled, tooltip)
                    for (_, binding, enabled, tooltip) in screen.active_bindings.values()
                    if binding.show
                ),
            )
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
        super().bindings_changed(screen)


class MainArea(Horizontal):
    """The three panes. The app hears of its own resizes only once, so the panes are fitted to the width
    whenever this area changes size."""

    def on_resize(self) -> None:
        self.app._apply_width()  # type: ignore[attr-defined]


class DocumentsPane(Vertical):
    """The document list and its filter. The app sets ``rows``; the pane filters and draws them, and posts
    ``Open`` when the coder chooses a document."""

    BINDINGS = [Binding("slash", "app.search", "Find", show=False)]

    rows: var[list[wb.DocumentProgress]] = var(list, always_update=True, init=False)

    class Open(Message):
        """The coder chose a document to open."""

        def __init__(self, document_id: int) -> None:
            super().__init__()
            self.document_id = document_id

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: phase:2 role:officer council:hull uncoded", id="doc-filter")
        table: DataTable[str] = DataTable(id="doc-table", cursor_type="row", zebra_stripes=True)
        table.add_column("Document", width=20)
        table.add_columns("Done", "Ph", "Role", "Council")
        yield table

    def watch_rows(self) -> None:
        self._fill(self.query_one("#doc-filter", Input).value)

    def _fill(self, query: str) -> None:
        table = self.query_one("#doc-table", DataTable)
        table.clear()
        for row in wb.filter_documents(self.rows, query):
            table.add_row(
                visible_controls(row.name),
                _progress_cell(row.progress, row.done),
                str(row.phase or "-"),
                visible_controls(row.role or "-"),
                visible_controls(row.council or "-"),
                key=str(row.id),
            )

    def row(self, document_id: int) -> wb.DocumentProgress | None:
        return next((r for r in self.rows if r.id == document_id), None)

    def set_row(self, row: wb.DocumentProgress) -> None:
        """Replace one document's row; its cell is drawn again only when what it shows changed."""
        for i, old in enumerate(self.rows):
            if old.id == row.id:
                self.rows[i] = row  # in place: the other rows stay as they are drawn
                break
        else:
            return
        cell = _progress_cell(row.progress, row.done)
        table = self.query_one("#doc-table", DataTable)
        # the row may be filtered out of the table
        if cell != _progress_cell(old.progress, old.done) and str(row.id) in table.rows:
            table.update_cell(str(row.id), table.ordered_columns[1].key, cell)

    @on(Input.Changed, "#doc-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    @on(Input.Submitted, "#doc-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#doc-table", DataTable).focus()

    @on(DataTable.RowSelected, "#doc-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Open(int(event.row_key.value)))


class CodebookPane(Vertical):
    """The codebook tree, each code labelled with its counts, and the highlighted code's definition. The app
    sets ``codes`` and the counts (``show_counts``); the pane posts ``Chosen`` when the coder picks a code."""

    BINDINGS = [
        Binding("m", "app.code_memo", "Memo on code", show=False),
        *CODEBOOK_BINDINGS,
    ]

    codes: var[list[wb.CodeInfo]] = var(list, always_update=True, init=False)

    class Chosen(Message):
        """The coder chose a code in the tree (Enter or a double click)."""

        def __init__(self, code_id: int) -> None:
            super().__init__()
            self.code_id = code_id

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.code_by_id: dict[int, wb.CodeInfo] = {}
        self.code_children: dict[int | None, list[wb.CodeInfo]] = {}
        self.tree_nodes: dict[int, TreeNode[int]] = {}
        self.project_counts: dict[int, int] = {}  # codings per code in the project (the coder's, or all)
        self.doc_counts: dict[int, int] = {}  # the same in the open document

    def compose(self) -> ComposeResult:
        tree = CodeTree("Codebook", id="code-tree")
        tree.show_root = False
        yield tree
        yield Static(id="code-details")

    def watch_codes(self, codes: list[wb.CodeInfo]) -> None:
        self.code_by_id = {c.id: c for c in codes}
        self.code_children = {}
        for c in codes:
            self.code_children.setdefault(c.parent_id, []).append(c)
        tree = self.query_one("#code-tree", Tree)
        tree.clear()
        self.tree_nodes = {}
        self._populate(tree.root, None)

    def _populate(self, node, parent_id: int | None) -> None:
        """Add the children of a code to the tree (done when a node is first expanded)."""
        for code in self.code_children.get(parent_id, []):
            if code.id in self.tree_nodes:
                continue
            if code.id in self.code_children:
                child = node.add("", data=code.id)
                if code.depth < 1:
                    self._populate(child, code.id)
                    child.expand()
            else:
                child = node.add_leaf("", data=code.id)
            self.tree_nodes[code.id] = child

    def show_counts(
        self, doc_counts: dict[int, int], project_counts: dict[int, int] | None, code_ids=None
    ) -> None:
        """Relabel the codes with these counts: every code, or only ``code_ids`` (whose project counts are
        then the ones given; the others keep theirs)."""
        self.doc_counts = doc_counts
        if code_ids is None:
            self.project_counts = project_counts or {}
        elif project_counts:
            self.project_counts.update(project_counts)
        self._relabel(self.tree_nodes if code_ids is None else code_ids)

    def _relabel(self, code_ids) -> None:
        """Set the tree labels of these codes (those in the tree) from the counts last given."""
        tree = self.query_one("#code-tree", CodeTree)
        for code_id in code_ids:
            node = self.tree_nodes.get(code_id)
            if node is None:
                continue
            code = self.code_by_id[code_id]
            label = Text()
            label.append("● " if code.codable else "○ ", style=code.colour)
            d, p = self.doc_counts.get(code.id, 0), self.project_counts.get(code.id, 0)
            if d or p:  # counts first, so a narrow pane cuts the name rather than the numbers
                label.append(f"{d}/{p} ", style="dim")
            label.append(visible_controls(code.name), style="" if code.codable else "italic")
            tree.relabel(node, label)

    @on(Tree.NodeExpanded, "#code-tree")
    def _code_expanded(self, event: Tree.NodeExpanded) -> None:
        code_id = event.node.data
        if code_id is not None and any(
            c.id not in self.tree_nodes for c in self.code_children.get(code_id, [])
        ):
            before = set(self.tree_nodes)
            self._populate(event.node, code_id)
            self._relabel(set(self.tree_nodes) - before)

    @on(Tree.NodeHighlighted, "#code-tree")
    def _code_highlighted(self, event: Tree.NodeHighlighted) -> None:
        code = None if event.node.data is None else self.code_by_id.get(event.node.data)
        self.query_one("#code-details", Static).update(code_details(code))

    @on(Tree.NodeSelected, "#code-tree")
    def _code_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Chosen(event.node.data))


class WorkbenchApp(KeyFlow, FavouriteActions, UpkeepActions, App):
    """beacon-qual coding workbench."""

    CSS_PATH = "workbench.tcss"
    TITLE = "beacon-qual"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help"),
        Binding("c,space", "pick", "Code"),
        Binding("x,delete", "remove", "Remove"),
        Binding("r", "recode", "Recode"),
        Binding("a", "adjust", "Adjust", show=False),
        Binding("m", "memo", "Memo"),
        Binding("M", "document_memo", "Doc memo", show=False),
        Binding("D", "toggle_done", "Mark document done / not done", show=False),
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("U,ctrl+y", "redo", "Redo", show=False),
        Binding("n", "next_coding(1)", "Next coding", show=False),
        Binding("p", "next_coding(-1)", "Prev coding", show=False),
        Binding("g", "next_uncoded", "Uncoded", show=False),
        Binding("slash", "search", "Find"),
        Binding("N", "search_next", "Find next", show=False),
        Binding("t", "toggle_coders", "Mine/all", show=False),
        Binding("F", "project_search", "Search project", show=False),
        Binding("s", "suggestions", "Suggestions", show=False),
        Binding("i", "disagreements", "Disagreements", show=False),
        Binding("V", "review", "Flagged codings", show=False),
        Binding("C", "code_hits", "Code every hit of the search list (F) at once", show=False),
        Binding("greater_than_sign", "work_step(1)", "Next in list", show=False),
        Binding("less_than_sign", "work_step(-1)", "Previous in list", show=False),
        Binding("A", "decide('accept')", "Accept suggestion / placement", show=False),
        Binding("R", "decide('reject')", "Reject suggestion", show=False),
        Binding("S", "decide('skip')", "Skip suggestion", show=False),
        Binding("d", "toggle_pane('documents')", "Docs", show=False),
        Binding("b", "toggle_pane('codebook')", "Codebook", show=False),
        Binding("o", "focus_documents", "Open doc", show=False),
        DOCUMENT_BINDING,
        Binding("X", "councils_matrix", "Councils x themes (survey measures beside)", show=False),
        Binding("B", "coded_segments", "Coded segments of a code, across documents", show=False),
        Binding("G", "theme_by_measure", "Theme by measure: chart, table and tests", show=False),
        Binding("P", "council_panel", "Council panel: survey measures by wave, other documents", show=False),
        Binding("O", "memos", "Memos: every memo with its target, searchable", show=False),
        Binding("q", "quit", "Quit"),
        *FAVOURITE_BINDINGS,
        *(Binding(str(i), f"apply_recent({i})", f"Apply recent code {i}", show=False) for i in range(1, 10)),
    ]

    # What the screen shows follows these: setting one redraws the widgets that depend on it (its watcher).
    coder_name: var[str | None] = var(None, always_update=True, init=False)
    doc: var[wb.DocumentView | None] = var(None, always_update=True, init=False)  # the open document
    show_all: var[bool] = var(False, init=False)  # every coder's codings, or only this coder's
    codes: var[list[wb.CodeInfo]] = var(list, always_update=True, init=False)  # the codebook
    favourites: var[list[int | None]] = var(list, always_update=True, init=False)  # F1-F9

    def __init__(self, project: Project, coder: str | None = None, document: int | None = None) -> None:
        super().__init__()
        guard_strips()  # no control character in a transcript, name or memo reaches the terminal raw
        self.project = project
        self.set_reactive(WorkbenchApp.coder_name, coder or remembered_coder())
        self.coder_id: int | None = None
        self.start_document = document
        self.code_by_id: dict[int, wb.CodeInfo] = {}
        self._picker: wb.CodePicker | None = None
        self._picker_screen: PickerScreen | None = None
        self.recent: list[int] = []
        self.last_search = ""
        self.worklist: list[WorkItem] = []
        self.hits_query = ""  # the project search (F) whose hits C codes
        self.work_title = ""
        self.work_pos = -1

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with MainArea(id="main"):
            yield DocumentsPane(id="documents")
            yield TranscriptView(id="transcript")
            yield CodebookPane(id="codebook")
        yield FavouritesBar(id="favbar")
        yield Static(id="status")
        yield BindingsFooter()

    def on_mount(self) -> None:
        self.title = f"beacon-qual — {self.project.path.name}"
        self._load_codes()
        if self.coder_name:
            self._set_coder(self.coder_name)
        else:
            self._update_status()  # "?" as the coder until the question is answered
            self.push_screen(
                PromptScreen(
                    "Your name as a coder (remembered for you on this computer)", placeholder="e.g. alice"
                ),
                self._coder_given,
            )
        self._apply_width()
        # What is loaded now (the codebook, the document, the widgets) lives as long as the screen: leave it
        # out of the cyclic garbage collector's passes, whose full pass over it stalled a key now and then.
        self.call_after_refresh(gc.freeze)

    def on_unmount(self) -> None:
        gc.unfreeze()  # back to the collector's care once the workbench is gone

    def _coder_given(self, name: str | None) -> None:
        if not name or not name.strip():
            self.exit(message="no coder name given; nothing changed")
            return
        self._set_coder(name.strip())

    def _set_coder(self, name: str) -> None:
        name = self._run(remember_coder, name) or name  # the workbench's choice is this user's coder
        self.coder_id = self.project.coder_id(name)
        self.coder_name = name
        self.recent = wb.recent_codes(self.project, self.coder_id)
        self._load_favourites()
        self._load_documents()
        start = self.start_document
        where = None
        if start is None:
            last = self.project.get_meta(f"last_document:{self.coder_id}")
            start = int(last) if last and last.isdigit() else None
            where = self._last_position(start)
        if start is not None and self.documents_pane.row(start) is not None:
            self.open_document(start)
            if where is not None:
                self.query_one(TranscriptView).select(*where)
        else:
            self.query_one("#doc-table", DataTable).focus()
        self._update_status()

    def watch_coder_name(self, name: str | None) -> None:
        self.sub_title = f"coder: {name}"
        self._update_status()

    def _last_position(self, document_id: int | None) -> tuple[int, int] | None:
        """Where the selection was when this coder last left ``document_id``."""
        raw = self.project.get_meta(f"last_position:{self.coder_id}") or ""
        parts = raw.split(":")
        if document_id is None or len(parts) != 3 or not all(p.isdigit() for p in parts):
            return None
        doc, start, end = map(int, parts)
        return (start, end) if doc == document_id else None

    def _remember_position(self) -> None:
        sel = self.query_one(TranscriptView).selection if self.doc is not None else None
        if sel is None or self.coder_id is None or self.doc is None:
            return
        # a busy file must not stop the workbench from closing
        with contextlib.suppress(sqlite3.Error), self.project.transaction():
            self.project.set_meta(f"last_position:{self.coder_id}", f"{self.doc.id}:{sel[0]}:{sel[1]}")

    async def action_quit(self) -> None:
        self._remember_position()
        self.exit()

    def on_resize(self) -> None:
        self._apply_width()

    def _apply_width(self) -> None:
        narrow = self.size.width < NARROW
        documents, codebook = self.query_one("#documents"), self.query_one("#codebook")
        codebook.set_class(narrow and self.doc is not None, "hidden")
        documents.set_class(self.size.width < WIDE and self.doc is not None, "hidden")
        documents.set_class(self.size.width < 60, "narrow")
        focused = self.focused
        if focused is not None and self.screen is self.screen_stack[0]:
            hidden = any(
                pane.has_class("hidden") and pane in focused.ancestors for pane in (documents, codebook)
            )
            if hidden:  # never leave the keys in a hidden pane (they would type into the document filter)
                (
                    self.query_one(TranscriptView) if self.doc is not None else self.query_one("#doc-table")
                ).focus()

    # -- data ----------------------------------------------------------------------------
    @property
    def documents_pane(self) -> DocumentsPane:
        return self.query_one(DocumentsPane)

    @property
    def codebook_pane(self) -> CodebookPane:
        return self.query_one(CodebookPane)

    @property
    def tree_nodes(self) -> dict[int, TreeNode[int]]:
        """The codebook tree's node of each code shown so far (the codebook pane holds them)."""
        return self.codebook_pane.tree_nodes

    def _load_codes(self) -> None:
        self.codes = wb.load_codes(self.project)
        self._refresh_counts()
        if self.coder_id is not None:
            self._load_favourites()  # a deleted or merged code leaves its key

    def watch_codes(self, codes: list[wb.CodeInfo]) -> None:
        self.code_by_id = {c.id: c for c in codes}
        self._picker = None
        self.codebook_pane.codes = codes
        view = self.query_one(TranscriptView)
        view.names = {c.id: c.name for c in codes}
        view.colours = {c.id: c.colour for c in codes}

    def watch_favourites(self) -> None:
        self._show_favourites()

    def code_picker(
        self,
        *,
        title: str,
        recent: list[int] | None = None,
        suggestion: str = "",
        allow_new: bool = True,
        place: str | None = None,
        accept_unique: bool = False,
    ) -> PickerScreen:
        """The picker of a code, one kept for the app's life (installed, so closing it keeps its widgets and
        opening it again builds none); a new one while the kept one is already open beneath."""
        use: dict[str, Any] = {
            "title": title,
            "recent": recent,
            "suggestion": suggestion,
            "allow_new": allow_new,
            "place": place,
            "accept_unique": accept_unique,
        }
        kept = self._picker_screen
        if kept is not None and kept.is_mounted and kept not in self.screen_stack:
            kept.reopen(self.picker, **use)
            return kept
        screen = PickerScreen(self.picker, **use)
        if kept is None:
            self._picker_screen = screen
            self.install_screen(screen, "code-picker")
        return screen

    @property
    def picker(self) -> wb.CodePicker:
        """The fuzzy picker over the codebook, built on first use."""
        if self._picker is None:
            self._picker = wb.CodePicker(self.codes)
        return self._picker

    def _refresh_counts(self, code_ids: set[int] | None = None) -> None:
        """The codebook's labels: each code's codings in the open document and in the project (the coder's, or
        everyone's). With ``code_ids`` only those codes are counted again and relabelled: the project's
        counts come from ``coding_counts`` (kept by triggers), one range of its key per code."""
        mine = None if self.show_all else self.coder_id
        project_counts = None
        if code_ids is None:
            project_counts = coding_counts(self.project, coder_id=mine)
        elif code_ids:
            fresh = coding_counts(self.project, coder_id=mine, code_ids=code_ids)
            project_counts = {code_id: fresh.get(code_id, 0) for code_id in code_ids}
        doc_counts = coding_counts(self.project, document_id=self.doc.id, coder_id=mine) if self.doc else {}
        self.codebook_pane.show_counts(doc_counts, project_counts, code_ids)

    def _load_documents(self) -> None:
        self.documents_pane.rows = wb.list_documents(self.project, None if self.show_all else self.coder_id)

    @on(DocumentsPane.Open)
    def _open_chosen(self, event: DocumentsPane.Open) -> None:
        self.open_document(event.document_id)

    def open_document(self, document_id: int) -> None:
        doc = wb.load_document(self.project, document_id)
        view = self.query_one(TranscriptView)
        colours = {c.id: c.colour for c in self.codes}
        names = {c.id: c.name for c in self.codes}
        view.show(doc, self._codings(doc), colours, names)
        view.suggested = self._suggested(doc)
        with self.project.transaction():
            self.project.set_meta(f"last_document:{self.coder_id}", str(document_id))
        self.doc = doc
        view.focus()

    def watch_doc(self, doc: wb.DocumentView | None) -> None:
        """Another document (or none): the panes' widths, the codebook's counts for it, the status line."""
        self._apply_width()
        self._refresh_counts()
        self._update_status()

    def watch_show_all(self) -> None:
        self._load_documents()
        if self.doc is not None:
            self.query_one(TranscriptView).set_codings(self._codings())
        self._refresh_counts()
        self._update_status()

    def _codings(self, doc: wb.DocumentView | None = None) -> list[svc.Coding]:
        doc = doc or self.doc
        if doc is None:
            return []
        return svc.document_codings(self.project, doc.id, None if self.show_all else self.coder_id)

    def _suggested(self, doc: wb.DocumentView | None = None) -> list[tuple[int, int, int]]:
        from beacon_qual.search.suggest import list_suggestions

        doc = doc or self.doc
        if doc is None:
            return []
        return [(x.start, x.end, x.code_id) for x in list_suggestions(self.project, doc.id)]

    def _after_change(
        self,
        message: str,
        *,
        select: tuple[int, int] | None = None,
        codings_only: bool = False,
        recoded: svc.Coding | None = None,
    ) -> None:
        """Show a change: the open document's codings, the codebook's counts, the document's progress.

        ``codings_only``: the change touched only codings of the open document (apply, remove, recode, resize,
        memo, their undo): suggestions stay, and only the codes whose codings here changed are counted again.
        ``recoded``: the one coding the change gave another code (its passage kept), as the service returned
        it: it takes its old place on screen, the document's codings are not read again, and the document's
        progress (which sentences are coded) stays as it is.
        """
        view = self.query_one(TranscriptView)
        current = view.current_coding
        old = view.replace_coding(recoded) if recoded is not None else None
        if old is not None and recoded is not None:
            touched = {old.code_id, recoded.code_id} if old != recoded else set()
        else:
            recoded = None
            before = {c.id: c for c in view.codings}
            codings = self._codings()
            after = {c.id: c for c in codings}
            touched = {c.code_id for i, c in before.items() if after.get(i) != c}
            touched |= {c.code_id for i, c in after.items() if before.get(i) != c}
            if touched or len(before) != len(after):
                view.set_codings(codings)
        if not codings_only:
            view.suggested = self._suggested()
            view.refresh()
        if select:
            view.select(*select, keep_coding=True)
        view.current_coding = current if any(c.id == current for c in view.codings) else None
        self._refresh_counts(touched if codings_only else None)
        if recoded is None:
            self._update_progress()
        self._update_status()
        self.notify(message, timeout=2.5)

    def _update_progress(self) -> None:
        """The open document's row in the document list: its share of sentences coded, worked out from the
        codings on screen."""
        if self.doc is None:
            return
        row = self.documents_pane.row(self.doc.id)
        if row is None:
            return
        mine = None if self.show_all else self.coder_id
        view = self.query_one(TranscriptView)
        coded = wb.coded_sentences(self.doc, [(c.start, c.end) for c in view.codings])
        done = wb.is_done(self.project, self.doc.id, mine)
        self.documents_pane.set_row(
            wb.DocumentProgress(
                row.id, row.name, row.council, row.phase, row.role, len(self.doc.sentences), coded, done
            )
        )

    def _update_status(self) -> None:
        status = self.query_one("#status", Static)
        coder = (
            f" {visible_controls(self.coder_name or '?')} ",
            "bold reverse",
        )  # always first: never cut off
        if self.doc is None:
            status.update(
                Text.assemble(coder, " Choose a transcript and press Enter.  ? for help"), layout=False
            )
            return
        view = self.query_one(TranscriptView)
        sel = view.selection
        here = view.codings_at_selection()
        codes = ", ".join(
            sorted({self.code_by_id[c.code_id].name for c in here if c.code_id in self.code_by_id})
        )
        mode = "all coders" if self.show_all else "mine"
        if view.selecting:
            coder = (
                f" {visible_controls(self.coder_name or '?')} SELECT: w W {{ }} h l H L, counts, Enter codes ",
                "bold reverse",
            )
        meta = f"{self.doc.council or '-'} · ph {self.doc.phase or '-'} · {self.doc.role or '-'}"
        where = f"{sel[0]}-{sel[1]}" if sel else "-"
        item = self._current_item()
        if item is not None and sel == (item.start, item.end):
            status.update(
                Text.assemble(
                    coder,
                    (f" {self.work_title} {self.work_pos + 1}/{len(self.worklist)} ", "bold"),
                    visible_controls(item.label),
                ),
                layout=False,
            )
            return
        status.update(
            Text.assemble(
                coder,
                (f" {visible_controls(self.doc.name)} ", "bold"),
                visible_controls(f"{meta} · sel {where} · {mode}"),
                (visible_controls(f" · {codes}") if codes else "", "italic"),
            ),
            layout=False,  # one line the screen's width: its size never changes, so no layout pass
        )

    @on(TranscriptView.SelectionChanged)
    def _selection_changed(self) -> None:
        self._update_status()

    @on(CodebookPane.Chosen)
    def _code_chosen(self, event: CodebookPane.Chosen) -> None:
        code = self.code_by_id.get(event.code_id)
        if code is None or self.doc is None:
            return
        if code.codable:
            self.apply_code(code.id)
        else:
            self.notify(f"{code.path} is a group and cannot be applied.", severity="warning")

    # -- guards -----------------------------------------------------------------------------
    @property
    def coder(self) -> int:
        """The coder's id: known from the start, once the workbench has asked who is coding."""
        if self.coder_id is None:
            raise BeaconError("say who is coding first")
        return self.coder_id

    def _selection(self) -> tuple[int, int] | None:
        """The selection in the open document; None (with a word to the user) when there is none."""
        view = self.query_one(TranscriptView)
        if self.doc is None or view.selection is None:
            self.notify("Open a transcript and select a passage first.", severity="warning")
            return None
        return view.selection

    def _run(self, action, *args, **kwargs):
        try:
            return action(*args, **kwargs)
        except BeaconError as exc:
            self.notify(exc.message, severity="error", timeout=5)
            return None

    # -- coding actions ----------------------------------------------------------------------
    def action_pick(self) -> None:
        sel = self._selection()
        if sel is None or self.doc is None:
            return
        words = " ".join(self.doc.text[sel[0] : sel[1]].split()[:6])
        self.push_screen(
            self.code_picker(
                title="Apply code to the selection",
                recent=self.recent,
                suggestion=words,
                place=self.query_one(TranscriptView).clear_half(),
                accept_unique=True,
            ),
            self._picked,
        )

    def _picked(self, result: object) -> None:
        if result is None:
            return
        if isinstance(result, tuple) and result[0] == NEW_CODE:
            self._new_code(result[1])
        elif isinstance(result, int):
            self.apply_code(result)

    def apply_code(self, code_id: int) -> None:
        sel = self._selection()
        if sel is None or self.doc is None:
            return
        coding = self._run(
            svc.add_coding,
            self.project,
            document_id=self.doc.id,
            code_id=code_id,
            coder_id=self.coder_id,
            start=sel[0],
            end=sel[1],
        )
        if coding is None:
            return
        self.recent = wb.push_recent_code(self.project, self.coder, code_id)
        self._after_change(f"Applied {self.code_by_id[code_id].name}", codings_only=True)

    def action_apply_recent(self, n: int) -> None:
        if self.take_favourite_chord(n):
            return
        if len(self.recent) < n:
            self.notify(f"No recent code {n} yet: apply codes with c first.", severity="warning")
            return
        self.apply_code(self.recent[n - 1])

    def _new_code(self, suggested: str) -> None:
        def named(name: str | None) -> None:
            if name and name.strip():
                self._new_code_named(" ".join(name.split())[:80])

        self.push_screen(
            PromptScreen("Name of the new code (edit it, Enter goes on, Esc cancels)", suggested), named
        )

    def _new_code_named(self, name: str) -> None:
        def parent_chosen(parent: object) -> None:
            if parent is None:
                return
            parent_id = None if parent == TOP_LEVEL else int(str(parent))
            where = "the top level" if parent_id is None else self.code_by_id[parent_id].path
            question = f"Create the code “{name}” under {where} and apply it to the selection?"

            def confirmed(ok: object) -> None:
                if ok:
                    self._create_and_apply(name, parent_id)

            self.push_screen(ConfirmScreen(question), confirmed)

        self.push_screen(
            PickerScreen(
                self.picker,
                title=f"Parent for the new code “{name}”",
                allow_new=False,
                parent_mode=True,
                codes=self.codes,
            ),
            parent_chosen,
        )

    def _create_and_apply(self, name: str, parent_id: int | None) -> None:
        from beacon_qual.codebook.edit import add_code

        code = self._run(add_code, self.project, name, parent_id, coder_id=self.coder_id)
        if code is None:
            return
        self._load_codes()
        self.apply_code(code.id)

    def _choose_coding(self, purpose: str, then) -> None:
        """Run ``then(coding)`` on the coder's coding under the selection, asking when there are several."""
        if self._selection() is None or self.doc is None:
            return
        mine = [
            c for c in self.query_one(TranscriptView).codings_at_selection() if c.coder_id == self.coder_id
        ]
        if not mine:
            self.notify(
                "None of your codings is under the selection (n/p move between codings).", severity="warning"
            )
            return
        if len(mine) == 1:
            then(mine[0])
            return
        choices: list[tuple[object, Text | str]] = []
        for c in mine:
            code = self.code_by_id.get(c.code_id)
            label = Text.assemble(
                ("● ", code.colour if code else ""),
                (code.path if code else "?", "bold"),
                f"  {c.start}-{c.end}  “{self.doc.text[c.start : c.end][:40]}”",
            )
            choices.append((c, label))
        self.push_screen(ChoiceScreen(f"Which coding to {purpose}?", choices), lambda c: c and then(c))

    def action_remove(self) -> None:
        def remove(c: svc.Coding) -> None:
            if self._run(svc.remove_coding, self.project, c.id, coder_id=self.coder_id):
                self._after_change(f"Removed {self.code_by_id[c.code_id].name} (u undoes)", codings_only=True)

        self._choose_coding("remove", remove)

    def action_recode(self) -> None:
        def recode(c: svc.Coding) -> None:
            def picked(result: object) -> None:
                if not isinstance(result, int):
                    return
                recoded = self._run(svc.recode, self.project, c.id, result, coder_id=self.coder_id)
                if recoded:
                    self.recent = wb.push_recent_code(self.project, self.coder, result)
                    self._after_change(
                        f"Recoded as {self.code_by_id[result].name}", codings_only=True, recoded=recoded
                    )

            self.push_screen(
                self.code_picker(
                    title="Change the code of this coding to…",
                    recent=self.recent,
                    allow_new=False,
                    accept_unique=True,
                ),
                picked,
            )

        self._choose_coding("recode", recode)

    def action_adjust(self) -> None:
        view = self.query_one(TranscriptView)
        sel = self._selection()
        if sel is None:
            return
        current = next((c for c in view.codings if c.id == view.current_coding), None)
        if current is None or current.coder_id != self.coder_id:
            self.notify(
                "Press n or p to pick one of your codings, change the selection, then press a.",
                severity="warning",
            )
            return
        if self._run(svc.resize, self.project, current.id, sel[0], sel[1], coder_id=self.coder_id):
            self._after_change(f"Coding now covers {sel[0]}-{sel[1]}", select=sel, codings_only=True)

    def action_memo(self) -> None:
        def memo(c: svc.Coding) -> None:
            def saved(text: str | None) -> None:
                if text is not None and self._run(
                    svc.set_coding_memo, self.project, c.id, text, coder_id=self.coder_id
                ):
                    self._after_change("Memo saved" if text.strip() else "Memo removed", codings_only=True)

            self.push_screen(
                MemoScreen(f"Memo on {self.code_by_id[c.code_id].name} coding", c.memo or ""), saved
            )

        self._choose_coding("write a memo on", memo)

    def _memo_on(self, target: str, target_id: int, title: str) -> None:
        existing = svc.get_memo(self.project, target, target_id, self.coder)

        def saved(text: str | None) -> None:
            if text is None:
                return
            self._run(svc.set_memo, self.project, target, target_id, text, coder_id=self.coder_id)
            self.notify("Memo saved" if text.strip() else "Memo removed")

        self.push_screen(MemoScreen(title, existing.text if existing else ""), saved)

    def action_document_memo(self) -> None:
        if self.doc is not None:
            self._memo_on("document", self.doc.id, f"Memo on {self.doc.name}")

    def action_toggle_done(self) -> None:
        if self.doc is None or self.coder_id is None:
            return
        done = not svc.is_done(self.project, self.doc.id, self.coder_id)
        if self._run(svc.set_done, self.project, self.doc.id, done, coder_id=self.coder_id) is None:
            return
        state = "done: fully coded" if done else "not done"
        self._after_change(f"{self.doc.name} marked {state} (u undoes)")

    def action_code_memo(self) -> None:
        node = self.query_one("#code-tree", Tree).cursor_node
        if node is not None and node.data in self.code_by_id:
            self._memo_on("code", node.data, f"Memo on code {self.code_by_id[node.data].path}")

    def _history(self, redo: bool) -> None:
        step = self._run(svc.redo if redo else svc.undo, self.project, self.coder_id)
        if step is None:
            self.notify(f"Nothing to {'redo' if redo else 'undo'}.")
            return
        if step.action.startswith("code."):
            self._reload_codebook()
        elif step.action.startswith("document."):
            self._documents_changed()
        if step.document_id is not None and (self.doc is None or step.document_id != self.doc.id):
            self.open_document(step.document_id)
        self._after_change(
            step.description[:1].upper() + step.description[1:],
            codings_only=step.action.startswith("coding."),
        )

    def action_undo(self) -> None:
        self._history(False)

    def action_redo(self) -> None:
        self._history(True)

    # -- navigation -----------------------------------------------------------------------------
    def action_next_coding(self, step: int) -> None:
        if self.doc is None:
            return
        view = self.query_one(TranscriptView)
        if view.step_coding(step) is None:
            self.notify("No more codings that way.")
        view.focus()

    def action_next_uncoded(self) -> None:
        if self.doc is None:
            return
        view = self.query_one(TranscriptView)
        after = view.selection[0] if view.selection else -1
        i = wb.next_uncoded_sentence(self.doc, [(c.start, c.end) for c in view.codings], after)
        if i is None:
            self.notify("Every later sentence has a coding.")
        else:
            view.select(*self.doc.sentences[i])
            view.focus()

    def action_search(self) -> None:
        if self.doc is None:
            return
        self.push_screen(PromptScreen("Find in this transcript", self.last_search), self._searched)

    def _searched(self, query: str | None) -> None:
        if query is None:
            return
        self.last_search = query
        view = self.query_one(TranscriptView)
        hits = view.find(query)
        if not hits:
            self.notify(f"“{query}” is not in this transcript.", severity="warning")
            return
        view.next_hit()
        view.focus()
        self.notify(f"{len(hits)} matches (F3: next)")

    def action_search_next(self) -> None:
        self.query_one(TranscriptView).next_hit()

    # -- lists to step through: search hits, suggestions, disagreements, flagged codings ----------------------
    def _current_item(self) -> WorkItem | None:
        return self.worklist[self.work_pos] if 0 <= self.work_pos < len(self.worklist) else None

    def _start_list(self, title: str, items: list[WorkItem], empty: str) -> None:
        if not items:
            self.notify(empty, severity="warning")
            return
        self.worklist, self.work_title, self.work_pos = items, title, -1
        self.notify(f"{len(items)} {title}: > and < step through them")
        self.action_work_step(1)

    def action_work_step(self, step: int) -> None:
        if not self.worklist:
            self.notify("No list to step through: F search, s suggestions, i disagreements, v flagged.")
            return
        pos = self.work_pos + step
        if not 0 <= pos < len(self.worklist):
            self.notify(f"End of the {self.work_title}.")
            return
        self.work_pos = pos
        item = self.worklist[pos]
        if self.doc is None or self.doc.id != item.document_id:
            self.open_document(item.document_id)
        view = self.query_one(TranscriptView)
        view.select(item.start, item.end)
        view.focus()
        self._update_status()

    def action_project_search(self) -> None:
        self.push_screen(
            PromptScreen('Search every transcript (words, "phrases", AND OR NOT NEAR)', self.last_search),
            self._project_searched,
        )

    def _project_searched(self, query: str | None) -> None:
        from beacon_qual.search.fulltext import search

        if not query:
            return
        self.last_search = self.hits_query = query
        hits = self._run(search, self.project, query, limit=200, marks=("«", "»"))
        if hits is None:
            return
        items = [
            WorkItem(
                "hit",
                h.document_id,
                h.start,
                h.end,
                f"{h.document} · {h.council or '-'} · phase {h.phase or '-'} · {h.snippet}",
            )
            for h in hits
        ]
        title = "search hits in document order"
        if len(hits) < hits.total or not hits.total_exact:
            title += f" (of {'more than ' if not hits.total_exact else ''}{hits.total:,} matching)"
        self._start_list(title, items, f"Nothing matches “{query}”.")

    def action_code_hits(self) -> None:
        """Code every hit of the project search at once: pick a code, see the count, confirm."""
        from beacon_qual.search import code_hits

        coder_id = self.coder_id
        if not self.worklist or self.worklist[0].kind != "hit" or not self.hits_query or coder_id is None:
            self.notify("Search the project with F first; then C codes every hit.", severity="warning")
            return
        query = self.hits_query

        def chosen(code_id: int, choice: object) -> None:
            if choice not in ("any", "respondent"):
                return
            hits = self._run(code_hits.all_hits, self.project, query, speaker=choice)
            if hits is None:
                return
            todo = code_hits.plan(self.project, hits, code_id, coder_id)
            added = self._run(code_hits.apply, self.project, todo, code_id, coder_id)
            if added is None:
                return
            self.recent = wb.push_recent_code(self.project, coder_id, code_id)
            message = f"Coded {len(added)} hits as {self.code_by_id[code_id].name} (u undoes one at a time)"
            if self.doc is not None:
                self._after_change(message)
            else:
                self.notify(message)

        def picked(code_id: object) -> None:
            if not isinstance(code_id, int):
                return
            every = self._run(code_hits.all_hits, self.project, query)
            spoken = self._run(code_hits.all_hits, self.project, query, speaker="respondent")
            if every is None or spoken is None:
                return
            todo = code_hits.plan(self.project, every, code_id, coder_id)
            todo_r = code_hits.plan(self.project, spoken, code_id, coder_id)
            name = self.code_by_id[code_id].name
            lines = [f"{h.document} {h.start}-{h.end}: {' '.join(h.snippet.split())[:70]}" for h in every[:8]]
            more = f"\n… and {len(every) - 8} more" if len(every) > 8 else ""
            title = (
                f"Code the hits of “{query}” as {name}?\n"
                + "\n".join(lines)
                + more
                + f"\n{len(todo.already)} have {name} from you already and stay as they are."
            )
            self.push_screen(
                ChoiceScreen(
                    title,
                    [
                        ("any", f"Yes: all {len(todo.new)} new hits in {todo.documents} documents"),
                        ("respondent", f"Yes: respondents' turns only ({len(todo_r.new)} new hits)"),
                        (None, "No: code nothing"),
                    ],
                ),
                lambda choice: chosen(code_id, choice),
            )

        self.push_screen(
            self.code_picker(title="Code every search hit as…", recent=self.recent, allow_new=False),
            picked,
        )

    def action_suggestions(self) -> None:
        from beacon_qual.search.suggest import list_suggestions

        found = list_suggestions(self.project, self.doc.id) if self.doc else []
        if not found:
            found = list_suggestions(self.project)
        items = [
            WorkItem(
                "suggestion",
                x.document_id,
                x.start,
                x.end,
                f"suggested {x.code} (matched: {', '.join(x.matched)}) · A accept R reject S skip",
                x.id,
            )
            for x in found
        ]
        self._start_list("suggestions", items, "No open suggestions: run 'beacon-qual suggest' first.")

    def action_disagreements(self) -> None:
        others = [name for name in self._coder_names() if name != self.coder_name]
        if not others:
            self.notify("No other coder in this project yet.", severity="warning")
            return
        self.push_screen(
            ChoiceScreen("Disagreements with which coder?", [(n, n) for n in others]),
            self._disagreements_with,
        )

    def _coder_names(self) -> list[str]:
        return wb.coder_names(self.project)

    def _disagreements_with(self, other: object) -> None:
        from beacon_qual.agreement import disagreements

        if not other:
            return
        found = self._run(disagreements, self.project, self.coder_name, str(other))
        if found is None:
            return
        items = [
            WorkItem(
                "disagreement",
                d.document_id,
                d.start,
                d.end,
                f"{self.coder_name}: {', '.join(d.codes_a) or '(none)'} · {other}: "
                f"{', '.join(d.codes_b) or '(none)'}",
            )
            for d in found
        ]
        if not self.show_all:
            self.action_toggle_coders()
        self._start_list(f"disagreements with {other}", items, f"No disagreements with {other}.")

    def action_review(self) -> None:
        from beacon_qual.documents.revise import codings_for_review

        items = [
            WorkItem(
                "review",
                r.document_id,
                r.start,
                r.end,
                f"flagged {r.code} ({r.method or '?'}, score {r.score or 0:.0f}) was “"
                f"{(r.old_passage or '')[:40]}” · A accept, or select and a to adjust",
                r.coding_id,
            )
            for r in codings_for_review(self.project)
        ]
        self._start_list("flagged codings", items, "No coding is flagged for review.")

    def action_decide(self, decision: str) -> None:
        from beacon_qual.documents.revise import accept_placement
        from beacon_qual.search import suggest

        item = self._current_item()
        if item is None or item.kind not in ("suggestion", "review"):
            self.notify("A, R and S decide on the current suggestion (s) or flagged coding (v).")
            return
        if item.kind == "review":
            if decision == "accept" and self._run(
                accept_placement, self.project, item.ref, coder_id=self.coder_id
            ):
                self._after_change("Placement accepted")
                self.action_work_step(1)
            return
        action = {
            "accept": suggest.accept_suggestion,
            "reject": suggest.reject_suggestion,
            "skip": suggest.skip_suggestion,
        }[decision]
        if self._run(action, self.project, item.ref, self.coder_id) is not None:
            self._after_change(
                {
                    "accept": "Suggestion accepted as your coding",
                    "reject": "Suggestion rejected",
                    "skip": "Suggestion skipped",
                }[decision]
            )
            self.action_work_step(1)

    def action_toggle_coders(self) -> None:
        self.show_all = not self.show_all  # its watcher shows the other coders' codings, or hides them
        self.notify("Showing all coders' codings" if self.show_all else "Showing only your codings")

    def action_toggle_pane(self, name: str) -> None:
        pane = self.query_one(f"#{name}")
        pane.toggle_class("hidden")
        if not pane.has_class("hidden") and name == "documents":
            self.query_one("#doc-table").focus()
        elif pane.has_class("hidden") and self.focused is not None and pane in self.focused.ancestors:
            self.query_one(TranscriptView).focus()  # never leave the keys in a hidden pane

    def action_focus_documents(self) -> None:
        self.query_one("#documents").remove_class("hidden")
        self.query_one("#doc-table").focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_sections()))

    # -- analysis views: each a screen of its own, Esc comes back --------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """On an analysis view only the view's own keys work, with help and quit: a coding key there would
        act on the transcript hidden behind it."""
        return not (getattr(self.screen, "ANALYSIS_VIEW", False) and action not in ("help", "quit"))

    def action_councils_matrix(self) -> None:
        from beacon_qual.tui.matrix import MatrixScreen

        self.push_screen(MatrixScreen(self.project))

    def action_coded_segments(self) -> None:
        from beacon_qual.tui.segments import SegmentsScreen

        def picked(code_id: object) -> None:
            if isinstance(code_id, int):
                self.push_screen(SegmentsScreen(self.project, self.code_by_id[code_id].path))

        self.push_screen(self.code_picker(title="Coded segments of which code?", allow_new=False), picked)

    def action_theme_by_measure(self) -> None:
        from beacon_qual.tui.measure import MeasureScreen

        def picked(code_id: object) -> None:
            if isinstance(code_id, int):
                self.push_screen(MeasureScreen(self.project, self.code_by_id[code_id].path))

        self.push_screen(self.code_picker(title="Chart which code?", allow_new=False), picked)

    def action_council_panel(self) -> None:
        from beacon_qual.tui.council_panel import CouncilPanel

        panels = self.query(CouncilPanel)
        if panels:
            panels.remove()
        else:
            self.query_one("#main").mount(CouncilPanel(self.project, id="council-panel"), after="#transcript")

    def action_memos(self) -> None:
        from beacon_qual.tui.memos import MemosScreen

        self.push_screen(MemosScreen(self.project))


def _rows(bindings: list[BindingType]) -> list[tuple[str, str]]:
    names = {
        "question_mark": "?",
        "slash": "/",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "left_curly_bracket": "{",
        "right_curly_bracket": "}",
        "space": "Space",
        "greater_than_sign": ">",
        "less_than_sign": "<",
        "plus": "+",
        "equals_sign": "=",
        "minus": "-",
    }
    rows = []
    for b in bindings:
        if not isinstance(b, Binding):
            continue
        keys = " / ".join(names.get(k, k) for k in b.key.split(","))
        rows.append((keys, b.description))
    return rows


def help_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    bindings = [b for b in WorkbenchApp.BINDINGS if isinstance(b, Binding)]
    recent = [b for b in bindings if b.action.startswith("apply_recent")]
    numbered = ("apply_recent", "apply_favourite")
    others: list[BindingType] = [b for b in bindings if not b.action.startswith(numbered)]
    return [
        (
            "Moving and selecting in the transcript",
            _rows(TranscriptView.BINDINGS)
            + [
                (
                    "v, then 2 } 3 w …",
                    "Selection mode: a count repeats the next motion; Enter codes, Esc leaves",
                ),
                ("mouse drag / click", "Select characters / a sentence"),
            ],
        ),
        (
            "Coding, memos, history, panes",
            _rows(others)
            + [
                ("1 … 9", f"{recent[0].description[:-2]} by number"),
                ("F1 … F9", "Apply favourite code by key (shown in the bar above the status line)"),
            ],
        ),
        (
            "Code picker",
            _rows(PickerScreen.BINDINGS)
            + [
                ("Enter", "Apply the highlighted code"),
                ("1 … 9 (first key)", "Apply that recent code, as numbered in the list"),
                ("initials", "sv finds Site visits, as a name's start finds it"),
            ],
        ),
        (
            "Documents and codebook",
            [
                ("Enter", "Open the document / apply the code"),
                ("filter box", "phase:2 role:officer council:hull uncoded, or any words"),
                ("Tab / Shift+Tab", "Move between panes"),
                ("click (in codebook)", "Select a code to read its definition"),
                ("double click", "Apply the code to the selection"),
            ],
        ),
        (
            "Codebook pane (while it has the focus)",
            _rows([b for b in CodebookPane.BINDINGS if isinstance(b, Binding)]),
        ),
        *view_sections(),
    ]


def view_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    from beacon_qual.tui.matrix import MatrixScreen
    from beacon_qual.tui.measure import MeasureScreen
    from beacon_qual.tui.memos import MemosScreen
    from beacon_qual.tui.segments import SegmentsScreen

    # each heading names the key that opens the view, read from the app's own bindings
    key = {b.action: b.key for b in WorkbenchApp.BINDINGS if isinstance(b, Binding)}
    return [
        (
            f"Councils x themes ({key['councils_matrix']})",
            _rows([b for b in MatrixScreen.BINDINGS if isinstance(b, Binding)]),
        ),
        (
            f"Coded segments ({key['coded_segments']}, or Enter on a matrix cell)",
            _rows([b for b in SegmentsScreen.BINDINGS if isinstance(b, Binding)]),
        ),
        (
            f"Theme by measure ({key['theme_by_measure']}, or g on a matrix cell)",
            _rows([b for b in MeasureScreen.BINDINGS if isinstance(b, Binding)]),
        ),
        (f"Memos ({key['memos']})", _rows([b for b in MemosScreen.BINDINGS if isinstance(b, Binding)])),
    ]


def run_workbench(project_path: Path, coder: str | None = None, document: int | None = None) -> int:
    """Run the workbench; its exit status (non-zero when it stopped on an error, whose traceback
    Textual has printed)."""
    project = Project.open(project_path)
    try:
        app = WorkbenchApp(project, coder=coder, document=document)
        app.run()
        return app.return_code or 0
    finally:
        project.close()


def _progress_cell(progress: float, done: bool) -> str:
    """A document's share of sentences coded, with a tick once it is marked done."""
    return f"{round(100 * progress)}%" + (" ✓" if done else "")
