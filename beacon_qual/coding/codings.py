"""The coding service: every change to codings and memos, for the workbench and the CLI alike.

Each function runs one transaction that writes the change and its audit record,
so a coding is on disk, with its history, before any screen confirms it.
Undo and redo read the audit trail, so they work across restarts:

* undo takes the coder's latest undoable action that is not undone, writes back
  its ``before`` state and marks it undone;
* redo takes the oldest undone action newer than the coder's latest live action,
  writes its ``after`` state again and marks it live.

A new action therefore ends the redo chain, as in any editor.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from beacon_qual.codebook.edit import bump_codebook_version
from beacon_qual.codebook.tree import code_paths
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store import codings as rows
from beacon_qual.store.changeset import KEY, is_changeset, redo_changeset, undo_changeset

UNDOABLE = (
    "coding.add",
    "coding.add_many",
    "coding.remove",
    "coding.update",
    "memo.set",
    "memo.remove",
    "doc.done",
    "doc.undone",
    # codebook and document upkeep (codebook_edit.py, document_edit.py)
    "code.create",
    "code.update",
    "code.merge",
    "code.delete",
    "document.edit",
    "document.rename",
    "document.delete",
)
_TABLES = {"codings", "memos", "document_done", "codes"}


@dataclass(frozen=True)
class Coding:
    id: int
    uuid: str
    document_id: int
    code_id: int
    coder_id: int
    start: int
    end: int
    memo: str | None
    status: str
    created_at: str
    updated_at: str | None

    @classmethod
    def from_row(cls, row: Any) -> Coding:
        return cls(**{k: row[k] for k in cls.__dataclass_fields__})


_CODING_FIELDS = tuple(Coding.__dataclass_fields__)


@dataclass(frozen=True)
class Memo:
    id: int
    uuid: str
    target_type: str
    target_id: int | None
    coder_id: int | None
    title: str | None
    text: str
    created_at: str
    updated_at: str | None

    @classmethod
    def from_row(cls, row: Any) -> Memo:
        return cls(**{k: row[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class HistoryStep:
    """What an undo or redo did, for the screen to say."""

    audit_id: int
    action: str
    entity: str
    entity_id: int | None
    document_id: int | None
    description: str


# -- reading ---------------------------------------------------------------------
def get_coding(project: Project, coding_id: int) -> Coding:
    row = rows.coding_row(project, coding_id)
    if row is None:
        raise BeaconError(f"no coding with id {coding_id}")
    return Coding.from_row(row)


def document_codings(project: Project, document_id: int, coder_id: int | None = None) -> list[Coding]:
    # the fields named in order, so each row builds its Coding by position (the workbench reads a document's
    # codings again after every change)
    found = rows.document_coding_rows(project, document_id, coder_id, _CODING_FIELDS)
    return [Coding(*r) for r in found]


def _check_span(project: Project, document_id: int, start: int, end: int) -> None:
    length = rows.document_length(project, document_id)
    if length is None:
        raise BeaconError(f"no document with id {document_id}")
    if not (0 <= start < end <= length):
        raise BeaconError(
            f"offsets {start}-{end} are not a passage of document {document_id} "
            f"(need 0 <= start < end <= {length})"
        )


def _check_code(project: Project, code_id: int) -> None:
    row = rows.code_row(project, code_id)
    if row is None:
        raise BeaconError(f"no code with id {code_id}")
    if not row["codable"]:
        raise BeaconError(f"code {row['name']!r} groups other codes and cannot be applied itself")


# -- changing codings --------------------------------------------------------------
def add_coding(
    project: Project,
    *,
    document_id: int,
    code_id: int,
    coder_id: int,
    start: int,
    end: int,
    memo: str | None = None,
    uuid: str | None = None,
    created_at: str | None = None,
    audit: bool = True,
) -> Coding:
    """Apply a code to ``text[start:end]`` of a document, for one coder.

    The offsets and the code are checked inside the write transaction, against the text as it is when the
    coding is written: another process may have revised the document since the caller last read it.
    """
    with project.transaction():
        _check_span(project, document_id, start, end)
        _check_code(project, code_id)
        dup = rows.same_coding(project, document_id, code_id, coder_id, start, end)
        if dup is not None:
            raise BeaconError(f"this passage already has that code (coding {dup['id']})")
        coding_id = rows.insert_coding(
            project,
            uuid=uuid or new_uuid(),
            document_id=document_id,
            code_id=code_id,
            coder_id=coder_id,
            start=start,
            end=end,
            memo=memo or None,
            created_at=created_at or now(),
        )
        after = rows.row_state(project, "codings", coding_id)
        if audit:
            project.audit("coding.add", "codings", coding_id, after=after, coder_id=coder_id)
    return Coding.from_row(after)


def add_codings(project: Project, items: Iterable[dict], *, coder_id: int) -> list[Coding]:
    """Apply many codings in one transaction (all or none), recorded as one action: one undo takes them
    all back (a changeset audit row, as codebook upkeep writes)."""
    with project.transaction():
        added = [add_coding(project, coder_id=coder_id, audit=False, **item) for item in items]
        if len(added) == 1:
            only = added[0]
            project.audit(
                "coding.add",
                "codings",
                only.id,
                after=rows.row_state(project, "codings", only.id),
                coder_id=coder_id,
            )
        elif added:
            states = [["codings", c.id, rows.row_state(project, "codings", c.id)] for c in added]
            project.audit(
                "coding.add_many",
                "codings",
                None,
                before={KEY: [["codings", c.id, None] for c in added]},
                after={KEY: states},
                coder_id=coder_id,
            )
        return added


def remove_coding(project: Project, coding_id: int, *, coder_id: int) -> Coding:
    with project.transaction():
        before = rows.row_state(project, "codings", coding_id)
        if before is None:
            raise BeaconError(f"no coding with id {coding_id}")
        rows.delete_row(project, "codings", coding_id)
        project.audit("coding.remove", "codings", coding_id, before=before, coder_id=coder_id)
    return Coding.from_row(before)


def _update_coding(project: Project, coding_id: int, coder_id: int, **changes: Any) -> Coding:
    with project.transaction():
        before = rows.row_state(project, "codings", coding_id)
        if before is None:
            raise BeaconError(f"no coding with id {coding_id}")
        rows.update_row(project, "codings", coding_id, {**changes, "updated_at": now()})
        after = rows.row_state(project, "codings", coding_id)
        project.audit("coding.update", "codings", coding_id, before=before, after=after, coder_id=coder_id)
    return Coding.from_row(after)


def recode(project: Project, coding_id: int, code_id: int, *, coder_id: int) -> Coding:
    """Give a coding another code, keeping its passage and memo."""
    with project.transaction():
        _check_code(project, code_id)
        current = get_coding(project, coding_id)
        if current.code_id == code_id:
            return current
        return _update_coding(project, coding_id, coder_id, code_id=code_id)


def resize(project: Project, coding_id: int, start: int, end: int, *, coder_id: int) -> Coding:
    """Move a coding's boundaries (checked against the document's text inside the write transaction)."""
    with project.transaction():
        current = get_coding(project, coding_id)
        _check_span(project, current.document_id, start, end)
        if (current.start, current.end) == (start, end):
            return current
        return _update_coding(project, coding_id, coder_id, start=start, end=end, status="ok")


def set_coding_memo(project: Project, coding_id: int, memo: str | None, *, coder_id: int) -> Coding:
    memo = (memo or "").strip() or None
    with project.transaction():
        current = get_coding(project, coding_id)
        if current.memo == memo:
            return current
        return _update_coding(project, coding_id, coder_id, memo=memo)


# -- memos on the project, documents, codes and cases -----------------------------------
MEMO_TARGETS = ("project", "document", "code", "case")


def get_memo(project: Project, target_type: str, target_id: int | None, coder_id: int) -> Memo | None:
    row = rows.memo_row(project, target_type, target_id, coder_id)
    return None if row is None else Memo.from_row(row)


def set_memo(
    project: Project, target_type: str, target_id: int | None, text: str | None, *, coder_id: int
) -> Memo | None:
    """Write the coder's memo on a target; empty text removes it."""
    if target_type not in MEMO_TARGETS:
        raise BeaconError(f"memos attach to {', '.join(MEMO_TARGETS)} (or a coding), not {target_type!r}")
    text = (text or "").strip()
    with project.transaction():
        existing = get_memo(project, target_type, target_id, coder_id)
        if existing is None and not text:
            return None
        if existing is None:
            memo_id = rows.insert_memo(
                project,
                uuid=new_uuid(),
                target_type=target_type,
                target_id=target_id,
                coder_id=coder_id,
                text=text,
                at=now(),
            )
            after = rows.row_state(project, "memos", memo_id)
            project.audit("memo.set", "memos", memo_id, after=after, coder_id=coder_id)
            return Memo.from_row(after)
        before = rows.row_state(project, "memos", existing.id)
        if not text:
            rows.delete_row(project, "memos", existing.id)
            project.audit("memo.remove", "memos", existing.id, before=before, coder_id=coder_id)
            return None
        if text == existing.text:
            return existing
        rows.update_row(project, "memos", existing.id, {"text": text, "updated_at": now()})
        after = rows.row_state(project, "memos", existing.id)
        project.audit("memo.set", "memos", existing.id, before=before, after=after, coder_id=coder_id)
        return Memo.from_row(after)


