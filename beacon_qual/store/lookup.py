"""Looking up single rows: a document by id or name, and the one value a command or the workbench shows."""

from __future__ import annotations

import sqlite3

from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.rows import one_row


def resolve_document(project: Project, ref: str | int) -> int:
    """A document id from an id, a file name, or a unique prefix of a file name."""
    text = str(ref).strip()
    if text.isdigit():
        row = project.one("SELECT id FROM documents WHERE id = ?", (int(text),))
        if row is not None:
            return row[0]
    row = project.one("SELECT id FROM documents WHERE name = ?", (text,))
    if row is not None:
        return row[0]
    like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = project.execute(
        "SELECT id, name FROM documents WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT 6", (like,)
    ).fetchall()
    if len(rows) == 1:
        return rows[0][0]
    if rows:
        raise BeaconError(f"document {text!r} is ambiguous", details=[f"{r[0]}: {r[1]}" for r in rows])
    raise BeaconError(f"no document {text!r} in this project (see 'beacon-qual docs list')")


def document_name(project: Project, document_id: int) -> str | None:
    """The file name of a document; None if there is no such document."""
    return project.scalar("SELECT name FROM documents WHERE id = ?", (document_id,))


def document_exists(project: Project, document_id: int) -> bool:
    """Whether the project holds this document."""
    return project.scalar("SELECT 1 FROM documents WHERE id = ?", (document_id,)) is not None


def document_text(project: Project, document_id: int) -> str:
    """A document's stored text; an error naming the id when there is no such document."""
    text = project.scalar("SELECT text FROM documents WHERE id = ?", (document_id,))
    if text is None:
        raise BeaconError(f"no document with id {document_id}")
    return text


def document_details(project: Project, document_id: int) -> sqlite3.Row:
    """A document's name, council name, phase, role, interview date, interviewer and respondent."""
    return one_row(
        project,
        "SELECT d.name, c.name AS council, d.phase, d.role, d.interview_date, d.interviewer, d.respondent"
        " FROM documents d LEFT JOIN cases c ON c.id = d.case_id WHERE d.id = ?",
        (document_id,),
    )


def council_of_document(project: Project, document_id: int) -> int | None:
    """The case id of the council a document belongs to; None when it has none (or its case is no council)."""
    return project.scalar(
        "SELECT case_id FROM documents WHERE id = ? AND case_id IN (SELECT id FROM cases WHERE kind = 'council')",
        (document_id,),
    )


def coder_name(project: Project, coder_id: int) -> str | None:
    """A coder's name."""
    return project.scalar("SELECT name FROM coders WHERE id = ?", (coder_id,))


def code_name_and_codable(project: Project, code_id: int) -> tuple[str, bool]:
    """A code's name, and whether it may be applied (a group code may not)."""
    row = project.one("SELECT name, codable FROM codes WHERE id = ?", (code_id,))
    return (row[0], bool(row[1])) if row is not None else ("", False)


def codings_of_code(project: Project, code_id: int) -> int:
    """How many codings a code has (all coders)."""
    return int(project.scalar("SELECT count(*) FROM codings WHERE code_id = ?", (code_id,)))
