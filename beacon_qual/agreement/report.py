"""Intercoder agreement for a project: every measure, per code and overall.

:func:`agreement` reads the chosen coders' codings (see :func:`material.load_material` for
which documents and codes are chosen by default) and returns an :class:`AgreementReport`
holding one :class:`Figure` per measure, code and pair of coders. Pairwise measures
(percent, kappa, segment agreement) are given for every pair of chosen coders; alpha and
the unitized family take all chosen coders at once.

Choices, stated once:

* Text a coder did not code counts as that coder's "no" (there are no missing values).
* Character level: a character is "yes" for a coder and code when any of the coder's
  codings of the code covers it. Overall figures pool one 2x2 table over every
  (character, code) pair, so codes weigh by the text they could cover.
* Unit level: a sentence (or turn) is "yes" when the coder's codings of the code cover at
  least ``min_share`` of its characters (default 0.5: more than half or exactly half).
* Segment agreement (as MAXQDA reports it): a coding matches when the other coder has a
  coding of the same code in the same document overlapping it by at least ``overlap`` percent
  of the two codings' union, |a ∩ b| / |a ∪ b|; both coders' codings are counted.
* Unitized alphas: see :mod:`.unitized`. Where one coder's codings of different codes
  overlap, the overlap is a segment of its own whose value is that combination of codes,
  so each coder's segments are mutually exclusive, as the definitions require; without
  overlaps this is exactly the published form.
"""

from __future__ import annotations

import math
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import combinations

import numpy as np

from beacon_qual.agreement.material import (
    BATCH_CODINGS,
    BATCH_DOCUMENTS,
    Material,
    Plan,
    batch_codings,
    batch_units,
    plan_material,
)
from beacon_qual.agreement.measures import (
    BinaryAgreement,
    binary_coincidences_counted,
    binary_tables,
    distinct,
    merged_length,
    nominal_alpha,
    pooled,
    segment_matches,
    union_spans,
)
from beacon_qual.agreement.unitized import (
    CoderUnits,
    UnitizedSums,
    alphas_from_sums,
    binary_u_alphas,
    unitized_sums,
)
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store import agreement as store

DEFAULT_MIN_SHARE = 0.5
DEFAULT_OVERLAP = 90.0
OVERALL = "(all codes)"


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    formula: str


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in [
        Measure(
            "char_percent",
            "character % agreement",
            "po x 100, po = (n11 + n00) / n over every character of the chosen documents, coded or not",
        ),
        Measure(
            "char_kappa",
            "character Cohen's kappa",
            "(po - pe) / (1 - pe), pe = pA_yes*pB_yes + pA_no*pB_no; 0 when one coder never used the code, "
            "empty when neither did",
        ),
        Measure(
            "unit_percent",
            "unit % agreement",
            "po x 100 over units; a unit is 'yes' when the coder's codings of the code cover >= min-share of it",
        ),
        Measure("unit_kappa", "unit Cohen's kappa", "(po - pe) / (1 - pe) over units, pe as for characters"),
        Measure(
            "unit_alpha",
            "unit Krippendorff's alpha (nominal)",
            "1 - (n - 1) * sum_{c!=k} o_ck / sum_{c!=k} n_c*n_k, o = coincidence matrix of yes/no values of "
            "all chosen coders per unit (pairs within a unit weighted 1/(m_u - 1)), n_c its margins, n = pairable "
            "values; overall pools (unit, code) pairs",
        ),
        Measure(
            "segment_percent",
            "segment agreement %",
            "matched / (matched + unmatched) x 100 over both coders' codings; a coding matches when the other "
            "coder has a coding of the same code in the same document with |a ∩ b| / |a ∪ b| >= overlap",
        ),
        Measure(
            "u_alpha",
            "uα (units, values and gaps)",
            "1 - Do/De, Do = l.. - sum_c l_cc, De = l.. - sum_c e_cc; l_ck = 1/(m-1) sum over pairs of "
            "intersecting segments of different coders of |s_c ∩ s_k|; e_ck = l..(l_c*l_k - [c=k] S_c) / "
            "(l..^2 - sum S), S_c = sum of squared unit lengths (gaps: sum of lengths), l.. = m*L",
        ),
        Measure(
            "binary_u_alpha",
            "|uα (coded versus not coded)",
            "1 - sum_{k>=1} l_0k / sum_{k>=1} e_0k: disagreements between gap and any unit, from uα's matrices",
        ),
        Measure(
            "cu_alpha",
            "cuα (codes of intersecting units)",
            "1 - (l' - sum_c l_cc) / (l' - sum_c e'_cc), gaps left out: l'_c = l_c - l_c0, "
            "e'_ck = (l'_c*l'_k - [c=k] X_c/(m-1)) / (l' - sum X/((m-1) l')), X_c = sum of squared lengths "
            "of each unit's part covered by another coder's units",
        ),
        Measure(
            "k_u_alpha",
            "(k)uα (one code among intersecting units)",
            "1 - (e'_k / l'_k) * (l'_k - l_kk) / (e'_k - e'_kk), from cuα's matrices",
        ),
        Measure(
            "code_binary_u_alpha",
            "|uα for one code (where the code applies)",
            "|uα on the codings of this code alone: the code's units against everything else",
        ),
    ]
}


