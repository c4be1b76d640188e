"""The SQL behind finding passages: full-text search over the FTS5 index (``search.fulltext``), keyword
suggestions (``search.suggest``) and coding every hit (``search.code_hits``).

The statements are the ones the search's speed was measured with: each function runs one as written; the
order in which they run, the orders and the paths chosen, are the services'. A :class:`Filter` holds the
conditions a search is narrowed by.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from beacon_qual.store.db import Project
from beacon_qual.store.rows import one_row

# -- full-text search: filters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """SQL conditions over ``u`` (units) and ``d`` (documents); the first ``on_documents`` of them (council,
    phase, role) test the document alone."""

    where: list[str]
    params: list[Any]
    on_documents: int

    def joined(self) -> str:
        """The conditions for a query that joins each match to its unit and document."""
        return "".join(f" AND {w}" for w in self.where)

    def allowed(self) -> str:
        """The conditions as one subquery of allowed sentences that SQLite checks against each match (the
        unary + keeps it out of the index's own lookup): cheaper than joining every match to units and
        documents when a query has to read every match anyway."""
        if not self.where:
            return ""
        return (
            " AND +unit_fts.rowid IN (SELECT u.id FROM units u JOIN documents d ON d.id = u.document_id"
            f" WHERE u.kind = 'sentence' AND {' AND '.join(self.where)})"
        )

    def documents(self, *more: str) -> tuple[str, list[Any]]:
        """A subquery of the ids of the documents that pass the document conditions and ``more`` (whose
        parameters come after these); '' when there are no document conditions."""
        if not self.on_documents:
            return "", []
        where = " AND ".join([*self.where[: self.on_documents], *more])
        return f"SELECT d.id FROM documents d WHERE {where}", self.params[: self.on_documents]


def search_filter(
    case_id: int | None,
    phase: int | None,
    role: str | None,
    code_ids: Sequence[int] | None,
    speaker_role: str | None,
) -> Filter:
    """The filter keeping sentences of a case, phase and role (documents), overlapping a coding of one of
    ``code_ids``, in a speaker's turns; None leaves a condition out."""
    where: list[str] = []
    params: list[Any] = []
    if case_id is not None:
        where.append("d.case_id = ?")
        params.append(case_id)
    if phase is not None:
        where.append("d.phase = ?")
        params.append(phase)
    if role is not None:
        where.append("lower(d.role) = lower(?)")
        params.append(role)
    on_documents = len(where)
    if code_ids is not None:
        where.append(
            "EXISTS (SELECT 1 FROM codings k WHERE k.document_id = u.document_id"
            f" AND k.code_id IN ({','.join('?' * len(code_ids))}) AND k.start < u.end AND k.end > u.start)"
        )
        params.extend(code_ids)
    if speaker_role is not None:
        where.append("u.speaker_role = ?")
        params.append(speaker_role)
    return Filter(where, params, on_documents)


def code_and_descendants(project: Project, code_id: int) -> list[int]:
    """The code's id and the ids of every code below it."""
    rows = project.execute(
        "WITH RECURSIVE tree(id) AS (SELECT ? UNION ALL"
        " SELECT c.id FROM codes c JOIN tree ON c.parent_id = tree.id) SELECT id FROM tree",
        (code_id,),
    )
    return [r[0] for r in rows]


def document_values(project: Project, column: str) -> list[Any]:
    """The distinct non-empty values of a documents column (``phase``, ``role``), sorted."""
    return [r[0] for r in project.execute(f"SELECT DISTINCT {column} FROM documents ORDER BY 1") if r[0]]


# -- full-text search: matches ------------------------------------------------------------------------------

# The matches with their document and start. CROSS JOIN keeps the index as the outer loop, so that a query in
# rowid order stops after its LIMIT and a sort reads each match once.
MATCHES = (
    "SELECT unit_fts.rowid, u.document_id, u.start FROM unit_fts CROSS JOIN units u ON u.id = unit_fts.rowid"
    " CROSS JOIN documents d ON d.id = u.document_id WHERE unit_fts MATCH ?"
)


def count_matches(project: Project, query: str) -> int:
    """How many sentences match, counted by the index."""
    return project.scalar("SELECT count(*) FROM unit_fts WHERE unit_fts MATCH ?", (query,))


def count_filtered(project: Project, query: str, where: Filter, cap: int) -> int:
    """How many sentences match and pass the filter, counting up to ``cap`` + 1."""
    return project.scalar(
        f"SELECT count(*) FROM ({MATCHES}{where.joined()} LIMIT ?)", (query, *where.params, cap + 1)
    )


def best_matches(project: Project, query: str, limit: int) -> sqlite3.Cursor:
    """(unit id, bm25) of the best ``limit`` matches, best first."""
    return project.execute(
        "SELECT rowid, bm25(unit_fts) AS score FROM unit_fts WHERE unit_fts MATCH ? ORDER BY score LIMIT ?",
        (query, limit),
    )


def best_filtered(project: Project, query: str, where: Filter, limit: int) -> list[sqlite3.Row]:
    """(unit id, bm25, matches passing the filter in all) of the best ``limit`` that pass, best first."""
    return project.execute(
        "WITH scored AS MATERIALIZED (SELECT rowid AS id, bm25(unit_fts) AS score FROM unit_fts"
        f" WHERE unit_fts MATCH ?{where.allowed()})"
        " SELECT id, score, (SELECT count(*) FROM scored) FROM scored ORDER BY score LIMIT ?",
        (query, *where.params, limit),
    ).fetchall()


def first_in_document_order(project: Project, query: str, where: Filter, limit: int) -> sqlite3.Cursor:
    """(unit id, document, start) of the first ``limit`` matches passing the filter, by document and start."""
    return project.execute(
        f"{MATCHES}{where.joined()} ORDER BY u.document_id, u.start LIMIT ?", (query, *where.params, limit)
    )


def first_in_index_order(project: Project, query: str, where: Filter, limit: int) -> list[sqlite3.Row]:
    """(unit id, document, start) of the first ``limit`` matches passing the filter, by unit id."""
    return project.execute(
        f"{MATCHES}{where.joined()} ORDER BY unit_fts.rowid LIMIT ?", (query, *where.params, limit)
    ).fetchall()


def sentence_spans(project: Project, reached: int, where: Filter) -> sqlite3.Cursor:
    """(document, first and last sentence id) of the documents up to ``reached`` that pass the filter's
    document conditions."""
    documents, params = where.documents("d.id <= ?")
    in_documents = f" AND document_id IN ({documents})" if documents else ""
    return project.execute(
        "SELECT document_id, min(id), max(id) FROM units WHERE document_id <= ? AND kind = 'sentence'"
        f"{in_documents} GROUP BY document_id",
        (reached, *params, *([reached] if documents else [])),
    )


def count_passing_documents(project: Project, where: Filter) -> int | None:
    """How many documents pass the filter's document conditions; None when it has none."""
    documents, params = where.documents()
    if not documents:
        return None
    return project.scalar(f"SELECT count(*) FROM ({documents})", params)


def document_count(project: Project) -> int:
    """How many documents the project holds."""
    return project.scalar("SELECT count(*) FROM documents")


def passing_id_ranges(project: Project, where: Filter) -> sqlite3.Cursor:
    """(first, last sentence id) of each document passing the filter's document conditions, by first id."""
    documents, params = where.documents()
    return project.execute(
        f"SELECT min(id), max(id) FROM units WHERE kind = 'sentence' AND document_id IN ({documents})"
        " GROUP BY document_id ORDER BY 1",
        params,
    )


def matches_between(project: Project, query: str, where: Filter, first: int, final: int) -> sqlite3.Cursor:
    """(unit id, document, start) of the matches passing the filter with ids from ``first`` to ``final``."""
    return project.execute(
        f"{MATCHES} AND unit_fts.rowid BETWEEN ? AND ?{where.joined()}",
        (query, first, final, *where.params),
    )


def hit_details(
    project: Project, query: str, unit_ids: list[int], marks: tuple[str, str], ellipsis: str, tokens: int
) -> sqlite3.Cursor:
    """Location and snippet of each unit (``unit_id``, ``document_id``, ``document``, ``council``, ``phase``,
    ``role``, ``start``, ``end``, ``snippet``), the index read once over the span of their ids."""
    return project.execute(
        "SELECT u.id AS unit_id, u.document_id, d.name AS document, c.name AS council, d.phase, d.role,"
        " u.start, u.end, snippet(unit_fts, 0, ?, ?, ?, ?) AS snippet"
        " FROM unit_fts CROSS JOIN units u ON u.id = unit_fts.rowid JOIN documents d ON d.id = u.document_id"
        " LEFT JOIN cases c ON c.id = d.case_id"
        " WHERE unit_fts MATCH ? AND unit_fts.rowid BETWEEN ? AND ?"
        f" AND +unit_fts.rowid IN ({','.join('?' * len(unit_ids))})",
        (marks[0], marks[1], ellipsis, tokens, query, min(unit_ids), max(unit_ids), *unit_ids),
    )


# -- full-text search: the index ------------------------------------------------------------------------------


def rebuild_index(project: Project) -> None:
    """Rebuild the index from the sentence units."""
    project.execute("INSERT INTO unit_fts(unit_fts) VALUES ('rebuild')")


def indexed_sentences(project: Project) -> int:
    """How many sentences the index holds."""
    return project.scalar("SELECT count(*) FROM unit_fts_docsize")


def check_index(project: Project) -> None:
    """FTS5's integrity check of the index; raises sqlite3.DatabaseError when it fails."""
    project.execute("INSERT INTO unit_fts(unit_fts, rank) VALUES ('integrity-check', 1)")


# -- keyword suggestions ----------------------------------------------------------------------------------

# A suggestion ``s`` whose span is still a sentence of its document.
CURRENT = (
    "EXISTS (SELECT 1 FROM units cu WHERE cu.document_id = s.document_id AND cu.kind = 'sentence'"
    " AND cu.start = s.start AND cu.end = s.end)"
)
_SELECT = (
    "SELECT s.*, d.name AS document, c.name AS council, substr(d.text, s.start + 1, s.end - s.start) AS text"
    " FROM suggestions s JOIN documents d ON d.id = s.document_id LEFT JOIN cases c ON c.id = d.case_id"
)


def codable_keywords(project: Project) -> sqlite3.Cursor:
    """``id``, ``name`` and ``keywords`` (JSON) of every codable code, by id."""
    return project.execute("SELECT id, name, keywords FROM codes WHERE codable = 1 ORDER BY id")


def document_ids(project: Project) -> list[int]:
    """Every document's id, in order."""
    return [r[0] for r in project.execute("SELECT id FROM documents ORDER BY id")]


def delete_out_of_date(project: Project, document_id: int) -> int:
    """Delete a document's open suggestions that are no longer sentences of its text; how many."""
    return project.execute(
        f"DELETE FROM suggestions AS s WHERE s.document_id = ? AND s.status = 'open' AND NOT {CURRENT}",
        (document_id,),
    ).rowcount


def insert_suggestions(project: Project, rows: Iterable[tuple]) -> int:
    """Add (document_id, code_id, start, end, matched, created_at) rows not suggested before; how many."""
    return project.conn.executemany(
        "INSERT INTO suggestions(document_id, code_id, start, end, matched, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(document_id, code_id, start, end) DO NOTHING",
        rows,
    ).rowcount


def sentence_bounds(project: Project, document_id: int, role: str | None) -> list[sqlite3.Row]:
    """(start, end) of a document's sentences (in ``role``'s turns, unless None), in order."""
    return project.execute(
        "SELECT start, end FROM units WHERE document_id = ? AND kind = 'sentence'"
        " AND (? IS NULL OR speaker_role = ?) ORDER BY start",
        (document_id, role, role),
    ).fetchall()


def suggestions(
    project: Project,
    status: str | None,
    document_id: int | None,
    code_ids: Sequence[int] | None,
) -> sqlite3.Cursor:
    """Current suggestions with their document, council and text, by document name and span; None for
    ``status``, ``document_id`` or ``code_ids`` leaves that condition out."""
    where: list[str] = [CURRENT]
    params: list[str | int] = []
    if status is not None:
        where.append("s.status = ?")
        params.append(status)
    if document_id is not None:
        where.append("s.document_id = ?")
        params.append(document_id)
    if code_ids is not None:
        where.append(f"s.code_id IN ({','.join('?' * len(code_ids))})")
        params.extend(code_ids)
    sql = _SELECT + " WHERE " + " AND ".join(where) + " ORDER BY d.name, s.start, s.end"
    return project.execute(sql, params)


def suggestion(project: Project, suggestion_id: int) -> sqlite3.Row | None:
    """One suggestion with its document, council and text; None when there is none."""
    return project.one(_SELECT + " WHERE s.id = ?", (suggestion_id,))


def coder_exists(project: Project, coder_id: int) -> bool:
    """True when there is a coder with this id."""
    return project.one("SELECT 1 FROM coders WHERE id = ?", (coder_id,)) is not None


def suggestion_row(project: Project, suggestion_id: int) -> sqlite3.Row | None:
    """The suggestions row with this id; None when there is none."""
    return project.one("SELECT * FROM suggestions WHERE id = ?", (suggestion_id,))


def suggestion_row_written(project: Project, suggestion_id: int) -> sqlite3.Row:
    """The suggestions row with this id, which must exist."""
    return one_row(project, "SELECT * FROM suggestions WHERE id = ?", (suggestion_id,))


def is_current(project: Project, suggestion_id: int) -> bool:
    """True when the suggestion's span is still a sentence of its document."""
    return bool(project.scalar(f"SELECT {CURRENT} FROM suggestions s WHERE s.id = ?", (suggestion_id,)))


def set_status(
    project: Project, suggestion_id: int, status: str, coder_id: int, at: str, coding_id: int | None
) -> None:
    """Record a decision on a suggestion (and the coding it became, when given)."""
    project.execute(
        "UPDATE suggestions SET status = ?, decided_by = ?, decided_at = ?,"
        " coding_id = coalesce(?, coding_id) WHERE id = ?",
        (status, coder_id, at, coding_id, suggestion_id),
    )


def precision_counts(project: Project, coder_id: int, code_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """{code id: (current suggestions, of those overlapped by the coder's coding of the code)}."""
    marks = ",".join("?" * len(code_ids))
    return {
        r[0]: (r[1], r[2])
        for r in project.execute(
            "SELECT s.code_id, count(*), sum(EXISTS (SELECT 1 FROM codings k WHERE k.coder_id = ?"
            " AND k.code_id = s.code_id AND k.document_id = s.document_id"
            " AND k.start < s.end AND k.end > s.start))"
            f" FROM suggestions s WHERE s.code_id IN ({marks}) AND {CURRENT} GROUP BY s.code_id",
            (coder_id, *code_ids),
        )
    }


def recall_counts(project: Project, coder_id: int, code_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """{code id: (the coder's codings, of those overlapped by a current suggestion of the code)}."""
    marks = ",".join("?" * len(code_ids))
    return {
        r[0]: (r[1], r[2])
        for r in project.execute(
            "SELECT k.code_id, count(*), sum(EXISTS (SELECT 1 FROM suggestions s WHERE s.code_id = k.code_id"
            f" AND s.document_id = k.document_id AND s.start < k.end AND s.end > k.start AND {CURRENT}))"
            f" FROM codings k WHERE k.coder_id = ? AND k.code_id IN ({marks}) GROUP BY k.code_id",
            (coder_id, *code_ids),
        )
    }


# -- coding every hit -----------------------------------------------------------------------------------------


def coded_spans(project: Project, code_id: int, coder_id: int) -> set[tuple[int, int, int]]:
    """(document, start, end) of every coding of the code by the coder."""
    return {
        (r[0], r[1], r[2])
        for r in project.execute(
            "SELECT document_id, start, end FROM codings WHERE code_id = ? AND coder_id = ?",
            (code_id, coder_id),
        )
    }
