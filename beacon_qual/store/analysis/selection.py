"""The SQL of an analysis's selection and base: the temporary table of documents analyses join (``DOCS``),
the conditions a selection puts on documents and codings, the look-ups that check filter values, and the
counts of the base (councils and documents, coded or not, marked done or not).

Conditions are returned as SQL text with their parameters, for the analyses' statements to include;
aliases passed in (``doc``, ``coding``, ...) are the analyses' own, never a user's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from beacon_qual.store.db import Project

DOCS = "temp.analysis_documents"
DOCS_BY_CASE = "analysis_documents_case"  # DOCS's index on (case_id, id)


# -- the documents' table ----------------------------------------------------------------------------------
def documents_state(project: Project) -> tuple[int, int, int]:
    """What changes when the project does: the connection, ``PRAGMA data_version`` (moves when another
    connection commits) and the connection's total changes (moves with each of its writes)."""
    return (id(project.conn), project.scalar("PRAGMA data_version"), project.conn.total_changes)


def fill_documents(project: Project, waves: dict[int, int]) -> None:
    """(Re)make :data:`DOCS`: each document's council (None for an organisation's or no case), phase, role
    and the survey wave of its phase (``waves``), in one statement from the covering index on documents."""
    wave_sql = "CASE d.phase " + "WHEN ? THEN ? " * len(waves) + "END" if waves else "NULL"
    project.execute(f"DROP TABLE IF EXISTS {DOCS}")
    project.execute(
        f"CREATE TEMP TABLE {DOCS.split('.')[1]} "
        "(id INTEGER PRIMARY KEY, case_id INTEGER, phase INTEGER, role TEXT, wave INTEGER)"
    )
    project.execute(f"CREATE INDEX temp.{DOCS_BY_CASE} ON {DOCS.split('.')[1]} (case_id, id)")
    project.execute(
        f"INSERT INTO {DOCS} SELECT d.id, CASE WHEN d.case_id IN (SELECT id FROM cases WHERE kind = 'council') "
        f"THEN d.case_id END, d.phase, d.role, {wave_sql} FROM documents d",
        [value for item in waves.items() for value in item],
    )


# -- conditions ----------------------------------------------------------------------------------------------
def in_list(parts: list[str], params: list, column: str, values: Sequence[Any]) -> None:
    """Add ``column IN (?, ...)`` to ``parts`` (and its values to ``params``) when there are values."""
    if values:
        parts.append(f"{column} IN ({','.join('?' * len(values))})")
        params.extend(values)


def coded_condition(doc: str, coder_ids: Sequence[int], speaker: tuple[str, list] | None) -> tuple[str, list]:
    """That a document (alias ``doc``) holds at least one coding of ``coder_ids`` (any coder when none) and,
    with ``speaker`` (a :func:`speaker_condition` on alias ``c``), in that side's speech."""
    parts = [f"c.document_id = {doc}.id"]
    params: list = []
    in_list(parts, params, "c.coder_id", coder_ids)
    if speaker is not None:
        parts.append(speaker[0])
        params.extend(speaker[1])
    return f"EXISTS (SELECT 1 FROM codings c WHERE {' AND '.join(parts)})", params


def speaker_condition(speaker: str | None, coding: str) -> tuple[str, list]:
    """That a coding (alias ``coding``) is in the ``speaker`` side's speech: it overlaps at least one turn of
    that role (through ``coding_units``), or, for respondents, its document has no turns at all; '1' for
    None."""
    if speaker is None:
        return "1", []
    sql = (
        "EXISTS (SELECT 1 FROM coding_units cu JOIN units su ON su.id = cu.unit_id "
        f"WHERE cu.coding_id = {coding}.id AND cu.kind = 'turn' AND su.speaker_role = ?)"
    )
    if speaker == "respondent":  # a document never split into turns is the respondent's text
        sql = (
            f"({sql} OR NOT EXISTS (SELECT 1 FROM units st WHERE st.document_id = {coding}.document_id "
            "AND st.kind = 'turn'))"
        )
    return sql, [speaker]


def speaker_counts_condition(speaker: str | None, counts: str) -> tuple[str, list]:
    """That a ``coding_counts`` row (alias ``counts``) holds at least one coding :func:`speaker_condition`
    keeps, read from ``coding_units`` by its key (kind, code, coder, document) and the turns' roles, without
    reading the codings; '1' for None."""
    if speaker is None:
        return "1", []
    sql = (
        "EXISTS (SELECT 1 FROM coding_units cu JOIN units su ON su.id = cu.unit_id WHERE cu.kind = 'turn' "
        f"AND cu.code_id = {counts}.code_id AND cu.coder_id = {counts}.coder_id "
        f"AND cu.document_id = {counts}.document_id AND su.speaker_role = ?)"
    )
    if speaker == "respondent":  # as in speaker_condition: a document without turns is the respondent's
        sql = (
            f"({sql} OR NOT EXISTS (SELECT 1 FROM units st WHERE st.document_id = {counts}.document_id "
            "AND st.kind = 'turn'))"
        )
    return sql, [speaker]


