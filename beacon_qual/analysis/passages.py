"""Coded passages, the common ground of frequencies, crosstabs and trends (their SQL is in
:mod:`beacon_qual.store.analysis.passages`).

A *passage* is one coded span: (document, coder, start, end). Without roll-up each
coding is one row. With roll-up a coding also counts for every ancestor of its
code, once per passage: two children of one parent coded on the same span count
once for the parent.
"""

from __future__ import annotations

from beacon_qual.analysis.selection import DOCS, Selection
from beacon_qual.store import Project
from beacon_qual.store.analysis import passages as sql


def passages_cte(
    selection: Selection, *, rollup: bool, code_ids: list[int] | None = None
) -> tuple[str, list]:
    """A ``WITH`` clause defining ``passages(code_id, document_id, case_id, phase, role, coder_id,
    wave, start, end)`` for the selection; ``code_ids`` limits the codes reported."""
    where, params = selection.where()
    return sql.passages_cte(DOCS, where, params, rollup=rollup, code_ids=code_ids)


def segment_totals(project: Project, selection: Selection, *, rollup: bool) -> dict[int, int]:
    """Coded segments per council, over all codes: codings, or distinct passages with roll-up."""
    if rollup or selection.speaker is not None:
        where, params = selection.where()
        rows = sql.segments_per_case(project, DOCS, where, params, distinct=rollup)
    else:
        where, params = selection.document_where()
        rows = sql.codings_per_case(project, DOCS, where, params, selection.coder_ids)
    return {r[0]: r[1] for r in rows}
