"""Co-occurrence of codes within sentences, speaker turns, documents, or overlapping codings.

For ``sentence``, ``turn`` and ``document`` a code is present in a unit when any of
its codings overlaps the unit; ``n1`` is the number of units holding code 1 and
``n12`` the number holding both codes. For ``overlap`` the counts are codings:
``n1`` is the number of codings of code 1 and ``n12`` the number of pairs of
overlapping codings of the two codes made by the same coder. In every case the
c-coefficient is ``n12 / (n1 + n2 - n12)``; at the overlap level one coding may
overlap several codings of the other code, and such pairs are flagged because
the coefficient then overstates the association (as in ATLAS.ti).

Sentences and turns: each coding's units are kept in ``coding_units`` by triggers
(:mod:`beacon_qual.store.placement`); each selected code's units are read as one string (see
:func:`_code_units`) and made a bitmap, one bit per unit of the project (a Python integer for a few
units, a numpy array for many), so that the counts are numbers of bits set in bitmaps and in their
ANDs, and no coding is looked at one by one. With many codes over many units each unit is given its
codes instead (:func:`_unit_counts`), and when the codes hold too many units to read, SQLite groups the
rows by unit (:func:`_unit_combinations`).
Documents are counted the same way from ``coding_counts`` (:func:`_code_documents`), and with numpy from the
codings when the bitmaps would not fit; overlapping codings are counted with numpy.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from beacon_qual.analysis.bases import analysis_base
from beacon_qual.analysis.options import LEVELS
from beacon_qual.analysis.output import Report, Table
from beacon_qual.analysis.provenance import provenance
from beacon_qual.analysis.selection import DOCS, Filters, Selection, coder_names, resolve_filters
from beacon_qual.codebook.tree import load_code_tree
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.analysis import cooccurrence as sql

if TYPE_CHECKING:
    import numpy as np

SHIFT = 1 << 32
SORT_CACHE_KIB = -32768  # 32 MiB (negative: KiB)
# (code, unit) pairs read into Python at most, as arrays (8 bytes each); past it SQLite groups them instead.
MOST_HELD = 16_000_000
# (code, unit) pairs given their codes one unit at a time at most (about 70 bytes each in sets, 28 MB).
MOST_BY_UNIT = 400_000
# (code, unit) pairs made into bitmaps in plain Python at most (Python integers, no numpy to import); past it
# numpy sets the bits, whose own import costs more than Python's loop below this many.
MOST_IN_PYTHON = 500_000
# Bitmaps of all selected codes together at most (one bit per unit of the project, each code).
BITMAP_BYTES = 64 << 20
LOW = 0xFFFFFFFF


@dataclass(frozen=True)
class Pair:
    code_a: str
    code_b: str
    n_a: int
    n_b: int
    n_ab: int
    c: float | None
    exceeds: bool


@dataclass
class Cooccurrence:
    level: str
    units: int
    pairs: list[Pair]
    selection: Selection
    coders: list[str]


def _codings(project: Project, selection: Selection) -> np.ndarray:
    """Columns: document_id, code_id, coder_id, start, end."""
    import numpy as np

    where, params = selection.where()
    # streamed into an array, no list of tuples in between
    flat = np.fromiter(sql.packed_codings(project, DOCS, where, params, selection.code_ids), dtype=np.int64)
    packed = flat.reshape(-1, 3)
    return np.column_stack(
        (packed[:, 0] >> 32, packed[:, 0] & LOW, packed[:, 1], packed[:, 2] >> 32, packed[:, 2] & LOW)
    )


def _coded_codes(project: Project, selection: Selection, order: list[int]) -> list[int]:
    """The codes (in codebook ``order``) with at least one selected coding: one index probe per code."""
    where, params = selection.where()
    wanted = set(selection.code_ids) if selection.code_ids else None
    candidates = (code_id for code_id in order if wanted is None or code_id in wanted)
    return sql.codes_with_codings(project, DOCS, where, params, candidates)


def _matrix_counts(unit_idx: np.ndarray, code_idx: np.ndarray, n_units: int, n_codes: int) -> np.ndarray:
    """Codes x codes: units holding both (diagonal: units holding the code)."""
    import numpy as np
    from scipy import sparse  # imported on first use, to keep every command's start-up short

    presence = sparse.csr_matrix(
        (np.ones(len(unit_idx), dtype=np.int64), (unit_idx, code_idx)), shape=(n_units, n_codes)
    )
    presence.sum_duplicates()
    presence.data[:] = 1
    return (presence.T @ presence).toarray()


def _overlap_counts(codings: np.ndarray, n_codes: int, code_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of overlapping codings by one coder in one document, counted per pair of codes."""
    import numpy as np

    _docs, group = np.unique(codings[:, [2, 0]], axis=0, return_inverse=True)
    group = group.reshape(-1).astype(np.int64)
    order = np.lexsort((codings[:, 3], group))
    start = group[order] * SHIFT + codings[order, 3]
    end = group[order] * SHIFT + codings[order, 4]
    codes = code_idx[order]
    stop = np.searchsorted(start, end, side="left")
    lengths = stop - np.arange(len(start)) - 1
    left = np.repeat(np.arange(len(start)), lengths)
    right = left + 1 + (np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    a, b = codes[left], codes[right]
    different = a != b
    low, high = np.minimum(a, b)[different], np.maximum(a, b)[different]
    pair_counts = np.zeros((n_codes, n_codes), dtype=np.int64)
    np.add.at(pair_counts, (low, high), 1)
    pair_counts = pair_counts + pair_counts.T
    singles = np.bincount(code_idx, minlength=n_codes)
    return pair_counts, singles


# Counts as :func:`_counts` returns them: n_ab by (i, j) with i < j (indexes into the coded codes), n per
# code, and the number of units looked at.
Counts = tuple[dict[tuple[int, int], int], list[int], int]


def cooccurrence(
    project: Project, filters: Filters | None = None, *, within: str = "sentence", min_count: int = 1
) -> Cooccurrence:
    if within not in LEVELS:
        raise BeaconError(f"unknown level {within!r} (choose from {', '.join(LEVELS)})")
    tree = load_code_tree(project)
    selection = resolve_filters(project, filters or Filters(), tree)
    found = _counts(project, selection, within, tree.order)
    if found is None:
        return Cooccurrence(within, 0, [], selection, [])
    code_ids, (pair_counts, singles, units) = found
    pairs = []
    for (i, j), n12 in sorted(pair_counts.items()):
        if n12 < max(min_count, 1):
            continue
        n1, n2 = singles[i], singles[j]
        denominator = n1 + n2 - n12
        pairs.append(
            Pair(
                tree.path[code_ids[i]],
                tree.path[code_ids[j]],
                n1,
                n2,
                n12,
                n12 / denominator if denominator > 0 else None,
                n12 > min(n1, n2),
            )
        )
    return Cooccurrence(within, units, pairs, selection, coder_names(project, selection, code_ids))


def _counts(
    project: Project, selection: Selection, within: str, order: list[int]
) -> tuple[list[int], Counts] | None:
    """The coded codes in codebook ``order`` and their counts; None when the selection holds no codings."""
    if within != "overlap":
        code_ids = _coded_codes(project, selection, order)
        if not code_ids:
            return None
        units: list | None
        table: Literal["documents", "units"]
        if within == "document":
            units = _code_documents(project, selection, code_ids)
            table = "documents"
        else:
            units = _code_units(project, selection, within, code_ids, most=MOST_HELD)
            table = "units"
        counted = None if units is None else _unit_counts(units, sql.last_id(project, table))
        if counted is None and within != "document":
            counted = _combination_counts(
                _unit_combinations(project, selection, within, code_ids), len(code_ids)
            )
        if counted is not None:
            return code_ids, counted
    import numpy as np

    codings = _codings(project, selection)
    if not len(codings):
        return None
    coded = set(np.flatnonzero(np.bincount(codings[:, 1])).tolist())
    code_ids = [c for c in order if c in coded]
    lookup = np.full(max(code_ids) + 1, -1, dtype=np.int64)
    lookup[code_ids] = np.arange(len(code_ids))
    code_idx = lookup[codings[:, 1]]
    if within == "overlap":
        matrix, singles = _overlap_counts(codings, len(code_ids), code_idx)
        n_units = len(codings)
    else:  # documents, when their bitmaps would not fit
        docs, unit_idx = np.unique(codings[:, 0], return_inverse=True)
        matrix = _matrix_counts(unit_idx.reshape(-1), code_idx, len(docs), len(code_ids))
        singles, n_units = np.diag(matrix), len(docs)
    upper = np.triu(matrix, 1)
    pairs = {(int(i), int(j)): int(upper[i, j]) for i, j in zip(*np.nonzero(upper))}
    return code_ids, (pairs, [int(n) for n in singles], n_units)


def _row_filters(selection: Selection, table: str = "cu") -> tuple[str, list]:
    """The selection's coders and documents as conditions (each led by AND, or '') on a table with coder_id and
    document_id columns: ``coding_units cu`` or ``coding_counts cc``."""
    speaker = selection.speaker_units("cu.unit_id") if selection.speaker is not None else None
    return sql.row_filters(DOCS, table, selection.coder_ids, selection.document_where(), speaker)


def _code_units(
    project: Project, selection: Selection, kind: str, code_ids: list[int], *, most: int
) -> list[str] | None:
    """For each code, the ids of the units of ``kind`` that its selected codings overlap, as one comma-separated
    string (a unit may come more than once: several codings, several coders); None once the codes hold more
    than ``most`` (code, unit) pairs between them.

    Read from ``coding_units`` (kept by triggers, see :mod:`beacon_qual.store.placement`), whose key starts
    with kind and code, so each code's units are one range of the key, scanned without a sort. Each range
    reaches Python as one string (``group_concat``) rather than a row per unit: less work than SQLite grouping
    the rows by unit and by combination of codes, which sorts every row.
    """
    where, params = _row_filters(selection)
    found = []
    held = 0
    for text in sql.code_units(project, kind, code_ids, where, params):
        held += text.count(",") + 1 if text else 0
        if held > most:
            return None
        found.append(text)
    return found


def _parse_ids(text: str) -> np.ndarray:
    """Comma-separated integers (as ``group_concat`` writes them) as an array."""
    import numpy as np

    if not text:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def _ids(text: str) -> list[int]:
    """Comma-separated integers as a list: one C-level parse, cheaper than split() and int() per id."""
    return json.loads(f"[{text}]") if text else []


def _code_documents(project: Project, selection: Selection, code_ids: list[int]) -> list[str]:
    """For each code, the ids of the documents holding its selected codings, as one comma-separated string:
    read from ``coding_counts`` (a row per code, document and coder, kept by triggers), one range of its key
    per code, rather than from every coding."""
    if selection.speaker is not None:
        # coding_counts does not tell speakers apart: the documents where a coding of the code overlaps a
        # turn of the selected side.
        where, params = _row_filters(selection, "cu")
        return sql.code_documents_in_turns(project, code_ids, where, params)
    where, params = _row_filters(selection, "cc")
    return sql.code_documents(project, code_ids, where, params)


# The cost model that picks a way of counting: what each step costs, in nanoseconds, fitted to the runs of
# benchmarks/compare_qc.py and benchmarks/analysis_speed.py (their figures are in benchmarks/README.md),
# parsing the text excluded:
SCATTER_NS = 62  # bitmaps: setting one member's bit
WORD_NS = 3  # bitmaps: one 64-bit word of an AND (or OR) and its count of bits
BY_UNIT_NS = 400  # giving one member's unit its list of codes


def _unit_counts(units: list[str], last_unit: int) -> Counts | None:
    """Units holding each code and each pair of codes, and units holding any, from each code's units (as
    comma-separated strings); None when neither way below fits in memory.

    Bitmaps (each code's units as the bits of one array of 64-bit words, counts as numbers of bits set in
    ANDs) cost a step per member and a pass over every unit's bit for each pair; with many codes over many
    units, one pass giving each unit the list of its codes costs less. Both give the same counts
    (tests/test_analysis_cooccurrence.py runs each against a count made by brute force).
    """
    members = sum(text.count(",") + 1 for text in units if text)
    n = len(units)
    words = last_unit // 64 + 1
    bitmaps_ns = SCATTER_NS * members + WORD_NS * words * (n * (n - 1) // 2 + 2 * n)
    fits = n * words * 8 <= BITMAP_BYTES
    if fits and (bitmaps_ns <= BY_UNIT_NS * members or members > MOST_BY_UNIT):
        return _counts_by_bitmaps(units, last_unit, members)
    if members <= MOST_BY_UNIT:
        return _counts_by_unit(units)
    return None


def _bitmap(ids: np.ndarray, words: int) -> np.ndarray:
    """The units ``ids`` as the bits of an array of ``words`` 64-bit words (bit i of the whole is unit i)."""
    import numpy as np

    bitmap = np.zeros(words, dtype=np.uint64)
    if not ids.size:
        return bitmap
    ids = np.sort(ids, kind="stable")  # a code's units come in a few ascending runs (one per coder)
    ids = ids[np.concatenate([[True], ids[1:] != ids[:-1]])]
    word = ids >> 6
    bits = np.left_shift(np.uint64(1), (ids & 63).astype(np.uint64))
    first = np.flatnonzero(np.concatenate([[True], word[1:] != word[:-1]]))
    bitmap[word[first]] = np.bitwise_or.reduceat(bits, first)
    return bitmap


def _bit_count(words: np.ndarray) -> int:
    import numpy as np

    if hasattr(np, "bitwise_count"):  # numpy 2
        return int(np.bitwise_count(words).sum(dtype=np.int64))
    return int.from_bytes(words.tobytes(), "little").bit_count()


def _counts_by_bitmaps(units: list[str], last_unit: int, members: int | None = None) -> Counts:
    """Each code's units as the bits of one bitmap, the counts as numbers of bits set in ANDs: Python integers
    for a few units, numpy arrays of 64-bit words for many (the same counts either way). ``members``: the
    number of ids in ``units``, when known."""
    if members is None:
        members = sum(text.count(",") + 1 for text in units if text)
    if members <= MOST_IN_PYTHON:
        return _counts_by_int_bitmaps(units, last_unit)
    import numpy as np

    arrays: list[np.ndarray | None] = [_parse_ids(u) for u in units]
    # A unit written by another connection after last_unit was read gets room too.
    top = max([last_unit, *(int(a.max()) for a in arrays if a is not None and a.size)])
    words = top // 64 + 1
    bitmaps = []
    for i, ids in enumerate(arrays):
        assert ids is not None
        bitmaps.append(_bitmap(ids, words))
        units[i] = ""  # each code's units are let go once its bitmap is made
        arrays[i] = ids = None
    pairs = {}
    both = np.empty(words, dtype=np.uint64)
    for i, a in enumerate(bitmaps):
        for j in range(i + 1, len(bitmaps)):
            if n := _bit_count(np.bitwise_and(a, bitmaps[j], out=both)):
                pairs[i, j] = n
    held = np.zeros(words, dtype=np.uint64)
    for bitmap in bitmaps:
        np.bitwise_or(held, bitmap, out=held)
    return pairs, [_bit_count(b) for b in bitmaps], _bit_count(held)


_BIT = tuple(1 << i for i in range(8))


def _counts_by_int_bitmaps(units: list[str], last_unit: int) -> Counts:
    size = last_unit // 8 + 1
    bit = _BIT
    bitmaps = []
    for i, text in enumerate(units):
        bits = bytearray(size)
        for unit in _ids(text):
            try:
                bits[unit >> 3] |= bit[unit & 7]
            except IndexError:  # a unit written by another connection after last_unit was read
                bits.extend(bytes((unit >> 3) + 1 - len(bits)))
                bits[unit >> 3] |= bit[unit & 7]
        units[i] = ""  # each code's text is let go once its bitmap is made
        bitmaps.append(int.from_bytes(bits, "little"))
    pairs = {}
    for i, a in enumerate(bitmaps):
        for j in range(i + 1, len(bitmaps)):
            if n := (a & bitmaps[j]).bit_count():
                pairs[i, j] = n
    held = 0
    for bitmap in bitmaps:
        held |= bitmap
    return pairs, [b.bit_count() for b in bitmaps], held.bit_count()


def _counts_by_unit(units: list[str]) -> Counts:
    codes_of: dict[int, list[int]] = {}
    singles = []
    for i, text in enumerate(units):
        members = set(_ids(text))
        singles.append(len(members))
        for unit in members:
            codes_of.setdefault(unit, []).append(i)
    combinations = Counter(tuple(codes) for codes in codes_of.values())
    pairs: dict[tuple[int, int], int] = {}
    for codes, count in combinations.items():
        for a, i in enumerate(codes):
            for j in codes[a + 1 :]:
                pairs[i, j] = pairs.get((i, j), 0) + count
    return pairs, singles, len(codes_of)


def _unit_combinations(
    project: Project, selection: Selection, kind: str, code_ids: list[int]
) -> list[tuple[str, int]]:
    """Each combination of codes found together in units of ``kind`` (their positions in ``code_ids``,
    comma-separated, in no particular order, a code repeated when several of its codings overlap the unit),
    with the number of units holding it.

    SQLite groups the selected rows by unit and then by combination, so a few dozen rows reach Python whatever
    the number of codings, and the memory is SQLite's sort: taken when the codes hold too many (code, unit)
    pairs for :func:`_code_units`' sets.
    """
    where, params = _row_filters(selection)
    # Room for the sort in memory: with the default 2 MB page cache SQLite writes it to a temporary file.
    return sql.unit_combinations(project, kind, code_ids, where, params, cache_kib=SORT_CACHE_KIB)


def _combination_counts(rows: list[tuple[str, int]], n_codes: int) -> Counts:
    """Units holding each code and each pair of codes, from the combinations and their numbers of units."""
    singles = [0] * n_codes
    pairs: dict[tuple[int, int], int] = {}
    units = 0
    for combination, count in rows:
        present = sorted({int(i) for i in combination.split(",")})
        units += count
        for a, i in enumerate(present):
            singles[i] += count
            for j in present[a + 1 :]:
                pairs[i, j] = pairs.get((i, j), 0) + count
    return pairs, singles, units


def cooccurrence_report(project: Project, result: Cooccurrence) -> Report:
    unit = {"sentence": "sentences", "turn": "speaker turns", "document": "documents", "overlap": "codings"}[
        result.level
    ]
    columns = ["code_a", "code_b", "n_a", "n_b", "n_ab", "c"]
    if result.level == "overlap":
        columns.append("n_ab_exceeds_min")
    rows = []
    for pair in result.pairs:
        row: list = [pair.code_a, pair.code_b, pair.n_a, pair.n_b, pair.n_ab, pair.c]
        if result.level == "overlap":
            row.append(int(pair.exceeds))
        rows.append(row)
    record = provenance(
        project,
        "cooccurrence",
        filters=result.selection.filters.as_dict(),
        coders=result.coders,
        options={"within": result.level},
    )
    record["base"] = analysis_base(project, result.selection).as_dict()
    counted = f"{result.units:,} coded {unit}" if result.units != 1 else f"1 coded {unit.removesuffix('s')}"
    notes = [f"Counted over {counted}; c = n_ab / (n_a + n_b - n_ab)."]
    if result.level == "overlap":
        notes.append(
            "Overlap counts pairs of overlapping codings by the same coder; "
            "n_ab_exceeds_min = 1 marks pairs where one coding overlaps several of the other code."
        )
    elif len(result.coders) > 1:
        notes.append("Codings of all selected coders are pooled; choose one with --coder to keep them apart.")
    table = Table("pairs", f"Co-occurrence within {unit}", columns, rows)
    return Report(f"Code co-occurrence ({result.level})", record, [table], notes)
