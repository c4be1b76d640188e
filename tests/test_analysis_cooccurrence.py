"""Co-occurrence counts and c-coefficients per level, counted by hand from analysis_fixture.py.

Codes present per sentence (all coders): a1 s0 {Imitation, Adaptation}, s1 {Adaptation}, s3 {Barriers};
a2 s2 {Adaptation, Learning}; b1 s1 {Imitation, Barriers}, s5 {Imitation}; b3 s4 {Adaptation},
s5 {Adaptation, Barriers} (c10 spans s4-s5); c2 s0 {Learning, Barriers}; c3 s7 {Adaptation};
d3 s8 {Imitation}, s9 {Adaptation}.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from analysis_fixture import ADAPTATION, BARRIERS, IMITATION, LEARNING, build_project
from click.testing import CliRunner

from beacon_qual.analysis import cooccurrence as cooccurrence_module
from beacon_qual.analysis.cooccurrence import cooccurrence, span_keys, units_of_codings
from beacon_qual.analysis.selection import Filters
from beacon_qual.cli import main


@pytest.fixture
def analysis_project(tmp_path):
    project = build_project(tmp_path / "analysis.db")
    yield project
    project.close()


def pair(result, a, b):
    found = next(p for p in result.pairs if {p.code_a, p.code_b} == {a, b})
    counts = {found.code_a: found.n_a, found.code_b: found.n_b}
    return counts[a], counts[b], found.n_ab, found.c


def test_within_sentence(analysis_project):
    result = cooccurrence(analysis_project, within="sentence")
    assert result.units == 12
    # n: Adaptation 7, Imitation 4, Barriers 4, Learning 2.
    assert pair(result, ADAPTATION, IMITATION) == (7, 4, 1, pytest.approx(1 / 10))  # a1 s0
    assert pair(result, ADAPTATION, LEARNING) == (7, 2, 1, pytest.approx(1 / 8))  # a2 s2
    assert pair(result, ADAPTATION, BARRIERS) == (7, 4, 1, pytest.approx(1 / 10))  # b3 s5
    assert pair(result, IMITATION, BARRIERS) == (4, 4, 1, pytest.approx(1 / 7))  # b1 s1
    assert pair(result, LEARNING, BARRIERS) == (2, 4, 1, pytest.approx(1 / 5))  # c2 s0
    assert len(result.pairs) == 5  # Imitation and Learning never meet


def test_within_turn(analysis_project):
    result = cooccurrence(analysis_project, within="turn")
    # Turns: a1 t0 {Imi, Ada, Bar}; a2 t0 {Ada, Lea}; b1 t0 {Imi, Bar}, t1 {Imi}; b3 t0 {Ada}, t1 {Ada, Bar};
    # c2 t0 {Lea, Bar}; c3 t1 {Ada}; d3 t1 {Imi, Ada}. n: Ada 6, Imi 4, Bar 4, Lea 2.
    assert pair(result, ADAPTATION, IMITATION) == (6, 4, 2, pytest.approx(2 / 8))
    assert pair(result, ADAPTATION, BARRIERS) == (6, 4, 2, pytest.approx(2 / 8))
    assert pair(result, IMITATION, BARRIERS) == (4, 4, 2, pytest.approx(2 / 6))
    assert pair(result, ADAPTATION, LEARNING) == (6, 2, 1, pytest.approx(1 / 7))
    assert pair(result, LEARNING, BARRIERS) == (2, 4, 1, pytest.approx(1 / 5))


def test_within_document(analysis_project):
    result = cooccurrence(analysis_project, within="document")
    # a1 {Imi, Ada, Bar}, a2 {Ada, Lea}, b1 {Imi, Bar}, b3 {Ada, Bar}, c2 {Lea, Bar}, c3 {Ada}, d3 {Imi, Ada}.
    assert result.units == 7
    assert pair(result, ADAPTATION, IMITATION) == (5, 3, 2, pytest.approx(2 / 6))
    assert pair(result, ADAPTATION, BARRIERS) == (5, 4, 2, pytest.approx(2 / 7))
    assert pair(result, IMITATION, BARRIERS) == (3, 4, 2, pytest.approx(2 / 5))
    assert pair(result, ADAPTATION, LEARNING) == (5, 2, 1, pytest.approx(1 / 6))


def test_overlap_pairs_codings_of_one_coder(analysis_project):
    result = cooccurrence(analysis_project, within="overlap")
    # Overlapping codings by the same coder: c1-c2 (Imi-Ada, alice), c5-c6 (Ada-Lea), c10-c11 (Ada-Bar, bob),
    # c12-c13 (Lea-Bar). c14/c15 overlap but are by different coders. n = codings: Ada 6, Imi 5, Bar 4, Lea 2.
    assert pair(result, ADAPTATION, IMITATION) == (6, 5, 1, pytest.approx(1 / 10))
    assert pair(result, ADAPTATION, LEARNING) == (6, 2, 1, pytest.approx(1 / 7))
    assert pair(result, ADAPTATION, BARRIERS) == (6, 4, 1, pytest.approx(1 / 9))
    assert pair(result, LEARNING, BARRIERS) == (2, 4, 1, pytest.approx(1 / 5))
    assert len(result.pairs) == 4


def test_coder_filter_and_min_count(analysis_project):
    result = cooccurrence(analysis_project, Filters(coders=("bob",)), within="document")
    # bob: a1 {Imi}, b1 {Bar}, b3 {Ada, Bar}, c3 {Ada}.
    assert pair(result, ADAPTATION, BARRIERS) == (2, 2, 1, pytest.approx(1 / 3))
    assert len(result.pairs) == 1
    assert cooccurrence(analysis_project, within="document", min_count=2).pairs[0].n_ab == 2


def test_sweep_maps_codings_to_every_unit_they_touch():
    # units (document, start, end): 0 = (1, 0, 10), 1 = (1, 11, 20), 2 = (1, 21, 30), 3 = (2, 0, 10)
    unit_start, unit_end = span_keys(
        np.array([1, 1, 1, 2]), np.array([0, 11, 21, 0]), np.array([10, 20, 30, 10])
    )
    # codings: 0 = (1, 5, 15) touches units 0 and 1; 1 = (1, 10, 11) lies in the gap; 2 = (2, 0, 3) is in
    # unit 3; 3 = (1, 29, 40) reaches into unit 2 only.
    coding_start, coding_end = span_keys(
        np.array([1, 1, 2, 1]), np.array([5, 10, 0, 29]), np.array([15, 11, 3, 40])
    )
    coding_idx, unit_idx = units_of_codings(coding_start, coding_end, unit_start, unit_end)
    assert sorted(zip(coding_idx.tolist(), unit_idx.tolist())) == [(0, 0), (0, 1), (2, 3), (3, 2)]


def test_many_documents_are_read_in_one_scan(analysis_project, monkeypatch):
    monkeypatch.setattr(cooccurrence_module, "INDEXED_DOCUMENTS", 0)
    result = cooccurrence(analysis_project, within="sentence")
    assert result.units == 12
    assert pair(result, ADAPTATION, IMITATION) == (7, 4, 1, pytest.approx(1 / 10))
    assert pair(result, LEARNING, BARRIERS) == (2, 4, 1, pytest.approx(1 / 5))


def test_json_output(analysis_project):
    result = CliRunner().invoke(
        main, ["-p", str(analysis_project.path), "cooccurrence", "--within", "document", "--format", "json"]
    )
    data = json.loads(result.stdout)
    assert data["provenance"]["options"] == {"within": "document"}
    first = data["pairs"][0]
    assert set(first) == {"code_a", "code_b", "n_a", "n_b", "n_ab", "c"}


def test_unknown_level_is_refused_by_the_cli(analysis_project):
    result = CliRunner().invoke(
        main, ["-p", str(analysis_project.path), "cooccurrence", "--within", "paragraph"]
    )
    assert result.exit_code == 2 and "paragraph" in result.output
