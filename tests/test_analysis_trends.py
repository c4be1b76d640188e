"""Phase trends with the Cochran-Armitage test, worked by hand from analysis_fixture.py.

Coded documents per phase: 1: a1, b1 (d1.txt is never coded) = 2; 2: a2, c2 = 2; 3: b3, c3, d3 = 3.
Councils with coded documents per phase: 1: AAA, BBB; 2: AAA, CCC; 3: BBB, CCC, DDD.
"""

from __future__ import annotations

import csv
import io
import math

import pytest
from analysis_fixture import ADAPTATION, BARRIERS, IMITATION, build_project
from click.testing import CliRunner

from beacon_qual.analysis.selection import Filters
from beacon_qual.analysis.trends import trends, trends_report
from beacon_qual.cli import main
from beacon_qual.errors import BeaconError


@pytest.fixture
def analysis_project(tmp_path):
    project = build_project(tmp_path / "analysis.db")
    yield project
    project.close()


def row_of(result, code):
    return next(r for r in result.rows if r.code == code)


def test_prevalence_by_phase(analysis_project):
    result = trends(analysis_project)
    assert result.phases == [1, 2, 3]
    assert result.document_totals == [2, 2, 3]
    assert result.council_totals == [2, 2, 3]
    assert row_of(result, ADAPTATION).documents == [1, 1, 3]  # a1; a2; b3, c3, d3
    assert row_of(result, IMITATION).documents == [2, 0, 1]  # a1, b1; -; d3
    assert row_of(result, IMITATION).councils == [2, 0, 1]


def test_adaptation_rises_and_imitation_falls(analysis_project):
    result = trends(analysis_project)
    # Adaptation: r = 1, 1, 3 of n = 2, 2, 3; N = 7, R = 5, p = 5/7.
    # T = 1 (1 - 10/7) + 2 (1 - 10/7) + 3 (3 - 15/7) = -3/7 - 6/7 + 18/7 = 9/7
    # sum n t = 15, sum n t^2 = 37: Var = (5/7)(2/7)(37 - 225/7) = (10/49)(34/7) = 340/343
    # chi2 = (81/49) / (340/343) = 567/340; z = (9/7) / sqrt(340/343)
    adaptation = row_of(result, ADAPTATION).document_trend
    assert adaptation.chi2 == pytest.approx(567 / 340)
    assert adaptation.z == pytest.approx((9 / 7) / math.sqrt(340 / 343))
    # Imitation: r = 2, 0, 1; R = 3, p = 3/7. T = (2 - 6/7) + 2 (0 - 6/7) + 3 (1 - 9/7) = -10/7
    # Var = (3/7)(4/7)(34/7) = 408/343; chi2 = (100/49) / (408/343) = 700/408; z < 0: falling.
    imitation = row_of(result, IMITATION).document_trend
    assert imitation.chi2 == pytest.approx(700 / 408)
    assert imitation.z == pytest.approx(-(10 / 7) / math.sqrt(408 / 343))
    assert imitation.p == pytest.approx(math.erfc(math.sqrt(700 / 408 / 2)))


def test_role_filter_changes_the_base(analysis_project):
    result = trends(analysis_project, Filters(roles=("officer",)))
    # Officer documents coded: a1, b1 (phase 1); c2 (phase 2); c3 (phase 3).
    assert result.document_totals == [2, 1, 1]
    assert row_of(result, BARRIERS).documents == [2, 1, 0]


def test_csv_has_one_row_per_code_and_phase(analysis_project):
    result = CliRunner().invoke(
        main, ["-p", str(analysis_project.path), "trends", IMITATION, "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["phase"], r["documents_with_code"], r["documents"], r["document_share"]) for r in rows] == [
        ("1", "2", "2", "1"),
        ("2", "0", "2", "0"),
        ("3", "1", "3", "0.3333333333"),
    ]
    assert float(rows[0]["document_trend_chi2"]) == pytest.approx(700 / 408)


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
    assert result.exit_code == 1 and result.output.startswith("error: a trend needs coded documents in two")
