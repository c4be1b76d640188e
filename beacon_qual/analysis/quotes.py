"""Retrieval of coded passages with their council, phase, role, coder and context.

Context is either a number of characters on each side of the passage, or a number
of units (sentences or speaker turns) around the units the passage touches: with
``context_units=0`` the passage is widened to whole units, with 1 one more unit on
each side, and so on.
"""

from __future__ import annotations

import io
import statistics
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from beacon_qual.analysis.options import QUOTE_FORMATS, UNIT_KINDS
from beacon_qual.analysis.output import (
    Report,
    Table,
    markdown_text,
    provenance_markdown,
    render,
)
from beacon_qual.analysis.provenance import provenance
from beacon_qual.analysis.selection import DOCS, Filters, Selection, coder_names, councils, resolve_filters
from beacon_qual.codebook.tree import load_code_tree
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.analysis import quotes as sql
from beacon_qual.store.lookup import document_text


@dataclass(frozen=True)
class Quote:
    code: str
    coded_as: str
    council: str | None
    council_name: str | None
    document: str
    phase: int | None
    role: str | None
    coder: str
    start: int
    end: int
    text: str
    before: str
    after: str
    coding_id: int | None = None  # the coding quoted, for screens that act on it (recode, memo, open)
    document_id: int | None = None


@dataclass
class QuoteSet:
    codes: list[str]
    quotes: list[Quote]
    selection: Selection
    coders: list[str]
    options: dict = field(default_factory=dict)


@dataclass
class QuoteStream:
    """Quotes as they are read: for each code its path, its number of quotes and an iterator of them, in the
    order :func:`quotes` lists them. Reading holds one document's codings and text at a time."""

    codes: list[str]
    selection: Selection
    coders: list[str]
    options: dict
    sections: Iterator[tuple[str, int, Iterator[Quote]]]


def quotes(
    project: Project,
    code_refs: list[str] | tuple[str, ...],
    filters: Filters | None = None,
    *,
    context: int = 0,
    context_units: int | None = None,
    unit_kind: str = "sentence",
    rollup: bool = False,
    limit: int | None = None,
) -> QuoteSet:
    stream = stream_quotes(
        project,
        code_refs,
        filters,
        context=context,
        context_units=context_units,
        unit_kind=unit_kind,
        rollup=rollup,
        limit=limit,
    )
    found = [quote for _code, _count, section in stream.sections for quote in section]
    return QuoteSet(stream.codes, found, stream.selection, stream.coders, stream.options)


