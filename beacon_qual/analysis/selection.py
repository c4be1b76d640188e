"""Which codings an analysis looks at: filters by phase, role, coder, council, wave and code.

:class:`Filters` holds what the user asked for (as typed); :func:`resolve_filters`
checks every value against the project and returns a :class:`Selection` of ids
that the analyses turn into SQL with :meth:`Selection.where`.
"""

from __future__ import annotations

import weakref
from dataclasses import asdict, dataclass, field

from beacon_qual.codebook.tree import CodeTree
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.analysis import selection as store
from beacon_qual.store.analysis.selection import DOCS  # noqa: F401  (the analyses' documents, for their SQL)

# The state of the project each connection's DOCS table was filled from: (PRAGMA data_version, which moves
# when another connection commits; the connection and its total_changes, which moves with each of its writes).
_DOCS_STATE: weakref.WeakKeyDictionary[Project, tuple[int, int, int]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Filters:
    phases: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()
    coders: tuple[str, ...] = ()
    councils: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    waves: tuple[int, ...] = ()
    done_only: bool = False  # only documents marked fully coded (see done_where)
    speaker: str | None = None  # 'respondent' or 'interviewer': only codings in that side's turns

    def as_dict(self) -> dict[str, list | bool]:
        """The filters that are set, for provenance records."""
        shown: dict[str, list | bool] = {}
        for key, value in asdict(self).items():
            if value:
                shown[key] = (
                    value if isinstance(value, bool) else [value] if isinstance(value, str) else list(value)
                )
        return shown


@dataclass
class Selection:
    """Resolved filters: ids and values known to exist in the project."""

    filters: Filters
    phases: list[int] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    coder_ids: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)
    code_ids: list[int] = field(default_factory=list)
    speaker: str | None = None  # see speaker_where
    without_council: int = 0  # documents the other filters keep that have no council (see without_council)

    def document_where(self, doc: str = "d") -> tuple[str, list]:
        """SQL conditions (joined by AND, or '1') on documents, with their parameters."""
        parts: list[str] = []
        params: list = []
        store.in_list(parts, params, f"{doc}.phase", self.phases)
        store.in_list(parts, params, f"{doc}.role", self.roles)
        store.in_list(parts, params, f"{doc}.case_id", self.case_ids)
        if self.filters.done_only:
            done_sql, done_params = done_where(self.coder_ids, doc)
            parts.append(done_sql)
            params.extend(done_params)
        return (" AND ".join(parts) or "1"), params

    def coded(self, doc: str = "d") -> tuple[str, list]:
        """SQL condition that a document holds at least one of the selection's codings (by index lookups)."""
        speaker = self.speaker_where("c") if self.speaker is not None else None
        return store.coded_condition(doc, self.coder_ids, speaker)

    def where(self, coding: str = "c", doc: str = "d") -> tuple[str, list]:
        """SQL conditions on codings joined to documents (every filter except codes)."""
        doc_sql, params = self.document_where(doc)
        parts = [doc_sql]
        store.in_list(parts, params, f"{coding}.coder_id", self.coder_ids)
        if self.speaker is not None:
            speaker_sql, values = self.speaker_where(coding)
            parts.append(speaker_sql)
            params.extend(values)
        return " AND ".join(parts), params

    def speaker_where(self, coding: str = "c") -> tuple[str, list]:
        """SQL condition that a coding is in the selected side's speech: it overlaps at least one turn of that
        role (through ``coding_units``), or, for respondents, its document has no turns at all; '1' when no
        side is selected."""
        return store.speaker_condition(self.speaker, coding)

    def speaker_counts_where(self, counts: str = "x") -> tuple[str, list]:
        """SQL condition that a ``coding_counts`` row (alias ``counts``: a code, document and coder) holds at
        least one coding that :meth:`speaker_where` keeps, read from ``coding_units`` by its key (kind, code,
        coder, document) and the turns' roles, without reading the codings; '1' when no side is selected."""
        return store.speaker_counts_condition(self.speaker, counts)

    def speaker_units(self, unit: str) -> tuple[str, list]:
        """SQL condition that a unit (sentence or turn, column ``unit``) lies in the selected side's turns."""
        return store.speaker_units_condition(self.speaker, unit)


def phase_waves(project: Project) -> dict[int, int]:
    """The survey wave of each study phase: recorded with 'survey waves set', else wave N for phase N."""
    from beacon_qual.analysis.waves import phase_waves as recorded

    return {phase: pw.wave for phase, pw in recorded(project).items()}


def prepare_documents(project: Project) -> None:
    """Refresh :data:`DOCS`, a small temporary table of each document's council, phase, role and wave.

    Queries join codings to it instead of to ``documents``, whose rows carry the whole text: reading a
    column stored after the text means walking the text's overflow pages for every coding. It is
    filled from the covering indexes on ``documents``, and kept while the project is unchanged (no write
    through this connection, no commit by another, no open transaction that might be rolled back): the
    workbench's views resolve filters on every step. Keeping it also keeps the council index of
    :mod:`beacon_qual.cases.councils` (keyed on the same state) from being rebuilt for every ``--council`` filter.
    """
    state = store.documents_state(project)
    if not project.conn.in_transaction and _DOCS_STATE.get(project) == state:
        return
    # Councils only: a document of an organisation (or of no case) has no council here, so that analyses by
    # council leave it out (see without_council).
    store.fill_documents(project, phase_waves(project))
    _DOCS_STATE[project] = store.documents_state(project)