@dataclass
class Figure:
    measure: str
    code: str  # a code path, or OVERALL
    coders: tuple[str, ...]
    value: float | None
    n: int
    unit: str
    matched: int | None = None
    unmatched: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.value is not None:
            self.value = float(self.value)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["coders"] = list(self.coders)
        return data


@dataclass
class AgreementReport:
    coders: list[str]
    documents: list[str]
    characters: int
    codes: list[str]
    unit_kind: str
    units: int
    min_share: float
    overlap: float
    figures: list[Figure] = field(default_factory=list)
    without_codings: list[str] = field(default_factory=list)  # chosen coders with no coding in the material

    def find(self, measure: str, code: str = OVERALL, coders: tuple[str, ...] | None = None) -> Figure:
        for figure in self.figures:
            if (
                figure.measure == measure
                and figure.code == code
                and (coders is None or figure.coders == coders)
            ):
                return figure
        raise KeyError((measure, code, coders))

    def value(self, measure: str, code: str = OVERALL, coders: tuple[str, ...] | None = None) -> float | None:
        return self.find(measure, code, coders).value


def agreement(
    project: Project,
    coders: list[str] | tuple[str, ...],
    *,
    documents: tuple[str, ...] = (),
    codes: tuple[str, ...] = (),
    unit: str = "sentence",
    min_share: float = DEFAULT_MIN_SHARE,
    overlap: float = DEFAULT_OVERLAP,
    batch_codings: int = BATCH_CODINGS,
    batch_documents: int = BATCH_DOCUMENTS,
) -> AgreementReport:
    """Every agreement figure for the chosen coders, documents and codes.

    The documents are read in batches (at most ``batch_codings`` codings and ``batch_documents``
    documents each), whose sums are added up: the figures do not depend on the batches.
    """
    if not 0 < min_share <= 1:
        raise BeaconError(f"--min-share must be more than 0 and at most 1 (got {min_share})")
    if not 0 < overlap <= 100:
        raise BeaconError(f"--overlap must be a percentage more than 0 and at most 100 (got {overlap})")
    plan = plan_material(
        project,
        coders,
        documents=documents,
        codes=codes,
        unit_kind=unit,
        batch_codings=batch_codings,
        batch_documents=batch_documents,
    )
    sums = _Sums(plan)
    _add_batches(project, plan, sums, min_share, overlap / 100.0)
    material = sums.finish()
    report = AgreementReport(
        coders=material.coder_names,
        documents=material.doc_names,
        characters=material.length,
        codes=material.code_paths,
        unit_kind=unit,
        units=material.units,
        min_share=min_share,
        overlap=overlap,
        without_codings=[n for i, n in enumerate(material.coder_names) if not material.coded[i]],
    )
    pairs = list(combinations(range(len(material.coder_names)), 2))
    for a, b in pairs:
        report.figures += _character_figures(material, a, b)
    for a, b in pairs:
        report.figures += _unit_figures(material, a, b)
    report.figures += _unit_alpha_figures(material)
    for a, b in pairs:
        report.figures += _segment_figures(material, a, b)
    report.figures += _unitized_figures(material)
    return report


