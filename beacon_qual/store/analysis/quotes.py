"""The SQL of quoting coded passages (``analysis.quotes``): the selected documents, which of them hold a code,
each one's codings of the code and its units, and the number of quotes a code has.

``docs``, ``where`` and ``params`` are as in :mod:`.passages`: the analyses' table of selected
documents (alias ``d``) and the selection's conditions on it and on ``codings c``. Each function is one
statement; the order of the quotes, the context around them and the limit are the analysis's, which reads
one document at a time.
"""

from __future__ import annotations

import sqlite3

from beacon_qual.store.db import Project


def _marks(values: list) -> str:
    return ",".join("?" * len(values))


def coders_by_id(project: Project) -> dict[int, str]:
    """Every coder's name by id."""
    return dict(project.execute("SELECT id, name FROM coders").fetchall())


def selected_documents(project: Project, docs: str) -> sqlite3.Cursor:
    """(id, case id, phase, name, role) of every document in ``docs``."""
    return project.execute(
        f"SELECT d.id, d.case_id, d.phase, x.name, d.role FROM {docs} d JOIN documents x ON x.id = d.id"
    )


def documents_holding(project: Project, code_ids: list[int]) -> set[int]:
    """The documents holding a coding of one of ``code_ids`` (read from ``coding_counts``)."""
    return {
        r[0]
        for r in project.execute(
            f"SELECT DISTINCT document_id FROM coding_counts WHERE code_id IN ({_marks(code_ids)})", code_ids
        )
    }


def document_codings(
    project: Project, docs: str, where: str, params: list, code_ids: list[int], document_id: int
) -> list[sqlite3.Row]:
    """(id, code id, coder id, start, end) of a document's selected codings of ``code_ids``."""
    return project.execute(
        "SELECT c.id, c.code_id, c.coder_id, c.start, c.end FROM codings c "
        f"JOIN {docs} d ON d.id = c.document_id WHERE {where} AND c.code_id IN ({_marks(code_ids)}) "
        "AND c.document_id = ?",
        [*params, *code_ids, document_id],
    ).fetchall()


def unit_spans(project: Project, document_id: int, kind: str) -> list[sqlite3.Row]:
    """(start, end) of a document's units of ``kind``, in order."""
    return project.execute(
        "SELECT start, end FROM units WHERE document_id = ? AND kind = ? ORDER BY start", (document_id, kind)
    ).fetchall()


def counted_codings(
    project: Project,
    docs: str,
    document_where: str,
    document_params: list,
    coder_ids: list[int],
    code_ids: list[int],
) -> int:
    """The codings of ``code_ids`` by ``coder_ids`` (empty: any coder) in the documents ``document_where``
    keeps, summed from ``coding_counts`` (a row per code, document and coder) without reading the codings."""
    coders_sql = f" AND x.coder_id IN ({_marks(coder_ids)})" if coder_ids else ""
    return project.scalar(
        f"SELECT coalesce(sum(x.n), 0) FROM coding_counts x JOIN {docs} d ON d.id = x.document_id "
        f"WHERE {document_where}{coders_sql} AND x.code_id IN ({_marks(code_ids)})",
        [*document_params, *coder_ids, *code_ids],
    )


def selected_codings(
    project: Project, docs: str, where: str, params: list, code_ids: list[int], *, documents_first: bool
) -> int:
    """The selected codings of ``code_ids``, each one looked at. With ``documents_first`` the selected documents
    are read first and their codings of the codes by index (for a few documents: a council's), else the codes'
    codings, each looked up in ``docs``."""
    tables = f"{docs} d CROSS JOIN codings c" if documents_first else f"codings c JOIN {docs} d"
    return project.scalar(
        f"SELECT count(*) FROM {tables} ON d.id = c.document_id WHERE {where} AND c.code_id IN ({_marks(code_ids)})",
        params + code_ids,
    )
