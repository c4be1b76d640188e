"""Intercoder agreement: each measure against published or hand-computed values, degenerate cases, CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from builders import Coding, Doc, equal_sentences, spec
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from beacon_qual.agreement import agreement, disagreements, material
from beacon_qual.agreement.measures import (
    BinaryAgreement,
    binary_coincidences,
    coincidences,
    covered_length,
    krippendorff_alpha_nominal,
    nominal_alpha,
    overlap_pairs,
    segment_matches,
    shared_length,
    union_spans,
)
from beacon_qual.agreement.unitized import CoderUnits, binary_u_alphas, unitized_alphas
from beacon_qual.cli import main
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now

# -- Cohen's kappa and percent agreement ---------------------------------------------------------------------


def test_kappa_matches_the_textbook_two_by_two_example():
    # 50 items: both yes 20, only A yes 5, only B yes 10, both no 15 -> po 0.7, pe 0.5, kappa 0.4.
    table = BinaryAgreement(n11=20, n10=5, n01=10, n00=15)
    assert table.percent == pytest.approx(70.0)
    assert table.chance == pytest.approx(0.5)
    assert table.kappa == pytest.approx(0.4)


def test_kappa_degenerate_cases_are_defined():
    assert BinaryAgreement(10, 0, 0, 40).kappa == 1.0  # perfect agreement
    assert BinaryAgreement(0, 0, 0, 50).kappa is None  # nobody said yes: nothing to correct for chance
    assert BinaryAgreement(50, 0, 0, 0).kappa is None  # everybody said yes everywhere
    assert BinaryAgreement(0, 0, 7, 43).kappa == 0.0  # one coder never said yes
    assert BinaryAgreement(0, 0, 0, 0).percent is None


# -- Krippendorff's alpha ---------------------------------------------------------------------------------------
def test_alpha_matches_krippendorffs_four_coder_example_with_missing_values():
    # Krippendorff, "Computing Krippendorff's alpha-reliability" (2011): nominal alpha = 0.743.
    m = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, m, m, m],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, m, 3],
        [m, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, m],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, m],
    ]
    assert krippendorff_alpha_nominal(data) == pytest.approx(0.743, abs=0.0005)


def test_alpha_matches_krippendorffs_binary_two_coder_example():
    # Same source: two observers, ten units, binary data: alpha = 0.095.
    data = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert krippendorff_alpha_nominal(data) == pytest.approx(1 - 19 * 4 / (14 * 6))
    assert round(krippendorff_alpha_nominal(data), 3) == 0.095


def test_alpha_degenerate_cases():
    assert krippendorff_alpha_nominal([[1, 2, 1], [1, 2, 1]]) == 1.0
    assert krippendorff_alpha_nominal([[1, 1, 1], [1, 1, 1]]) is None  # no variation
    assert krippendorff_alpha_nominal([[1, None], [None, 2]]) is None  # nothing pairable


def test_binary_coincidences_equal_the_general_matrix():
    rng = np.random.default_rng(7)
    yes = rng.integers(0, 4, size=40)
    counts = np.stack([3 - yes, yes], axis=1)
    extra = np.vstack([counts, np.tile([3, 0], (5, 1))])
    assert np.allclose(binary_coincidences(yes, 3, all_no_units=5), coincidences(extra))
    assert nominal_alpha(binary_coincidences(yes, 3, 5)) == pytest.approx(nominal_alpha(coincidences(extra)))


# -- spans, checked against counting characters one by one --------------------------------------------------------
spans = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 40), st.integers(1, 15)), max_size=12)


def _arrays(items):
    g = np.array([i[0] for i in items], dtype=np.int64)
    s = np.array([i[1] for i in items], dtype=np.int64)
    return g, s, s + np.array([i[2] for i in items], dtype=np.int64)


def _chars(items, group):
    return {p for g, s, n in items if g == group for p in range(s, s + n)}


@settings(max_examples=60, deadline=None)
@given(spans, spans)
def test_span_sweeps_agree_with_character_sets(a, b):
    covered = covered_length(*_arrays(a), 3)
    both = shared_length(_arrays(a), _arrays(b), 3)
    for g in range(3):
        assert covered[g] == len(_chars(a, g))
        assert both[g] == len(_chars(a, g) & _chars(b, g))
    ug, us, ue = union_spans(*_arrays(a))
    for g in range(3):
        assert {p for x, s, e in zip(ug, us, ue) if x == g for p in range(s, e)} == _chars(a, g)
    ia, ib = overlap_pairs(*_arrays(a), *_arrays(b))
    expected = {
        (i, j)
        for i, (ga, sa, na) in enumerate(a)
        for j, (gb, sb, nb) in enumerate(b)
        if ga == gb and max(sa, sb) < min(sa + na, sb + nb)
    }
    assert set(zip(ia.tolist(), ib.tolist())) == expected


def test_segment_match_uses_overlap_over_union():
    a = (np.array([0, 0, 1]), np.array([0, 200, 0]), np.array([100, 300, 100]))
    b = (np.array([0, 0, 0]), np.array([5, 215, 0]), np.array([100, 300, 100]))
    hit_a, hit_b = segment_matches(a, b, 0.90)
    # [0,100) vs [5,100): 95/100 matches; [200,300) vs [215,300): 85/100 does not; code 1 has no partner.
    assert hit_a.tolist() == [True, False, False]
    assert hit_b.tolist() == [True, False, True]


# -- unitized alphas, hand-computed ------------------------------------------------------------------------------
def test_unitized_single_value_hand_computed():
    # L = 10; A codes [0,4), B codes [2,6). Observed l00 = 8, l01 = l10 = 4, l11 = 4 (l.. = 20).
    # S0 = 6 + 6 (gaps), S1 = 16 + 16; e00 = 20*132/356, e11 = 20*32/356, e01 = 20*96/356.
    # u alpha = 1 - 8 / (20 - 3280/356) = 1 - 2848/3840 = 31/120.
    r = unitized_alphas([CoderUnits.of([(0, 4, 1)]), CoderUnits.of([(2, 6, 1)])], 10, 1, matrices=True)
    assert r.observed.tolist() == [[8, 4], [4, 4]]
    assert r.expected_matrix() * 356 == pytest.approx(np.array([[2640, 1920], [1920, 640]]))
    assert r.u_alpha == pytest.approx(31 / 120)
    assert r.binary_u_alpha == pytest.approx(31 / 120)
    assert r.cu_alpha is None  # one value only among intersecting units


def test_unitized_two_values_hand_computed():
    # L = 10; A: [0,4)=1, [4,8)=2; B: [0,6)=1, [6,8)=2; both leave [8,10) as gap.
    a = CoderUnits.of([(0, 4, 1), (4, 8, 2)])
    b = CoderUnits.of([(0, 6, 1), (6, 8, 2)])
    r = unitized_alphas([a, b], 10, 2, matrices=True)
    assert r.observed.tolist() == [[4, 0, 0], [0, 8, 2], [0, 2, 4]]
    # uα: margins 4, 10, 6; S = (4, 52, 20); e_cc = 20*(l_c^2 - S_c)/324; De = 4960/324.
    assert r.u_alpha == pytest.approx(1 - 4 * 324 / 4960)
    assert r.binary_u_alpha == pytest.approx(1.0)  # no unit-versus-gap disagreement
    # cuα: l' = 16 (10, 6); X = (16+36, 16+4); denominator 16 - 72/16 = 11.5.
    assert r.cu_expected_matrix() * 11.5 == pytest.approx(np.array([[48, 60], [60, 16]]))
    assert r.cu_alpha == pytest.approx(1 - 4 * 11.5 / 120)
    assert r.k_u_alpha[1] == pytest.approx(1 - 0.2 / (60 / 108))
    assert r.k_u_alpha[2] == pytest.approx(1 - (1 / 3) * (76 / 60))


def test_unitized_degenerate_cases():
    same = [CoderUnits.of([(0, 4, 1), (6, 9, 2)])] * 3
    r = unitized_alphas(same, 12, 2)
    assert (r.u_alpha, r.binary_u_alpha, r.cu_alpha, r.k_u_alpha) == (1.0, 1.0, 1.0, {1: 1.0, 2: 1.0})
    nobody = unitized_alphas([CoderUnits.of([]), CoderUnits.of([])], 10, 1)
    assert (nobody.u_alpha, nobody.binary_u_alpha, nobody.cu_alpha) == (None, None, None)
    # One coder codes nothing, the other [1,3) of 10: u alpha = 1 - 4*378/1440 = -0.05.
    one = unitized_alphas([CoderUnits.of([]), CoderUnits.of([(1, 3, 1)])], 10, 1)
    assert one.u_alpha == pytest.approx(-0.05)
    with pytest.raises(ValueError):
        unitized_alphas([CoderUnits.of([(0, 5, 1), (3, 6, 2)]), CoderUnits.of([])], 10, 2)


coder_spans = st.lists(st.tuples(st.integers(0, 50), st.integers(1, 12)), max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(coder_spans, min_size=2, max_size=3))
def test_per_code_binary_form_equals_the_general_one(coders):
    length = 64
    merged = [
        union_spans(np.zeros(len(c), dtype=np.int64), [s for s, _ in c], [s + n for s, n in c])
        for c in coders
    ]
    units = [CoderUnits(s, e, np.ones(s.size, dtype=np.int64)) for _g, s, e in merged]
    general = unitized_alphas(units, length, 1).binary_u_alpha
    covered = np.array([[float((e - s).sum())] for _g, s, e in merged])
    shared = sum(
        shared_length(merged[i], merged[j], 1)[0]
        for i in range(len(merged))
        for j in range(i + 1, len(merged))
    )
    squares = [sum(float(((e - s) ** 2).sum()) for _g, s, e in merged)]
    [grouped] = binary_u_alphas(covered, [shared], squares, length)
    assert (grouped is None) == (general is None)
    if general is not None:
        assert grouped == pytest.approx(general)


# -- a project ------------------------------------------------------------------------------------------------------
TEXT = "".join(chr(ord("a") + i % 26) for i in range(50))


def _code(project: Project, name: str, parent: int | None = None) -> int:
    return project.execute(
        "INSERT INTO codes(uuid, parent_id, name, created_at) VALUES (?,?,?,?)",
        (new_uuid(), parent, name, now()),
    ).lastrowid


def _doc(project: Project, name: str, text: str, sentences: int = 10) -> int:
    doc = project.execute(
        "INSERT INTO documents(uuid, name, text, sha256, imported_at) VALUES (?,?,?,?,?)",
        (new_uuid(), name, text, hashlib.sha256(text.encode()).hexdigest(), now()),
    ).lastrowid
    step = len(text) // sentences
    for i in range(sentences):
        project.execute(
            "INSERT INTO units(document_id, kind, seq, start, end) VALUES (?,?,?,?,?)",
            (doc, "sentence", i, i * step, (i + 1) * step),
        )
    return doc


def _coding(project: Project, doc: int, code: int, coder: str, start: int, end: int) -> None:
    project.execute(
        "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at) VALUES (?,?,?,?,?,?,?)",
        (new_uuid(), doc, code, project.coder_id(coder), start, end, now()),
    )


@pytest.fixture
def project(make_project):
    """50 characters, five sentences of ten. X: A [0,25), B [5,35). Parent/Y: A and B [40,50)."""
    return make_project(
        spec(
            documents=[Doc("council.txt", TEXT, units=equal_sentences(TEXT, 5))],
            codes=["X", "Parent", "Parent/Y"],
            coders=["A", "B", "Nobody"],
            codings=[
                Coding("council.txt", "X", "A", 0, 25),
                Coding("council.txt", "X", "B", 5, 35),
                Coding("council.txt", "Parent/Y", "A", 40, 50),
                Coding("council.txt", "Parent/Y", "B", 40, 50),
            ],
        ),
        "agree.db",
    )


def test_character_level_per_code_and_pooled(project):
    r = agreement(project, ["A", "B"])
    # Codebook order, the one every reader of the code tree shares: sort order, then the order codes were
    # made in (these three share a sort order; X was made first).
    assert r.codes == ["X", "Parent/Y"]
    assert r.value("char_kappa", "X") == pytest.approx(0.4)
    assert r.value("char_percent", "X") == pytest.approx(70.0)
    assert r.value("char_kappa", "Parent/Y") == 1.0
    # Pooled over (character, code): n11 30, n10 5, n01 10, n00 55 -> (100*85 - 5300) / (10000 - 5300).
    assert r.value("char_percent") == pytest.approx(85.0)
    assert r.value("char_kappa") == pytest.approx(3200 / 4700)
    assert r.find("char_kappa").n == 100


def test_sentence_level_kappa_and_alpha(project):
    r = agreement(project, ["A", "B"])
    # X: A covers sentences 0,1 and half of 2; B half of 0, 1, 2, half of 3 -> A {0,1,2}, B {0,1,2,3}.
    assert r.value("unit_percent", "X") == pytest.approx(80.0)
    assert r.value("unit_kappa", "X") == pytest.approx(0.24 / 0.44)
    assert r.value("unit_alpha", "X") == pytest.approx(1 - 9 * 2 / 42)
    assert r.value("unit_kappa", "Parent/Y") == 1.0
    assert r.value("unit_kappa") == pytest.approx(0.8)  # pooled (4, 0, 1, 5)
    # Needing 60% of a sentence, the half-covered ones drop out: A {0,1}, B {1,2}.
    strict = agreement(project, ["A", "B"], min_share=0.6)
    assert strict.value("unit_percent", "X") == pytest.approx(60.0)


def test_segment_agreement_counts_both_coders_codings(project):
    r = agreement(project, ["A", "B"])
    x, y, whole = (
        r.find("segment_percent", "X"),
        r.find("segment_percent", "Parent/Y"),
        r.find("segment_percent"),
    )
    assert (x.matched, x.unmatched, x.value) == (0, 2, 0.0)
    assert (y.matched, y.unmatched, y.value) == (2, 0, 100.0)
    assert (whole.matched, whole.n, whole.value) == (2, 4, 50.0)
    # [0,25) against [5,35): overlap 20 of a union of 35 = 57%.
    assert agreement(project, ["A", "B"], overlap=57).find("segment_percent", "X").matched == 2


def test_unitized_figures_for_a_project(project):
    r = agreement(project, ["A", "B"])
    # Hand-computed over L = 50 (see the two-value example for the method).
    assert r.value("u_alpha") == pytest.approx(1 - 30 * 8250 / 595000)
    assert r.value("binary_u_alpha") == pytest.approx(1 - 15 * 8250 / 187500)
    assert r.value("cu_alpha") == 1.0
    assert r.value("k_u_alpha", "X") == 1.0
    assert r.value("code_binary_u_alpha", "X") == pytest.approx(1 - 15 * 8430 / 247500)
    assert r.value("code_binary_u_alpha", "Parent/Y") == 1.0


def test_one_coder_who_coded_nothing_gives_defined_figures(project):
    r = agreement(project, ["A", "Nobody"])
    assert r.value("char_kappa", "X") == 0.0
    assert r.find("char_kappa", "X").note == "one coder never applied the code"
    assert r.value("unit_kappa", "X") == 0.0
    assert r.value("unit_alpha", "X") == pytest.approx(1 - 9 / 7)  # A yes on 3 of 5, Nobody on none
    assert r.value("segment_percent") == 0.0
    assert r.value("u_alpha") is not None and r.value("u_alpha") < 0.5
    assert all(f.value is None or np.isfinite(f.value) for f in r.figures)


def test_nothing_coded_at_all_is_a_clear_error(tmp_path):
    project = Project.create(tmp_path / "empty.db")
    with project.transaction():
        _doc(project, "d.txt", TEXT)
        project.coder_id("A"), project.coder_id("B")
    with pytest.raises(BeaconError, match="have not coded any document"):
        agreement(project, ["A", "B"])


def test_perfect_agreement_gives_one_everywhere(tmp_path):
    project = Project.create(tmp_path / "same.db")
    with project.transaction():
        doc = _doc(project, "d.txt", TEXT * 2)
        x, y = _code(project, "X"), _code(project, "Y")
        for coder in ("A", "B", "C"):
            _coding(project, doc, x, coder, 0, 30)
            _coding(project, doc, y, coder, 20, 60)
    r = agreement(project, ["A", "B", "C"])
    values = {(f.measure, f.code, f.coders): f.value for f in r.figures}
    assert len({f.coders for f in r.figures if f.measure == "char_kappa"}) == 3  # every pair
    for (measure, code, _), value in values.items():
        expected = 100.0 if measure.endswith("percent") else 1.0
        assert value == pytest.approx(expected), (measure, code)
    assert "combinations of overlapping codes" in r.find("u_alpha").note


def test_units_of_a_kind_the_documents_lack_give_empty_unit_figures(project):
    r = agreement(project, ["A", "B"], unit="turn")
    assert r.units == 0
    assert r.value("unit_kappa", "X") is None and r.find("unit_kappa", "X").note == "no units"
    assert r.value("unit_alpha") is None
    assert r.value("char_kappa", "X") == pytest.approx(0.4)  # the other levels are unaffected


def test_impossible_offsets_are_reported(project):
    with project.transaction():
        project.execute(
            "UPDATE codings SET end = 80 WHERE start = 40 AND coder_id = ?", (project.coder_id("A"),)
        )
    with pytest.raises(BeaconError, match="impossible offsets 40..80"):
        agreement(project, ["A", "B"])


def test_impossible_offsets_name_the_first_bad_coding_and_unit(project):
    with project.transaction():
        first = project.execute(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
            " SELECT ?, document_id, code_id, coder_id, 3, 60, created_at FROM codings LIMIT 1",
            (new_uuid(),),
        ).lastrowid
        project.execute(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
            " SELECT ?, document_id, code_id, coder_id, 3, 60, created_at FROM codings WHERE id = ?",
            (new_uuid(), first),
        )  # the same values again: the first one is named
    with pytest.raises(BeaconError, match=f"coding {first} has impossible offsets 3..60"):
        agreement(project, ["A", "B"])
    with project.transaction():
        project.execute("DELETE FROM codings WHERE end = 60")
        unit = project.scalar("SELECT id FROM units WHERE seq = 3")
        project.execute("UPDATE units SET end = 51 WHERE id = ?", (unit,))
    with pytest.raises(BeaconError, match=f"sentence unit {unit} has impossible offsets 30..51"):
        agreement(project, ["A", "B"])


def test_ids_and_offsets_beyond_32_bits_are_read_exactly(project, tmp_path):
    """Columns are read two to an integer where they fit; larger values take the slower way, same answers."""
    big = Project.create(tmp_path / "big.db")
    with big.transaction():
        big.execute(
            "INSERT INTO documents(id, uuid, name, text, sha256, imported_at) VALUES (3000000000,?,?,?,?,?)",
            (new_uuid(), "council.txt", TEXT, hashlib.sha256(TEXT.encode()).hexdigest(), now()),
        )
        big.execute(
            "INSERT INTO codes(id, uuid, name, created_at) VALUES (5000000000, ?, 'X', ?)",
            (new_uuid(), now()),
        )
        for i in range(5):
            big.execute(
                "INSERT INTO units(document_id, kind, seq, start, end) VALUES (3000000000, 'sentence', ?, ?, ?)",
                (i, 10 * i, 10 * i + 10),
            )
        for coder, start, end in (("A", 0, 25), ("B", 5, 35)):
            _coding(big, 3000000000, 5000000000, coder, start, end)
    r = agreement(big, ["A", "B"])
    assert r.characters == 50 and r.units == 5
    for measure in ("char_kappa", "unit_kappa", "unit_alpha", "segment_percent", "code_binary_u_alpha"):
        assert r.value(measure, "X") == agreement(project, ["A", "B"]).value(measure, "X")
    with big.transaction():
        unit = big.execute(
            "INSERT INTO units(document_id, kind, seq, start, end) VALUES (3000000000, 'sentence', 5,"
            " 5000000000, 5000000001)"
        ).lastrowid
    with pytest.raises(
        BeaconError, match=f"sentence unit {unit} has impossible offsets 5000000000..5000000001"
    ):
        agreement(big, ["A", "B"])
    big.close()


@pytest.mark.parametrize("n_codes", [3, 60, 5000])
def test_overlapping_codes_are_numbered_as_met_whatever_the_number_of_codes(n_codes):
    from beacon_qual.agreement.report import coder_units

    rng = np.random.default_rng(n_codes)
    spans = []
    for _ in range(2):
        size = 400
        code = rng.integers(0, min(n_codes, 8), size) * (n_codes // 8 or 1) % n_codes
        start = rng.integers(0, 2000, size)
        spans.append((code, start, start + rng.integers(1, 60, size)))
    combos: dict = {}
    got = [coder_units(*s, combos, n_codes) for s in spans]
    # One by one, as the definition says: each piece's sorted codes, numbered in order of appearance.
    expected: dict = {}
    for (code, start, end), units in zip(spans, got):
        for s, e, value in zip(units.start.tolist(), units.end.tolist(), units.value.tolist()):
            inside = sorted({int(c) for c, a, b in zip(code, start, end) if a < e and b > s})
            want = (
                inside[0] + 1
                if len(inside) == 1
                else expected.setdefault(tuple(inside), n_codes + 1 + len(expected))
            )
            assert value == want
    assert combos == expected and len(combos) > 3


def test_choosing_documents_and_codes(project):
    r = agreement(project, ["A", "B"], codes=("y",), documents=("council.txt",))
    assert r.codes == ["Parent/Y"]
    with pytest.raises(BeaconError, match="no code 'Z'"):
        agreement(project, ["A", "B"], codes=("Z",))
    with pytest.raises(BeaconError, match="no coder called 'Zed'"):
        agreement(project, ["A", "Zed"])


# -- disagreements ---------------------------------------------------------------------------------------------------
def test_disagreements_list_each_disputed_passage(project):
    found = disagreements(project, "A", "B")
    assert [(d.start, d.end, d.codes_a, d.codes_b) for d in found] == [
        (0, 5, ("X",), ()),
        (25, 35, (), ("X",)),
    ]
    assert found[0].text == TEXT[0:5]
    assert disagreements(project, "A", "B", min_length=6)[0].start == 25


def test_disagreements_show_different_codes_on_one_passage(tmp_path):
    project = Project.create(tmp_path / "d.db")
    with project.transaction():
        doc = _doc(project, "d.txt", TEXT)
        x, y = _code(project, "X"), _code(project, "Y")
        _coding(project, doc, x, "A", 10, 20)
        _coding(project, doc, y, "B", 10, 20)
        _coding(project, doc, x, "B", 30, 40)
        _coding(project, doc, x, "A", 30, 40)
    [only] = disagreements(project, "A", "B")
    assert (only.start, only.end, only.codes_a, only.codes_b) == (10, 20, ("X",), ("Y",))


# -- CLI --------------------------------------------------------------------------------------------------------------
def _run(project: Project, *args: str):
    return CliRunner().invoke(main, ["-p", str(project.path), *args])


def test_cli_agreement_table_json_csv_and_explain(project):
    table = _run(project, "agreement", "--coders", "A", "B", "--explain")
    assert table.exit_code == 0, table.output
    assert "char κ" in table.output and "0.400" in table.output
    assert "formula:" in table.output and "n = 100" in table.output
    data = json.loads(_run(project, "agreement", "--coders", "A", "B", "--format", "json").output)
    kappas = {f["code"]: f["value"] for f in data["figures"] if f["measure"] == "char_kappa"}
    assert kappas["X"] == pytest.approx(0.4)
    csv_out = _run(project, "agreement", "--coders", "A,B", "--unit", "sentence", "--format", "csv").output
    assert csv_out.splitlines()[0].startswith("measure,code,coders,value,n,unit")
    assert "segment_percent,X,A;B,0.0,2,codings,0,2," in csv_out


def test_cli_errors_are_one_line(project):
    result = _run(project, "agreement", "--coders", "A", "Zed")
    assert result.exit_code == 1
    assert result.output.startswith("error: no coder called 'Zed'")
    assert "Traceback" not in result.output
    result = _run(project, "agreement", "--coders", "A", "B", "--min-share", "1.5")
    assert result.exit_code == 1 and "min-share" in result.output


def test_cli_disagreements(project):
    result = _run(project, "disagreements", "--coders", "A", "B", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(d["start"], d["end"]) for d in json.loads(result.output)] == [(0, 5), (25, 35)]
    table = _run(project, "disagreements", "--coders", "A", "B", "--document", "council.txt")
    assert "2 disputed passages" in table.output
    assert _run(project, "disagreements", "--coders", "A", "B", "Nobody").exit_code == 1


def test_cli_warns_when_a_chosen_coder_coded_nothing(project):
    result = _run(project, "agreement", "--coders", "A", "Nobody", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: Nobody coded nothing in the 1 chosen document(s); all of that text counts as not coded by them"
    ]
    assert json.loads(result.stdout)["coders"] == ["A", "Nobody"]
    quiet = _run(project, "agreement", "--coders", "A", "B", "--format", "json")
    assert quiet.stderr == ""


@pytest.mark.parametrize("seed", range(4))
def test_figures_do_not_depend_on_how_documents_are_batched(tmp_path, seed, monkeypatch):
    """Documents are read a batch at a time; one document per batch gives every figure exactly as one batch,
    and so does reading the codings' table a few ids at a time."""
    rng = np.random.default_rng(seed)
    project = Project.create(tmp_path / "batches.db")
    with project.transaction():
        codes = [_code(project, name) for name in ("X", "Y", "Z")]
        docs = [_doc(project, f"d{i}.txt", TEXT * (1 + i % 3), sentences=5 + i) for i in range(6)]
        for doc, text_length in zip(docs, [50 * (1 + i % 3) for i in range(6)]):
            for coder in ("A", "B", "C"):
                for _ in range(int(rng.integers(0, 5))):
                    start = int(rng.integers(0, text_length - 1))
                    end = int(rng.integers(start + 1, min(text_length, start + 40) + 1))
                    _coding(project, doc, codes[int(rng.integers(0, 3))], coder, start, end)
    for kwargs in ({}, {"codes": ("Y", "X")}, {"documents": ("d0.txt", "d3.txt", "d5.txt")}):
        whole = agreement(project, ["A", "B", "C"], **kwargs)
        for scan, batches in [
            (1_000_000, {"batch_documents": 1}),
            (1_000_000, {"batch_codings": 3, "batch_documents": 2}),
            (3, {"batch_codings": 3, "batch_documents": 2}),
        ]:
            monkeypatch.setattr(material, "SCAN_IDS", scan)
            parts = agreement(project, ["A", "B", "C"], **kwargs, **batches)
            assert parts.documents == whole.documents and parts.codes == whole.codes
            assert (parts.characters, parts.units) == (whole.characters, whole.units)
            assert [f.as_dict() for f in parts.figures] == [f.as_dict() for f in whole.figures], kwargs
    project.close()