def _add_batches(project: Project, plan: Plan, sums: _Sums, min_share: float, overlap: float) -> None:
    """Read and add up every batch, in order, in three threads: this one reads each batch's codings (through
    ``project``), a second its units (through a connection of its own; in this thread when none can be
    opened), a third adds up each batch once its units are read. SQLite lets the other threads run while it
    makes a statement's rows, so reading and arithmetic overlap; the sums are added in batch order, as in
    one thread. An error is the one the first batch that fails would raise, as in one thread."""
    with (
        ThreadPoolExecutor(max_workers=1) as unit_reader,
        ThreadPoolExecutor(max_workers=1) as adder,
    ):
        connect = store.reader(project) if plan.unit_kind is not None else None
        other = unit_reader.submit(connect).result() if connect is not None else None
        adding: deque[Future] = deque()
        try:
            for doc_ids in plan.batches:
                try:
                    batch = batch_codings(project, plan, doc_ids)
                    if other is None:
                        batch_units(project, plan, batch, doc_ids)
                except BaseException:
                    while adding:  # an earlier batch's error comes first
                        adding.popleft().result()
                    raise
                units = (
                    None if other is None else unit_reader.submit(batch_units, other, plan, batch, doc_ids)
                )
                adding.append(adder.submit(_add_read, sums, batch, units, min_share, overlap))
                while len(adding) > 2:  # at most three batches held
                    adding.popleft().result()
            while adding:
                adding.popleft().result()
        finally:
            for future in adding:
                future.cancel()
            if other is not None:
                unit_reader.submit(other.close).result()


def _add_read(sums: _Sums, batch: Material, units: Future | None, min_share: float, overlap: float) -> None:
    if units is not None:
        units.result()
    sums.add(batch, min_share, overlap)


@dataclass
class _Totals:
    """What every figure is computed from, summed over the batches; per-code arrays in ``code_paths`` order."""

    coder_names: list[str]
    doc_names: list[str]
    code_paths: list[str]
    length: int
    units: int
    unit_kind: str
    coded: list[bool]  # per coder: has a coding in the material
    char: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]]  # covered by a, by b, by both
    unit: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]]  # units coded by a, b, both
    unit_yes: np.ndarray  # [code, y]: units that exactly y coders coded with the code (y >= 1)
    segments: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]  # codings, matched codings
    unitized: UnitizedSums
    n_values: int
    combinations: int
    covered: np.ndarray  # [coder, code]: length covered
    code_squares: np.ndarray  # per code: sum of squared merged span lengths over coders
    code_shared: np.ndarray  # per code: sum over coder pairs of the length both covered


