"""Keeping the project in shape from the workbench: the codebook pane's editing keys and the document form.

The keys call the same services as ``beacon-qual codebook ...`` and ``beacon-qual docs edit``
(:mod:`beacon_qual.codebook.edit`, :mod:`beacon_qual.documents.edit`); every change is audited and ``u``
undoes it. :class:`UpkeepActions` is mixed into the workbench app.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, TextArea, Tree
from textual.widgets.tree import TreeNode

from beacon_qual.codebook import edit
from beacon_qual.documents import edit as docedit
from beacon_qual.store.lookup import codings_of_code, document_details, document_exists
from beacon_qual.tui.readmodel import CodeInfo
from beacon_qual.tui.screens import TOP_LEVEL, ConfirmScreen, PickerScreen, PromptScreen

# Keys of the codebook pane (active while it has the focus), listed in `?`.
CODEBOOK_BINDINGS = [
    Binding("n", "app.code_new", "New code", show=False),
    Binding("e", "app.code_edit", "Edit code: name, colour, definition, rules, keywords, group", show=False),
    Binding("v", "app.code_move", "Move code under another parent", show=False),
    Binding("g", "app.code_merge", "Merge code into another", show=False),
    Binding("x,delete", "app.code_delete", "Delete code with its codings", show=False),
]
DOCUMENT_BINDING = Binding("E", "document_edit", "Edit document details", show=False)


class CodeTree(Tree[int]):
    """The code tree: a click selects a code to read its definition; Enter or a double click applies it."""

    async def _on_click(self, event: events.Click) -> None:
        meta = event.style.meta
        if "line" not in meta or meta.get("toggle", False):
            return  # Tree's own handler expands and collapses
        event.prevent_default()
        async with self.lock:
            self.cursor_line = meta["line"]
            if event.chain >= 2:
                await self.run_action("select_cursor")

    def relabel(self, node: TreeNode[int], label: Text) -> None:
        """Give ``node`` a new label and draw its own line again. ``TreeNode.set_label`` draws every line of
        the node's subtree again, and a relabelled code with its children expanded would redraw the pane."""
        node._label = self.process_label(label)
        node._updates += 1  # the node's line is drawn anew, not taken from the tree's cache
        if self._tree_lines_cached is None:  # the lines are to be built again: after that, as set_label does
            self.call_later(self._refresh_node, node)
        elif node._line != -1:
            self._refresh_line(node._line)


class FormScreen(ModalScreen[dict | None]):
    """A form of labelled fields. Ctrl+S saves (returns the values that changed), Esc cancels."""

    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    HINT = "Tab next field   Ctrl+S save   Esc cancel"

    def __init__(self, title: str, fields: list[tuple[str, str, Any, str]]) -> None:
        """``fields``: (key, label, value, kind) with kind 'line', 'text' (several lines) or 'check'."""
        super().__init__()
        self.title_text = title
        self.fields = fields

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Label(self.title_text, id="form-title")
            with VerticalScroll(id="form-fields"):
                for key, label, value, kind in self.fields:
                    if kind == "check":
                        yield Checkbox(label, bool(value), id=f"f-{key}")
                        continue
                    with Horizontal(classes="form-row"):
                        yield Label(label, classes="form-label")
                        if kind == "text":
                            yield TextArea(value or "", id=f"f-{key}", classes="form-text")
                        else:
                            yield Input(value or "", id=f"f-{key}", classes="form-line")
            yield Label(self.HINT, classes="hint")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, _label, _value, kind in self.fields:
            widget = self.query_one(f"#f-{key}")
            if kind == "check":
                out[key] = bool(widget.value)  # type: ignore[attr-defined]
            elif kind == "text":
                out[key] = widget.text  # type: ignore[attr-defined]
            else:
                out[key] = widget.value  # type: ignore[attr-defined]
        return out

    def action_save(self) -> None:
        before = {key: (value if kind == "check" else value or "") for key, _l, value, kind in self.fields}
        self.dismiss({k: v for k, v in self.values().items() if v != before[k]})

    def action_cancel(self) -> None:
        self.dismiss(None)


def code_form(code: CodeInfo) -> FormScreen:
    return FormScreen(
        f"Code {code.path}",
        [
            ("name", "Name", code.name, "line"),
            ("colour", "Colour", code.colour, "line"),
            ("definition", "Definition", code.description, "text"),
            ("include", "Include", code.inclusion, "text"),
            ("exclude", "Exclude", code.exclusion, "text"),
            ("example", "Example", code.example, "text"),
            ("keywords", "Keywords", ", ".join(code.keywords), "line"),
            ("group", "Group: holds other codes, cannot be applied", not code.codable, "check"),
        ],
    )


DELETE = "__delete__"  # what the document form returns when the user asks to delete the document


class DocumentFormScreen(FormScreen):
    """The document's details; Ctrl+D asks to delete the document instead."""

    BINDINGS = [*FormScreen.BINDINGS, Binding("ctrl+d", "delete", "Delete document", priority=True)]
    HINT = "Tab next field   Ctrl+S save   Ctrl+D delete the document   Esc cancel"

    def action_delete(self) -> None:
        self.dismiss({DELETE: True})