# -- documents marked fully coded ----------------------------------------------------------
def is_done(project: Project, document_id: int, coder_id: int) -> bool:
    return rows.is_done(project, document_id, coder_id)


def set_done(project: Project, document_id: int, done: bool, *, coder_id: int) -> bool:
    """Mark (or unmark) a document as fully coded by a coder; False when it already was (or was not)."""
    with project.transaction():
        row = rows.done_row(project, document_id, coder_id)
        if done and row is None:
            done_id = rows.insert_done(project, document_id, coder_id, now())
            after = rows.row_state(project, "document_done", done_id)
            project.audit("doc.done", "document_done", done_id, after=after, coder_id=coder_id)
            return True
        if not done and row is not None:
            rows.delete_row(project, "document_done", row["id"])
            project.audit("doc.undone", "document_done", row["id"], before=dict(row), coder_id=coder_id)
            return True
    return False


# -- undo and redo ---------------------------------------------------------------------
def _write_state(project: Project, table: str, row_id: int, state: dict | None) -> None:
    if table not in _TABLES:
        raise BeaconError(f"cannot undo changes to {table}")
    rows.write_state(project, table, row_id, state)


def _describe(action: str, before: dict | None, after: dict | None, verb: str) -> str:
    """What an undone or redone action was, in a coder's words."""
    if action == "code.update" and before and after:
        changed = {k for k in before if before.get(k) != after.get(k)}
        what = (
            "renaming a code"
            if "name" in changed
            else "moving a code"
            if "parent_id" in changed
            else "recolouring a code"
            if changed == {"colour"}
            else "marking a code as a group"
            if changed == {"codable"} and not after.get("codable")
            else "making a group code applicable"
            if changed == {"codable"}
            else "editing a code"
        )
    elif action == "coding.add_many" and after:
        what = f"applying a code to {len(after.get('changeset', []))} passages"
    elif action == "coding.update" and before and after:
        changed = {k for k in before if k != "updated_at" and before.get(k) != after.get(k)}
        what = (
            "writing a memo on a coding"
            if changed == {"memo"}
            else "recoding"
            if "code_id" in changed
            else "adjusting a coding's boundaries"
            if changed & {"start", "end"}
            else "changing a coding"
        )
    else:
        what = {
            "coding.add": "applying a code",
            "coding.remove": "removing a coding",
            "coding.update": "changing a coding",
            "memo.set": "writing a memo",
            "memo.remove": "removing a memo",
            "doc.done": "marking a document done",
            "doc.undone": "unmarking a document done",
            "code.create": "adding a code",
            "code.merge": "merging codes",
            "code.delete": "deleting a code",
            "document.edit": "editing a document's details",
            "document.rename": "renaming a document",
            "document.delete": "deleting a document",
        }.get(action, action)
    return f"{verb} {what}"