def stream_quotes(
    project: Project,
    code_refs: list[str] | tuple[str, ...],
    filters: Filters | None = None,
    *,
    context: int = 0,
    context_units: int | None = None,
    unit_kind: str = "sentence",
    rollup: bool = False,
    limit: int | None = None,
) -> QuoteStream:
    """:func:`quotes`, read one document at a time. Quotes are sorted by council, phase and document, then
    position and coder, so the documents holding a code are put in that order first (from ``coding_counts``,
    a row per code, document and coder) and each one's codings of the code are read and sorted on their own:
    the first quotes come without reading every coding and transcript, and memory stays flat."""
    if not code_refs:
        raise BeaconError("name at least one code to quote")
    if context < 0 or (context_units is not None and context_units < 0):
        raise BeaconError("context must be zero or more")
    if context and context_units is not None:
        raise BeaconError("give either --context (characters) or --context-units, not both")
    if unit_kind not in UNIT_KINDS:
        raise BeaconError(f"unknown unit kind {unit_kind!r} (choose from {', '.join(UNIT_KINDS)})")
    tree = load_code_tree(project)
    selection = resolve_filters(project, filters or Filters(), tree)
    wanted = tree.resolve_all(list(code_refs))
    members = {code_id: tree.descendants(code_id) if rollup else [code_id] for code_id in wanted}
    known = councils(project)
    coders = sql.coders_by_id(project)
    # Each selected document: its sort key (council, phase, name), then case, phase and role.
    documents = {
        r[0]: ((_label(known, r[1]), r[2] or 0, r[3]), r[1], r[2], r[4])
        for r in sql.selected_documents(project, DOCS)
    }
    where, params = selection.where()
    options = {
        "codes": [tree.path[c] for c in wanted],
        "context": context,
        "context_units": context_units,
        "unit_kind": unit_kind if context_units is not None else None,
        "rollup": rollup,
        "limit": limit,
    }

    def code_quotes(code_id: int, code_ids: list[int]) -> Iterator[Quote]:
        held = sorted(
            sql.documents_holding(project, code_ids) & documents.keys(), key=lambda d: documents[d][0]
        )
        spans: dict[int, tuple[list[int], list[int]]] = {}
        left = limit
        for document_id in held:
            rows = sql.document_codings(project, DOCS, where, params, code_ids, document_id)
            if not rows:
                continue
            rows.sort(key=lambda r: (r[3], r[4], coders[r[2]]))
            text = _text(project, document_id)
            (_council, _phase, name), case_id, phase, role = documents[document_id]
            council = known.get(case_id)
            spans.clear()  # one document's units at a time
            for coding_id, coded_as, coder_id, start, end in rows:
                if left is not None:
                    if left == 0:
                        return
                    left -= 1
                lo, hi = _context_span(
                    project, document_id, start, end, text, context, context_units, unit_kind, spans
                )
                yield Quote(
                    code=tree.path[code_id],
                    coded_as=tree.path[coded_as],
                    council=council.label if council else None,
                    council_name=council.name if council else None,
                    document=name,
                    phase=phase,
                    role=role,
                    coder=coders[coder_id],
                    start=start,
                    end=end,
                    text=text[start:end],
                    before=text[lo:start],
                    after=text[end:hi],
                    coding_id=coding_id,
                    document_id=document_id,
                )

    def sections() -> Iterator[tuple[str, int, Iterator[Quote]]]:
        for code_id in wanted:
            code_ids = sorted(set(members[code_id]))
            if selection.speaker is None:  # the codings per code, document and coder that triggers keep
                doc_where, doc_params = selection.document_where()
                count = sql.counted_codings(
                    project, DOCS, doc_where, doc_params, selection.coder_ids, code_ids
                )
            else:
                # each coding's speaker looked up: a council's few documents first, then their codings of the
                # codes by index (the workbench's drill into a cell); else the codes' codings, each looked up
                # in the documents table
                count = sql.selected_codings(
                    project, DOCS, where, params, code_ids, documents_first=bool(selection.case_ids)
                )
            yield tree.path[code_id], min(count, limit) if limit else count, code_quotes(code_id, code_ids)

    all_ids = sorted({c for ids in members.values() for c in ids})
    return QuoteStream(
        [tree.path[c] for c in wanted],
        selection,
        coder_names(project, selection, all_ids),
        options,
        sections(),
    )


def _label(known: dict, case_id: int | None) -> str:
    return known[case_id].label if case_id in known else ""


def _text(project: Project, document_id: int) -> str:
    return document_text(project, document_id)


def _context_span(
    project: Project,
    document_id: int,
    start: int,
    end: int,
    text: str,
    context: int,
    context_units: int | None,
    unit_kind: str,
    spans: dict[int, tuple[list[int], list[int]]],
) -> tuple[int, int]:
    if context_units is None:
        return max(0, start - context), min(len(text), end + context)
    if document_id not in spans:
        units = sql.unit_spans(project, document_id, unit_kind)
        spans[document_id] = ([u[0] for u in units], [u[1] for u in units])
    starts, ends = spans[document_id]
    if not starts:
        return start, end
    first = max(0, bisect_right(starts, start) - 1)
    last = max(0, bisect_right(starts, end - 1) - 1)
    lo = starts[max(0, first - context_units)]
    hi = ends[min(len(ends) - 1, last + context_units)]
    return min(lo, start), max(hi, end)


# -- rendering -------------------------------------------------------------------------------------------
QUOTE_COLUMNS = [
    "code",
    "coded_as",
    "council",
    "council_name",
    "document",
    "phase",
    "role",
    "coder",
    "start",
    "end",
    "before",
    "text",
    "after",
]


def quotes_report(project: Project, result: QuoteSet | QuoteStream) -> Report:
    """The quotes as a table (none for a stream, whose quotes are read as they are written)."""
    rows = [
        [
            q.code,
            q.coded_as,
            q.council,
            q.council_name,
            q.document,
            q.phase,
            q.role,
            q.coder,
            q.start,
            q.end,
            q.before,
            q.text,
            q.after,
        ]
        for q in (result.quotes if isinstance(result, QuoteSet) else [])
    ]
    record = provenance(
        project,
        "quotes",
        filters=result.selection.filters.as_dict(),
        coders=result.coders,
        options=result.options,
    )
    return Report(
        "Quotes: " + "; ".join(result.codes), record, [Table("quotes", "Quotes", QUOTE_COLUMNS, rows)]
    )


