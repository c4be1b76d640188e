"""Reading transcript files: size and binary checks, encodings, line endings, formats.

Text files are decoded by their byte-order mark (UTF-8, UTF-16 LE or BE) or,
without one, as strict UTF-8 and then strict Windows-1252; Windows-1252 is refused
when the bytes look like damaged UTF-8 or another code page (see
:mod:`beacon_qual.text.encoding`). A named encoding overrides all of this. Line endings (CRLF
and lone CR) become LF and a BOM is dropped; every other character is kept as
written (no Unicode normalisation), so offsets count exactly what is stored.

reStructuredText is read as text; :func:`rst_headings` finds its section titles, which the importer keeps
out of speaker turns and sentences.

Word documents are read paragraph by paragraph (joined by newlines). WebVTT and
SRT subtitles keep each cue's text and drop its timing; ``<v Name>`` voice tags
become speaker turns, written into the text as ``Name: ...``.
"""

from __future__ import annotations

import codecs
import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from beacon_qual.errors import BeaconError
from beacon_qual.text.encoding import decode_as, decode_windows_1252, text_encoding

DEFAULT_MAX_SIZE = 50 * 1024 * 1024
TEXT_FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md", ".rst": "rst"}
SUBTITLE_FORMATS = {".vtt": "vtt", ".srt": "srt"}
FORMATS = {**TEXT_FORMATS, **SUBTITLE_FORMATS, ".docx": "docx"}
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
SNIFF_BYTES = 8192
CONTROL_SHARE = 0.05  # more control characters than this share of a text means binary
SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}


@dataclass
class SourceText:
    """A file's text as it will be stored, and what the reader already knows about speaker turns."""

    text: str
    format: str
    encoding: str | None
    # (label start, text start, speaker) for formats that mark speakers themselves (voice tags)
    voice_labels: list[tuple[int, int, str | None]] = field(default_factory=list)


def parse_size(value: str | int) -> int:
    """Bytes from '50MB', '500k', '1g' or a plain number of bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(value))
    unit = match.group(2).lower() if match else ""
    if not match or unit not in SIZE_UNITS or float(match.group(1)) <= 0:
        raise BeaconError(f"size {value!r} is not understood; use e.g. 50MB, 500KB or a number of bytes")
    return int(float(match.group(1)) * SIZE_UNITS[unit])


def source_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None and path.suffix.lower() in (".qdpx", ".qde"):
        raise BeaconError(
            f"{path} is a REFI-QDA project, not a transcript: bring it in with 'beacon-qual import-qdpx'"
        )
    if fmt is None:
        raise BeaconError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
            f"use {', '.join(sorted(set(FORMATS)))}"
        )
    return fmt


def read_source(path: Path, *, max_size: int = DEFAULT_MAX_SIZE, encoding: str | None = None) -> SourceText:
    """Read one transcript file into normalised text, refusing empty, binary and oversized files.

    ``encoding`` names the encoding of a text file instead of detecting it; Word documents ignore it.
    """
    fmt = source_format(path)
    _check_size(path, max_size)
    if fmt == "docx":
        source = SourceText(_read_docx(path), "docx", None)
    else:
        text, used = decode(path, _read_bytes(path), encoding)
        if fmt in SUBTITLE_FORMATS.values():
            source = _read_subtitles(path, text, fmt, used)
        else:
            source = SourceText(text, fmt, used)
    if not source.text.strip():
        raise BeaconError(f"{path} is empty (no text to import)")
    return source


def _check_size(path: Path, max_size: int) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BeaconError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > max_size:
        raise BeaconError(
            f"{path} is too large ({_megabytes(size)}; the limit is {_megabytes(max_size)}, see --max-size)"
        )
    if size == 0:
        raise BeaconError(f"{path} is empty (0 bytes)")


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:.1f} MB"


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing a binary file after its first few kilobytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
            if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise _binary(path)
            return head + fh.read()
    except OSError as exc:
        raise BeaconError(f"cannot read {path}: {exc.strerror or exc}") from None


def _binary(path: Path) -> BeaconError:
    return BeaconError(
        f"{path} looks like a binary file, not text (it holds NUL or control bytes); "
        "if it is UTF-16 text, save it with a byte-order mark or as UTF-8"
    )


def decode(path: Path, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` (BOM, else strict UTF-8, else checked Windows-1252) and normalise line endings.

    A named ``encoding`` is used as it is, strictly; the name stored is Python's ('iso8859-2').
    """
    if encoding is not None:
        text, encoding = decode_as(data, encoding, str(path)), text_encoding(encoding)
        return _checked_text(path, text), encoding
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = _decode_strict(path, data[len(bom) :], encoding.removesuffix("-sig"))
            break
    else:
        if b"\x00" in data:
            raise _binary(path)
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = decode_windows_1252(data, str(path)), "cp1252"
    return _checked_text(path, text), encoding


def _checked_text(path: Path, text: str) -> str:
    if "\x00" in text or _control_share(text) > CONTROL_SHARE:
        raise _binary(path)
    return normalise_newlines(text)