def _step(project: Project, coder_id: int, *, redo: bool) -> HistoryStep | None:
    with project.transaction():
        row = (
            rows.next_undone_action(project, coder_id, UNDOABLE)
            if redo
            else rows.latest_live_action(project, coder_id, UNDOABLE)
        )
        if row is None:
            return None
        before = json.loads(row["before"]) if row["before"] else None
        after = json.loads(row["after"]) if row["after"] else None
        verb = "redo" if redo else "undo"
        if is_changeset(before) or is_changeset(after):
            what = f"{verb} {row['action']} (audit {row['id']})"
            (redo_changeset if redo else undo_changeset)(project, what, before, after)
            current = target = None
        else:
            target = after if redo else before
            current = rows.row_state(project, row["entity"], row["entity_id"])
            expected = before if redo else after
            if current != expected and not _same_but_time(current, expected):
                raise BeaconError(
                    f"cannot {verb} {row['action']} (audit {row['id']}): "
                    "the row has changed since; nothing was changed"
                )
            if (
                row["entity"] == "codings"
                and target is not None
                and _revised_since(project, target, row["at"])
            ):
                raise BeaconError(
                    f"cannot {verb} {row['action']} (audit {row['id']}): its document has "
                    "been revised since, so its offsets belong to an older text; nothing was changed"
                )
            if row["entity"] == "codings" and target is not None:
                _check_restorable(project, target, row, redo)
            try:
                _write_state(project, row["entity"], row["entity_id"], target)
            except sqlite3.IntegrityError as exc:
                raise BeaconError(
                    f"cannot {verb} {row['action']} (audit {row['id']}): a row it needs has changed since"
                    f" ({exc}); nothing was changed"
                ) from None
        if row["action"].startswith("code."):
            bump_codebook_version(project)
        rows.mark_undone(project, row["id"], not redo)
        project.audit(
            "history.redo" if redo else "history.undo",
            row["entity"],
            row["entity_id"],
            before=current,
            after=target,
            coder_id=coder_id,
        )
    state = target or current or {}
    doc = state.get("document_id") if row["entity"] in ("codings", "document_done") else None
    return HistoryStep(
        row["id"],
        row["action"],
        row["entity"],
        row["entity_id"],
        doc,
        _describe(row["action"], before, after, "redid" if redo else "undid")
        + _coding_words(project, row["entity"], target or before or after),
    )


