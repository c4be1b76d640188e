"""Sentence splitting, shared by import, search and suggestions.

The pipeline is ``spacy.blank("en")`` with the rule-based sentencizer and nothing
else, so it needs no model download and runs the same on every machine. A
sentence never crosses a blank line: each paragraph is split on its own. Spans
are half-open code-point offsets into the text given, with surrounding
whitespace left out; whitespace-only stretches make no sentence.

The sentences are the ones the pipeline's ``Doc.sents`` gives, computed without
running it: spaCy's tokenizer makes the tokens, and the sentencizer's rule is
applied to their arrays (:func:`_sentence_starts`), so no Python object is made
for each token. Many paragraphs are tokenized as one text (see :func:`_split`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from spacy.language import Language

PARAGRAPH_BREAK = re.compile(r"\n[ \t\f\v]*\n\s*")
BATCH_CHARS = 1_000_000  # paragraphs split together, as arrays, in batches of about this many characters
TOKENIZE_CHARS = 2_000  # ... and tokenized together in texts of about this many characters
JOIN = "\n\n"  # between paragraphs tokenized together: whitespace that no tokenizer special case holds

Span = tuple[int, int]


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline: a blank English tokenizer plus the sentencizer."""
    import spacy  # imported on first use: loading spaCy takes longer than most commands

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def prepare_sentences() -> None:
    """Load everything sentence splitting needs, e.g. before forking processes that will split."""
    _punct_ids()


def paragraph_spans(text: str) -> list[Span]:
    """The stretches of ``text`` between blank lines (whitespace at their edges included)."""
    spans: list[Span] = []
    start = 0
    for brk in PARAGRAPH_BREAK.finditer(text):
        spans.append((start, brk.start()))
        start = brk.end()
    spans.append((start, len(text)))
    return spans


def sentence_spans(text: str) -> list[Span]:
    """Sentence spans of one text."""
    return sentence_spans_within(text, [(0, len(text))])


def sentence_spans_within(text: str, ranges: Iterable[tuple[int, int]]) -> list[Span]:
    """Sentence spans of ``text[start:end]`` for each range, each split on its own, as offsets into ``text``.

    The ranges must be in order and not overlap (a transcript's turns); the spans come in text order.
    """
    spans: list[Span] = []
    for pieces, bases, _ in _batches(_pieces_within(text, ranges), whole_owners=False):
        _, starts, ends = _split(pieces, bases)
        spans.extend(zip(starts.tolist(), ends.tolist(), strict=True))
    return spans


def sentence_spans_many(texts: Iterable[str]) -> Iterator[list[Span]]:
    """Sentence spans of each text, in order (an empty list for a blank text); the texts are consumed
    lazily, a batch at a time."""
    import numpy as np

    done = 0  # texts yielded so far
    pending = 0  # texts read so far
    for pieces, bases, owners in _batches(_pieces_of(texts), whole_owners=True):
        paragraph, starts, ends = _split(pieces, bases)
        text_of = np.asarray(owners, dtype=np.int64)[paragraph]
        pending = owners[-1] + 1
        bounds = np.searchsorted(text_of, np.arange(done, pending + 1)).tolist()
        starts_list, ends_list = starts.tolist(), ends.tolist()
        for low, high in pairwise(bounds):
            yield list(zip(starts_list[low:high], ends_list[low:high], strict=True))
        done = pending


def _pieces_within(text: str, ranges: Iterable[tuple[int, int]]) -> Iterator[tuple[str, int, int]]:
    for start, end in ranges:
        yield from _paragraph_pieces(text, start, end, 0)


def _pieces_of(texts: Iterable[str]) -> Iterator[tuple[str, int, int]]:
    for number, text in enumerate(texts):
        yield from _paragraph_pieces(text, 0, len(text), number)
        yield "", 0, number  # marks the end of a text, so that blank texts are counted too


def _paragraph_pieces(text: str, start: int, end: int, owner: int) -> list[tuple[str, int, int]]:
    """(paragraph stripped of whitespace at its edges, its offset in ``text``, owner) of each non-blank
    paragraph of ``text[start:end]``."""
    bounds = [start]
    for brk in PARAGRAPH_BREAK.finditer(text, start, end):
        bounds += brk.span()
    bounds.append(end)
    pieces = []
    limit = get_nlp().max_length
    for low, high in zip(bounds[::2], bounds[1::2], strict=True):
        piece = text[low:high]
        if len(piece) > limit:
            get_nlp().make_doc(piece)  # raises spaCy's error about the length, as the pipeline did
        stripped = piece.strip()
        if stripped:
            pieces.append((stripped, low + len(piece) - len(piece.lstrip()), owner))
    return pieces


def _batches(
    pieces: Iterator[tuple[str, int, int]], *, whole_owners: bool
) -> Iterator[tuple[list[str], list[int], list[int]]]:
    """The pieces in batches of about :data:`BATCH_CHARS` characters: (paragraphs, offsets, owners).

    An empty piece only marks the end of its owner. With ``whole_owners`` a batch ends only at such a mark,
    and the owners of every batch end with the last owner whose end it reached (for texts with no
    paragraph); without, a batch may end after any paragraph.
    """
    texts: list[str] = []
    bases: list[int] = []
    owners: list[int] = []
    size = 0
    last = -1
    for piece, base, owner in pieces:
        last = owner
        if piece:
            texts.append(piece)
            bases.append(base)
            owners.append(owner)
            size += len(piece)
        if size >= BATCH_CHARS and (not piece or not whole_owners):
            yield texts, bases, [*owners, owner]
            texts, bases, owners, size = [], [], [], 0
    if texts or last >= 0:
        yield texts, bases, [*owners, last]


