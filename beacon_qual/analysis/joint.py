"""Joint displays: survey measures side by side with code counts and a representative quote.

One row per council interviewed (with a document in the selection, coded or not: an
uncoded council shows 0 passages), or one row per group of councils (the categories of
a survey variable, numeric ones binned). Without --wave, a measure is read from the wave
of the selected phases (``survey waves``). For a council a measure is its value (ordinal and boolean as their labels); for a group it is the mean
of a numeric, ordinal (level index) or boolean (share true) measure, and the most
common value of any other. For each code the row shows the coded passages and, for
groups, the councils coded; the quote is the passage whose length is nearest the
median length of the row's passages for that code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import mean

from beacon_qual.analysis.bases import Base, analysis_base, documents_per_case
from beacon_qual.analysis.measures import Variable, categories, get_variable
from beacon_qual.analysis.output import Report, Table
from beacon_qual.analysis.passages import passages_cte
from beacon_qual.analysis.provenance import provenance
from beacon_qual.analysis.quotes import representative, shorten
from beacon_qual.analysis.selection import Filters, coder_names, councils, resolve_filters, resolve_speaker
from beacon_qual.analysis.waves import PhaseWave, wave_for_selection
from beacon_qual.codebook.tree import load_code_tree
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.analysis import passages as sql
from beacon_qual.store.analysis.measures import case_values

NUMERIC_SUMMARY = ("numeric", "ordinal", "boolean")


@dataclass(frozen=True)
class CodeCell:
    passages: int
    councils: int
    quote: str | None
    source: str | None


@dataclass(frozen=True)
class JointRow:
    label: str
    name: str
    councils: int
    measures: list
    cells: list[CodeCell]


@dataclass
class JointDisplay:
    grouped_by: str | None
    measures: list[tuple[Variable, int]]
    codes: list[str]
    rows: list[JointRow]
    coders: list[str]
    filters: Filters
    options: dict
    base: Base | None = None
    phase_waves: list[str] = field(default_factory=list)


def joint_display(
    project: Project,
    *,
    measures: list[str],
    codes: list[str],
    filters: Filters | None = None,
    group_by: str | None = None,
    wave: int | None = None,
    cuts: tuple[float, ...] = (),
    quantiles: int | None = None,
    rollup: bool = False,
    quote_chars: int = 300,
    quote_speaker: str | None = "respondent",
) -> JointDisplay:
    """``quote_speaker`` ('respondent', 'interviewer' or None for any) limits the passages a quote is chosen
    from to those overlapping a turn of that side; the counts take the passages the filters select."""
    if not codes:
        raise BeaconError("name at least one code with --codes")
    filters = filters or Filters()
    tree = load_code_tree(project)
    selection = resolve_filters(project, filters, tree)
    code_ids = tree.resolve_listed(codes)
    names = [name.strip() for value in measures for name in value.split(",") if name.strip()]
    used: dict[str, list[PhaseWave]] = {}
    chosen = []
    for variable in (get_variable(project, name) for name in names):
        measure_wave, used[variable.name] = wave_for_selection(project, selection, variable, wave)
        chosen.append((variable, measure_wave))
    base = list(documents_per_case(project, selection))
    if not base:
        raise BeaconError("no documents of a council match the filters")
    known = councils(project)
    group_wave = None
    if group_by is not None:
        grouping = get_variable(project, group_by)
        group_wave, used[grouping.name] = wave_for_selection(project, selection, grouping, wave)
    groups = _groups(project, group_by, group_wave, cuts, quantiles, base, known)
    passages = _passages(project, selection, code_ids, rollup)
    quotable = _SpeakerTurns(project, resolve_speaker(project, quote_speaker))
    values = {(v.id, w): _values(project, v, w) for v, w in chosen}
    rows = []
    for label, name, members in groups:
        summary = [
            _summary(v, [values[(v.id, w)].get(c) for c in members], group_by is not None) for v, w in chosen
        ]
        cells = [
            _cell(project, passages.get(code_id, {}), members, quote_chars, quotable) for code_id in code_ids
        ]
        rows.append(JointRow(label, name, len(members), summary, cells))
    options = {
        "group_by": group_by,
        "measures": [v.name for v, _w in chosen],
        "waves": {v.name: w for v, w in chosen},
        "codes": [tree.path[c] for c in code_ids],
        "rollup": rollup,
        "cuts": list(cuts),
        "quantiles": quantiles,
        "quote_speaker": quote_speaker or "any",
        "documents_without_council": selection.without_council,
    }
    return JointDisplay(
        group_by,
        chosen,
        [tree.path[c] for c in code_ids],
        rows,
        coder_names(project, selection, code_ids),
        filters,
        options,
        analysis_base(project, selection),
        [f"{name}: {pw.text()}" for name, mapping in used.items() for pw in mapping],
    )


def _groups(
    project: Project,
    group_by: str | None,
    wave: int | None,
    cuts: tuple[float, ...],
    quantiles: int | None,
    base: list[int],
    known: dict,
) -> list[tuple[str, str, list[int]]]:
    if group_by is None:
        if cuts or quantiles is not None:
            raise BeaconError("--cuts and --quantiles bin the --group-by variable; add --group-by")
        return [(known[c].label, known[c].name, [c]) for c in sorted(base, key=lambda c: (known[c].label, c))]
    variable = get_variable(project, group_by)
    assert wave is not None
    cats = categories(project, variable, wave, cuts=cuts, quantiles=quantiles, case_ids=base)
    return [(label, "", [c for c in base if cats.of_case.get(c) == label]) for label in cats.labels]


def _values(project: Project, variable: Variable, wave: int) -> dict[int, tuple[float | None, str | None]]:
    return {r[0]: (r[1], r[2]) for r in case_values(project, variable.id, wave)}


def _summary(variable: Variable, values: list, grouped: bool):
    present = [v for v in values if v is not None and (v[0] is not None or v[1] not in (None, ""))]
    if not present:
        return None
    if not grouped:
        number, text = present[0]
        return text if text not in (None, "") and variable.type != "numeric" else number
    if variable.type in NUMERIC_SUMMARY:
        numbers = [v[0] for v in present if v[0] is not None]
        return mean(numbers) if numbers else None
    label, count = Counter(v[1] for v in present).most_common(1)[0]
    return f"{label} ({count} of {len(present)})"


def _passages(project: Project, selection, code_ids: list[int], rollup: bool) -> dict[int, dict[int, list]]:
    """code -> council -> [(length, document name, start, document id)]; texts are read only when quoted."""
    cte, params = passages_cte(selection, rollup=rollup, code_ids=code_ids)
    names = sql.document_names(project)
    rows = sql.passage_spans(project, cte, params)
    found: dict[int, dict[int, list]] = {}
    for code_id, case_id, document_id, start, end in rows:
        found.setdefault(code_id, {}).setdefault(case_id, []).append(
            (end - start, names[document_id], start, document_id)
        )
    return found


class _SpeakerTurns:
    """Whether a passage overlaps a turn of one side (``role``; None: every passage is quotable)."""

    def __init__(self, project: Project, role: str | None) -> None:
        self.project = project
        self.role = role
        self._turns: dict[int, list[tuple[int, int]]] = {}

    def __call__(self, passage: tuple) -> bool:
        if self.role is None:
            return True
        length, _name, start, document_id = passage
        if document_id not in self._turns:
            turns: list = sql.turns(self.project, document_id)
            if not turns and self.role == "respondent":  # never split into turns: the respondent's text
                turns = [(0, 1 << 62, self.role)]
            self._turns[document_id] = [(lo, hi) for lo, hi, role in turns if role == self.role]
        return any(lo < start + length and hi > start for lo, hi in self._turns[document_id])


def _cell(
    project: Project,
    by_case: dict[int, list],
    members: list[int],
    quote_chars: int,
    quotable: Callable[[tuple], bool],
) -> CodeCell:
    pooled = [p for c in members for p in by_case.get(c, [])]
    best = representative([p for p in pooled if quotable(p)])
    quote = None
    if best is not None:
        length, _name, start, document_id = best
        text = sql.passage_text(project, document_id, start, length)
        quote = shorten(text, quote_chars)
    return CodeCell(
        passages=len(pooled),
        councils=sum(1 for c in members if by_case.get(c)),
        quote=quote,
        source=best[1] if best else None,
    )


def joint_report(project: Project, result: JointDisplay) -> Report:
    grouped = result.grouped_by is not None
    columns = (
        [result.grouped_by, "councils"] if result.grouped_by is not None else ["council", "council_name"]
    )
    columns += [v.name for v, _w in result.measures]
    for code in result.codes:
        columns += [f"{code}: passages"] + ([f"{code}: councils"] if grouped else []) + [f"{code}: quote"]
    rows = []
    for row in result.rows:
        cells: list = [row.label, row.councils if grouped else row.name, *row.measures]
        for cell in row.cells:
            cells.append(cell.passages)
            if grouped:
                cells.append(cell.councils)
            cells.append(f"“{cell.quote}” ({cell.source})" if cell.quote else None)
        rows.append(cells)
    record = provenance(
        project,
        "joint display",
        filters=result.filters.as_dict(),
        coders=result.coders,
        options=result.options,
    )
    if result.base is not None:
        record["base"] = result.base.as_dict()
    if result.phase_waves:
        record["phase_waves"] = result.phase_waves
    by = f"by {result.grouped_by}" if grouped else "by council"
    notes = []
    if grouped:
        notes.append(
            "Group measures: mean of numeric, ordinal (level index) and boolean (share true) measures; "
            "most common value of others."
        )
    speaker = result.options.get("quote_speaker")
    if speaker and speaker != "any":
        notes.append(f"Quotes are chosen from passages overlapping a {speaker}'s turn.")
    left_out = result.options.get("documents_without_council")
    if left_out:
        notes.append(
            f"{left_out} document{'s' if left_out != 1 else ''} with no council (an organisation's, or no "
            "case) left out."
        )
    return Report(
        f"Joint display {by}",
        record,
        [Table("rows", f"Survey measures and codes {by}", columns, rows)],
        notes,
    )
