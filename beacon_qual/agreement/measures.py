"""Agreement measures as pure functions on spans and counts (numpy arrays, no project).

Spans are half-open ranges ``[start, end)`` of integer positions (code points) on
one continuum, each tagged with a group (a code). Every function here works on
whole arrays: sorting, cumulative sums and ``bincount``, never a Python loop per
character or per span.

Measures
--------
* :class:`BinaryAgreement`: percent agreement and Cohen's kappa from a 2x2 table.
* :func:`coincidences` and :func:`nominal_alpha`: Krippendorff's alpha for nominal
  data with missing values, by the coincidence-matrix formula.
* :func:`segment_matches`: MAXQDA-style segment agreement (a span matches when the
  other coder has a span of the same group overlapping it by a given share).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal, overload

import numpy as np

IntArray = np.ndarray


def _ints(values: Sequence[int] | np.ndarray) -> IntArray:
    return np.asarray(values, dtype=np.int64)


@overload
def distinct(values: np.ndarray, *, counts: Literal[False] = False) -> np.ndarray: ...
@overload
def distinct(values: np.ndarray, *, counts: Literal[True]) -> tuple[np.ndarray, np.ndarray]: ...
def distinct(values: np.ndarray, *, counts: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Sorted distinct integers (and how often each occurs), by one sort."""
    ordered = np.sort(np.asarray(values, dtype=np.int64), kind="stable")
    first = np.ones(ordered.size, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    if not counts:
        return ordered[first]
    starts = np.flatnonzero(first)
    return ordered[starts], np.diff(np.append(starts, ordered.size))


# -- spans -------------------------------------------------------------------------------------------------
def union_spans(group: IntArray, start: IntArray, end: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Merge spans that overlap within each group; touching spans stay apart.

    Returns ``(group, start, end)`` sorted by group then start, with no two spans of a
    group sharing a position.
    """
    group, start, end = _ints(group), _ints(start), _ints(end)
    if group.size == 0:
        return group, start, end
    step = np.diff(group)
    if (step < 0).any() or ((step == 0) & (np.diff(start) < 0)).any():  # not yet by group, then start
        order = np.lexsort((start, group))
        g, s, e = group[order], start[order], end[order]
    else:
        g, s, e = group, start, end
    shift = (g - g.min()) * (int(e.max()) + 1)
    reach = np.maximum.accumulate(e + shift) - shift
    begins = np.ones(g.size, dtype=bool)
    begins[1:] = (g[1:] != g[:-1]) | (s[1:] >= reach[:-1])
    first = np.flatnonzero(begins)
    last = np.append(first[1:] - 1, g.size - 1)
    return g[first], s[first], reach[last]


def overlap_pairs(
    a_group: IntArray,
    a_start: IntArray,
    a_end: IntArray,
    b_group: IntArray,
    b_start: IntArray,
    b_end: IntArray,
) -> tuple[IntArray, IntArray]:
    """Indices ``(ia, ib)`` of every pair of an a-span and a b-span of the same group that share a position."""
    ag, as_, ae = _ints(a_group), _ints(a_start), _ints(a_end)
    bg, bs, be = _ints(b_group), _ints(b_start), _ints(b_end)
    empty = np.zeros(0, dtype=np.int64)
    if ag.size == 0 or bg.size == 0:
        return empty, empty
    groups = distinct(np.concatenate([ag, bg]))
    ga, gb = np.searchsorted(groups, ag), np.searchsorted(groups, bg)
    stride = int(max(ae.max(), be.max())) + 1
    longest = np.zeros(groups.size, dtype=np.int64)
    np.maximum.at(longest, gb, be - bs)
    keys = gb * stride + bs
    if keys.size > 1 and (keys[1:] < keys[:-1]).any():
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
    else:  # already in order (e.g. units, sorted by start): the stable sort would change nothing
        order, sorted_keys = None, keys
    # A b-span can only reach an a-span if it starts after a.start - longest b-span of the group.
    lo = np.searchsorted(sorted_keys, ga * stride + as_ - longest[ga] + 1, side="left")
    hi = np.searchsorted(sorted_keys, ga * stride + ae, side="left")
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    if total == 0:
        return empty, empty
    ia = np.repeat(np.arange(ag.size), counts)
    pos = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(lo, counts)
    ib = pos if order is None else order[pos]
    keep = (gb[ib] == ga[ia]) & (be[ib] > as_[ia]) & (bs[ib] < ae[ia])
    return ia[keep], ib[keep]


def covered_length(group: IntArray, start: IntArray, end: IntArray, n_groups: int) -> np.ndarray:
    """Length covered per group (spans are merged first, so overlaps count once)."""
    return merged_length(*union_spans(group, start, end), n_groups)


def merged_length(group: IntArray, start: IntArray, end: IntArray, n_groups: int) -> np.ndarray:
    """:func:`covered_length` of spans already merged by :func:`union_spans`."""
    return np.bincount(group, weights=(end - start).astype(float), minlength=n_groups)


def shared_length(
    a: tuple[IntArray, IntArray, IntArray], b: tuple[IntArray, IntArray, IntArray], n_groups: int
) -> np.ndarray:
    """Length covered by both a and b, per group, by one sweep over span boundaries."""
    return merged_shared_length(union_spans(*a), union_spans(*b), n_groups)


def merged_shared_length(
    a: tuple[IntArray, IntArray, IntArray], b: tuple[IntArray, IntArray, IntArray], n_groups: int
) -> np.ndarray:
    """:func:`shared_length` of spans already merged by :func:`union_spans`.

    Within a group neither side overlaps itself, so |A ∩ B| = |A| + |B| - |A ∪ B|; the union
    takes one stable sort of both sides' starts, which are each in order already (two runs).
    """
    ag, as_, ae = (_ints(x) for x in a)
    bg, bs, be = (_ints(x) for x in b)
    if ag.size == 0 or bg.size == 0:
        return np.zeros(n_groups)
    stride = int(max(ae.max(), be.max())) + 1
    key_start = np.concatenate([ag * stride + as_, bg * stride + bs])
    key_end = np.concatenate([ag * stride + ae, bg * stride + be])
    order = np.argsort(key_start, kind="stable")
    key_start, key_end = key_start[order], key_end[order]
    reach = np.maximum.accumulate(key_end)  # a group's keys all lie above the previous group's
    begins = np.ones(key_start.size, dtype=bool)
    begins[1:] = key_start[1:] >= reach[:-1]
    first = np.flatnonzero(begins)
    last = np.append(first[1:] - 1, key_start.size - 1)
    union = np.bincount(
        key_start[first] // stride, weights=(reach[last] - key_start[first]).astype(float), minlength=n_groups
    )
    return merged_length(ag, as_, ae, n_groups) + merged_length(bg, bs, be, n_groups) - union


# -- percent agreement and Cohen's kappa -----------------------------------------------------------------
@dataclass(frozen=True)
class BinaryAgreement:
    """A 2x2 table of two coders' yes/no judgements over the same units.

    ``n11`` both yes, ``n10`` only the first coder, ``n01`` only the second, ``n00`` neither.
    """

    n11: int
    n10: int
    n01: int
    n00: int

    @property
    def total(self) -> int:
        return self.n11 + self.n10 + self.n01 + self.n00

    @property
    def observed(self) -> float | None:
        """po = (n11 + n00) / n."""
        return None if self.total == 0 else (self.n11 + self.n00) / self.total

    @property
    def chance(self) -> float | None:
        """pe = pA_yes * pB_yes + pA_no * pB_no."""
        n = self.total
        if n == 0:
            return None
        a_yes, b_yes = (self.n11 + self.n10) / n, (self.n11 + self.n01) / n
        return a_yes * b_yes + (1 - a_yes) * (1 - b_yes)

    @property
    def percent(self) -> float | None:
        po = self.observed
        return None if po is None else 100.0 * po

    @property
    def kappa(self) -> float | None:
        """(po - pe) / (1 - pe), computed exactly from the counts as (n*agree - chance) / (n^2 - chance).

        chance = A_yes*B_yes + A_no*B_no. None when pe = 1 (both coders gave one and the
        same answer throughout, so there is nothing to correct for chance). When one coder
        never says yes and the other sometimes does, po = pe and kappa is 0.
        """
        n = self.total
        a_yes, b_yes = self.n11 + self.n10, self.n11 + self.n01
        chance = a_yes * b_yes + (n - a_yes) * (n - b_yes)
        if n == 0 or chance == n * n:
            return None
        return (n * (self.n11 + self.n00) - chance) / (n * n - chance)


def binary_tables(
    a_yes: np.ndarray, b_yes: np.ndarray, both: np.ndarray, total: np.ndarray
) -> list[BinaryAgreement]:
    """2x2 tables from per-group counts: units the first coder said yes to, the second, both, and all units."""
    tables = []
    for ay, by, bo, n in zip(
        a_yes.tolist(), b_yes.tolist(), both.tolist(), np.broadcast_to(total, a_yes.shape).tolist()
    ):
        n11 = round(bo)
        n10 = round(ay) - n11
        n01 = round(by) - n11
        tables.append(BinaryAgreement(n11, n10, n01, round(n) - n11 - n10 - n01))
    return tables


def pooled(tables: Sequence[BinaryAgreement]) -> BinaryAgreement:
    """One table summing several (e.g. every code), so that its kappa weights codes by their units."""
    return BinaryAgreement(
        sum(t.n11 for t in tables),
        sum(t.n10 for t in tables),
        sum(t.n01 for t in tables),
        sum(t.n00 for t in tables),
    )


# -- Krippendorff's alpha, nominal ----------------------------------------------------------------------
def coincidences(counts: np.ndarray) -> np.ndarray:
    """The coincidence matrix o[c, k] from ``counts[u, c]`` = coders who gave value c to unit u.

    o[c, k] = sum over units u with m_u >= 2 values of (pairs (c, k) in u) / (m_u - 1), where a
    pair is ordered and a value is never paired with itself. Units with fewer than two
    values are not pairable and drop out (that is how missing values are handled).
    """
    counts = np.asarray(counts, dtype=float)
    m_u = counts.sum(axis=1)
    pairable = m_u >= 2
    n = counts[pairable]
    weighted = n / (m_u[pairable] - 1)[:, None]
    return weighted.T @ n - np.diag(weighted.sum(axis=0))


def binary_coincidences(yes: np.ndarray, raters: int, all_no_units: float = 0) -> np.ndarray:
    """The 2x2 coincidence matrix for yes/no data with every unit judged by ``raters`` coders.

    ``yes[u]`` is how many coders said yes to unit u; ``all_no_units`` adds that many units
    where nobody did, without listing them.
    """
    yes = np.asarray(yes, dtype=float)
    no = raters - yes
    scale = 1.0 / (raters - 1)
    o_yes = float((yes * (yes - 1)).sum()) * scale
    o_no = (float((no * (no - 1)).sum()) + all_no_units * raters * (raters - 1)) * scale
    mixed = float((yes * no).sum()) * scale
    return np.array([[o_no, mixed], [mixed, o_yes]])


def binary_coincidences_counted(histogram: np.ndarray, raters: int, all_no_units: int = 0) -> np.ndarray:
    """:func:`binary_coincidences` from ``histogram[y]``, the number of units that y coders said yes to."""
    yes = np.arange(len(histogram), dtype=np.int64)
    histogram = np.asarray(histogram, dtype=np.int64)
    no = raters - yes
    scale = 1.0 / (raters - 1)
    o_yes = float(int((histogram * yes * (yes - 1)).sum())) * scale
    o_no = (
        float(int((histogram[1:] * no[1:] * (no[1:] - 1)).sum())) + all_no_units * raters * (raters - 1)
    ) * scale
    mixed = float(int((histogram * yes * no).sum())) * scale
    return np.array([[o_no, mixed], [mixed, o_yes]])


def nominal_alpha(o: np.ndarray) -> float | None:
    """alpha = 1 - Do/De = 1 - (n - 1) * sum_{c!=k} o_ck / sum_{c!=k} n_c n_k.

    n_c are the margins of the coincidence matrix and n their sum (pairable values).
    None when there is nothing to compare (fewer than two pairable values) or no
    variation at all (every pairable value is the same, De = 0).
    """
    o = np.asarray(o, dtype=float)
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    if n < 2:
        return None
    expected = (n * n - float((n_c**2).sum())) / (n - 1)
    if expected <= 0:
        return None
    observed = float(o.sum() - np.trace(o))
    return 1.0 - observed / expected


def krippendorff_alpha_nominal(data: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Nominal alpha for reliability data: one row per coder, one column per unit, None (or NaN) missing."""
    rows = [list(row) for row in data]
    if not rows:
        return None
    width = max(len(row) for row in rows)
    values: dict[Hashable, int] = {}
    cells: list[tuple[int, int]] = []
    for row in rows:
        for unit, value in enumerate(row):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            cells.append((unit, values.setdefault(value, len(values))))
    counts = np.zeros((width, max(len(values), 1)))
    for unit, value in cells:
        counts[unit, value] += 1
    return nominal_alpha(coincidences(counts))


# -- segment agreement (MAXQDA) -------------------------------------------------------------------------
def overlap_share(a_start: IntArray, a_end: IntArray, b_start: IntArray, b_end: IntArray) -> np.ndarray:
    """|a ∩ b| / |a ∪ b| for pairs of overlapping spans (the union of two overlapping spans is one span)."""
    inter = np.minimum(a_end, b_end) - np.maximum(a_start, b_start)
    union = np.maximum(a_end, b_end) - np.minimum(a_start, b_start)
    return inter / union


def segment_matches(
    a: tuple[IntArray, IntArray, IntArray], b: tuple[IntArray, IntArray, IntArray], min_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """Which spans of a, and which of b, the other side matches.

    A span matches when the other side has a span of the same group whose overlap is at
    least ``min_share`` (0..1) of the two spans' union: |a ∩ b| / |a ∪ b| >= min_share.
    """
    ia, ib = overlap_pairs(*a, *b)
    share = overlap_share(_ints(a[1])[ia], _ints(a[2])[ia], _ints(b[1])[ib], _ints(b[2])[ib])
    ok = share >= min_share - 1e-12
    matched_a = np.zeros(len(a[0]), dtype=bool)
    matched_b = np.zeros(len(b[0]), dtype=bool)
    matched_a[ia[ok]] = True
    matched_b[ib[ok]] = True
    return matched_a, matched_b
