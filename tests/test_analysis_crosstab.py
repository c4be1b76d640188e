"""Crosstabs of codes by survey variables, per unit, with their tests (numbers from builders.py (ANALYSIS)).

Councils interviewed (with a document): AAA, BBB (urban) and CCC, DDD (rural); EEE has no documents.
Every interviewed council and every document is in the base, coded or not (d1.txt is never coded).
"""

from __future__ import annotations

import csv
import json
import math

import pytest
from builders import ADAPTATION, BARRIERS, IMITATION, LEARNING
from click.testing import CliRunner

from beacon_qual.analysis.crosstab import crosstab
from beacon_qual.analysis.selection import Filters
from beacon_qual.cli import main
from beacon_qual.errors import BeaconError


def row_of(result, code):
    return next(r for r in result.rows if r.code == code)


def test_council_unit_counts_and_percentages(analysis_project):
    result = crosstab(analysis_project, "region_type")
    assert result.categories == ("urban", "rural")
    assert result.category_totals == [2, 2]
    imitation = row_of(result, IMITATION)  # AAA, BBB (urban), DDD (rural)
    assert imitation.counts == [2, 1] and imitation.total == 3
    assert imitation.row_pct == pytest.approx([200 / 3, 100 / 3])
    assert imitation.col_pct == pytest.approx([100.0, 50.0])
    # Table [[2, 1], [0, 1]]: N = 4, rows 3, 1, columns 2, 2; expected [[1.5, 1.5], [0.5, 0.5]].
    # chi2 = 0.25/1.5 * 2 + 0.25/0.5 * 2 = 4/3; V = sqrt((4/3) / 4) = 0.57735.
    assert imitation.chi.chi2 == pytest.approx(4 / 3)
    assert imitation.chi.cramers_v == pytest.approx(math.sqrt(1 / 3))
    # Fisher: with margins 3, 1 / 2, 2 the top-left cell is 1 or 2, each with probability 3/6; p = 1.
    assert imitation.fisher.p == pytest.approx(1.0)
    assert any(note.startswith(f"{IMITATION}: 4 of 4 expected counts are below 5") for note in result.notes)
    # Every council has Adaptation: nothing to test, and the report says so.
    assert row_of(result, ADAPTATION).chi is None
    assert f"{ADAPTATION}: not tested; a test needs units with and without the code" in " ".join(result.notes)


def test_document_unit(analysis_project):
    result = crosstab(analysis_project, "region_type", unit="document")
    # Documents: urban a1 a2 b1 b3 = 4, rural c2 c3 d3 d1 = 4 (d1.txt, never coded, holds no code: a 0).
    assert result.category_totals == [4, 4]
    imitation = row_of(result, IMITATION)  # a1, b1 (urban); d3 (rural)
    assert imitation.counts == [2, 1]
    assert imitation.col_pct == pytest.approx([50.0, 25.0])


def test_segment_unit_chi_square_by_hand(analysis_project):
    result = crosstab(analysis_project, "region_type", unit="segment")
    # Coded segments: AAA 6 + BBB 5 = 11 urban; CCC 4 + DDD 2 = 6 rural.
    assert result.category_totals == [11, 6]
    imitation = row_of(result, IMITATION)  # c1 c4 c7 c8 urban, c17 rural
    assert imitation.counts == [4, 1]
    # [[4, 1], [7, 5]]: chi2 = N (ad - bc)^2 / (r1 r2 c1 c2)
    #                      = 17 * (20 - 7)^2 / (5 * 12 * 11 * 6) = 2873 / 3960
    assert imitation.chi.chi2 == pytest.approx(2873 / 3960)
    assert imitation.chi.cramers_v == pytest.approx(math.sqrt(2873 / 3960 / 17))


def test_numeric_variable_binned_at_cuts(analysis_project):
    result = crosstab(analysis_project, "innovation_score", wave=1, cuts=(15, 35))
    # Scores 10 (AAA), 20 (BBB), 30 (CCC), 40 (DDD): bins < 15, 15 to < 35, >= 35.
    assert result.categories == ("< 15", "15 to < 35", ">= 35")
    assert result.category_totals == [1, 2, 1]
    assert row_of(result, BARRIERS).counts == [1, 2, 0]  # AAA; BBB, CCC
    assert row_of(result, BARRIERS).chi.dof == 2


def test_numeric_variable_quantiles(analysis_project):
    result = crosstab(analysis_project, "innovation_score", wave=1, quantiles=2)
    # The median of 10, 20, 30, 40 is 25: two groups of two councils.
    assert result.categories == ("< 25", ">= 25")
    assert result.category_totals == [2, 2]


def test_mann_whitney_and_spearman_for_a_numeric_measure(analysis_project):
    result = crosstab(analysis_project, "innovation_score", wave=1)
    assert result.categories == ()
    imitation = row_of(result, IMITATION)
    # With Imitation: AAA 10, BBB 20, DDD 40; without: CCC 30. U1 = pairs with > without = 1 (40 > 30).
    # r = 2 * 1 / (3 * 1) - 1 = -1/3.
    mw = imitation.ranks.mann_whitney
    assert (mw.u, mw.n1, mw.n2) == (1, 3, 1)
    assert mw.rank_biserial == pytest.approx(-1 / 3)
    # Codings per council 2, 2, 0, 1 against 10, 20, 30, 40. Ranks of counts 3.5, 3.5, 1, 2 (ties averaged),
    # of scores 1, 2, 3, 4; deviations from 2.5: (1, 1, -1.5, -0.5) and (-1.5, -0.5, 0.5, 1.5);
    # rho = -3.5 / sqrt(4.5 * 5) = -0.737865.
    assert imitation.ranks.spearman.rho == pytest.approx(-3.5 / math.sqrt(22.5))
    # Barriers: with AAA 10, BBB 20, CCC 30; without DDD 40: U1 = 0, r = -1.
    assert row_of(result, BARRIERS).ranks.mann_whitney.rank_biserial == pytest.approx(-1.0)