def document_form(project, document_id: int) -> FormScreen:
    row = document_details(project, document_id)
    return DocumentFormScreen(
        f"Document {row['name']}  ('-' clears a field)",
        [
            ("name", "Name", row["name"], "line"),
            ("council", "Council", row["council"], "line"),
            ("phase", "Phase", None if row["phase"] is None else str(row["phase"]), "line"),
            ("role", "Role", row["role"], "line"),
            ("date", "Date", row["interview_date"], "line"),
            ("interviewer", "Interviewer", row["interviewer"], "line"),
            ("respondent", "Respondent", row["respondent"], "line"),
        ],
    )


class UpkeepActions:
    """Workbench actions for codebook and document upkeep (mixed into WorkbenchApp)."""

    # provided by the app
    project: Any
    coder_id: int | None
    code_by_id: dict[int, CodeInfo]
    codes: list[CodeInfo]
    doc: Any

    def _highlighted_code(self) -> CodeInfo | None:
        node = self.query_one("#code-tree", Tree).cursor_node  # type: ignore[attr-defined]
        code = self.code_by_id.get(node.data) if node is not None else None
        if code is None:
            self.notify("Highlight a code in the codebook first.", severity="warning")  # type: ignore[attr-defined]
        return code

    def _codebook_changed(self, message: str, code_id: int | None = None) -> None:
        """Show the codebook (and the codings of the open document) as they now are."""
        self._reload_codebook(code_id)
        self._after_change(message) if self.doc is not None else self.notify(message, timeout=2.5)  # type: ignore[attr-defined]

    def _reload_codebook(self, code_id: int | None = None) -> None:
        self._load_codes()  # type: ignore[attr-defined]
        self.recent = [c for c in self.recent if c in self.code_by_id]  # type: ignore[has-type]
        if code_id is not None:
            self._reveal_code(code_id)

    def _reveal_code(self, code_id: int) -> None:
        tree = self.query_one("#code-tree", Tree)  # type: ignore[attr-defined]
        chain = []
        current = self.code_by_id.get(code_id)
        while current is not None:
            chain.append(current.id)
            current = self.code_by_id.get(current.parent_id) if current.parent_id is not None else None
        for cid in reversed(chain):
            node = self.tree_nodes.get(cid)  # type: ignore[attr-defined]
            if node is not None and cid != code_id:
                node.expand()
        node = self.tree_nodes.get(code_id)  # type: ignore[attr-defined]
        if node is not None:  # once the tree has laid out its new lines
            self.call_after_refresh(tree.move_cursor, node)  # type: ignore[attr-defined]

    def action_code_new(self) -> None:
        here = self._highlighted_code_quiet()

        def named(name: str | None) -> None:
            if not name or not name.strip():
                return

            def parent_chosen(parent: object) -> None:
                if parent is not None:
                    self._add(name.strip(), parent)

            self.push_screen(  # type: ignore[attr-defined]
                PickerScreen(
                    self.picker,  # type: ignore[attr-defined]
                    title=f"Parent for the new code “{name.strip()}”",
                    allow_new=False,
                    parent_mode=True,
                    codes=self.codes,
                ),
                parent_chosen,
            )

        title = "Name of the new code" + (f" (next: choose its parent; now at {here.path})" if here else "")
        self.push_screen(PromptScreen(title), named)  # type: ignore[attr-defined]

    def _highlighted_code_quiet(self) -> CodeInfo | None:
        node = self.query_one("#code-tree", Tree).cursor_node  # type: ignore[attr-defined]
        return self.code_by_id.get(node.data) if node is not None else None

    def _add(self, name: str, parent: object) -> None:
        parent_id = None if parent == TOP_LEVEL else int(parent)  # type: ignore[call-overload]
        code = self._run(edit.add_code, self.project, name, parent_id, coder_id=self.coder_id)  # type: ignore[attr-defined]
        if code is not None:
            self._codebook_changed(f"Added {code.path} (u undoes)", code.id)

    def action_code_edit(self) -> None:
        code = self._highlighted_code()
        if code is None:
            return

        def saved(values: dict | None) -> None:
            if not values:
                return
            done = self._run(edit.change_code, self.project, code.id, coder_id=self.coder_id, **values)  # type: ignore[attr-defined]
            if done is not None:
                self._codebook_changed(f"Saved {done.path} (u undoes)", code.id)

        self.push_screen(code_form(code), saved)  # type: ignore[attr-defined]

    def action_code_move(self) -> None:
        code = self._highlighted_code()
        if code is None:
            return

        def chosen(parent: object) -> None:
            if parent is None:
                return
            parent_id = None if parent == TOP_LEVEL else int(parent)  # type: ignore[call-overload]
            done = self._run(edit.move_code, self.project, code.id, parent_id, coder_id=self.coder_id)  # type: ignore[attr-defined]
            if done is not None:
                self._codebook_changed(f"Moved to {done.path} (u undoes)", code.id)

        self.push_screen(  # type: ignore[attr-defined]
            PickerScreen(
                self.picker,  # type: ignore[attr-defined]
                title=f"Move {code.path} under…",
                allow_new=False,
                parent_mode=True,
                codes=[c for c in self.codes if c.id != code.id and not c.path.startswith(code.path + "/")],
            ),
            chosen,
        )

    def action_code_merge(self) -> None:
        code = self._highlighted_code()
        if code is None:
            return

        def chosen(target: object) -> None:
            if target is None or target == TOP_LEVEL:
                return
            into = self.code_by_id[int(target)]  # type: ignore[call-overload]
            n = codings_of_code(self.project, code.id)
            question = (
                f"Merge {code.path} ({n} codings) into {into.path}? Its codings, memos and subcodes move there "
                "and the code is removed (u undoes)."
            )
            self.push_screen(ConfirmScreen(question), partial(self._merge, code, into))  # type: ignore[attr-defined]

        self.push_screen(  # type: ignore[attr-defined]
            PickerScreen(
                self.picker,  # type: ignore[attr-defined]
                title=f"Merge {code.path} into…",
                allow_new=False,
                parent_mode=True,
                codes=[c for c in self.codes if c.id != code.id],
            ),
            chosen,
        )

    def _merge(self, code: CodeInfo, into: CodeInfo, confirmed: bool | None) -> None:
        if not confirmed:
            return
        report = self._run(edit.merge_codes, self.project, code.id, into.id, coder_id=self.coder_id)  # type: ignore[attr-defined]
        if report is not None:
            self._codebook_changed(
                f"Merged into {report.target}: {report.moved} codings moved, {report.merged} merged (u undoes)",
                into.id,
            )

    def action_code_delete(self) -> None:
        code = self._highlighted_code()
        if code is None:
            return
        impact = self._run(edit.delete_impact, self.project, code.id)  # type: ignore[attr-defined]
        if impact is None:
            return

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            done = self._run(edit.delete_code, self.project, code.id, coder_id=self.coder_id)  # type: ignore[attr-defined]
            if done is not None:
                self._codebook_changed(f"Deleted {done.path} with {done.codings} codings (u undoes)")

        self.push_screen(ConfirmScreen(f"Delete {impact.describe()}?"), confirmed)  # type: ignore[attr-defined]

    def action_document_edit(self) -> None:
        from textual.widgets import DataTable

        document_id = self.doc.id if self.doc is not None else None
        table = self.query_one("#doc-table", DataTable)  # type: ignore[attr-defined]
        if table.has_focus and table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            document_id = int(key) if key is not None else document_id
        if document_id is None:
            self.notify("Open or highlight a document first.", severity="warning")  # type: ignore[attr-defined]
            return

        def saved(values: dict | None) -> None:
            if not values:
                return
            if values.get(DELETE):
                self._delete_document(document_id)
                return
            report = self._run(  # type: ignore[attr-defined]
                docedit.edit_document, self.project, document_id, coder_id=self.coder_id, **values
            )
            if report is not None:
                self._documents_changed(document_id)
                what = ", ".join(report.changed) or "nothing"
                self.notify(f"Saved {report.document}: {what} changed (u undoes)", timeout=3)  # type: ignore[attr-defined]

        self.push_screen(document_form(self.project, document_id), saved)  # type: ignore[attr-defined]

    def _delete_document(self, document_id: int) -> None:
        """Ask, with what would go, then delete the document through the same service as 'docs delete'
        (a backup first; one undoable change)."""
        impact = self._run(docedit.delete_impact, self.project, document_id)  # type: ignore[attr-defined]
        if impact is None:
            return

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            done = self._run(  # type: ignore[attr-defined]
                docedit.delete_document, self.project, document_id, coder_id=self.coder_id
            )
            if done is None:
                return
            if self.doc is not None and self.doc.id == document_id:
                from beacon_qual.tui.transcript import TranscriptView

                self.doc = None
                self.query_one(TranscriptView).clear()  # type: ignore[attr-defined]
            self._documents_changed()
            self.notify(f"Deleted {done.describe()}; backup {done.backup.name} (u undoes)", timeout=5)  # type: ignore[attr-defined]

        question = f"Delete {impact.describe()}? A backup of the project is written first."
        self.push_screen(ConfirmScreen(question), confirmed)  # type: ignore[attr-defined]

    def _documents_changed(self, document_id: int | None = None) -> None:
        """Show the document list, and the open document's details, as they now are."""
        from beacon_qual.tui import readmodel as wb

        self._load_documents()  # type: ignore[attr-defined]
        if self.doc is not None:
            exists = document_exists(self.project, self.doc.id)
            if exists:
                self.doc = wb.load_document(self.project, self.doc.id)
                from beacon_qual.tui.transcript import TranscriptView

                self.query_one(TranscriptView).doc = self.doc  # type: ignore[attr-defined]
        self._update_status()  # type: ignore[attr-defined]
