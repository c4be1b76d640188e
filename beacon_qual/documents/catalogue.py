"""Listing imported documents and showing one with its speaker turns and sentences."""

from __future__ import annotations

from dataclasses import dataclass

from beacon_qual.cases.councils import resolve_council_for_filter
from beacon_qual.ingest.metadata import normalise_phase, normalise_role
from beacon_qual.store import Project
from beacon_qual.store import documents as sql
from beacon_qual.store.lookup import resolve_document

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


def list_documents(
    project: Project, *, council: str | None = None, phase: int | str | None = None, role: str | None = None
) -> list[DocumentRow]:
    """Documents in name order, optionally only one council's, one phase's or one role's."""
    equal: dict[str, object] = {}
    if council is not None:
        equal["case_id"] = resolve_council_for_filter(project, council).case_id
    if phase is not None:
        equal["phase"] = normalise_phase(phase, "--phase")
    if role is not None:
        equal["role"] = normalise_role(role, "--role")
    return [DocumentRow(*row) for row in sql.document_listing(project, equal)]


def document_detail(project: Project, ref: str | int) -> DocumentDetail:
    """One document, found by id or name, with its text and units."""
    document_id = resolve_document(project, ref)
    row = DocumentRow(*sql.document_listing_row(project, document_id))
    extra = sql.document_source(project, document_id)
    units = [Unit(*unit) for unit in sql.units_by_kind(project, document_id)]
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