def test_ordinal_variable_in_level_order_with_rank_tests(analysis_project):
    result = crosstab(analysis_project, "satisfaction")
    assert result.categories == ("Low", "Medium", "High")
    assert result.category_totals == [1, 1, 2]  # AAA Low; CCC Medium; BBB, DDD High
    assert row_of(result, IMITATION).counts == [1, 0, 2]
    assert row_of(result, IMITATION).ranks.mann_whitney is not None


def test_boolean_variable_gets_fisher(analysis_project):
    result = crosstab(analysis_project, "beacon", unit="segment")
    assert result.categories == ("false", "true")
    # false: BBB 5 + DDD 2 = 7 segments, true: AAA 6 + CCC 4 = 10. Imitation: BBB 2 + DDD 1; AAA 2.
    imitation = row_of(result, IMITATION)
    assert result.category_totals == [7, 10] and imitation.counts == [3, 2]
    assert imitation.fisher is not None and 0 < imitation.fisher.p <= 1


def test_benjamini_hochberg_across_codes(analysis_project):
    result = crosstab(analysis_project, "region_type", unit="segment")
    tested = [r for r in result.rows if r.chi]
    raw = sorted((r.chi.p, r.chi_p_adj) for r in tested)
    m = len(raw)
    # The largest p stays; each smaller one is min(p * m / rank, the next adjusted value).
    expected = [0.0] * m
    expected[-1] = raw[-1][0]
    for i in range(m - 2, -1, -1):
        expected[i] = min(raw[i][0] * m / (i + 1), expected[i + 1])
    assert [adj for _p, adj in raw] == pytest.approx(expected)


def test_rollup_and_coder_filter(analysis_project):
    result = crosstab(
        analysis_project, "region_type", Filters(codes=(LEARNING,), coders=("bob",)), rollup=True
    )
    # Every interviewed council is in the base: AAA, BBB (urban), CCC, DDD (rural); bob coded in AAA (c4),
    # BBB (c9 c10 c11) and CCC (c15), not in DDD, which is a 0 for him.
    # His Learning, with Adaptation below it: c10 (BBB, urban), c15 (CCC, rural).
    assert result.category_totals == [2, 2]
    assert row_of(result, LEARNING).counts == [1, 1]


def test_segment_totals_follow_the_coder_filter(analysis_project):
    result = crosstab(analysis_project, "region_type", Filters(coders=("bob",)), unit="segment")
    # bob's codings: AAA c4; BBB c9 c10 c11 (urban 4); CCC c15 (rural 1). His Imitation: c4.
    assert result.category_totals == [4, 1]
    assert row_of(result, IMITATION).counts == [1, 0]


def test_uncoded_documents_are_in_the_base(analysis_project):
    result = crosstab(analysis_project, "region_type", Filters(roles=("officer",)), unit="document")
    # Officer documents a1, b1 (urban), c2, c3, d1 (rural); d1.txt is an officer interview nobody has coded.
    assert result.category_totals == [2, 3]
    assert row_of(result, IMITATION).counts == [2, 0]


def test_csv_long_format_reads_back(analysis_project, tmp_path):
    out = tmp_path / "xt.csv"
    result = CliRunner().invoke(
        main,
        [
            "-p",
            str(analysis_project.path),
            "crosstab",
            IMITATION,
            "--variable",
            "region_type",
            "--unit",
            "segment",
            "--format",
            "csv",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["category"], r["segments"], r["category_segments"]) for r in rows] == [
        ("urban", "4", "11"),
        ("rural", "1", "6"),
    ]
    assert float(rows[0]["chi2"]) == pytest.approx(2873 / 3960)
    assert json.loads((tmp_path / "xt.csv.provenance.json").read_text())["options"]["unit"] == "segment"


def test_markdown_shows_counts_percentages_and_tests(analysis_project):
    result = CliRunner().invoke(
        main, ["-p", str(analysis_project.path), "crosstab", "--variable", "region_type"]
    )
    assert result.exit_code == 0
    assert f"| {IMITATION} | 2 (66.7% row, 100.0% col) | 1 (33.3% row, 50.0% col) | 3 |" in result.output
    assert "## Tests of independence" in result.output and "## Provenance" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--variable", "innovation_score"], "survey variable 'innovation_score' has waves 1, 2; choose one"),
        (["--variable", "region_type", "--cuts", "3"], "--cuts and --quantiles apply to numeric variables"),
        (["--variable", "innovation_score", "--wave", "1", "--cuts", "x,2"], "--cuts must be numbers"),
        (["--variable", "innovation_score", "--wave", "1", "--cuts", "20,10"], "cut points must be distinct"),
        (
            ["--variable", "innovation_score", "--wave", "9"],
            "survey variable 'innovation_score' has no wave 9",
        ),
        (["--variable", "colour"], "no survey variable 'colour'"),
    ],
)
def test_cli_errors(analysis_project, args, message):
    result = CliRunner().invoke(main, ["-p", str(analysis_project.path), "crosstab", *args])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {message}")
    assert "Traceback" not in result.output


def test_unknown_unit_is_refused(analysis_project):
    with pytest.raises(BeaconError, match="unknown unit 'passage'"):
        crosstab(analysis_project, "region_type", unit="passage")
