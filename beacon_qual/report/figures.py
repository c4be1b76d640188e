"""The report's charts, each drawn from one analysis service's result.

The report and ``beacon-qual figure`` both call these, so a figure for a paper is the chart in the report.
Each function returns the figure and the analysis result it drew, for the report's tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from beacon_qual.analysis.selection import Filters
from beacon_qual.codebook.tree import load_code_tree
from beacon_qual.errors import BeaconError
from beacon_qual.report import charts
from beacon_qual.report.charts import Style
from beacon_qual.store import Project
from beacon_qual.store import report as store


def code_colours(project: Project) -> dict[str, str | None]:
    tree = load_code_tree(project)
    colour = store.code_colours(project)
    return {tree.path[i]: colour.get(i) for i in tree.order}


def code_labels(project: Project, paths: Sequence[str], limit: int = 48) -> list[str]:
    """Codes shown by their own names, with their parents' names where two codes share a name."""
    tree = load_code_tree(project)
    id_of = {path: code_id for code_id, path in tree.path.items()}
    names = store.code_names(project)

    def label(code_id: int, depth: int) -> str:
        parts: list[str] = []
        at: int | None = code_id
        while at is not None and len(parts) < depth:
            parts.append(names[at])
            at = tree.parent.get(at)
        return "/".join(reversed(parts))

    depth = {path: 1 for path in paths}
    while True:
        labels = {path: label(id_of[path], depth[path]) if path in id_of else path for path in paths}
        counts = Counter(labels.values())
        grown = False
        for path in paths:
            if (
                counts[labels[path]] > 1
                and path in id_of
                and label(id_of[path], depth[path] + 1) != labels[path]
            ):
                depth[path] += 1
                grown = True
        if not grown:
            return [labels[path] for path in paths]


def group_label(value: Any, label: str) -> str:
    return f"{label} {value}" if value is not None else f"no {label}"


def frequencies_figure(
    project: Project, filters: Filters, by: str | None, style: Style | None = None
) -> tuple[Any, Any]:
    """Documents coded with each code, one bar per phase or role (or one bar per code)."""
    from beacon_qual.analysis.frequencies import frequencies

    result = frequencies(project, filters, by=(by,) if by else ())
    codes = list(dict.fromkeys(row.code for row in result.rows))
    label = {"phase": "phase", "role": "role"}.get(by or "", "")
    if by:
        groups = sorted({row.group[0] for row in result.rows}, key=lambda v: (v is None, str(v)))
        per = {(row.code, row.group[0]): row.documents for row in result.rows}
        shown = [c for c in codes if any(per.get((c, g)) for g in groups)]
        series = [(group_label(g, label), [per.get((c, g), 0) for c in shown]) for g in groups]
        title = f"Documents coded with each code, by {'respondent role' if by == 'role' else by}"
    else:
        per_code = {row.code: row.documents for row in result.rows}
        shown = [c for c in codes if per_code.get(c)]
        series = [("documents", [per_code[c] for c in shown])]
        title = "Documents coded with each code"
    if not shown:
        raise BeaconError("no codings in the selection: nothing to draw")
    fig = charts.grouped_bars(
        title,
        shown,
        series,
        xlabel="documents",
        style=style,
        labels=code_labels(project, shown),
        own_colours=None if by else code_colours(project),
    )
    return fig, result


def matrix_figure(project: Project, filters: Filters, style: Style | None = None) -> tuple[Any, dict]:
    """Heatmap of codings per council (rows) and code (columns), from frequencies by council."""
    from beacon_qual.analysis.frequencies import frequencies

    result = frequencies(project, filters, by=("council",))
    codes = list(dict.fromkeys(row.code for row in result.rows if row.codings))
    councils = sorted(
        {row.group[0] for row in result.rows if row.codings}, key=lambda v: (v[0] or "", v[1] or "")
    )
    if not codes or not councils:
        raise BeaconError("no codings in the selection: nothing to draw")
    counts = {(row.code, row.group[0]): row.codings for row in result.rows}
    names = [f"{label} {name}" if label else str(name) for label, name in councils]
    values = [[counts.get((code, council)) or 0 for code in codes] for council in councils]
    fig = charts.heatmap(
        "Codings per council and code",
        names,
        codes,
        values,
        label="codings",
        style=style,
        column_labels=code_labels(project, codes),
    )
    return fig, {"councils": names, "codes": codes, "values": values}


def trends_figure(
    project: Project, filters: Filters, style: Style | None = None, top: int = 8
) -> tuple[Any, Any, int]:
    """Each code's share of coded documents by phase; without chosen codes, the ``top`` most found."""
    from beacon_qual.analysis.trends import trends

    result = trends(project, filters)
    if not any(any(row.documents) for row in result.rows):
        raise BeaconError("no codings in the selection: nothing to draw")
    rows = result.rows if filters.codes else _top(result.rows, top)
    series = [
        (row.code, [100 * k / n if n else None for k, n in zip(row.documents, result.document_totals)])
        for row in rows
    ]
    fig = charts.lines(
        "Share of coded documents with each code, by phase",
        result.phases,
        series,
        xlabel="phase",
        ylabel="documents",
        style=style,
        own_colours=code_colours(project),
        labels=code_labels(project, [row.code for row in rows]),
    )
    return fig, result, len(rows)


def _top(rows: Sequence[Any], n: int) -> list[Any]:
    ranked = sorted(rows, key=lambda r: -sum(r.documents))
    keep = {id(r) for r in ranked[:n]}
    return [r for r in rows if id(r) in keep]


def measure_figure(
    project: Project, variable: str, filters: Filters, wave: int | None, style: Style | None = None
) -> tuple[Any, Any]:
    """Share of each category's councils coded with each code (the crosstab's column percentages)."""
    from beacon_qual.analysis.crosstab import crosstab

    result = crosstab(project, variable, filters, wave=wave)
    if not result.categories and result.variable.type == "numeric":
        # a numeric measure has no categories of its own: thirds of the councils, as --quantiles 3 makes
        result = crosstab(project, variable, filters, wave=wave, quantiles=3)
    if not result.categories or not result.rows:
        raise BeaconError(f"no councils with both codings and a value of {variable!r}: nothing to draw")
    series = [
        (f"{c} (n = {n})", [row.col_pct[i] or 0.0 for row in result.rows])
        for i, (c, n) in enumerate(zip(result.categories, result.category_totals))
        if n  # a category with no councils has no share to draw; the tables list it
    ]
    fig = charts.grouped_bars(
        f"Share of councils with each code, by {variable} (wave {result.wave})",
        [row.code for row in result.rows],
        series,
        xlabel=f"share of the category's {result.unit}s",
        percent=True,
        style=style,
        labels=code_labels(project, [row.code for row in result.rows]),
    )
    return fig, result


def draw(project: Project, kind: str, *, style: Style, filters: Filters, **args: Any) -> Any:
    """The figure of ``beacon-qual figure KIND``."""
    if kind == "frequencies":
        return frequencies_figure(project, filters, args.get("by"), style)[0]
    if kind == "matrix":
        return matrix_figure(project, filters, style)[0]
    if kind == "trends":
        return trends_figure(project, filters, style)[0]
    if kind == "measure":
        return measure_figure(project, args["variable"], filters, args.get("wave"), style)[0]
    raise BeaconError(f"unknown figure {kind!r}")
