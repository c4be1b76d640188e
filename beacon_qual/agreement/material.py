"""What an agreement analysis compares, read from a project into arrays.

The chosen documents are laid end to end on one continuum: a document starts where
the previous one ends, so a position is ``offset[document] + start``. Codings and units
never cross a document's end, so nothing is lost by this, and every measure can work
on the whole selection at once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from beacon_qual.agreement.measures import merged_shared_length, union_spans
from beacon_qual.codebook.tree import load_code_tree, resolve_code
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store import agreement as store
from beacon_qual.store.lookup import resolve_document

UNIT_KINDS = ("sentence", "turn")


@dataclass
class Material:
    """Codings and units of the chosen coders, documents and codes, on one continuum."""

    coder_names: list[str]
    doc_ids: np.ndarray
    doc_names: list[str]
    offsets: np.ndarray  # len(doc_ids) + 1; document d spans [offsets[d], offsets[d + 1])
    code_ids: list[int]
    code_paths: list[str]
    coder: np.ndarray  # per coding: index into coder_names
    code: np.ndarray  # per coding: index into code_ids
    start: np.ndarray  # per coding, on the continuum
    end: np.ndarray
    unit_kind: str | None = None
    unit_start: np.ndarray | None = None
    unit_end: np.ndarray | None = None
    # How many units (of length > 0) the documents hold, when ``unit_start`` holds only those under codings.
    unit_count: int | None = None
    _order: np.ndarray | None = field(default=None, repr=False)
    _keys: np.ndarray | None = field(default=None, repr=False)
    _by_coder: dict = field(default_factory=dict, repr=False)

    @property
    def length(self) -> int:
        return int(self.offsets[-1])

    def spans(self, coder: int, code: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(code, start, end)`` of one coder's codings (sorted by code, then start), optionally of one code."""
        if code is None:
            key = ("spans", coder)
            if key not in self._by_coder:
                self._by_coder[key] = self._select(coder, None)
            return self._by_coder[key]
        return self._select(coder, code)

    def merged(self, coder: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`union_spans` of one coder's codings (what the coder covered with each code), computed once."""
        key = ("merged", coder)
        if key not in self._by_coder:
            self._by_coder[key] = union_spans(*self.spans(coder))
        return self._by_coder[key]

    def shared(self, a: int, b: int) -> np.ndarray:
        """Per code, the length both coders covered with it, computed once per pair."""
        key = ("shared", a, b)
        if key not in self._by_coder:
            self._by_coder[key] = merged_shared_length(self.merged(a), self.merged(b), len(self.code_ids))
        return self._by_coder[key]

    def _select(self, coder: int, code: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._order is None:
            self._order = _by_coder_code_start(self.coder, self.code, self.start, len(self.code_ids))
            self._keys = self.coder[self._order] * (len(self.code_ids) + 1) + self.code[self._order]
        assert self._keys is not None
        base = coder * (len(self.code_ids) + 1)
        lo, hi = (base, base + len(self.code_ids)) if code is None else (base + code, base + code)
        first, last = np.searchsorted(self._keys, lo, "left"), np.searchsorted(self._keys, hi, "right")
        rows = self._order[first:last]
        return self.code[rows], self.start[rows], self.end[rows]


def _by_coder_code_start(coder: np.ndarray, code: np.ndarray, start: np.ndarray, n_codes: int) -> np.ndarray:
    """``np.lexsort((start, code, coder))``, as one stable sort of one key where the key fits 63 bits."""
    if start.size == 0:
        return np.zeros(0, dtype=np.int64)
    low, high = int(start.min()), int(start.max())
    groups = (int(coder.max()) + 1) * (n_codes + 1)
    if low < 0 or groups * (high + 1) >= 2**63 or coder.min() < 0 or code.min() < 0 or code.max() > n_codes:
        return np.lexsort((start, code, coder))
    return np.argsort((coder * (n_codes + 1) + code) * (high + 1) + start, kind="stable")


def resolve_coders(
    project: Project, names: list[str] | tuple[str, ...], minimum: int
) -> list[tuple[int, str]]:
    chosen: list[tuple[int, str]] = []
    for name in names:
        row = store.coder_by_name(project, name.strip())
        if row is None:
            known = store.coder_names(project)
            raise BeaconError(
                f"no coder called {name!r} in this project", details=[f"coders: {', '.join(known) or '-'}"]
            )
        if row[0] not in [c for c, _ in chosen]:
            chosen.append((row[0], row[1]))
    if len(chosen) < minimum:
        raise BeaconError(f"agreement needs at least {minimum} different coders (got {len(chosen)})")
    return chosen


def _coding_id(project: Project, rows: dict[str, np.ndarray], i: int) -> int:
    return store.coding_id(project, [int(rows[c][i]) for c in store.CODING_COLUMNS])


def _unit_id(project: Project, kind: str, rows: dict[str, np.ndarray], i: int) -> int:
    return store.unit_id(project, kind, [int(rows[c][i]) for c in store.UNIT_COLUMNS])


def _take(rows: dict[str, np.ndarray], keep: np.ndarray) -> dict[str, np.ndarray]:
    return {name: values[keep] for name, values in rows.items()}


def _documents(
    project: Project, refs: tuple[str, ...], used: np.ndarray
) -> tuple[np.ndarray, list[str], np.ndarray]:
    if refs:
        ids = sorted({resolve_document(project, ref) for ref in refs})
    else:
        ids = sorted(set(used.tolist()))
    if not ids:
        return np.zeros(0, dtype=np.int64), [], np.zeros(1, dtype=np.int64)
    rows = store.document_rows(project, ids)
    names = [rows[i][0] for i in ids]
    lengths = np.array([rows[i][1] for i in ids], dtype=np.int64)
    return np.array(ids, dtype=np.int64), names, np.concatenate([[0], np.cumsum(lengths)])


def _positions(doc_ids: np.ndarray, document: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each row's document among ``doc_ids`` (sorted), and whether it is there."""
    if doc_ids.size == 0:
        return np.zeros(document.size, dtype=np.int64), np.zeros(document.size, dtype=bool)
    top = int(doc_ids[-1])
    if (
        doc_ids[0] >= 0
        and top <= 8 * doc_ids.size + 1_000_000
        and (document.size == 0 or document.min() >= 0)
    ):
        # Ids are small: one lookup table instead of a binary search per row.
        table = np.full(top + 2, -1, dtype=np.int64)
        table[doc_ids] = np.arange(doc_ids.size)
        where = table[np.minimum(document, top + 1)]
        found = where >= 0
        return np.maximum(where, 0), found
    where = np.minimum(np.searchsorted(doc_ids, document), doc_ids.size - 1)
    return where, doc_ids[where] == document


def _place_codings(project: Project, rows: Any, doc_ids: Any, names: Any, offsets: Any) -> tuple[Any, Any]:
    """Keep the codings of the chosen documents, check their offsets against each document's length, and
    return them with each one's shift to the documents' concatenated text."""
    where, found = _positions(doc_ids, rows["document_id"])
    if not found.all():
        rows, where = _take(rows, found), where[found]
    shift = offsets[where]
    _check_offsets(
        "coding",
        lambda i: _coding_id(project, rows, i),
        rows["start"],
        rows["end"],
        offsets[where + 1] - shift,
        names,
        where,
    )
    return rows, shift


def _check_offsets(
    kind: str,
    row_id,
    start: np.ndarray,
    end: np.ndarray,
    limit: np.ndarray,
    names: list[str],
    doc: np.ndarray,
) -> None:
    """Refuse the first row (in id order) whose offsets do not fit its document; ``row_id(i)`` names row i."""
    bad = np.flatnonzero((start < 0) | (end < start) | (end > limit))
    if bad.size:
        i = int(bad[0])
        raise BeaconError(
            f"{kind} {row_id(i)} has impossible offsets {int(start[i])}..{int(end[i])} in document "
            f"{names[int(doc[i])]!r} ({int(limit[i])} characters); fix or remove it before measuring agreement"
        )


def load_material(
    project: Project,
    coders: list[str] | tuple[str, ...],
    *,
    documents: tuple[str, ...] = (),
    codes: tuple[str, ...] = (),
    unit_kind: str | None = None,
    minimum_coders: int = 2,
) -> Material:
    """Read what the chosen coders coded.

    Documents: those named, or else every document in which at least one chosen coder has
    a coding. Codes: those named (by path or unique name), or else every code a chosen coder
    applied in those documents. Text a coder did not code counts as "not coded" by that coder.
    """
    with store.mapped(project):
        return _load_material(project, coders, documents, codes, unit_kind, minimum_coders)


def _load_material(
    project: Project,
    coders: list[str] | tuple[str, ...],
    documents: tuple[str, ...],
    codes: tuple[str, ...],
    unit_kind: str | None,
    minimum_coders: int,
) -> Material:
    chosen = resolve_coders(project, coders, minimum_coders)
    coder_ids = [c for c, _ in chosen]
    rows = store.codings(project, coder_ids, store.packing(project))
    code_index = load_code_tree(project)
    wanted_codes = [resolve_code(project, ref) for ref in codes]
    if wanted_codes:
        rows = _take(rows, np.isin(rows["code_id"], wanted_codes))
    doc_ids, doc_names, offsets = _documents(project, documents, rows["document_id"])
    if doc_ids.size == 0:
        names = ", ".join(n for _, n in chosen)
        raise BeaconError(
            f"coders {names} have not coded any document{' with these codes' if codes else ''}; nothing to compare"
        )
    rows, shift = _place_codings(project, rows, doc_ids, doc_names, offsets)
    if wanted_codes:
        code_ids = list(dict.fromkeys(wanted_codes))
    else:
        used = set(np.unique(rows["code_id"]).tolist())
        code_ids = [c for c in code_index.order if c in used]
    if not code_ids:
        names = ", ".join(n for _, n in chosen)
        raise BeaconError(f"coders {names} applied no code in the chosen documents; nothing to compare")
    code_pos = {c: i for i, c in enumerate(code_ids)}
    coder_pos = {c: i for i, c in enumerate(coder_ids)}
    material = Material(
        coder_names=[n for _, n in chosen],
        doc_ids=doc_ids,
        doc_names=doc_names,
        offsets=offsets,
        code_ids=code_ids,
        code_paths=[code_index.path[c] for c in code_ids],
        coder=_indexes(rows["coder_id"], coder_pos, "coder"),
        code=_indexes(rows["code_id"], code_pos, "code"),
        start=rows["start"] + shift,
        end=rows["end"] + shift,
    )
    if unit_kind is not None:
        _load_units(project, material, unit_kind, store.packing(project))
    return material


# -- reading by batches of documents --------------------------------------------------------------------
# ``agreement`` never holds every coding and unit of the selection at once: it reads the documents in
# batches (each batch laid on a continuum of its own), adds up what each measure needs and lets the
# batch go. Every sum it keeps is additive over documents (codings and units never cross a document's end).
BATCH_CODINGS = 60_000  # codings of the chosen coders in one batch, at most (unless one document has more)
BATCH_DOCUMENTS = 400  # documents in one batch, at most (also bounds the units read at once)


@dataclass
class Plan:
    """What :func:`batches` reads: the chosen coders, documents (in id order, in batches) and codes."""

    coder_ids: list[int]
    coder_names: list[str]
    code_ids: list[int]  # the codes a batch's codings are indexed by (every code, or those named)
    code_paths: list[str]
    named_codes: bool  # codes were named: ``code_ids`` is the choice; else the used ones are kept at the end
    unit_kind: str | None
    bounds: store.Packing
    batches: list[list[int]] = field(default_factory=list)
    codings: _Scanned | None = None  # every document's codings, read at once, when no documents were named


def plan_material(
    project: Project,
    coders: list[str] | tuple[str, ...],
    *,
    documents: tuple[str, ...] = (),
    codes: tuple[str, ...] = (),
    unit_kind: str | None = None,
    minimum_coders: int = 2,
    batch_codings: int = BATCH_CODINGS,
    batch_documents: int = BATCH_DOCUMENTS,
) -> Plan:
    """The coders, codes and batches of documents that :func:`load_material` would read at once.

    Documents: those named, or else every document in which a chosen coder has a coding (of a
    named code, when codes are named), found through the ``codings_coder`` index.
    """
    chosen = resolve_coders(project, coders, minimum_coders)
    if unit_kind is not None and unit_kind not in UNIT_KINDS:
        raise BeaconError(f"unknown unit {unit_kind!r}; choose one of {', '.join(UNIT_KINDS)}")
    coder_ids = [c for c, _ in chosen]
    code_index = load_code_tree(project)
    wanted_codes = list(dict.fromkeys(resolve_code(project, ref) for ref in codes))
    counts = store.codings_by_document(project, coder_ids, wanted_codes)
    if documents:
        doc_ids = sorted({resolve_document(project, ref) for ref in documents})
    else:
        doc_ids = sorted(counts)
    if not doc_ids:
        names = ", ".join(n for _, n in chosen)
        raise BeaconError(
            f"coders {names} have not coded any document{' with these codes' if codes else ''}; nothing to compare"
        )
    plan = Plan(
        coder_ids=coder_ids,
        coder_names=[n for _, n in chosen],
        code_ids=wanted_codes or list(code_index.order),
        code_paths=[code_index.path[c] for c in (wanted_codes or code_index.order)],
        named_codes=bool(wanted_codes),
        unit_kind=unit_kind,
        bounds=store.packing(project),
    )
    batch: list[int] = []
    size = 0
    for doc in doc_ids:
        n = counts.get(doc, 0)
        if batch and (size + n > batch_codings or len(batch) >= batch_documents):
            plan.batches.append(batch)
            batch, size = [], 0
        batch.append(doc)
        size += n
    plan.batches.append(batch)
    if not documents:
        plan.codings = _scanned_codings(project, coder_ids, wanted_codes, plan.bounds)
    return plan


SCAN_IDS = 250_000  # codings ids read by one statement of the scan (bounds the text SQLite makes)


def _scanned_codings(
    project: Project, coder_ids: list[int], code_ids: list[int], bounds: store.Packing
) -> _Scanned:
    """Every coding of the chosen coders (and codes) in one scan of the table in id order, a range of ids
    at a time, held as small integers and ordered by document (then id) for :func:`batch_material`."""
    top = store.max_coding_id(project)

    def read(through: Project, low: int) -> dict[str, np.ndarray]:
        part = store.codings_in_ids(through, low, low + SCAN_IDS, coder_ids, code_ids, bounds)
        return {name: _small(values) for name, values in part.items()}

    lows = list(range(0, top, SCAN_IDS))
    # A second thread reads every other range of ids through a connection of its own (SQLite lets the
    # other thread run while it makes a statement's rows); the ranges are put back in id order.
    with ThreadPoolExecutor(max_workers=1) as helper:
        connect = store.reader(project) if len(lows) > 1 else None
        other = helper.submit(connect).result() if connect is not None else None
        try:
            theirs = {
                i: helper.submit(read, other, low)
                for i, low in enumerate(lows)
                if other is not None and i % 2
            }
            ours = {i: read(project, low) for i, low in enumerate(lows) if i not in theirs}
            parts = [ours[i] if i in ours else theirs[i].result() for i in range(len(lows))]
        finally:
            if other is not None:
                helper.submit(other.close).result()
    rows = {
        name: np.concatenate([part.pop(name) for part in parts]) if parts else np.zeros(0, dtype=np.int32)
        for name in store.CODING_COLUMNS
    }
    documents = rows["document_id"]
    order = None
    if (documents[1:] < documents[:-1]).any():  # a document's codings usually come together, in its order
        order = np.argsort(documents, kind="stable")
        documents = documents[order]
    first = np.flatnonzero(np.concatenate([[documents.size > 0], documents[1:] != documents[:-1]]))
    return _Scanned(rows, order, documents[first].astype(np.int64), np.append(first, documents.size))


def _small(values: np.ndarray) -> np.ndarray:
    """``values`` as 32-bit integers where they fit (half the memory), else as they are."""
    if values.size == 0 or (values.min() >= -(2**31) and values.max() < 2**31):
        return values.astype(np.int32)
    return values


@dataclass
class _Scanned:
    rows: dict[str, np.ndarray]  # per column, in id order
    order: np.ndarray | None  # row indexes by document, then id (None: the rows are in that order)
    documents: np.ndarray  # the documents with codings, in order
    first: np.ndarray  # where each document's rows begin in ``order`` (and, last, where they end)

    def batch(self, doc_ids: list[int]) -> dict[str, np.ndarray]:
        """The rows of documents ``doc_ids[0]`` to ``doc_ids[-1]``, in id order (as a query of them reads them)."""
        first = self.first[np.searchsorted(self.documents, doc_ids[0], "left")]
        last = self.first[np.searchsorted(self.documents, doc_ids[-1], "right")]
        if self.order is None:
            return {name: values[first:last].astype(np.int64) for name, values in self.rows.items()}
        take = np.sort(self.order[first:last])
        return {name: values[take].astype(np.int64) for name, values in self.rows.items()}


def batch_material(project: Project, plan: Plan, doc_ids: list[int]) -> Material:
    """The codings (and units) of one batch of documents, on a continuum of their own."""
    material = batch_codings(project, plan, doc_ids)
    batch_units(project, plan, material, doc_ids)
    return material


def batch_codings(project: Project, plan: Plan, doc_ids: list[int]) -> Material:
    """:func:`batch_material` without the units (see :func:`batch_units`)."""
    if plan.codings is not None:
        rows = plan.codings.batch(doc_ids)
    else:
        rows = store.codings_of_documents(project, doc_ids, plan.coder_ids, plan.bounds)
    if plan.named_codes:
        rows = _take(rows, np.isin(rows["code_id"], plan.code_ids))
    ids, names, offsets = _documents(project, (), np.array(doc_ids, dtype=np.int64))
    rows, shift = _place_codings(project, rows, ids, names, offsets)
    material = Material(
        coder_names=plan.coder_names,
        doc_ids=ids,
        doc_names=names,
        offsets=offsets,
        code_ids=plan.code_ids,
        code_paths=plan.code_paths,
        coder=_indexes(rows["coder_id"], {c: i for i, c in enumerate(plan.coder_ids)}, "coder"),
        code=_indexes(rows["code_id"], {c: i for i, c in enumerate(plan.code_ids)}, "code"),
        start=rows["start"] + shift,
        end=rows["end"] + shift,
    )
    return material


def batch_units(project: Project, plan: Plan, material: Material, doc_ids: list[int]) -> None:
    """The units of :func:`batch_codings`' material (when the plan has a unit kind). ``project`` may be another
    connection to the same project (see :func:`beacon_qual.store.agreement.reader`): this reads the
    documents' units and checks them, and uses no other connection."""
    if plan.unit_kind is not None:
        _coded_units(project, plan, material, doc_ids)


def _coded_units(project: Project, plan: Plan, material: Material, doc_ids: list[int]) -> None:
    """The units of the batch that a chosen coder's codings overlap (those in ``coding_units``, kept by
    triggers) onto the continuum, and how many units the documents hold (``unit_counts``): a unit no coding
    touches is "no" for every coder and code, and only its number counts. Documents whose units may reach
    past their end (``max_end``, an upper bound, passes the length) have all their units read and checked."""
    kind = plan.unit_kind
    assert kind is not None
    lengths = dict(zip(material.doc_ids.tolist(), np.diff(material.offsets).tolist()))
    count, suspects = 0, []
    for doc, spans, max_end in store.unit_counts(project, kind, doc_ids):
        count += spans
        if max_end > lengths.get(doc, max_end):
            suspects.append(doc)
    if suspects:  # the slow way, which names the first unit past its document's end
        _load_units(project, material, kind, plan.bounds, store.documents_condition(len(suspects)), suspects)
    used = [plan.code_ids[i] for i in np.unique(material.code).tolist()]  # not every code of a large codebook
    _load_units(
        project,
        material,
        kind,
        plan.bounds,
        store.coded_units_condition(len(used), len(plan.coder_ids)),
        [kind, *used, *plan.coder_ids, doc_ids[0], doc_ids[-1]],
    )
    material.unit_count = count


def _indexes(values: np.ndarray, position: dict[int, int], what: str) -> np.ndarray:
    """``position[v]`` for every value."""
    keys = np.array(sorted(position), dtype=np.int64)
    where = np.minimum(np.searchsorted(keys, values), max(keys.size - 1, 0))
    missing = np.flatnonzero(keys[where] != values) if keys.size else np.arange(values.size)
    if missing.size:
        raise BeaconError(
            f"a coding uses {what} {int(values[missing[0]])}, which the project does not list; run 'beacon-qual check'"
        )
    return np.array([position[k] for k in keys.tolist()], dtype=np.int64)[where]


def _load_units(
    project: Project,
    material: Material,
    kind: str,
    bounds: store.Packing,
    condition: str = "",
    params: list | tuple = (),
) -> None:
    """The units of ``kind`` (of the documents ``condition`` picks, or of every document) onto the continuum."""
    if kind not in UNIT_KINDS:
        raise BeaconError(f"unknown unit {kind!r}; choose one of {', '.join(UNIT_KINDS)}")
    rows = store.units(project, kind, condition, params, bounds)
    where, found = _positions(material.doc_ids, rows["document_id"])
    if not found.all():
        rows, where = _take(rows, found), where[found]
    shift = material.offsets[where]
    limit = material.offsets[where + 1] - shift
    _check_offsets(
        f"{kind} unit",
        lambda i: _unit_id(project, kind, rows, i),
        rows["start"],
        rows["end"],
        limit,
        material.doc_names,
        where,
    )
    start, end = rows["start"] + shift, rows["end"] + shift
    keep = end > start
    if not keep.all():
        start, end = start[keep], end[keep]
    if start.size > 1 and (start[1:] < start[:-1]).any():  # units are usually read in document and text order
        order = np.argsort(start, kind="stable")
        start, end = start[order], end[order]
    material.unit_kind = kind
    material.unit_start = start
    material.unit_end = end
