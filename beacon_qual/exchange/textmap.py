"""Texts from other tools: decoding, normalising to the stored form, and moving offsets with it.

A project stores text with LF line endings and no byte order mark. Another tool may have
stored a source with CRLF (or CR) line endings and a BOM, and counted its selection
offsets in *its own* units of *that* text. :class:`NormalisedText` keeps the positions,
in those units, that have no code point of their own in the stored text, so any
original offset maps exactly onto the stored text: an offset moves left by the number
of such positions before it. A lone CR becomes LF in place and moves nothing.

REFI-QDA counts "the first codepoint in the file" as 0, so by its letter a BOM and both
halves of a CRLF count, in code points. Real tools differ: NVivo for Windows counts
UTF-16 code units (a character outside the Basic Multilingual Plane counts 2) and not
the BOM; others count a CRLF once. :func:`choose_reading` reads a source's selections
under every reading that makes a difference for its text (code points or UTF-16 units,
BOM counted or not, CRLF as one or two) and takes the one under which they start and end
on word and sentence boundaries; when no reading is clearly better, the selections whose
place depends on the reading are marked doubtful, to be flagged for review.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from beacon_qual.errors import BeaconError

if TYPE_CHECKING:
    import numpy as np

BOM = "\ufeff"
_SPACE = re.compile(r"\s+")
_NAME_TAIL = re.compile(r"(\u2026|\.\.\.)\s*$")
_EVENTS = re.compile("\r\n|[\U00010000-\U0010ffff]")
MIN_NAME_LENGTH = 4

Span = tuple[int | None, int | None, str | None]  # (start, end, name) of a selection, as the file gives them


@dataclass(frozen=True)
class NormalisedText:
    """The stored form of a text and the way back from the original's offsets."""

    text: str
    original_length: int  # in the units the original's offsets count
    removed: tuple[int, ...]  # original offsets of units with no code point of their own, ascending

    def offset(self, original: int) -> int:
        """Where an offset into the original text falls in the stored text."""
        return original - bisect.bisect_left(self.removed, original)


@dataclass(frozen=True)
class Reading:
    """One way another tool may have counted positions in a text it stored."""

    utf16: bool  # UTF-16 code units rather than code points
    bom_counted: bool
    crlf_counted_twice: bool

    def describe(self, raw: str) -> str:
        """How a report names this reading for ``raw``: only what makes a difference for that text."""
        has_bom, has_crlf, _ = features(raw)
        parts = ["UTF-16 code units" if self.utf16 else "code points"]
        if has_bom:
            parts.append("BOM counted" if self.bom_counted else "BOM not counted")
        if has_crlf:
            parts.append("CRLF as two" if self.crlf_counted_twice else "CRLF as one")
        return ", ".join(parts)


AS_STORED = Reading(utf16=False, bom_counted=True, crlf_counted_twice=True)  # the letter of REFI-QDA
NVIVO_WINDOWS = Reading(utf16=True, bom_counted=False, crlf_counted_twice=True)
# In order of preference when two readings place every selection alike or fit equally well.
READINGS = (
    AS_STORED,
    NVIVO_WINDOWS,
    Reading(False, False, True),
    Reading(False, True, False),
    Reading(False, False, False),
    Reading(True, True, True),
    Reading(True, True, False),
    Reading(True, False, False),
)


def normalise(original: str) -> NormalisedText:
    """Drop a leading BOM and the CR of each CRLF, turn a lone CR into LF (offsets in code points)."""
    return read_as(original, AS_STORED)


