"""Deciding whether bytes that are not UTF-8 may be read as Windows-1252, and decoding a named encoding.

Text without a byte-order mark that fails strict UTF-8 is read as Windows-1252 only
when nothing suggests it is something else:

1. Damaged UTF-8. If the bytes hold at least as many well-formed multi-byte UTF-8
   sequences as bytes that are not UTF-8, the file is UTF-8 with a few damaged bytes
   (an English Windows-1252 file almost never puts a continuation byte right after a
   lead byte, so it has few such sequences and many lone high bytes). It is refused,
   naming the first bad byte, its offset and line.
2. Another code page. The text read as Windows-1252 is split into words (letters and
   the high-range characters of Windows-1252, broken by spaces, digits, ASCII
   punctuation, quotes, dashes and the like). A word is *foreign* when

   - a character that is a letter in ISO-8859-2 or Windows-1250 but a symbol or a
     rare letter in Windows-1252 (``£ ¥ ¦ ª ¬ ¯ ± ³ ¶ ¹ º ¼ ¾ Ÿ``; ``© ®`` only
     inside a word, as they also mark brands; ``¡ ¿`` only after a letter, as Spanish
     puts them before a word) touches one of its letters: ``£ód¼`` is Łódź, ``by³``
     is był, ``mo¿e`` is może;
   - it holds three high-range characters in a row: Cyrillic (Windows-1251) and
     Greek read as Windows-1252 are whole words of them (``Ïðèâåò``), Western words
     have at most two (``Größe``);
   - it holds UTF-8 read as Windows-1252 (``Ã©``, ``Â£``, ``â€``).

   The text is refused when at least one word is foreign and foreign words are at
   least a fifth of the words that hold any high-range character. English with
   ``£ € “ ” – é`` has no foreign words: currency signs stand before digits, quotes
   and dashes break words, accented letters are letters. Nor are the symbols UK
   council spreadsheets put next to letters: amounts in ``£m``, ``£k``, ``£bn``,
   ``£000s`` column titles, ``Nº`` for number, and units such as ``m³`` or ``km³``.

A refused file can still be read deliberately with a named encoding (``--encoding``).
Text decoded in a named encoding is refused when it holds control characters (other
than tab, line and page breaks) or replacement characters: the bytes were not text in
that encoding (Windows-1252 read as ISO-8859-1 shows its curly quotes as C1 controls).
"""

from __future__ import annotations

import codecs
import re

from beacon_qual.errors import BeaconError

ENCODING_HINT = "if it is in another encoding, pass --encoding"
FOREIGN_SHARE = 5  # refuse when foreign words * FOREIGN_SHARE >= words with high-range characters

