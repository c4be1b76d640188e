"""The rows behind the coding service: codings, memos, done marks, and the audit steps undo and redo take.

Each function is one statement (``write_state``: a read and a write). They take plain values and return rows,
ids or row states (``dict``); the checks, the audit records and the undo rules are the service's
(``coding.codings``). Table names passed in are the service's own, never a user's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from beacon_qual.store.db import Project
from beacon_qual.store.rows import inserted_id


# -- any row by id ---------------------------------------------------------------------------------------------
def row_state(project: Project, table: str, row_id: int | None) -> dict | None:
    """A row as a dict of its columns; None when there is none."""
    row = project.one(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
    return None if row is None else dict(row)


def update_row(project: Project, table: str, row_id: int, values: dict[str, Any]) -> None:
    sets = ", ".join(f"{c} = ?" for c in values)
    project.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values.values(), row_id))


def delete_row(project: Project, table: str, row_id: int | None) -> None:
    project.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))


def write_state(project: Project, table: str, row_id: int, state: dict | None) -> None:
    """Make row ``row_id`` of ``table`` be ``state``: delete it (None), insert it, or update what differs.

    An UPDATE, not INSERT OR REPLACE: a replaced row goes without its delete triggers, and the tables those
    triggers keep (coding_units, coding_counts) would count it twice.
    """
    if state is None:
        delete_row(project, table, row_id)
        return
    current = row_state(project, table, row_id)
    if current is None:
        cols = list(state)
        project.execute(
            f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [state[c] for c in cols],
        )
        return
    changed = {c: state[c] for c in state if c != "id" and state[c] != current.get(c)}
    if changed:
        update_row(project, table, row_id, changed)


# -- documents and codes, as a coding needs them -----------------------------------------------------------------
def document_length(project: Project, document_id: int) -> int | None:
    """The length of a document's text in code points; None when there is no such document."""
    return project.scalar("SELECT length(text) FROM documents WHERE id = ?", (document_id,))


def code_row(project: Project, code_id: int) -> sqlite3.Row | None:
    """A code's ``name`` and ``codable``."""
    return project.one("SELECT name, codable FROM codes WHERE id = ?", (code_id,))


def revised_since(project: Project, document_id: int, at: str) -> bool:
    """True when the document got a new text after ``at``."""
    return bool(
        project.scalar(
            "SELECT EXISTS (SELECT 1 FROM document_revisions WHERE document_id = ? AND replaced_at > ?)",
            (document_id, at),
        )
    )


def code_and_passage(
    project: Project, code_id: int | None, document_id: int | None, start: int, length: int
) -> sqlite3.Row | None:
    """A code's name and ``length`` characters of a document's text from ``start``."""
    return project.one(
        "SELECT k.name, substr(d.text, :start + 1, :length) FROM codes k, documents d"
        " WHERE k.id = :code AND d.id = :doc",
        {"start": start, "length": length, "code": code_id, "doc": document_id},
    )


# -- codings -----------------------------------------------------------------------------------------------------
def coding_row(project: Project, coding_id: int) -> sqlite3.Row | None:
    return project.one("SELECT * FROM codings WHERE id = ?", (coding_id,))


def document_coding_rows(
    project: Project, document_id: int, coder_id: int | None, columns: Sequence[str]
) -> list[sqlite3.Row]:
    """A document's codings (one coder's, when given) in passage order, ``columns`` in that order."""
    sql = f"SELECT {', '.join(columns)} FROM codings WHERE document_id = ?"
    params: list[Any] = [document_id]
    if coder_id is not None:
        sql += " AND coder_id = ?"
        params.append(coder_id)
    return project.execute(sql + " ORDER BY start, end, id", params).fetchall()


def same_coding(
    project: Project, document_id: int, code_id: int, coder_id: int, start: int, end: int
) -> sqlite3.Row | None:
    """The coder's coding with this code on exactly this passage, if there is one (the row in full). Adding a
    coding, accepting a suggestion, merging codes and importing REFI-QDA codings all ask it."""
    return project.one(
        "SELECT * FROM codings WHERE document_id=? AND code_id=? AND coder_id=? AND start=? AND end=?",
        (document_id, code_id, coder_id, start, end),
    )