def features(raw: str) -> tuple[bool, bool, bool]:
    """(has a BOM, has CRLF, has characters outside the Basic Multilingual Plane)."""
    return raw.startswith(BOM), "\r\n" in raw, _ASTRAL.search(raw) is not None


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def stored_form(raw: str) -> str:
    """The text as a project stores it: no leading BOM, LF line endings."""
    text = raw[1:] if raw.startswith(BOM) else raw
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_as(
    raw: str, reading: Reading, stored: str | None = None, events: Events | None = None
) -> NormalisedText:
    """The stored form of ``raw`` (the decoded file, BOM included), for offsets counted the ``reading`` way.

    ``stored`` (:func:`stored_form` of ``raw``) and ``events`` (:func:`find_events` of it) may be given when
    one text is read several ways.
    """
    import numpy as np

    positions, crlf = find_events(raw) if events is None else events
    # Each event's change to the count of units: a CRLF counted once loses its CR, a character outside the
    # BMP counted in UTF-16 has a second unit. Its own place in units is its code point position plus the
    # changes before it (and -1 for a BOM not counted).
    change = np.where(crlf, -1 if not reading.crlf_counted_twice else 0, 1 if reading.utf16 else 0)
    before = np.cumsum(change) - change
    bom = raw.startswith(BOM)
    units = positions + before - (1 if bom and not reading.bom_counted else 0)
    # Units with no code point of their own when stored: a counted CR of a CRLF; the first unit of a
    # surrogate pair (so that an offset between the two units falls before the character).
    extra = units[crlf] if reading.crlf_counted_twice else units[:0]
    if reading.utf16:
        extra = np.sort(np.concatenate([extra, units[~crlf]]))
    removed = ([0] if bom and reading.bom_counted else []) + extra.tolist()
    length = len(raw) + int(change.sum()) - (1 if bom and not reading.bom_counted else 0)
    text = stored_form(raw) if stored is None else stored
    return NormalisedText(text, length, tuple(removed))


Events = tuple[
    "np.ndarray", "np.ndarray"
]  # code point positions of CRLFs and astral characters; which are CRLFs


def find_events(raw: str) -> Events:
    """Where ``raw`` holds a CRLF or a character outside the Basic Multilingual Plane, in order."""
    import numpy as np

    found = [(m.start(), m.end() - m.start() == 2) for m in _EVENTS.finditer(raw)]
    positions = np.fromiter((p for p, _ in found), dtype=np.int64, count=len(found))
    crlf = np.fromiter((c for _, c in found), dtype=bool, count=len(found))
    return positions, crlf


def candidate_readings(raw: str) -> list[Reading]:
    """The readings that differ for this text (just one when it has no BOM, no CRLF and no astral character)."""
    has_bom, has_crlf, has_astral = features(raw)
    return [
        r
        for r in READINGS
        if (has_bom or r.bom_counted) and (has_crlf or r.crlf_counted_twice) and (has_astral or not r.utf16)
    ]


@dataclass
class Boundaries:
    """Where, in a stored text, sentences (and speaker turns) start and end."""

    starts: set[int] = field(default_factory=set)
    ends: set[int] = field(default_factory=set)


@dataclass
class ReadingChoice:
    """The reading chosen for one source's selections, and how well they fitted it."""

    normalised: NormalisedText
    reading: Reading
    description: str
    selections: int  # selections with whole-number positions
    on_words: int  # ... starting and ending on word boundaries under the reading
    on_sentences: int  # ... on sentence (or turn) boundaries
    named: int  # ... whose names are the start of their passage
    clear: bool  # one reading fitted clearly better, or every reading places them alike
    doubtful: set[int] = field(default_factory=set)  # indexes of selections whose place depends on it
    runner_up: tuple[str, int] | None = None  # the closest other reading and its count on word boundaries
    alike: bool = False  # several readings differ for this text, but all place these selections alike


