"""The rows behind the code tree and its upkeep: codes, and the codings, suggestions and memos a merge or a
deletion of codes moves.

Each function is one statement. They take plain values and return rows, ids or counts; the tree, the checks,
the audit records and the changesets are the services' (``codebook.tree``, ``codebook.edit``,
``codebook.load``). Cheap to import: ``codebook.tree`` reads through it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from beacon_qual.store.db import Project
from beacon_qual.store.rows import inserted_id
from beacon_qual.store.schema import CODE_COLUMNS

_INSERT_CODE = (
    "INSERT INTO codes(uuid, parent_id, name, description, inclusion, exclusion, example, colour,"
    " keywords, codable, sort_order, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)


# -- reading codes ---------------------------------------------------------------------------------------------
def code_rows(project: Project, columns: str = "*", schema: str | None = None) -> sqlite3.Cursor:
    """``columns`` of every code by sort order, then id (of the attached project ``schema`` when given)."""
    table = "codes" if schema is None else f"{schema}.codes"
    return project.execute(f"SELECT {columns} FROM {table} ORDER BY sort_order, id")


def code_row(project: Project, code_id: int) -> sqlite3.Row | None:
    """A code's whole row; None when there is none."""
    return project.one("SELECT * FROM codes WHERE id = ?", (code_id,))


def code_exists(project: Project, code_id: int) -> bool:
    """True when there is a code ``code_id``."""
    return project.one("SELECT 1 FROM codes WHERE id = ?", (code_id,)) is not None


def uuid_taken(project: Project, uuid: str) -> bool:
    """True when a code has this uuid."""
    return project.one("SELECT 1 FROM codes WHERE uuid = ?", (uuid,)) is not None


def parent_of(project: Project, code_id: int) -> int | None:
    """A code's parent id (None at the top level or when there is no such code)."""
    return project.scalar("SELECT parent_id FROM codes WHERE id = ?", (code_id,))


def sibling_named(project: Project, parent_id: int | None, name: str, except_id: int | None = None) -> bool:
    """True when a code other than ``except_id`` under ``parent_id`` (None: the top) is called ``name``, in any case."""
    row = project.one(
        "SELECT id FROM codes WHERE coalesce(parent_id, 0) = ? AND lower(name) = lower(?) AND id IS NOT ?",
        (parent_id or 0, name, except_id),
    )
    return row is not None


def subcode_named(project: Project, parent_id: int, name: str) -> bool:
    """True when ``parent_id`` has a subcode called ``name``, in any case."""
    row = project.one(
        "SELECT 1 FROM codes WHERE parent_id = ? AND lower(name) = lower(?)",
        (parent_id, name),
    )
    return row is not None


def sibling_colours(project: Project, parent_id: int | None) -> list[str | None]:
    """The colours of the codes under ``parent_id`` (None: the top level)."""
    rows = project.execute("SELECT colour FROM codes WHERE coalesce(parent_id, 0) = ?", (parent_id or 0,))
    return [r[0] for r in rows]


def next_sort_order(project: Project, parent_id: int | None) -> int:
    """The sort order after the last code under ``parent_id`` (None: the top level)."""
    return project.scalar(
        "SELECT coalesce(max(sort_order) + 1, 0) FROM codes WHERE coalesce(parent_id, 0) = ?",
        (parent_id or 0,),
    )


def next_subcode_order(project: Project, parent_id: int) -> int:
    """The sort order after the last subcode of ``parent_id``."""
    return project.scalar(
        "SELECT coalesce(max(sort_order) + 1, 0) FROM codes WHERE parent_id = ?", (parent_id,)
    )


def subcodes(project: Project, code_id: int) -> list[sqlite3.Row]:
    """The ``id`` and ``name`` of a code's subcodes, in sort order."""
    return project.execute(
        "SELECT id, name FROM codes WHERE parent_id = ? ORDER BY sort_order, id", (code_id,)
    ).fetchall()