def insert_coding(
    project: Project,
    *,
    uuid: str,
    document_id: int,
    code_id: int,
    coder_id: int,
    start: int,
    end: int,
    memo: str | None,
    created_at: str,
) -> int:
    cur = project.execute(
        "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, memo, created_at)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (uuid, document_id, code_id, coder_id, start, end, memo, created_at),
    )
    return inserted_id(cur)


def coding_view_rows(
    project: Project, *, document_id: int | None, coder_id: int | None, code_id: int | None
) -> Iterable[sqlite3.Row]:
    """Codings with their document's details, coder's name and passage (``passage``), filtered by what is
    given, in document and passage order."""
    where, params = [], []
    for col, value in (("c.document_id", document_id), ("c.coder_id", coder_id), ("c.code_id", code_id)):
        if value is not None:
            where.append(f"{col} = ?")
            params.append(value)
    sql = (
        "SELECT c.*, d.name AS document, cs.name AS council, d.phase, d.role, u.name AS coder,"
        " substr(d.text, c.start + 1, c.end - c.start) AS passage"
        " FROM codings c JOIN documents d ON d.id = c.document_id JOIN coders u ON u.id = c.coder_id"
        " LEFT JOIN cases cs ON cs.id = d.case_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    return project.execute(sql + " ORDER BY c.document_id, c.start, c.end, c.id", params)


# -- memos and done marks -----------------------------------------------------------------------------------------
def memo_row(project: Project, target_type: str, target_id: int | None, coder_id: int) -> sqlite3.Row | None:
    """The coder's (first) memo on a target."""
    return project.one(
        "SELECT * FROM memos WHERE target_type = ? AND target_id IS ? AND coder_id IS ? ORDER BY id LIMIT 1",
        (target_type, target_id, coder_id),
    )


def insert_memo(
    project: Project, *, uuid: str, target_type: str, target_id: int | None, coder_id: int, text: str, at: str
) -> int:
    cur = project.execute(
        "INSERT INTO memos(uuid, target_type, target_id, coder_id, text, created_at) VALUES (?,?,?,?,?,?)",
        (uuid, target_type, target_id, coder_id, text, at),
    )
    return inserted_id(cur)


def done_row(project: Project, document_id: int, coder_id: int) -> sqlite3.Row | None:
    """The coder's mark that a document is fully coded."""
    return project.one(
        "SELECT * FROM document_done WHERE document_id = ? AND coder_id = ?", (document_id, coder_id)
    )


def is_done(project: Project, document_id: int, coder_id: int) -> bool:
    return bool(
        project.scalar(
            "SELECT EXISTS (SELECT 1 FROM document_done WHERE document_id = ? AND coder_id = ?)",
            (document_id, coder_id),
        )
    )


def insert_done(project: Project, document_id: int, coder_id: int, at: str) -> int:
    cur = project.execute(
        "INSERT INTO document_done (document_id, coder_id, at) VALUES (?, ?, ?)", (document_id, coder_id, at)
    )
    return inserted_id(cur)


# -- the audit trail, as undo and redo walk it ---------------------------------------------------------------------
def _in(actions: tuple[str, ...]) -> str:
    return ",".join(f"'{a}'" for a in actions)


def latest_live_action(project: Project, coder_id: int, actions: tuple[str, ...]) -> sqlite3.Row | None:
    """The coder's newest audit row of one of ``actions`` that is not undone."""
    return project.one(
        f"SELECT * FROM audit WHERE coder_id = ? AND undone = 0 AND action IN ({_in(actions)})"
        " ORDER BY id DESC LIMIT 1",
        (coder_id,),
    )


def next_undone_action(project: Project, coder_id: int, actions: tuple[str, ...]) -> sqlite3.Row | None:
    """The coder's oldest undone audit row of one of ``actions`` newer than their newest live one."""
    last_live = project.scalar(
        f"SELECT coalesce(max(id), 0) FROM audit WHERE coder_id = ? AND undone = 0 AND action IN ({_in(actions)})",
        (coder_id,),
    )
    return project.one(
        f"SELECT * FROM audit WHERE coder_id = ? AND undone = 1 AND id > ? AND action IN ({_in(actions)})"
        " ORDER BY id LIMIT 1",
        (coder_id, last_live),
    )


def mark_undone(project: Project, audit_id: int, undone: bool) -> None:
    project.execute("UPDATE audit SET undone = ? WHERE id = ?", (1 if undone else 0, audit_id))
