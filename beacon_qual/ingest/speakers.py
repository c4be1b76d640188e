"""Speaker turns in transcript text.

Each recognised style of speaker label is a regular expression anchored at the
start of a line. A file's dominant style is the one that matches the most label
lines (ties go to the more specific style, earlier in :data:`STYLES`), and only
labels in that style start turns, so an ordinary sentence with a colon ("The aim
was simple: copy them.") never becomes a turn. Loose styles (capitals, plain
names, Otter headers) need at least two label lines, and plain names only count
when the same name labels two or more lines.

A turn's span runs from the start of its label to the end of its text (trailing
whitespace left out); its ``text_start`` is where the words after the label begin.
Text before the first label is a turn with no speaker.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
AFTER_COLON = r":(?:[ \t]+|(?=\n)|$)"
UPPER = "A-ZÀ-ÖØ-Þ"
CAPS_WORD = rf"[{UPPER}][{UPPER}'’.\-]*"
NAME_WORD = rf"[{UPPER}][\w'’.\-]*"
ROLES = r"Interviewer|Interviewee|Respondent|Participant|Researcher|Facilitator|Moderator|Speaker"


@dataclass(frozen=True)
class Style:
    name: str
    pattern: re.Pattern[str]
    min_labels: int = 1
    repeated_names_only: bool = False


STYLES: tuple[Style, ...] = (
    Style(
        "timestamp",
        re.compile(
            rf"^[ \t]*(?P<label>[\[(]{TIME}(?:[.,]\d+)?[\])][ \t]*(?P<speaker>[^:\n\[\]()]{{1,60}}?)[ \t]*)"
            + AFTER_COLON,
            re.MULTILINE,
        ),
    ),
    Style(
        "bold",
        re.compile(
            r"^[ \t]*(?P<label>\*\*(?P<speaker>[^*:\n]{1,60}?)(?:\*\*[ \t]*:|:\*\*))(?:[ \t]+|(?=\n)|$)",
            re.MULTILINE,
        ),
    ),
    Style(
        "role",
        re.compile(
            rf"^[ \t]*(?P<label>(?P<speaker>(?i:{ROLES})(?:[ \t]*\d{{1,3}}|[ \t]+[A-Z]{{1,3}}|[ \t]*\([^)\n]{{1,30}}\))?)"
            rf"[ \t]*){AFTER_COLON}",
            re.MULTILINE,
        ),
    ),
    Style(
        "qa", re.compile(rf"^[ \t]*(?P<label>(?P<speaker>[QA]\d{{0,3}})[ \t]*){AFTER_COLON}", re.MULTILINE)
    ),
    Style(
        "otter",
        re.compile(
            rf"^[ \t]*(?P<label>(?P<speaker>{NAME_WORD}(?:[ \t](?:{NAME_WORD}|\d{{1,5}})){{0,3}})[ \t]+{TIME})[ \t]*\n",
            re.MULTILINE,
        ),
        min_labels=2,
    ),
    Style(
        "caps",
        re.compile(
            rf"^[ \t]*(?P<label>(?P<speaker>(?:{CAPS_WORD}[ \t]){{0,3}}[{UPPER}][{UPPER}'’.\-]+)[ \t]*){AFTER_COLON}",
            re.MULTILINE,
        ),
        min_labels=2,
    ),
    Style(
        "name",
        re.compile(
            rf"^[ \t]*(?P<label>(?P<speaker>{NAME_WORD}(?:[ \t](?:{NAME_WORD}|\d{{1,3}})){{0,3}})[ \t]*){AFTER_COLON}",
            re.MULTILINE,
        ),
        min_labels=2,
        repeated_names_only=True,
    ),
)


@dataclass(frozen=True)
class Turn:
    start: int  # start of the label (or of the text, for a turn without a speaker)
    text_start: int  # where the words after the label begin
    end: int  # end of the turn's text, trailing whitespace excluded
    speaker: str | None


def _after_newline(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` (anchored by ``^`` at a line start) anchored by the newline before the line instead.

    A pattern led by ``^`` is tried at every character of the text; one led by a literal newline lets the
    regular expression engine skip to the next newline in C (about half of a 100-interview import's time in
    these patterns). A label's trailing newline is looked at, not taken, so that the newline can lead the
    next label. The text is searched with a newline put in front of it.
    """
    source = pattern.pattern
    if not source.startswith("^"):
        raise ValueError(f"speaker pattern not anchored at a line start: {source!r}")
    source = "\n" + source[1:]
    if source.endswith(r"[ \t]*\n"):
        source = source[: -len(r"\n")] + r"(?=\n)"
    return re.compile(source, pattern.flags)


