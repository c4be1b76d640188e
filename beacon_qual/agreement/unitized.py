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

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from beacon_qual.agreement.measures import distinct


@dataclass(frozen=True)
class CoderUnits:
    """One coder's units: non-overlapping half-open spans with values >= 1 (gaps are implied)."""

    start: np.ndarray
    end: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, spans: Sequence[tuple[int, int, int]]) -> CoderUnits:
        """From ``(start, end, value)`` triples."""
        arr = np.asarray(list(spans), dtype=np.int64).reshape(-1, 3)
        return cls(arr[:, 0], arr[:, 1], arr[:, 2])


@dataclass
class UnitizedAlphas:
    """The coefficients and the sums they are made of (index 0 is the gap, 1..n_values the values).

    Only the vectors the coefficients need are kept, so that thousands of values cost
    little; :meth:`expected_matrix` and :meth:`cu_expected_matrix` build the full
    matrices, and ``observed`` holds the observed one when asked for with ``matrices=True``.
    """

    n_values: int
    length: int
    coders: int
    margins: np.ndarray  # l_c.
    agreeing: np.ndarray  # l_cc
    with_gap: np.ndarray  # l_0c = l_c0
    squares: np.ndarray  # S_c
    overlap_squares: np.ndarray  # X_c / (m - 1), index 0 unused
    u_alpha: float | None
    binary_u_alpha: float | None
    cu_alpha: float | None
    k_u_alpha: dict[int, float | None] = field(default_factory=dict)
    observed: np.ndarray | None = None

    @property
    def pairable(self) -> float:
        """l.. = m * L."""
        return float(self.coders * self.length)

    @property
    def cu_margins(self) -> np.ndarray:
        """l'_c = l_c. - l_c0 for c >= 1 (index 0 is 0)."""
        out = self.margins - self.with_gap
        out[0] = 0.0
        return out

    @property
    def cu_pairable(self) -> float:
        """l': the length of units that intersect other coders' units, over all coders."""
        return float(self.cu_margins.sum())

    def expected_matrix(self) -> np.ndarray:
        total = self.pairable
        return (
            total
            * (np.outer(self.margins, self.margins) - np.diag(self.squares))
            / (total * total - self.squares.sum())
        )

    def cu_expected_matrix(self) -> np.ndarray:
        """e'_ck for c, k >= 1."""
        margins, x = self.cu_margins[1:], self.overlap_squares[1:]
        total = margins.sum()
        return (np.outer(margins, margins) - np.diag(x)) / (total - x.sum() / total)


