"""Co-occurrence counts and c-coefficients per level, counted by hand from builders.py (ANALYSIS).

Codes present per sentence (all coders): a1 s0 {Imitation, Adaptation}, s1 {Adaptation}, s3 {Barriers};
a2 s2 {Adaptation, Learning}; b1 s1 {Imitation, Barriers}, s5 {Imitation}; b3 s4 {Adaptation},
s5 {Adaptation, Barriers} (c10 spans s4-s5); c2 s0 {Learning, Barriers}; c3 s7 {Adaptation};
d3 s8 {Imitation}, s9 {Adaptation}.
"""

from __future__ import annotations

import itertools
import json
import random

import pytest
from builders import ADAPTATION, ALICE, ANALYSIS, BARRIERS, BOB, IMITATION, LEARNING, build
from click.testing import CliRunner

from beacon_qual.analysis import cooccurrence as cooccurrence_module
from beacon_qual.analysis.cooccurrence import cooccurrence
from beacon_qual.analysis.selection import Filters
from beacon_qual.cli import main
from beacon_qual.store import Project, new_uuid, now


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


def _random_project(path, seed: int) -> Project:
    """Documents whose sentences leave gaps between them (none before the first at offset 0), turns of
    a few sentences each, and codings of random length: inside one sentence, across several, in the gaps,
    before the first sentence, ending where a sentence starts or starting where one ends."""
    rng = random.Random(seed)
    project = build(path, ANALYSIS)
    stamp = now()
    with project.transaction():
        project.execute("DELETE FROM codings")
        for doc_id in range(1, 6):
            project.execute("DELETE FROM units WHERE document_id = ?", (doc_id,))
            pos, sentences = rng.randint(0, 6), []
            while pos < 600:
                length = rng.randint(5, 40)
                sentences.append((pos, pos + length))
                pos += length + rng.choice((0, 1, 1, 2, 5))
            rows = [(doc_id, "sentence", seq, a, b) for seq, (a, b) in enumerate(sentences)]
            for seq, first in enumerate(range(0, len(sentences), 4)):
                group = sentences[first : first + 4]
                rows.append((doc_id, "turn", seq, group[0][0], group[-1][1]))
            project.conn.executemany(
                "INSERT INTO units(document_id, kind, seq, start, end) VALUES (?,?,?,?,?)", rows
            )
            spans = [
                (a, a + rng.choice((1, 3, 10, 30, 80, 150))) for a in (rng.randint(0, 600) for _ in range(60))
            ]
            for (a, b), (c, d) in itertools.pairwise(sentences[:12]):
                spans += [(b, c + 1), (a, c), (b, d)] + ([(max(a - 3, 0), a)] if a else [])
                if c > b:
                    spans.append((b, c))  # wholly in the gap
            for a, b in spans:
                project.execute(
                    "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (new_uuid(), doc_id, rng.choice((2, 3, 4, 5)), rng.choice((ALICE, BOB)), a, b, stamp),
                )
    return project


def _scanned(
    project: Project, kind: str, coder: int | None, code_ids: tuple[int, ...], phases: tuple[int, ...] = ()
) -> tuple[dict, int]:
    """The co-occurrence counts of every unit of ``kind`` against every selected coding, by brute force."""
    paths = {r[0]: r[1] for r in project.execute("SELECT id, name FROM codes")}
    phase_of = dict(project.execute("SELECT id, phase FROM documents").fetchall())
    codings = [
        tuple(r)
        for r in project.execute("SELECT document_id, code_id, coder_id, start, end FROM codings")
        if (coder is None or r[2] == coder)
        and (not code_ids or r[1] in code_ids)
        and (not phases or phase_of[r[0]] in phases)
    ]
    present = []
    for doc, start, end in project.execute(
        "SELECT document_id, start, end FROM units WHERE kind = ?", (kind,)
    ):
        codes = {c[1] for c in codings if c[0] == doc and c[3] < end and c[4] > start and end > start}
        if codes:
            present.append(codes)
    counts = {}
    for a, b in itertools.combinations(sorted(paths), 2):
        n_ab = sum(1 for codes in present if {a, b} <= codes)
        if n_ab:
            n_a = sum(1 for codes in present if a in codes)
            n_b = sum(1 for codes in present if b in codes)
            counts[frozenset((paths[a], paths[b]))] = (n_a, n_b, n_ab)
    return counts, len(present)


