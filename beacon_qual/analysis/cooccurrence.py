"""Co-occurrence of codes within sentences, speaker turns, documents, or overlapping codings.

For ``sentence``, ``turn`` and ``document`` a code is present in a unit when any of
its codings overlaps the unit; ``n1`` is the number of units holding code 1 and
``n12`` the number holding both codes. For ``overlap`` the counts are codings:
``n1`` is the number of codings of code 1 and ``n12`` the number of pairs of
overlapping codings of the two codes made by the same coder. In every case the
c-coefficient is ``n12 / (n1 + n2 - n12)``; at the overlap level one coding may
overlap several codings of the other code, and such pairs are flagged because
the coefficient then overstates the association (as in ATLAS.ti).

Codings are mapped to units with one sweep over sorted arrays (numpy
``searchsorted``) rather than a range join in SQL.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..errors import BeaconError
from ..store import Project
from .codes import load_code_tree
from .output import Report, Table
from .provenance import provenance
from .selection import DOCS, Filters, Selection, coder_names, resolve_filters

LEVELS = ("sentence", "turn", "overlap", "document")
SHIFT = np.int64(1 << 32)
LOW = np.int64(0xFFFFFFFF)
INDEXED_DOCUMENTS = 200  # up to this many documents, units are looked up through the index


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


def _fetch(project: Project, sql: str, params: list, columns: int) -> np.ndarray:
    """Rows of integers streamed into an array (no list of tuples in between)."""
    cursor = project.conn.cursor()
    cursor.row_factory = None
    flat = np.fromiter(itertools.chain.from_iterable(cursor.execute(sql, params)), dtype=np.int64)
    return flat.reshape(-1, columns)


def _codings(project: Project, selection: Selection) -> np.ndarray:
    """Columns: document_id, code_id, coder_id, start, end."""
    where, params = selection.where()
    if selection.code_ids:
        where += f" AND c.code_id IN ({','.join('?' * len(selection.code_ids))})"
        params = params + selection.code_ids
    packed = _fetch(
        project,
        "SELECT (c.document_id << 32) | c.code_id, c.coder_id, (c.start << 32) | c.end FROM codings c "
        f"JOIN {DOCS} d ON d.id = c.document_id WHERE {where}",
        params,
        3,
    )
    return np.column_stack(
        (packed[:, 0] >> 32, packed[:, 0] & LOW, packed[:, 1], packed[:, 2] >> 32, packed[:, 2] & LOW)
    )


def _units(project: Project, kind: str, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end keys (``document_id << 32 | offset``) of the documents' units of one kind, by start.

    A few documents are looked up through the index; many are read in one scan of the table.
    """
    select = "SELECT (document_id << 32) | start, (document_id << 32) | end FROM units"
    if len(documents) <= INDEXED_DOCUMENTS:
        marks = ",".join("?" * len(documents))
        keys = _fetch(
            project,
            f"{select} WHERE document_id IN ({marks}) AND kind = ? AND end > start",
            [*documents.tolist(), kind],
            2,
        )
    else:
        keys = _fetch(project, f"{select} NOT INDEXED WHERE kind = ? AND end > start", [kind], 2)
        owner = keys[:, 0] >> 32
        wanted = np.zeros(int(max(owner.max(initial=0), documents.max(initial=0))) + 1, dtype=bool)
        wanted[documents] = True
        keys = keys[wanted[owner]]
    if len(keys) and np.any(keys[1:, 0] < keys[:-1, 0]):
        keys = keys[np.argsort(keys[:, 0], kind="stable")]
    return keys[:, 0].copy(), keys[:, 1].copy()