def speaker_units_condition(speaker: str | None, unit: str) -> tuple[str, list]:
    """That a unit (sentence or turn, column ``unit``) lies in the ``speaker`` side's turns; '1' for None."""
    if speaker is None:
        return "1", []
    return f"EXISTS (SELECT 1 FROM units su WHERE su.id = {unit} AND su.speaker_role = ?)", [speaker]


def done_condition(coder_ids: list[int], doc: str = "d") -> tuple[str, list]:
    """That a document is marked done: by every one of ``coder_ids``, or by any coder."""
    if not coder_ids:
        return f"EXISTS (SELECT 1 FROM document_done dd WHERE dd.document_id = {doc}.id)", []
    marks = ",".join("?" * len(coder_ids))
    sql = (
        f"(SELECT count(*) FROM document_done dd WHERE dd.document_id = {doc}.id "
        f"AND dd.coder_id IN ({marks})) = {len(set(coder_ids))}"
    )
    return sql, list(coder_ids)


# -- filter values ---------------------------------------------------------------------------------------------
def known_phases(project: Project) -> Iterable[sqlite3.Row]:
    return project.execute("SELECT DISTINCT phase FROM documents WHERE phase IS NOT NULL")


def known_roles(project: Project) -> Iterable[sqlite3.Row]:
    return project.execute("SELECT DISTINCT role FROM documents WHERE role IS NOT NULL ORDER BY role")


def coder_row(project: Project, name: str) -> sqlite3.Row | None:
    return project.one("SELECT id FROM coders WHERE name = ?", (name,))


def all_coder_names(project: Project) -> Iterable[sqlite3.Row]:
    return project.execute("SELECT name FROM coders ORDER BY name")


def case_kind(project: Project, case_id: int) -> str | None:
    return project.scalar("SELECT kind FROM cases WHERE id = ?", (case_id,))


def case_labels(project: Project) -> Iterable[sqlite3.Row]:
    """Every case's id, label (register code, else GSS code, else name) and name."""
    return project.execute("SELECT id, coalesce(code, gss_code, name) AS label, name FROM cases")


# -- counts over the selection -----------------------------------------------------------------------------
def count_without_council(project: Project, where: str, params: list) -> int:
    return project.scalar(f"SELECT count(*) FROM {DOCS} d WHERE d.case_id IS NULL AND {where}", params)


def selected_coder_names(
    project: Project, where: str, params: list, code_ids: list[int] | None
) -> Iterable[sqlite3.Row]:
    """Names of the coders with a coding that ``where`` (on codings ``c`` joined to ``DOCS`` ``d``) keeps,
    of ``code_ids`` when given."""
    code_sql = ""
    if code_ids is not None:
        code_sql = f" AND c.code_id IN ({','.join('?' * len(code_ids))})" if code_ids else " AND 0"
        params = params + list(code_ids)
    return project.execute(
        "SELECT name FROM coders WHERE EXISTS (SELECT 1 FROM codings c "
        f"JOIN {DOCS} d ON d.id = c.document_id WHERE c.coder_id = coders.id AND {where}{code_sql}) "
        "ORDER BY name",
        params,
    )


def documents_per_case(project: Project, where: str, params: list) -> Iterable[sqlite3.Row]:
    """(council, documents) for each council with a document ``where`` keeps."""
    return project.execute(
        f"SELECT d.case_id, count(*) FROM {DOCS} d WHERE d.case_id IS NOT NULL AND {where} GROUP BY d.case_id",
        params,
    )


def base_counts(
    project: Project, where: str, params: list, coded: str, coded_params: list
) -> sqlite3.Row | None:
    """Councils, councils coded, documents and documents coded among the documents ``where`` keeps."""
    return project.one(
        f"SELECT count(DISTINCT d.case_id), count(DISTINCT CASE WHEN {coded} THEN d.case_id END), "
        f"count(*), coalesce(sum({coded}), 0) FROM {DOCS} d WHERE {where}",
        coded_params + coded_params + params,
    )


def count_not_done(project: Project, where: str, params: list, done_sql: str, done_params: list) -> int:
    return project.scalar(
        f"SELECT count(*) FROM {DOCS} d WHERE {where} AND NOT {done_sql}", params + done_params
    )