# -- units counted without reading them (schema V11) ---------------------------------------------------------
def _sentence_figures(project: Project) -> tuple[int, int, float | None]:
    """The number of sentences agreement counts, a fresh count of them, and the sentence alpha for X."""
    r = agreement(project, ["A", "B"])
    fresh = project.scalar("SELECT count(*) FROM units WHERE kind = 'sentence' AND end > start")
    return r.units, fresh, r.value("unit_alpha", "X")


def test_uncoded_units_counted_through_every_change_to_the_units(project):
    # Agreement reads only the sentences under codings and takes the others' number from unit_counts, which
    # triggers keep: adding, emptying, moving and deleting an uncoded sentence must each show in the figures.
    before = _sentence_figures(project)
    assert before[0] == before[1] == 5
    with project.transaction():
        doc = project.scalar("SELECT id FROM documents")
        project.execute(
            "INSERT INTO units(document_id, kind, seq, start, end) VALUES (?, 'sentence', 9, 50, 50)", (doc,)
        )  # of no length: not a unit anyone could code
    assert _sentence_figures(project)[:2] == (5, 5)
    with project.transaction():
        project.execute("UPDATE units SET start = 45 WHERE seq = 9")  # now five characters long
    figures = _sentence_figures(project)
    assert figures[0] == figures[1] == 6 and figures[2] != before[2]
    with project.transaction():
        project.execute("DELETE FROM units WHERE seq = 9")
    assert _sentence_figures(project) == before