_HIGH = bytes(range(0x80, 0x100)).decode("cp1252", errors="ignore")
_CONTINUATION = bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")
# Word breakers among the high-range characters: quotes, dashes, ellipsis, bullets, spaces, accents used as apostrophes.
_TYPOGRAPHIC = "‘’‚“”„‹›«»–—…•·\u00a0\u00ad´`¨¸"
_WORD = re.compile("[A-Za-z" + re.escape("".join(c for c in _HIGH if c not in _TYPOGRAPHIC)) + "]+")
# Letters of ISO-8859-2 or Windows-1250 that Windows-1252 shows as symbols.
_CENTRAL_EUROPEAN = set("£¥¦ª¬¯±³¶¹º¼¾Ÿ")
_EDGE_MARKS = set("©®")  # Š Ž in ISO-8859-2, but usually a brand's mark before or after a word
_INVERTED = set("¡¿")  # Ą ż in ISO-8859-2, but Spanish opens a question or exclamation with them
# Western uses of those symbols next to letters: money in millions, thousands or billions, the number
# sign, cubic units. Such a word is not evidence of another code page.
_WESTERN_SYMBOL_WORDS = re.compile(
    r"£(?:[kmb]|mn|bn|million|billion|thousand|pa)|[Nn]º|(?:mm|cm|dm|m|km|in|ft|yd)³", re.IGNORECASE
)
_RUN = re.compile(r"[^\x00-\x7f]{3}")
# Controls other than tab, line feed, vertical tab, form feed and carriage return; C1 controls; U+FFFD.
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_MOJIBAKE = re.compile("[ÂÃ][" + re.escape(_CONTINUATION) + "]|â€")
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def text_encoding(name: str) -> str:
    """The codec name Python uses for ``name`` ('latin2' -> 'iso8859-2'), refusing unknown and non-text codecs."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise BeaconError(
            f"unknown encoding {name!r}; use e.g. utf-8, cp1252, iso-8859-2, cp1250 or cp1251"
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise BeaconError(
            f"{name!r} is not a text encoding; use e.g. utf-8, cp1252, iso-8859-2, cp1250 or cp1251"
        )
    return info.name


def decode_as(data: bytes, encoding: str, label: str) -> str:
    """Strictly decode ``data`` in a named encoding (a leading byte-order mark is dropped)."""
    codec = text_encoding(encoding)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise BeaconError(
            f"{label} is not {encoding} text: byte 0x{data[exc.start]:02X} at offset {exc.start} "
            f"(line {_line(data, exc.start)}) cannot be read as {encoding}"
        ) from None
    text = text.removeprefix("\ufeff")
    bad = _NOT_TEXT.search(text)
    if bad is not None:
        what = "a replacement character" if bad.group() == "\ufffd" else "a control character"
        raise BeaconError(
            f"{label} read as {encoding} holds {what} (U+{ord(bad.group()):04X} at line "
            f"{text.count(chr(10), 0, bad.start()) + 1}), so it is not {encoding} text; name its real encoding"
        )
    return text


def decode_windows_1252(data: bytes, label: str, *, base: int = 0) -> str:
    """Decode bytes that failed strict UTF-8 as Windows-1252, unless they look like damaged UTF-8 or another code page.

    ``base`` is the number of bytes before ``data`` in the file (a byte-order mark), so offsets name the file's bytes.
    """
    _refuse_damaged_utf8(data, label, base)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise BeaconError(
            f"{label} is not UTF-8 or Windows-1252 text (byte 0x{data[exc.start]:02X} at offset {base + exc.start} "
            f"cannot be read as Windows-1252); save it as UTF-8, or {ENCODING_HINT}"
        ) from None
    evidence = foreign_evidence(text)
    if evidence is not None:
        word, position = evidence
        raise BeaconError(
            f"{label} does not look like UTF-8 or Windows-1252 text (read as Windows-1252 it shows {word!r} at line "
            f"{text.count(chr(10), 0, position) + 1}, typical of another code page); save it as UTF-8, or "
            f"{ENCODING_HINT} (e.g. --encoding iso-8859-2, cp1250 or cp1251)"
        )
    return text


def foreign_evidence(text: str) -> tuple[str, int] | None:
    """The first foreign word and its position if the text looks like another code page read as Windows-1252."""
    foreign: list[tuple[str, int]] = []
    accented = 0
    for match in _WORD.finditer(text):
        word = match.group()
        if word.isascii() or not any(c.isalpha() for c in word):
            continue
        accented += 1
        if _is_foreign(word):
            foreign.append((word, match.start()))
    if foreign and len(foreign) * FOREIGN_SHARE >= accented:
        return foreign[0]
    return None


def _is_foreign(word: str) -> bool:
    if _RUN.search(word) or _MOJIBAKE.search(word):
        return True
    if _WESTERN_SYMBOL_WORDS.fullmatch(word):
        return False
    last = len(word) - 1
    for i, char in enumerate(word):
        after_letter = i > 0 and word[i - 1].isalpha()
        before_letter = i < last and word[i + 1].isalpha()
        if (
            (char in _CENTRAL_EUROPEAN and (after_letter or before_letter))
            or (char in _EDGE_MARKS and after_letter and before_letter)
            or (char in _INVERTED and after_letter)
        ):
            return True
    return False


def _refuse_damaged_utf8(data: bytes, label: str, base: int) -> None:
    sequences = len(_UTF8_SEQUENCE.findall(data))
    if not sequences:
        return
    invalid = data.decode("utf-8", errors="surrogateescape")
    bad_bytes = sum(1 for c in invalid if "\udc80" <= c <= "\udcff")
    if sequences < bad_bytes:
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start
        raise BeaconError(
            f"{label} is not valid UTF-8: byte 0x{data[offset]:02X} at offset {base + offset} (line "
            f"{_line(data, offset)}) — it looks like UTF-8 with damaged bytes; fix or re-save the file as UTF-8, "
            f"or {ENCODING_HINT}"
        ) from None


def _line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
