"""Document upkeep: correct a document's details, rename it, delete it.

The CLI (``beacon-qual docs edit|rename|delete``) and the workbench's document form call these functions.
Each change is one transaction with one audit record (a changeset, see :mod:`beacon_qual.store.changeset`) that
``beacon-qual coding undo`` and ``u`` in the workbench take back. The council goes through
:func:`beacon_qual.cases.councils.resolve_council`, and a match only by similarity is refused unless accepted, as
the importer does. Deleting a document takes its units, codings, memos, suggestions and earlier texts with
it, after a backup of the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beacon_qual.cases.councils import resolve_council
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.metadata import normalise_date, normalise_phase, normalise_role
from beacon_qual.store import Project
from beacon_qual.store import documents as sql
from beacon_qual.store.cases import case_name
from beacon_qual.store.changeset import Changeset
from beacon_qual.store.lookup import document_name

# the fields `edit_document` takes -> column of documents
FIELDS = {
    "council": "case_id",
    "phase": "phase",
    "role": "role",
    "date": "interview_date",
    "interviewer": "interviewer",
    "respondent": "respondent",
}
CLEAR = ("", "-")  # a field given as one of these is cleared


@dataclass
class EditReport:
    document: str
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (before, after), as shown
    notes: list[str] = field(default_factory=list)


def _name(project: Project, document_id: int) -> str:
    name = document_name(project, document_id)
    if name is None:
        raise BeaconError(f"no document with id {document_id}")
    return name


def _council_name(project: Project, case_id: int | None) -> str | None:
    return None if case_id is None else case_name(project, case_id)


def _check(project: Project, name: str, value: Any, accept_fuzzy: bool, notes: list[str]) -> Any:
    where = f"--{name}"
    if isinstance(value, str) and value.strip() in CLEAR:
        return None
    if name == "council":
        match = resolve_council(project, str(value))
        if match.how == "fuzzy":
            if not accept_fuzzy:
                raise BeaconError(
                    f"{where}: {value!r} matches {match.name} only by similarity (score {match.score:.0f}); "
                    "write the council's name or code, or add --accept-fuzzy"
                )
            notes.append(f"{value!r} read as {match.name} (fuzzy, score {match.score:.0f})")
        return match.case_id
    if name == "phase":
        return normalise_phase(value, where)
    if name == "role":
        return normalise_role(value, where)
    if name == "date":
        return normalise_date(value, where)
    text = " ".join(str(value).split())
    return text or None


def edit_document(
    project: Project,
    document_id: int,
    *,
    coder_id: int | None,
    accept_fuzzy: bool = False,
    name: str | None = None,
    **fields: Any,
) -> EditReport:
    """Change a document's council, phase, role, date, interviewer and respondent (and its name): the fields
    given, by those names; ``""`` or ``"-"`` clears one. Nothing changes when a value is refused."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise BeaconError(f"cannot edit {', '.join(sorted(unknown))}; editable: name, {', '.join(FIELDS)}")
    report = EditReport(_name(project, document_id))
    values = {FIELDS[k]: _check(project, k, v, accept_fuzzy, report.notes) for k, v in fields.items()}
    with project.transaction():
        current = dict(sql.document_row(project, document_id) or {})
        if not current:
            raise BeaconError(f"no document with id {document_id}")
        if name is not None:
            values["name"] = _check_name(project, document_id, name)
        change = Changeset(project)
        if change.update("documents", document_id, **values):
            change.audit(
                "document.edit" if set(values) != {"name"} else "document.rename",
                "documents",
                document_id,
                coder_id=coder_id,
            )
        for column, value in values.items():
            if current[column] != value:
                label = next((k for k, c in FIELDS.items() if c == column), column)
                shown = (
                    (_council_name(project, current[column]), _council_name(project, value))
                    if column == "case_id"
                    else (current[column], value)
                )
                report.changed[label] = shown
    return report


def _check_name(project: Project, document_id: int, name: str) -> str:
    name = name.strip()
    if not name or any(ch in name for ch in "/\\\n\r\t"):
        raise BeaconError(f"{name!r} is not a document name (a file name, without folders)")
    other = sql.other_document_named(project, name, document_id)
    if other is not None:
        raise BeaconError(f"document {other} is already called {name!r}")
    return name


def rename_document(project: Project, document_id: int, name: str, *, coder_id: int | None) -> EditReport:
    return edit_document(project, document_id, coder_id=coder_id, name=name)


# -- deleting ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentImpact:
    document: str
    codings: int
    coders: tuple[str, ...]
    memos: int
    backup: Path | None = None

    def describe(self) -> str:
        codings = f"{self.codings} coding{'s' if self.codings != 1 else ''}"
        if self.coders:
            codings += f" (by {', '.join(self.coders)})"
        return f"document {self.document!r} with its {codings} and {self.memos} memo{'s' if self.memos != 1 else ''}"


def delete_impact(project: Project, document_id: int) -> DocumentImpact:
    return DocumentImpact(
        _name(project, document_id),
        sql.coding_count_of_document(project, document_id),
        tuple(sql.coder_names_of_document(project, document_id)),
        sql.memo_count_of_document(project, document_id),
    )


def _delete_rows(project: Project, change: Changeset, table: str, column: str, value: int, done: set) -> None:
    """Delete the rows of ``table`` whose ``column`` is ``value``, and first every row that refers to them."""
    keys = sql.keys_where(project, table, sql.row_key(project, table), column, value)
    for child, child_column in sql.foreign_keys_to(project, table):
        if (child, child_column) in done:
            continue
        for k in keys:
            _delete_rows(project, change, child, child_column, k, done)
    for k in keys:
        change.delete(table, k)


def delete_document(project: Project, document_id: int, *, coder_id: int | None) -> DocumentImpact:
    """Delete a document with its codings, memos, units, suggestions and earlier texts, after a backup of
    the project; one undoable change."""
    from beacon_qual.documents.revise import backup_path

    impact = delete_impact(project, document_id)
    backup = project.backup(backup_path(project.path, "delete-document"))
    with project.transaction():
        impact = delete_impact(project, document_id)
        change = Changeset(project)
        for (memo_id,) in sql.memo_ids_of_document(project, document_id):
            change.delete("memos", memo_id)
        # Suggestions and codings before units and the document: their triggers read both.
        order = ["suggestions", "codings"]
        refs = sql.foreign_keys_to(project, "documents")
        done: set[tuple[str, str]] = set()
        for table, column in sorted(refs, key=lambda r: order.index(r[0]) if r[0] in order else len(order)):
            if table == "units":
                continue
            _delete_rows(project, change, table, column, document_id, done)
            done.add((table, column))
        for table, column in refs:
            if table == "units":
                _delete_rows(project, change, table, column, document_id, done)
        change.delete("documents", document_id)
        change.audit("document.delete", "documents", document_id, coder_id=coder_id)
    return DocumentImpact(impact.document, impact.codings, impact.coders, impact.memos, backup)
