"""The SQL behind exchange with other tools: REFI-QDA export (``exchange.refi_export``) and the pseudonymised
copy (``exchange.pseudonymise``).

Each function is one statement (``forget_history`` and ``compact`` a few, run together); the XML, the
replacements and the report are the services'. Table and column names passed in are the services'
own, never a user's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from beacon_qual.store.db import Project

# -- REFI-QDA export ----------------------------------------------------------------------------------------


def code_memo_count(project: Project) -> int:
    """How many memos are written on codes."""
    return project.scalar("SELECT count(*) FROM memos WHERE target_type = 'code'")


def uuids(project: Project, table: str) -> sqlite3.Cursor:
    """(id, uuid) of every row of ``table``."""
    return project.execute(f"SELECT id, uuid FROM {table}")


def document_texts(project: Project) -> sqlite3.Cursor:
    """``id`` and ``text`` of every document, by id, read as they are iterated."""
    return project.execute("SELECT id, text FROM documents ORDER BY id")


def coders(project: Project) -> list[sqlite3.Row]:
    """``id`` and ``name`` of every coder, by id."""
    return project.execute("SELECT id, name FROM coders ORDER BY id").fetchall()


def codes(project: Project) -> list[sqlite3.Row]:
    """Every code's row, in tree order (sort order, then id)."""
    return project.execute("SELECT * FROM codes ORDER BY sort_order, id").fetchall()


def variables(project: Project) -> list[sqlite3.Row]:
    """Every variable's row, by name."""
    return project.execute("SELECT * FROM variables ORDER BY name").fetchall()


def variable_waves(project: Project, variable_id: int) -> list[int]:
    """The waves a variable has values in, in order."""
    return [
        r[0]
        for r in project.execute(
            "SELECT DISTINCT wave FROM case_values WHERE variable_id = ? ORDER BY wave", (variable_id,)
        )
    ]


def wave_values(project: Project, variable_id: int, wave: int) -> list[sqlite3.Row]:
    """(value_num, value_text) of a variable's values in one wave."""
    return project.execute(
        "SELECT value_num, value_text FROM case_values WHERE variable_id = ? AND wave = ?",
        (variable_id, wave),
    ).fetchall()


def cases(project: Project) -> list[sqlite3.Row]:
    """Every case's row, by id."""
    return project.execute("SELECT * FROM cases ORDER BY id").fetchall()


def case_documents(project: Project, case_id: int) -> sqlite3.Cursor:
    """The ``id`` of each document of a case, by id."""
    return project.execute("SELECT id FROM documents WHERE case_id = ? ORDER BY id", (case_id,))


def case_values(project: Project, case_id: int) -> list[sqlite3.Row]:
    """A case's values with their variable's ``name``, ``type`` and ``levels``, by variable name and wave."""
    return project.execute(
        "SELECT cv.*, v.name, v.type, v.levels FROM case_values cv JOIN variables v ON v.id = cv.variable_id"
        " WHERE cv.case_id = ? ORDER BY v.name, cv.wave",
        (case_id,),
    ).fetchall()


def sources(project: Project) -> list[sqlite3.Row]:
    """Every document with its text and the metadata a REFI source describes, by id."""
    return project.execute(
        "SELECT id, name, text, phase, role, interview_date, interviewer, respondent, imported_at"
        " FROM documents ORDER BY id"
    ).fetchall()


def document_codings(project: Project, document_id: int) -> list[sqlite3.Row]:
    """A document's codings, by start, end and id."""
    return project.execute(
        "SELECT * FROM codings WHERE document_id = ? ORDER BY start, end, id", (document_id,)
    ).fetchall()


def revision_count(project: Project) -> int:
    """How many earlier texts of documents are kept."""
    return project.scalar("SELECT count(*) FROM document_revisions")


def memos(project: Project) -> sqlite3.Cursor:
    """Every memo's row, by id."""
    return project.execute("SELECT * FROM memos ORDER BY id")


