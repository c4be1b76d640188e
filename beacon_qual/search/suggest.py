"""Keyword suggestions: sentences a code's keywords point at, for a coder to accept, reject or skip.

Each code's keywords and phrases, and the words of every sentence unit, are case-folded and lemmatised with
spaCy's lookup lemmatizer (the English table of spacy-lookups-data), so "adapted" meets the keyword "adapt"
and "site visits" meets "site visit". A one-word keyword matches a word with the same lemma; a phrase matches
its lemmas in a row. Words are runs of letters or of digits, so "know-how" and "know how" are the same phrase.

Matches are stored in ``suggestions`` (schema V3), one per (document, code, sentence), apart from the codings:
they never count as codings until a coder accepts one, which applies the code through the coding service
(audited, undoable). Running again adds only sentences not suggested before; a decision is never reopened
by a run. Undoing or removing the coding of an accepted suggestion opens it again (a trigger does that).

A suggestion's span is a sentence unit of its document. When a revision replaces the text, suggestions whose
span is no longer a sentence of the new text are out of date: they are left out of listings and evaluation,
cannot be decided, and the next run deletes the open ones (decided ones stay as a record) and suggests
afresh on the new sentences.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from beacon_qual.codebook.tree import all_codes, code_paths, resolve_code
from beacon_qual.coding.codings import Coding, add_coding
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, now
from beacon_qual.store import search as store
from beacon_qual.store.codings import same_coding
from beacon_qual.store.lookup import document_text

WORD = re.compile(r"[^\W\d_]+|\d+")
STATUSES = ("open", "accepted", "rejected", "skipped")


# -- lemmas -----------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def lemma_table() -> Mapping[str, str]:
    """spaCy's English lookup table (word -> lemma), loaded through the lookup lemmatizer; no download."""
    import spacy  # imported on first use: loading spaCy takes longer than most commands

    nlp = spacy.blank("en")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    try:
        nlp.initialize()
    except (ValueError, OSError) as exc:
        raise BeaconError(
            f"cannot load spaCy's English lemma table (is spacy-lookups-data installed?): {exc}"
        ) from None
    # spaCy types add_pipe's result as a plain Callable; "lemmatizer" is a Lemmatizer, which has lookups.
    return lemmatizer.lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]


class Lemmatiser:
    """Lemmas of lower-cased words, each word form looked up once."""

    def __init__(self) -> None:
        self._table = lemma_table()
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        lemma = self._cache.get(word)
        if lemma is None:
            lower = word.lower()
            lemma = str(self._table.get(lower, lower)).casefold()
            self._cache[word] = lemma
        return lemma

    def lemmas(self, words: Iterable[str]) -> list[str]:
        get = self._cache.get
        return [get(w) or self(w) for w in words]


# -- matching ---------------------------------------------------------------------------------------------


class KeywordMatcher:
    """Finds every code's keywords and phrases in a sentence, by lemma, with one dictionary probe per word."""

    def __init__(self, keywords: Mapping[int, Iterable[str]], lemmatiser: Lemmatiser | None = None):
        self.lemmatiser = lemmatiser or Lemmatiser()
        phrases: dict[tuple[str, ...], set[int]] = {}
        for code_id, words in keywords.items():
            for keyword in words:
                lemmas = tuple(self.lemmatiser.lemmas(WORD.findall(keyword)))
                if lemmas:
                    phrases.setdefault(lemmas, set()).add(code_id)
        self._by_first: dict[str, list[tuple[tuple[str, ...], tuple[int, ...]]]] = {}
        for lemmas in sorted(phrases, key=len, reverse=True):
            self._by_first.setdefault(lemmas[0], []).append((lemmas, tuple(sorted(phrases[lemmas]))))
        self._firsts = frozenset(self._by_first)

    def match(self, text: str) -> tuple[int, dict[int, list[str]]]:
        """(number of words, {code id: the words and phrases found, as written}) for one sentence."""
        words = WORD.findall(text)
        lemmas = self.lemmatiser.lemmas(words)
        if self._firsts.isdisjoint(lemmas):
            return len(words), {}
        found: dict[int, list[str]] = {}
        covered: dict[int, int] = {}
        spans = [m.span() for m in WORD.finditer(text)]
        for i, lemma in enumerate(lemmas):
            for phrase, code_ids in self._by_first.get(lemma, ()):
                end = i + len(phrase)
                if len(phrase) > 1 and tuple(lemmas[i:end]) != phrase:
                    continue
                surface = text[spans[i][0] : spans[end - 1][1]]
                for code_id in code_ids:
                    if covered.get(code_id, 0) >= end:
                        continue
                    covered[code_id] = end
                    seen = found.setdefault(code_id, [])
                    if surface not in seen:
                        seen.append(surface)
        return len(words), found