def _split(pieces: list[str], bases: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sentences of paragraphs (non-empty, stripped): the paragraph number, start and end of each, the
    offsets being ``bases[paragraph]`` plus the offset in the paragraph.

    Paragraphs are tokenized many at a time, joined by :data:`JOIN` into texts of about
    :data:`TOKENIZE_CHARS` characters. spaCy's tokenizer splits text at whitespace before anything else and
    none of its special cases holds a blank line, so each paragraph gets the tokens it gets alone, and
    :data:`JOIN` is a token of its own, which is left out. (Texts are kept short because spaCy stops caching
    a text's words once one of its special cases has been used in it.) Leaving out whitespace at a
    paragraph's edges changes no sentence: it only ever adds whitespace to the first or last sentence, or
    makes a sentence of whitespace alone, which is dropped.
    """
    import numpy as np
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, ORTH

    empty = np.zeros(0, dtype=np.int64)
    if not pieces:
        return empty, empty, empty
    nlp = get_nlp()
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    joined_at = np.cumsum(lengths + len(JOIN)) - (lengths + len(JOIN))  # each paragraph's place when joined
    arrays: list[np.ndarray] = []
    shifts: list[int] = []
    counts: list[int] = []
    first = size = 0
    for number, piece in enumerate(pieces, start=1):
        size += len(piece) + len(JOIN)
        if size >= TOKENIZE_CHARS or number == len(pieces):
            array = nlp.tokenizer(JOIN.join(pieces[first:number])).to_array(
                [ORTH, IS_PUNCT, IS_SPACE, IDX, LENGTH]
            )
            arrays.append(array)
            shifts.append(int(joined_at[first]))
            counts.append(len(array))
            first, size = number, 0
    tokens = np.concatenate(arrays)
    orth = tokens[:, 0]
    is_punct, is_space = tokens[:, 1] != 0, tokens[:, 2] != 0
    position = tokens[:, 3].astype(np.int64) + np.repeat(np.asarray(shifts, dtype=np.int64), counts)
    length = tokens[:, 4].astype(np.int64)
    paragraph = np.searchsorted(joined_at, position, side="right") - 1
    keep = position < joined_at[paragraph] + lengths[paragraph]  # drops the JOIN tokens
    orth, is_punct, is_space = orth[keep], is_punct[keep], is_space[keep]
    position, length, paragraph = position[keep], length[keep], paragraph[keep]
    firsts = np.flatnonzero(np.diff(paragraph, prepend=-1))  # each paragraph's first token
    starts = _sentence_starts(orth, is_punct, paragraph, firsts)
    # A sentence's tokens run to the next sentence's start (paragraphs' first tokens are starts). Stripped,
    # it runs from its first to its last token that is not whitespace; with none, there is no sentence.
    words = np.flatnonzero(~is_space)
    low = np.searchsorted(words, starts)
    high = np.searchsorted(words, np.append(starts[1:], len(orth))) - 1
    real = low <= high
    first_word, last_word = words[low[real]], words[high[real]]
    shift = np.asarray(bases, dtype=np.int64) - joined_at
    owner = paragraph[first_word]
    start = position[first_word] + shift[owner]
    end = position[last_word] + length[last_word] + shift[owner]
    return owner, start, end


@lru_cache(maxsize=1)
def _punct_ids() -> np.ndarray:
    """The sorted ORTH ids of the sentencizer's sentence-final characters."""
    import numpy as np

    nlp = get_nlp()
    chars = nlp.get_pipe("sentencizer").punct_chars  # type: ignore[attr-defined]  # a Sentencizer
    return np.unique(np.array([nlp.vocab.strings.add(char) for char in chars], dtype=np.uint64))


def _sentence_starts(orth: Any, is_punct: Any, paragraph: Any, firsts: Any) -> np.ndarray:
    """Token indices that start a sentence, by spaCy's sentencizer rule, over many paragraphs' tokens.

    The rule (``Sentencizer.predict``, applied to each paragraph's Doc): the first token starts a sentence;
    after a token whose text is one of the sentence-final characters, the next token that is neither
    punctuation nor such a character starts one. So a token that is neither starts a sentence when a
    sentence-final token lies between it and the previous such token of its paragraph (or the paragraph's
    start). ``paragraph`` numbers each token's paragraph (0, 1, ... with none left out) and ``firsts`` holds
    each paragraph's first token.
    """
    import numpy as np

    ids = _punct_ids()
    at = np.minimum(np.searchsorted(ids, orth), len(ids) - 1)
    final = ids[at] == orth
    words = np.flatnonzero(~(final | is_punct))
    previous = np.empty_like(words)
    previous[:1] = -1
    previous[1:] = words[:-1]
    previous = np.maximum(previous, firsts[paragraph[words]] - 1)
    finals_before = np.concatenate(([0], np.cumsum(final)))  # finals_before[i]: final tokens before token i
    triggered = words[finals_before[words] - finals_before[previous + 1] > 0]
    is_start = np.zeros(len(orth), dtype=bool)
    is_start[firsts] = True
    is_start[triggered] = True
    return np.flatnonzero(is_start)
