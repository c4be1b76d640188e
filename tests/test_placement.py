"""Each coding's sentences and turns (coding_units) and the codings counted per code, document and coder
(coding_counts): kept in step by every writer, read by co-occurrence and code frequencies.

The reference is worked out here from the codings and units alone: a coding is in a unit of the same document
when their spans overlap and the unit has a length. After each kind of change (coding, recoding, resizing,
removing, undoing, revising a transcript and undoing that, merging a coder's copy, migrating an older project)
the stored rows must equal it and the counts must be the codings counted here, and co-occurrence within
sentences and turns must count what the reference gives.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
from pathlib import Path

import pytest
from builders import older_schema, spec
from click.testing import CliRunner

from beacon_qual.analysis.cooccurrence import cooccurrence
from beacon_qual.analysis.selection import Filters
from beacon_qual.cli import main
from beacon_qual.coding import codings as coding_svc
from beacon_qual.documents import revise as revise_svc
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store.check import check_project
from beacon_qual.store.placement import count_differences, deferred_placement, placement_differences
from beacon_qual.team.copies import clone_for_coder, merge_projects

FRONT = "---\n# Invented test transcript.\ncouncil: {council}\nphase: {phase}\nrole: officer\n---\n"
BODY = (
    "Interviewer: How did the Beacon Scheme change your service?\n\n"
    "Respondent: We visited Kent twice. We copied their referral form at first. "
    "Later we adapted the scheme to our estates.\n\n"
    "Interviewer: What made the adaptation work?\n\n"
    "Respondent: Staff on the estates knew the residents. That tacit knowledge mattered more than the manual. "
    "Peers from Leeds came to see it.\n"
)
REVISED = (
    "Interviewer: How did the Beacon Scheme change your service?\n\n"
    "Respondent: We visited Kent three times. We copied their referral form at first.\n\n"
    "Interviewer: Why did it work for you in the end, do you think?\n\n"
    "Respondent: Staff on the estates knew the residents. That tacit knowledge mattered more than the manual. "
    "Peers from Leeds came to see it.\n"
)
ENDING = "\nInterviewer: Thank you.\n\nRespondent: Thanks from {council}.\n"
CODES = ("Imitation", "Adaptation", "Tacit", "Peers")
COUNCILS = (("camden.txt", "LB Camden", 1), ("kent.txt", "Kent", 2), ("leeds.txt", "Leeds", 2))


def stored(p: Project) -> set[tuple]:
    return {
        tuple(r)
        for r in p.execute(
            "SELECT kind, code_id, coder_id, document_id, unit_id, coding_id FROM coding_units"
        )
    }


def reference(p: Project) -> set[tuple]:
    units = p.execute("SELECT id, document_id, kind, start, end FROM units").fetchall()
    rows = set()
    for c in p.execute("SELECT id, document_id, code_id, coder_id, start, end FROM codings"):
        for unit_id, document_id, kind, start, end in units:
            if document_id == c["document_id"] and end > start and start < c["end"] and end > c["start"]:
                rows.add((kind, c["code_id"], c["coder_id"], document_id, unit_id, c["id"]))
    return rows


def counts_by_hand(p: Project) -> dict[tuple, int]:
    counts: dict[tuple, int] = {}
    for c in p.execute("SELECT code_id, document_id, coder_id FROM codings"):
        counts[tuple(c)] = counts.get(tuple(c), 0) + 1
    return counts


def assert_in_step(p: Project) -> None:
    assert stored(p) == reference(p)
    assert placement_differences(p.conn) == 0
    assert {
        tuple(r[:3]): r[3] for r in p.execute("SELECT code_id, document_id, coder_id, n FROM coding_counts")
    } == (counts_by_hand(p))
    assert count_differences(p.conn) == 0


def counted_by_hand(p: Project, kind: str, coder: str | None = None) -> dict:
    """Co-occurrence within units of ``kind`` worked out from the codings and units alone."""
    present: dict[int, set[str]] = {}
    units = p.execute(
        "SELECT id, document_id, start, end FROM units WHERE kind = ? AND end > start", (kind,)
    ).fetchall()
    sql = "SELECT c.document_id, c.start, c.end, k.name FROM codings c JOIN codes k ON k.id = c.code_id"
    params: tuple = ()
    if coder:
        sql += " JOIN coders r ON r.id = c.coder_id WHERE r.name = ?"
        params = (coder,)
    for document_id, start, end, name in p.execute(sql, params):
        for unit_id, unit_document, unit_start, unit_end in units:
            if unit_document == document_id and unit_start < end and unit_end > start:
                present.setdefault(unit_id, set()).add(name)
    counts = {}
    for a, b in itertools.combinations(sorted(CODES), 2):
        n_ab = sum(1 for names in present.values() if {a, b} <= names)
        if n_ab:
            counts[a, b] = (
                sum(1 for names in present.values() if a in names),
                sum(1 for names in present.values() if b in names),
                n_ab,
            )
    return {"units": len(present), "pairs": counts}


def counted_by_tool(p: Project, kind: str, coder: str | None = None) -> dict:
    result = cooccurrence(p, Filters(coders=(coder,) if coder else ()), within=kind)
    pairs = {}
    for pair in result.pairs:
        (a, n_a), (b, n_b) = sorted([(pair.code_a, pair.n_a), (pair.code_b, pair.n_b)])
        pairs[a, b] = (n_a, n_b, pair.n_ab)
    return {"units": result.units, "pairs": pairs}


def code_ids(p: Project) -> dict[str, int]:
    return dict(p.execute("SELECT name, id FROM codes").fetchall())


def add_random_codings(p: Project, rng: random.Random, coder: str, count: int) -> list[int]:
    """Codings of random spans: inside one sentence, across sentences and turns, on labels and blank lines."""
    ids = code_ids(p)
    documents = p.execute("SELECT id, length(text) FROM documents").fetchall()
    added = []
    while len(added) < count:
        document_id, length = rng.choice(documents)
        start = rng.randrange(0, length - 1)
        end = min(length, start + rng.choice((1, 5, 30, 90, 250)))
        try:
            coding = coding_svc.add_coding(
                p,
                document_id=document_id,
                code_id=ids[rng.choice(CODES)],
                coder_id=p.coder_id(coder),
                start=start,
                end=end,
            )
        except BeaconError:  # the same passage and code twice
            continue
        added.append(coding.id)
    return added


@pytest.fixture
def project(make_project) -> Project:
    return make_project(
        spec(
            councils="register",
            codes=CODES,
            transcripts=[
                (name, FRONT.format(council=council, phase=phase) + BODY + ENDING.format(council=council))
                for name, council, phase in COUNCILS
            ],
        ),
        "placement.db",
    )


def test_coding_recoding_resizing_and_removing_keep_the_units_in_step(project: Project) -> None:
    rng = random.Random(7)
    ids = add_random_codings(project, rng, "alice", 40) + add_random_codings(project, rng, "bob", 20)
    assert_in_step(project)
    alice = project.coder_id("alice")
    codes = code_ids(project)
    for coding_id in rng.sample(ids, 10):
        coding_svc.recode(project, coding_id, codes["Tacit"], coder_id=alice)
    for coding_id in rng.sample(ids, 10):
        coding = coding_svc.get_coding(project, coding_id)
        try:
            coding_svc.resize(project, coding_id, max(0, coding.start - 40), coding.end + 60, coder_id=alice)
        except BeaconError:
            pass  # past the end of the text, or the same passage and code as another coding
    assert_in_step(project)
    removed = rng.sample(ids, 15)
    for coding_id in removed:
        coding_svc.remove_coding(project, coding_id, coder_id=alice)
    assert not project.scalar(
        f"SELECT count(*) FROM coding_units WHERE coding_id IN ({','.join('?' * len(removed))})", removed
    )
    assert_in_step(project)
    while coding_svc.undo(project, alice) is not None:  # alice's removals and changes come back, then go
        pass
    assert_in_step(project)
    for kind in ("sentence", "turn"):
        assert counted_by_tool(project, kind) == counted_by_hand(project, kind)
        assert counted_by_tool(project, kind, "bob") == counted_by_hand(project, kind, "bob")


def test_revising_a_transcript_and_undoing_it_move_the_codings_units_too(
    project: Project, tmp_path: Path
) -> None:
    add_random_codings(project, random.Random(3), "alice", 30)
    before = stored(project)
    corrected = tmp_path / "corrected"
    corrected.mkdir()
    text = FRONT.format(council="LB Camden", phase=1) + REVISED + ENDING.format(council="LB Camden")
    (corrected / "camden.txt").write_text(text, encoding="utf-8")
    revise_svc.revise_document(project, "camden.txt", corrected / "camden.txt")
    assert_in_step(project)
    assert stored(project) != before  # the revised document has other units
    for kind in ("sentence", "turn"):
        assert counted_by_tool(project, kind) == counted_by_hand(project, kind)
    revise_svc.undo_revision(project, "camden.txt")
    assert_in_step(project)
    for kind in ("sentence", "turn"):
        assert counted_by_tool(project, kind) == counted_by_hand(project, kind)


def test_a_merged_copys_codings_are_placed_and_counted(project: Project, tmp_path: Path) -> None:
    add_random_codings(project, random.Random(5), "alice", 20)
    copy_path = tmp_path / "bob.db"
    clone_for_coder(project, "bob", copy_path)
    with Project.open(copy_path) as copy:
        add_random_codings(copy, random.Random(6), "bob", 50)
    result = merge_projects(project, [copy_path])
    assert result.files[0].codings_added == 50
    assert project.scalar("SELECT deferred FROM coding_units_control") == 0
    assert_in_step(project)
    assert (
        project.scalar(
            "SELECT count(DISTINCT cu.coding_id) FROM coding_units cu JOIN coders r ON r.id = cu.coder_id "
            "WHERE r.name = 'bob'"
        )
        == 50
    )
    for kind in ("sentence", "turn"):
        assert counted_by_tool(project, kind, "bob") == counted_by_hand(project, kind, "bob")
        assert counted_by_tool(project, kind) == counted_by_hand(project, kind)


def test_a_failed_deferred_write_leaves_neither_codings_nor_the_flag(project: Project) -> None:
    add_random_codings(project, random.Random(9), "alice", 5)
    before = stored(project)
    with pytest.raises(sqlite3.IntegrityError), project.transaction(), deferred_placement(project):
        project.execute(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
            " VALUES (?, 1, 1, 1, 0, 10, ?)",
            (new_uuid(), now()),
        )
        project.execute(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
            " VALUES (?, 1, 1, 1, 10, 5, ?)",
            (new_uuid(), now()),
        )  # end before start
    assert project.scalar("SELECT deferred FROM coding_units_control") == 0
    assert stored(project) == before
    assert_in_step(project)


def test_check_reports_units_out_of_step_and_reindex_mends_them(project: Project) -> None:
    add_random_codings(project, random.Random(11), "alice", 10)
    with project.transaction():
        project.execute("DELETE FROM coding_units WHERE coding_id = (SELECT min(id) FROM codings)")
    report = check_project(project.path)
    assert any(
        problem.startswith("coding placement:") and "beacon-qual reindex" in problem
        for problem in report.problems
    )
    result = CliRunner().invoke(main, ["--project", str(project.path), "reindex"])
    assert result.exit_code == 0, result.output
    assert "placed 10 codings in their sentences and turns" in result.output
    assert_in_step(project)
    assert check_project(project.path).ok


def test_differences_count_missing_extra_and_changed_rows(project: Project) -> None:
    # check reports how many rows are out of step: every missing row, every extra row, and a changed count
    # as one of each.
    add_random_codings(project, random.Random(5), "alice", 10)
    assert placement_differences(project.conn) == 0 and count_differences(project.conn) == 0
    with project.transaction():
        first = "(SELECT min(id) FROM codings)"
        missing = project.scalar(f"SELECT count(*) FROM coding_units WHERE coding_id = {first}")
        project.execute(f"DELETE FROM coding_units WHERE coding_id = {first}")
        project.execute(
            "INSERT INTO coding_units VALUES ('sentence', 1, 1, 1, 99999, 99999), ('turn', 1, 1, 1, 99998, 99999)"
        )
        key = "(code_id, document_id, coder_id)"
        rows = project.execute(
            f"SELECT {key[1:-1]} FROM coding_counts ORDER BY {key[1:-1]} LIMIT 2"
        ).fetchall()
        project.execute(f"UPDATE coding_counts SET n = n + 2 WHERE {key} = (?, ?, ?)", tuple(rows[0]))
        project.execute(f"DELETE FROM coding_counts WHERE {key} = (?, ?, ?)", tuple(rows[1]))
        project.execute("INSERT INTO coding_counts VALUES (1, 1, 99, 3)")
    assert missing >= 2  # a sentence and a turn at least
    assert placement_differences(project.conn) == missing + 2
    assert count_differences(project.conn) == 2 + 1 + 1


def test_migrating_an_older_project_places_its_codings(tmp_path: Path) -> None:
    """A project written before coding_units existed gets every coding placed when it is first opened."""
    path = tmp_path / "v5.db"
    conn = older_schema(path, 5)
    conn.executescript(
        f"""
        INSERT INTO coders(id, uuid, name, created_at) VALUES (1, '{new_uuid()}', 'alice', '2026-01-01');
        INSERT INTO codes(id, uuid, name, created_at) VALUES (1, '{new_uuid()}', 'Imitation', '2026-01-01'),
            (2, '{new_uuid()}', 'Adaptation', '2026-01-01');
        INSERT INTO documents(id, uuid, name, text, sha256, imported_at)
            VALUES (1, '{new_uuid()}', 'a.txt', 'One two. Three four. Five six.', 'x', '2026-01-01');
        INSERT INTO units(document_id, kind, seq, start, end) VALUES
            (1, 'turn', 1, 0, 30), (1, 'sentence', 1, 0, 8), (1, 'sentence', 2, 9, 20), (1, 'sentence', 3, 21, 30);
        INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at) VALUES
            ('{new_uuid()}', 1, 1, 1, 0, 12, '2026-01-01'), ('{new_uuid()}', 1, 2, 1, 10, 30, '2026-01-01');
        """
    )
    conn.close()
    with Project.open(path) as p:
        assert_in_step(p)
        assert len(stored(p)) == 2 + 4  # one turn each; sentences 1-2 and 2-3
        result = cooccurrence(p, within="sentence")
        assert [(r.code_a, r.code_b, r.n_a, r.n_b, r.n_ab) for r in result.pairs] == [
            ("Imitation", "Adaptation", 2, 2, 1)
        ]


def test_check_reports_counts_out_of_step_and_reindex_mends_them(project: Project) -> None:
    add_random_codings(project, random.Random(13), "alice", 12)
    with project.transaction():
        project.execute(
            "UPDATE coding_counts SET n = n + 2 WHERE code_id = (SELECT min(code_id) FROM coding_counts)"
        )
        project.execute("DELETE FROM coding_counts WHERE code_id = (SELECT max(code_id) FROM coding_counts)")
    [problem] = [p for p in check_project(project.path).problems if p.startswith("coding counts:")]
    assert "beacon-qual reindex" in problem
    result = CliRunner().invoke(main, ["--project", str(project.path), "reindex"])
    assert result.exit_code == 0, result.output
    assert (
        f"counted codings for {len(counts_by_hand(project))} (code, document, coder) combinations"
        in result.output
    )
    assert_in_step(project)
    assert check_project(project.path).ok