def _flat(text: str) -> str:
    """Each run of whitespace as one space (str.split's whitespace is re's ``\\s``)."""
    words = text.split()
    if not words:
        return " " if text else ""
    flat = " ".join(words)
    if text[0].isspace():
        flat = " " + flat
    if text[-1].isspace():
        flat += " "
    return flat


def _md(text: str) -> str:
    return markdown_text(_flat(text))


def _source(q: Quote) -> str:
    parts = [f"{q.council} {q.council_name}" if q.council else "no council"]
    if q.phase is not None:
        parts.append(f"phase {q.phase}")
    if q.role:
        parts.append(q.role)
    parts.append(f"coded by {q.coder}")
    return " · ".join(parts)


def _where(q: Quote) -> str:
    text = f"{q.document}, characters {q.start}–{q.end}"
    return text + (f", coded as {q.coded_as}" if q.coded_as != q.code else "")


def quotes_markdown(report: Report, result: QuoteSet) -> str:
    sections = []
    for code in result.codes:
        selected = [q for q in result.quotes if q.code == code]
        sections.append((code, len(selected), iter(selected)))
    return "".join(quotes_markdown_parts(report, sections))


def quotes_markdown_parts(
    report: Report, sections: Iterable[tuple[str, int, Iterable[Quote]]]
) -> Iterator[str]:
    """The Markdown of :func:`quotes_markdown` in pieces, each code's quotes as they come (for a stream)."""
    yield f"# {markdown_text(report.title)}"
    yield "\n\n## Provenance\n\n" + provenance_markdown(report.provenance)
    for code, count, selected in sections:
        yield f"\n\n## {_md(code)} ({count})"
        if not count:
            yield "\n\n_No coded passages._"
        for number, q in enumerate(selected, start=1):
            before = _md(q.before).lstrip()
            after = _md(q.after).rstrip()
            body = f"{'…' + before if before else ''}**{_md(q.text).strip()}**{after + '…' if after else ''}"
            yield f"\n\n### {number}. {_md(_source(q))}\n\n> {body}\n\n_{_md(_where(q))}_"
    yield "\n"


def quotes_docx(report: Report, result: QuoteSet) -> bytes:
    from docx import Document
    from docx.shared import Pt, RGBColor

    document = Document()
    document.add_heading(report.title, level=0)
    document.add_heading("Provenance", level=1)
    for line in provenance_markdown(report.provenance).splitlines():
        paragraph = document.add_paragraph(line.removeprefix("- "), style="List Bullet")
        for run in paragraph.runs:
            run.font.size = Pt(8)
    grey = RGBColor(0x66, 0x66, 0x66)
    for code in result.codes:
        selected = [q for q in result.quotes if q.code == code]
        document.add_heading(f"{code} ({len(selected)})", level=1)
        for number, q in enumerate(selected, start=1):
            document.add_heading(f"{number}. {_source(q)}", level=2)
            paragraph = document.add_paragraph()
            if q.before.strip():
                paragraph.add_run("…" + _flat(q.before).lstrip()).font.color.rgb = grey
            paragraph.add_run(_flat(q.text).strip()).bold = True
            if q.after.strip():
                paragraph.add_run(_flat(q.after).rstrip() + "…").font.color.rgb = grey
            document.add_paragraph().add_run(_where(q)).italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_Passage = TypeVar("_Passage", bound=tuple[Any, ...])


def representative(passages: list[_Passage]) -> _Passage | None:
    """The passage (length, document, start, ...) whose length is nearest the median length;
    ties go to the first in document order."""
    if not passages:
        return None
    median = statistics.median(p[0] for p in passages)
    return min(passages, key=lambda p: (abs(p[0] - median), p[1], p[2]))


def shorten(text: str, limit: int) -> str:
    """Whitespace collapsed; cut at a word boundary with '…' when longer than ``limit``."""
    flat = _flat(text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(",;:. ") + "…"


def render_quotes(project: Project, result: QuoteSet, fmt: str) -> tuple[Report, str | bytes]:
    """The report and its rendering in one of the quote formats (bytes for .docx)."""
    if fmt not in QUOTE_FORMATS:
        raise BeaconError(f"unknown format {fmt!r} (formats: {', '.join(QUOTE_FORMATS)})")
    report = quotes_report(project, result)
    if fmt == "docx":
        return report, quotes_docx(report, result)
    if fmt == "markdown":
        return report, quotes_markdown(report, result)
    return report, render(report, fmt)
