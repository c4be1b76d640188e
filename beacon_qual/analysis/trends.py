"""Phase trends: each code's prevalence by study phase, with the Cochran-Armitage test.

Prevalence is the share of documents in a phase (coded or not) that hold the code, and
the share of councils interviewed in that phase coded with it there: an interviewed
council or a document without the code counts as 0, not as missing. The
trend test uses the phase numbers as scores; a positive z means the code becomes
more common in later phases. The council shares of different phases are not
independent samples when the same councils are interviewed again, so read their
test as descriptive.
"""

from __future__ import annotations

from dataclasses import dataclass

from beacon_qual.analysis import stats
from beacon_qual.analysis.bases import Base, analysis_base
from beacon_qual.analysis.output import Report, Table
from beacon_qual.analysis.passages import passages_cte
from beacon_qual.analysis.provenance import provenance
from beacon_qual.analysis.selection import (
    DOCS,
    Filters,
    Selection,
    coder_names,
    council_notes,
    resolve_filters,
)
from beacon_qual.codebook.tree import load_code_tree
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.analysis import passages as sql


@dataclass
class TrendRow:
    code_id: int
    code: str
    documents: list[int]
    councils: list[int]
    document_trend: stats.Trend | None
    council_trend: stats.Trend | None
    document_p_adj: float | None = None
    council_p_adj: float | None = None


@dataclass
class Trends:
    phases: list[int]
    document_totals: list[int]
    council_totals: list[int]
    rows: list[TrendRow]
    rollup: bool
    selection: Selection
    coders: list[str]
    base: Base | None = None


def trends(project: Project, filters: Filters | None = None, *, rollup: bool = False) -> Trends:
    tree = load_code_tree(project)
    selection = resolve_filters(project, filters or Filters(), tree)
    phases, doc_totals, council_totals = _phase_totals(project, selection)
    if len(phases) < 2:
        raise BeaconError(f"a trend needs documents in two or more phases; the selection has {len(phases)}")
    cte, params = passages_cte(selection, rollup=rollup, code_ids=selection.code_ids or None)
    found: dict[int, dict[int, tuple[int, int]]] = {}
    for code_id, phase, documents, councils in sql.phase_counts(project, cte, params):
        found.setdefault(code_id, {})[phase] = (documents, councils)
    rows = []
    for code_id in selection.code_ids or [c for c in tree.order if c in found]:
        by_phase = found.get(code_id, {})
        documents = [by_phase.get(p, (0, 0))[0] for p in phases]
        councils = [by_phase.get(p, (0, 0))[1] for p in phases]
        rows.append(
            TrendRow(
                code_id,
                tree.path[code_id],
                documents,
                councils,
                stats.cochran_armitage(documents, doc_totals, phases),
                stats.cochran_armitage(councils, council_totals, phases),
            )
        )
    doc_adj = stats.benjamini_hochberg([r.document_trend.p if r.document_trend else None for r in rows])
    council_adj = stats.benjamini_hochberg([r.council_trend.p if r.council_trend else None for r in rows])
    for row, d, c in zip(rows, doc_adj, council_adj):
        row.document_p_adj, row.council_p_adj = d, c
    return Trends(
        phases,
        doc_totals,
        council_totals,
        rows,
        rollup,
        selection,
        coder_names(project, selection),
        analysis_base(project, selection),
    )


def _phase_totals(project: Project, selection: Selection) -> tuple[list[int], list[int], list[int]]:
    """Phases with documents, and per phase the documents (coded or not) and the councils they cover."""
    where, params = selection.document_where()
    rows = sql.phase_totals(project, DOCS, where, params)
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def trends_report(project: Project, result: Trends) -> Report:
    trend_columns = [
        "document_trend_z",
        "document_trend_chi2",
        "document_trend_p",
        "document_trend_p_adj",
        "council_trend_z",
        "council_trend_chi2",
        "council_trend_p",
        "council_trend_p_adj",
    ]
    long_rows = []
    for row in result.rows:
        for i, phase in enumerate(result.phases):
            long_rows.append(
                [
                    row.code,
                    phase,
                    row.documents[i],
                    result.document_totals[i],
                    _share(row.documents[i], result.document_totals[i]),
                    row.councils[i],
                    result.council_totals[i],
                    _share(row.councils[i], result.council_totals[i]),
                    *_trend_values(row),
                ]
            )
    columns = [
        "code",
        "phase",
        "documents_with_code",
        "documents",
        "document_share",
        "councils_with_code",
        "councils",
        "council_share",
        *trend_columns,
    ]
    tables = [
        Table("trends", "Prevalence by phase", columns, long_rows, formats=("csv", "json")),
        _summary(result, "documents", [r.documents for r in result.rows], result.document_totals),
        _summary(result, "councils", [r.councils for r in result.rows], result.council_totals),
    ]
    record = provenance(
        project,
        "trends",
        filters=result.selection.filters.as_dict(),
        coders=result.coders,
        options={"rollup": result.rollup, "documents_without_council": result.selection.without_council},
    )
    if result.base is not None:
        record["base"] = result.base.as_dict()
    notes = [
        "Cochran-Armitage test for trend with phase numbers as scores; z > 0: more common in later phases.",
        "Councils recur across phases, so the council test is descriptive.",
    ]
    notes += [
        f"{row.code}: no trend test; the code is in all or none of the documents"
        for row in result.rows
        if row.document_trend is None
    ]
    notes += [f"{note} The document counts keep them." for note in council_notes(result.selection)]
    return Report("Code prevalence by phase", record, tables, notes)


def _trend_values(row: TrendRow) -> list:
    d, c = row.document_trend, row.council_trend
    return [
        d.z if d else None,
        d.chi2 if d else None,
        d.p if d else None,
        row.document_p_adj,
        c.z if c else None,
        c.chi2 if c else None,
        c.p if c else None,
        row.council_p_adj,
    ]


def _summary(result: Trends, unit: str, counts: list[list[int]], totals: list[int]) -> Table:
    columns = [
        "code",
        *(f"phase {p} (n = {n})" for p, n in zip(result.phases, totals)),
        "z",
        "chi2",
        "p",
        "p (BH)",
    ]
    rows = []
    for row, per_phase in zip(result.rows, counts):
        trend = row.document_trend if unit == "documents" else row.council_trend
        adjusted = row.document_p_adj if unit == "documents" else row.council_p_adj
        cells = [f"{k} ({100 * k / n:.1f}%)" if n else "-" for k, n in zip(per_phase, totals)]
        rows.append(
            [
                row.code,
                *cells,
                trend.z if trend else None,
                trend.chi2 if trend else None,
                trend.p if trend else None,
                adjusted,
            ]
        )
    return Table(unit, f"Share of {unit} with each code, by phase", columns, rows, formats=("markdown",))
