"""The rows behind documents: the catalogue, upkeep (rename, edit, delete) and revisions with their coding anchors.

Each function is one statement (``foreign_keys_to``: a look at the schema). They take plain values and return
rows, ids or counts; the checks, the re-anchoring, the audit records and the changesets are the services'
(``documents.catalogue``, ``documents.edit``, ``documents.revise``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from beacon_qual.store.db import Project
from beacon_qual.store.rows import inserted_id, one_row


# -- documents -------------------------------------------------------------------------------------------------
def document_row(project: Project, document_id: int) -> sqlite3.Row | None:
    """A document's whole row; None when there is none."""
    return project.one("SELECT * FROM documents WHERE id = ?", (document_id,))


def other_document_named(project: Project, name: str, document_id: int) -> int | None:
    """The id of a document other than ``document_id`` called ``name``, if any."""
    return project.scalar("SELECT id FROM documents WHERE name = ? AND id <> ?", (name, document_id))


def other_document_with_text(project: Project, sha256: str, document_id: int) -> str | None:
    """The name of a document other than ``document_id`` whose text has this sha256, if any."""
    return project.scalar("SELECT name FROM documents WHERE sha256 = ? AND id <> ?", (sha256, document_id))


def set_document_text(
    project: Project,
    document_id: int,
    text: str,
    sha256: str,
    word_count: int,
    revision: int,
    source_path: str | None,
    source_format: str | None,
    source_encoding: str | None,
) -> None:
    """Give a document another text, with its sha256, word count, revision number and source."""
    project.execute(
        "UPDATE documents SET text=?, sha256=?, word_count=?, revision=?, source_path=?, source_format=?,"
        " source_encoding=? WHERE id=?",
        (text, sha256, word_count, revision, source_path, source_format, source_encoding, document_id),
    )


# -- the catalogue ---------------------------------------------------------------------------------------------
_LISTING = """
SELECT d.id, d.name, c.name AS council, d.phase, d.role, d.interview_date, d.interviewer, d.respondent,
       d.word_count AS words,
       (SELECT count(*) FROM units u WHERE u.document_id = d.id AND u.kind = 'turn') AS turns,
       (SELECT count(*) FROM units u WHERE u.document_id = d.id AND u.kind = 'sentence') AS sentences,
       d.source_format
FROM documents d LEFT JOIN cases c ON c.id = d.case_id
"""


def document_listing(project: Project, equal: dict[str, object]) -> sqlite3.Cursor:
    """Catalogue rows of the documents whose ``documents`` columns have the values in ``equal``, by name."""
    where = f" WHERE {' AND '.join(f'd.{column} = ?' for column in equal)}" if equal else ""
    return project.execute(_LISTING + where + " ORDER BY d.name", list(equal.values()))


def document_listing_row(project: Project, document_id: int) -> sqlite3.Row:
    """One document's catalogue row; it must exist."""
    return one_row(project, _LISTING + " WHERE d.id = ?", (document_id,))


def document_source(project: Project, document_id: int) -> sqlite3.Row:
    """A document's ``text, sha256, source_path, source_encoding, imported_at``; it must exist."""
    return one_row(
        project,
        "SELECT text, sha256, source_path, source_encoding, imported_at FROM documents WHERE id = ?",
        (document_id,),
    )


def units_by_kind(project: Project, document_id: int) -> sqlite3.Cursor:
    """A document's units (``kind, seq, start, end, speaker``) by kind, then number."""
    return project.execute(
        "SELECT kind, seq, start, end, speaker FROM units WHERE document_id = ? ORDER BY kind, seq",
        (document_id,),
    )


# -- units -----------------------------------------------------------------------------------------------------
def units_in_order(project: Project, document_id: int) -> sqlite3.Cursor:
    """A document's units (``kind, seq, start, end, speaker``) in the order they were written."""
    return project.execute(
        "SELECT kind, seq, start, end, speaker FROM units WHERE document_id = ? ORDER BY id", (document_id,)
    )


def delete_units(project: Project, document_id: int) -> None:
    """Delete a document's units."""
    project.execute("DELETE FROM units WHERE document_id = ?", (document_id,))


def insert_units(project: Project, document_id: int, rows: Iterable[Sequence[Any]]) -> None:
    """Insert a document's units from (kind, seq, start, end, speaker) rows."""
    project.conn.executemany(
        "INSERT INTO units(document_id, kind, seq, start, end, speaker) VALUES (?,?,?,?,?,?)",
        ((document_id, *row) for row in rows),
    )


# -- codings ---------------------------------------------------------------------------------------------------
def codings_of_document(project: Project, document_id: int) -> sqlite3.Cursor:
    """A document's codings, whole rows, in id order."""
    return project.execute("SELECT * FROM codings WHERE document_id = ? ORDER BY id", (document_id,))


def coding_row(project: Project, coding_id: int) -> sqlite3.Row | None:
    """A coding's whole row; None when there is none."""
    return project.one("SELECT * FROM codings WHERE id = ?", (coding_id,))


def written_coding(project: Project, coding_id: int) -> sqlite3.Row:
    """A coding's whole row, just written; it must exist."""
    return one_row(project, "SELECT * FROM codings WHERE id = ?", (coding_id,))


def update_coding(project: Project, coding_id: int, changes: dict[str, Any], updated_at: str) -> None:
    """Set the columns in ``changes`` of a coding, and its ``updated_at``."""
    sets = ", ".join(f"{key} = ?" for key in changes)
    project.execute(
        f"UPDATE codings SET {sets}, updated_at = ? WHERE id = ?", (*changes.values(), updated_at, coding_id)
    )


def coding_count_of_document(project: Project, document_id: int) -> int:
    """The number of a document's codings."""
    return project.scalar("SELECT count(*) FROM codings WHERE document_id = ?", (document_id,))