class _Sums:
    """Adds up, batch by batch, the counts and sums of :class:`_Totals` (all additive over documents).

    Every sum is of integers, so the order of adding does not change it: the figures are those of
    the whole selection read at once, exactly.
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.n_codes = n = len(plan.code_ids)
        self.m = m = len(plan.coder_names)
        self.pairs = list(combinations(range(m), 2))
        self.doc_names: list[str] = []
        self.length = 0
        self.units = 0
        self.used = np.zeros(n, dtype=bool)
        self.coded = np.zeros(m, dtype=bool)
        self.char = {p: np.zeros((3, n)) for p in self.pairs}
        self.unit = {p: np.zeros((3, n), dtype=np.int64) for p in self.pairs}
        self.unit_yes = np.zeros((n, m + 1), dtype=np.int64)
        self.segments = {p: np.zeros((2, n), dtype=np.int64) for p in self.pairs}
        self.combos: dict[tuple[int, ...], int] = {}
        self.combo_numbers: dict[int, int] = {}  # see _combination_values
        self.combo_first: dict[int, tuple[int, int]] = {}  # value -> (coder, position) where first met
        self.unitized = UnitizedSums(*(np.zeros(n + 1) for _ in range(5)))
        self.covered = np.zeros((m, n))
        self.code_squares = np.zeros(n)
        self.code_shared = np.zeros(n)

    def add(self, material: Material, min_share: float, overlap: float) -> None:
        n, m = self.n_codes, self.m
        base = self.length  # where this batch starts on the whole selection's continuum
        self.doc_names += material.doc_names
        self.length += material.length
        assert material.unit_start is not None
        self.units += (
            material.unit_count if material.unit_count is not None else int(material.unit_start.size)
        )
        self.used[np.unique(material.code)] = True
        self.coded[np.unique(material.coder)] = True
        merged = [material.merged(c) for c in range(m)]
        for a, b in self.pairs:
            self.char[(a, b)] += [
                merged_length(*merged[a], n),
                merged_length(*merged[b], n),
                material.shared(a, b),
            ]
            self.code_shared += material.shared(a, b)
        coded = [_coded_units(material, c, min_share) for c in range(m)]
        for a, b in self.pairs:
            both = np.intersect1d(coded[a], coded[b], assume_unique=True)
            self.unit[(a, b)] += [np.bincount(k % max(n, 1), minlength=n) for k in (coded[a], coded[b], both)]
        keys, yes = distinct(np.concatenate(coded), counts=True)
        np.add.at(self.unit_yes, (keys % max(n, 1), yes), 1)
        for a, b in self.pairs:
            spans_a, spans_b = material.spans(a), material.spans(b)
            hit_a, hit_b = segment_matches(spans_a, spans_b, overlap)
            codes = np.concatenate([spans_a[0], spans_b[0]])
            self.segments[(a, b)] += [
                np.bincount(codes, minlength=n),
                np.bincount(codes, weights=np.concatenate([hit_a, hit_b]).astype(float), minlength=n).astype(
                    np.int64
                ),
            ]
        units = []
        for c in range(m):
            units.append(coder_units(*merged[c], self.combos, n, merged=True, numbers=self.combo_numbers))
            value, first = np.unique(units[-1].value, return_index=True)
            met = value > n  # combinations: where each is first met, to number them as one read would
            for v, position in zip(value[met].tolist(), units[-1].start[first[met]].tolist()):
                key = (c, base + position)
                if v not in self.combo_first or key < self.combo_first[v]:
                    self.combo_first[v] = key
        part = unitized_sums(units, material.length, n + len(self.combos))
        self._grow(n + len(self.combos) + 1)
        for name in ("margins", "agreeing", "with_gap", "overlap_squares", "squares"):
            total = getattr(self.unitized, name)
            total[: getattr(part, name).size] += getattr(part, name)
        for c, (g, s, e) in enumerate(merged):
            self.covered[c] += np.bincount(g, weights=(e - s).astype(float), minlength=n)
            self.code_squares += np.bincount(g, weights=((e - s) ** 2).astype(float), minlength=n)

    def _grow(self, size: int) -> None:
        for name in ("margins", "agreeing", "with_gap", "overlap_squares", "squares"):
            values = getattr(self.unitized, name)
            if values.size < size:
                setattr(self.unitized, name, np.concatenate([values, np.zeros(size - values.size)]))

    def finish(self) -> _Totals:
        """The totals, with codes in codebook order (only those used, unless codes were named), and
        combinations of codes numbered in the order met along the continuum, first coder first, as
        when the whole selection is read at once."""
        plan, n = self.plan, self.n_codes
        keep = np.arange(n) if plan.named_codes else np.flatnonzero(self.used)
        if keep.size == 0:
            names = ", ".join(plan.coder_names)
            raise BeaconError(f"coders {names} applied no code in the chosen documents; nothing to compare")
        combos = sorted(self.combo_first, key=lambda v: self.combo_first[v])
        columns = np.concatenate([[0], keep + 1, np.array(combos, dtype=np.int64)]).astype(np.int64)
        self._grow(n + len(self.combos) + 1)
        u = self.unitized
        return _Totals(
            coder_names=plan.coder_names,
            doc_names=self.doc_names,
            code_paths=[plan.code_paths[i] for i in keep.tolist()],
            length=self.length,
            units=self.units,
            unit_kind=plan.unit_kind or "",
            coded=self.coded.tolist(),
            char={p: (v[0][keep], v[1][keep], v[2][keep]) for p, v in self.char.items()},
            unit={p: (v[0][keep], v[1][keep], v[2][keep]) for p, v in self.unit.items()},
            unit_yes=self.unit_yes[keep],
            segments={p: (v[0][keep], v[1][keep]) for p, v in self.segments.items()},
            unitized=UnitizedSums(
                *(x[columns] for x in (u.margins, u.agreeing, u.with_gap, u.overlap_squares, u.squares))
            ),
            n_values=keep.size + len(combos),
            combinations=len(combos),
            covered=self.covered[:, keep],
            code_squares=self.code_squares[keep],
            code_shared=self.code_shared[keep],
        )


# -- character level ------------------------------------------------------------------------------------
def _kappa_figures(
    material: _Totals,
    tables: list[BinaryAgreement],
    names: tuple[str, ...],
    prefix: str,
    unit: str,
    n_each: int,
) -> list[Figure]:
    """Percent and kappa per code, and over all codes from one pooled table."""
    out: list[Figure] = []
    all_codes = pooled(tables)
    for code, table in [(OVERALL, all_codes)] + list(zip(material.code_paths, tables)):
        n = table.total if code == OVERALL else n_each
        what = f"{unit}-code pairs" if code == OVERALL else f"{unit}s"
        note = _kappa_note(table)
        out.append(Figure(f"{prefix}_percent", code, names, table.percent, n, what))
        out.append(Figure(f"{prefix}_kappa", code, names, table.kappa, n, what, note=note))
    return out


def _kappa_note(table: BinaryAgreement) -> str:
    if table.total == 0:
        return "no units"
    if table.kappa is None:
        return "no coder applied the code" if table.n00 == table.total else "every unit coded by both"
    if table.n11 + table.n10 == 0 or table.n11 + table.n01 == 0:
        return "one coder never applied the code"
    return ""


def _character_figures(totals: _Totals, a: int, b: int) -> list[Figure]:
    covered_a, covered_b, shared = totals.char[(a, b)]
    tables = binary_tables(covered_a, covered_b, shared, np.full(len(covered_a), totals.length))
    names = (totals.coder_names[a], totals.coder_names[b])
    return _kappa_figures(totals, tables, names, "char", "character", totals.length)


# -- unit level -----------------------------------------------------------------------------------------
def _coded_units(material: Material, coder: int, min_share: float) -> np.ndarray:
    """Sorted keys ``unit * n_codes + code`` of the units the coder coded with each code."""
    assert material.unit_start is not None and material.unit_end is not None
    n_codes, n_units = len(material.code_ids), material.unit_start.size
    code, start, end = material.merged(coder)
    ia, ib = _unit_pairs(start, end, material.unit_start, material.unit_end)
    if ia.size == 0:
        return np.zeros(0, dtype=np.int64)
    inter = np.minimum(end[ia], material.unit_end[ib]) - np.maximum(start[ia], material.unit_start[ib])
    # Code-major keys are in order already when units do not overlap one another (spans come by code,
    # then start, each with its units in order); otherwise one stable sort puts them in order.
    raw = code[ia] * n_units + ib
    if (raw[1:] < raw[:-1]).any():
        order = np.argsort(raw, kind="stable")
        raw, inter = raw[order], inter[order]
    first = np.flatnonzero(np.concatenate([[True], raw[1:] != raw[:-1]]))
    cover = np.add.reduceat(inter, first)
    code_of, unit = np.divmod(raw[first], n_units)
    needed = min_share * (material.unit_end[unit] - material.unit_start[unit])
    ok = cover >= needed - 1e-9
    return np.sort(unit[ok] * n_codes + code_of[ok])


def _unit_pairs(
    start: np.ndarray, end: np.ndarray, unit_start: np.ndarray, unit_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`overlap_pairs` of spans and units (units sorted by start), in the same order: by span, then unit."""
    empty = np.zeros(0, dtype=np.int64)
    if start.size == 0 or unit_start.size == 0:
        return empty, empty
    longest = int((unit_end - unit_start).max())
    # A unit can only reach a span if it starts after span.start - the longest unit.
    lo = np.searchsorted(unit_start, start - longest + 1, side="left")
    hi = np.searchsorted(unit_start, end, side="left")
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    if total == 0:
        return empty, empty
    ia = np.repeat(np.arange(start.size), counts)
    ib = np.arange(total) - np.repeat(np.cumsum(counts) - counts - lo, counts)
    keep = (unit_end[ib] > start[ia]) & (unit_start[ib] < end[ia])
    return ia[keep], ib[keep]