def subtree_deepest_first(project: Project, code_id: int) -> list[int]:
    """The code and every code below it, deepest first."""
    rows = project.execute(
        "WITH RECURSIVE t(id, depth) AS (SELECT ?, 0 UNION ALL"
        " SELECT c.id, t.depth + 1 FROM codes c JOIN t ON c.parent_id = t.id)"
        " SELECT id FROM t ORDER BY depth DESC, id",
        (code_id,),
    ).fetchall()
    return [r[0] for r in rows]


# -- writing codes ---------------------------------------------------------------------------------------------
def insert_code(project: Project, values: Sequence[Any]) -> int:
    """Insert a code from its ``CODE_COLUMNS`` values and ``created_at``, in that order; its id."""
    return inserted_id(project.execute(_INSERT_CODE, values))


def write_code(project: Project, code_id: int, row: dict[str, Any]) -> None:
    """Set every ``CODE_COLUMNS`` column of a code from ``row``."""
    columns = list(CODE_COLUMNS)
    project.execute(
        f"UPDATE codes SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
        [row[c] for c in columns] + [code_id],
    )


def set_code_name(project: Project, code_id: int, name: str) -> None:
    """Give a code another name."""
    project.execute("UPDATE codes SET name = ? WHERE id = ?", (name, code_id))


def set_sort_order(project: Project, code_id: int, position: int) -> None:
    """Give a code another sort order."""
    project.execute("UPDATE codes SET sort_order = ? WHERE id = ?", (position, code_id))


def delete_code_row(project: Project, code_id: int) -> None:
    """Delete a code's row."""
    project.execute("DELETE FROM codes WHERE id = ?", (code_id,))


