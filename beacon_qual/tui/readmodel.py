"""What the coding workbench reads: document lists with progress, a document's text and units,
the code list in tree order with counts, the fuzzy code picker and the recently used codes.

Kept apart from the screen so the CLI, the benchmarks and the tests use the same functions.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process, utils

from beacon_qual.codebook.tree import all_codes
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store import workbench as store

RECENT_LIMIT = 9


@dataclass(frozen=True)
class DocumentProgress:
    id: int
    name: str
    council: str | None
    phase: int | None
    role: str | None
    sentences: int
    coded_sentences: int
    done: bool = False  # marked fully coded by the coder (by any coder when listing all coders)

    @property
    def progress(self) -> float:
        return self.coded_sentences / self.sentences if self.sentences else 0.0


def list_documents(project: Project, coder_id: int | None) -> list[DocumentProgress]:
    """Every document with its share of sentences coded by ``coder_id`` (by anyone when None)."""
    progress = sentence_progress(project, coder_id)
    done = done_documents(project, coder_id)
    rows = store.documents_with_council(project)
    return [
        DocumentProgress(
            r["id"],
            r["name"],
            r["council"],
            r["phase"],
            r["role"],
            *progress.get(r["id"], (0, 0)),
            r["id"] in done,
        )
        for r in rows
    ]


def done_documents(project: Project, coder_id: int | None) -> set[int]:
    """Documents marked fully coded by ``coder_id`` (by anyone when None)."""
    return store.done_document_ids(project, coder_id)


def sentence_progress(
    project: Project, coder_id: int | None, document_id: int | None = None
) -> dict[int, tuple[int, int]]:
    """{document id: (sentences, sentences touched by a coding)}.

    Over every document the coded sentences come from ``coding_units`` (each coding's sentences, kept by
    triggers) and the sentences from the ``units_doc`` index, so nothing reads every coding and sentence.
    One document is swept in Python over its sorted spans.
    """
    if document_id is None:
        touched = store.coded_sentence_counts(project, coder_id)
        return {doc: (total, touched.get(doc, 0)) for doc, total in store.sentence_counts(project)}
    coded: dict[int, list[tuple[int, int]]] = {}
    for doc, start, end in store.coded_spans(project, document_id, coder_id):
        coded.setdefault(doc, []).append((start, end))
    merged = {doc: merge_spans(spans) for doc, spans in coded.items()}
    out: dict[int, tuple[int, int]] = {}
    current, spans, j, total, hit = None, [], 0, 0, 0
    for doc, start, end in store.sentence_spans(project, document_id):
        if doc != current:
            if current is not None:
                out[current] = (total, hit)
            current, spans, j, total, hit = doc, merged.get(doc, []), 0, 0, 0
        total += 1
        while j < len(spans) and spans[j][1] <= start:
            j += 1
        if j < len(spans) and spans[j][0] < end:
            hit += 1
    if current is not None:
        out[current] = (total, hit)
    return out


def filter_documents(rows: list[DocumentProgress], query: str) -> list[DocumentProgress]:
    """Filter by words such as ``phase:2 role:officer council:hull uncoded`` plus free text."""
    keep = rows
    for token in query.lower().split():
        key, _, value = token.partition(":")
        if token in ("uncoded", "not-coded", "todo"):
            keep = [r for r in keep if r.coded_sentences == 0]
        elif key == "phase" and value:
            keep = [r for r in keep if str(r.phase) == value]
        elif key == "role" and value:
            keep = [r for r in keep if (r.role or "").lower().replace(" ", "").startswith(value)]
        elif key == "council" and value:
            keep = [r for r in keep if value in (r.council or "").lower()]
        else:
            keep = [r for r in keep if token in f"{r.name} {r.council or ''} {r.role or ''}".lower()]
    return keep


@dataclass(frozen=True)
class Turn:
    start: int
    end: int
    speaker: str | None


@dataclass
class DocumentView:
    id: int
    name: str
    text: str
    council: str | None
    phase: int | None
    role: str | None
    turns: list[Turn]
    sentences: list[tuple[int, int]]
    _sentence_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._sentence_starts = [s for s, _ in self.sentences]

    def sentence_index_at(self, offset: int) -> int:
        """Index of the sentence containing ``offset``, or the one just before it (0 when there is none:
        callers look at ``sentences`` first)."""
        i = bisect_right(self._sentence_starts, offset) - 1
        return max(i, 0)

    def turn_at(self, offset: int) -> int | None:
        for i, t in enumerate(self.turns):
            if t.start <= offset < t.end:
                return i
        return None


def load_document(project: Project, document_id: int) -> DocumentView:
    row = store.document_row(project, document_id)
    if row is None:
        raise BeaconError(f"no document with id {document_id}")
    units = store.document_units(project, document_id)
    turns = [Turn(u["start"], u["end"], u["speaker"]) for u in units if u["kind"] == "turn"]
    sentences = [(u["start"], u["end"]) for u in units if u["kind"] == "sentence"]
    return DocumentView(
        row["id"], row["name"], row["text"], row["council"], row["phase"], row["role"], turns, sentences
    )


@dataclass(frozen=True)
class CodeInfo:
    id: int
    uuid: str
    parent_id: int | None
    name: str
    path: str
    depth: int
    description: str
    inclusion: str
    exclusion: str
    example: str
    colour: str
    keywords: tuple[str, ...]
    codable: bool


DEFAULT_COLOUR = "#8fbcbb"


def load_codes(project: Project) -> list[CodeInfo]:
    """All codes in tree order (parents before children, siblings in codebook order), from the code tree."""
    depth: dict[int, int] = {}
    out: list[CodeInfo] = []
    for code in all_codes(project):
        depth[code.id] = depth[code.parent_id] + 1 if code.parent_id in depth else 0
        out.append(
            CodeInfo(
                code.id,
                code.uuid,
                code.parent_id,
                code.name,
                code.path,
                depth[code.id],
                code.description or "",
                code.inclusion or "",
                code.exclusion or "",
                code.example or "",
                code.colour or DEFAULT_COLOUR,
                code.keywords,
                code.codable,
            )
        )
    return out


class CodePicker:
    """Ranks codes for a typed query: names first, then keywords, then the code's parents and definition.

    Choice strings are preprocessed once, and each keystroke costs two vectorised
    rapidfuzz passes plus a substring scan, so the picker keeps up with typing
    over a codebook of thousands of codes.
    """

    KEYWORD_WEIGHT = 0.85
    KEYWORD_CUTOFF = 80.0
    CONTEXT_SCORE = 70.0  # every query word appears in the parents' path or the definition
    CUTOFF = 50.0

    def __init__(self, codes: list[CodeInfo]):
        self.codes = [c for c in codes if c.codable]
        self._names = [utils.default_process(c.name) for c in self.codes]
        self._keywords = [utils.default_process(" ".join(c.keywords)) for c in self.codes]
        # each different keyword text scored once (codes often share keywords, or have none)
        distinct: dict[str, int] = {}
        self._keyword_of = np.array(
            [distinct.setdefault(k, len(distinct)) for k in self._keywords], dtype=np.intp
        )
        self._distinct_keywords = list(distinct)
        # the first letters of a name of two or more words: "sv" finds Site visits
        self._initials: dict[str, list[int]] = {}
        for i, name in enumerate(self._names):
            if len(name.split()) > 1:
                self._initials.setdefault("".join(w[0] for w in name.split()), []).append(i)
        self._context = [
            utils.default_process(f"{c.path.rsplit('/', 1)[0] if '/' in c.path else ''} {c.description}")
            for c in self.codes
        ]
        # Each field joined into one string, so substring tests run in C: "\n" + query finds name prefixes.
        self._name_blob, self._name_starts = _blob(self._names)
        self._context_blob, self._context_starts = _blob(self._context)
        self._contexts: dict[str, set[int]] = {}  # the codes whose context holds a word typed so far
        self._starting: dict[str, set[int]] = {}  # the codes whose name begins with a query typed so far
        # the order among equal scores, as arrays: shorter names first, then by path
        self._name_lengths = np.array([len(c.name) for c in self.codes], dtype=np.intp)
        self._path_ranks = np.zeros(len(self.codes), dtype=np.intp)
        by_path = sorted(range(len(self.codes)), key=lambda i: self.codes[i].path)
        for rank, (i, before) in enumerate(zip(by_path, [None, *by_path], strict=False)):
            same = before is not None and self.codes[before].path == self.codes[i].path
            self._path_ranks[i] = self._path_ranks[before] if same else rank

    def rank(self, query: str, *, recent: list[int] | None = None, limit: int = 30) -> list[CodeInfo]:
        query = utils.default_process(query)
        if not query:
            order = {cid: i for i, cid in enumerate(recent or [])}
            return sorted(self.codes, key=lambda c: order.get(c.id, len(order)))[:limit]
        if not self.codes:
            return []
        starting = self._names_starting(query)
        initials = self._initials.get(query, ()) if len(query) > 1 else ()
        if 0 < limit <= len(starting.union(initials)):
            # as many codes score over 100 (their names begin with the query, or it is their initials) as are
            # listed: no other score (100 at most) can reach the list, so none is worked out
            scores = np.zeros(len(self.codes), dtype=np.float32)
        elif len(query) < 3:  # too short to be fuzzy: substring matches only
            scores = np.zeros(len(self.codes), dtype=np.float32)
            scores[list(_containing(self._name_blob, self._name_starts, query))] = 90.0
        else:
            # (a score under the cutoff is given as 0, as it would be dropped below: rapidfuzz then skips
            # the strings that cannot reach it)
            scores = process.cdist(
                [query],
                self._names,
                scorer=fuzz.partial_ratio,
                processor=None,
                dtype=np.float32,
                score_cutoff=self.CUTOFF,
            )[0]
            keyword_scores = process.cdist(
                [query],
                self._distinct_keywords,
                scorer=fuzz.partial_ratio,
                processor=None,
                dtype=np.float32,
                score_cutoff=self.KEYWORD_CUTOFF,
            )[0][self._keyword_of]
            keyword_scores[keyword_scores < self.KEYWORD_CUTOFF] = 0.0  # a keyword must really match
            np.maximum(scores, keyword_scores * self.KEYWORD_WEIGHT, out=scores)
        in_context: set[int] | None = None
        for token in query.split():
            found = self._in_context(token)
            in_context = found if in_context is None else in_context & found
        if in_context:
            where = np.fromiter(in_context, dtype=np.intp, count=len(in_context))
            scores[where] = np.maximum(scores[where], self.CONTEXT_SCORE)
        for i in starting:
            scores[i] = 111.0 if self._names[i] == query else 101.0
        for i in initials:
            scores[i] = max(scores[i], 105.0)
        candidates = np.flatnonzero(scores >= self.CUTOFF)
        if len(candidates) > limit:  # only the best `limit` need a full sort
            keep = np.argpartition(-scores[candidates], limit - 1)[:limit]
            threshold = scores[candidates[keep]].min()
            candidates = candidates[scores[candidates] >= threshold]
        # best score first, then the shorter name, then the path (lexsort is stable, as sorted is)
        ranked = candidates[
            np.lexsort((self._path_ranks[candidates], self._name_lengths[candidates], -scores[candidates]))
        ]
        return [self.codes[i] for i in ranked[:limit]]

    def _names_starting(self, query: str) -> set[int]:
        """The codes whose name begins with ``query`` (processed). Each query typed is looked for among the
        codes that began with the one before it (kept for the picker's life)."""
        found = self._starting.get(query)
        if found is None:
            shorter = self._starting.get(query[:-1]) if len(query) > 1 else None
            if shorter is not None:
                found = {i for i in shorter if self._names[i].startswith(query)}
            else:
                found = _containing(self._name_blob, self._name_starts, "\n" + query, shift=1)
            if len(self._starting) >= 256:
                self._starting.clear()
            self._starting[query] = found
        return found

    def _in_context(self, token: str) -> set[int]:
        """The codes whose parents' path or definition holds ``token``. As a word is typed each new prefix
        is looked for only among the codes that held the one before it (kept for the picker's life)."""
        found = self._contexts.get(token)
        if found is None:
            shorter = self._contexts.get(token[:-1]) if len(token) > 1 else None
            if shorter is not None:
                found = {i for i in shorter if token in self._context[i]}
            elif self._context_blob.count(token) > len(self._context) // 4:  # common: one test a code
                found = {i for i, text in enumerate(self._context) if token in text}
            else:  # rare: find each occurrence in C
                found = _containing(self._context_blob, self._context_starts, token)
            if len(self._contexts) >= 256:
                self._contexts.clear()
            self._contexts[token] = found
        return found

    def unique_prefix(self, query: str) -> CodeInfo | None:
        """The one code whose name begins with ``query``, when exactly one does (the picker then applies it
        without Enter: "to" is Toolkits and publications when no other code's name starts with "to")."""
        query = utils.default_process(query)
        if not query:
            return None
        found = self._names_starting(query)
        return self.codes[next(iter(found))] if len(found) == 1 else None


def _blob(texts: list[str]) -> tuple[str, list[int]]:
    """The texts joined as "\ntext\ntext...", with where each one starts."""
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + 1
    return "".join("\n" + t for t in texts), starts


def _containing(blob: str, starts: list[int], needle: str, shift: int = 0) -> set[int]:
    """Indexes of the joined texts that contain ``needle`` (found ``shift`` characters before the text)."""
    found: set[int] = set()
    pos = blob.find(needle)
    while pos != -1:
        i = bisect_right(starts, pos + shift) - 1
        found.add(i)
        nxt = starts[i + 1] if i + 1 < len(starts) else len(blob)
        pos = blob.find(needle, nxt)
    return found


def recent_codes(project: Project, coder_id: int) -> list[int]:
    raw = project.get_meta(f"recent_codes:{coder_id}")
    return json.loads(raw) if raw else []


def push_recent_code(project: Project, coder_id: int, code_id: int) -> list[int]:
    """Move a code to the front of the coder's recent list (keys 1-9 apply them)."""
    codes = [code_id] + [c for c in recent_codes(project, coder_id) if c != code_id]
    codes = codes[:RECENT_LIMIT]
    with project.transaction():
        project.set_meta(f"recent_codes:{coder_id}", json.dumps(codes))
    return codes


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of half-open spans, as sorted disjoint spans."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def next_uncoded_sentence(doc: DocumentView, coded: list[tuple[int, int]], after: int) -> int | None:
    """Index of the first sentence starting after ``after`` that no coded span touches."""
    merged = merge_spans(coded)
    starts = [s for s, _ in merged]
    first = bisect_right(doc._sentence_starts, after)
    for i in range(first, len(doc.sentences)):
        s, e = doc.sentences[i]
        j = bisect_right(starts, e - 1) - 1  # last merged span starting before the sentence ends
        if j < 0 or merged[j][1] <= s:
            return i
    return None


def coded_sentences(doc: DocumentView, spans: list[tuple[int, int]]) -> int:
    """How many of the document's sentences a span touches (as :func:`sentence_progress` counts them), from
    what the workbench holds in memory."""
    merged = merge_spans(spans)
    hit, j = 0, 0
    for start, end in doc.sentences:
        while j < len(merged) and merged[j][1] <= start:
            j += 1
        if j == len(merged):
            break
        if merged[j][0] < end:
            hit += 1
    return hit


def is_done(project: Project, document_id: int, coder_id: int | None) -> bool:
    """Whether ``coder_id`` (anyone when None) marked the document fully coded."""
    return store.is_done(project, document_id, coder_id)


def coder_names(project: Project) -> list[str]:
    return store.coder_names(project)
