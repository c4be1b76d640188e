"""Joint displays: survey measures beside code counts and a representative quote (builders.py (ANALYSIS))."""

from __future__ import annotations

import csv
import json

import pytest
from builders import BARRIERS, IMITATION, sentence
from click.testing import CliRunner

from beacon_qual.analysis.joint import joint_display
from beacon_qual.cli import main


def test_by_council(analysis_project):
    result = joint_display(
        analysis_project, measures=["innovation_score,satisfaction"], codes=["Imitation"], wave=1
    )
    assert [(r.label, r.name, r.measures) for r in result.rows] == [
        ("AAA", "Aville", [10.0, "Low"]),
        ("BBB", "Bton", [20.0, "High"]),
        ("CCC", "Cford", [30.0, "Medium"]),
        ("DDD", "Dham", [40.0, "High"]),
    ]
    cells = [r.cells[0] for r in result.rows]
    assert [c.passages for c in cells] == [2, 2, 0, 1]
    # AAA: c1 and c4 are both 20 characters (the median); the tie goes to the first in document order.
    assert (cells[0].quote, cells[0].source) == (sentence(0), "a1.txt")
    assert cells[2].quote is None
    assert (cells[3].quote, cells[3].source) == (sentence(8), "d3.txt")


def test_grouped_by_a_survey_variable(analysis_project):
    result = joint_display(
        analysis_project,
        measures=["innovation_score", "satisfaction", "region_type"],
        codes=["Imitation", "Barriers"],
        group_by="region_type",
        wave=1,
    )
    urban, rural = result.rows
    # urban: AAA 10 and BBB 20 -> mean 15; satisfaction levels 0 (Low) and 2 (High) -> mean index 1.
    assert (urban.label, urban.councils, urban.measures) == ("urban", 2, [15.0, 1.0, "urban (2 of 2)"])
    assert (rural.label, rural.councils, rural.measures) == ("rural", 2, [35.0, 1.5, "rural (2 of 2)"])
    # Imitation: urban c1 c4 c7 c8 in AAA and BBB; rural c17 in DDD.
    assert [(c.passages, c.councils) for c in urban.cells] == [(4, 2), (3, 2)]
    assert [(c.passages, c.councils) for c in rural.cells] == [(1, 1), (1, 1)]
    # Barriers in rural: only c13, the 10 characters [5, 15) of c2.txt's first sentence, trimmed.
    assert rural.cells[1].quote == sentence(0)[5:15].strip()


def test_grouped_by_binned_numeric_variable(analysis_project):
    result = joint_display(
        analysis_project, measures=[], codes=["Imitation"], group_by="innovation_score", wave=1, cuts=(25,)
    )
    assert [(r.label, r.councils, r.cells[0].passages) for r in result.rows] == [
        ("< 25", 2, 4),
        (">= 25", 2, 1),
    ]


def test_markdown_and_csv(analysis_project, tmp_path):
    args = [
        "-p",
        str(analysis_project.path),
        "joint-display",
        "--measures",
        "innovation_score",
        "--wave",
        "2",
        "--codes",
        "Imitation",
        "--codes",
        "Barriers",
    ]
    markdown = CliRunner().invoke(main, args)
    assert markdown.exit_code == 0, markdown.output
    assert (
        f"| AAA | Aville | -5 | 2 | “{sentence(0)}” (a1.txt) | 1 | “{sentence(3)}” (a1.txt) |"
        in markdown.output
    )
    out = tmp_path / "joint.csv"
    CliRunner().invoke(main, [*args, "--format", "csv", "-o", str(out)])
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["innovation_score"] == "-5"
    assert rows[3][f"{IMITATION}: passages"] == "1" and rows[3][f"{BARRIERS}: passages"] == "0"
    assert json.loads((tmp_path / "joint.csv.provenance.json").read_text())["options"]["waves"] == {
        "innovation_score": 2,
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--codes", "Imitation", "--by", "council", "--group-by", "region_type"],
            "give either --by council",
        ),
        (
            ["--codes", "Imitation", "--measures", "innovation_score"],
            "survey variable 'innovation_score' has waves",
        ),
        (["--codes", "Nothing"], "no code 'Nothing'"),
        (
            ["--codes", "Imitation", "--group-by", "innovation_score", "--wave", "1"],
            "survey variable 'innovation_score' is numeric; bin it with --cuts",
        ),
    ],
)
def test_cli_errors(analysis_project, args, message):
    result = CliRunner().invoke(main, ["-p", str(analysis_project.path), "joint-display", *args])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {message}")