def _partition(units: CoderUnits, length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The coder's units plus the gaps between them, sorted, covering [0, length)."""
    start = np.asarray(units.start, dtype=np.int64)
    end = np.asarray(units.end, dtype=np.int64)
    value = np.asarray(units.value, dtype=np.int64)
    if (start[1:] < start[:-1]).any():
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
    # Gap i comes before unit i (units do not overlap, so this is the order by start).
    keep = np.ones(2 * start.size + 1, dtype=bool)
    keep[0::2] = gap_end > gap_start
    out = []
    for units_part, gaps_part in ((start, gap_start), (end, gap_end), (value, np.zeros_like(gap_start))):
        both = np.empty(2 * start.size + 1, dtype=np.int64)
        both[0::2], both[1::2] = gaps_part, units_part
        out.append(both[keep])
    return out[0], out[1], out[2]


def _alpha(observed: float, expected: float, scale: float) -> float | None:
    """1 - Do/De, or None when De is 0 (up to rounding relative to ``scale``, the sums' size)."""
    if expected <= 1e-9 * max(scale, 1.0):
        return None
    return 1.0 - observed / expected


@dataclass
class UnitizedSums:
    """The sums the unitized alphas are made of, before dividing by m - 1: each is a sum over positions
    of the continuum (or over units, which never cross a document's end), so the sums of two continua
    laid end to end are the sums of each. Index 0 is the gap, then the values."""

    margins: np.ndarray  # l_c.
    agreeing: np.ndarray  # (m - 1) * l_cc
    with_gap: np.ndarray  # (m - 1) * l_0c
    overlap_squares: np.ndarray  # X_c
    squares: np.ndarray  # S_c
    observed: np.ndarray | None = None  # (m - 1) * l_ck


def unitized_sums(
    coders: Sequence[CoderUnits], length: int, n_values: int, *, matrices: bool = False
) -> UnitizedSums:
    """:class:`UnitizedSums` for m >= 2 coders over a continuum of ``length`` positions."""
    m = len(coders)
    if m < 2:
        raise ValueError("unitized alpha needs at least two coders")
    size = n_values + 1
    parts = [_partition(units, length) for units in coders]
    bounds = distinct(np.concatenate([p[0] for p in parts] + [np.array([length], dtype=np.int64)]))
    atom_start, atom_len = bounds[:-1], np.diff(bounds).astype(float)
    seg_of = [np.searchsorted(p[0], atom_start, side="right") - 1 for p in parts]
    val_of = [p[2][s] for p, s in zip(parts, seg_of)]

    margins, agreeing, with_gap, x_squares = (np.zeros(size) for _ in range(4))
    observed = np.zeros((size, size)) if matrices else None
    for i in range(m):
        margins += np.bincount(val_of[i], weights=atom_len, minlength=size)
        for j in range(m):
            if i == j:
                continue
            vi, vj = val_of[i], val_of[j]
            same = vi == vj
            agreeing += np.bincount(vi[same], weights=atom_len[same], minlength=size)
            gap = vi == 0
            with_gap += np.bincount(vj[gap], weights=atom_len[gap], minlength=size)
            both = (vi > 0) & (vj > 0)
            x = np.bincount(seg_of[i][both], weights=atom_len[both], minlength=parts[i][0].size)
            x_squares += np.bincount(parts[i][2], weights=x * x, minlength=size)
            if observed is not None:
                observed += np.bincount(vi * size + vj, weights=atom_len, minlength=size * size).reshape(
                    size, size
                )
    squares = np.zeros(size)
    for start, end, value in parts:
        seg_len = (end - start).astype(float)
        squares += np.bincount(value, weights=np.where(value > 0, seg_len * seg_len, seg_len), minlength=size)
    return UnitizedSums(margins, agreeing, with_gap, x_squares, squares, observed)


def unitized_alphas(
    coders: Sequence[CoderUnits], length: int, n_values: int, *, matrices: bool = False
) -> UnitizedAlphas:
    """uα, |uα, cuα and (k)uα for m >= 2 coders over a continuum of ``length`` positions.

    Values are 1..n_values (0 is the gap). ``matrices=True`` also keeps the observed
    coincidence matrix (n_values + 1 squared entries: for small cases).
    """
    sums = unitized_sums(coders, length, n_values, matrices=matrices)
    return alphas_from_sums(sums, length, len(coders), n_values)


def alphas_from_sums(sums: UnitizedSums, length: int, m: int, n_values: int) -> UnitizedAlphas:
    """The coefficients from :class:`UnitizedSums` (of one continuum, or added up over several)."""
    observed = None if sums.observed is None else sums.observed / (m - 1)
    result = UnitizedAlphas(
        n_values=n_values,
        length=length,
        coders=m,
        margins=sums.margins,
        agreeing=sums.agreeing / (m - 1),
        with_gap=sums.with_gap / (m - 1),
        squares=sums.squares,
        overlap_squares=sums.overlap_squares / (m - 1),
        u_alpha=None,
        binary_u_alpha=None,
        cu_alpha=None,
        observed=observed,
    )
    _u_alphas(result)
    _cu_alphas(result)
    return result


def _u_alphas(r: UnitizedAlphas) -> None:
    total = r.pairable
    denominator = total * total - r.squares.sum()
    if denominator <= 0:
        return
    expected_agreeing = total * ((r.margins**2).sum() - r.squares.sum()) / denominator
    r.u_alpha = _alpha(total - r.agreeing.sum(), total - expected_agreeing, total)
    gap = r.margins[0]
    expected_gap_unit = total * gap * (total - gap) / denominator
    r.binary_u_alpha = _alpha(r.with_gap[1:].sum(), expected_gap_unit, total)


def _cu_alphas(r: UnitizedAlphas) -> None:
    margins, x, agreeing = r.cu_margins[1:], r.overlap_squares[1:], r.agreeing[1:]
    total = float(margins.sum())
    if total <= 0:
        return
    denominator = total - x.sum() / total
    if denominator <= 0:
        return
    expected_agreeing = (margins**2 - x) / denominator
    expected_margins = (margins * total - x) / denominator
    r.cu_alpha = _alpha(total - agreeing.sum(), total - expected_agreeing.sum(), total)
    for k in np.flatnonzero(margins > 0).tolist():
        do = (margins[k] - agreeing[k]) / margins[k]
        de = (
            (expected_margins[k] - expected_agreeing[k]) / expected_margins[k]
            if expected_margins[k] > 0
            else 0.0
        )
        r.k_u_alpha[k + 1] = _alpha(do, de, 1.0)


def binary_u_alphas(
    covered: np.ndarray, shared: np.ndarray, squares: np.ndarray, length: int
) -> list[float | None]:
    """|uα for many groups at once (e.g. one per code), each group being units of one value.

    With one value the sums of :func:`unitized_alphas` reduce to per-group totals:
    ``covered[i, g]`` = length coder i covered, ``shared[g]`` = sum over coder pairs i < j of
    the length both covered, ``squares[g]`` = sum of squared unit lengths over all coders.
    Then l_1 = sum_i covered, l_0 = m*L - l_1 (and S_0 = l_0, gaps being divisible),
    Do = l_01 = l_1 - 2*shared/(m-1), De = e_01 = m*L * l_0 * l_1 / ((m*L)^2 - l_0 - S_1).
    """
    covered = np.asarray(covered, dtype=float)
    m = covered.shape[0]
    total = float(m * length)
    unit = covered.sum(axis=0)
    gap = total - unit
    observed = unit - 2.0 * np.asarray(shared, dtype=float) / (m - 1)
    denominator = total * total - gap - np.asarray(squares, dtype=float)
    expected = np.where(
        denominator > 0, total * gap * unit / np.where(denominator > 0, denominator, 1.0), 0.0
    )
    return [_alpha(o, e, total) for o, e in zip(observed.tolist(), expected.tolist())]