def case_exists(project: Project, case_id: int) -> bool:
    """True when there is a case with this id."""
    return project.one("SELECT 1 FROM cases WHERE id = ?", (case_id,)) is not None


# -- the pseudonymised copy ------------------------------------------------------------------------------


def distinct_document_values(project: Project, column: str) -> sqlite3.Cursor:
    """The distinct values of a documents column, NULL left out."""
    return project.execute(f"SELECT DISTINCT {column} FROM documents WHERE {column} IS NOT NULL")


def speaker_labels(project: Project) -> sqlite3.Cursor:
    """The distinct speaker labels of units."""
    return project.execute("SELECT DISTINCT speaker FROM units WHERE speaker IS NOT NULL")


def documents_to_rewrite(project: Project) -> list[sqlite3.Row]:
    """(id, name, text, source_format, source_encoding) of every document."""
    return project.execute("SELECT id, name, text, source_format, source_encoding FROM documents").fetchall()


def turns(project: Project, document_id: int) -> sqlite3.Cursor:
    """(start, end, speaker) of a document's turns, in order."""
    return project.execute(
        "SELECT start, end, speaker FROM units WHERE document_id = ? AND kind = 'turn' ORDER BY seq, id",
        (document_id,),
    )


def sentences(project: Project, document_id: int) -> sqlite3.Cursor:
    """(start, end) of a document's sentences, in order."""
    return project.execute(
        "SELECT start, end FROM units WHERE document_id = ? AND kind = 'sentence' ORDER BY seq, id",
        (document_id,),
    )


def coding_places(project: Project, document_id: int) -> sqlite3.Cursor:
    """(id, start, end, status) of a document's codings."""
    return project.execute("SELECT id, start, end, status FROM codings WHERE document_id = ?", (document_id,))


def forget_history(project: Project) -> None:
    """Delete the anchoring records, the earlier texts and the audit trail; every document at revision 1."""
    project.execute("DELETE FROM coding_anchors")
    project.execute("DELETE FROM document_revisions")
    project.execute("UPDATE documents SET revision = 1, source_path = name")
    project.execute("DELETE FROM audit")


def compact(project: Project) -> None:
    """Fold the write-ahead log into the file and rebuild the file without its free pages."""
    project.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    project.execute("VACUUM")


def coding_count(project: Project) -> int:
    """How many codings the project holds."""
    return project.scalar("SELECT count(*) FROM codings")


def place_coding(project: Project, coding_id: int, start: int, end: int, status: str) -> None:
    """Move a coding to ``start``-``end`` with ``status``, as placed with full confidence."""
    project.execute(
        "UPDATE codings SET start = ?, end = ?, status = ?, anchor_score = 100 WHERE id = ?",
        (start, end, status, coding_id),
    )


def field_rows(project: Project, table: str, columns: Sequence[str], where: str) -> list[sqlite3.Row]:
    """(rowid, *columns) of the rows of ``table`` that meet ``where``."""
    key = "rowid"
    return project.execute(f"SELECT {key}, {', '.join(columns)} FROM {table} WHERE {where}").fetchall()


def set_fields(
    project: Project, table: str, columns: Sequence[str], rowid: int, values: Sequence[Any]
) -> None:
    """Write ``values`` into ``columns`` of one row of ``table``."""
    sets = ", ".join(f"{c} = ?" for c in columns)
    project.execute(f"UPDATE {table} SET {sets} WHERE rowid = ?", (*values, rowid))


def known_names(project: Project) -> sqlite3.Cursor:
    """Every case name, short name, region and alias, and every code name."""
    return project.execute(
        "SELECT name FROM cases UNION SELECT short_name FROM cases UNION SELECT region FROM cases "
        "UNION SELECT alias FROM case_aliases UNION SELECT name FROM codes"
    )


def all_texts(project: Project) -> list[sqlite3.Row]:
    """(id, text) of every document."""
    return project.execute("SELECT id, text FROM documents").fetchall()