def _unit_figures(totals: _Totals, a: int, b: int) -> list[Figure]:
    coded_a, coded_b, both = totals.unit[(a, b)]
    tables = binary_tables(coded_a, coded_b, both, np.full(len(coded_a), totals.units))
    names = (totals.coder_names[a], totals.coder_names[b])
    return _kappa_figures(totals, tables, names, "unit", f"{totals.unit_kind}", totals.units)


def _unit_alpha_figures(totals: _Totals) -> list[Figure]:
    n_codes = len(totals.code_paths)
    m = len(totals.coder_names)
    units = totals.units
    names = tuple(totals.coder_names)
    what = f"{totals.unit_kind}s"
    figures: list[Figure] = []
    total = np.zeros((2, 2))
    for index, path in enumerate(totals.code_paths):
        histogram = totals.unit_yes[index]
        o = binary_coincidences_counted(histogram, m, all_no_units=units - int(histogram.sum()))
        total += o
        value = nominal_alpha(o)
        note = (
            ""
            if value is not None
            else ("no units" if units == 0 else "no variation: no coder applied the code")
        )
        figures.append(Figure("unit_alpha", path, names, value, units, what, note=note))
    value = nominal_alpha(total)
    figures.insert(
        0,
        Figure(
            "unit_alpha",
            OVERALL,
            names,
            value,
            units * n_codes,
            f"{totals.unit_kind}-code pairs",
            note="" if value is not None else "no variation",
        ),
    )
    return figures


