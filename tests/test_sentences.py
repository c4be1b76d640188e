"""Sentence splitting gives the sentences spaCy's pipeline gives (the sentencizer and ``Doc.sents``), which
is how it split them before it applied the sentencizer's rule to token arrays itself."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beacon_qual.ingest.importer import read_transcript
from beacon_qual.text import sentences as nlp

EXAMPLES = Path(__file__).resolve().parents[1] / "transcripts_example"


def pipeline_spans(texts: Iterable[str]) -> Iterator[list[tuple[int, int]]]:
    """The sentences as spaCy's pipeline makes them: each paragraph through nlp.pipe, then Doc.sents,
    each sentence stripped of whitespace, whitespace-only ones dropped."""

    def paragraphs() -> Iterator[tuple[str, int | None]]:
        for text in texts:
            for start, end in nlp.paragraph_spans(text):
                if text[start:end].strip():
                    yield text[start:end], start
            yield "", None

    spans: list[tuple[int, int]] = []
    for doc, offset in nlp.get_nlp().pipe(paragraphs(), as_tuples=True):
        if offset is None:
            yield spans
            spans = []
            continue
        for sent in doc.sents:
            chunk = doc.text[sent.start_char : sent.end_char]
            if chunk.strip():
                start = offset + sent.start_char + len(chunk) - len(chunk.lstrip())
                spans.append((start, start + len(chunk.strip())))


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".md", ".docx"))


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_example_transcripts_split_as_the_pipeline_splits_them(path: Path):
    parsed = read_transcript(path)
    ranges = [(turn.text_start, turn.end) for turn in parsed.turns]
    per_turn = pipeline_spans(parsed.text[start:end] for start, end in ranges)
    expected = [(a + s, a + e) for (a, _), spans in zip(ranges, per_turn, strict=True) for s, e in spans]
    assert len(expected) > 10
    assert parsed.sentences == expected
    assert nlp.sentence_spans(parsed.text) == next(pipeline_spans([parsed.text]))


TRICKY = [
    "",
    "   \n\n  \t ",
    "One. Two? Three! Four",
    "  Leading space. And a second.  \n",
    'He said "stop." Then he left.',
    "Mr. Smith met Dr. Jones at 3.30 p.m. on the U.S. visit, e.g. the one in Leeds.",
    "It was...  well. Hmm?! Yes.\nNext line.\u00a0Then\u2028more.",
    "Ends with a. Next sentence (in brackets.) And [this!] one.",
    "日本語の文です。二つ目の文！三つ目？",
    "Para one. Still one.\n\nPara two.\n \t\nPara three!",
    "Q: What?\nA: This.\n\n\n   Indented paragraph. Two.",
    "...\n\n!!!\n\n. . .",
    ":) Well :-) yes. (Really.) 'Quoted.' \"Double.\"",
]


def test_tricky_texts_split_as_the_pipeline_splits_them():
    assert list(nlp.sentence_spans_many(TRICKY)) == list(pipeline_spans(TRICKY))
    for text in TRICKY:
        assert nlp.sentence_spans(text) == next(pipeline_spans([text]))


def test_small_batches_and_tokenizer_texts_change_nothing(monkeypatch: pytest.MonkeyPatch):
    texts = TRICKY * 3
    expected = list(pipeline_spans(texts))
    monkeypatch.setattr(nlp, "BATCH_CHARS", 20)
    monkeypatch.setattr(nlp, "TOKENIZE_CHARS", 7)
    assert list(nlp.sentence_spans_many(texts)) == expected
    text = "\n\n".join(TRICKY)
    ranges = [(0, 40), (45, 200), (230, len(text))]
    within = [
        (a + s, a + e)
        for (a, b), spans in zip(ranges, pipeline_spans(text[a:b] for a, b in ranges))
        for s, e in spans
    ]
    assert nlp.sentence_spans_within(text, ranges) == within


PIECES = st.sampled_from(
    [
        *"abXY .!?;,'\"()-\n\t",
        "\n\n",
        " \n \n",
        "...",
        "e.g.",
        "Mr.",
        "U.S.",
        "3.5",
        "don't",
        ":)",
        "\u00a0",
        "。",
        "‼",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(PIECES, max_size=40).map("".join), max_size=6))
def test_random_texts_split_as_the_pipeline_splits_them(texts: list[str]):
    assert list(nlp.sentence_spans_many(texts)) == list(pipeline_spans(texts))