_SEARCHED = tuple((style, _after_newline(style.pattern)) for style in STYLES)


def detect_style(text: str) -> tuple[Style | None, list[tuple[int, int, str]]]:
    """The file's dominant label style and its labels (label start, end of the label, speaker as written),
    or (None, []) when none qualifies."""
    searched = "\n" + text
    best: tuple[Style | None, list[re.Match[str]]] = (None, [])
    for style, pattern in _SEARCHED:
        matches = list(pattern.finditer(searched))
        if style.repeated_names_only:
            counts = Counter(m.group("speaker") for m in matches)
            matches = [m for m in matches if counts[m.group("speaker")] >= 2]
        if len(matches) >= style.min_labels and len(matches) > len(best[1]):
            best = (style, matches)
    found, matches = best
    return found, [(m.start("label") - 1, m.end() - 1, m.group("speaker")) for m in matches]


def find_turns(text: str) -> list[Turn]:
    """Speaker turns of ``text`` in its dominant style; the text before the first label is a turn too."""
    _, labels = detect_style(text)
    return turns_from_labels(text, [(start, end, _speaker(speaker)) for start, end, speaker in labels])


def turns_from_labels(text: str, labels: list[tuple[int, int, str | None]]) -> list[Turn]:
    """Turns from (label start, text start, speaker) triples in text order."""
    turns: list[Turn] = []
    first = labels[0][0] if labels else len(text)
    if text[:first].strip():
        turns.append(_turn(text, 0, 0, first, None))
    for index, (start, text_start, speaker) in enumerate(labels):
        limit = labels[index + 1][0] if index + 1 < len(labels) else len(text)
        turns.append(_turn(text, start, text_start, limit, speaker))
    return turns


def _turn(text: str, start: int, text_start: int, limit: int, speaker: str | None) -> Turn:
    end = limit
    while end > start and text[end - 1].isspace():
        end -= 1
    if speaker is None:
        text_start = start
    while text_start < end and text[text_start].isspace():
        text_start += 1
    if speaker is None:
        start = text_start
    return Turn(start, min(text_start, end), end, speaker)


def _speaker(label: str) -> str:
    return " ".join(label.split())


def without_headings(text: str, turns: list[Turn], headings: list[tuple[int, int]]) -> list[Turn]:
    """``turns`` with the spans of section headings taken out: a heading is neither speech nor part of a
    sentence. A turn a heading falls in goes on after it as a turn of the same speaker; what is left of a
    turn that held only headings is dropped."""
    if not headings:
        return turns
    result: list[Turn] = []
    for turn in turns:
        pieces: list[tuple[int, int]] = []
        position = turn.text_start
        for start, end in headings:
            if end <= position or start >= turn.end:
                continue
            pieces.append((position, max(position, start)))
            position = max(position, end)
        pieces.append((position, max(position, turn.end)))
        for index, (start, end) in enumerate(pieces):
            while end > start and text[end - 1].isspace():
                end -= 1
            while start < end and text[start].isspace():
                start += 1
            if start >= end:
                continue
            first = index == 0 and turn.speaker is not None
            result.append(Turn(turn.start if first else start, start, end, turn.speaker))
    return result
