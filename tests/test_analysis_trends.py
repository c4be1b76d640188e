"""Phase trends with the Cochran-Armitage test, worked by hand from builders.py (ANALYSIS).

Documents per phase: 1: a1, b1, d1 (d1.txt is never coded: a 0 for every code) = 3; 2: a2, c2 = 2;
3: b3, c3, d3 = 3. Councils interviewed per phase: 1: AAA, BBB, DDD; 2: AAA, CCC; 3: BBB, CCC, DDD.
"""

from __future__ import annotations

import csv
import io
import math

import pytest
from builders import ADAPTATION, BARRIERS, IMITATION
from click.testing import CliRunner

from beacon_qual.analysis.selection import Filters
from beacon_qual.analysis.trends import trends, trends_report
from beacon_qual.cli import main
from beacon_qual.errors import BeaconError


def row_of(result, code):
    return next(r for r in result.rows if r.code == code)


def test_prevalence_by_phase(analysis_project):
    result = trends(analysis_project)
    assert result.phases == [1, 2, 3]
    assert result.document_totals == [3, 2, 3]
    assert result.council_totals == [3, 2, 3]
    assert row_of(result, ADAPTATION).documents == [1, 1, 3]  # a1; a2; b3, c3, d3
    assert row_of(result, IMITATION).documents == [2, 0, 1]  # a1, b1; -; d3
    assert row_of(result, IMITATION).councils == [2, 0, 1]


def test_adaptation_rises_and_imitation_falls(analysis_project):
    result = trends(analysis_project)
    # Adaptation: r = 1, 1, 3 of n = 3, 2, 3; N = 8, R = 5, p = 5/8.
    # T = 1 (1 - 15/8) + 2 (1 - 10/8) + 3 (3 - 15/8) = -7/8 - 4/8 + 27/8 = 2
    # sum n t = 16, sum n t^2 = 38: Var = (5/8)(3/8)(38 - 256/8) = (15/64)(6) = 45/32
    # chi2 = 4 / (45/32) = 128/45; z = 2 / sqrt(45/32)
    adaptation = row_of(result, ADAPTATION).document_trend
    assert adaptation.chi2 == pytest.approx(128 / 45)
    assert adaptation.z == pytest.approx(2 / math.sqrt(45 / 32))
    # Imitation: r = 2, 0, 1; R = 3, p = 3/8. T = (2 - 9/8) + 2 (0 - 6/8) + 3 (1 - 9/8) = -1
    # Var = (3/8)(5/8)(6) = 45/32; chi2 = 1 / (45/32) = 32/45; z < 0: falling.
    imitation = row_of(result, IMITATION).document_trend
    assert imitation.chi2 == pytest.approx(32 / 45)
    assert imitation.z == pytest.approx(-1 / math.sqrt(45 / 32))
    assert imitation.p == pytest.approx(math.erfc(math.sqrt(32 / 45 / 2)))


def test_role_filter_changes_the_base(analysis_project):
    result = trends(analysis_project, Filters(roles=("officer",)))
    # Officer documents: a1, b1, d1 (phase 1, d1 never coded); c2 (phase 2); c3 (phase 3).
    assert result.document_totals == [3, 1, 1]
    assert row_of(result, BARRIERS).documents == [2, 1, 0]


def test_csv_has_one_row_per_code_and_phase(analysis_project):
    result = CliRunner().invoke(
        main, ["-p", str(analysis_project.path), "trends", IMITATION, "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["phase"], r["documents_with_code"], r["documents"], r["document_share"]) for r in rows] == [
        ("1", "2", "3", "0.6666666667"),
        ("2", "0", "2", "0"),
        ("3", "1", "3", "0.3333333333"),
    ]
    assert float(rows[0]["document_trend_chi2"]) == pytest.approx(32 / 45)


def test_a_code_in_every_document_has_no_trend_test(analysis_project):
    # AAA: a1 (phase 1) and a2 (phase 2) both hold Adaptation (c2, c5).
    result = trends(analysis_project, Filters(councils=("AAA",)))
    assert row_of(result, ADAPTATION).documents == [1, 1]
    assert row_of(result, ADAPTATION).document_trend is None
    report = trends_report(analysis_project, result)
    assert f"{ADAPTATION}: no trend test; the code is in all or none of the documents" in report.notes


def test_one_phase_is_not_a_trend(analysis_project):
    with pytest.raises(BeaconError, match="two or more phases"):
        trends(analysis_project, Filters(phases=(3,)))
    result = CliRunner().invoke(main, ["-p", str(analysis_project.path), "trends", "--phase", "2"])
    assert result.exit_code == 1 and result.output.startswith("error: a trend needs documents in two")
