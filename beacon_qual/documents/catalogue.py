"""Listing imported documents and showing one with its speaker turns and sentences."""

from __future__ import annotations

from dataclasses import dataclass

from beacon_qual.cases.councils import resolve_council_for_filter
from beacon_qual.ingest.metadata import normalise_phase, normalise_role
from beacon_qual.store import Project
from beacon_qual.store.lookup import resolve_document
from beacon_qual.store.rows import one_row

COLUMNS = (
    "id",
    "name",
    "council",
    "phase",
    "role",
    "interview_date",
    "interviewer",
    "respondent",
    "words",
    "turns",
    "sentences",
    "source_format",
)


@dataclass(frozen=True)
class DocumentRow:
    id: int
    name: str
    council: str | None
    phase: int | None
    role: str | None
    interview_date: str | None
    interviewer: str | None
    respondent: str | None
    words: int
    turns: int
    sentences: int
    source_format: str | None


@dataclass(frozen=True)
class Unit:
    kind: str
    seq: int
    start: int
    end: int
    speaker: str | None


@dataclass(frozen=True)
class DocumentDetail:
    row: DocumentRow
    text: str
    sha256: str
    source_path: str | None
    source_encoding: str | None
    imported_at: str
    turns: list[Unit]
    sentences: list[Unit]


_SELECT = """
SELECT d.id, d.name, c.name AS council, d.phase, d.role, d.interview_date, d.interviewer, d.respondent,
       d.word_count AS words,
       (SELECT count(*) FROM units u WHERE u.document_id = d.id AND u.kind = 'turn') AS turns,
       (SELECT count(*) FROM units u WHERE u.document_id = d.id AND u.kind = 'sentence') AS sentences,
       d.source_format
FROM documents d LEFT JOIN cases c ON c.id = d.case_id
"""


def list_documents(
    project: Project, *, council: str | None = None, phase: int | str | None = None, role: str | None = None
) -> list[DocumentRow]:
    """Documents in name order, optionally only one council's, one phase's or one role's."""
    conditions: list[str] = []
    params: list[object] = []
    if council is not None:
        conditions.append("d.case_id = ?")
        params.append(resolve_council_for_filter(project, council).case_id)
    if phase is not None:
        conditions.append("d.phase = ?")
        params.append(normalise_phase(phase, "--phase"))
    if role is not None:
        conditions.append("d.role = ?")
        params.append(normalise_role(role, "--role"))
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = project.execute(_SELECT + where + " ORDER BY d.name", params)
    return [DocumentRow(*row) for row in rows]


def document_detail(project: Project, ref: str | int) -> DocumentDetail:
    """One document, found by id or name, with its text and units."""
    document_id = resolve_document(project, ref)
    row = DocumentRow(*one_row(project, _SELECT + " WHERE d.id = ?", (document_id,)))
    extra = one_row(
        project,
        "SELECT text, sha256, source_path, source_encoding, imported_at FROM documents WHERE id = ?",
        (document_id,),
    )
    units = [
        Unit(*unit)
        for unit in project.execute(
            "SELECT kind, seq, start, end, speaker FROM units WHERE document_id = ? ORDER BY kind, seq",
            (document_id,),
        )
    ]
    return DocumentDetail(
        row=row,
        text=extra["text"],
        sha256=extra["sha256"],
        source_path=extra["source_path"],
        source_encoding=extra["source_encoding"],
        imported_at=extra["imported_at"],
        turns=[u for u in units if u.kind == "turn"],
        sentences=[u for u in units if u.kind == "sentence"],
    )
