"""The rows behind intercoder agreement: the chosen coders, their codings, the units under them, the documents'
names and lengths, and the counts kept by triggers (``coding_counts``, ``unit_counts``, ``document_lengths``).

Codings and units are read as integer columns into numpy arrays without a Python object per row: SQLite packs a
row's columns into one integer (a few bits each, as many as the project's largest document id, text length, code
id and coder id need) and joins a statement's integers into one decimal string, which numpy parses at once.
What the service does with them (which documents and codes, the batches, the checks) is
``agreement.material``'s.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain

import numpy as np

from beacon_qual.store.db import Project, _connect

# Rows are read without their ids. The id of a row with bad offsets is looked up when there is one, as the
# lowest id with the same values: rows come in id order (NOT INDEXED: a scan of the table), so no row with
# these values comes before it.
CODING_COLUMNS = ("document_id", "start", "coder_id", "code_id", "end")
UNIT_COLUMNS = ("document_id", "start", "end")
WORD_BITS = 62  # bits of one packed integer (kept positive: -1 marks a row whose values do not fit)


# -- coders and documents -----------------------------------------------------------------------------------------
def coder_by_name(project: Project, name: str) -> sqlite3.Row | None:
    return project.one("SELECT id, name FROM coders WHERE name = ?", (name,))


def coder_names(project: Project) -> list[str]:
    return [r[0] for r in project.execute("SELECT name FROM coders ORDER BY name")]


def document_rows(project: Project, ids: list[int]) -> dict[int, tuple[str, int]]:
    """Per document id: its name and length in characters."""
    # Lengths from document_lengths (kept by triggers, schema V11): length() reads the whole text.
    return {
        r[0]: (r[1], r[2])
        for r in project.execute(
            "SELECT d.id, d.name, coalesce(l.characters, length(d.text)) FROM documents d"
            " LEFT JOIN document_lengths l ON l.document_id = d.id"
            f" WHERE d.id IN ({','.join('?' * len(ids))})",
            ids,
        )
    }


def _coders_and_codes(coder_ids: list[int], code_ids: list[int], scan: bool = False) -> tuple[str, list[int]]:
    """The condition on coder_id and (when there are any) code_id, and its parameters; ``scan``: with ``+``,
    for the scan of the codings (no index for the coders or codes, rows in table (id) order)."""
    plus = "+" if scan else ""
    where = f"{plus}coder_id IN ({','.join('?' * len(coder_ids))})"
    if code_ids:
        where += f" AND {plus}code_id IN ({','.join('?' * len(code_ids))})"
    return where, [*coder_ids, *code_ids]


def codings_by_document(project: Project, coder_ids: list[int], code_ids: list[int]) -> dict[int, int]:
    """How many codings of the coders (and of the codes, when there are any) each document holds."""
    where, params = _coders_and_codes(coder_ids, code_ids)
    # From coding_counts (a row per code, document and coder, kept by triggers): a tenth of the time of
    # counting the codings themselves.
    return dict(
        project.execute(
            f"SELECT document_id, sum(n) FROM coding_counts WHERE {where} GROUP BY document_id HAVING sum(n) > 0",
            params,
        ).fetchall()
    )


def unit_counts(project: Project, kind: str, doc_ids: list[int]) -> list[tuple[int, int, int]]:
    """``(document_id, spans, max_end)`` of the documents' units of ``kind`` (``unit_counts``)."""
    docs = ",".join("?" * len(doc_ids))
    return project.execute(
        f"SELECT document_id, spans, max_end FROM unit_counts WHERE kind = ? AND document_id IN ({docs})",
        [kind, *doc_ids],
    ).fetchall()


# Reading through a memory map of the project file instead of a read() call per page saves most of the
# system time of these whole-table reads (codings, units and every transcript's text for its length). Only
# for the duration of the reads; nothing in beacon-qual shrinks a project file (no VACUUM), which is what
# makes a mapped file risky for SQLite.
MAPPED_BYTES = 1 << 30


@contextmanager
def mapped(project: Project) -> Iterator[None]:
    before = project.scalar("PRAGMA main.mmap_size")
    if before is None or before >= MAPPED_BYTES:  # SQLite built without memory maps, or already larger
        yield
        return
    project.execute(f"PRAGMA main.mmap_size = {MAPPED_BYTES}")
    try:
        yield
    finally:
        project.execute(f"PRAGMA main.mmap_size = {int(before)}")


