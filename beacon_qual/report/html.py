"""The study report: one self-contained HTML file with tables and inline SVG charts.

Every number comes from the analysis services the commands use (:mod:`beacon_qual.analysis` and
:mod:`beacon_qual.agreement`), called with the same filters, and every table is the same
:class:`~beacon_qual.analysis.output.Table` those commands print, so the report says what
``export frequencies``, ``trends``, ``crosstab``, ``quotes`` and ``agreement`` say, bases and notes
included. The file needs no network and no script: styles are inline and charts are SVG elements.
Every text that comes from the project (code names, definitions, memos, passages, council, document
and coder names) goes through :func:`html.escape`; the charts' text is escaped by matplotlib's SVG
writer.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from beacon_qual.analysis.output import Report, Table
from beacon_qual.analysis.selection import Filters
from beacon_qual.codebook.tree import load_code_tree
from beacon_qual.errors import BeaconError
from beacon_qual.report import charts
from beacon_qual.store import Project
from beacon_qual.store import report as store


@dataclass
class ReportOptions:
    filters: Filters = field(default_factory=Filters)
    measures: tuple[str, ...] = ()
    wave: int | None = None
    quotes_per_code: int = 3
    trend_lines: int = 8  # codes drawn in the trend chart when none are chosen
    title: str = "Study report"


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".4g")
    return str(value)


def table_html(table: Table, table_id: str) -> str:
    head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in table.columns)
    body = []
    for row in table.rows:
        cells = []
        for value in row:
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            cells.append(f"<td{' class=num' if numeric else ''}>{esc(cell_text(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    notes = "".join(f"<p class='note'>{esc(n)}</p>" for n in table.notes)
    if not table.rows:
        return f"<p id='{esc(table_id)}' class='empty'>No rows.</p>{notes}"
    return (
        f"<div class='scroll'><table id='{esc(table_id)}'><caption>{esc(table.title)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{notes}"
    )


def report_tables(report: Report, prefix: str, formats: tuple[str, ...] = ("markdown",)) -> str:
    """An analysis report's human-readable tables and its notes (its stated bases)."""
    parts = []
    for table in report.tables:
        if any(fmt in table.formats for fmt in formats):
            parts.append(table_html(table, f"{prefix}-{table.name}"))
    if report.notes:
        parts.append("<ul class='notes'>" + "".join(f"<li>{esc(n)}</li>" for n in report.notes) + "</ul>")
    return "".join(parts)


def provenance_html(record: dict[str, Any]) -> str:
    rows = []
    for key, value in record.items():
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value
        rows.append(f"<tr><th scope='row'>{esc(key)}</th><td>{esc(text)}</td></tr>")
    return f"<table class='provenance'>{''.join(rows)}</table>"


class _Builder:
    def __init__(self, project: Project, options: ReportOptions) -> None:
        self.project = project
        self.options = options
        self.filters = options.filters
        self.sections: list[tuple[str, str, str]] = []  # id, heading, body
        self.charts = 0

    def chart(self, fig: Any, alt: str) -> str:
        self.charts += 1
        svg = charts.svg_text(fig, salt=str(self.charts))
        return f"<figure role='img' aria-label='{esc(alt)}'>{svg}</figure>"

    def add(self, anchor: str, heading: str, body: str) -> None:
        self.sections.append((anchor, heading, body))

    def guarded(self, anchor: str, heading: str, make: Callable[[], str]) -> None:
        """A section whose analysis may refuse the selection: the refusal is shown in its place."""
        try:
            body = make()
        except BeaconError as exc:
            body = f"<p class='empty'>Not shown: {esc(exc.message)}</p>"
        self.add(anchor, heading, body)


def build_report(project: Project, options: ReportOptions | None = None) -> str:
    """The whole report as one HTML document."""
    from beacon_qual.analysis.frequencies import frequencies
    from beacon_qual.analysis.provenance import provenance
    from beacon_qual.analysis.selection import coder_names, resolve_filters

    options = options or ReportOptions()
    b = _Builder(project, options)
    tree = load_code_tree(project)
    selection = resolve_filters(project, options.filters, tree)  # refuses unknown filter values first
    overall = frequencies(project, options.filters)
    coded_codes = [row.code for row in overall.rows if row.codings]

    b.add("glance", "The project at a glance", _glance(project, selection))
    b.add("codebook", "Codebook", _codebook(project, tree, overall, b))
    for field_name, label in (("phase", "phase"), ("role", "respondent role")):
        b.guarded(
            f"by-{field_name}",
            f"Code frequencies by {label}",
            partial(_by_group, project, options.filters, field_name, b),
        )
    b.guarded("matrix", "Councils by codes", lambda: _matrix(project, options.filters, b))
    for measure in options.measures:
        b.guarded(
            f"measure-{_slug(measure)}",
            f"Codes by {measure}",
            partial(_measure, project, measure, options, b),
        )
    b.guarded("trends", "Trends by phase", lambda: _trends(project, options, b))
    b.guarded("agreement", "Agreement between coders", lambda: _agreement(project, selection, options, b))
    if options.quotes_per_code:
        b.guarded("quotes", "Quotes", lambda: _quotes(project, coded_codes, options))
    record = provenance(
        project,
        "report",
        filters=options.filters.as_dict(),
        coders=coder_names(project, selection),
        options={"measures": list(options.measures), "wave": options.wave},
    )
    b.add("provenance", "Provenance", provenance_html(record))
    return _page(options.title, project, b.sections, record)