def test_reindex_counts_units_again(project, tmp_path):
    with project.transaction():
        project.execute("UPDATE unit_counts SET spans = spans + 40")  # as a program that bypassed triggers
    assert agreement(project, ["A", "B"]).units == 45
    result = CliRunner().invoke(main, ["-p", str(project.path), "reindex"])
    assert result.exit_code == 0, result.output
    assert "counted units for 1 (document, kind) combinations" in result.output
    assert agreement(project, ["A", "B"]).units == 5


def test_imported_transcripts_give_the_units_counted_afresh(tmp_path):
    # The importer writes its documents' unit counts itself (as it writes their search index): the figures
    # must be those of the units as stored, coded or not.
    path = tmp_path / "imp.db"
    runner = CliRunner()
    source = Path(__file__).resolve().parents[1] / "transcripts_example" / "hull_officer_p1.txt"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / source.name).write_bytes(source.read_bytes())  # away from the examples' manifest
    assert runner.invoke(main, ["-p", str(path), "init"]).exit_code == 0
    result = runner.invoke(
        main, ["-p", str(path), "import", "--no-council", str(tmp_path / "in" / source.name)]
    )
    assert result.exit_code == 0, result.output
    project = Project.open(path)
    with project.transaction():
        doc = project.scalar("SELECT id FROM documents")
        x = _code(project, "X")
        _coding(project, doc, x, "A", 0, 300)
        _coding(project, doc, x, "B", 100, 400)
    r = agreement(project, ["A", "B"], unit="turn")
    assert r.units == project.scalar("SELECT count(*) FROM units WHERE kind = 'turn' AND end > start") > 1
    r = agreement(project, ["A", "B"])
    assert r.units == project.scalar("SELECT count(*) FROM units WHERE kind = 'sentence' AND end > start") > 5
    assert r.characters == len(project.scalar("SELECT text FROM documents"))
    project.close()