def coder_names_of_document(project: Project, document_id: int) -> list[str]:
    """The names of the coders with codings in a document, in name order."""
    return [
        r[0]
        for r in project.execute(
            "SELECT DISTINCT u.name FROM codings c JOIN coders u ON u.id = c.coder_id"
            " WHERE c.document_id = ? ORDER BY u.name",
            (document_id,),
        )
    ]


_REVIEW = """
SELECT c.id, c.uuid, c.document_id, d.name AS document, c.code_id, u.name AS coder, c.start, c.end,
       substr(d.text, c.start + 1, c.end - c.start) AS passage,
       a.old_start, a.old_end, a.method, a.score, r.revision,
       CASE WHEN a.id IS NULL THEN NULL ELSE substr(r.text, a.old_start + 1, a.old_end - a.old_start) END
           AS old_passage
FROM codings c
JOIN documents d ON d.id = c.document_id
JOIN coders u ON u.id = c.coder_id
LEFT JOIN coding_anchors a ON a.id = (SELECT max(id) FROM coding_anchors WHERE coding_id = c.id)
LEFT JOIN document_revisions r ON r.id = a.revision_id
WHERE c.status = 'review'
"""


def codings_for_review(project: Project, document_id: int | None = None) -> sqlite3.Cursor:
    """Codings flagged for review (all, or one document's) with their passages now and before the revision
    that moved them, in document and text order."""
    sql, params = _REVIEW, []
    if document_id is not None:
        sql += " AND c.document_id = ?"
        params.append(document_id)
    sql += " ORDER BY d.name, c.start, c.id"
    return project.execute(sql, params)


# -- memos -----------------------------------------------------------------------------------------------------
_MEMOS = (
    "SELECT id FROM memos WHERE (target_type = 'document' AND target_id = :d)"
    " OR (target_type = 'coding' AND target_id IN (SELECT id FROM codings WHERE document_id = :d)) ORDER BY id"
)


def memo_count_of_document(project: Project, document_id: int) -> int:
    """The number of memos on a document and on its codings."""
    return project.scalar(f"SELECT count(*) FROM ({_MEMOS})", {"d": document_id})


def memo_ids_of_document(project: Project, document_id: int) -> list[sqlite3.Row]:
    """The ids of the memos on a document and on its codings, as one-column rows in id order."""
    return project.execute(_MEMOS, {"d": document_id}).fetchall()


# -- any table, for deleting a document with everything that refers to it ------------------------------------
def foreign_keys_to(project: Project, table: str) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to ``table``."""
    out = []
    for (name,) in project.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall():
        for fk in project.execute(f"PRAGMA foreign_key_list({name})").fetchall():
            if fk["table"] == table:
                out.append((name, fk["from"]))
    return out


def row_key(project: Project, table: str) -> str:
    """The column that names a row of ``table``: ``id`` when it has one, else ``rowid``."""
    return "id" if any(r[1] == "id" for r in project.execute(f"PRAGMA table_info({table})")) else "rowid"


def keys_where(project: Project, table: str, key: str, column: str, value: int) -> list[Any]:
    """The ``key`` of each row of ``table`` whose ``column`` is ``value``."""
    return [r[0] for r in project.execute(f"SELECT {key} FROM {table} WHERE {column} = ?", (value,))]


# -- revisions -------------------------------------------------------------------------------------------------
def insert_revision(
    project: Project,
    document_id: int,
    revision: int,
    text: str,
    sha256: str,
    source_path: str | None,
    replaced_at: str,
) -> int:
    """Keep a document's text as one of its earlier revisions; the new row's id."""
    return inserted_id(
        project.execute(
            "INSERT INTO document_revisions(document_id, revision, text, sha256, source_path, replaced_at)"
            " VALUES (?,?,?,?,?,?)",
            (document_id, revision, text, sha256, source_path, replaced_at),
        )
    )


def latest_revision(project: Project, document_id: int) -> sqlite3.Row | None:
    """The whole row of a document's latest kept text; None when it has none."""
    return project.one(
        "SELECT * FROM document_revisions WHERE document_id = ? ORDER BY revision DESC LIMIT 1",
        (document_id,),
    )


def delete_revision(project: Project, revision_id: int) -> None:
    """Delete a kept text."""
    project.execute("DELETE FROM document_revisions WHERE id = ?", (revision_id,))


def revise_record(project: Project, document_id: int, revision_id: int) -> sqlite3.Row | None:
    """The audit record of the revision that kept ``revision_id``; None when there is none."""
    return project.one(
        "SELECT * FROM audit WHERE action = 'document.revise' AND entity = 'documents' AND entity_id = ?"
        " AND json_extract(after, '$.revision_id') = ? ORDER BY id DESC LIMIT 1",
        (document_id, revision_id),
    )


def insert_anchor(
    project: Project,
    revision_id: int,
    coding_id: int,
    old: tuple[int, int],
    new: tuple[int, int],
    method: str,
    score: float,
) -> None:
    """Record where a revision moved a coding (``old`` and ``new`` are start and end), how and how surely."""
    project.execute(
        "INSERT INTO coding_anchors(revision_id, coding_id, old_start, old_end, new_start, new_end, method, score)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (revision_id, coding_id, *old, *new, method, score),
    )


def anchors_of_revision(project: Project, revision_id: int) -> sqlite3.Cursor:
    """The whole rows of a revision's coding anchors."""
    return project.execute("SELECT * FROM coding_anchors WHERE revision_id = ?", (revision_id,))


def delete_anchors(project: Project, revision_id: int) -> None:
    """Delete a revision's coding anchors."""
    project.execute("DELETE FROM coding_anchors WHERE revision_id = ?", (revision_id,))
