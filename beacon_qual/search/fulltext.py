"""Full-text search over transcript sentences.

The index (``unit_fts``, schema V3) holds one entry per sentence unit, its rowid the unit's id, its words
stemmed by FTS5's porter tokenizer (so "learning", "learned" and "learns" match one another). It keeps no
copy of the text: it reads a sentence from its document when a snippet is wanted. SQL triggers keep it in
step with every write to ``units`` and ``documents``, whichever code path makes it.

Queries use FTS5 syntax: words, "exact phrases", AND, OR, NOT, NEAR(a b, 10), prefix*. The operators may
also be written in lower case outside quotes. Every hit carries the offsets of its sentence,
``text[start:end]``, so a screen can jump to it, and its bm25 score; the result also says how many sentences
match in all, of which the first ``limit`` are returned, in one of two orders:

- ``document`` (the default), as NVivo, ATLAS.ti, MAXQDA and Taguette list text-search hits: document by
  document in the order they were imported (their id), and within a document from its start to its end.
  Unit ids follow that order except for a revised document, whose units are stored again after the
  documents imported before its revision. So the index is read in rowid order, which stops after ``limit``
  matches, and the order is then made exact: every document up to the last one reached is checked for
  sentences stored beyond that point, and those documents' matches (and all matches of the last
  document) are added before sorting by (document, start). When the matches are few or lie far apart (a
  rare word), sorting all of them is cheaper and is done instead; a filter that keeps few documents (a
  council) reads all the matches of those documents through their id ranges. Hits carry no score in this
  order.
- ``relevance``: best first by bm25, which has to score every match before it can pick the best.

The number of matches is counted by the index, or comes for free when all of them were read. With filters,
each match has to be checked against its sentence's document, so the count stops once it passes
``COUNT_CAP`` and the hits then say only that more than that many match (``total_exact`` is False).
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from beacon_qual.codebook.tree import resolve_code
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store import search as store
from beacon_qual.store.search import Filter

MARKS = ("[", "]")
ELLIPSIS = "…"
SNIPPET_TOKENS = 40
MAX_LIMIT = 10_000
ORDERS = ("document", "relevance")
NARROW = 20  # a filter that keeps at most 1 in NARROW documents is read through those documents' id ranges
QUERY_HINT = (
    'search with words, "exact phrases", AND, OR, NOT, NEAR(word word, 10) and prefix*; '
    'put words with punctuation in double quotes, e.g. "council\'s"'
)

_QUOTED = re.compile(r'("(?:[^"]|"")*"?)')
_OPERATOR = re.compile(r"(?<![\w])(and|or|not)(?![\w])|(?<![\w])near(?=\s*\()", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    """One sentence that matched: where it is, its snippet with the matched words marked, its bm25 score."""

    document_id: int
    document: str
    council: str | None
    phase: int | None
    role: str | None
    start: int
    end: int
    snippet: str
    score: float | None  # -bm25, higher is a better match; None in document order, which computes no bm25


class Hits(list[Hit]):
    """The hits returned, in ``order``, and ``total``: how many sentences match in all; when ``total_exact``
    is False (a filtered search with more than ``COUNT_CAP`` matches), more than ``total`` match."""

    def __init__(self, hits: list[Hit], total: int, order: str, total_exact: bool = True) -> None:
        super().__init__(hits)
        self.total = total
        self.order = order
        self.total_exact = total_exact


# -- queries ----------------------------------------------------------------------------------------------


def normalise_query(query: str) -> str:
    """The query with and/or/not (and near before "(") upper-cased where they stand outside double quotes."""
    parts = _QUOTED.split(query.strip())
    return "".join(
        part if part.startswith('"') else _OPERATOR.sub(lambda m: m.group(0).upper(), part) for part in parts
    )


def _query_error(query: str, exc: sqlite3.OperationalError) -> BeaconError | None:
    """A one-line explanation when FTS5 could not read the query; None for any other database error."""
    message = str(exc)
    if "unterminated string" in message:
        reason = "a double quote is not closed"
    elif match := re.search(r'syntax error near "(.*)"', message):
        reason = f"unexpected {match.group(1)!r}" if match.group(1) else "the query ends too soon"
    elif match := re.search(r"no such column: (.*)", message):
        reason = f"{match.group(1)!r} is read as a column name (as in 'word:' or '-word')"
    elif message.startswith("unknown special query"):
        reason = "'*' can only end a word (prefix*)"
    elif message.startswith("fts5:"):
        reason = message.removeprefix("fts5: ")
    else:
        return None
    return BeaconError(f"cannot read the search {query!r}: {reason}", details=[QUERY_HINT])


# -- filters ----------------------------------------------------------------------------------------------


def _check_present(project: Project, column: str, value: Any, what: str) -> None:
    present = store.document_values(project, column)
    wanted = value.casefold() if isinstance(value, str) else value
    found = [v for v in present if (v.casefold() if isinstance(v, str) else v) == wanted]
    if not found:
        listed = ", ".join(str(v) for v in present) or "none yet"
        raise BeaconError(f"no documents with {what} {value!r} (the project has: {listed})")


def _filters(
    project: Project,
    council: str | None,
    phase: int | None,
    role: str | None,
    code: str | int | None,
    speaker: str | None = None,
) -> Filter:
    """The filter of a search, every reference resolved (and refused when it names nothing) in turn."""
    case_id = None
    if council is not None:
        from beacon_qual.cases.councils import resolve_council_for_filter

        case_id = resolve_council_for_filter(project, council).case_id
    if phase is not None:
        _check_present(project, "phase", phase, "phase")
    if role is not None:
        role = role.strip()
        _check_present(project, "role", role, "role")
    code_ids = None if code is None else store.code_and_descendants(project, resolve_code(project, code))
    role_wanted = None
    if speaker is not None:
        from beacon_qual.ingest.speaker_roles import speaker_filter

        role_wanted = speaker_filter(project, speaker)
    return store.search_filter(case_id, phase, role, code_ids, role_wanted)


# -- searching --------------------------------------------------------------------------------------------


def search(
    project: Project,
    query: str,
    *,
    council: str | None = None,
    phase: int | None = None,
    role: str | None = None,
    code: str | int | None = None,
    speaker: str | None = None,
    limit: int = 50,
    order: str = "document",
    marks: tuple[str, str] = MARKS,
) -> Hits:
    """The first ``limit`` sentences matching ``query`` in ``order`` (see the module's description), with the
    number of sentences that match in all.

    ``council`` is any council reference (name, code, alias); ``code`` a code reference, matching sentences
    that overlap a coding of that code or of a code below it; ``speaker`` ('respondent' or 'interviewer')
    matches only sentences in that side's turns. The matched words of each snippet are wrapped in ``marks``.
    """
    text = normalise_query(query)
    if not text:
        raise BeaconError("the search is empty; give a word or a phrase to look for")
    if not 1 <= limit <= MAX_LIMIT:
        raise BeaconError(f"--limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if order not in ORDERS:
        raise BeaconError(f"unknown order {order!r}; use one of: {', '.join(ORDERS)}")
    where = _filters(project, council, phase, role, code, speaker)
    try:
        count = functools.cache(lambda: _count(project, text, where))
        ranked: Sequence[tuple[int, float | None]]
        if order == "relevance":
            ranked, total = _ranked(project, text, where, limit)
        else:
            ranked, total = _document_order(project, text, where, limit, count)
        exact = True
        if total is None:
            total, exact = count() if len(ranked) == limit else (len(ranked), True)
        details = _details(project, text, [unit_id for unit_id, _ in ranked], marks)
    except sqlite3.OperationalError as exc:
        error = _query_error(query, exc)
        if error is None:
            raise
        raise error from None
    return Hits([_hit(details[unit_id], score) for unit_id, score in ranked], total, order, exact)


COUNT_CAP = 1_000  # a filtered count stops here: "more than 1,000 sentences match"


def _count(project: Project, query: str, where: Filter) -> tuple[int, bool]:
    """How many sentences match and pass the filters, and whether that is exact. Without filters the index
    counts without reading any text. With them every match is joined to its sentence and document, and the
    count stops after COUNT_CAP: counting all of a common word's matches in one phase costs many times the
    search itself (figures in benchmarks/README.md, search_speed.py)."""
    if not where.where:
        return store.count_matches(project, query), True
    found = store.count_filtered(project, query, where, COUNT_CAP)
    return (COUNT_CAP, False) if found > COUNT_CAP else (found, True)


def _ranked(
    project: Project, query: str, where: Filter, limit: int
) -> tuple[list[tuple[int, float]], int | None]:
    """(unit id, -bm25) of the best matches, and how many match when that came from the same pass (None
    otherwise). bm25() is computed only for matches that pass the filters. With filters, the scored matches
    are kept and counted, so the set of allowed sentences is built once; without, the index counts faster."""
    if not where.where:
        rows = store.best_matches(project, query, limit)
        return [(r[0], -r[1]) for r in rows], None
    scored = store.best_filtered(project, query, where, limit)
    return [(r[0], -r[1]) for r in scored], scored[0][2] if scored else 0


RANGES = 16  # a narrow filter's documents in more id ranges than this are read like a broad filter's
FEW = 20  # without filters, at most this many matches per hit wanted are sorted all at once
SPREAD = 3  # matches this far apart (last id reached / matches) are sorted all at once
GAP = 1_000  # ids between two documents' ranges that are read through rather than starting a new range


def _document_order(
    project: Project, query: str, where: Filter, limit: int, count: Callable[[], tuple[int, bool]]
) -> tuple[list[tuple[int, None]], int | None]:
    """(unit id, None) of the first ``limit`` matches in (document, start) order, and how many match when
    that came for free (None otherwise)."""
    ranges = _narrow_ranges(project, where)
    if ranges is not None:  # few documents: read all their matches through their id ranges
        found = _in_ranges(project, query, where, ranges)
        return [(unit_id, None) for unit_id in sorted(found, key=found.__getitem__)[:limit]], len(found)
    if not where.where and count()[0] <= FEW * limit:
        # Few matches (the count has to be made anyway): sort them all rather than read the index twice.
        rows = store.first_in_document_order(project, query, where, limit)
        return [(r[0], None) for r in rows], None
    # The index in rowid order stops after ``limit`` matches that pass the filters.
    window = store.first_in_index_order(project, query, where, limit)
    if len(window) < limit:  # every match is in hand
        return [(r[0], None) for r in sorted(window, key=lambda r: (r[1], r[2]))], len(window)
    last = window[-1][0]
    matching, exact = count()
    # A capped count means many matches pass the filters: the window path below reads fewer of them.
    if exact and last > SPREAD * matching:
        # The matches lie far apart: sorting them all costs less than reading the ids of every sentence up
        # to the last one reached.
        rows = store.first_in_document_order(project, query, where, limit)
        return [(r[0], None) for r in rows], None
    reached = max(r[1] for r in window)
    # Every match with an id up to ``last`` is in the window. A document before ``reached`` with sentences
    # beyond ``last`` (revised since, or written out of order), and ``reached`` itself, whose later
    # sentences the window cut off, are read whole: the matches in their id range.
    spans = store.sentence_spans(project, reached, where)
    extra = [(first, final) for doc, first, final in spans if final > last or doc == reached]
    found = {r[0]: (r[1], r[2]) for r in window if r[1] < reached}
    found.update(_in_ranges(project, query, where, extra))
    return [
        (unit_id, None) for unit_id in sorted(found, key=found.__getitem__) if found[unit_id][0] <= reached
    ][:limit], None


def _narrow_ranges(project: Project, where: Filter) -> list[tuple[int, int]] | None:
    """The id ranges holding every sentence of the documents that pass a filter keeping at most one document
    in NARROW, nearby ranges read as one; None when the filter is broader or the ranges too many."""
    allowed = store.count_passing_documents(project, where)
    if allowed is None:
        return None
    if allowed * NARROW > store.document_count(project):
        return None
    ranges: list[list[int]] = []
    for first, final in store.passing_id_ranges(project, where):
        if ranges and first <= ranges[-1][1] + GAP:
            ranges[-1][1] = max(ranges[-1][1], final)
        else:
            ranges.append([first, final])
    if len(ranges) > RANGES:
        return None
    return [(first, final) for first, final in ranges]


def _in_ranges(
    project: Project, query: str, where: Filter, ranges: list[tuple[int, int]]
) -> dict[int, tuple[int, int]]:
    """unit id: (document, start) of the matches that pass the filters with ids in the ranges."""
    found: dict[int, tuple[int, int]] = {}
    for first, final in ranges:
        rows = store.matches_between(project, query, where, first, final)
        found.update((r[0], (r[1], r[2])) for r in rows)
    return found


def _details(
    project: Project, query: str, unit_ids: list[int], marks: tuple[str, str]
) -> dict[int, sqlite3.Row]:
    """Location and snippet of each unit. The index is read once over the span of their ids (the unary +
    keeps the list of ids out of its lookup): looked up id by id, a prefix query would be expanded again for
    every hit."""
    if not unit_ids:
        return {}
    rows = store.hit_details(project, query, unit_ids, marks, ELLIPSIS, SNIPPET_TOKENS)
    return {r["unit_id"]: r for r in rows}


def _hit(row: sqlite3.Row, score: float | None) -> Hit:
    return Hit(
        document_id=row["document_id"],
        document=row["document"],
        council=row["council"],
        phase=row["phase"],
        role=row["role"],
        start=row["start"],
        end=row["end"],
        snippet=row["snippet"],
        score=score,
    )


# -- the index itself -------------------------------------------------------------------------------------


def rebuild_index(project: Project) -> int:
    """Rebuild the search index from the sentence units; returns how many sentences it holds."""
    with project.transaction():
        store.rebuild_index(project)
    return indexed_sentences(project)


def indexed_sentences(project: Project) -> int:
    return store.indexed_sentences(project)


def check_index(project: Project) -> None:
    """Raise BeaconError when the index no longer matches the sentences it was built from."""
    try:
        store.check_index(project)
    except sqlite3.DatabaseError as exc:
        raise BeaconError(
            f"the search index does not match the transcripts ({exc}); rebuild it with 'beacon-qual reindex'"
        ) from None
