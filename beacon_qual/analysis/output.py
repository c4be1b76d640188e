"""Writers for analysis results: CSV (with a provenance sidecar), Markdown and JSON.

An analysis returns a :class:`Report`: its provenance record and one or more
:class:`Table`, each naming the formats it appears in. CSV holds the first CSV
table and its provenance goes beside it in ``FILE.provenance.json``; Markdown
and JSON start with the provenance.
Files are written through :mod:`beacon_qual.text.outfile`: whole or not at all, never over a project.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beacon_qual.analysis.options import TEXT_FORMATS
from beacon_qual.errors import BeaconError
from beacon_qual.text.csvsafe import safe_cell
from beacon_qual.text.outfile import Output, output_for

SIDECAR_SUFFIX = ".provenance.json"


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    formats: tuple[str, ...] = TEXT_FORMATS

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


@dataclass
class Report:
    title: str
    provenance: dict[str, Any]
    tables: list[Table]
    notes: list[str] = field(default_factory=list)


# -- cells -----------------------------------------------------------------------------------------------
def csv_cell(value: Any) -> Any:
    """Numbers stay numbers (negative ones too); text that a spreadsheet would run is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        return int(value) if value.is_integer() and abs(value) < 1e15 else format(value, ".10g")
    if isinstance(value, int):
        return value
    return safe_cell(str(value))


# Markdown's inline specials (emphasis, code, links, raw HTML and entities, table cells, headings'
# closing #, strike-through), each escaped with a backslash, and line breaks flattened to spaces:
# str.translate, a tenth of re.sub's time, which mattered for an export of 23,807 passages.
# An underscore between two letters or digits can neither open nor close emphasis (CommonMark's flanking
# rules), so names such as innovation_score are left as they are written.
_MARKDOWN_ESCAPES = str.maketrans({**{c: "\\" + c for c in "\\`*[]<>|#~&"}, "\r": " ", "\n": " "})
_LOOSE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# What makes a line a list item or a heading's underline when it opens the line.
_BLOCK_START = re.compile(r"(?:[-+]|\d{1,9}[.)])(?=[ \t]|$)|[=-]+[ \t]*$")


def markdown_text(value: Any) -> str:
    """Text (a code name, a memo, a passage, a council or file name) as Markdown that shows it as it is:
    ``<script>`` stays text and no character changes the document's structure, wherever it is put."""
    text = str(value).translate(_MARKDOWN_ESCAPES)
    if "_" in text:
        text = _LOOSE_UNDERSCORE.sub(r"\\_", text)
    start = _BLOCK_START.match(text)
    if start:
        cut = len(start.group().rstrip(" \t")) - 1 if start.group()[0].isdigit() else 0
        text = text[:cut] + "\\" + text[cut:]
    return text


def markdown_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".4g")
    if isinstance(value, int):
        return str(value)
    return markdown_text(value)


def json_value(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


# -- renderers -------------------------------------------------------------------------------------------
def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in table.columns])
    # Column by column, so a large table's cells are not looked at one by one in Python: a column of plain
    # ints is written as it is (csv_cell would return them unchanged), a column of text is worked out once
    # per distinct value (code paths and document names come again and again), anything else cell by cell.
    rows = table.rows
    if len(set(map(len, rows))) > 1:  # rows of different lengths: cell by cell
        writer.writerows([csv_cell(v) for v in row] for row in rows)
    elif rows:
        columns: list[Iterable[Any]] = []
        for column in zip(*rows):
            kinds = set(map(type, column))
            if kinds <= {int}:
                columns.append(column)
            elif kinds <= {str}:
                done = {v: csv_cell(v) for v in set(column)}
                columns.append(map(done.__getitem__, column))
            else:
                columns.append(map(csv_cell, column))
        writer.writerows(zip(*columns))
    return buffer.getvalue()