def choose_reading(
    raw: str,
    spans: Sequence[Span],
    boundaries: Callable[[str], Boundaries] | None = None,
    *,
    only: Reading | None = None,
) -> ReadingChoice:
    """The reading of ``raw`` under which the selections ``spans`` fit best, and how clearly.

    A selection fits a reading when it starts at the start of a word and ends at the end of one (or after a
    line break); more so when it starts and ends a sentence; and when its name is the start of its passage
    (which many tools write). Readings that place every selection alike are one; among the rest one must
    put most selections on word boundaries and score clearly more than the next (by a tenth of the
    selections, at least one), or the selections placed differently by the close readings are doubtful.
    ``boundaries`` gives the sentence boundaries of the stored text; it is called only when needed.
    ``only`` is the one reading to use, for a file whose tool is known to count that way.
    """
    stored = stored_form(raw)
    considered = [(i, s, e, name) for i, (s, e, name) in enumerate(spans) if s is not None and e is not None]
    groups: list[tuple[Reading, NormalisedText, tuple[tuple[int, int] | None, ...]]] = []
    seen: set[tuple] = set()
    candidates = [only] if only is not None else candidate_readings(raw)
    events = find_events(raw)
    for reading in candidates:
        normalised = read_as(raw, reading, stored, events)
        placed = tuple(_place(normalised, s, e) for _, s, e, _ in considered)
        if placed not in seen:
            seen.add(placed)
            groups.append((reading, normalised, placed))
    bounds = boundaries(stored) if boundaries is not None and considered else Boundaries()
    scored = []
    for order, (reading, normalised, placed) in enumerate(groups):
        words = sum(
            1 for p in placed if p is not None and _word_start(stored, p[0]) and _word_end(stored, p[1])
        )
        sentences = sum(
            1
            for p in placed
            if p is not None and p[0] in bounds.starts and _sentence_end(stored, p[1], bounds)
        )
        named = sum(
            1
            for p, (_, _, _, name) in zip(placed, considered, strict=True)
            if p is not None and _name_fits(stored, p, name)
        )
        scored.append(
            (words + sentences + named, -order, words, sentences, named, reading, normalised, placed)
        )
    scored.sort(key=lambda row: row[:2], reverse=True)
    score, _, words, sentences, named, reading, normalised, placed = scored[0]
    n = len(considered)
    choice = ReadingChoice(normalised, reading, reading.describe(raw), n, words, sentences, named, True)
    if len(scored) == 1:
        choice.alike = len(candidates) > 1
        return choice
    margin = max(1, n // 10)
    second = scored[1]
    choice.runner_up = (second[5].describe(raw), second[2])
    if 2 * words > n and score - second[0] >= margin:
        return choice
    choice.clear = False
    contenders = scored if 2 * words <= n else [row for row in scored if row[0] > score - margin]
    for k, (index, *_rest) in enumerate(considered):
        if len({row[7][k] for row in contenders}) > 1:
            choice.doubtful.add(index)
    return choice


def _place(normalised: NormalisedText, start: int, end: int) -> tuple[int, int] | None:
    if not 0 <= start < end <= normalised.original_length:
        return None
    return normalised.offset(start), normalised.offset(end)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _word_start(text: str, i: int) -> bool:
    """A selection starting here starts at a word (or a mark before one), not inside one or on a space."""
    return i < len(text) and not text[i].isspace() and (i == 0 or not _is_word(text[i - 1]))


def _word_end(text: str, j: int) -> bool:
    """A selection ending here ends after a word (or a mark), not inside one; or after a line break."""
    if j <= 0:
        return False
    last = text[j - 1]
    if last == "\n":
        return j == len(text) or not text[j].isspace()
    return not last.isspace() and (j == len(text) or not _is_word(text[j]))


def _sentence_end(text: str, j: int, bounds: Boundaries) -> bool:
    if j in bounds.ends:
        return True
    k = j
    while k > 0 and text[k - 1] == "\n":
        k -= 1
    return k != j and k in bounds.ends


def _name_fits(text: str, placed: tuple[int, int], name: str | None) -> bool:
    if not name:
        return False
    wanted = _SPACE.sub(" ", _NAME_TAIL.sub("", name)).strip()
    if len(wanted) < MIN_NAME_LENGTH:
        return False
    return _SPACE.sub(" ", text[placed[0] : placed[1]]).strip().startswith(wanted)


def decode_source(data: bytes, label: str) -> tuple[str, str]:
    """(text, encoding) of a text file another tool stored; the BOM stays in the text.

    REFI-QDA asks for UTF-8; UTF-16 with a BOM is accepted too. Anything else is refused.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        try:
            return BOM + data[2:].decode(encoding), "utf-16"
        except UnicodeDecodeError:
            raise BeaconError(f"{label} starts like UTF-16 text but is not valid UTF-16") from None
    if b"\x00" in data:
        raise BeaconError(f"{label} is a binary file, not UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BeaconError(
            f"{label} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start})"
        ) from None
    return text, "utf-8-sig" if text.startswith(BOM) else "utf-8"