# -- segments ---------------------------------------------------------------------------------------------
def _segment_figures(totals: _Totals, a: int, b: int) -> list[Figure]:
    total, matched = totals.segments[(a, b)]
    names = (totals.coder_names[a], totals.coder_names[b])
    figures = []
    for code, t, mt in [(OVERALL, int(total.sum()), int(matched.sum()))] + list(
        zip(totals.code_paths, total.tolist(), matched.tolist())
    ):
        value = 100.0 * mt / t if t else None
        figures.append(
            Figure(
                "segment_percent",
                code,
                names,
                value,
                t,
                "codings",
                mt,
                t - mt,
                note="" if t else "no codings",
            )
        )
    return figures


# -- unitized ---------------------------------------------------------------------------------------------
def coder_units(
    code: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    combos: dict[tuple[int, ...], int],
    n_codes: int,
    *,
    merged: bool = False,
    numbers: dict[int, int] | None = None,
) -> CoderUnits:
    """One coder's codings as mutually exclusive units.

    Value ``code + 1`` where one code applies; where several codes of the coder overlap,
    the overlap is a unit of its own valued by that combination (``combos`` assigns
    values after ``n_codes`` and is shared by all coders, so equal combinations agree).
    ``merged``: the spans are already merged by :func:`union_spans`. ``numbers``: kept from call to call
    with the same ``combos`` and ``n_codes``, it saves looking up combinations met before.
    """
    g, s, e = (code, start, end) if merged else union_spans(code, start, end)
    if g.size == 0:
        return CoderUnits(g, s, e)
    if not (e > s).all():
        return _pieces(g, s, e, combos, n_codes, numbers)
    # A span that overlaps no other (of another code) is one unit of its own; only the spans of runs that
    # overlap one another are cut into pieces. The pieces and their values are the same either way.
    order = np.argsort(s, kind="stable")
    s_by, e_by = s[order], e[order]
    joins = s_by[1:] < np.maximum.accumulate(e_by)[:-1]  # overlaps a span that starts before it
    if not joins.any():
        return CoderUnits(s_by, e_by, g[order] + 1)
    run = np.concatenate([[0], np.cumsum(~joins)])
    crowded = np.bincount(run)[run] > 1
    alone = order[~crowded]
    pieces = _pieces(g[order[crowded]], s_by[crowded], e_by[crowded], combos, n_codes, numbers)
    starts = np.concatenate([s[alone], pieces.start])
    by_start = np.argsort(starts, kind="stable")
    return CoderUnits(
        starts[by_start],
        np.concatenate([e[alone], pieces.end])[by_start],
        np.concatenate([g[alone] + 1, pieces.value])[by_start],
    )


