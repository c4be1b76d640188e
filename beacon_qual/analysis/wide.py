"""The wide council-by-code matrix, joined with survey measures, for R, Stata or SPSS.

One row per council interviewed (with a document in the selection, coded or not: an
uncoded council has 0 in every code column); one column per code (presence 0/1, or the
number of codings with ``counts``); then the survey measures. The provenance states the
base and, with measures, the survey wave of each phase of the selection.
Column names are safe for all three packages: lower case ASCII letters, digits and
underscores, starting with a letter, at most 32 characters, unique, never a reserved
word. The provenance record maps every column name back to its code path or measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from beacon_qual.analysis.bases import Base, analysis_base, documents_per_case
from beacon_qual.analysis.measures import Variable, all_variables, get_variable, raw_values, waves_of
from beacon_qual.analysis.output import Report, Table
from beacon_qual.analysis.passages import passages_cte
from beacon_qual.analysis.provenance import provenance
from beacon_qual.analysis.selection import Filters, coder_names, councils, resolve_filters
from beacon_qual.analysis.waves import phase_waves, selection_phases
from beacon_qual.codebook.tree import load_code_tree
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.analysis import passages as sql

MAX_NAME = 32
RESERVED = frozenset(
    {
        # SPSS
        "all",
        "and",
        "by",
        "eq",
        "ge",
        "gt",
        "le",
        "lt",
        "ne",
        "not",
        "or",
        "to",
        "with",
        # Stata
        "byte",
        "double",
        "float",
        "if",
        "in",
        "int",
        "long",
        "strl",
        "using",
        # R
        "else",
        "repeat",
        "while",
        "function",
        "for",
        "next",
        "break",
        "true",
        "false",
        "null",
        "inf",
        "nan",
        "na",
    }
)
FIXED_COLUMNS = ("council", "council_name")


@dataclass
class WideMatrix:
    columns: list[str]
    rows: list[list]
    dictionary: dict[str, str] = field(default_factory=dict)
    base: Base | None = None
    phase_waves: list[str] = field(default_factory=list)
    without_council: int = 0  # documents in the selection with no council, left out of the rows


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold().encode("ascii", "ignore").decode()).strip("_")


def safe_names(labels: list[list[str]], taken: set[str] | None = None) -> list[str]:
    """Safe, unique column names for labels given as path components (e.g. a code path).

    Each label gets its last component; labels whose names collide take one more
    component from the path, until they differ or run out. Names are then made
    valid and unique (``_2``, ``_3`` ... when still needed).
    """
    taken = set(taken or ())
    depth = [1] * len(labels)
    while True:
        candidates = [slug("_".join(parts[-d:])) for parts, d in zip(labels, depth)]
        changed = False
        for i, name in enumerate(candidates):
            if candidates.count(name) > 1 and depth[i] < len(labels[i]):
                depth[i] += 1
                changed = True
        if not changed:
            break
    names = []
    for name in candidates:
        name = _valid(name)
        unique = name
        number = 2
        while unique in taken:
            suffix = f"_{number}"
            unique = name[: MAX_NAME - len(suffix)] + suffix
            number += 1
        taken.add(unique)
        names.append(unique)
    return names


def _valid(name: str) -> str:
    if not name or not name[0].isalpha():
        name = "v_" + name
    name = name[:MAX_NAME].rstrip("_")
    if name in RESERVED:
        name += "_"
    return name


def wide_matrix(
    project: Project,
    filters: Filters | None = None,
    *,
    rollup: bool = False,
    counts: bool = False,
    survey: tuple[str, ...] = (),
    wave: int | None = None,
) -> tuple[WideMatrix, list[str]]:
    """The matrix and the coders it covers. ``survey`` holds measure names, or ``("all",)``."""
    tree = load_code_tree(project)
    selection = resolve_filters(project, filters or Filters(), tree)
    code_ids = selection.code_ids or tree.order
    cte, params = passages_cte(selection, rollup=rollup, code_ids=code_ids)
    found = {(r[0], r[1]): r[2] for r in sql.passages_per_code_and_case(project, cte, params)}
    known = councils(project)
    case_ids = sorted(documents_per_case(project, selection), key=lambda c: (known[c].label, c))
    code_names = safe_names([tree.path[c].split("/") for c in code_ids], set(FIXED_COLUMNS))
    dictionary = {"council": "council code", "council_name": "council name"}
    dictionary.update({name: tree.path[c] for name, c in zip(code_names, code_ids)})
    measures = _measure_columns(project, survey, wave, set(dictionary))
    for name, variable, measure_wave in measures:
        dictionary[name] = _describe(variable, measure_wave)
    values = {(v.id, w): raw_values(project, v, w) for _n, v, w in measures}
    rows = []
    for case_id in case_ids:
        row: list = [known[case_id].label, known[case_id].name]
        for code_id in code_ids:
            n = found.get((code_id, case_id), 0)
            row.append(n if counts else int(n > 0))
        row.extend(values[(v.id, w)].get(case_id) for _n, v, w in measures)
        rows.append(row)
    columns = [*FIXED_COLUMNS, *code_names, *(n for n, _v, _w in measures)]
    matrix = WideMatrix(
        columns,
        rows,
        dictionary,
        analysis_base(project, selection),
        without_council=selection.without_council,
    )
    if measures:
        phases = selection_phases(project, selection)
        matrix.phase_waves = [pw.text() for pw in phase_waves(project, phases).values()]
    return matrix, coder_names(project, selection)


def _measure_columns(
    project: Project, survey: tuple[str, ...], wave: int | None, taken: set[str]
) -> list[tuple[str, Variable, int]]:
    if not survey:
        if wave is not None:
            raise BeaconError("--wave chooses the wave of the survey measures; add --with-survey all or NAME")
        return []
    use_all = any(name.casefold() == "all" for name in survey)
    if use_all:
        variables = [v for v in all_variables(project) if v.type != "text"]
    else:
        variables = [get_variable(project, name) for name in survey]
    picked: list[tuple[list[str], Variable, int]] = []
    for variable in variables:
        waves = waves_of(project, variable)
        if wave is not None:
            if wave in waves:
                picked.append(([variable.name], variable, wave))
            elif not use_all:
                raise BeaconError(f"survey variable {variable.name!r} has no wave {wave}")
        else:
            picked.extend(([f"{variable.name} w{w}"], variable, w) for w in waves)
    names = safe_names([label for label, _v, _w in picked], taken)
    return [(name, variable, w) for name, (_l, variable, w) in zip(names, picked)]


def _describe(variable: Variable, wave: int) -> str:
    text = f"survey: {variable.name}, wave {wave}, {variable.type}"
    if variable.label:
        text += f" ({variable.label})"
    if variable.type == "ordinal" and variable.levels:
        text += "; levels " + ", ".join(f"{i} = {level}" for i, level in enumerate(variable.levels))
    if variable.type == "boolean":
        text += "; 0 = false, 1 = true"
    return text


def wide_report(
    project: Project,
    filters: Filters,
    *,
    rollup: bool,
    counts: bool,
    survey: tuple[str, ...],
    wave: int | None,
) -> Report:
    matrix, coders = wide_matrix(project, filters, rollup=rollup, counts=counts, survey=survey, wave=wave)
    record = provenance(
        project,
        "frequencies (wide)",
        filters=filters.as_dict(),
        coders=coders,
        options={
            "rollup": rollup,
            "counts": counts,
            "with_survey": list(survey),
            "wave": wave,
            "documents_without_council": matrix.without_council,
        },
    )
    record["columns"] = matrix.dictionary
    if matrix.base is not None:
        record["base"] = matrix.base.as_dict()
    if matrix.phase_waves:
        record["phase_waves"] = matrix.phase_waves
    cells = "codings per council" if counts else "1 when the council is coded at least once, else 0"
    table = Table(
        "councils", "Councils by code", matrix.columns, matrix.rows, notes=[f"Code columns: {cells}."]
    )
    left_out = matrix.without_council
    notes = (
        [
            f"{left_out} document{'s' if left_out != 1 else ''} with no council (an organisation's, or no case) left out."
        ]
        if left_out
        else []
    )
    return Report("Council-by-code matrix", record, [table], notes)
