"""Codes by a survey variable: counts, row and column percentages, and tests.

The unit counted is chosen with ``unit``:

* ``council``: councils coded at least once with the code;
* ``document``: documents coded with the code;
* ``segment``: coded segments (codings; distinct passages with roll-up).

Each council falls in the category of its value of the variable (numeric ones binned
at cut points). A category's total is the number of units in it: councils interviewed
(with a document in the selection, coded or not), their documents, or coded segments of
any code. An interviewed council without a coding of a code counts as without it. For each code the 2 x k
table (units with the code, units without it) by category is tested with Pearson's
chi-square (Cramér's V, a warning when expected counts fall below 5) and, when it is
2 x 2, Fisher's exact test. For a numeric or ordinal variable, councils with the code
are compared with councils without it by Mann-Whitney U (rank-biserial r, positive
when councils with the code score higher), and codings per council are set against the
measure by Spearman's rho. With several codes, p-values are adjusted by Benjamini-Hochberg.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from beacon_qual.analysis.bases import Base, analysis_base, documents_per_case
from beacon_qual.analysis.measures import (
    RANKABLE_TYPES,
    Categories,
    Variable,
    categories,
    get_variable,
    numeric_values,
)
from beacon_qual.analysis.options import UNITS
from beacon_qual.analysis.output import Report, Table
from beacon_qual.analysis.passages import passages_cte, segment_totals
from beacon_qual.analysis.provenance import provenance
from beacon_qual.analysis.selection import (
    Filters,
    Selection,
    coder_names,
    council_notes,
    resolve_filters,
)
from beacon_qual.analysis.waves import PhaseWave, wave_for_selection
from beacon_qual.codebook.tree import load_code_tree
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.analysis import crosstab as store

if TYPE_CHECKING:
    from beacon_qual.analysis import stats


@dataclass
class RankTests:
    mann_whitney: stats.MannWhitney | None
    spearman: stats.Spearman | None
    mw_p_adj: float | None = None
    spearman_p_adj: float | None = None


@dataclass
class CrosstabRow:
    code_id: int
    code: str
    counts: list[int]
    total: int
    row_pct: list[float | None]
    col_pct: list[float | None]
    chi: stats.ChiSquare | None
    fisher: stats.Fisher | None
    ranks: RankTests | None = None
    chi_p_adj: float | None = None
    fisher_p_adj: float | None = None


@dataclass
class Crosstab:
    variable: Variable
    wave: int
    unit: str
    rollup: bool
    categories: tuple[str, ...]
    category_totals: list[int]
    rows: list[CrosstabRow]
    selection: Selection
    coders: list[str]
    cuts: tuple[float, ...] = ()
    councils_without_value: int = 0
    notes: list[str] = field(default_factory=list)
    base: Base | None = None
    phase_waves: list[PhaseWave] = field(default_factory=list)


def crosstab(
    project: Project,
    variable_name: str,
    filters: Filters | None = None,
    *,
    unit: str = "council",
    wave: int | None = None,
    cuts: tuple[float, ...] = (),
    quantiles: int | None = None,
    rollup: bool = False,
) -> Crosstab:
    if unit not in UNITS:
        raise BeaconError(f"unknown unit {unit!r} (units: {', '.join(UNITS)})")
    tree = load_code_tree(project)
    selection = resolve_filters(project, filters or Filters(), tree)
    variable = get_variable(project, variable_name)
    wave, used = wave_for_selection(project, selection, variable, wave)
    docs_per_case = documents_per_case(project, selection)
    if not docs_per_case:
        raise BeaconError("no documents of a council match the filters")
    base = list(docs_per_case)
    cats = _categories(project, variable, wave, cuts, quantiles, base)
    per_code = _per_code_case(project, selection, rollup, sum(docs_per_case.values()))
    totals = _unit_totals(project, selection, unit, rollup, docs_per_case)
    category_totals = [_category_total(cats, totals, label) for label in cats.labels] if cats else []
    measure = numeric_values(project, variable, wave) if variable.type in RANKABLE_TYPES else None
    rows = []
    for code_id in selection.code_ids or [c for c in tree.order if c in per_code]:
        counts = per_code.get(code_id, {})
        row = (
            _row(code_id, tree.path[code_id], counts, unit, cats, category_totals)
            if cats
            else _bare_row(code_id, tree.path[code_id])
        )
        if measure is not None:
            row.ranks = _rank_tests(counts, measure, base)
        rows.append(row)
    _adjust(rows)
    result = Crosstab(
        variable=variable,
        wave=wave,
        unit=unit,
        rollup=rollup,
        categories=cats.labels if cats else (),
        category_totals=category_totals,
        rows=rows,
        selection=selection,
        coders=coder_names(project, selection),
        cuts=cats.cuts if cats else (),
        councils_without_value=sum(1 for c in base if c not in cats.of_case) if cats else 0,
        base=analysis_base(project, selection),
        phase_waves=used,
    )
    result.notes = _notes(result)
    return result


def _categories(
    project: Project,
    variable: Variable,
    wave: int,
    cuts: tuple[float, ...],
    quantiles: int | None,
    base: list[int],
) -> Categories | None:
    """The categories to cross by; None for a numeric variable that is not binned (rank tests only)."""
    if variable.type == "numeric" and not cuts and quantiles is None:
        return None
    return categories(project, variable, wave, cuts=cuts, quantiles=quantiles, case_ids=base)


def _per_code_case(
    project: Project, selection: Selection, rollup: bool, with_council: int
) -> dict[int, dict[int, tuple[int, int]]]:
    """code -> council -> (coded segments, coded documents); ``with_council``: how many of the selection's
    documents have a council."""
    if not rollup and selection.speaker is None:
        # Without roll-up a segment is a coding, so ``coding_counts`` (a row per code, document and coder, kept
        # by triggers; 40,000 rows for 463,000 codings at 1,000 documents) gives the same counts.
        doc_where, doc_params = selection.document_where()
        counted = store.counts_by_code_and_case(
            project, doc_where, doc_params, selection.coder_ids, list(selection.code_ids or ()), with_council
        )
        found: dict[int, dict[int, tuple[int, int]]] = {}
        for code_id, case_id, segments, documents in counted:
            found.setdefault(code_id, {})[case_id] = (segments, documents)
        return found
    cte, params = passages_cte(selection, rollup=rollup, code_ids=selection.code_ids or None)
    rows = store.passages_by_code_and_case(project, cte, params)
    per_code: dict[int, dict[int, tuple[int, int]]] = {}
    for code_id, case_id, segments, documents in rows:
        per_code.setdefault(code_id, {})[case_id] = (segments, documents)
    return per_code


def _unit_totals(
    project: Project, selection: Selection, unit: str, rollup: bool, docs_per_case: dict[int, int]
) -> dict[int, int]:
    if unit == "council":
        return {case: 1 for case in docs_per_case}
    if unit == "document":
        return docs_per_case
    return segment_totals(project, selection, rollup=rollup)


def _category_total(cats: Categories, totals: dict[int, int], label: str) -> int:
    return sum(n for case, n in totals.items() if cats.of_case.get(case) == label)


def _row(
    code_id: int,
    path: str,
    counts: dict[int, tuple[int, int]],
    unit: str,
    cats: Categories,
    category_totals: list[int],
) -> CrosstabRow:
    position = {label: i for i, label in enumerate(cats.labels)}
    of_case = cats.of_case
    with_code = [0] * len(cats.labels)
    if unit == "council":  # a council coded with the code is one unit
        for case in counts:
            if case in of_case:
                with_code[position[of_case[case]]] += 1
    else:
        which = 1 if unit == "document" else 0  # (coded segments, coded documents)
        for case, value in counts.items():
            if case in of_case:
                with_code[position[of_case[case]]] += value[which]
    total = sum(with_code)
    table = [with_code, [t - w for t, w in zip(category_totals, with_code)]]
    chi = fisher = None
    if _testable(table):  # else both tests return None: numpy and scipy are not imported for nothing
        from beacon_qual.analysis import stats

        chi, fisher = stats.chi_square(table), stats.fisher_2x2(table)
    return CrosstabRow(
        code_id=code_id,
        code=path,
        counts=with_code,
        total=total,
        row_pct=[100 * w / total if total else None for w in with_code],
        col_pct=[100 * w / t if t else None for w, t in zip(with_code, category_totals)],
        chi=chi,
        fisher=fisher,
    )


def _testable(table: list[list[int]]) -> bool:
    """Whether two rows and two columns of ``table`` are left once the rows and then the columns that sum
    to 0 or less are dropped: the tables :func:`stats.chi_square` and :func:`stats.fisher_2x2` test."""
    kept = [row for row in table if sum(row) > 0]
    return len(kept) >= 2 and sum(1 for column in zip(*kept) if sum(column) > 0) >= 2


def _bare_row(code_id: int, path: str) -> CrosstabRow:
    return CrosstabRow(code_id, path, [], 0, [], [], None, None)


def _rank_tests(counts: dict[int, tuple[int, int]], values: dict[int, float], base: list[int]) -> RankTests:
    from beacon_qual.analysis import stats

    cases = [case for case in base if case in values]
    with_code = [values[c] for c in cases if c in counts]
    without = [values[c] for c in cases if c not in counts]
    segments = [counts.get(c, (0, 0))[0] for c in cases]
    return RankTests(
        mann_whitney=stats.mann_whitney(with_code, without),
        spearman=stats.spearman(segments, [values[c] for c in cases]),
    )


def _adjust(rows: list[CrosstabRow]) -> None:
    chi = _benjamini_hochberg([r.chi.p if r.chi else None for r in rows])
    fisher = _benjamini_hochberg([r.fisher.p if r.fisher else None for r in rows])
    for row, c, f in zip(rows, chi, fisher):
        row.chi_p_adj, row.fisher_p_adj = c, f
    ranked = [r.ranks for r in rows if r.ranks]
    mw = _benjamini_hochberg([t.mann_whitney.p if t.mann_whitney else None for t in ranked])
    rho = _benjamini_hochberg([t.spearman.p if t.spearman else None for t in ranked])
    for tests, m, s in zip(ranked, mw, rho):
        tests.mw_p_adj, tests.spearman_p_adj = m, s


def _benjamini_hochberg(pvalues: Sequence[float | None]) -> list[float | None]:
    """:func:`stats.benjamini_hochberg`, which leaves every value None when none is a number: then
    without importing it (and numpy)."""
    if all(p is None or math.isnan(p) for p in pvalues):
        return [None] * len(pvalues)
    from beacon_qual.analysis import stats

    return stats.benjamini_hochberg(pvalues)


def _notes(result: Crosstab) -> list[str]:
    notes = []
    for row in result.rows:
        if row.chi and row.chi.warning:
            notes.append(
                f"{row.code}: {row.chi.warning}" + ("; see Fisher's exact test" if row.fisher else "")
            )
        elif result.categories and row.chi is None:
            notes.append(
                f"{row.code}: not tested; a test needs units with and without the code "
                "in at least two categories"
            )
    if result.councils_without_value:
        notes.append(
            f"{result.councils_without_value} council(s) interviewed have no value of "
            f"{result.variable.name} in wave {result.wave} and are left out of the table"
        )
    return notes


# -- report ----------------------------------------------------------------------------------------------
STAT_COLUMNS = [
    "chi2",
    "df",
    "p",
    "p_adj",
    "cramers_v",
    "min_expected",
    "expected_warning",
    "fisher_p",
    "fisher_p_adj",
    "mw_u",
    "mw_n_with",
    "mw_n_without",
    "mw_p",
    "mw_p_adj",
    "rank_biserial",
    "spearman_rho",
    "spearman_n",
    "spearman_p",
    "spearman_p_adj",
]


def _rank_values(row: CrosstabRow) -> dict[str, object]:
    """The Mann-Whitney and Spearman figures of a row by name (None where not computed)."""
    mw = row.ranks.mann_whitney if row.ranks else None
    rho = row.ranks.spearman if row.ranks else None
    return {
        "u": mw.u if mw else None,
        "n1": mw.n1 if mw else None,
        "n2": mw.n2 if mw else None,
        "mw_p": mw.p if mw else None,
        "mw_p_adj": row.ranks.mw_p_adj if row.ranks else None,
        "rank_biserial": mw.rank_biserial if mw else None,
        "rho": rho.rho if rho else None,
        "rho_n": rho.n if rho else None,
        "rho_p": rho.p if rho else None,
        "rho_p_adj": row.ranks.spearman_p_adj if row.ranks else None,
    }


def _stat_values(row: CrosstabRow) -> list:
    chi, fisher = row.chi, row.fisher
    return [
        chi.chi2 if chi else None,
        chi.dof if chi else None,
        chi.p if chi else None,
        row.chi_p_adj,
        chi.cramers_v if chi else None,
        chi.min_expected if chi else None,
        chi.warning if chi else None,
        fisher.p if fisher else None,
        row.fisher_p_adj,
        *_rank_values(row).values(),
    ]


def crosstab_report(project: Project, result: Crosstab) -> Report:
    long_rows = []
    for row in result.rows:
        if not result.categories:
            long_rows.append([row.code, None, None, None, None, None, *_stat_values(row)])
        for i, label in enumerate(result.categories):
            long_rows.append(
                [
                    row.code,
                    label,
                    row.counts[i],
                    result.category_totals[i],
                    row.row_pct[i],
                    row.col_pct[i],
                    *_stat_values(row),
                ]
            )
    unit_label = {"council": "councils", "document": "documents", "segment": "segments"}[result.unit]
    long_table = Table(
        "crosstab",
        "Crosstab",
        ["code", "category", unit_label, f"category_{unit_label}", "row_pct", "col_pct", *STAT_COLUMNS],
        long_rows,
        formats=("csv", "json"),
    )
    tables = [long_table]
    if result.categories:
        tables.append(_counts_table(result, unit_label))
        tables.append(_tests_table(result))
    if any(r.ranks for r in result.rows):
        tables.append(_ranks_table(result))
    record = provenance(
        project,
        "crosstab",
        filters=result.selection.filters.as_dict(),
        coders=result.coders,
        options={
            "variable": result.variable.name,
            "wave": result.wave,
            "unit": result.unit,
            "rollup": result.rollup,
            "cuts": list(result.cuts),
            "documents_without_council": result.selection.without_council,
        },
    )
    if result.base is not None:
        record["base"] = result.base.as_dict()
    if result.phase_waves:
        record["phase_waves"] = [pw.text() for pw in result.phase_waves]
    title = f"Codes by {result.variable.name} (wave {result.wave}), unit: {result.unit}"
    return Report(title, record, tables, result.notes + council_notes(result.selection))


def _counts_table(result: Crosstab, unit_label: str) -> Table:
    columns = [
        "code",
        *(f"{label} (n = {n})" for label, n in zip(result.categories, result.category_totals)),
        "total",
    ]
    rows = []
    for row in result.rows:
        cells = [
            f"{n} ({_pct(r)} row, {_pct(c)} col)" for n, r, c in zip(row.counts, row.row_pct, row.col_pct)
        ]
        rows.append([row.code, *cells, row.total])
    return Table(
        "counts",
        f"{unit_label.capitalize()} with each code, by category",
        columns,
        rows,
        formats=("markdown",),
    )


def _tests_table(result: Crosstab) -> Table:
    columns = ["code", "chi2", "df", "p", "p (BH)", "Cramér's V", "Fisher p", "Fisher p (BH)"]
    rows = [
        [
            row.code,
            row.chi.chi2 if row.chi else None,
            row.chi.dof if row.chi else None,
            row.chi.p if row.chi else None,
            row.chi_p_adj,
            row.chi.cramers_v if row.chi else None,
            row.fisher.p if row.fisher else None,
            row.fisher_p_adj,
        ]
        for row in result.rows
    ]
    return Table("tests", "Tests of independence", columns, rows, formats=("markdown",))


def _ranks_table(result: Crosstab) -> Table:
    columns = [
        "code",
        "n with",
        "n without",
        "U",
        "p",
        "p (BH)",
        "rank-biserial r",
        "Spearman rho",
        "n",
        "p",
        "p (BH)",
    ]
    order = ("n1", "n2", "u", "mw_p", "mw_p_adj", "rank_biserial", "rho", "rho_n", "rho_p", "rho_p_adj")
    rows = []
    for row in result.rows:
        values = _rank_values(row)
        rows.append([row.code, *(values[key] for key in order)])
    title = (
        f"Councils with versus without each code on {result.variable.name}; codings per council against it"
    )
    return Table("ranks", title, columns, rows, formats=("markdown",))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"
