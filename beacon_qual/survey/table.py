"""Reading a survey file (CSV, TSV or .xlsx) into a header and rows of trimmed strings.

Text files are read as strict UTF-8 (with or without a byte-order mark) and, if
that fails, as Windows-1252, unless the bytes look like damaged UTF-8 or another
code page (see :mod:`beacon_qual.text.encoding`); a named encoding overrides this. The delimiter comes from the extension for
``.tsv``/``.tab`` files and is otherwise sniffed from the header line. Rows are
numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from beacon_qual.errors import BeaconError
from beacon_qual.text.encoding import decode_as, decode_windows_1252, text_encoding

TAB_SUFFIXES = (".tsv", ".tab")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
UNREADABLE_SUFFIXES = {".xls": "old .xls workbook", ".ods": "OpenDocument spreadsheet"}
SNIFFED_DELIMITERS = (",", "\t", ";", "|")
MAX_BYTES = (
    50 * 1024**2
)  # one row per council and wave is kilobytes; this refuses runaway files before reading
BINARY_SIGNATURES = {b"PK\x03\x04": "a zip archive or .xlsx workbook", b"%PDF": "a PDF document"}


@dataclass(frozen=True)
class Row:
    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    encoding: str  # 'utf-8', 'utf-8-sig', 'cp1252', 'xlsx' or the codec named when reading
    delimiter: str | None

    def column(self, name: str) -> int:
        return self.header.index(name)


def read_table(path: Path, encoding: str | None = None) -> Table:
    """Read a survey file; every failure is a one-line BeaconError naming the file.

    ``encoding`` names the encoding of a CSV or TSV file instead of detecting it.
    """
    suffix = path.suffix.lower()
    if suffix in UNREADABLE_SUFFIXES:
        raise BeaconError(f"{path.name} is an {UNREADABLE_SUFFIXES[suffix]}; save it as .xlsx, CSV or TSV")
    if not path.is_file():
        raise BeaconError(f"no survey file at {path}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise BeaconError(
            f"{path.name} is {size / 1024**2:.1f} MB; a survey file may be at most {MAX_BYTES // 1024**2} MB"
        )
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path)
    data = path.read_bytes()
    text, used = decode_text(data, path.name, encoding)
    delimiter = "\t" if suffix in TAB_SUFFIXES else _sniff_delimiter(text)
    return _read_delimited(text, delimiter, used, path.name)


def decode_text(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode strict UTF-8 (BOM optional), else checked Windows-1252, or the named encoding; refuse binary files."""
    for signature, what in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise BeaconError(f"{name} is {what}, not CSV or TSV text")
    if encoding is not None:
        return decode_as(data, encoding, name), text_encoding(encoding)
    if b"\x00" in data:
        raise BeaconError(f"{name} is a binary file (or UTF-16 text), not UTF-8 or Windows-1252 CSV/TSV")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise BeaconError(
                f"{name} starts with a UTF-8 byte-order mark but byte {exc.start + 3} is not UTF-8"
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return decode_windows_1252(data, name), "cp1252"


def _sniff_delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in SNIFFED_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_delimited(text: str, delimiter: str, encoding: str, name: str) -> Table:
    kind = "TSV" if delimiter == "\t" else "CSV"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    started = 1  # the line the record being read starts on
    try:
        for record in reader:
            records.append([cell.strip() for cell in record])
            started = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):  # the reader ran to the end inside a quoted cell
            problem = f"a quoted cell opened in the row on line {started} is never closed"
        else:
            problem = f"line {reader.line_num}: {exc}"
        raise BeaconError(f"{name} is not well-formed {kind}: {problem}") from None
    return _table(records, encoding, delimiter, name)


def _read_xlsx(path: Path) -> Table:
    from beacon_qual.text.safezip import check_office_archive

    check_office_archive(path, path.name, kind=".xlsx workbook")  # before openpyxl unpacks anything

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise BeaconError(f"{path.name} is not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = workbook.worksheets[0]
        records = [[xlsx_cell_text(v) for v in values] for values in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _table(records, "xlsx", None, path.name)


def xlsx_cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV export would hold (dates as ISO, whole floats without '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


def _table(records: Iterable[list[str]], encoding: str, delimiter: str | None, name: str) -> Table:
    numbered = [(n, cells) for n, cells in enumerate(records, start=1) if any(cells)]
    if not numbered:
        raise BeaconError(f"{name} is empty")
    header_number, header = numbered[0]
    header = _trim_trailing_blanks(header)
    _check_header(header, header_number, name)
    rows = []
    for number, cells in numbered[1:]:
        if len(cells) > len(header) and any(cells[len(header) :]):
            raise BeaconError(
                f"{name} row {number} has {len(_trim_trailing_blanks(cells))} cells but the header has "
                f"{len(header)}"
            )
        padded = tuple(cells[: len(header)]) + ("",) * (len(header) - len(cells))
        rows.append(Row(number, padded))
    if not rows:
        raise BeaconError(f"{name} has a header but no data rows")
    return Table(tuple(header), tuple(rows), encoding, delimiter)


def _trim_trailing_blanks(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def _check_header(header: list[str], number: int, name: str) -> None:
    for index, title in enumerate(header, start=1):
        if not title:
            raise BeaconError(f"{name} row {number} (the header) has no name for column {index}")
    seen: set[str] = set()
    for title in header:
        if title.casefold() in seen:
            raise BeaconError(f"{name} has two columns called {title!r}")
        seen.add(title.casefold())