# (coder, code ids, phases) of the selections the full-scan tests try: everything, one coder, some codes, a phase.
SELECTIONS = ((None, (), ()), (ALICE, (), ()), (BOB, (3, 4, 5), ()), (ALICE, (), (1,)))


def _filters(names: dict, coder: int | None, code_ids: tuple, phases: tuple) -> Filters:
    return Filters(
        coders={None: (), ALICE: ("alice",), BOB: ("bob",)}[coder],
        codes=tuple(names[c] for c in code_ids),
        phases=phases,
    )


def _calls(monkeypatch, *names: str) -> set[str]:
    """The names of those counting functions that run (each still doing its work)."""
    taken: set[str] = set()
    for name in names:
        real = getattr(cooccurrence_module, name)
        monkeypatch.setattr(
            cooccurrence_module, name, lambda *args, name=name, real=real: taken.add(name) or real(*args)
        )
    return taken


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    "way",
    [
        "chosen",
        "bitmaps in numpy",
        "codes of each unit",
        "grouped in SQL",
        "no room for bitmaps",
        "no room for either",
    ],
)
def test_units_looked_up_near_the_codings_count_as_a_full_scan(tmp_path, seed, way, monkeypatch):
    # Sentence and turn counts come from each code's units, as bitmaps (few codes) or by giving each unit
    # its codes (many codes over many units), or, when the codes hold too many units to read into Python,
    # from SQLite grouping the rows by unit; each way must agree with the brute-force count.
    if way == "codes of each unit":
        monkeypatch.setattr(cooccurrence_module, "BY_UNIT_NS", -1)
    if way == "bitmaps in numpy":
        monkeypatch.setattr(cooccurrence_module, "MOST_IN_PYTHON", 0)
    if way == "grouped in SQL":
        monkeypatch.setattr(cooccurrence_module, "MOST_HELD", 0)
    if way in ("no room for bitmaps", "no room for either"):
        monkeypatch.setattr(cooccurrence_module, "BITMAP_BYTES", 0)
    if way == "no room for either":
        monkeypatch.setattr(cooccurrence_module, "MOST_BY_UNIT", 0)
    taken = _calls(monkeypatch, "_counts_by_bitmaps", "_counts_by_unit", "_combination_counts")
    project = _random_project(tmp_path / "random.db", seed)
    names = {r[0]: r[1] for r in project.execute("SELECT id, name FROM codes")}
    for kind in ("sentence", "turn"):
        for coder, code_ids, phases in SELECTIONS:
            result = cooccurrence(project, _filters(names, coder, code_ids, phases), within=kind)
            expected, units = _scanned(project, kind, coder, code_ids, phases)
            found = {
                frozenset((p.code_a.split("/")[-1], p.code_b.split("/")[-1])): (p.n_a, p.n_b, p.n_ab)
                for p in result.pairs
            }
            # the pairs as stored give the first code's count first
            assert {k: tuple(sorted(v[:2])) + v[2:] for k, v in found.items()} == {
                k: tuple(sorted(v[:2])) + v[2:] for k, v in expected.items()
            }, (kind, coder)
            assert result.units == units, (kind, coder)
    project.close()
    assert (
        taken
        == {
            "chosen": {"_counts_by_bitmaps"},  # four codes: bitmaps cost less
            "bitmaps in numpy": {"_counts_by_bitmaps"},
            "codes of each unit": {"_counts_by_unit"},
            "grouped in SQL": {"_combination_counts"},
            "no room for bitmaps": {"_counts_by_unit"},
            "no room for either": {"_combination_counts"},
        }[way]
    )


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("way", ["bitmaps", "bitmaps in numpy", "codes of each unit", "numpy"])
def test_documents_count_as_a_full_scan(tmp_path, seed, way, monkeypatch):
    # Within documents a code is present where any of its selected codings is; the counts come from the
    # per-document tallies as bitmaps or by giving each document its codes, or from every coding with numpy
    # when bitmaps would not fit, and each way must agree with a count over the codings themselves.
    if way == "codes of each unit":
        monkeypatch.setattr(cooccurrence_module, "BY_UNIT_NS", -1)
    if way == "bitmaps in numpy":
        monkeypatch.setattr(cooccurrence_module, "MOST_IN_PYTHON", 0)
    if way == "numpy":
        monkeypatch.setattr(cooccurrence_module, "BITMAP_BYTES", 0)
        monkeypatch.setattr(cooccurrence_module, "MOST_BY_UNIT", 0)
    taken = _calls(monkeypatch, "_counts_by_bitmaps", "_counts_by_unit", "_matrix_counts")
    project = _random_project(tmp_path / "random.db", seed)
    names = {r[0]: r[1] for r in project.execute("SELECT id, name FROM codes")}
    phase_of = dict(project.execute("SELECT id, phase FROM documents").fetchall())
    for coder, code_ids, phases in SELECTIONS:
        codes_of: dict[int, set] = {}
        for doc, code, coder_id in project.execute("SELECT document_id, code_id, coder_id FROM codings"):
            if (
                (coder is None or coder_id == coder)
                and (not code_ids or code in code_ids)
                and (not phases or phase_of[doc] in phases)
            ):
                codes_of.setdefault(doc, set()).add(names[code])
        expected = {}
        for a, b in itertools.combinations(sorted(set(names.values())), 2):
            if n_ab := sum(1 for codes in codes_of.values() if {a, b} <= codes):
                n_a = sum(1 for codes in codes_of.values() if a in codes)
                n_b = sum(1 for codes in codes_of.values() if b in codes)
                expected[frozenset((a, b))] = tuple(sorted((n_a, n_b))) + (n_ab,)
        result = cooccurrence(project, _filters(names, coder, code_ids, phases), within="document")
        found = {
            frozenset((p.code_a.split("/")[-1], p.code_b.split("/")[-1])): tuple(sorted((p.n_a, p.n_b)))
            + (p.n_ab,)
            for p in result.pairs
        }
        assert found == expected, (coder, code_ids, phases)
        assert result.units == len(codes_of)
    project.close()
    assert (
        taken
        == {
            "bitmaps": {"_counts_by_bitmaps"},
            "bitmaps in numpy": {"_counts_by_bitmaps"},
            "codes of each unit": {"_counts_by_unit"},
            "numpy": {"_matrix_counts"},
        }[way]
    )


