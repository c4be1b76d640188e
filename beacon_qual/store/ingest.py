"""The rows behind transcript import and speaker roles: new documents, their units, unit counts and search index
entries written in bulk, and the roles of speakers and units.

Each function is one statement. They take plain values (rows may be generators, consumed as they are written)
and return rows, ids or values; reading files, the checks, the roles and the audit records are the services'
(``ingest.importer``, ``ingest.speaker_roles``). The bulk writers are for
:func:`beacon_qual.store.placement.writer_indexes_sentences` blocks (see ``ingest.importer.write_units``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from beacon_qual.store.db import Project


# -- importing documents ---------------------------------------------------------------------------------------
def has_cases(project: Project) -> bool:
    """True when the project has any case."""
    return bool(project.scalar("SELECT EXISTS (SELECT 1 FROM cases)"))


def case_kinds(project: Project, case_ids: Sequence[int]) -> list[str]:
    """The kind of each of these cases."""
    rows = project.execute(f"SELECT kind FROM cases WHERE id IN ({','.join('?' * len(case_ids))})", case_ids)
    return [r[0] for r in rows]


def document_name_taken(project: Project, name: str) -> bool:
    """True when a document is called ``name``."""
    return bool(project.scalar("SELECT EXISTS (SELECT 1 FROM documents WHERE name = ?)", (name,)))


def sha256_of_document_named(project: Project, name: str) -> str | None:
    """The sha256 of the text of the document called ``name``; None when there is none."""
    row = project.one("SELECT sha256 FROM documents WHERE name = ?", (name,))
    return None if row is None else row[0]


def document_with_text(project: Project, sha256: str) -> str | None:
    """The name of a document whose text has this sha256, if any."""
    return project.scalar("SELECT name FROM documents WHERE sha256 = ?", (sha256,))


def insert_document(project: Project, text: str, row: dict[str, Any]) -> int:
    """Insert a document with its ``text`` and the columns in ``row``; its id."""
    columns = ", ".join(["text", *row])
    placeholders = ", ".join("?" * (len(row) + 1))
    document_id: int = project.execute(
        f"INSERT INTO documents ({columns}) VALUES ({placeholders})", (text, *row.values())
    ).lastrowid  # type: ignore[assignment]  # always set after an INSERT
    return document_id


def next_unit_id(project: Project) -> int:
    """The id the next unit would get: one more than the largest."""
    return project.scalar("SELECT coalesce(max(id), 0) + 1 FROM units")


def insert_units(project: Project, rows: Iterable[Sequence[Any]]) -> None:
    """Insert units from (id, document_id, kind, seq, start, end, speaker, speaker_role) rows."""
    project.conn.executemany(
        "INSERT INTO units (id, document_id, kind, seq, start, end, speaker, speaker_role)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def add_unit_counts(project: Project, rows: Iterable[Sequence[Any]]) -> None:
    """Add (document_id, kind, units, spans, max_end) rows to ``unit_counts``."""
    project.conn.executemany(
        "INSERT INTO unit_counts (document_id, kind, units, spans, max_end) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (document_id, kind) DO UPDATE SET units = units + excluded.units,"
        " spans = spans + excluded.spans, max_end = max(max_end, excluded.max_end)",
        rows,
    )


def index_sentences(project: Project, rows: Iterable[tuple[int, str]]) -> None:
    """Write (unit id, text) rows of sentences into the full-text index."""
    project.conn.executemany("INSERT INTO unit_fts (rowid, text) VALUES (?, ?)", rows)


# -- speaker roles ---------------------------------------------------------------------------------------------
def units_lack_roles(project: Project) -> bool:
    """True when a unit has no speaker role yet."""
    return bool(project.scalar("SELECT EXISTS (SELECT 1 FROM units WHERE speaker_role IS NULL)"))


def documents_lacking_roles(project: Project) -> list[int]:
    """The documents with a unit that has no speaker role yet."""
    return [
        r[0] for r in project.execute("SELECT DISTINCT document_id FROM units WHERE speaker_role IS NULL")
    ]


def document_interviewer(project: Project, document_id: int) -> str | None:
    """The interviewer a document's metadata names."""
    return project.scalar("SELECT interviewer FROM documents WHERE id = ?", (document_id,))


def role_settings(project: Project, document_id: int) -> dict[str, str]:
    """{label: role} set for a document's speakers."""
    return dict(
        project.execute(
            "SELECT label, role FROM speaker_roles WHERE document_id = ?", (document_id,)
        ).fetchall()
    )


def turns_in_order(project: Project, document_id: int) -> list[sqlite3.Row]:
    """A document's turns (``id, start, end, speaker``) in text order."""
    return project.execute(
        "SELECT id, start, end, speaker FROM units WHERE document_id = ? AND kind = 'turn' ORDER BY start, id",
        (document_id,),
    ).fetchall()


def sentences_in_order(project: Project, document_id: int) -> list[sqlite3.Row]:
    """A document's sentences (``id, start, end``) in text order."""
    return project.execute(
        "SELECT id, start, end FROM units WHERE document_id = ? AND kind = 'sentence' ORDER BY start, id",
        (document_id,),
    ).fetchall()


def set_unit_roles(project: Project, rows: Iterable[tuple[str, int]]) -> None:
    """Set units' roles from (role, unit id) rows."""
    project.conn.executemany("UPDATE units SET speaker_role = ? WHERE id = ?", rows)


def turns_with_roles(project: Project, document_id: int) -> sqlite3.Cursor:
    """A document's turns (``speaker, start, end, speaker_role``) in text order."""
    return project.execute(
        "SELECT speaker, start, end, speaker_role FROM units WHERE document_id = ? AND kind = 'turn' "
        "ORDER BY start, id",
        (document_id,),
    )


def speaker_labels(project: Project, document_id: int) -> sqlite3.Cursor:
    """A document's distinct speaker labels, as one-column rows."""
    return project.execute(
        "SELECT DISTINCT speaker FROM units WHERE document_id = ? AND kind = 'turn'", (document_id,)
    )


def role_set(project: Project, document_id: int, label: str) -> str | None:
    """The role set for a label in a document; None when none is set."""
    return project.scalar(
        "SELECT role FROM speaker_roles WHERE document_id = ? AND label = ?", (document_id, label)
    )


def unset_role(project: Project, document_id: int, label: str) -> None:
    """Forget the role set for a label in a document."""
    project.execute("DELETE FROM speaker_roles WHERE document_id = ? AND label = ?", (document_id, label))


def set_role(project: Project, document_id: int, label: str, role: str, set_at: str) -> None:
    """Set (or replace) the role of a label in a document."""
    project.execute(
        "INSERT INTO speaker_roles (document_id, label, role, set_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (document_id, label) DO UPDATE SET role = excluded.role, set_at = excluded.set_at",
        (document_id, label, role, set_at),
    )
