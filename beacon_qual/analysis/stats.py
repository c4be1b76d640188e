"""Statistical tests for coded material, on plain lists of counts and values.

* :func:`chi_square`: Pearson's chi-square test of independence (no continuity
  correction) with Cramér's V and a warning when expected counts fall below 5;
* :func:`fisher_2x2`: Fisher's exact test for a 2x2 table;
* :func:`mann_whitney`: Mann-Whitney U with the rank-biserial correlation
  ``r = 2 U1 / (n1 n2) - 1`` (positive when the first group tends to be higher);
* :func:`spearman`: Spearman's rank correlation;
* :func:`benjamini_hochberg`: false-discovery-rate adjusted p-values;
* :func:`cochran_armitage`: the chi-square test for a linear trend in proportions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LOW_EXPECTED = 5.0


@dataclass(frozen=True)
class ChiSquare:
    chi2: float
    dof: int
    p: float
    cramers_v: float
    n: int
    min_expected: float
    low_expected_cells: int
    cells: int

    @property
    def warning(self) -> str | None:
        if not self.low_expected_cells:
            return None
        return (
            f"{self.low_expected_cells} of {self.cells} expected counts are below {LOW_EXPECTED:g} "
            f"(smallest {self.min_expected:.2f}); the chi-square p-value may be unreliable"
        )


def chi_square(table: Sequence[Sequence[float]]) -> ChiSquare | None:
    """Test of independence on a table of counts; rows and columns that are all zero are dropped.

    Returns None when fewer than two rows or two columns remain (nothing to test).
    """
    observed = _trimmed(table)
    if observed is None:
        return None
    from scipy import stats as sps  # scipy.stats is imported on first use: it takes about a second

    chi2, p, dof, expected = sps.chi2_contingency(observed, correction=False)
    n = int(observed.sum())
    k = min(observed.shape) - 1
    low = int((expected < LOW_EXPECTED).sum())
    return ChiSquare(
        chi2=float(chi2),
        dof=int(dof),
        p=float(p),
        cramers_v=math.sqrt(float(chi2) / (n * k)),
        n=n,
        min_expected=float(expected.min()),
        low_expected_cells=low,
        cells=int(expected.size),
    )


def _trimmed(table: Sequence[Sequence[float]]) -> np.ndarray | None:
    observed = np.asarray(table, dtype=float)
    if observed.ndim != 2:
        return None
    observed = observed[observed.sum(axis=1) > 0]
    if observed.size == 0:
        return None
    observed = observed[:, observed.sum(axis=0) > 0]
    if observed.shape[0] < 2 or observed.shape[1] < 2:
        return None
    return observed


@dataclass(frozen=True)
class Fisher:
    odds_ratio: float
    p: float


def fisher_2x2(table: Sequence[Sequence[float]]) -> Fisher | None:
    """Fisher's exact test (two-sided) for a table that is 2x2 after dropping empty rows and columns."""
    observed = _trimmed(table)
    if observed is None or observed.shape != (2, 2):
        return None
    from scipy import stats as sps

    result = sps.fisher_exact(observed.astype(int), alternative="two-sided")
    return Fisher(odds_ratio=float(result.statistic), p=float(result.pvalue))


@dataclass(frozen=True)
class MannWhitney:
    u: float
    p: float
    n1: int
    n2: int
    rank_biserial: float


def mann_whitney(first: Sequence[float], second: Sequence[float]) -> MannWhitney | None:
    """Mann-Whitney U of ``first`` against ``second`` (two-sided); U is the statistic of ``first``."""
    if not first or not second:
        return None
    from scipy import stats as sps

    result = sps.mannwhitneyu(first, second, alternative="two-sided")
    n1, n2 = len(first), len(second)
    u = float(result.statistic)
    return MannWhitney(u=u, p=float(result.pvalue), n1=n1, n2=n2, rank_biserial=2 * u / (n1 * n2) - 1)


@dataclass(frozen=True)
class Spearman:
    rho: float
    p: float
    n: int


def spearman(x: Sequence[float], y: Sequence[float]) -> Spearman | None:
    """Spearman's rho; None when fewer than three pairs or either side is constant."""
    if len(x) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return None
    from scipy import stats as sps

    result = sps.spearmanr(x, y)
    return Spearman(rho=float(result.statistic), p=float(result.pvalue), n=len(x))


def benjamini_hochberg(pvalues: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg adjusted p-values; None entries are skipped and stay None."""
    present = [(i, p) for i, p in enumerate(pvalues) if p is not None and not math.isnan(p)]
    adjusted: list[float | None] = [None] * len(pvalues)
    if not present:
        return adjusted
    from scipy import stats as sps

    values = sps.false_discovery_control([p for _i, p in present], method="bh")
    for (i, _p), q in zip(present, values):
        adjusted[i] = float(q)
    return adjusted


@dataclass(frozen=True)
class Trend:
    chi2: float
    z: float
    p: float


def cochran_armitage(
    successes: Sequence[int], totals: Sequence[int], scores: Sequence[float]
) -> Trend | None:
    """Cochran-Armitage test for a linear trend in proportions ``successes[i] / totals[i]``.

    With N = sum n_i, R = sum r_i and p = R / N:
    T = sum t_i (r_i - n_i p), Var(T) = p (1 - p) [sum n_i t_i^2 - (sum n_i t_i)^2 / N],
    chi-square = T^2 / Var(T) on 1 degree of freedom, z = T / sqrt(Var(T)) (positive: rising).
    Returns None when the test is undefined (no variation in outcome or in scores).
    """
    r = np.asarray(successes, dtype=float)
    n = np.asarray(totals, dtype=float)
    t = np.asarray(scores, dtype=float)
    keep = n > 0
    r, n, t = r[keep], n[keep], t[keep]
    big_n = n.sum()
    if len(n) < 2 or big_n == 0:
        return None
    p_bar = r.sum() / big_n
    statistic = float((t * (r - n * p_bar)).sum())
    # T is a difference of sums that is often exactly 0 (a code in the middle phase only, one document a
    # phase); floating point leaves round-off such as 3e-16 there, which is shown as 0, not as a trend.
    if abs(statistic) <= 1e-12 * float((np.abs(t) * (r + n * p_bar)).sum()):
        statistic = 0.0
    variance = float(p_bar * (1 - p_bar) * ((n * t * t).sum() - (n * t).sum() ** 2 / big_n))
    if variance <= 0:
        return None
    chi2 = statistic * statistic / variance
    from scipy import stats as sps

    return Trend(chi2=chi2, z=statistic / math.sqrt(variance), p=float(sps.chi2.sf(chi2, 1)))