def reader(project: Project) -> Callable[[], Project | None] | None:
    """How to open a read-only connection of its own to the project's file, for another thread (SQLite lets
    other threads run while it makes a statement's rows): call the result in that thread, and close what it
    returns there. None while ``project`` is inside a transaction (another connection would not see what it
    has not committed); the call returns None when the file cannot be opened again."""
    if project.conn.in_transaction:
        return None
    path = project.path

    def connect() -> Project | None:
        try:
            return Project(path, _connect(path, readonly=True))
        except (sqlite3.Error, OSError):
            return None

    return connect


# -- integer columns --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Packing:
    """Upper bounds of the values a coding or unit holds, which set how many bits each column gets."""

    document_id: int
    characters: int
    code_id: int
    coder_id: int


def packing(project: Project) -> Packing:
    """The project's largest document id, document length, code id and coder id (a row beyond them is
    read unpacked, so a bound only has to be right for speed)."""
    row = project.one(
        "SELECT (SELECT max(id) FROM documents), (SELECT max(characters) FROM document_lengths),"
        " (SELECT max(id) FROM codes), (SELECT max(id) FROM coders)"
    )
    return Packing(*(max(int(v or 0), 1) for v in (row or (0, 0, 0, 0))))


def _fields(columns: tuple[str, ...], bounds: Packing) -> list[tuple[str, str, int]]:
    """``(name, SQL expression, bits)`` of each packed field; ``end`` is packed as the length ``end - start``."""
    limit = {
        "document_id": bounds.document_id,
        "start": bounds.characters,
        "end": bounds.characters,
        "code_id": bounds.code_id,
        "coder_id": bounds.coder_id,
    }
    return [
        (name, '("end" - start)' if name == "end" else name, min(int(limit[name]).bit_length(), WORD_BITS))
        for name in columns
    ]


def _words(fields: list[tuple[str, str, int]]) -> list[list[tuple[str, str, int]]]:
    """The fields grouped, in order, into integers of at most WORD_BITS bits."""
    words: list[list[tuple[str, str, int]]] = [[]]
    for field in fields:
        if sum(bits for _, _, bits in words[-1]) + field[2] > WORD_BITS:
            words.append([])
        words[-1].append(field)
    return words


def _word_sql(word: list[tuple[str, str, int]]) -> str:
    checks = " AND ".join(f"{expr} BETWEEN 0 AND {(1 << bits) - 1}" for _, expr, bits in word)
    parts, shift = [], 0
    for _, expr, bits in reversed(word):
        parts.append(f"({expr} << {shift})" if shift else expr)
        shift += bits
    return f"CASE WHEN {checks} THEN {' | '.join(reversed(parts))} ELSE -1 END"


def _int_rows(project: Project, sql: str, params: list | tuple, width: int) -> np.ndarray:
    """An integer query's rows as a (rows, width) array, without a Python object per row kept."""
    flat = np.fromiter(chain.from_iterable(project.execute(sql, params)), dtype=np.int64)
    return flat.reshape(-1, width)