def _decode_strict(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = encoding.upper()
        raise BeaconError(
            f"{path} is not {name} text (byte 0x{data[exc.start]:02X} at offset {exc.start} "
            f"cannot be read as {name}); save it as UTF-8"
        ) from None


# Control characters other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _control_share(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    return len(_CONTROL.findall(sample)) / len(sample)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- reStructuredText -------------------------------------------------------------------------------

# A section title: its text on one line, underlined (and perhaps overlined with the same character) by a line
# of one punctuation character repeated; or a transition, such a line alone between blank lines.
_ADORNMENT = r"""([=\-`:'"~^_*+#<>.!$%&,;?@|/\\])\{n}{{2,}}[ \t]*"""
_RST_TITLE = re.compile(
    r"^(?:(?P<over>" + _ADORNMENT.format(n=2) + r")\n)?(?P<title>[ \t]*\S[^\n]*)\n"
    r"(?P<under>" + _ADORNMENT.format(n=5) + r")$",
    re.MULTILINE,
)
_RST_TRANSITION = re.compile(r"(?:^|(?<=\n\n))" + _ADORNMENT.format(n=1) + r"(?=\n\n|\n?\Z)")
_ONLY_ADORNMENT = re.compile(_ADORNMENT.format(n=1))


def rst_headings(text: str) -> list[tuple[int, int]]:
    """The spans of a reStructuredText file's section titles (with their adornment lines) and transitions."""
    spans = []
    for match in _RST_TITLE.finditer(text):
        title = match.group("title")
        over = match.group("over")
        if _ONLY_ADORNMENT.fullmatch(title.strip()):
            continue  # two adornment lines: the second is not a title's underline
        if over is not None and over.strip()[0] != match.group("under")[0]:
            continue
        spans.append((match.start(), match.end()))
    spans.extend((m.start(), m.end()) for m in _RST_TRANSITION.finditer(text))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# -- Word -------------------------------------------------------------------------------------------


def _read_docx(path: Path) -> str:
    from beacon_qual.text.safezip import check_office_archive

    check_office_archive(path, str(path), kind="Word (.docx) document")  # before python-docx unpacks it

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError) as exc:
        raise BeaconError(f"{path} is not a readable Word (.docx) document ({exc})") from None
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    return normalise_newlines(text)


# -- subtitles --------------------------------------------------------------------------------------

TIMING = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}")
VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
TURN_SEPARATOR = "\n\n"


def _read_subtitles(path: Path, text: str, fmt: str, encoding: str) -> SourceText:
    if fmt == "vtt" and not text.startswith("WEBVTT"):
        raise BeaconError(f"{path} is not a WebVTT file (it must start with 'WEBVTT')")
    cues = _cue_texts(text)
    if not cues:
        raise BeaconError(f"{path} holds no subtitle cues (no 'start --> end' timing lines)")
    segments = [segment for cue in cues for segment in _voice_segments(cue)]
    if any(speaker is not None for speaker, _ in segments):
        return _voiced_text(segments, fmt, encoding)
    # No voice tags: each cue line stays a line, so labels written in the text ("JOHN: ...") are found later.
    lines = (_plain(line) for _, cue in segments for line in cue.split("\n"))
    return SourceText("\n".join(line for line in lines if line), fmt, encoding)


def _cue_texts(text: str) -> list[str]:
    """The text lines of every cue; headers, notes, timing lines and cue numbers are left out."""
    cues = []
    for block in BLOCK_BREAK.split(text):
        lines = block.strip("\n").split("\n")
        timing = next((i for i, line in enumerate(lines) if TIMING.match(line)), None)
        if timing is None:
            continue
        cue = "\n".join(line.strip() for line in lines[timing + 1 :] if line.strip())
        if cue:
            cues.append(cue)
    return cues


def _voice_segments(cue: str) -> list[tuple[str | None, str]]:
    """Split a cue at its voice tags into (speaker, text) pieces; a voice lasts to the end of its cue."""
    pieces: list[tuple[str | None, str]] = []
    speaker: str | None = None
    position = 0
    for match in VOICE.finditer(cue):
        pieces.append((speaker, cue[position : match.start()]))
        speaker = match.group(1).strip() or None
        position = match.end()
    pieces.append((speaker, cue[position:]))
    return [(who, words) for who, words in pieces if _plain(words)]


def _plain(cue_text: str) -> str:
    """Cue text without markup tags or entities, its whitespace collapsed to single spaces."""
    return " ".join(html.unescape(TAG.sub("", cue_text)).split())


def _voiced_text(segments: list[tuple[str | None, str]], fmt: str, encoding: str) -> SourceText:
    """Merge consecutive segments of one speaker into a turn written as 'Name: text'."""
    merged: list[tuple[str | None, list[str]]] = []
    for speaker, words in segments:
        if merged and merged[-1][0] == speaker:
            merged[-1][1].append(_plain(words))
        else:
            merged.append((speaker, [_plain(words)]))
    parts: list[str] = []
    turns: list[tuple[int, int, str | None]] = []
    offset = 0
    for speaker, said in merged:
        label = f"{speaker}: " if speaker else ""
        turns.append((offset, offset + len(label), speaker))
        part = label + " ".join(said)
        parts.append(part)
        offset += len(part) + len(TURN_SEPARATOR)
    return SourceText(TURN_SEPARATOR.join(parts), fmt, encoding, voice_labels=turns)
