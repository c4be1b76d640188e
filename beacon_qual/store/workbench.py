"""The SQL behind the workbench's read model (``tui.readmodel``) and its views that read rows of their own
(``tui.memos``, ``tui.segments``, ``tui.favourites``).

Each function is one statement and reads only; the workbench's writes go through the services. Cursors are
returned where the caller reads the rows as they come.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from beacon_qual.store.db import Project

# -- documents and their progress ----------------------------------------------------------------------------


def documents_with_council(project: Project) -> sqlite3.Cursor:
    """``id``, ``name``, ``council``, ``phase`` and ``role`` of every document, by council, phase and name."""
    return project.execute(
        "SELECT d.id, d.name, cs.name AS council, d.phase, d.role FROM documents d"
        " LEFT JOIN cases cs ON cs.id = d.case_id ORDER BY cs.name, d.phase, d.name"
    )


def done_document_ids(project: Project, coder_id: int | None) -> set[int]:
    """Documents marked fully coded by ``coder_id`` (by anyone when None)."""
    if coder_id is None:
        return {r[0] for r in project.execute("SELECT DISTINCT document_id FROM document_done")}
    return {
        r[0] for r in project.execute("SELECT document_id FROM document_done WHERE coder_id = ?", (coder_id,))
    }


def coded_sentence_counts(project: Project, coder_id: int | None) -> dict[int, int]:
    """{document id: sentences touched by a coding of ``coder_id`` (of anyone when None)}, from coding_units."""
    coder_clause = "" if coder_id is None else " AND coder_id = ?"
    return dict(
        project.execute(
            "SELECT document_id, count(DISTINCT unit_id) FROM coding_units"
            f" WHERE kind = 'sentence'{coder_clause} GROUP BY document_id",
            () if coder_id is None else (coder_id,),
        ).fetchall()
    )


def sentence_counts(project: Project) -> sqlite3.Cursor:
    """(document id, sentences) of every document that has sentences."""
    return project.execute(
        "SELECT document_id, count(*) FROM units WHERE kind = 'sentence' GROUP BY document_id"
    )


def coded_spans(project: Project, document_id: int, coder_id: int | None) -> sqlite3.Cursor:
    """(document id, start, end) of a document's codings by ``coder_id`` (anyone's when None), by start."""
    coder_clause = "" if coder_id is None else " AND coder_id = :coder"
    return project.execute(
        f"SELECT document_id, start, end FROM codings WHERE 1 = 1 AND document_id = :doc{coder_clause}"
        " ORDER BY document_id, start",
        {"doc": document_id, "coder": coder_id},
    )


def sentence_spans(project: Project, document_id: int) -> sqlite3.Cursor:
    """(document id, start, end) of a document's sentences, by start."""
    return project.execute(
        "SELECT document_id, start, end FROM units WHERE kind = 'sentence' AND document_id = :doc"
        " ORDER BY document_id, start",
        {"doc": document_id},
    )


def document_row(project: Project, document_id: int) -> sqlite3.Row | None:
    """``id``, ``name``, ``text``, ``council``, ``phase``, ``role`` of a document; None when there is none."""
    return project.one(
        "SELECT d.id, d.name, d.text, cs.name AS council, d.phase, d.role"
        " FROM documents d LEFT JOIN cases cs ON cs.id = d.case_id WHERE d.id = ?",
        (document_id,),
    )


def document_units(project: Project, document_id: int) -> list[sqlite3.Row]:
    """``kind``, ``start``, ``end``, ``speaker`` of a document's units, by kind and start."""
    return project.execute(
        "SELECT kind, start, end, speaker FROM units WHERE document_id = ? ORDER BY kind, start",
        (document_id,),
    ).fetchall()


def is_done(project: Project, document_id: int, coder_id: int | None) -> bool:
    """Whether ``coder_id`` (anyone when None) marked the document fully coded."""
    sql = "SELECT 1 FROM document_done WHERE document_id = ?" + (
        "" if coder_id is None else " AND coder_id = ?"
    )
    params = (document_id,) if coder_id is None else (document_id, coder_id)
    return project.one(sql, params) is not None


def coder_names(project: Project) -> list[str]:
    """Every coder's name, sorted."""
    return [r[0] for r in project.execute("SELECT name FROM coders ORDER BY name")]


def codable_code_ids(project: Project) -> set[int]:
    """The ids of the codes that can be applied."""
    return {r[0] for r in project.execute("SELECT id FROM codes WHERE codable = 1")}


# -- memos ----------------------------------------------------------------------------------------------------


def coding_memos(project: Project) -> sqlite3.Cursor:
    """Codings with a memo: ``code_id``, ``document_id``, ``start``, ``end``, ``memo``, ``coder``,
    ``document``, ``at`` and the first 60 characters of the passage (``passage``), by document and start."""
    return project.execute(
        "SELECT c.code_id, c.document_id, c.start, c.end, c.memo, u.name AS coder, d.name AS document, "
        "coalesce(c.updated_at, c.created_at) AS at, substr(d.text, c.start + 1, min(c.end - c.start, 60)) AS passage "
        "FROM codings c JOIN documents d ON d.id = c.document_id JOIN coders u ON u.id = c.coder_id "
        "WHERE c.memo IS NOT NULL AND c.memo <> '' ORDER BY d.name, c.start"
    )


def document_names(project: Project) -> dict[int, str]:
    """{document id: name}."""
    return dict(project.execute("SELECT id, name FROM documents").fetchall())


def case_labels(project: Project) -> dict[int, str]:
    """{case id: its code and name}."""
    return dict(project.execute("SELECT id, coalesce(code, '') || ' ' || name FROM cases").fetchall())


def memos(project: Project) -> sqlite3.Cursor:
    """``target_type``, ``target_id``, ``text``, ``at`` and ``coder`` of every memo, by target."""
    return project.execute(
        "SELECT m.target_type, m.target_id, m.text, coalesce(m.updated_at, m.created_at) AS at, u.name AS coder "
        "FROM memos m LEFT JOIN coders u ON u.id = m.coder_id ORDER BY m.target_type, m.target_id"
    )


# -- coded segments -------------------------------------------------------------------------------------------


def speakers_and_memos(project: Project, coding_ids: Sequence[int]) -> sqlite3.Cursor:
    """(coding id, memo, speaker of the turn it starts in) of each coding."""
    return project.execute(
        # turns do not overlap: the last one starting at or before the coding is the only one to hold it
        "SELECT c.id, c.memo, (SELECT CASE WHEN u.end > c.start THEN u.speaker END FROM units u "
        "WHERE u.document_id = c.document_id AND u.kind = 'turn' AND u.start <= c.start "
        "ORDER BY u.start DESC LIMIT 1) FROM codings c "
        f"WHERE c.id IN ({','.join('?' * len(coding_ids))})",
        coding_ids,
    )