# -- what codes hold -------------------------------------------------------------------------------------------
def codings_per_code(
    project: Project,
    *,
    document_id: int | None = None,
    coder_id: int | None = None,
    code_ids: Iterable[int] | None = None,
) -> dict[int, int]:
    """{code id: codings}: from ``coding_counts`` over the project, from the codings in one document."""
    where: list[str] = []
    params: list[int] = []
    if coder_id is not None:
        where.append("coder_id = ?")
        params.append(coder_id)
    if code_ids is not None:
        ids = list(code_ids)
        where.append(f"code_id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    if document_id is not None:
        where.append("document_id = ?")
        params.append(document_id)
        sql = "SELECT code_id, count(*) FROM codings"
    else:
        sql = "SELECT code_id, sum(n) FROM coding_counts"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return {r[0]: r[1] for r in project.execute(sql + " GROUP BY code_id", params)}


def uses_of_code(project: Project, code_id: int) -> int:
    """A code's codings, subcodes and memos, counted together."""
    return project.scalar(
        "SELECT (SELECT count(*) FROM codings WHERE code_id = :id)"
        " + (SELECT count(*) FROM codes WHERE parent_id = :id)"
        " + (SELECT count(*) FROM memos WHERE target_type = 'code' AND target_id = :id)",
        {"id": code_id},
    )


def _in(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in ids)


def coder_names_of_codes(project: Project, code_ids: Iterable[int]) -> list[str]:
    """The names of the coders with codings of these codes, in name order."""
    return [
        r[0]
        for r in project.execute(
            "SELECT DISTINCT u.name FROM codings c JOIN coders u ON u.id = c.coder_id"
            f" WHERE c.code_id IN ({_in(code_ids)}) ORDER BY u.name"
        )
    ]


def coding_count_of_codes(project: Project, code_ids: Iterable[int]) -> int:
    """The number of codings of these codes."""
    return project.scalar(f"SELECT count(*) FROM codings WHERE code_id IN ({_in(code_ids)})")


def memo_count_of_codes(project: Project, code_ids: Iterable[int]) -> int:
    """The number of memos on these codes and on their codings."""
    ids = _in(code_ids)
    return project.scalar(
        f"SELECT count(*) FROM memos WHERE (target_type = 'code' AND target_id IN ({ids}))"
        f" OR (target_type = 'coding' AND target_id IN (SELECT id FROM codings WHERE code_id IN ({ids})))"
    )


# -- codings, suggestions and memos that a merge or a deletion moves -------------------------------------------
def codings_of_code(project: Project, code_id: int) -> list[sqlite3.Row]:
    """A code's codings (``id, document_id, coder_id, start, end, memo``) in id order."""
    return project.execute(
        "SELECT id, document_id, coder_id, start, end, memo FROM codings WHERE code_id = ? ORDER BY id",
        (code_id,),
    ).fetchall()


def coding_memo(project: Project, coding_id: int) -> str | None:
    """A coding's memo."""
    return project.scalar("SELECT memo FROM codings WHERE id = ?", (coding_id,))


def coding_ids_of_code(project: Project, code_id: int) -> list[sqlite3.Row]:
    """The ids of a code's codings, as one-column rows."""
    return project.execute("SELECT id FROM codings WHERE code_id = ?", (code_id,)).fetchall()


def suggestions_of_code(project: Project, code_id: int) -> list[sqlite3.Row]:
    """A code's suggestions (``id, document_id, start, end, coding_id``)."""
    return project.execute(
        "SELECT id, document_id, start, end, coding_id FROM suggestions WHERE code_id = ?", (code_id,)
    ).fetchall()


def suggestion_ids_of_code(project: Project, code_id: int) -> list[sqlite3.Row]:
    """The ids of a code's suggestions, as one-column rows."""
    return project.execute("SELECT id FROM suggestions WHERE code_id = ?", (code_id,)).fetchall()


def suggestion_exists(project: Project, code_id: int, document_id: int, start: int, end: int) -> bool:
    """True when ``code_id`` is suggested for exactly this passage."""
    row = project.one(
        "SELECT 1 FROM suggestions WHERE code_id = ? AND document_id = ? AND start = ? AND end = ?",
        (code_id, document_id, start, end),
    )
    return row is not None


def memos_on(project: Project, kind: str, target_id: int) -> list[sqlite3.Row]:
    """The memos (``id, coder_id, text``) on one code or coding (``kind``), in id order."""
    return project.execute(
        "SELECT id, coder_id, text FROM memos WHERE target_type = ? AND target_id = ? ORDER BY id",
        (kind, target_id),
    ).fetchall()


def coder_memo_on(project: Project, kind: str, target_id: int, coder_id: int | None) -> sqlite3.Row | None:
    """The ``id`` and ``text`` of a coder's first memo on one code or coding (``kind``), if any."""
    return project.one(
        "SELECT id, text FROM memos WHERE target_type = ? AND target_id = ? AND coder_id IS ? ORDER BY id",
        (kind, target_id, coder_id),
    )


def memo_ids_on_coding(project: Project, coding_id: int) -> list[sqlite3.Row]:
    """The ids of the memos on a coding, as one-column rows."""
    return project.execute(
        "SELECT id FROM memos WHERE target_type = 'coding' AND target_id = ?", (coding_id,)
    ).fetchall()


def memo_ids_on_code(project: Project, code_id: int) -> list[sqlite3.Row]:
    """The ids of the memos on a code, as one-column rows."""
    return project.execute(
        "SELECT id FROM memos WHERE target_type = 'code' AND target_id = ?", (code_id,)
    ).fetchall()


def closure_cte() -> str:
    """SQL for a CTE ``closure(code_id, anc)``: every code with itself and each of its ancestors."""
    return (
        "closure(code_id, anc) AS ("
        " SELECT id, id FROM codes"
        " UNION"
        " SELECT closure.code_id, codes.parent_id FROM closure JOIN codes ON codes.id = closure.anc"
        " WHERE codes.parent_id IS NOT NULL)"
    )
