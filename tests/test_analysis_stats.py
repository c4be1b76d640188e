"""Each statistic against a value worked out by hand (the working is in the comments)."""

from __future__ import annotations

import math

import pytest

from beacon_qual.analysis import stats


def test_chi_square_2x2_from_the_formula():
    # [[10, 20], [30, 40]]: N = 100, ad - bc = 400 - 600 = -200, margins 30, 70 (rows) and 40, 60 (columns).
    # chi2 = N (ad - bc)^2 / (r1 r2 c1 c2) = 100 * 40000 / (30 * 70 * 40 * 60) = 4e6 / 5.04e6 = 0.793651
    # Cramér's V = sqrt(chi2 / (N (min(r, c) - 1))) = sqrt(0.793651 / 100) = 0.0890871
    # 1 degree of freedom: p = erfc(sqrt(chi2 / 2)) = 0.37300
    result = stats.chi_square([[10, 20], [30, 40]])
    assert result.chi2 == pytest.approx(4e6 / 5.04e6)
    assert result.dof == 1
    assert result.cramers_v == pytest.approx(math.sqrt(4e6 / 5.04e6 / 100))
    assert result.p == pytest.approx(math.erfc(math.sqrt(4e6 / 5.04e6 / 2)))
    assert result.min_expected == pytest.approx(12.0)  # 30 * 40 / 100
    assert result.warning is None


def test_chi_square_2x3_and_cramers_v():
    # [[10, 10, 0], [0, 10, 10]]: N = 40, row totals 20, 20, column totals 10, 20, 10.
    # Expected: [[5, 10, 5], [5, 10, 5]]; chi2 = 4 * (5^2 / 5) + 2 * 0 = 20; df = 2.
    # V = sqrt(20 / (40 * 1)) = 0.707107; p = exp(-chi2 / 2) for 2 df = exp(-10) = 4.53999e-5
    result = stats.chi_square([[10, 10, 0], [0, 10, 10]])
    assert result.chi2 == pytest.approx(20.0)
    assert result.dof == 2
    assert result.cramers_v == pytest.approx(math.sqrt(0.5))
    assert result.p == pytest.approx(math.exp(-10))


def test_expected_counts_below_five_give_a_warning():
    # [[1, 4], [5, 2]]: N = 12, rows 5, 7, columns 6, 6: expected 2.5, 2.5, 3.5, 3.5, all below 5.
    result = stats.chi_square([[1, 4], [5, 2]])
    assert result.low_expected_cells == 4
    assert result.min_expected == pytest.approx(2.5)
    assert result.warning == (
        "4 of 4 expected counts are below 5 (smallest 2.50); the chi-square p-value may be unreliable"
    )


def test_chi_square_drops_empty_categories_and_refuses_one_column():
    assert stats.chi_square([[10, 0, 20], [30, 0, 40]]).chi2 == pytest.approx(4e6 / 5.04e6)
    assert stats.chi_square([[3, 0], [5, 0]]) is None


def test_fisher_exact_tea_tasting():
    # [[3, 1], [1, 3]], margins all 4, N = 8:
    # P(a) = C(4, a)^2 / C(8, 4) = 1, 16, 36, 16, 1 (/70) for a = 0..4.
    # Two-sided p sums the tables no more likely than the observed one (a = 3):
    # (1 + 16 + 16 + 1) / 70 = 17/35.
    # Odds ratio = (3 * 3) / (1 * 1) = 9.
    result = stats.fisher_2x2([[3, 1], [1, 3]])
    assert result.p == pytest.approx(17 / 35)
    assert result.odds_ratio == pytest.approx(9.0)
    assert stats.fisher_2x2([[1, 2, 3], [3, 2, 1]]) is None


def test_mann_whitney_u_and_rank_biserial():
    # first = [1, 4, 6], second = [2, 3, 5, 7]. U1 counts pairs where first > second:
    # 1 beats none, 4 beats 2 and 3, 6 beats 2, 3 and 5 -> U1 = 0 + 2 + 3 = 5; n1 n2 = 12.
    # r = 2 U1 / (n1 n2) - 1 = 10/12 - 1 = -1/6 (equivalently 1 - 2 U2 / (n1 n2) with U2 = 7).
    # Exact null distribution of U for (3, 4): counts 1,1,2,3,4,4,5,4,4,3,2,1,1 over U = 0..12 (35 in all);
    # P(U <= 5) = 15/35, two-sided p = 30/35.
    result = stats.mann_whitney([1, 4, 6], [2, 3, 5, 7])
    assert result.u == 5
    assert result.rank_biserial == pytest.approx(-1 / 6)
    assert result.p == pytest.approx(30 / 35)
    assert (result.n1, result.n2) == (3, 4)
    assert stats.mann_whitney([], [1.0]) is None


def test_spearman_without_ties():
    # x = [1, 2, 3, 4, 5], y = [2, 1, 4, 3, 5]: d = [-1, 1, -1, 1, 0], sum d^2 = 4.
    # rho = 1 - 6 * 4 / (5 * (25 - 1)) = 1 - 24/120 = 0.8
    result = stats.spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    assert result.rho == pytest.approx(0.8)
    assert result.n == 5
    assert stats.spearman([1, 1, 1], [1, 2, 3]) is None


def test_benjamini_hochberg_by_hand():
    # p = 0.01, 0.04, 0.03, 0.20 (m = 4). Sorted with p * m / rank: 0.01 -> 0.04, 0.03 -> 0.06,
    # 0.04 -> 0.05333, 0.20 -> 0.20; the running minimum from the largest rank down gives
    # 0.04, 0.05333, 0.05333, 0.20 (0.06 becomes 0.05333). None stays None and is not counted.
    adjusted = stats.benjamini_hochberg([0.01, None, 0.04, 0.03, 0.20])
    assert adjusted[1] is None
    assert adjusted[0] == pytest.approx(0.04)
    assert adjusted[2] == pytest.approx(0.16 / 3)
    assert adjusted[3] == pytest.approx(0.16 / 3)
    assert adjusted[4] == pytest.approx(0.20)


def test_cochran_armitage_by_hand():
    # successes 1, 3, 6 of 10 each, scores 1, 2, 3: N = 30, R = 10, p = 1/3.
    # T = 1 (1 - 10/3) + 2 (3 - 10/3) + 3 (6 - 10/3) = -7/3 - 2/3 + 8 = 5
    # Var = p (1 - p) [sum n t^2 - (sum n t)^2 / N] = 2/9 * [140 - 60^2 / 30] = 2/9 * 20 = 40/9
    # chi2 = T^2 / Var = 25 * 9 / 40 = 5.625; z = 5 / sqrt(40/9) = 2.371708;
    # p = erfc(sqrt(5.625 / 2)) = 0.01770
    result = stats.cochran_armitage([1, 3, 6], [10, 10, 10], [1, 2, 3])
    assert result.chi2 == pytest.approx(5.625)
    assert result.z == pytest.approx(5 / math.sqrt(40 / 9))
    assert result.p == pytest.approx(math.erfc(math.sqrt(5.625 / 2)))


def test_cochran_armitage_falling_and_undefined():
    falling = stats.cochran_armitage([6, 3, 1], [10, 10, 10], [1, 2, 3])
    assert falling.z == pytest.approx(-5 / math.sqrt(40 / 9))
    assert stats.cochran_armitage([0, 0, 0], [5, 5, 5], [1, 2, 3]) is None  # no variation in outcome
    assert stats.cochran_armitage([1], [5], [1]) is None
