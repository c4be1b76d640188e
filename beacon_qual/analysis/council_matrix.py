"""The councils-by-themes matrix of the workbench: coded documents or passages per council and code, with
the survey measures of one wave beside them.

Built on :func:`.frequencies.frequencies` grouped by council with roll-up (a code counts the passages of
the codes below it, once per passage), the same call as ``export frequencies --by council --rollup``, so
every cell equals that command's ``documents`` or ``codings`` figure for the same filters. Rows are the
councils with a document in the selection (:func:`.bases.documents_per_case`): an interviewed council
without a coding of a code has 0, not a blank. Measures come from :func:`.measures.raw_values`, as in
``export frequencies --format wide --with-survey all --wave N``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from beacon_qual.analysis.bases import Base, analysis_base, documents_per_case
from beacon_qual.analysis.frequencies import Frequencies, documents_per_code_and_case, frequencies
from beacon_qual.analysis.measures import Variable, all_variables, raw_values
from beacon_qual.analysis.output import Report, Table
from beacon_qual.analysis.passages import passages_cte
from beacon_qual.analysis.provenance import provenance
from beacon_qual.analysis.selection import Filters, Selection, coder_names, councils, resolve_filters
from beacon_qual.analysis.waves import list_waves, phase_waves, selection_phases
from beacon_qual.codebook.tree import load_code_tree
from beacon_qual.store import Project
from beacon_qual.store.analysis import passages as sql
from beacon_qual.store.analysis.measures import council_values

UNITS = ("documents", "passages")


@dataclass(frozen=True)
class MatrixCode:
    id: int
    parent_id: int | None
    name: str
    path: str
    depth: int


@dataclass
class CouncilMatrix:
    """Counts for every code (with roll-up) and council of the selection; the screen picks columns."""

    filters: Filters
    case_ids: list[int]  # councils with a document in the selection, by label
    labels: dict[int, tuple[str, str]]  # case id: (register code, name)
    documents: dict[tuple[int, int], int]  # (code id, case id): coded documents
    passages: dict[tuple[int, int], int] | None  # (code id, case id): coded passages; None until counted
    codes: list[MatrixCode]  # the whole tree, in tree order
    base: Base
    coders: list[str]
    without_council: int
    wave: int | None = None
    measures: list[Variable] = field(default_factory=list)
    values: dict[int, dict[int, float | str]] = field(default_factory=dict)  # variable id: {case id: value}
    phase_waves: list[str] = field(default_factory=list)
    # codes whose coded documents are in ``documents`` (None: every code); see count_documents
    documents_of: set[int] | None = None
    selection: Selection | None = field(default=None, repr=False)
    _by_id: dict[int, MatrixCode] = field(default_factory=dict, repr=False)

    def counts(self, unit: str) -> dict[tuple[int, int], int]:
        """(code id, case id): coded documents or passages; a pair not in it is a zero (for documents, of
        the codes counted: see :meth:`count_documents`)."""
        table = self.documents if unit == "documents" else self.passages
        assert table is not None, "count_passages() first"
        return table

    def count_documents(self, project: Project, code_ids: list[int]) -> None:
        """Count the coded documents of these codes too, if they are not counted yet (a matrix can be built
        for the codes a screen shows first, and others counted when it shows them)."""
        if self.documents_of is None:
            return
        missing = [c for c in code_ids if c not in self.documents_of]
        if missing:
            assert self.selection is not None
            self.documents.update(
                documents_per_code_and_case(project, replace(self.selection, code_ids=missing), rollup=True)
            )
            self.documents_of.update(missing)

    def cell(self, code_id: int, case_id: int, unit: str) -> int:
        return self.counts(unit).get((code_id, case_id), 0)

    def count_passages(self, project: Project) -> None:
        """Coded passages per code and council: every coding is read (with roll-up, a passage coded with two
        codes below one parent counts once for it), so this is done only when the passages are shown."""
        if self.passages is None:
            self.passages = _by_council(
                project, frequencies(project, self.filters, by=("council",), rollup=True)
            )[1]

    def children(self, code_id: int | None) -> list[MatrixCode]:
        return [c for c in self.codes if c.parent_id == code_id]

    def code(self, code_id: int) -> MatrixCode:
        if len(self._by_id) != len(self.codes):
            self._by_id = {c.id: c for c in self.codes}
        return self._by_id[code_id]


def survey_waves(project: Project) -> list[int]:
    """Waves that hold survey values, oldest first."""
    return [w.wave for w in list_waves(project) if w.councils]


def council_matrix(
    project: Project,
    filters: Filters | None = None,
    *,
    wave: int | None = None,
    passages: bool = False,
    code_ids: list[int] | None = None,
) -> CouncilMatrix:
    """Coded documents per code and council for ``filters`` (and the coded passages with ``passages``, else
    on :meth:`CouncilMatrix.count_passages`), with the survey measures of ``wave``. With ``code_ids`` the
    documents are counted for those codes only, others on :meth:`CouncilMatrix.count_documents`."""
    filters = filters or Filters()
    counted: dict[tuple[int, int], int] = {}
    if passages:
        result = frequencies(project, filters, by=("council",), rollup=True, passages=True)
        documents, counted = _by_council(project, result)
        selection, coders = result.selection, result.coders
    else:  # the same documents figures, without reading every coding or building a row per cell
        selection = resolve_filters(project, filters, load_code_tree(project))
        wanted = selection if code_ids is None else replace(selection, code_ids=list(code_ids))
        documents = documents_per_code_and_case(project, wanted, rollup=True)
        coders = coder_names(project, selection)
    known = councils(project)
    per_case = documents_per_case(project, selection)
    case_ids = sorted(per_case, key=lambda c: (known[c].label, c))
    matrix = CouncilMatrix(
        filters=filters,
        case_ids=case_ids,
        labels={c: (known[c].label, known[c].name) for c in case_ids},
        documents=documents,
        passages=counted if passages else None,
        codes=_codes(project),
        base=analysis_base(project, selection),
        coders=coders,
        without_council=selection.without_council,
        documents_of=set(code_ids) if code_ids is not None and not passages else None,
        selection=selection,
    )
    if wave is not None:
        matrix.wave = wave
        matrix.measures = [v for v in all_variables(project) if v.type != "text"]
        matrix.values = {v.id: raw_values(project, v, wave) for v in matrix.measures}
        matrix.measures = [v for v in matrix.measures if matrix.values[v.id]]
        phases = selection_phases(project, selection)
        matrix.phase_waves = [pw.text() for pw in phase_waves(project, phases).values()]
    return matrix


def _by_council(
    project: Project, result: Frequencies
) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]]:
    """(documents, codings) per (code id, case id) from frequencies grouped by council."""
    by_label = {c.label: c.id for c in councils(project).values()}
    documents: dict[tuple[int, int], int] = {}
    codings: dict[tuple[int, int], int] = {}
    for row in result.rows:
        label = row.group[0][0] if row.group else None
        if label is None or label not in by_label:
            continue
        documents[(row.code_id, by_label[label])] = row.documents
        codings[(row.code_id, by_label[label])] = row.codings or 0
    return documents, codings


def _codes(project: Project) -> list[MatrixCode]:
    tree = load_code_tree(project)
    return [
        MatrixCode(
            code_id,
            tree.parent.get(code_id),
            tree.path[code_id].rsplit("/", 1)[-1],
            tree.path[code_id],
            tree.path[code_id].count("/"),
        )
        for code_id in tree.order
    ]


def matrix_report(
    project: Project,
    matrix: CouncilMatrix,
    *,
    code_ids: list[int],
    case_ids: list[int],
    unit: str,
    sort: str | None = None,
) -> Report:
    """What the matrix screen shows (its columns, its rows in its order) as a report with provenance."""
    measure_names = [v.name for v in matrix.measures]
    columns = [
        "council",
        "council_name",
        *(matrix.code(c).path for c in code_ids),
        *(f"{name} (wave {matrix.wave})" for name in measure_names),
    ]
    rows = []
    for case_id in case_ids:
        label, name = matrix.labels[case_id]
        rows.append(
            [
                label,
                name,
                *(matrix.cell(c, case_id, unit) for c in code_ids),
                *(matrix.values[v.id].get(case_id) for v in matrix.measures),
            ]
        )
    record = provenance(
        project,
        "workbench councils x themes",
        filters=matrix.filters.as_dict(),
        coders=matrix.coders,
        options={
            "unit": unit,
            "rollup": True,
            "wave": matrix.wave,
            "sort": sort,
            "documents_without_council": matrix.without_council,
        },
    )
    record["base"] = matrix.base.as_dict()
    if matrix.phase_waves:
        record["phase_waves"] = matrix.phase_waves
    cells = "coded documents" if unit == "documents" else "coded passages"
    table = Table(
        "councils",
        "Councils by theme",
        columns,
        rows,
        notes=[f"Code columns: {cells} per council, a code counting the codes below it."],
    )
    return Report("Councils by theme", record, [table])


def with_and_without(
    project: Project, selection: Selection, code_id: int, values: dict[int, float], *, rollup: bool = True
) -> tuple[list[float], list[float]]:
    """The measure's values of the councils of ``selection`` coded with ``code_id`` (with roll-up: or a code
    below it) and of those interviewed without it: the two groups ``crosstab`` compares by Mann-Whitney."""
    cte, params = passages_cte(selection, rollup=rollup, code_ids=[code_id])
    coded = sql.coded_cases(project, cte, params)
    base = documents_per_case(project, selection)
    with_code = sorted(values[c] for c in base if c in coded and c in values)
    without = sorted(values[c] for c in base if c not in coded and c in values)
    return with_code, without


@dataclass(frozen=True)
class CouncilProfile:
    """One council as the panel beside the transcript shows it."""

    label: str
    name: str
    waves: list[int]
    measures: list[tuple[str, dict[int, float | str]]]  # (variable, {wave: value}), every non-text measure
    documents: list[tuple[int, str, int | None, str | None]]  # (id, name, phase, role), by phase and name


def council_profile(project: Project, case_id: int) -> CouncilProfile:
    """A council's survey measures in every wave and its documents."""
    known = councils(project)
    council = known[case_id]
    measures: list[tuple[str, dict[int, float | str]]] = []
    seen: set[int] = set()
    for variable in all_variables(project):
        if variable.type == "text":
            continue
        numeric = variable.type in ("numeric", "ordinal", "boolean")
        rows = council_values(project, variable.id, case_id, numeric=numeric)
        if rows:
            label = {r[0]: (r[2] if variable.type in ("ordinal", "boolean") and r[2] else r[1]) for r in rows}
            measures.append((variable.name, label))
            seen.update(label)
    documents = [(r[0], r[1], r[2], r[3]) for r in sql.case_documents(project, case_id)]
    return CouncilProfile(council.label, council.name, sorted(seen), measures, documents)