def markdown_table(table: Table) -> str:
    lines = [
        "| " + " | ".join(markdown_cell(c) for c in table.columns) + " |",
        "| " + " | ".join("---" for _ in table.columns) + " |",
    ]
    for row in table.rows:
        lines.append("| " + " | ".join(markdown_cell(v) for v in row) + " |")
    return "\n".join(lines)


def provenance_markdown(record: dict[str, Any]) -> str:
    md = markdown_text
    filters = "; ".join(f"{k} = {md(_option_text(v))}" for k, v in record["filters"].items()) or "none"
    options = (
        "; ".join(f"{k} = {md(_option_text(v))}" for k, v in record.get("options", {}).items()) or "none"
    )
    lines = [
        f"- made by: beacon-qual {record['version']}, {md(record['analysis'])}, {record['created_at']}",
        f"- project: {md(record['project'])} ({_project_identity(record)})",
        f"- codebook version: {md(record['codebook_version'] or 'not recorded')}",
        f"- filters: {filters}",
        f"- coders: {', '.join(md(c) for c in record['coders']) or 'none'}",
        f"- options: {options}",
    ]
    if record.get("base"):
        lines.append(f"- base: {record['base']['text']}")
    if record.get("phase_waves"):
        lines.append(f"- survey wave per phase: {'; '.join(record['phase_waves'])}")
    return "\n".join(lines)


def _project_identity(record: dict[str, Any]) -> str:
    parts = [f"state {record['project_state']}"] if "project_state" in record else []
    if "project_sha256" in record:
        parts.append(f"sha256 {record['project_sha256']}")
    return ", ".join(parts)


def _option_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def to_markdown(report: Report) -> str:
    parts = [f"# {markdown_text(report.title)}", "## Provenance", provenance_markdown(report.provenance)]
    for table in tables_for(report, "markdown"):
        parts.append(f"## {markdown_text(table.title)}")
        parts.append(markdown_table(table) if table.rows else "_No rows._")
        parts.extend(f"> {markdown_text(note)}" for note in table.notes)
    if report.notes:
        parts.append("## Notes")
        parts.append("\n".join(f"- {markdown_text(note)}" for note in report.notes))
    return "\n\n".join(parts) + "\n"


def to_json(report: Report) -> str:
    document: dict[str, Any] = {"provenance": report.provenance}
    for table in tables_for(report, "json"):
        document[table.name] = [{k: json_value(v) for k, v in rec.items()} for rec in table.records()]
    if report.notes:
        document["notes"] = report.notes
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def tables_for(report: Report, fmt: str) -> list[Table]:
    return [table for table in report.tables if fmt in table.formats]


def render(report: Report, fmt: str) -> str:
    if fmt == "csv":
        return to_csv(tables_for(report, "csv")[0])
    if fmt == "markdown":
        return to_markdown(report)
    if fmt == "json":
        return to_json(report)
    raise BeaconError(f"unknown format {fmt!r} (formats: {', '.join(TEXT_FORMATS)})")


# -- files -----------------------------------------------------------------------------------------------
def write_output(
    out: Path | str | Output, data: str | bytes, provenance: dict[str, Any] | None = None
) -> list[str]:
    """Write ``data`` to ``out`` (see :mod:`beacon_qual.text.outfile`), with ``provenance`` in
    ``FILE.provenance.json`` beside it when given and ``out`` is a regular file; returns the names
    written. Both targets are checked before either is written."""
    out = output_for(out)
    out.check(binary=isinstance(data, bytes))
    side = out.side(SIDECAR_SUFFIX) if provenance is not None and out.regular() else None
    if side is not None:
        side.check()
        side.write(json.dumps(provenance, ensure_ascii=False, indent=2) + "\n")
    out.write(data)
    return [str(out)] + ([str(side)] if side is not None else [])


def write_report(report: Report, fmt: str, out: Path | str | Output) -> list[str]:
    """Write a report to ``out`` (CSV also gets its provenance side file); returns the names written."""
    return write_output(out, render(report, fmt), report.provenance if fmt == "csv" else None)
