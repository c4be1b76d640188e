"""Krippendorff's alpha family for unitized continua (Krippendorff, Mathet, Bouvry & Widlöcher 2016).

Reference: K. Krippendorff, Y. Mathet, S. Bouvry, A. Widlöcher (2016), "On the reliability of
unitizing textual continua: Further developments", Quality & Quantity 50: 2347-2364.

Model
-----
A continuum of length L (here: the code points of the chosen documents, laid end to end)
is cut by each of m coders into mutually exclusive segments: units with a value c >= 1
(a code) and the gaps between them (value 0). Every coder's segments cover the whole
continuum, so there are l.. = m*L pairable positions.

Observed coincidences, summed over pairs of intersecting segments of different coders::

    l_ck = 1/(m-1) * sum_i sum_{j != i} sum_g sum_h |s_icg ∩ s_jkh|

Expected coincidences (a unit of length l cannot pair with itself, which removes l^2
pairs; a gap is divisible, so it removes only l)::

    e_ck = l.. * (l_c. * l_.k - [c = k] * S_c) / (l..^2 - sum_c S_c)
    S_c  = sum of l^2 over units of value c (c >= 1), or sum of l over gaps (c = 0)

Coefficients (nominal metric), each 1 - Do/De:

* ``u_alpha``  (uα): all segments, units and gaps: Do = l.. - sum_c l_cc, De = l.. - sum_c e_cc.
* ``binary_u_alpha`` (|uα): units taken together against gaps: Do = sum_{k>=1} l_0k,
  De = sum_{k>=1} e_0k (the disagreements between gap and any unit).
* ``cu_alpha`` (cuα): the values given to intersecting units only, gaps ignored. With
  l'_c = l_c. - l_c0 and l' = sum_c l'_c, and x_igj = the length of unit g of coder i that
  coder j covered by any unit::

      X_c   = sum over coders i, units g of value c, coders j != i, of x_igj^2
      e'_ck = (l'_c * l'_k - [c = k] * X_c / (m-1)) / (l' - sum_c X_c / ((m-1) * l'))
      cuα   = 1 - (l' - sum_c l_cc) / (l' - sum_c e'_cc)

* ``k_u_alpha`` ((k)uα, one per value k): from the same matrices,
  1 - (e'_k. / l'_k) * (l'_k - l_kk) / (e'_k. - e'_kk).

A coefficient is None (undefined) when its expected disagreement is 0: nothing to
compare (e.g. nobody coded anything, or only one value occurs among intersecting units).
Perfect agreement with some variation gives exactly 1, since the sums are exact integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class CoderUnits:
    """One coder's units: non-overlapping half-open spans with values >= 1 (gaps are implied)."""

    start: np.ndarray
    end: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, spans: Sequence[tuple[int, int, int]]) -> "CoderUnits":
        """From ``(start, end, value)`` triples."""
        arr = np.asarray(list(spans), dtype=np.int64).reshape(-1, 3)
        return cls(arr[:, 0], arr[:, 1], arr[:, 2])


@dataclass
class UnitizedAlphas:
    n_values: int
    length: int
    coders: int
    observed: np.ndarray
    expected: np.ndarray
    cu_expected: np.ndarray
    u_alpha: float | None
    binary_u_alpha: float | None
    cu_alpha: float | None
    k_u_alpha: dict[int, float | None] = field(default_factory=dict)

    @property
    def pairable(self) -> float:
        """l.. = m * L."""
        return float(self.observed.sum())

    @property
    def cu_pairable(self) -> float:
        """l': the length of units that intersect other coders' units, over all coders."""
        return float(self.observed[1:, 1:].sum())