def _int_text(project: Project, exprs: list[str], rest: str, params: list | tuple) -> np.ndarray | None:
    """The rows of ``SELECT exprs rest`` as one decimal string made by SQLite and parsed at once: no Python
    object per row. None when the string would pass SQLite's length limit (a batch of enormous documents)."""
    joined = " || ',' || ".join(exprs)
    try:
        text = project.scalar(f"SELECT group_concat({joined}, ',') {rest}", params)
    except (sqlite3.DataError, MemoryError):
        return None
    values = np.fromstring(text or "", dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
    return values.reshape(-1, len(exprs))


def int_columns(
    project: Project,
    columns: tuple[str, ...],
    rest: str,
    params: list | tuple,
    bounds: Packing,
    *,
    as_text: bool = False,
) -> dict[str, np.ndarray]:
    """``SELECT columns rest`` (integer columns) as one array per column; ``as_text``: through one string
    (for a batch or a range of ids: the whole of a large table would make too long a string)."""
    words = _words(_fields(columns, bounds))
    exprs = [_word_sql(word) for word in words]
    text = _int_text(project, exprs, rest, params) if as_text else None
    rows = (
        text
        if text is not None
        else _int_rows(project, f"SELECT {', '.join(exprs)} {rest}", params, len(exprs))
    )
    if (rows < 0).any():  # a value out of range: read the columns one by one
        rows = _int_rows(project, f"SELECT {', '.join(columns)} {rest}", params, len(columns))
        return {name: rows[:, i] for i, name in enumerate(columns)}
    out: dict[str, np.ndarray] = {}
    for i, word in enumerate(words):
        shift = 0
        for name, _, bits in reversed(word):
            out[name] = (rows[:, i] >> shift) & ((1 << bits) - 1)
            shift += bits
    if "end" in out:
        out["end"] = out["end"] + out["start"]
    return {name: out[name] for name in columns}


# -- codings ------------------------------------------------------------------------------------------------------
def codings(project: Project, coder_ids: list[int], bounds: Packing) -> dict[str, np.ndarray]:
    """Every coding of the coders, in id order (a scan of the table)."""
    marks = ",".join("?" * len(coder_ids))
    return int_columns(
        project, CODING_COLUMNS, f"FROM codings NOT INDEXED WHERE coder_id IN ({marks})", coder_ids, bounds
    )


def max_coding_id(project: Project) -> int:
    return project.scalar("SELECT max(id) FROM codings") or 0


def codings_in_ids(
    project: Project, low: int, high: int, coder_ids: list[int], code_ids: list[int], bounds: Packing
) -> dict[str, np.ndarray]:
    """The codings of the coders (and codes, when there are any) with ids in (low, high], in id order."""
    where, params = _coders_and_codes(coder_ids, code_ids, scan=True)
    rest = f"FROM codings WHERE id > ? AND id <= ? AND {where}"
    return int_columns(project, CODING_COLUMNS, rest, [low, high, *params], bounds, as_text=True)


def codings_of_documents(
    project: Project, doc_ids: list[int], coder_ids: list[int], bounds: Packing
) -> dict[str, np.ndarray]:
    """The coders' codings of the documents, in id order."""
    marks = ",".join("?" * len(coder_ids))
    docs = ",".join("?" * len(doc_ids))
    return int_columns(
        project,
        CODING_COLUMNS,
        # In rowid order (table order), which visits each page of the table once where codings of
        # different documents are interleaved, where index order jumps between pages.
        f"FROM codings WHERE id IN (SELECT id FROM codings WHERE document_id IN ({docs}) AND coder_id IN ({marks}))",
        [*doc_ids, *coder_ids],
        bounds,
        as_text=True,
    )


def coding_id(project: Project, values: list[int]) -> int:
    """The lowest id of a coding with these ``CODING_COLUMNS`` values."""
    where = " AND ".join(f"{c} = ?" for c in CODING_COLUMNS)
    return project.scalar(f"SELECT min(id) FROM codings WHERE {where}", values)


# -- units --------------------------------------------------------------------------------------------------------
def units(
    project: Project, kind: str, condition: str, params: list | tuple, bounds: Packing
) -> dict[str, np.ndarray]:
    """The units of ``kind`` that ``condition`` (ending in AND) picks, or every one of them (a scan)."""
    table = "units" if condition else "units NOT INDEXED"
    return int_columns(
        project,
        UNIT_COLUMNS,
        f"FROM {table} WHERE {condition}kind = ?",
        (*params, kind),
        bounds,
        as_text=bool(condition),
    )


def documents_condition(n_documents: int) -> str:
    """The condition for :func:`units` that picks the units of some documents; parameters: the documents."""
    return f"document_id IN ({','.join('?' * n_documents)}) AND "


def coded_units_condition(n_codes: int, n_coders: int) -> str:
    """The condition for :func:`units` that picks the units (of a kind) under codings of some codes and coders
    in a range of documents; parameters: kind, the codes, the coders, the first and last document."""
    codes = ",".join("?" * n_codes)
    coders = ",".join("?" * n_coders)
    return (
        f"id IN (SELECT unit_id FROM coding_units WHERE kind = ? AND code_id IN ({codes})"
        # A range of documents (one seek per code and coder) where the batch is every document in it;
        # units of other documents in the range are left out on the continuum.
        f" AND coder_id IN ({coders}) AND document_id BETWEEN ? AND ?) AND "
    )


def unit_id(project: Project, kind: str, values: list[int]) -> int:
    """The lowest id of a unit of ``kind`` with these ``UNIT_COLUMNS`` values."""
    where = " AND ".join(f"{c} = ?" for c in UNIT_COLUMNS)
    return project.scalar(f"SELECT min(id) FROM units WHERE kind = ? AND {where}", [kind, *values])
