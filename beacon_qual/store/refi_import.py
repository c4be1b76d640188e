"""The SQL of REFI-QDA import: finding what a file's coders, codes, variables, cases, documents, codings, memos and
case values already are in this project, and inserting a row. What matches and what the report says is the
service's (``exchange.refi_import``). Lookups return an id (or a row) or None.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from beacon_qual.store.db import Project
from beacon_qual.store.rows import inserted_id


def insert_row(project: Project, table: str, row: dict[str, Any]) -> int:
    """Insert ``row`` (column: value) into ``table``; its id."""
    marks = ", ".join("?" for _ in row)
    return inserted_id(
        project.execute(f"INSERT INTO {table}({', '.join(row)}) VALUES ({marks})", list(row.values()))
    )


def _id(project: Project, sql: str, params: tuple) -> int | None:
    row = project.one(sql, params)
    return None if row is None else row[0]


# -- the project before the import -----------------------------------------------------------------------------
def code_ids(project: Project) -> set[int]:
    return {r[0] for r in project.execute("SELECT id FROM codes")}


def last_case_id(project: Project) -> int:
    return project.scalar("SELECT coalesce(max(id), 0) FROM cases")


def has_register(project: Project) -> bool:
    """True when some case has a council code (the register is loaded)."""
    return bool(project.scalar("SELECT count(*) FROM cases WHERE code IS NOT NULL"))


# -- coders and codes ------------------------------------------------------------------------------------------
def coder_by_uuid(project: Project, uuid: str) -> int | None:
    return _id(project, "SELECT id FROM coders WHERE uuid = ?", (uuid,))


def coder_by_name(project: Project, name: str) -> int | None:
    return _id(project, "SELECT id FROM coders WHERE name = ?", (name,))


def code_by_uuid(project: Project, uuid: str) -> int | None:
    return _id(project, "SELECT id FROM codes WHERE uuid = ?", (uuid,))


def code_under(project: Project, parent_id: int | None, name: str) -> int | None:
    """The code called ``name`` under ``parent_id`` (None: at the top)."""
    return _id(
        project, "SELECT id FROM codes WHERE coalesce(parent_id, 0) = ? AND name = ?", (parent_id or 0, name)
    )


def code_name_taken(project: Project, parent_id: int | None, name: str) -> bool:
    return (
        project.one(
            "SELECT 1 FROM codes WHERE coalesce(parent_id, 0) = ? AND name = ?", (parent_id or 0, name)
        )
        is not None
    )


def next_code_order(project: Project, parent_id: int | None) -> int:
    """The sort order after the last of ``parent_id``'s children."""
    return project.scalar(
        "SELECT coalesce(max(sort_order) + 1, 0) FROM codes WHERE coalesce(parent_id, 0) = ?",
        (parent_id or 0,),
    )


def code_name(project: Project, code_id: int) -> str:
    return project.scalar("SELECT name FROM codes WHERE id = ?", (code_id,))


# -- variables, cases and their values ----------------------------------------------------------------------------
def variable_by_name(project: Project, name: str) -> sqlite3.Row | None:
    """A variable's ``id``, ``type`` and ``levels``."""
    return project.one("SELECT id, type, levels FROM variables WHERE name = ?", (name,))


def variable_uuid_taken(project: Project, uuid: str) -> bool:
    return project.one("SELECT 1 FROM variables WHERE uuid = ?", (uuid,)) is not None


def case_by_uuid(project: Project, uuid: str) -> int | None:
    return _id(project, "SELECT id FROM cases WHERE uuid = ?", (uuid,))


def case_by_code(project: Project, code: str) -> int | None:
    return _id(project, "SELECT id FROM cases WHERE code = ?", (code,))


def case_by_name(project: Project, name: str, last_id: int) -> int | None:
    """The first case called ``name`` (any case of letters) among those up to ``last_id``."""
    return _id(
        project,
        "SELECT id FROM cases WHERE lower(name) = lower(?) AND id <= ? ORDER BY id LIMIT 1",
        (name, last_id),
    )


def case_value(project: Project, variable_id: int, case_id: int, wave: int) -> sqlite3.Row | None:
    """A case's ``value_num`` and ``value_text`` of a variable in a wave."""
    return project.one(
        "SELECT value_num, value_text FROM case_values WHERE variable_id=? AND case_id=? AND wave=?",
        (variable_id, case_id, wave),
    )


# -- documents, codings, memos ------------------------------------------------------------------------------------
def document_by_uuid(project: Project, uuid: str) -> sqlite3.Row | None:
    """A document's ``id``, ``sha256`` and ``name``."""
    return project.one("SELECT id, sha256, name FROM documents WHERE uuid = ?", (uuid,))


def document_by_name(project: Project, name: str) -> sqlite3.Row | None:
    """A document's ``id`` and ``sha256``."""
    return project.one("SELECT id, sha256 FROM documents WHERE name = ?", (name,))


def document_name_taken(project: Project, name: str) -> bool:
    return project.one("SELECT 1 FROM documents WHERE name = ?", (name,)) is not None


def document_name(project: Project, document_id: int) -> str:
    return project.scalar("SELECT name FROM documents WHERE id = ?", (document_id,))


def coding_by_uuid(project: Project, uuid: str) -> sqlite3.Row | None:
    """A coding's ``id, document_id, code_id, coder_id, start, end``."""
    return project.one(
        "SELECT id, document_id, code_id, coder_id, start, end FROM codings WHERE uuid = ?", (uuid,)
    )


def memo_uuid_taken(project: Project, uuid: str) -> bool:
    return project.one("SELECT 1 FROM memos WHERE uuid = ?", (uuid,)) is not None
