"""Importing what :mod:`.refi_read` read into a project, in one transaction.

Matching, so that importing into an existing project adds rather than duplicates:

* coders: by GUID, then by name;
* codes: by GUID, then by name under the same parent; the project's version is kept;
* cases: by GUID, then by register code, then through the council register
  (:func:`beacon_qual.cases.councils.resolve_council`) when the project has one, then by name;
  else a case is created;
* documents: by GUID or name when the text is the same, among the documents the project
  held before this import (two sources of one file, even with one text, are two documents);
  a different text under a known GUID or name comes in as a new document under a new name;
* cases found by name: only among the cases the project held before this import;
* codings: by GUID when it is the same coding (document, code, coder, passage), then by
  passage, code and coder; a GUID that belongs to a different coding is reported and the
  coding comes in under a new GUID;
* memos: by GUID;
* case values: a value the project already holds for that case and wave is kept.

Every row written gets an ``import`` audit record, and the import one summary record.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beacon_qual.cases.councils import CouncilNotResolved, resolve_council
from beacon_qual.exchange import refi
from beacon_qual.exchange.labelled import decompose
from beacon_qual.exchange.refi_read import (
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiProject,
    RefiSource,
    RefiValue,
    RefiVariable,
    read_qdc,
    read_qdpx,
)
from beacon_qual.exchange.textmap import normalise
from beacon_qual.ingest.importer import ParsedTranscript, write_units
from beacon_qual.ingest.metadata import Metadata
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store import refi_import as rows
from beacon_qual.store.codings import same_coding
from beacon_qual.store.placement import writer_indexes_sentences

DEFAULT_CODER = "unknown coder"
_REFI_TYPES = {"Boolean": "boolean", "Integer": "numeric", "Float": "numeric", "Date": "date"}
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


@dataclass
class ImportReport:
    """What an import added, found already present, could not carry over, and noticed."""

    file: str
    added: Counter = field(default_factory=Counter)
    matched: Counter = field(default_factory=Counter)
    not_carried: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)  # per source: how its selection positions were read


@dataclass
class _Variable:
    id: int
    name: str
    type: str
    levels: list[str] | None
    wave: int


def import_qdc(project: Project, path: Path) -> ImportReport:
    """Read a .qdc codebook and import its codes."""
    return import_refi(project, read_qdc(Path(path)))


def import_qdpx(project: Project, path: Path, *, fallback_coder: str = DEFAULT_CODER) -> ImportReport:
    """Read a .qdpx project and import it."""
    return import_refi(project, read_qdpx(Path(path)), fallback_coder=fallback_coder)


def import_refi(project: Project, data: RefiProject, *, fallback_coder: str = DEFAULT_CODER) -> ImportReport:
    """Write a read REFI-QDA file into the project: all of it, or (on any error) nothing."""
    with project.transaction():
        importer = _Importer(project, data, fallback_coder)
        importer.run()
    return importer.report


class _Importer:
    def __init__(self, project: Project, data: RefiProject, fallback_coder: str):
        self.p = project
        self.data = data
        self.fallback_coder = fallback_coder
        self.report = ImportReport(
            file=data.label,
            not_carried=list(data.not_carried),
            notes=list(data.warnings),
            readings=list(data.readings),
        )
        self.coders: dict[str, int] = {}
        self.codes: dict[str, int] = {}
        self.variables: dict[str, _Variable] = {}
        self.cases: dict[str, int] = {}
        self.documents: dict[str, int] = {}
        self.codings: dict[str, int] = {}
        self.selections: dict[str, int] = {}  # selection GUID -> its first coding
        self.labels: dict[str, str] = {}  # GUID -> how the report names it
        # note GUID -> targets (type, id, label), in the order they were found
        self.note_targets: dict[str, list[tuple[str, int | None, str]]] = {}
        self.pre_existing_codes = rows.code_ids(project)
        self.last_case_before = rows.last_case_id(project)
        self.has_register = rows.has_register(project)
        self.unattributed = 0
        self.fallback_id: int | None = None
        self.flagged = 0  # codings of the current source written with status 'review'
        self.new_documents: set[int] = set()  # documents this import added

    def run(self) -> None:
        for user in self.data.users:
            self.coders[user.guid] = self._coder(user.guid, user.name)
        self._codes(self.data.codes, None)
        self._variables()
        for case in self.data.cases:
            self.cases[case.guid] = self._case(case)
            self.labels[case.guid] = f"case {case.name!r}"
        for source in self.data.sources:
            self._source(source)
        self._links()
        self._notes()
        for case in self.data.cases:
            self._case_values(case)
        if self.unattributed:
            self.report.notes.append(
                f"{self.unattributed} coding(s) named no coder; they are recorded under {self.fallback_coder!r}"
            )
        self.p.audit(
            "import",
            "project",
            None,
            after={
                "format": self.data.kind,
                "file": self.data.label,
                "name": self.data.name,
                "origin": self.data.origin,
                "created": self.data.created,
                "added": dict(self.report.added),
                "matched": dict(self.report.matched),
                "not_carried": len(self.report.not_carried),
            },
        )

    # -- rows and their audit ---------------------------------------------------------------
    def _insert(
        self,
        table: str,
        row: dict[str, Any],
        *,
        what: str,
        coder_id: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> int:
        """Insert a row and its audit record (with ``extra``: what the file said that has no column)."""
        row_id = rows.insert_row(self.p, table, row)
        logged = {k: v for k, v in row.items() if k != "text" or table != "documents"}
        if extra:
            logged["from the file"] = extra
        self.p.audit("import", table, row_id, after=logged, coder_id=coder_id)
        self.report.added[what] += 1
        return row_id

    # -- coders ---------------------------------------------------------------------------------
    def _coder(self, guid: str | None, name: str | None) -> int:
        found = rows.coder_by_uuid(self.p, guid) if guid else None
        name = (name or "").strip() or (f"user {guid[:8]}" if guid else self.fallback_coder)
        if found is None:
            found = rows.coder_by_name(self.p, name)
        if found is not None:
            self.report.matched["coders"] += 1
            return found
        return self._insert(
            "coders", {"uuid": guid or new_uuid(), "name": name, "created_at": now()}, what="coders"
        )

    def _coder_for(self, *guids: str | None) -> int:
        for guid in (*guids, self.data.creating_user):
            if guid and guid in self.coders:
                return self.coders[guid]
            if guid:
                self.coders[guid] = self._coder(guid, None)
                return self.coders[guid]
        self.unattributed += 1
        if self.fallback_id is None:
            self.fallback_id = self._coder(None, self.fallback_coder)
        return self.fallback_id

    # -- codes ----------------------------------------------------------------------------------
    def _codes(self, codes: list[RefiCode], parent_id: int | None) -> None:
        for code in codes:
            code_id = self._code(code, parent_id)
            self.codes[code.guid] = code_id
            self.labels[code.guid] = f"code {code.name!r}"
            for note in code.note_refs:
                self._target(note, "code", code_id, f"code {code.name!r}")
            self._codes(code.children, code_id)

    def _code(self, code: RefiCode, parent_id: int | None) -> int:
        found = rows.code_by_uuid(self.p, code.guid)
        if found is None:
            found = rows.code_under(self.p, parent_id, code.name)
            found = found if found in self.pre_existing_codes else None
        if found is not None:
            self.report.matched["codes"] += 1
            return found
        name = _free_name(code.name, lambda candidate: rows.code_name_taken(self.p, parent_id, candidate))
        if name != code.name:
            self.report.notes.append(
                f"code {code.name!r} appears twice under one parent; the second is {name!r}"
            )
        body, fields = decompose(code.description, refi.CODE_FIELDS, {"Keywords": refi.is_keyword_list})
        order = rows.next_code_order(self.p, parent_id)
        return self._insert(
            "codes",
            {
                "uuid": code.guid,
                "parent_id": parent_id,
                "name": name,
                "description": body,
                "inclusion": fields.get("Inclusion"),
                "exclusion": fields.get("Exclusion"),
                "example": fields.get("Example"),
                "colour": self._colour(code),
                "keywords": fields.get("Keywords", "[]"),
                "codable": int(code.codable),
                "sort_order": order,
                "created_at": now(),
            },
            what="codes",
        )

    def _colour(self, code: RefiCode) -> str | None:
        colour = (code.colour or "").strip()
        if not colour:
            return None
        if not refi.is_rgb(colour):
            self.report.not_carried.append(f"colour {colour!r} of code {code.name!r} is not an RGB colour")
            return None
        return colour if len(colour) == 7 else "#" + "".join(c * 2 for c in colour[1:])

    # -- variables --------------------------------------------------------------------------------
    def _variables(self) -> None:
        on_cases = {v.variable for case in self.data.cases for v in case.values}
        seen: dict[str, _Variable] = {}  # measures met in this import, by name (one per wave may follow)
        for variable in self.data.variables:
            if variable.guid in self.data.source_variables and variable.guid not in on_cases:
                self.report.not_carried.append(
                    f"variable {variable.name!r} has values on sources only: beacon-qual keeps variables per case"
                )
                continue
            name, wave = refi.split_wave_name(variable.name)
            known = (
                seen.get(name)
                or self._existing_variable(name, variable)
                or self._new_variable(name, variable)
            )
            seen[name] = known
            self.variables[variable.guid] = _Variable(known.id, name, known.type, known.levels, wave)

    def _existing_variable(self, name: str, variable: RefiVariable) -> _Variable | None:
        row = rows.variable_by_name(self.p, name)
        if row is None:
            return None
        self.report.matched["variables"] += 1
        kind, _, _ = _variable_fields(variable)
        if row["type"] != kind:
            self.report.notes.append(
                f"variable {name!r} is {row['type']} in this project and {kind} in "
                f"{self.data.label}; its values are read as {row['type']}"
            )
        return _Variable(
            row["id"], name, row["type"], json.loads(row["levels"]) if row["levels"] else None, 1
        )

    def _new_variable(self, name: str, variable: RefiVariable) -> _Variable:
        kind, levels, (label, source) = _variable_fields(variable)
        plain = name == variable.name
        taken = rows.variable_uuid_taken(self.p, variable.guid)
        variable_id = self._insert(
            "variables",
            {
                "uuid": variable.guid if plain and not taken else new_uuid(),
                "name": name,
                "type": kind,
                "levels": levels,
                "label": label,
                "source": source or f"REFI-QDA: {self.data.label}",
            },
            what="variables",
        )
        return _Variable(variable_id, name, kind, json.loads(levels) if levels else None, 1)

    # -- cases --------------------------------------------------------------------------------------
    def _case(self, case: RefiCase) -> int:
        body, fields = decompose(case.description, refi.CASE_FIELDS)
        name = case.name or fields.get("Short name") or f"case {case.guid[:8]}"
        found = self._existing_case(case.guid, fields.get("Code"), name)
        if found is not None:
            self.report.matched["cases"] += 1
            case_id = found
        else:
            case_id = self._insert(
                "cases",
                {
                    "uuid": case.guid,
                    "code": fields.get("Code"),
                    "gss_code": fields.get("GSS code"),
                    "ons_code": fields.get("ONS code"),
                    "name": name,
                    "short_name": fields.get("Short name"),
                    "type": fields.get("Type"),
                    "region": fields.get("Region"),
                    "created_at": now(),
                },
                what="cases",
            )
            if self.has_register:
                self.report.notes.append(f"case {name!r} is not in the council register; it was added")
        if body:
            self._memo_row(
                refi.derived_guid("description", f"{case.guid}\n{body}"),
                "case",
                case_id,
                None,
                "Description",
                body,
                None,
            )
        return case_id

    def _existing_case(self, guid: str, code: str | None, name: str) -> int | None:
        found = rows.case_by_uuid(self.p, guid)
        if found is None and code:
            found = rows.case_by_code(self.p, code)
        if found is not None:
            return found
        if self.has_register:
            try:
                return resolve_council(self.p, name).case_id
            except CouncilNotResolved:
                pass
        # Two cases of this file with one name are two cases: only those before the import are matched.
        return rows.case_by_name(self.p, name, self.last_case_before)

    def _case_of(self, source_guid: str) -> int | None:
        owners = [c for c in self.data.cases if source_guid in c.sources]
        if len(owners) > 1:
            self.report.notes.append(
                f"source {source_guid} belongs to {len(owners)} cases; it was given to the first, "
                f"{owners[0].name!r}"
            )
        return self.cases.get(owners[0].guid) if owners else None

    # -- documents --------------------------------------------------------------------------------------
    def _source(self, source: RefiSource) -> None:
        document_id = self._document(source)
        self.documents[source.guid] = document_id
        self.labels[source.guid] = f"document {source.name!r}"
        for note in source.note_refs:
            self._target(note, "document", document_id, f"document {source.name!r}")
        self.flagged = 0
        for selection in source.selections:
            ids = [
                self._coding(
                    c,
                    document_id,
                    selection.start,
                    selection.end,
                    selection.description,
                    (selection.user, source.user),
                    selection.created,
                    review=selection.review,
                    modified=selection.modified,
                )
                for c in selection.codings
            ]
            placed = [i for i in ids if i is not None]
            if placed:
                self.selections[selection.guid] = placed[0]
                self.labels[selection.guid] = f"a selection in {source.name!r}"
                for note in selection.note_refs:
                    self._target(note, "coding", placed[0], f"selection {selection.name!r}")
        if self.flagged:
            self.report.notes.append(
                f"{self.flagged} coding(s) in {source.name!r} are flagged for review: where they fall depends on "
                "how the other tool counted positions (see 'beacon-qual review list', or v in the workbench)"
            )
        for coding in source.codings:
            if source.text:
                self._coding(coding, document_id, 0, len(source.text), None, (source.user,), source.created)
            else:
                self.report.not_carried.append(f"a coding of the empty source {source.name!r}")

    def _document(self, source: RefiSource) -> int:
        body, fields = decompose(source.description, refi.DOCUMENT_FIELDS, {"Phase": refi.is_int})
        sha = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
        # Only a document that was in the project before this import, with the same text, is the same
        # source: two sources of one file are two interviews even when their texts (or names) are the same.
        by_uuid = rows.document_by_uuid(self.p, source.guid)
        by_name = rows.document_by_name(self.p, source.name)
        for row in (by_uuid, by_name):
            if row is not None and row["sha256"] == sha and row["id"] not in self.new_documents:
                self.report.matched["documents"] += 1
                return row["id"]
        uuid = source.guid if by_uuid is None else new_uuid()
        name = _free_name(source.name, lambda candidate: rows.document_name_taken(self.p, candidate))
        if by_uuid is not None and by_uuid["id"] in self.new_documents:
            self.report.notes.append(
                f"source {source.name!r} has the GUID of source {by_uuid['name']!r} in the same file; "
                f"it was added as {name!r} with a new GUID"
            )
        elif by_uuid is None and by_name is not None and by_name["id"] in self.new_documents:
            self.report.notes.append(
                f"two sources in the file are named {source.name!r}; the second was added as {name!r}"
            )
        elif by_uuid is not None or name != source.name:
            self.report.notes.append(
                f"source {source.name!r} differs from the project's document of that "
                f"{'GUID' if by_uuid is not None else 'name'}; it was added as {name!r}"
            )
        parsed = source.parsed or ParsedTranscript(
            name=name,
            source_path=source.origin,
            source_format=source.text_format,
            source_encoding=source.encoding,
            text=source.text,
            metadata=Metadata(),
        )
        parsed.name = name
        document_id = self._insert(
            "documents",
            {
                "uuid": uuid,
                "name": name,
                "text": source.text,
                "sha256": sha,
                "case_id": self._case_of(source.guid),
                "phase": int(fields["Phase"]) if "Phase" in fields else None,
                "role": fields.get("Role"),
                "interview_date": fields.get("Interview date"),
                "interviewer": fields.get("Interviewer"),
                "respondent": fields.get("Respondent"),
                "source_path": f"{self.data.label}!{source.origin}",
                "source_format": source.text_format,
                "source_encoding": source.encoding,
                "word_count": parsed.word_count,
                "imported_at": now(),
            },
            what="documents",
            extra={"created": source.created} if source.created else None,
        )
        self.new_documents.add(document_id)
        self._units(document_id, parsed)
        if body:
            self._memo_row(
                refi.derived_guid("description", f"{source.guid}\n{body}"),
                "document",
                document_id,
                None,
                "Description",
                body,
                None,
            )
        return document_id

    def _units(self, document_id: int, parsed: ParsedTranscript) -> None:
        """Speaker turns and sentences, found and written the way transcript import does it.

        The index entries of the sentences are written here from the text in hand, as the transcript
        importer writes them (schema V5): the insert trigger would read the whole document again for
        every sentence, so import time grew with the square of a source's length.
        """
        with writer_indexes_sentences(self.p):
            write_units(self.p, document_id, parsed)

    # -- codings --------------------------------------------------------------------------------------
    def _coding(
        self,
        coding: RefiCoding,
        document_id: int,
        start: int,
        end: int,
        memo: str | None,
        users: tuple[str | None, ...],
        created: str | None,
        *,
        review: bool = False,
        modified: str | None = None,
    ) -> int | None:
        code_id = self.codes.get(coding.code or "")
        if code_id is None:
            self.report.not_carried.append(
                f"coding {coding.guid} refers to code {coding.code}, which is not in the codebook"
            )
            return None
        coder_id = self._coder_for(coding.user, *users)
        place = (document_id, code_id, coder_id, start, end)
        by_guid = rows.coding_by_uuid(self.p, coding.guid)
        collision = by_guid is not None and tuple(by_guid)[1:] != place
        existing = by_guid["id"] if by_guid is not None and not collision else None
        if existing is None:
            same = same_coding(self.p, *place)
            existing = same["id"] if same is not None else None
        uuid = new_uuid() if collision else coding.guid
        if by_guid is not None and collision:
            outcome = (
                "it is the same as another coding of that passage, code and coder, so nothing was added"
                if existing is not None
                else f"it was added with the new GUID {uuid}"
            )
            self.report.notes.append(
                f"coding GUID {coding.guid} (code {self._code_name(code_id)!r} in "
                f"{self._document_name(document_id)!r}, {start}-{end}) is already the GUID of a different "
                f"coding (code {self._code_name(by_guid['code_id'])!r} in "
                f"{self._document_name(by_guid['document_id'])!r}, {by_guid['start']}-{by_guid['end']}); "
                + outcome
            )
        if existing is not None:
            self.report.matched["codings"] += 1
            coding_id = existing
        else:
            memo = normalise(memo).text.strip() if memo else None
            coding_id = self._insert(
                "codings",
                {
                    "uuid": uuid,
                    "document_id": document_id,
                    "code_id": code_id,
                    "coder_id": coder_id,
                    "start": start,
                    "end": end,
                    "memo": memo or None,
                    "status": "review" if review else "ok",
                    "created_at": coding.created or created or now(),
                    "updated_at": modified if modified and refi.is_datetime(modified) else None,
                },
                what="codings",
                coder_id=coder_id,
            )
            self.flagged += review
        self.codings[coding.guid] = coding_id
        for note in coding.note_refs:
            self._target(note, "coding", coding_id, f"coding {coding.guid}")
        return coding_id

    def _code_name(self, code_id: int) -> str:
        return rows.code_name(self.p, code_id)

    def _document_name(self, document_id: int) -> str:
        return rows.document_name(self.p, document_id)

    # -- notes ------------------------------------------------------------------------------------------
    def _target(self, note: str, target_type: str, target_id: int | None, label: str) -> None:
        self.note_targets.setdefault(note, []).append((target_type, target_id, label))

    def _links(self) -> None:
        notes = {n.guid for n in self.data.notes}
        for link in self.data.links:
            ends = [link.origin, link.target]
            note = next((e for e in ends if e in notes), None)
            other = next((e for e in ends if e != note), None) if note else None
            target = self._linkable(other) if other else None
            if note and target:
                self._target(note, *target)
            else:
                names = " and ".join(self._describe(e) for e in ends)
                self.report.not_carried.append(
                    f"link {link.name or link.guid!r} between {names}: only links from a note are kept, as memos"
                )

    def _linkable(self, guid: str) -> tuple[str, int | None, str] | None:
        for kind, table in (
            ("case", self.cases),
            ("document", self.documents),
            ("code", self.codes),
            ("coding", self.codings),
            ("coding", self.selections),
        ):
            if guid in table:
                return kind, table[guid], self.labels.get(guid, f"{kind} {guid}")
        return None

    def _describe(self, guid: str | None) -> str:
        if guid is None:
            return "nothing"
        if guid in self.data.skipped_guids:
            return f"{self.data.skipped_guids[guid]} (not imported)"
        target = self._linkable(guid)
        if target:
            return target[2]
        note = next((n for n in self.data.notes if n.guid == guid), None)
        if note is not None:
            return f"note {note.name or guid!r}"
        return f"{guid} (unknown)"

    def _notes(self) -> None:
        for ref in self.data.project_note_refs:
            self._target(ref, "project", None, "the project")
        for note in self.data.notes:
            targets = self.note_targets.get(note.guid, [])
            if not targets and note.guid in self.data.stranded_note_refs:
                self.report.notes.append(
                    f"note {note.name or note.guid!r} was attached to "
                    f"{self.data.stranded_note_refs[note.guid]}, which was not imported; it is a project memo"
                )
            if len(targets) > 1:
                self.report.notes.append(
                    f"note {note.name or note.guid!r} is attached to {len(targets)} items; it was kept on "
                    f"the first, {targets[0][2]}"
                )
            target_type, target_id, _ = targets[0] if targets else ("project", None, "")
            text = note.text.strip()
            if not text:
                self.report.not_carried.append(f"note {note.name or note.guid!r} is empty")
                continue
            coder_id = self._coder_for(note.user) if note.user else None
            self._memo_row(
                note.guid, target_type, target_id, coder_id, note.name, text, note.created, note.modified
            )
        description = normalise(self.data.description or "").text.strip()
        if description:
            self._memo_row(
                refi.derived_guid("description", f"{self.data.label}\n{description}"),
                "project",
                None,
                None,
                "Project description",
                description,
                None,
            )

    def _memo_row(
        self,
        uuid: str,
        target_type: str,
        target_id: int | None,
        coder_id: int | None,
        title: str | None,
        text: str,
        created: str | None,
        modified: str | None = None,
    ) -> None:
        if rows.memo_uuid_taken(self.p, uuid):
            self.report.matched["memos"] += 1
            return
        self._insert(
            "memos",
            {
                "uuid": uuid,
                "target_type": target_type,
                "target_id": target_id,
                "coder_id": coder_id,
                "title": title,
                "text": text,
                "created_at": created or now(),
                "updated_at": modified if modified and refi.is_datetime(modified) else None,
            },
            what="memos",
            coder_id=coder_id,
        )

    # -- case values ------------------------------------------------------------------------------------
    def _case_values(self, case: RefiCase) -> None:
        case_id = self.cases[case.guid]
        for value in case.values:
            variable = self.variables.get(value.variable)
            if variable is None:
                self.report.not_carried.append(
                    f"a value of case {case.name!r} refers to variable {value.variable}, which is not declared"
                )
                continue
            try:
                value_num, value_text = _stored_value(value, variable)
            except ValueError as exc:
                self.report.not_carried.append(
                    f"value {value.text!r} of {variable.name!r} for case {case.name!r} {exc}"
                )
                continue
            self._case_value(case, case_id, variable, value_num, value_text)

    def _case_value(
        self,
        case: RefiCase,
        case_id: int,
        variable: _Variable,
        value_num: float | None,
        value_text: str | None,
    ) -> None:
        row = rows.case_value(self.p, variable.id, case_id, variable.wave)
        if row is not None:
            self.report.matched["case values"] += 1
            if (row["value_num"], row["value_text"]) != (value_num, value_text):
                self.report.notes.append(
                    f"case {case.name!r} already has {variable.name!r} (wave {variable.wave}) = "
                    f"{row['value_text'] if row['value_text'] is not None else row['value_num']}; kept"
                )
            return
        self._insert(
            "case_values",
            {
                "variable_id": variable.id,
                "case_id": case_id,
                "wave": variable.wave,
                "value_num": value_num,
                "value_text": value_text,
            },
            what="case values",
        )


def _free_name(name: str, taken: Callable[[str], bool]) -> str:
    """``name``, or ``name (2)``, ``name (3)``... the first that is not taken."""
    candidate, number = name, 1
    while taken(candidate):
        number += 1
        candidate = f"{name} ({number})"
    return candidate


def _variable_fields(variable: RefiVariable) -> tuple[str, str | None, tuple[str | None, str | None]]:
    """(type, levels as JSON, (label, source)) of a REFI variable, from its Description when we wrote it."""
    body, fields = decompose(
        variable.description,
        refi.VARIABLE_FIELDS,
        {
            "Type": lambda v: v in refi.VARIABLE_TYPES,
            "Levels": refi.is_keyword_list,
        },
    )
    kind = fields.get("Type") or _REFI_TYPES.get(variable.kind, "text")
    return kind, fields.get("Levels"), (body, fields.get("Source"))


def _stored_value(value: RefiValue, variable: _Variable) -> tuple[float | None, str | None]:
    """(value_num, value_text) of a REFI value for a variable of our type; ValueError says why not."""
    text = value.text
    kind = variable.type
    if kind == "numeric":
        try:
            number = float(text.strip())
        except ValueError:
            raise ValueError("is not a number") from None
        if not math.isfinite(number):
            raise ValueError("is not a finite number")
        return number, None
    if kind == "boolean":
        word = text.strip().lower()
        if word in _TRUE | _FALSE:
            flag = word in _TRUE
            return float(flag), "true" if flag else "false"
        raise ValueError("is not true or false")
    if kind == "ordinal":
        levels = variable.levels or []
        if text not in levels:
            raise ValueError(f"is not one of the levels {', '.join(levels)}")
        return float(levels.index(text)), text
    if kind == "date":
        return None, text.strip()
    return None, text