def _pieces(
    g: np.ndarray,
    s: np.ndarray,
    e: np.ndarray,
    combos: dict[tuple[int, ...], int],
    n_codes: int,
    numbers: dict[int, int] | None,
) -> CoderUnits:
    """:func:`coder_units` of merged spans by cutting them at every start and end."""
    bounds = distinct(np.concatenate([s, e]))
    lo, hi = np.searchsorted(bounds, s), np.searchsorted(bounds, e)
    counts = hi - lo
    piece = (
        np.repeat(lo, counts) + np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    )
    piece_code = np.repeat(g, counts)
    n_pieces = bounds.size - 1
    per_piece = np.bincount(piece, minlength=n_pieces)
    value = np.bincount(piece, weights=piece_code.astype(float), minlength=n_pieces).astype(np.int64) + 1
    several = np.flatnonzero(per_piece > 1)
    if several.size:
        order = np.lexsort((piece_code, piece))
        sorted_piece, sorted_code = piece[order], piece_code[order]
        first = np.searchsorted(sorted_piece, several, side="left")
        last = np.searchsorted(sorted_piece, several, side="right")
        value[several] = _combination_values(sorted_code, first, last, combos, n_codes, numbers)
    covered = per_piece > 0
    return CoderUnits(bounds[:-1][covered], bounds[1:][covered], value[covered])


def _combination_values(
    codes: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    combos: dict[tuple[int, ...], int],
    n_codes: int,
    numbers: dict[int, int] | None = None,
) -> np.ndarray:
    """The value of each combination ``codes[first[i]:last[i]]`` (sorted codes), new ones numbered as met.

    Each combination is read as a number with one digit (code + 1) per code, so that equal
    combinations are found by one sort; only each distinct combination is looked up in ``combos``
    (through ``numbers``, number to value, when given: a number stands for one combination).
    """
    size = last - first
    base = n_codes + 1
    if int(size.max()) * math.log2(base) > 62:  # too many codes at once for one 64-bit number: one by one
        return np.array(
            [
                combos.setdefault(tuple(codes[f:l].tolist()), n_codes + 1 + len(combos))
                for f, l in zip(first.tolist(), last.tolist())
            ],
            dtype=np.int64,
        )
    starts = np.cumsum(size) - size
    digit = np.arange(int(size.sum())) - np.repeat(starts, size)
    numbers_of = np.add.reduceat((codes[np.repeat(first, size) + digit] + 1) * base**digit, starts)
    distinct_numbers, seen_at, which = np.unique(numbers_of, return_index=True, return_inverse=True)
    values = np.empty(distinct_numbers.size, dtype=np.int64)
    known = {} if numbers is None else numbers
    listed = distinct_numbers.tolist()
    for u in np.argsort(seen_at, kind="stable").tolist():
        value = known.get(listed[u])
        if value is None:
            i = int(seen_at[u])
            value = combos.setdefault(tuple(codes[first[i] : last[i]].tolist()), n_codes + 1 + len(combos))
            known[listed[u]] = value
        values[u] = value
    return values[which.reshape(-1)]


def _unitized_figures(totals: _Totals) -> list[Figure]:
    m = len(totals.coder_names)
    names = tuple(totals.coder_names)
    length = totals.length
    result = alphas_from_sums(totals.unitized, length, m, totals.n_values)
    note = "nobody coded anything" if result.u_alpha is None else ""
    figures = [
        Figure("u_alpha", OVERALL, names, result.u_alpha, length, "characters", note=note),
        Figure("binary_u_alpha", OVERALL, names, result.binary_u_alpha, length, "characters", note=note),
        Figure(
            "cu_alpha",
            OVERALL,
            names,
            result.cu_alpha,
            round(result.cu_pairable),
            "characters",
            note="" if result.cu_alpha is not None else "fewer than two codes among intersecting units",
        ),
    ]
    if totals.combinations:
        figures[
            0
        ].note = f"{totals.combinations} combinations of overlapping codes counted as values of their own"
    cu_margins = result.cu_margins[1:]
    binary = binary_u_alphas(totals.covered, totals.code_shared, totals.code_squares, totals.length)
    for index, path in enumerate(totals.code_paths):
        k_value = result.k_u_alpha.get(index + 1)
        figures.append(
            Figure(
                "k_u_alpha",
                path,
                names,
                k_value,
                round(cu_margins[index]),
                "characters",
                note="" if k_value is not None else "undefined: no variation among intersecting units",
            )
        )
        figures.append(
            Figure(
                "code_binary_u_alpha",
                path,
                names,
                binary[index],
                length,
                "characters",
                note="" if binary[index] is not None else "no coder applied the code",
            )
        )
    return figures