# -- sections ------------------------------------------------------------------------------------------
def _glance(project: Project, selection: Any) -> str:
    from beacon_qual.analysis.selection import DOCS

    where, params = selection.document_where()
    coded, coded_params = selection.coded()
    rows = store.documents_by_phase_and_role(project, DOCS, where, params, coded, coded_params)
    totals = store.document_totals(project, DOCS, where, params, coded, coded_params)
    documents, coded_documents, councils, coded_councils = (v or 0 for v in totals)
    coder_rows = store.coder_totals(project, DOCS, where, params)
    share = f"{100 * coded_documents / documents:.1f}%" if documents else "-"
    from beacon_qual.analysis.bases import analysis_base

    base = analysis_base(project, selection)
    done = base.documents if base.done_only else base.documents - base.not_done
    done_share = f"{100 * done / documents:.1f}%" if documents else "-"
    facts = [
        ("Councils interviewed", councils),
        ("Councils with coded documents", coded_councils),
        ("Documents", documents),
        ("Documents coded", f"{coded_documents} ({share})"),
        ("Documents marked fully coded (docs done)", f"{done} ({done_share})"),
        ("Codes in the codebook", store.code_count(project)),
        ("Coders", len(coder_rows)),
    ]
    facts_html = "".join(
        f"<tr><th scope='row'>{esc(k)}</th><td class=num>{esc(v)}</td></tr>" for k, v in facts
    )
    docs = Table(
        "documents",
        "Documents by phase and role",
        ["phase", "role", "documents", "coded", "councils"],
        [list(r) for r in rows],
    )
    coders = Table(
        "coders",
        "Coders (in the selected documents)",
        ["coder", "codings", "documents coded"],
        [list(r) for r in coder_rows],
    )
    return (
        f"<table class='facts' id='glance-facts'>{facts_html}</table>"
        + table_html(docs, "glance-documents")
        + table_html(coders, "glance-coders")
    )


