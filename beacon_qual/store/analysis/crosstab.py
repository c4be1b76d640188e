"""The SQL of the crosstab of codes by a survey variable: coded segments and documents per code and council.

The documents are those of the analyses' temporary table (:data:`beacon_qual.store.analysis.selection.DOCS`)
that a selection's condition keeps; the condition comes as SQL text with its parameters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from beacon_qual.store.analysis.selection import DOCS, DOCS_BY_CASE
from beacon_qual.store.db import Project


def counts_by_code_and_case(
    project: Project,
    doc_where: str,
    doc_params: list,
    coder_ids: list[int],
    code_ids: list[int],
    with_council: int,
) -> Iterable[sqlite3.Row]:
    """(code, council, codings, coded documents) from ``coding_counts`` (a row per code, document and coder),
    for the documents ``doc_where`` keeps (``with_council`` of them have a council), the codings of
    ``coder_ids`` (any when none) and of ``code_ids`` (any when none)."""
    extra_sql = ""
    if coder_ids:
        extra_sql = f" AND cc.coder_id IN ({','.join('?' * len(coder_ids))})"
    codes = len(code_ids) or project.scalar("SELECT count(*) FROM codes")
    params = [*doc_params, *coder_ids, *code_ids]
    if codes * with_council <= project.scalar("SELECT count(*) FROM coding_counts"):
        # As dense as a row per code and document: look each (code, document) up, the documents taken council
        # by council, so that the rows come grouped without sorting them all.
        if code_ids:
            extra_sql += f" AND k.id IN ({','.join('?' * len(code_ids))})"
        return project.execute(
            "SELECT k.id, d.case_id, sum(cc.n), count(DISTINCT cc.document_id) FROM codes k "
            f"CROSS JOIN {DOCS} d INDEXED BY {DOCS_BY_CASE} CROSS JOIN coding_counts cc "
            f"ON cc.code_id = k.id AND cc.document_id = d.id WHERE d.case_id IS NOT NULL AND {doc_where}"
            f"{extra_sql} GROUP BY k.id, d.case_id",
            params,
        )
    if code_ids:
        extra_sql += f" AND cc.code_id IN ({','.join('?' * len(code_ids))})"
    return project.execute(
        "SELECT cc.code_id, d.case_id, sum(cc.n), count(DISTINCT cc.document_id) FROM coding_counts cc "
        f"JOIN {DOCS} d ON d.id = cc.document_id WHERE d.case_id IS NOT NULL AND {doc_where}{extra_sql} "
        "GROUP BY cc.code_id, d.case_id",
        params,
    )


def passages_by_code_and_case(project: Project, cte: str, params: list) -> Iterable[sqlite3.Row]:
    """(code, council, passages, documents) from ``cte``, a WITH clause that defines ``passages`` (code,
    document, council, ...)."""
    return project.execute(
        f"{cte}SELECT code_id, case_id, count(*), count(DISTINCT document_id) FROM passages "
        "WHERE case_id IS NOT NULL GROUP BY code_id, case_id",
        params,
    )
