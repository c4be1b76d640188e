"""Coded passages as SQL, the common ground of frequencies, crosstabs and trends.

A *passage* is one coded span: (document, coder, start, end). Without roll-up each
coding is one row. With roll-up a coding also counts for every ancestor of its
code, once per passage: two children of one parent coded on the same span count
once for the parent.
"""

from __future__ import annotations

from beacon_qual.analysis.selection import DOCS, Selection
from beacon_qual.codebook.tree import closure_cte
from beacon_qual.store import Project


def passages_cte(
    selection: Selection, *, rollup: bool, code_ids: list[int] | None = None
) -> tuple[str, list]:
    """A ``WITH`` clause defining ``passages(code_id, document_id, case_id, phase, role, coder_id,
    wave, start, end)`` for the selection; ``code_ids`` limits the codes reported."""
    where, params = selection.where()
    code_column = "cl.anc" if rollup else "c.code_id"
    if code_ids is not None:
        where += f" AND {code_column} IN ({','.join('?' * len(code_ids))})" if code_ids else " AND 0"
        params = params + list(code_ids)
    select = (
        f"SELECT {'DISTINCT ' if rollup else ''}{code_column} AS code_id, c.document_id, d.case_id, d.phase, "
        f"d.role, c.coder_id, d.wave, c.start, c.end FROM codings c JOIN {DOCS} d ON d.id = c.document_id "
        f"{'JOIN closure cl ON cl.code_id = c.code_id ' if rollup else ''}"
        f"WHERE {where}"
    )
    prefix = f"WITH RECURSIVE {closure_cte()}, " if rollup else "WITH "
    return f"{prefix}passages AS ({select}) ", params


def segment_totals(project: Project, selection: Selection, *, rollup: bool) -> dict[int, int]:
    """Coded segments per council, over all codes: codings, or distinct passages with roll-up."""
    where, params = selection.where()
    if rollup or selection.speaker is not None:
        distinct = "DISTINCT " if rollup else ""
        query = (
            f"SELECT case_id, count(*) FROM (SELECT {distinct}c.document_id, c.coder_id, c.start, c.end, "
            f"d.case_id FROM codings c JOIN {DOCS} d ON d.id = c.document_id WHERE {where}) GROUP BY case_id"
        )
    else:
        doc_where, doc_params = selection.document_where()
        marks = ",".join("?" * len(selection.coder_ids))
        coder_sql = f"WHERE c.coder_id IN ({marks}) " if selection.coder_ids else ""
        query = (
            "SELECT d.case_id, sum(per.n) FROM (SELECT c.document_id, count(*) AS n FROM codings c "
            f"{coder_sql}GROUP BY c.document_id) AS per JOIN {DOCS} d ON d.id = per.document_id "
            f"WHERE {doc_where} GROUP BY d.case_id"
        )
        params = [*selection.coder_ids, *doc_params]
    rows = project.execute(query, params)
    return {r[0]: r[1] for r in rows}