def _codebook(project: Project, tree: Any, overall: Any, b: _Builder) -> str:
    counts = {row.code_id: row for row in overall.rows}
    details = {r[0]: r[1:] for r in store.code_details(project)}
    memos: dict[int, list[str]] = {}
    for target, text in store.code_memos(project):
        memos.setdefault(target, []).append(text)
    rows = []
    for code_id in tree.order:
        name, description, inclusion, exclusion, colour = details[code_id]
        depth, up = 0, tree.parent.get(code_id)
        while up is not None:
            depth, up = depth + 1, tree.parent.get(up)
        found = counts.get(code_id)
        swatch = f"<span class='swatch' style='background:{esc(colour)}'></span>" if colour else ""
        text = "".join(
            f"<p><b>{label}</b> {esc(value)}</p>"
            for label, value in (("Includes:", inclusion), ("Excludes:", exclusion))
            if value
        )
        text += "".join(f"<p class='memo'><b>Memo:</b> {esc(m)}</p>" for m in memos.get(code_id, []))
        rows.append(
            f"<tr><td style='padding-left:{0.4 + 1.2 * depth:.1f}em'>{swatch}{esc(name)}</td>"
            f"<td>{esc(description)}{text}</td>"
            + "".join(
                f"<td class=num>{getattr(found, k) if found else ''}</td>"
                for k in ("codings", "documents", "councils")
            )
            + "</tr>"
        )
    return (
        "<div class='scroll'><table id='codebook'><caption>Codes with their definitions and counts</caption>"
        "<thead><tr><th>code</th><th>definition</th><th>codings</th><th>documents</th><th>councils</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _by_group(project: Project, filters: Filters, field_name: str, b: _Builder) -> str:
    from beacon_qual.analysis.frequencies import frequency_report
    from beacon_qual.report.figures import frequencies_figure

    fig, result = frequencies_figure(project, filters, field_name)
    tables = report_tables(frequency_report(project, result), f"freq-{field_name}", formats=("csv",))
    return b.chart(fig, fig.get_suptitle()) + f"<details><summary>The numbers</summary>{tables}</details>"


def _matrix(project: Project, filters: Filters, b: _Builder) -> str:
    from beacon_qual.report.figures import matrix_figure

    fig, data = matrix_figure(project, filters)
    table = Table(
        "matrix",
        "Codings per council (rows) and code (columns)",
        ["council", *data["codes"]],
        [[name, *row] for name, row in zip(data["councils"], data["values"])],
    )
    return (
        b.chart(fig, "Heatmap of codings per council and code")
        + f"<p class='note'>{len(data['councils'])} councils with codings in the selection, "
        f"{len(data['codes'])} codes; from export frequencies --by council.</p>"
        + "<details><summary>The numbers</summary>"
        + table_html(table, "matrix-table")
        + "</details>"
    )


def _measure(project: Project, measure: str, options: ReportOptions, b: _Builder) -> str:
    from beacon_qual.analysis.crosstab import crosstab_report
    from beacon_qual.report.figures import measure_figure

    fig, result = measure_figure(project, measure, options.filters, options.wave)
    report = crosstab_report(project, result)
    note = ""
    if result.variable.type == "numeric":
        note = (
            f"<p class='note'>{esc(measure)} is numeric: the councils are split into thirds at "
            f"{esc(', '.join(f'{c:g}' for c in result.cuts))} (crosstab --quantiles 3).</p>"
        )
    return b.chart(fig, f"Codes by {measure}") + note + report_tables(report, f"measure-{_slug(measure)}")


def _trends(project: Project, options: ReportOptions, b: _Builder) -> str:
    from beacon_qual.analysis.trends import trends_report
    from beacon_qual.report.figures import trends_figure

    fig, result, drawn = trends_figure(project, options.filters, top=options.trend_lines)
    note = ""
    if drawn < len(result.rows):
        note = (
            f"<p class='note'>The chart shows the {drawn} codes found in most documents; "
            "the tables show all.</p>"
        )
    return b.chart(fig, "Trends by phase") + note + report_tables(trends_report(project, result), "trends")


def _agreement(project: Project, selection: Any, options: ReportOptions, b: _Builder) -> str:
    from beacon_qual.agreement.report import agreement, agreement_table, summary_lines

    coders = options.filters.coders or tuple(store.coders_with_codings(project))
    if len(coders) < 2:
        return "<p class='empty'>One coder only: no agreement to measure.</p>"
    result = agreement(project, list(coders), codes=options.filters.codes)
    headers, rows = agreement_table(result)
    table = Table("agreement", "Agreement per code (first row: all codes)", headers, rows)
    lines = "".join(f"<p class='note'>{esc(line)}</p>" for line in summary_lines(result))
    return lines + table_html(table, "agreement-table")


def _quotes(project: Project, codes: list[str], options: ReportOptions) -> str:
    from beacon_qual.analysis.quotes import quotes

    wanted = list(options.filters.codes) or codes
    if not wanted:
        return "<p class='empty'>No codings in the selection.</p>"
    # Respondents' words, unless the report was asked for another side with --speaker.
    filters = replace(options.filters, speaker=options.filters.speaker or "respondent")
    result = quotes(
        project, wanted, filters, limit=4 * options.quotes_per_code
    )  # room for passages coded twice
    parts = []
    for code in result.codes:
        seen: dict[tuple, list[str]] = {}  # one passage coded by several coders is quoted once
        for q in result.quotes:
            if q.code == code:
                key = (q.document, q.start, q.end)
                if key in seen:
                    seen[key].append(q.coder)
                elif len(seen) < options.quotes_per_code:
                    seen[key] = [q.coder]
        found = {(q.document, q.start, q.end): q for q in result.quotes if q.code == code}
        if not seen:
            continue
        items = "".join(
            f"<blockquote><p>{esc(found[key].text)}</p><footer>{esc(_where(found[key], coders))}</footer>"
            "</blockquote>"
            for key, coders in seen.items()
        )
        parts.append(f"<h3>{esc(code)}</h3>{items}")
    return "".join(parts) or "<p class='empty'>No quotes in the selection.</p>"


def _where(q: Any, coders: list[str]) -> str:
    council = f"{q.council} {q.council_name}" if q.council else (q.council_name or "no council")
    phase = f"phase {q.phase}" if q.phase is not None else None
    bits = [council, phase, q.role, q.document, f"coded by {', '.join(coders)}"]
    return ", ".join(b for b in bits if b)


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-") or "x"


# -- page ----------------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:72rem;
padding:1rem 2rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #0072B2;padding-bottom:.2rem;margin-top:2.5rem}
nav ol{columns:2}table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.2rem .5rem;vertical-align:top;text-align:left}
thead th{background:#eef3f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.3rem 0}.scroll{overflow-x:auto}
.note,.notes{color:#555;font-size:.9rem}.empty{color:#777;font-style:italic}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.4em;border:1px solid #444}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
blockquote{border-left:4px solid #56B4E9;margin:.6rem 0;padding:.2rem 1rem;background:#f7fafc}
blockquote footer{color:#555;font-size:.85rem}.memo{color:#444}
table.facts th{background:#f4f4f4}table.provenance td{word-break:break-all}
"""


def _page(title: str, project: Project, sections: list[tuple[str, str, str]], record: dict[str, Any]) -> str:
    nav = "".join(f"<li><a href='#{esc(a)}'>{esc(h)}</a></li>" for a, h, _ in sections)
    body = "".join(f"<section id='{esc(a)}'><h2>{esc(h)}</h2>{s}</section>" for a, h, s in sections)
    filters = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in record["filters"].items()) or "none"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(title)}: {esc(project.path.name)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><p>Project <b>{esc(project.path.name)}</b>, made {esc(record['created_at'])} "
        f"by beacon-qual {esc(record['version'])}. Filters: {esc(filters)}.</p>"
        f"<nav><ol>{nav}</ol></nav></header>{body}</body></html>\n"
    )
