"""CSV cells: formulas are neutralised, numbers stay numbers (negative ones and numbers written as text too).

Numbers from builders.py (ANALYSIS): innovation_score wave 2 is -5, 15, 25, 35 for AAA-DDD.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from builders import ANALYSIS, BARRIERS
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.store import new_uuid

LEVELS = ["-2", "-0.75", "0", "+1e-3"]  # an invented scale whose levels are numbers written as text


@pytest.fixture
def project_path(tmp_path, make_project):
    project = make_project(ANALYSIS, "cells.db")
    with project.transaction():
        project.execute("UPDATE codes SET name = '=HYPERLINK(\"http://x\")' WHERE name = ?", (BARRIERS,))
        project.execute("UPDATE cases SET name = '-Dham' WHERE code = 'DDD'")
        project.execute(
            "INSERT INTO variables(id, uuid, name, type, levels) VALUES (9, ?, 'scale', 'categorical', ?)",
            (new_uuid(), json.dumps(LEVELS)),
        )
        for case_id, level in zip((1, 2, 3, 4), LEVELS):
            project.execute(
                "INSERT INTO case_values(variable_id, case_id, wave, value_num, value_text) VALUES (9,?,1,NULL,?)",
                (case_id, level),
            )
    project.close()
    return tmp_path / "cells.db"


def rows(project_path, *args) -> list[dict[str, str]]:
    result = CliRunner().invoke(main, ["--project", str(project_path), *args])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_export_frequencies_csv_keeps_numbers_and_neutralises_names(project_path):
    wide = rows(project_path, "export", "frequencies", "--format", "wide", "--with-survey", "all")
    by_council = {row["council"]: row for row in wide}
    assert by_council["AAA"]["innovation_score_w2"] == "-5"
    assert by_council["AAA"]["scale_w1"] == "-2" and by_council["BBB"]["scale_w1"] == "-0.75"
    assert by_council["DDD"]["scale_w1"] == "+1e-3"
    assert by_council["DDD"]["council_name"] == "'-Dham"
    plain = rows(project_path, "export", "frequencies", "--format", "csv")
    assert '\'=HYPERLINK("http://x")' in [row["code"] for row in plain]


def test_crosstab_csv_keeps_numbers_and_neutralises_names(project_path):
    table = rows(project_path, "crosstab", "--variable", "scale", "--format", "csv")
    assert {row["category"] for row in table} == set(LEVELS)
    assert '\'=HYPERLINK("http://x")' in {row["code"] for row in table}
    rho = [
        row["spearman_rho"]
        for row in rows(
            project_path, "crosstab", "--variable", "innovation_score", "--wave", "2", "--format", "csv"
        )
    ]
    assert any(value.startswith("-0.") for value in rho)
    float(next(value for value in rho if value))  # a number, not '-0.44...


def test_survey_summary_csv_keeps_negative_numbers(project_path):
    summary = rows(project_path, "survey", "show", "innovation_score", "--format", "csv")
    assert {row["measure"]: row["value"] for row in summary if row["wave"] == "2"}["min"] == "-5"