def _partition(units: CoderUnits, length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The coder's units plus the gaps between them, sorted, covering [0, length)."""
    start = np.asarray(units.start, dtype=np.int64)
    end = np.asarray(units.end, dtype=np.int64)
    value = np.asarray(units.value, dtype=np.int64)
    order = np.argsort(start, kind="stable")
    start, end, value = start[order], end[order], value[order]
    if start.size:
        if (value < 1).any():
            raise ValueError("unit values must be >= 1 (0 stands for gaps)")
        if (end <= start).any() or start[0] < 0 or end[-1] > length:
            raise ValueError("units must be non-empty and lie within the continuum")
        if (start[1:] < end[:-1]).any():
            raise ValueError("one coder's units must not overlap")
    gap_start = np.concatenate([[0], end])
    gap_end = np.concatenate([start, [length]])
    has_gap = gap_end > gap_start
    all_start = np.concatenate([start, gap_start[has_gap]])
    all_end = np.concatenate([end, gap_end[has_gap]])
    all_value = np.concatenate([value, np.zeros(int(has_gap.sum()), dtype=np.int64)])
    order = np.argsort(all_start, kind="stable")
    return all_start[order], all_end[order], all_value[order]


def _alpha(observed: float, expected: float, scale: float) -> float | None:
    """1 - Do/De, or None when De is 0 (up to rounding relative to ``scale``, the sums' size)."""
    if expected <= 1e-9 * max(scale, 1.0):
        return None
    return 1.0 - observed / expected


def unitized_alphas(coders: Sequence[CoderUnits], length: int, n_values: int) -> UnitizedAlphas:
    """uα, |uα, cuα and (k)uα for m >= 2 coders over a continuum of ``length`` positions.

    Values are 1..n_values; the matrices are indexed 0 (gap) .. n_values.
    """
    m = len(coders)
    if m < 2:
        raise ValueError("unitized alpha needs at least two coders")
    size = n_values + 1
    parts = [_partition(units, length) for units in coders]
    bounds = np.unique(np.concatenate([p[0] for p in parts] + [np.array([length], dtype=np.int64)]))
    atom_start, atom_len = bounds[:-1], np.diff(bounds).astype(float)
    seg_of = [np.searchsorted(p[0], atom_start, side="right") - 1 for p in parts]
    val_of = [p[2][s] for p, s in zip(parts, seg_of)]

    pair_sum = np.zeros(size * size)
    x_squares = np.zeros(size)
    for i in range(m):
        seg_len = (parts[i][1] - parts[i][0]).astype(float)
        for j in range(m):
            if i == j:
                continue
            pair_sum += np.bincount(val_of[i] * size + val_of[j], weights=atom_len, minlength=size * size)
            both = (val_of[i] > 0) & (val_of[j] > 0)
            x = np.bincount(seg_of[i][both], weights=atom_len[both], minlength=seg_len.size)
            x_squares += np.bincount(parts[i][2], weights=x * x, minlength=size)
    observed = pair_sum.reshape(size, size) / (m - 1)

    squares = np.zeros(size)
    for start, end, value in parts:
        seg_len = (end - start).astype(float)
        squares += np.bincount(value, weights=np.where(value > 0, seg_len * seg_len, seg_len), minlength=size)
    total = float(m * length)
    margins = observed.sum(axis=1)
    denominator = total * total - squares.sum()
    if denominator > 0:
        expected = total * (np.outer(margins, margins) - np.diag(squares)) / denominator
    else:
        expected = np.zeros((size, size))

    u_alpha = _alpha(total - np.trace(observed), total - np.trace(expected), total)
    binary = _alpha(observed[0, 1:].sum(), expected[0, 1:].sum(), total)

    cu_obs = observed[1:, 1:]
    cu_margins = cu_obs.sum(axis=1)
    cu_total = float(cu_margins.sum())
    x_by_value = x_squares[1:] / (m - 1)
    cu_expected = np.zeros_like(cu_obs)
    cu_alpha: float | None = None
    k_alpha: dict[int, float | None] = {}
    if cu_total > 0:
        cu_den = cu_total - x_by_value.sum() / cu_total
        if cu_den > 0:
            cu_expected = (np.outer(cu_margins, cu_margins) - np.diag(x_by_value)) / cu_den
        cu_alpha = _alpha(cu_total - np.trace(cu_obs), cu_total - np.trace(cu_expected), cu_total)
        exp_margins = cu_expected.sum(axis=1)
        for k in range(n_values):
            if cu_margins[k] <= 0:
                continue
            do = (cu_margins[k] - cu_obs[k, k]) / cu_margins[k]
            de = (exp_margins[k] - cu_expected[k, k]) / exp_margins[k] if exp_margins[k] > 0 else 0.0
            k_alpha[k + 1] = _alpha(do, de, 1.0)
    return UnitizedAlphas(
        n_values=n_values,
        length=length,
        coders=m,
        observed=observed,
        expected=expected,
        cu_expected=cu_expected,
        u_alpha=u_alpha,
        binary_u_alpha=binary,
        cu_alpha=cu_alpha,
        k_u_alpha=k_alpha,
    )
