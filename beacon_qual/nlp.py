"""Sentence splitting, shared by import, search and suggestions.

The pipeline is ``spacy.blank("en")`` with the rule-based sentencizer and nothing
else, so it needs no model download and runs the same on every machine. A
sentence never crosses a blank line: each paragraph is split on its own. Spans
are half-open code-point offsets into the text given, with surrounding
whitespace left out; whitespace-only stretches make no sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PARAGRAPH_BREAK = re.compile(r"\n[ \t\f\v]*\n\s*")
BATCH_SIZE = 512

Span = tuple[int, int]


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline: a blank English tokenizer plus the sentencizer."""
    import spacy  # imported on first use: loading spaCy takes longer than most commands

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


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
    return next(sentence_spans_many([text]))


def sentence_spans_many(texts: Iterable[str], *, batch_size: int = BATCH_SIZE) -> Iterator[list[Span]]:
    """Sentence spans of each text, in order.

    The paragraphs of all texts go through one ``nlp.pipe`` stream, so short texts
    (speaker turns) are batched together; the texts are consumed lazily.
    """
    spans: list[Span] = []
    for doc, offset in get_nlp().pipe(_paragraphs(texts), as_tuples=True, batch_size=batch_size):
        if offset is _END:
            yield spans
            spans = []
        else:
            spans.extend(_stripped_sentences(doc, offset))


_END = None


def _paragraphs(texts: Iterable[str]) -> Iterator[tuple[str, int | None]]:
    """Each non-blank paragraph with its offset, then an empty end marker after every text."""
    for text in texts:
        for start, end in paragraph_spans(text):
            piece = text[start:end]
            if piece.strip():
                yield piece, start
        yield "", _END


def _stripped_sentences(doc: Doc, offset: int) -> Iterator[Span]:
    text = doc.text
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        chunk = text[start:end]
        stripped = chunk.strip()
        if not stripped:
            continue
        start += len(chunk) - len(chunk.lstrip())
        yield offset + start, offset + start + len(stripped)