def span_keys(documents: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spans as start and end keys that sort by document, then offset."""
    base = documents.astype(np.int64) * SHIFT
    return base + starts, base + ends


def units_of_codings(
    coding_start: np.ndarray, coding_end: np.ndarray, unit_start: np.ndarray, unit_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(coding index, unit index) for every coding and unit whose spans overlap; all four are keys
    from :func:`span_keys`, the units sorted by start."""
    reach = np.maximum.accumulate(unit_end) if len(unit_end) else unit_end
    first = np.searchsorted(reach, coding_start, side="right")
    stop = np.searchsorted(unit_start, coding_end, side="left")
    lengths = np.clip(stop - first, 0, None)
    coding_idx = np.repeat(np.arange(len(coding_start)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    unit_idx = np.repeat(first, lengths) + offsets
    overlapping = (unit_start[unit_idx] < coding_end[coding_idx]) & (
        unit_end[unit_idx] > coding_start[coding_idx]
    )
    return coding_idx[overlapping], unit_idx[overlapping]


def _matrix_counts(unit_idx: np.ndarray, code_idx: np.ndarray, n_units: int, n_codes: int) -> np.ndarray:
    """Codes x codes: units holding both (diagonal: units holding the code)."""
    from scipy import sparse  # imported on first use, to keep every command's start-up short

    presence = sparse.csr_matrix(
        (np.ones(len(unit_idx), dtype=np.int64), (unit_idx, code_idx)), shape=(n_units, n_codes)
    )
    presence.sum_duplicates()
    presence.data[:] = 1
    return (presence.T @ presence).toarray()


def _overlap_counts(codings: np.ndarray, n_codes: int, code_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of overlapping codings by one coder in one document, counted per pair of codes."""
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


def cooccurrence(
    project: Project, filters: Filters | None = None, *, within: str = "sentence", min_count: int = 1
) -> Cooccurrence:
    if within not in LEVELS:
        raise BeaconError(f"unknown level {within!r} (choose from {', '.join(LEVELS)})")
    tree = load_code_tree(project)
    selection = resolve_filters(project, filters or Filters(), tree)
    codings = _codings(project, selection)
    if not len(codings):
        return Cooccurrence(within, 0, [], selection, [])
    coded = set(np.flatnonzero(np.bincount(codings[:, 1])).tolist())
    code_ids = [c for c in tree.order if c in coded]
    lookup = np.full(max(code_ids) + 1, -1, dtype=np.int64)
    lookup[code_ids] = np.arange(len(code_ids))
    code_idx = lookup[codings[:, 1]]
    counts, singles, units = _counts(project, selection, within, codings, code_idx, len(code_ids))
    pairs = []
    for i in range(len(code_ids)):
        for j in range(i + 1, len(code_ids)):
            n12 = int(counts[i, j])
            if n12 < max(min_count, 1):
                continue
            n1, n2 = int(singles[i]), int(singles[j])
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
    project: Project,
    selection: Selection,
    within: str,
    codings: np.ndarray,
    code_idx: np.ndarray,
    n_codes: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Pair counts (codes x codes), single counts per code, and the number of units looked at."""
    if within == "overlap":
        pair_counts, singles = _overlap_counts(codings, n_codes, code_idx)
        return pair_counts, singles, len(codings)
    if within == "document":
        docs, unit_idx = np.unique(codings[:, 0], return_inverse=True)
        matrix = _matrix_counts(unit_idx.reshape(-1), code_idx, len(docs), n_codes)
        return matrix, np.diag(matrix).copy(), len(docs)
    documents = np.flatnonzero(np.bincount(codings[:, 0]))
    unit_start, unit_end = _units(project, within, documents)
    coding_start, coding_end = span_keys(codings[:, 0], codings[:, 3], codings[:, 4])
    coding_idx, unit_idx = units_of_codings(coding_start, coding_end, unit_start, unit_end)
    matrix = _matrix_counts(unit_idx, code_idx[coding_idx], len(unit_start), n_codes)
    touched = int(np.count_nonzero(np.bincount(unit_idx, minlength=len(unit_start))))
    return matrix, np.diag(matrix).copy(), touched


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
    notes = [f"Counted over {result.units} coded {unit}; c = n_ab / (n_a + n_b - n_ab)."]
    if result.level == "overlap":
        notes.append(
            "Overlap counts pairs of overlapping codings by the same coder; "
            "n_ab_exceeds_min = 1 marks pairs where one coding overlaps several of the other code."
        )
    elif len(result.coders) > 1:
        notes.append("Codings of all selected coders are pooled; choose one with --coder to keep them apart.")
    table = Table("pairs", f"Co-occurrence within {unit}", columns, rows)
    return Report(f"Code co-occurrence ({result.level})", record, [table], notes)