def _check_restorable(project: Project, coding: dict, action: Any, redo: bool) -> None:
    """Refuse to write back a coding whose offsets do not fit its document's text as it is now."""
    length = rows.document_length(project, coding["document_id"])
    if length is None or not 0 <= coding["start"] < coding["end"] <= length:
        raise BeaconError(
            f"cannot {'redo' if redo else 'undo'} {action['action']} (audit {action['id']}): the coding's "
            f"offsets {coding['start']}-{coding['end']} are not a passage of document {coding['document_id']} "
            "as it is now; nothing was changed"
        )


def _coding_words(project: Project, entity: str, state: dict | None) -> str:
    """' Code “first words of the passage…”' for a coding, so an undo message says which one it was."""
    if entity != "codings" or not state:
        return ""
    start = state.get("start", 0)
    length = min(max(state.get("end", 0) - start, 0), 200)
    row = rows.code_and_passage(project, state.get("code_id"), state.get("document_id"), start, length)
    if row is None:
        return ""
    words = row[1].split()
    passage = " ".join(words[:5]) + ("…" if len(words) > 5 else "")
    return f": {row[0]} “{passage}”"


def _revised_since(project: Project, coding: dict, at: str) -> bool:
    """True when the coding's document got a new text (``beacon-qual revise``) after ``at``."""
    return rows.revised_since(project, coding["document_id"], at)


def _same_but_time(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return a is b
    return {k: v for k, v in a.items() if k != "updated_at"} == {
        k: v for k, v in b.items() if k != "updated_at"
    }


def undo(project: Project, coder_id: int) -> HistoryStep | None:
    """Undo the coder's latest coding or memo action; None when there is nothing to undo."""
    return _step(project, coder_id, redo=False)


def redo(project: Project, coder_id: int) -> HistoryStep | None:
    """Redo the coder's most recently undone action; None when there is nothing to redo."""
    return _step(project, coder_id, redo=True)


# -- listing -------------------------------------------------------------------------
@dataclass(frozen=True)
class CodingView:
    id: int
    uuid: str
    document_id: int
    document: str
    council: str | None
    phase: int | None
    role: str | None
    code_id: int
    code: str
    coder: str
    start: int
    end: int
    text: str
    memo: str | None
    status: str
    created_at: str

    def as_dict(self) -> dict:
        return asdict(self)


def list_codings(
    project: Project,
    *,
    document_id: int | None = None,
    coder_id: int | None = None,
    code_id: int | None = None,
) -> list[CodingView]:
    paths = code_paths(project)  # {code id: "Parent/Child"}
    found = rows.coding_view_rows(project, document_id=document_id, coder_id=coder_id, code_id=code_id)
    return [
        CodingView(
            r["id"],
            r["uuid"],
            r["document_id"],
            r["document"],
            r["council"],
            r["phase"],
            r["role"],
            r["code_id"],
            paths.get(r["code_id"], str(r["code_id"])),
            r["coder"],
            r["start"],
            r["end"],
            r["passage"],
            r["memo"],
            r["status"],
            r["created_at"],
        )
        for r in found
    ]