def resolve_filters(project: Project, filters: Filters, tree: CodeTree) -> Selection:
    """Check every filter value against the project and refresh the document table queries join."""
    prepare_documents(project)
    selection = Selection(filters=filters)
    selection.phases = _phases(project, filters)
    selection.roles = _roles(project, filters.roles)
    selection.coder_ids = [coder_id_of(project, name) for name in filters.coders]
    selection.case_ids = [resolve_case(project, ref) for ref in filters.councils]
    selection.code_ids = tree.resolve_all(filters.codes)
    selection.speaker = resolve_speaker(project, filters.speaker)
    selection.without_council = without_council(project, selection)
    return selection


def without_council(project: Project, selection: Selection) -> int:
    """Documents the selection keeps that have no council: no case, or an organisation's. Analyses by
    council leave them out; analyses by document keep them."""
    where, params = selection.document_where()
    return store.count_without_council(project, where, params)


def council_notes(selection: Selection) -> list[str]:
    """The note an analysis by council gives about the documents it left out, if any."""
    n = selection.without_council
    if not n:
        return []
    plural = "s" if n != 1 else ""
    return [
        f"{n} document{plural} with no council (an organisation's, or no case) left out of the counts by council."
    ]


def resolve_speaker(project: Project, speaker: str | None) -> str | None:
    """The speaker role to keep (None: any), with every unit's role worked out first."""
    if speaker is None or speaker == "any":  # as speaker_filter answers, without importing it
        return None
    from beacon_qual.ingest.speaker_roles import speaker_filter

    return speaker_filter(project, speaker)


def _phases(project: Project, filters: Filters) -> list[int]:
    known = sorted(r[0] for r in store.known_phases(project))
    for phase in filters.phases:
        if phase not in known:
            raise BeaconError(f"no documents in phase {phase} (phases: {_listing(known)})")
    phases = list(filters.phases)
    if filters.waves:
        mapping = phase_waves(project)
        for wave in filters.waves:
            if wave not in mapping.values():
                raise BeaconError(
                    f"no documents in survey wave {wave} (waves: {_listing(sorted(set(mapping.values())))})"
                )
        in_waves = [p for p in known if mapping.get(p) in filters.waves]
        phases = [p for p in phases if p in in_waves] if phases else in_waves
        if not phases:
            raise BeaconError("the --phase and --wave filters leave no documents")
    return phases


def _roles(project: Project, wanted: tuple[str, ...]) -> list[str]:
    known = [r[0] for r in store.known_roles(project)]
    by_fold = {role.casefold(): role for role in known}
    roles = []
    for role in wanted:
        if role.strip().casefold() not in by_fold:
            raise BeaconError(f"no documents with role {role!r} (roles: {_listing(known)})")
        roles.append(by_fold[role.strip().casefold()])
    return roles


def coder_id_of(project: Project, name: str) -> int:
    row = store.coder_row(project, name.strip())
    if row is None:
        known = [r[0] for r in store.all_coder_names(project)]
        raise BeaconError(f"no coder called {name!r} in this project (coders: {_listing(known)})")
    return row[0]


def resolve_case(project: Project, ref: str) -> int:
    """A council by its register code, GSS or ONS code, name or a known spelling."""
    from beacon_qual.cases.councils import (
        resolve_council_for_filter,  # imported only when a council is asked for
    )

    match = resolve_council_for_filter(project, ref)
    if store.case_kind(project, match.case_id) != "council":
        raise BeaconError(
            f"{match.name} is an organisation, not a council: analyses by council leave organisations out "
            "(--council takes councils)"
        )
    return match.case_id


def _listing(values: list) -> str:
    return ", ".join(str(v) for v in values) or "none"


@dataclass(frozen=True)
class Council:
    id: int
    label: str
    name: str


def councils(project: Project) -> dict[int, Council]:
    """Every council by id, labelled by register code (else GSS code, else name)."""
    rows = store.case_labels(project)
    return {r["id"]: Council(r["id"], r["label"], r["name"]) for r in rows}


def coder_names(project: Project, selection: Selection, code_ids: list[int] | None = None) -> list[str]:
    """Names of the coders whose codings the selection includes."""
    where, params = selection.where()
    return [r[0] for r in store.selected_coder_names(project, where, params, code_ids)]


# -- documents marked fully coded ---------------------------------------------------------------------------
def done_where(coder_ids: list[int], doc: str = "d") -> tuple[str, list]:
    """SQL condition that a document is marked done: by every one of ``coder_ids``, or by any coder."""
    return store.done_condition(coder_ids, doc)