# -- presenting -------------------------------------------------------------------------------------------
SHORT = {
    "char_percent": "char %",
    "char_kappa": "char κ",
    "unit_percent": "{unit} %",
    "unit_kappa": "{unit} κ",
    "unit_alpha": "{unit} α",
    "segment_percent": "segments %",
    "code_binary_u_alpha": "|uα",
    "k_u_alpha": "(k)uα",
    "u_alpha": "uα",
    "binary_u_alpha": "|uα",
    "cu_alpha": "cuα",
}
OVERALL_COLUMNS = {"binary_u_alpha": "code_binary_u_alpha", "cu_alpha": "k_u_alpha"}
TABLE_ORDER = [
    "char_percent",
    "char_kappa",
    "unit_percent",
    "unit_kappa",
    "unit_alpha",
    "segment_percent",
    "code_binary_u_alpha",
    "k_u_alpha",
]


def format_value(figure: Figure) -> str:
    if figure.value is None:
        return "-"
    if figure.measure == "segment_percent":
        return f"{figure.value:.1f} ({figure.matched}/{figure.n})"
    if figure.measure.endswith("percent"):
        return f"{figure.value:.1f}"
    return f"{figure.value:.3f}"


def agreement_table(report: AgreementReport) -> tuple[list[str], list[list[str]]]:
    """One row per code (all codes first), one column per measure (and pair of coders).

    In the all-codes row the |uα column holds |uα and the (k)uα column cuα, over all codes.
    """
    columns: list[tuple[str, tuple[str, ...]]] = []
    for figure in report.figures:
        key = (figure.measure, figure.coders)
        if figure.measure in TABLE_ORDER and key not in columns:
            columns.append(key)
    columns.sort(key=lambda k: TABLE_ORDER.index(k[0]))
    several_pairs = len(report.coders) > 2
    headers = ["code"]
    for measure, coders in columns:
        label = SHORT[measure].format(unit=report.unit_kind)
        if several_pairs and len(coders) == 2:
            label += f" {coders[0]}~{coders[1]}"
        headers.append(label)
    cells = {(f.measure, f.coders, f.code): format_value(f) for f in report.figures}
    for whole, column in OVERALL_COLUMNS.items():
        figure = report.find(whole)
        cells[(column, figure.coders, OVERALL)] = format_value(figure)
    rows = []
    for code in [OVERALL] + report.codes:
        rows.append([code] + [cells.get((m, c, code), "") for m, c in columns])
    return headers, rows


def summary_lines(report: AgreementReport) -> list[str]:
    """The continuum-wide unitized figures, which have no per-code column."""
    lines = [
        (
            f"coders {', '.join(report.coders)}; {len(report.documents)} documents, {report.characters} characters, "
            f"{report.units} {report.unit_kind}s, {len(report.codes)} codes"
        )
    ]
    parts = []
    for key in ("u_alpha", "binary_u_alpha", "cu_alpha"):
        figure = report.find(key)
        parts.append(f"{SHORT[key]} = {format_value(figure)}")
    lines.append("unitized over all codes: " + ", ".join(parts))
    return lines


def explain_lines(report: AgreementReport) -> list[str]:
    """For each measure: its unit, the number of units overall and its formula."""
    lines = [
        (
            f"min-share = {report.min_share:g} (a {report.unit_kind} counts as coded when codings of the code cover "
            f"at least this share of its characters); overlap = {report.overlap:g}% of the union of two codings"
        ),
    ]
    for key, measure in MEASURES.items():
        found = [f for f in report.figures if f.measure == key and f.code == OVERALL]
        figure = found[0] if found else next((f for f in report.figures if f.measure == key), None)
        if figure is None:
            continue
        scope = "all codes" if figure.code == OVERALL else "each code"
        lines.append(f"{SHORT[key].format(unit=report.unit_kind)}: {measure.label}")
        lines.append(f"    unit: {figure.unit}; n = {figure.n} ({scope})")
        lines.append(f"    formula: {measure.formula}")
    return lines
