"""The SQL of code frequencies: codings, documents and councils per code and group, read from
``coding_counts`` (a row per code, document and coder, kept by triggers) or from a ``passages`` clause.

The documents are those of the analyses' temporary table (:data:`beacon_qual.store.analysis.selection.DOCS`)
that a selection's condition keeps; conditions and WITH clauses come as SQL text with their parameters, and
``closure`` is the code closure's clause (``closure(code_id, anc)``) when counts roll up to ancestors.
Rows are plain tuples.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from beacon_qual.store.analysis.selection import DOCS
from beacon_qual.store.db import Project


def _tuples(project: Project) -> sqlite3.Cursor:
    cursor = project.conn.cursor()
    cursor.row_factory = None  # plain tuples
    return cursor


def document_names(project: Project) -> dict[int, str]:
    return dict(project.execute("SELECT id, name FROM documents").fetchall())


def coder_names(project: Project) -> dict[int, str]:
    return dict(project.execute("SELECT id, name FROM coders").fetchall())


def _code_and_coder(
    code: str, code_ids: list[int] | None, coder_ids: list[int]
) -> tuple[list[str], list[Any]]:
    parts: list[str] = []
    params: list = []
    if code_ids is not None:
        parts.append(f"{code} IN ({','.join('?' * len(code_ids))})" if code_ids else "0")
        params += code_ids
    if coder_ids:
        parts.append(f"x.coder_id IN ({','.join('?' * len(coder_ids))})")
        params += coder_ids
    return parts, params


def per_document_counts(
    project: Project, doc_where: str, doc_params: list, code_ids: list[int] | None, coder_ids: list[int]
) -> sqlite3.Cursor:
    """(code, document, codings, whether the document has a council) for the documents ``doc_where`` keeps,
    in one pass over ``coding_counts`` in its key's order: grouped without sorting, and ordered by code and
    document."""
    parts, params = _code_and_coder("x.code_id", code_ids, coder_ids)
    parts.append(doc_where)
    return _tuples(project).execute(
        "SELECT x.code_id, x.document_id, sum(x.n), d.case_id IS NOT NULL FROM coding_counts x "
        f"CROSS JOIN {DOCS} d ON d.id = x.document_id WHERE {' AND '.join(parts)} "
        "GROUP BY x.code_id, x.document_id ORDER BY x.code_id, x.document_id",
        [*params, *doc_params],
    )


def per_document_cte(
    doc_where: str, doc_params: list, code_ids: list[int] | None, coder_ids: list[int], closure: str | None
) -> tuple[str, list]:
    """A WITH clause defining ``passages`` (code_id, document_id, case_id, phase, role, wave, n) as one row per
    code and document with its number of codings ``n``, read from ``coding_counts`` before any document is
    looked up; with ``closure`` each count also goes to the code's ancestors."""
    code = "cl.anc" if closure else "x.code_id"
    parts, params = _code_and_coder(code, code_ids, coder_ids)
    where = f"WHERE {' AND '.join(parts)} " if parts else ""
    joined = "JOIN closure cl ON cl.code_id = x.code_id " if closure else ""
    cte = (
        f"WITH {'RECURSIVE ' + closure + ', ' if closure else ''}"
        f"per_document AS MATERIALIZED (SELECT {code} AS code_id, x.document_id, sum(x.n) AS n "
        f"FROM coding_counts x {joined}{where}GROUP BY {code}, x.document_id), "
        "passages AS (SELECT x.code_id, x.document_id, d.case_id, d.phase, d.role, d.wave, x.n "
        f"FROM per_document x JOIN {DOCS} d ON d.id = x.document_id WHERE {doc_where}) "
    )
    return cte, [*params, *doc_params]


def grouped_counts(
    project: Project, cte: str, params: list, group_cols: list[str], counted: str
) -> sqlite3.Cursor:
    """(code, the groups' values..., ``counted``, documents, councils) per code and group of ``passages``
    (defined by ``cte``); ``group_cols`` are columns of ``passages``."""
    select_groups = "".join(f", {col}" for col in group_cols)
    return _tuples(project).execute(
        f"{cte}SELECT code_id{select_groups}, {counted}, count(DISTINCT document_id), count(DISTINCT case_id) "
        f"FROM passages GROUP BY code_id{select_groups}",
        params,
    )


def documents_by_code_and_case(
    project: Project,
    doc_where: str,
    doc_params: list,
    coder_ids: list[int],
    speaker: tuple[str, list] | None,
    code_ids: list[int] | None,
    closure: str | None,
) -> sqlite3.Cursor:
    """(code, council, coded documents) for the documents ``doc_where`` keeps that have a council, in one pass
    over ``coding_counts``, through the code closure when given, the documents filtered before grouping. With
    ``speaker`` (a condition on a ``coding_counts`` row ``x``) a row is kept when it holds; its parameters
    follow the documents' and coders'."""
    code = "cl.anc" if closure else "k.code_id"
    kept_parts = ["d.case_id IS NOT NULL", doc_where]
    kept_params: list = [*doc_params]
    if coder_ids:
        kept_parts.append(f"x.coder_id IN ({','.join('?' * len(coder_ids))})")
        kept_params += coder_ids
    # (code, document, council) kept by the filters, before the closure multiplies them by ancestors
    if speaker is None:
        kept = (
            "kept AS (SELECT DISTINCT x.code_id, x.document_id, d.case_id FROM coding_counts x "
            f"JOIN {DOCS} d ON d.id = x.document_id WHERE {' AND '.join(kept_parts)})"
        )
    else:  # the documents' filters first, so only their rows are looked up in coding_units
        speaker_sql, speaker_params = speaker
        kept = (
            "counted AS MATERIALIZED (SELECT x.code_id, x.document_id, x.coder_id, d.case_id "
            f"FROM coding_counts x JOIN {DOCS} d ON d.id = x.document_id WHERE {' AND '.join(kept_parts)}), "
            "kept AS (SELECT DISTINCT x.code_id, x.document_id, x.case_id FROM counted x "
            f"WHERE {speaker_sql})"
        )
        kept_params += speaker_params
    parts = ["1"]
    params: list = []
    if code_ids is not None:
        parts.append(f"{code} IN ({','.join('?' * len(code_ids))})")
        params += code_ids
    joined = "JOIN closure cl ON cl.code_id = k.code_id " if closure else ""
    return _tuples(project).execute(
        f"WITH {'RECURSIVE ' + closure + ', ' if closure else ''}{kept} "
        f"SELECT {code}, k.case_id, count(DISTINCT k.document_id) FROM kept k {joined}"
        f"WHERE {' AND '.join(parts)} GROUP BY {code}, k.case_id",
        [*kept_params, *params],
    )
