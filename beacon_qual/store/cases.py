"""The rows behind cases: councils and organisations, their spellings (``case_aliases``), and what is linked to one.

Each function is one statement (``change_key``: two pragmas' worth; ``cases_sharing_code``: two counts). They
take plain values and return rows, ids or counts; matching, the checks and the audit records are the services'
(``cases.councils``, ``cases.organisations``). Alias sources are passed in, as the services name them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from beacon_qual.store.db import Project
from beacon_qual.store.rows import inserted_id, one_row

CASE_COLUMNS = "id, code, name, short_name, type, region, gss_code, ons_code"


# -- cases -----------------------------------------------------------------------------------------------------
def change_key(project: Project) -> tuple[int, int]:
    """A key that differs once the file has changed, by this connection or another."""
    return (project.scalar("PRAGMA data_version"), project.conn.total_changes)


def case_name(project: Project, case_id: int) -> str | None:
    """A case's name; None when there is no such case."""
    return project.scalar("SELECT name FROM cases WHERE id = ?", (case_id,))


def case_code_and_type(project: Project, case_id: int) -> sqlite3.Row | None:
    """A case's ``code`` and ``type``; None when there is no such case."""
    return project.one("SELECT code, type FROM cases WHERE id = ?", (case_id,))


def cases_for_matching(project: Project) -> list[sqlite3.Row]:
    """Every case's ``id, code, gss_code, ons_code, name, short_name, type``."""
    return project.execute(
        "SELECT id, code, gss_code, ons_code, name, short_name, type FROM cases"
    ).fetchall()


def cases_with_code(project: Project, code: str) -> list[sqlite3.Row]:
    """The ``id, name, code`` of the cases whose register code is exactly ``code``."""
    return project.execute("SELECT id, name, code FROM cases WHERE code = ?", (code,)).fetchall()


def cases_sharing_code(project: Project, case_id: int, folded: str, code_source: str) -> int:
    """How many other cases have ``folded`` as a code (register, GSS or ONS, or a ``code_source`` alias),
    in any case."""
    return project.scalar(
        "SELECT count(*) FROM cases WHERE id != ? AND (lower(code) = ? OR lower(gss_code) = ? "
        "OR lower(ons_code) = ?)",
        (case_id, folded, folded, folded),
    ) + project.scalar(
        "SELECT count(*) FROM case_aliases WHERE case_id != ? AND source = ? AND lower(alias) = ?",
        (case_id, code_source, folded),
    )


def case_ids_by_code(project: Project) -> dict[str, int]:
    """{register code: case id} of every case."""
    return {code: case_id for case_id, code in project.execute("SELECT id, code FROM cases")}


def insert_council(project: Project, values: Sequence[Any]) -> int:
    """Insert a case from its ``uuid, code, gss_code, ons_code, name, short_name, type, region, created_at``;
    its id."""
    return inserted_id(
        project.execute(
            "INSERT INTO cases(uuid, code, gss_code, ons_code, name, short_name, type, region, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            values,
        )
    )


def insert_case(project: Project, row: dict[str, Any]) -> None:
    """Insert a case from the columns in ``row``."""
    project.execute(
        f"INSERT INTO cases ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
    )


def case_id_by_uuid(project: Project, uuid: str) -> int:
    """The id of the case with this uuid."""
    return project.scalar("SELECT id FROM cases WHERE uuid = ?", (uuid,))


def regions(project: Project) -> list[str]:
    """Every region a case is in."""
    return [r[0] for r in project.execute("SELECT DISTINCT region FROM cases WHERE region IS NOT NULL")]


def case_rows(project: Project, type: str | None, region: str | None) -> sqlite3.Cursor:
    """``CASE_COLUMNS`` of the cases of one type and/or one region (any case) when given, by name."""
    return project.execute(
        f"SELECT {CASE_COLUMNS} FROM cases"
        " WHERE (? IS NULL OR type = ?) AND (? IS NULL OR lower(region) = lower(?))"
        " ORDER BY name COLLATE NOCASE",
        (type, type, region, region),
    )


def case_row(project: Project, case_id: int) -> sqlite3.Row | None:
    """``CASE_COLUMNS`` of one case; None when there is none."""
    return project.one(f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,))


# -- spellings -------------------------------------------------------------------------------------------------
def all_aliases(project: Project) -> sqlite3.Cursor:
    """Every spelling: ``case_id, alias, norm, source``."""
    return project.execute("SELECT case_id, alias, norm, source FROM case_aliases")


def insert_alias(project: Project, case_id: int, alias: str, norm: str, source: str) -> int:
    """Add a spelling of a case unless it is there; 1 when added, 0 when not."""
    return project.execute(
        "INSERT OR IGNORE INTO case_aliases(case_id, alias, norm, source) VALUES (?,?,?,?)",
        (case_id, alias, norm, source),
    ).rowcount


def aliases_not_from(project: Project, sources: tuple[str, str]) -> sqlite3.Cursor:
    """Spellings from neither of two sources: ``alias, case_id, case name, code, source`` by spelling."""
    return project.execute(
        "SELECT a.alias, a.case_id, c.name, c.code, coalesce(a.source, '') FROM case_aliases a"
        " JOIN cases c ON c.id = a.case_id WHERE coalesce(a.source, '') NOT IN (?, ?)"
        " ORDER BY a.alias COLLATE NOCASE, c.name",
        sources,
    )


def aliases_with_norm(project: Project, norm: str) -> list[sqlite3.Row]:
    """The spellings normalised to ``norm``: ``case_id, alias, norm, source`` and the case's ``name``."""
    return project.execute(
        "SELECT a.case_id, a.alias, a.norm, a.source, c.name FROM case_aliases a JOIN cases c ON c.id = a.case_id"
        " WHERE a.norm = ?",
        (norm,),
    ).fetchall()


def delete_alias(project: Project, case_id: int, norm: str) -> None:
    """Remove a case's spelling normalised to ``norm``."""
    project.execute("DELETE FROM case_aliases WHERE case_id = ? AND norm = ?", (case_id, norm))


def aliases_of_case(project: Project, case_id: int) -> sqlite3.Cursor:
    """A case's spellings (``alias, source``) by source, then spelling."""
    return project.execute(
        "SELECT alias, source FROM case_aliases WHERE case_id = ? ORDER BY source, alias COLLATE NOCASE",
        (case_id,),
    )


# -- what is linked to a case ----------------------------------------------------------------------------------
def survey_value_counts(project: Project, case_id: int) -> sqlite3.Row:
    """A case's number of survey values and of variables with a value."""
    return one_row(
        project, "SELECT count(*), count(DISTINCT variable_id) FROM case_values WHERE case_id = ?", (case_id,)
    )


def survey_waves_of_case(project: Project, case_id: int) -> sqlite3.Cursor:
    """The survey waves a case has values in, in order, as one-column rows."""
    return project.execute(
        "SELECT DISTINCT wave FROM case_values WHERE case_id = ? ORDER BY wave", (case_id,)
    )


def document_count_of_case(project: Project, case_id: int) -> int:
    """The number of a case's documents."""
    return project.scalar("SELECT count(*) FROM documents WHERE case_id = ?", (case_id,))