@pytest.mark.parametrize("in_python", [500_000, 0])
def test_bitmaps_take_units_beyond_the_last_one_read(in_python, monkeypatch):
    # Another connection may add units between reading the largest unit id and reading the codes' units; the
    # bitmaps are Python integers for a few units and numpy arrays for many, and both make room.
    monkeypatch.setattr(cooccurrence_module, "MOST_IN_PYTHON", in_python)
    pairs, singles, units = cooccurrence_module._counts_by_bitmaps(["1,700,9000", "700,9000,9001", ""], 8)
    assert (pairs, singles, units) == ({(0, 1): 2}, [3, 3, 0], 4)


def test_codings_between_units_still_name_their_coder(analysis_project):
    # Barriers coded only in the gap between sentences 0 and 1 (offset 20): present in no sentence.
    with analysis_project.transaction():
        analysis_project.execute(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
            " VALUES (?, 8, 5, ?, 20, 21, ?)",
            (new_uuid(), BOB, now()),
        )
    result = cooccurrence(analysis_project, Filters(councils=("DDD",), phases=(1,)), within="sentence")
    assert result.units == 0 and result.pairs == [] and result.coders == ["bob"]


def test_json_output(analysis_project):
    result = CliRunner().invoke(
        main, ["-p", str(analysis_project.path), "cooccurrence", "--within", "document", "--format", "json"]
    )
    data = json.loads(result.stdout)
    assert data["provenance"]["options"] == {"within": "document"}
    first = data["pairs"][0]
    assert set(first) == {"code_a", "code_b", "n_a", "n_b", "n_ab", "c"}


def test_the_note_counts_its_units_in_words(analysis_project):
    def note(*args):
        result = CliRunner().invoke(main, ["-p", str(analysis_project.path), "cooccurrence", *args])
        assert result.exit_code == 0, result.output
        return next(line for line in result.output.splitlines() if line.startswith("- Counted over"))

    assert note("--within", "document", "--council", "DDD", "--phase", "3").startswith(
        "- Counted over 1 coded document;"
    )
    assert note("--within", "document").startswith("- Counted over 7 coded documents;")


def test_unknown_level_is_refused_by_the_cli(analysis_project):
    result = CliRunner().invoke(
        main, ["-p", str(analysis_project.path), "cooccurrence", "--within", "paragraph"]
    )
    assert result.exit_code == 2 and "paragraph" in result.output
