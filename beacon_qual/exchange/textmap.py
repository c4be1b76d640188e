"""Texts from other tools: decoding, normalising to the stored form, and moving offsets with it.

A project stores text with LF line endings and no byte order mark. Another tool may have
stored a source with CRLF (or CR) line endings and a BOM, and counted its selection
offsets in code points of *that* text. :class:`NormalisedText` keeps the list of code
points the normalisation removed, so any original offset maps exactly onto the stored
text: an offset moves left by the number of removed code points before it. A lone CR
becomes LF in place and moves nothing.

REFI-QDA counts "the first codepoint in the file" as 0, so by default a BOM and both
halves of a CRLF count. Tools differ, so :func:`choose_reading` can pick another
reading (BOM not counted, CRLF counted once) when the selections' names, which many
tools fill with the start of the quoted text, agree with it clearly better.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import BeaconError

BOM = "\ufeff"
_SPACE = re.compile(r"\s+")
_NAME_TAIL = re.compile(r"(\u2026|\.\.\.)\s*$")
MIN_NAME_LENGTH = 4


@dataclass(frozen=True)
class NormalisedText:
    """The stored form of a text and the way back from the original's offsets."""

    text: str
    original_length: int
    removed: tuple[int, ...]  # original offsets of removed code points, ascending

    def offset(self, original: int) -> int:
        """Where an offset into the original text falls in the stored text."""
        return original - bisect.bisect_left(self.removed, original)


@dataclass(frozen=True)
class Reading:
    """One way another tool may have counted code points in a text it stored."""

    name: str
    bom_counted: bool
    crlf_counted_twice: bool


AS_STORED = Reading("as stored (BOM and CRLF counted)", True, True)
READINGS = (
    AS_STORED,
    Reading("without the BOM", False, True),
    Reading("with CRLF counted once", True, False),
    Reading("without the BOM, CRLF counted once", False, False),
)


def normalise(original: str) -> NormalisedText:
    """Drop a leading BOM and the CR of each CRLF, turn a lone CR into LF."""
    removed: list[int] = []
    out: list[str] = []
    start = 0
    if original.startswith(BOM):
        removed.append(0)
        start = 1
    length = len(original)
    i = start
    while i < length:
        cr = original.find("\r", i)
        if cr < 0:
            out.append(original[i:])
            break
        out.append(original[i:cr])
        if cr + 1 < length and original[cr + 1] == "\n":
            removed.append(cr)
        else:
            out.append("\n")
        i = cr + 1
    return NormalisedText("".join(out), length, tuple(removed))


def read_as(raw: str, reading: Reading) -> NormalisedText:
    """Normalise ``raw`` (the decoded file, BOM included) for offsets counted the ``reading`` way."""
    original = raw
    if not reading.bom_counted and original.startswith(BOM):
        original = original[1:]
    if not reading.crlf_counted_twice:
        original = original.replace("\r\n", "\n")
    return normalise(original)


def candidate_readings(raw: str) -> list[Reading]:
    """The readings that differ for this text (just one when it has no BOM and no CRLF)."""
    has_bom = raw.startswith(BOM)
    has_crlf = "\r\n" in raw
    return [r for r in READINGS if (has_bom or r.bom_counted) and (has_crlf or r.crlf_counted_twice)]


def choose_reading(raw: str, spans: Iterable[tuple[int, int, str | None]]) -> tuple[NormalisedText, Reading]:
    """The normalised text under the reading the selections (start, end, name) fit best.

    The REFI-QDA reading wins unless another one matches strictly more selection names.
    """
    spans = list(spans)
    best_reading = AS_STORED
    best = read_as(raw, AS_STORED)
    candidates = candidate_readings(raw)
    if len(candidates) == 1:
        return best, best_reading
    best_score = name_matches(best, spans)
    for reading in candidates[1:]:
        normalised = read_as(raw, reading)
        score = name_matches(normalised, spans)
        if score > best_score:
            best, best_reading, best_score = normalised, reading, score
    return best, best_reading


def name_matches(normalised: NormalisedText, spans: list[tuple[int, int, str | None]]) -> int:
    """How many selections' names are the start of the passage they select."""
    count = 0
    for start, end, name in spans:
        if not name or not (0 <= start < end <= normalised.original_length):
            continue
        wanted = _SPACE.sub(" ", _NAME_TAIL.sub("", name)).strip()
        if len(wanted) < MIN_NAME_LENGTH:
            continue
        passage = normalised.text[normalised.offset(start) : normalised.offset(end)]
        if _SPACE.sub(" ", passage).strip().startswith(wanted):
            count += 1
    return count


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