def mark_words(text: str, words: Iterable[str], marks: tuple[str, str] = ("[", "]")) -> str:
    """``text`` with each occurrence of the given words wrapped in ``marks`` (for showing a suggestion)."""
    spans: list[tuple[int, int]] = []
    for word in sorted(set(words), key=len, reverse=True):
        for m in re.finditer(re.escape(word), text):
            if all(m.end() <= s or m.start() >= e for s, e in spans):
                spans.append(m.span())
    out, pos = [], 0
    for start, end in sorted(spans):
        out += [text[pos:start], marks[0], text[start:end], marks[1]]
        pos = end
    return "".join(out) + text[pos:]


# -- choosing codes ---------------------------------------------------------------------------------------


def code_keywords(project: Project, code_ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """The keywords of every codable code that has some (of ``code_ids`` only, when given)."""
    wanted = None if code_ids is None else set(code_ids)
    result: dict[int, list[str]] = {}
    for row in store.codable_keywords(project):
        if wanted is not None and row["id"] not in wanted:
            continue
        try:
            words = json.loads(row["keywords"] or "[]")
        except json.JSONDecodeError:
            words = None
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise BeaconError(
                f"code {row['name']!r} has keywords that are not a JSON list of words: {row['keywords']!r}"
            )
        words = [w for w in words if w.strip()]
        if words:
            result[row["id"]] = words
    return result


def select_codes(project: Project, refs: Iterable[str | int]) -> list[int]:
    """The codes named (by path, name or id) and every code below them that has keywords."""
    chosen: list[int] = []
    for ref in refs:
        root = resolve_code(project, ref)
        with_keywords = list(code_keywords(project, store.code_and_descendants(project, root)))
        if not with_keywords:
            raise BeaconError(
                f"code {ref!r} has no keywords (nor has any code below it); nothing to suggest from"
            )
        chosen.extend(c for c in with_keywords if c not in chosen)
    return chosen


# -- making suggestions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestRun:
    codes: int
    documents: int
    sentences: int
    words: int
    found: int  # (sentence, code) pairs the keywords point at
    added: int  # of those, how many were not suggested before
    removed: int  # open suggestions deleted because their document's text was revised
    speaker: str | None = None  # the side whose sentences were matched; None: every sentence


def make_suggestions(
    project: Project,
    *,
    code_ids: Iterable[int] | None = None,
    document_ids: Iterable[int] | None = None,
    speaker: str | None = "respondent",
) -> SuggestRun:
    """Match the codes' keywords against every sentence of the documents and store new suggestions.

    All codes with keywords and all documents unless narrowed. ``speaker`` ('respondent', the default, or
    'interviewer'; None or 'any' for every sentence) keeps to the sentences of that side's turns. One
    transaction: all stored or none.
    """
    from beacon_qual.ingest.speaker_roles import speaker_filter

    role = speaker_filter(project, speaker)
    keywords = code_keywords(project, code_ids)
    if not keywords:
        raise BeaconError("no code has keywords; add keywords to the codebook first")
    matcher = KeywordMatcher(keywords)
    if document_ids is None:
        doc_ids = store.document_ids(project)
    else:
        doc_ids = list(dict.fromkeys(document_ids))
    sentences = words = found = added = removed = 0
    with project.transaction():
        for doc_id in doc_ids:
            removed += store.delete_out_of_date(project, doc_id)
            n_sentences, n_words, rows = _document_suggestions(project, matcher, doc_id, role)
            sentences += n_sentences
            words += n_words
            found += len(rows)
            if rows:
                added += store.insert_suggestions(project, rows)
        run = SuggestRun(len(keywords), len(doc_ids), sentences, words, found, added, removed, role)
        project.audit(
            "suggest.run", "suggestions", None, after={**run.__dict__, "code_ids": sorted(keywords)}
        )
    return run


def _document_suggestions(
    project: Project, matcher: KeywordMatcher, document_id: int, role: str | None = None
) -> tuple[int, int, list[tuple]]:
    text = document_text(project, document_id)
    units = store.sentence_bounds(project, document_id, role)
    created = now()
    rows: list[tuple] = []
    words = 0
    for start, end in units:
        count, found = matcher.match(text[start:end])
        words += count
        for code_id, matched in found.items():
            rows.append((document_id, code_id, start, end, json.dumps(matched, ensure_ascii=False), created))
    return len(units), words, rows


# -- reading suggestions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    id: int
    document_id: int
    document: str
    council: str | None
    code_id: int
    code: str  # the code's path
    start: int
    end: int
    text: str  # text[start:end] of the document
    matched: tuple[str, ...]
    status: str
    decided_by: int | None
    decided_at: str | None
    coding_id: int | None


def _suggestion(row, paths: Mapping[int, str]) -> Suggestion:
    return Suggestion(
        id=row["id"],
        document_id=row["document_id"],
        document=row["document"],
        council=row["council"],
        code_id=row["code_id"],
        code=paths.get(row["code_id"], str(row["code_id"])),
        start=row["start"],
        end=row["end"],
        text=row["text"],
        matched=tuple(json.loads(row["matched"])),
        status=row["status"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        coding_id=row["coding_id"],
    )


def list_suggestions(
    project: Project,
    document_id: int | None = None,
    status: str | None = "open",
    *,
    code_ids: Iterable[int] | None = None,
) -> list[Suggestion]:
    """Suggestions in document order (then code path); ``status=None`` lists every status."""
    if status is not None and status not in STATUSES:
        raise BeaconError(f"a suggestion's status is one of {', '.join(STATUSES)}, not {status!r}")
    ids = None if code_ids is None else list(code_ids)
    paths = code_paths(project)
    found = [_suggestion(r, paths) for r in store.suggestions(project, status, document_id, ids)]
    return sorted(found, key=lambda s: (s.document, s.start, s.end, s.code))


def get_suggestion(project: Project, suggestion_id: int) -> Suggestion:
    row = store.suggestion(project, suggestion_id)
    if row is None:
        raise BeaconError(f"no suggestion with id {suggestion_id}")
    return _suggestion(row, code_paths(project))


# -- deciding ---------------------------------------------------------------------------------------------


def _open_row(project: Project, suggestion_id: int, coder_id: int) -> dict:
    if not store.coder_exists(project, coder_id):
        raise BeaconError(f"no coder with id {coder_id}")
    row = store.suggestion_row(project, suggestion_id)
    if row is None:
        raise BeaconError(f"no suggestion with id {suggestion_id}")
    if not store.is_current(project, suggestion_id):
        raise BeaconError(
            f"suggestion {suggestion_id} is out of date: its document was revised since; "
            "run 'beacon-qual suggest' again"
        )
    if row["status"] == "accepted":
        raise BeaconError(
            f"suggestion {suggestion_id} is already accepted (coding {row['coding_id']}); "
            "undo or remove that coding to decide again"
        )
    return dict(row)


def _set_status(project: Project, before: dict, status: str, coder_id: int, coding_id: int | None) -> None:
    store.set_status(project, before["id"], status, coder_id, now(), coding_id)
    after = dict(store.suggestion_row_written(project, before["id"]))
    verb = {"accepted": "accept", "rejected": "reject", "skipped": "skip"}[status]
    project.audit(
        f"suggestion.{verb}", "suggestions", before["id"], before=before, after=after, coder_id=coder_id
    )


def accept_suggestion(project: Project, suggestion_id: int, coder_id: int) -> Coding:
    """Apply the suggested code to the sentence as the coder's coding (through the coding service, so it is
    audited and undoable) and mark the suggestion accepted, in one transaction.

    When the coder already has exactly that coding, the suggestion is accepted with it.
    """
    with project.transaction():
        row = _open_row(project, suggestion_id, coder_id)
        span = {k: row[k] for k in ("document_id", "code_id", "start", "end")}
        existing = same_coding(
            project, span["document_id"], span["code_id"], coder_id, span["start"], span["end"]
        )
        coding = Coding.from_row(existing) if existing else add_coding(project, coder_id=coder_id, **span)
        _set_status(project, row, "accepted", coder_id, coding.id)
    return coding


def reject_suggestion(project: Project, suggestion_id: int, coder_id: int) -> Suggestion:
    """Mark the suggestion rejected: the keywords were there but the code does not fit."""
    with project.transaction():
        _set_status(project, _open_row(project, suggestion_id, coder_id), "rejected", coder_id, None)
    return get_suggestion(project, suggestion_id)


def skip_suggestion(project: Project, suggestion_id: int, coder_id: int) -> Suggestion:
    """Put the suggestion aside undecided; it leaves the open list but can still be accepted or rejected."""
    with project.transaction():
        _set_status(project, _open_row(project, suggestion_id, coder_id), "skipped", coder_id, None)
    return get_suggestion(project, suggestion_id)


# -- evaluating -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeScore:
    """How well one code's suggestions (or all codes', when ``code_id`` is None) match a coder's codings."""

    code_id: int | None
    code: str
    suggestions: int
    true_positives: int  # suggestions overlapped by the coder's coding of the same code
    codings: int
    recalled: int  # the coder's codings overlapped by a suggestion of the same code

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.suggestions if self.suggestions else None

    @property
    def recall(self) -> float | None:
        return self.recalled / self.codings if self.codings else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)


@dataclass(frozen=True)
class Evaluation:
    coder_id: int
    codes: list[CodeScore]  # codes with any suggestion or any coding by the coder, in codebook order
    overall: CodeScore  # sums over every code evaluated (micro-averaged)


def evaluate_suggestions(
    project: Project, coder_id: int, code_ids: Iterable[int] | None = None
) -> Evaluation:
    """Precision and recall of all suggestions (whatever their status) against one coder's codings.

    A suggestion is a true positive when the coder has a coding of the same code in the same document that
    overlaps its sentence. Recall is the share of the coder's codings (of codes with keywords) that some
    suggestion of the same code overlaps.
    """
    if not store.coder_exists(project, coder_id):
        raise BeaconError(f"no coder with id {coder_id}")
    ids = list(code_keywords(project, code_ids))
    if not ids:
        raise BeaconError("no code with keywords to evaluate")
    precision = store.precision_counts(project, coder_id, ids)
    recall = store.recall_counts(project, coder_id, ids)
    scores = [
        CodeScore(code.id, code.path, *precision.get(code.id, (0, 0)), *recall.get(code.id, (0, 0)))
        for code in all_codes(project)
        if code.id in precision or code.id in recall
    ]
    overall = CodeScore(
        None,
        "all codes",
        sum(s.suggestions for s in scores),
        sum(s.true_positives for s in scores),
        sum(s.codings for s in scores),
        sum(s.recalled for s in scores),
    )
    return Evaluation(coder_id, scores, overall)
