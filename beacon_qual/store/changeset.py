"""Changesets: many rows changed by one action, recorded in one audit row so that one undo takes it back.

Codebook and document upkeep (merging codes, deleting a code with its codings, deleting a document with its
units, codings and memos, editing a document's details) change rows of several tables at once. A
:class:`Changeset` makes each change and remembers it; :meth:`Changeset.audit` writes them all as one audit
record whose ``before`` and ``after`` are ``{"changeset": [[table, rowid, state], ...]}`` in the order the
changes were made. A state is ``None`` (no row), the whole row (an insert or a delete) or only the columns an
update changed.

:func:`undo_changeset` checks that every row is still as the action left it, then writes the ``before`` states
in reverse order (parents come back before the rows that refer to them); :func:`redo_changeset` checks the
``before`` states and writes the ``after`` states in order. Rows that triggers keep (search index, placements,
counts) follow by those triggers.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from beacon_qual.errors import BeaconError
from beacon_qual.store import Project

KEY = "changeset"
_IGNORED = frozenset({"updated_at"})


def _key_column(project: Project, table: str) -> str:
    columns = {r[1] for r in project.execute(f"PRAGMA table_info({table})")}
    if not columns:
        raise BeaconError(f"the project has no table {table!r}")
    return "id" if "id" in columns else "rowid"


def _row(project: Project, table: str, key: int) -> dict[str, Any] | None:
    row = project.one(f"SELECT * FROM {table} WHERE {_key_column(project, table)} = ?", (key,))
    return None if row is None else dict(row)


class Changeset:
    """Rows changed by one action; write them with :meth:`insert`, :meth:`update` and :meth:`delete`."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.changes: list[tuple[str, int, dict[str, Any] | None, dict[str, Any] | None]] = []

    def __len__(self) -> int:
        return len(self.changes)

    def insert(self, table: str, values: dict[str, Any]) -> int:
        cols = list(values)
        cur = self.project.execute(
            f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [values[c] for c in cols],
        )
        key = int(cur.lastrowid or 0)
        self.changes.append((table, key, None, _row(self.project, table, key)))
        return key

    def update(self, table: str, key: int, **values: Any) -> bool:
        """Change some columns of a row; only those that differ are written and recorded."""
        current = _row(self.project, table, key)
        if current is None:
            raise BeaconError(f"no row {key} in {table}")
        changed = {c: v for c, v in values.items() if current.get(c) != v}
        if not changed:
            return False
        self.project.execute(
            f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in changed)} WHERE {_key_column(self.project, table)} = ?",
            [*changed.values(), key],
        )
        self.changes.append((table, key, {c: current[c] for c in changed}, changed))
        return True

    def delete(self, table: str, key: int) -> dict[str, Any]:
        current = _row(self.project, table, key)
        if current is None:
            raise BeaconError(f"no row {key} in {table}")
        self.project.execute(f"DELETE FROM {table} WHERE {_key_column(self.project, table)} = ?", (key,))
        self.changes.append((table, key, current, None))
        return current

    def audit(self, action: str, entity: str, entity_id: int | None, *, coder_id: int | None) -> int:
        return self.project.audit(
            action,
            entity,
            entity_id,
            before={KEY: [[t, k, b] for t, k, b, _a in self.changes]},
            after={KEY: [[t, k, a] for t, k, _b, a in self.changes]},
            coder_id=coder_id,
        )


def is_changeset(state: dict | None) -> bool:
    return isinstance(state, dict) and KEY in state


def _matches(current: dict[str, Any] | None, expected: dict[str, Any] | None) -> bool:
    if expected is None or current is None:
        return expected is None and current is None
    return all(current.get(c) == v for c, v in expected.items() if c not in _IGNORED)


def _write(project: Project, table: str, key: int, state: dict[str, Any] | None) -> None:
    key_column = _key_column(project, table)
    if state is None:
        project.execute(f"DELETE FROM {table} WHERE {key_column} = ?", (key,))
        return
    if _row(project, table, key) is None:
        values = dict(state)
        if key_column == "rowid":
            values["rowid"] = key
        cols = list(values)
        project.execute(
            f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [values[c] for c in cols],
        )
        return
    cols = [c for c in state if c != "id"]
    if cols:
        project.execute(
            f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in cols)} WHERE {key_column} = ?",
            [*(state[c] for c in cols), key],
        )


def _final(states: list) -> dict[tuple[str, int], dict[str, Any] | None]:
    """Each row's state once every step has been written (a row may change more than once)."""
    out: dict[tuple[str, int], dict[str, Any] | None] = {}
    for table, key, state in states:
        previous = out.get((table, key))
        if state is not None and previous is not None and (table, key) in out:
            state = {**previous, **state}
        out[(table, key)] = state
    return out


def _replay(project: Project, what: str, expected: list, target: list, *, reverse: bool) -> None:
    """Check every row is as ``expected`` leaves it, then write ``target`` (backwards for an undo)."""
    for (table, key), want in _final(list(reversed(expected)) if not reverse else expected).items():
        if not _matches(_row(project, table, key), want):
            raise BeaconError(
                f"cannot {what}: a row of {table} ({key}) has changed since; nothing was changed"
            )
    steps = list(reversed(target)) if reverse else list(target)
    try:
        for table, key, state in steps:
            _write(project, table, key, state)
    except sqlite3.IntegrityError as exc:
        raise BeaconError(
            f"cannot {what}: a row it needs has changed since ({exc}); nothing was changed"
        ) from None


def undo_changeset(project: Project, what: str, before: dict | None, after: dict | None) -> None:
    """Write back the ``before`` states of a changeset (call inside a transaction)."""
    _replay(project, what, (after or {})[KEY], (before or {})[KEY], reverse=True)


def redo_changeset(project: Project, what: str, before: dict | None, after: dict | None) -> None:
    """Write the ``after`` states of a changeset again (call inside a transaction)."""
    _replay(project, what, (before or {})[KEY], (after or {})[KEY], reverse=False)
