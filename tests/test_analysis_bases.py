"""The bases of the analyses (builders.py (ANALYSIS)): every interviewed council and every document of the
selection is counted, coded or not; documents marked fully coded; survey waves per phase; exact zeros.

In phase 1 the documents are a1 (AAA, urban), b1 (BBB, urban) and d1 (DDD, rural), and nobody has coded d1.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from builders import ADAPTATION, ANALYSIS, IMITATION, LEARNING
from click.testing import CliRunner

from beacon_qual.cli import main


@pytest.fixture
def project_path(make_project_file):
    return make_project_file(ANALYSIS, "analysis.db")


def run(path, *args, env=None):
    return CliRunner().invoke(main, ["-p", str(path), *args], env=env)


# -- a zero is a zero --------------------------------------------------------------------------------------
def test_crosstab_counts_an_interviewed_council_without_codings(project_path):
    result = run(project_path, "crosstab", IMITATION, "--variable", "region_type", "--phase", "1")
    assert result.exit_code == 0, result.output
    # DDD (rural) was interviewed in phase 1 (d1.txt) and has no coding: the rural group has one council.
    assert f"| {IMITATION} | 2 (100.0% row, 100.0% col) | 0 (0.0% row, 0.0% col) | 2 |" in result.output
    assert "rural (n = 1)" in result.output
    assert "- base: 3 councils interviewed, 2 coded; 3 documents, 2 coded; 3 not marked done" in result.output
    data = json.loads(
        run(project_path, "crosstab", "--variable", "region_type", "--phase", "1", "--format", "json").output
    )
    base = data["provenance"]["base"]
    assert (base["councils"], base["councils_coded"], base["documents"], base["documents_coded"]) == (
        3,
        2,
        3,
        2,
    )
    rows = {(r["code"], r["category"]): r for r in data["crosstab"]}
    assert rows[(IMITATION, "rural")]["category_councils"] == 1


def test_trends_count_uncoded_documents_and_state_the_base(project_path):
    result = run(project_path, "trends", IMITATION, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["phase"], r["documents"], r["councils"]) for r in rows] == [
        ("1", "3", "3"),
        ("2", "2", "2"),
        ("3", "3", "3"),
    ]
    provenance = json.loads(result.stderr.split("provenance: ", 1)[1].splitlines()[0])
    assert provenance["base"]["text"].startswith("4 councils interviewed, 4 coded; 8 documents, 7 coded")
    markdown = run(project_path, "trends", IMITATION).output
    assert "phase 1 (n = 3)" in markdown and "- base: 4 councils interviewed" in markdown


def test_joint_display_has_a_row_for_an_uncoded_council(project_path):
    result = run(
        project_path,
        "joint-display",
        "--measures",
        "innovation_score",
        "--codes",
        "Imitation",
        "--wave",
        "1",
        "--phase",
        "1",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(r["council"], r[f"{IMITATION}: passages"]) for r in data["rows"]] == [
        ("AAA", 2),
        ("BBB", 2),
        ("DDD", 0),
    ]
    assert data["provenance"]["base"]["councils"] == 3


def test_wide_export_has_zeros_for_an_uncoded_council(project_path, tmp_path):
    out = tmp_path / "wide.csv"
    result = run(project_path, "export", "frequencies", "--format", "wide", "--phase", "1", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert [r[0] for r in rows[1:]] == ["AAA", "BBB", "DDD"]
    assert rows[3][2:] == ["0"] * (len(rows[0]) - 2)
    base = json.loads((tmp_path / "wide.csv.provenance.json").read_text())["base"]
    assert base["text"] == "3 councils interviewed, 2 coded; 3 documents, 2 coded; 3 not marked done"


# -- documents marked done ---------------------------------------------------------------------------------
def test_done_only_keeps_the_documents_a_coder_marked_done(project_path):
    for doc in ("a1.txt", "c2.txt"):
        result = run(project_path, "docs", "done", doc, "--coder", "alice")
        assert result.exit_code == 0, result.output
        assert result.output == f"{doc}: done for alice\n"
    assert (
        run(project_path, "docs", "done", "a1.txt", "--coder", "alice").output
        == "a1.txt: done for alice (already)\n"
    )
    result = run(
        project_path,
        "crosstab",
        "--variable",
        "region_type",
        "--unit",
        "document",
        "--done-only",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    totals = {r["category"]: r["category_documents"] for r in data["crosstab"] if r["code"] == ADAPTATION}
    assert totals == {"urban": 1, "rural": 1}
    assert data["provenance"]["filters"]["done_only"] is True
    assert data["provenance"]["base"]["text"].endswith(
        "only documents marked done; 6 not marked done left out"
    )
    # Without --done-only every document counts, and the base says how many are not marked done.
    plain = json.loads(run(project_path, "crosstab", "--variable", "region_type", "--format", "json").output)
    assert plain["provenance"]["base"]["not_done"] == 6
    # bob marked nothing done: nothing is left.
    refused = run(project_path, "crosstab", "--variable", "region_type", "--done-only", "--coder", "bob")
    assert refused.exit_code == 1 and refused.output.startswith("error: no documents of a council match")


def test_done_is_per_coder_and_undoable(project_path):
    run(project_path, "docs", "done", "a1.txt", "--coder", "bob")
    freq = run(project_path, "export", "frequencies", "--done-only", "--coder", "alice", "--format", "json")
    assert freq.exit_code == 0 and json.loads(freq.output)["frequencies"][0]["codings"] == 0
    undo = run(project_path, "coding", "undo", "--coder", "bob")
    assert undo.exit_code == 0, undo.output
    assert "undid marking a document done" in undo.output
    refused = run(project_path, "crosstab", "--variable", "region_type", "--done-only")
    assert refused.exit_code == 1
    assert run(project_path, "coding", "redo", "--coder", "bob").exit_code == 0
    assert run(project_path, "crosstab", "--variable", "region_type", "--done-only").exit_code == 0
    undone = run(project_path, "docs", "undone", "a1.txt", "--coder", "bob")
    assert undone.output == "a1.txt: not done for bob\n"
    assert run(project_path, "crosstab", "--variable", "region_type", "--done-only").exit_code == 1
    assert run(project_path, "docs", "done", "zz.txt", "--coder", "bob").output.startswith(
        "error: no document 'zz.txt'"
    )


# -- survey waves and study phases -------------------------------------------------------------------------
def test_a_recorded_wave_is_used_for_its_phase_and_named(project_path):
    result = run(project_path, "survey", "waves", "set", "2", "--phase", "3", "--date", "2009-05-01")
    assert result.exit_code == 0, result.output
    assert result.output == "wave 2: date 2009-05-01, phases 3\n"
    listing = run(project_path, "survey", "waves").output
    assert "2009-05-01" in listing and "phase 1: wave 1 (assumed: none recorded, same number)" in listing
    # innovation_score has waves 1 and 2; phase 3's documents use wave 2 (DDD 35, CCC 25, BBB 15).
    result = run(project_path, "crosstab", "--variable", "innovation_score", "--phase", "3", "--cuts", "20")
    assert result.exit_code == 0, result.output
    assert "Codes by innovation_score (wave 2)" in result.output
    assert "- survey wave per phase: phase 3: wave 2 (recorded)" in result.output
    joint = run(
        project_path,
        "joint-display",
        "--measures",
        "innovation_score",
        "--codes",
        "Imitation",
        "--phase",
        "3",
        "--format",
        "json",
    )
    assert joint.exit_code == 0, joint.output
    data = json.loads(joint.output)
    assert {r["council"]: r["innovation_score"] for r in data["rows"]} == {"BBB": 15, "CCC": 25, "DDD": 35}
    assert data["provenance"]["phase_waves"] == ["innovation_score: phase 3: wave 2 (recorded)"]


def test_phases_that_point_to_different_waves_are_refused(project_path):
    run(project_path, "survey", "waves", "set", "1", "--phase", "1", "--phase", "2")
    run(project_path, "survey", "waves", "set", "2", "--phase", "3")
    result = run(project_path, "crosstab", "--variable", "innovation_score", "--cuts", "20")
    assert result.exit_code == 1
    assert "choose one with --wave" in result.output and "phase 3: wave 2 (recorded)" in result.output
    assert len(result.output.splitlines()) == 1
    both = run(
        project_path,
        "crosstab",
        "--variable",
        "innovation_score",
        "--cuts",
        "20",
        "--phase",
        "1",
        "--phase",
        "2",
    )
    assert both.exit_code == 0 and "(wave 1)" in both.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["1", "--date", "May 2009"], "error: --date must be a date written YYYY-MM-DD, not 'May 2009'"),
        (["1"], "error: say what to record: --phase N"),
        (["1", "--phase", "-1"], "error: a study phase is a number of 0 or more"),
    ],
)
def test_survey_waves_set_refuses_bad_input(project_path, args, message):
    result = run(project_path, "survey", "waves", "set", *args)
    assert result.exit_code != 0 and result.output.startswith(message)


# -- exact zeros -------------------------------------------------------------------------------------------
def test_trends_show_an_exact_zero_as_zero(project_path):
    # Officers of AAA and CCC: one document a phase (a1, c2, c3); Learning only in c2: T is exactly 0.
    args = ["trends", LEARNING, "--council", "AAA", "--council", "CCC", "--role", "officer"]
    result = run(project_path, *args, "--format", "csv")
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["document_trend_z"], row["document_trend_chi2"], row["document_trend_p"]) == ("0", "0", "1")
    assert "e-16" not in run(project_path, *args).output


def test_frequencies_and_cooccurrence_state_their_base_and_the_wave_of_each_phase(project_path):
    run(project_path, "survey", "waves", "set", "1", "--phase", "1", "--phase", "2")
    data = json.loads(run(project_path, "export", "frequencies", "--by", "wave", "--format", "json").output)
    assert data["provenance"]["base"]["documents"] == 8
    assert data["provenance"]["phase_waves"] == [
        "phase 1: wave 1 (recorded)",
        "phase 2: wave 1 (recorded)",
        "phase 3: wave 3 (assumed: none recorded, same number)",
    ]
    markdown = run(project_path, "cooccurrence", "--phase", "1").output
    assert "- base: 3 councils interviewed, 2 coded; 3 documents, 2 coded; 3 not marked done" in markdown
