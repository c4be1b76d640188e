"""The SQL of coded passages as the analyses count them (``analysis.passages``, trends, the joint display, the wide
matrix, the councils x themes matrix) and of the selected documents they count over.

``docs`` is the name of the small table of each document's council, phase, role and wave that the analyses
fill (``analysis.selection.DOCS``, alias ``d``); ``where`` and ``params`` are conditions the selection builds
on it (and on ``codings c``). ``cte`` and ``params`` are what :func:`passages_cte` returns. Each function is one
statement and returns rows, a cursor over them (read as they come) or values; what is counted and how it is
reported is the analyses'.
"""

from __future__ import annotations

import sqlite3

from beacon_qual.store.codebook import closure_cte
from beacon_qual.store.db import Project


def passages_cte(
    docs: str, where: str, params: list, *, rollup: bool, code_ids: list[int] | None = None
) -> tuple[str, list]:
    """A ``WITH`` clause defining ``passages(code_id, document_id, case_id, phase, role, coder_id, wave, start,
    end)`` for the selected codings (``where``, ``params``); ``code_ids`` limits the codes reported.

    With ``rollup`` a coding also counts for every ancestor of its code, once per passage; else each coding is
    one row."""
    code_column = "cl.anc" if rollup else "c.code_id"
    if code_ids is not None:
        where += f" AND {code_column} IN ({','.join('?' * len(code_ids))})" if code_ids else " AND 0"
        params = params + list(code_ids)
    select = (
        f"SELECT {'DISTINCT ' if rollup else ''}{code_column} AS code_id, c.document_id, d.case_id, d.phase, "
        f"d.role, c.coder_id, d.wave, c.start, c.end FROM codings c JOIN {docs} d ON d.id = c.document_id "
        f"{'JOIN closure cl ON cl.code_id = c.code_id ' if rollup else ''}"
        f"WHERE {where}"
    )
    prefix = f"WITH RECURSIVE {closure_cte()}, " if rollup else "WITH "
    return f"{prefix}passages AS ({select}) ", params


# -- coded segments per council ----------------------------------------------------------------------------------
def segments_per_case(
    project: Project, docs: str, where: str, params: list, *, distinct: bool
) -> sqlite3.Cursor:
    """(case id, coded segments) over all codes: the selected codings, or with ``distinct`` their distinct
    passages (document, coder, start, end)."""
    return project.execute(
        f"SELECT case_id, count(*) FROM (SELECT {'DISTINCT ' if distinct else ''}c.document_id, c.coder_id, "
        f"c.start, c.end, d.case_id FROM codings c JOIN {docs} d ON d.id = c.document_id WHERE {where}) "
        "GROUP BY case_id",
        params,
    )


def codings_per_case(
    project: Project, docs: str, document_where: str, document_params: list, coder_ids: list[int]
) -> sqlite3.Cursor:
    """(case id, codings) of ``coder_ids`` (empty: every coder) in the documents ``document_where`` keeps:
    counted per document first, so the documents table is read once per document, not once per coding."""
    marks = ",".join("?" * len(coder_ids))
    coder_sql = f"WHERE c.coder_id IN ({marks}) " if coder_ids else ""
    return project.execute(
        "SELECT d.case_id, sum(per.n) FROM (SELECT c.document_id, count(*) AS n FROM codings c "
        f"{coder_sql}GROUP BY c.document_id) AS per JOIN {docs} d ON d.id = per.document_id "
        f"WHERE {document_where} GROUP BY d.case_id",
        [*coder_ids, *document_params],
    )


# -- counts over passages ------------------------------------------------------------------------------------------
def phase_counts(project: Project, cte: str, params: list) -> sqlite3.Cursor:
    """(code id, phase, documents, councils) holding each code's passages in each phase."""
    return project.execute(
        f"{cte}SELECT code_id, phase, count(DISTINCT document_id), count(DISTINCT case_id) FROM passages "
        "WHERE phase IS NOT NULL GROUP BY code_id, phase",
        params,
    )


def passage_spans(project: Project, cte: str, params: list) -> sqlite3.Cursor:
    """(code id, case id, document id, start, end) of every passage."""
    return project.execute(f"{cte}SELECT code_id, case_id, document_id, start, end FROM passages", params)


def passages_per_code_and_case(project: Project, cte: str, params: list) -> sqlite3.Cursor:
    """(code id, case id, passages)."""
    return project.execute(
        f"{cte}SELECT code_id, case_id, count(*) FROM passages GROUP BY code_id, case_id", params
    )


def coded_cases(project: Project, cte: str, params: list) -> set[int | None]:
    """The cases (councils; None for documents of none) holding a passage."""
    return {r[0] for r in project.execute(f"{cte}SELECT DISTINCT case_id FROM passages", params)}


# -- the selected documents ----------------------------------------------------------------------------------------
def selection_phases(project: Project, docs: str, where: str, params: list) -> list[int]:
    """The phases of the documents ``where`` keeps, in order."""
    rows = project.execute(
        f"SELECT DISTINCT d.phase FROM {docs} d WHERE d.phase IS NOT NULL AND {where} ORDER BY d.phase",
        params,
    )
    return [r[0] for r in rows]


def phase_totals(project: Project, docs: str, where: str, params: list) -> list[sqlite3.Row]:
    """(phase, documents, councils) of the documents ``where`` keeps, by phase."""
    return project.execute(
        f"SELECT d.phase, count(*), count(DISTINCT d.case_id) FROM {docs} d "
        f"WHERE d.phase IS NOT NULL AND {where} GROUP BY d.phase ORDER BY d.phase",
        params,
    ).fetchall()


def document_names(project: Project) -> dict[int, str]:
    """Every document's name by id."""
    return dict(project.execute("SELECT id, name FROM documents").fetchall())


def case_documents(project: Project, case_id: int) -> sqlite3.Cursor:
    """(id, name, phase, role) of a case's documents, by phase and name."""
    return project.execute(
        "SELECT id, name, phase, role FROM documents WHERE case_id = ? ORDER BY phase, name", (case_id,)
    )


# -- passages' text and speakers -----------------------------------------------------------------------------------
def passage_text(project: Project, document_id: int, start: int, length: int) -> str:
    """``length`` characters of a document's text from ``start`` (counted from 0)."""
    return project.scalar(
        "SELECT substr(text, ?, ?) FROM documents WHERE id = ?", (start + 1, length, document_id)
    )


def turns(project: Project, document_id: int) -> list[sqlite3.Row]:
    """(start, end, speaker_role) of a document's speaker turns."""
    return project.execute(
        "SELECT start, end, speaker_role FROM units WHERE document_id = ? AND kind = 'turn'", (document_id,)
    ).fetchall()
