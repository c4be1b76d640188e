"""Revisions: a corrected transcript replaces a document's text; codings move with it, doubtful ones are flagged."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beacon_qual.cli import main
from beacon_qual.coding import codings as coding_svc
from beacon_qual.documents import revise as svc
from beacon_qual.documents.anchoring import DEFAULT_THRESHOLD, TextDiff, reanchor
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.check import check_project

FRONT = "---\n# Invented test transcript.\ncouncil: LB Camden\nphase: 1\nrole: officer\n---\n"
ORIGINAL = (
    "Interviewer: How did the Beacon Scheme change your service?\n\n"
    "Respondent: We visited Kent twice. We copied their referral form at first. "
    "Later we adapted the scheme to our estates.\n\n"
    "Interviewer: What made the adaptation work?\n\n"
    "Respondent: Staff on the estates knew teh residents. That tacit knowledge mattered more than the manual.\n"
)
REVISED = (
    "Interviewer: How did the Beacon Scheme change your service?\n\n"
    "Respondent: We visited Kent three times. We copied their referral form at first.\n\n"
    "Interviewer: Why did it work for you in the end, do you think?\n\n"
    "Respondent: Staff on the estates knew the residents. That tacit knowledge mattered more than the manual.\n"
)
PASSAGES = {
    "unchanged": "How did the Beacon Scheme change your service?",
    "exact_1": "We copied their referral form at first.",
    "exact_2": "That tacit knowledge mattered more than the manual.",
    "fuzzy": "Staff on the estates knew teh residents.",
    "rewritten": "What made the adaptation work?",
    "deleted": "Later we adapted the scheme to our estates.",
}


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(FRONT + body, encoding="utf-8")
    return path


@pytest.fixture
def project(make_project) -> Project:
    """A project with the council register, two codes and one imported interview (camden.txt)."""
    return make_project(
        councils="register",
        codes=["Adoption", "Adaptation"],
        transcripts=[("camden.txt", FRONT + ORIGINAL)],
        name="rev.db",
    )


def code(p: Project, name: str) -> int:
    return p.scalar("SELECT id FROM codes WHERE name = ?", (name,))


def add(p: Project, passage: str, *, coder: str = "alice", code_name: str = "Adoption") -> int:
    text = p.scalar("SELECT text FROM documents WHERE id = 1")
    start = text.index(passage)
    return coding_svc.add_coding(
        p,
        document_id=1,
        code_id=code(p, code_name),
        coder_id=p.coder_id(coder),
        start=start,
        end=start + len(passage),
    ).id


def passage_of(p: Project, coding_id: int) -> str:
    return p.scalar(
        "SELECT substr(d.text, c.start + 1, c.end - c.start) FROM codings c JOIN documents d ON d.id = c.document_id"
        " WHERE c.id = ?",
        (coding_id,),
    )


def coding_row(p: Project, coding_id: int) -> dict:
    return dict(p.one("SELECT start, end, status, anchor_score FROM codings WHERE id = ?", (coding_id,)))


def snapshot(p: Project) -> dict:
    return {
        "document": dict(p.one("SELECT text, sha256, revision, word_count, source_path FROM documents")),
        "units": [
            tuple(r) for r in p.execute("SELECT kind, seq, start, end, speaker FROM units ORDER BY kind, seq")
        ],
        "codings": {
            r["id"]: (r["start"], r["end"], r["status"], r["anchor_score"])
            for r in p.execute("SELECT * FROM codings")
        },
    }


def revised_file(tmp_path: Path, body: str = REVISED) -> Path:
    folder = tmp_path / "corrected"
    folder.mkdir(exist_ok=True)
    return write(folder, "camden.txt", body)


# -- revising ---------------------------------------------------------------------------------------


def test_each_coding_is_placed_by_the_right_method(project: Project, tmp_path: Path) -> None:
    ids = {key: add(project, text) for key, text in PASSAGES.items()}
    report = svc.revise_document(project, "camden.txt", revised_file(tmp_path))
    assert report.revision == 2
    assert report.counts == {"unchanged": 1, "exact": 2, "near": 0, "fuzzy": 1, "unplaced": 2}
    assert sorted(report.flagged) == sorted([ids["rewritten"], ids["deleted"]])
    for key in ("unchanged", "exact_1", "exact_2"):
        assert passage_of(project, ids[key]) == PASSAGES[key]
        assert coding_row(project, ids[key])["status"] == "ok"
    fuzzy = coding_row(project, ids["fuzzy"])
    assert passage_of(project, ids["fuzzy"]) == "Staff on the estates knew the residents."
    # one substituted letter in 40: ratio = 2 * 39 / 80 = 97.5
    assert fuzzy["status"] == "ok" and fuzzy["anchor_score"] == pytest.approx(97.5)
    for key in ("rewritten", "deleted"):
        row = coding_row(project, ids[key])
        assert row["status"] == "review" and row["anchor_score"] < DEFAULT_THRESHOLD
    # the rewritten question's coding stays on what took its place
    assert passage_of(project, ids["rewritten"]) == "Why did it work for you in the end, do you think?"
    assert project.scalar("SELECT count(*) FROM codings") == len(PASSAGES)


def test_document_text_units_and_hashes_are_renewed(project: Project, tmp_path: Path) -> None:
    import hashlib

    svc.revise_document(project, "camden.txt", revised_file(tmp_path))
    doc = project.one("SELECT * FROM documents")
    assert doc["text"] == REVISED and doc["revision"] == 2
    assert doc["sha256"] == hashlib.sha256(REVISED.encode()).hexdigest()
    assert doc["word_count"] == len(REVISED.split())
    assert doc["source_path"] == str((tmp_path / "corrected" / "camden.txt").resolve())
    turns = project.execute(
        "SELECT start, end, speaker FROM units WHERE kind = 'turn' ORDER BY seq"
    ).fetchall()
    assert [t["speaker"] for t in turns] == ["Interviewer", "Respondent", "Interviewer", "Respondent"]
    assert [REVISED[t["start"] : t["end"]] for t in turns] == [line for line in REVISED.split("\n") if line]
    sentences = [
        REVISED[r[0] : r[1]]
        for r in project.execute("SELECT start, end FROM units WHERE kind = 'sentence' ORDER BY seq")
    ]
    assert (
        "We visited Kent three times." in sentences
        and "Staff on the estates knew the residents." in sentences
    )
    kept = project.one("SELECT * FROM document_revisions")
    assert kept["revision"] == 1 and kept["text"] == ORIGINAL
    assert kept["sha256"] == hashlib.sha256(ORIGINAL.encode()).hexdigest()
    assert check_project(project.path).problems == []


def test_anchor_records_and_audit(project: Project, tmp_path: Path) -> None:
    ids = {key: add(project, text) for key, text in PASSAGES.items()}
    svc.revise_document(project, "camden.txt", revised_file(tmp_path), coder_id=project.coder_id("editor"))
    anchors = {r["coding_id"]: r for r in project.execute("SELECT * FROM coding_anchors")}
    assert set(anchors) == set(ids.values())
    old_start = ORIGINAL.index(PASSAGES["exact_2"])
    exact = anchors[ids["exact_2"]]
    assert (exact["old_start"], exact["old_end"]) == (old_start, old_start + len(PASSAGES["exact_2"]))
    assert exact["new_start"] == REVISED.index(PASSAGES["exact_2"]) and exact["method"] == "exact"
    assert anchors[ids["deleted"]]["method"] == "unplaced"
    actions = [
        r[0]
        for r in project.execute(
            "SELECT action FROM audit WHERE action LIKE '%revise%' OR action LIKE 'coding.reanchor'"
        )
    ]
    assert actions.count("document.revise") == 1
    assert actions.count("coding.reanchor") == 6  # every coding gets its anchor score
    unchanged = coding_row(project, ids["unchanged"])
    assert unchanged["anchor_score"] == 100 and unchanged["start"] == ORIGINAL.index(PASSAGES["unchanged"])


def test_moved_turn_is_found_near(project: Project, tmp_path: Path) -> None:
    first = add(project, "We copied their referral form at first.")
    second = add(project, "That tacit knowledge mattered more than the manual.")
    blocks = ORIGINAL.rstrip("\n").split("\n\n")
    swapped = "\n\n".join([blocks[0], blocks[3], blocks[2], blocks[1]]) + "\n"
    report = svc.revise_document(project, "camden.txt", revised_file(tmp_path, swapped))
    assert report.flagged == []
    assert passage_of(project, first) == "We copied their referral form at first."
    assert passage_of(project, second) == "That tacit knowledge mattered more than the manual."
    assert report.counts["near"] >= 1 and report.counts["near"] + report.counts["exact"] == 2


def test_backup_beside_project_holds_the_old_text(project: Project, tmp_path: Path) -> None:
    report = svc.revise_document(project, "camden.txt", revised_file(tmp_path))
    assert report.backup.parent == project.path.parent
    assert report.backup.name.startswith("rev.db.before-revise-") and report.backup.suffix == ".bak"
    with Project.open(report.backup) as old:
        assert old.scalar("SELECT text FROM documents") == ORIGINAL


@pytest.mark.parametrize(
    "body,message",
    [
        (ORIGINAL, "same text"),
        (None, "looks like a binary file"),
    ],
)
def test_refused_revisions_change_nothing(
    project: Project, tmp_path: Path, body: str | None, message: str
) -> None:
    add(project, PASSAGES["exact_1"])
    before = snapshot(project)
    path = revised_file(tmp_path, body or "")
    if body is None:
        path.write_bytes(b"\x00\x01\x02binary\x00" * 50)
    with pytest.raises(BeaconError, match=message):
        svc.revise_document(project, "camden.txt", path)
    assert snapshot(project) == before
    assert project.scalar("SELECT count(*) FROM document_revisions") == 0


def test_unknown_document_and_nothing_to_undo(project: Project, tmp_path: Path) -> None:
    with pytest.raises(BeaconError, match="no document 'kent.txt'"):
        svc.revise_document(project, "kent.txt", revised_file(tmp_path))
    with pytest.raises(BeaconError, match="no earlier text"):
        svc.undo_revision(project, "camden.txt")


# -- undo ---------------------------------------------------------------------------------------------


def test_undo_restores_text_units_and_every_coding(project: Project, tmp_path: Path) -> None:
    ids = {key: add(project, text) for key, text in PASSAGES.items()}
    alice = project.coder_id("alice")
    coding_svc.resize(project, ids["exact_2"], *_span(ORIGINAL, "That tacit knowledge"), coder_id=alice)
    with project.transaction():
        project.execute(
            "UPDATE codings SET status = 'review', anchor_score = 70 WHERE id = ?", (ids["exact_1"],)
        )
    before = snapshot(project)
    svc.revise_document(project, "camden.txt", revised_file(tmp_path))
    later = add(project, "Kent three times", code_name="Adaptation")  # made on the new text
    report = svc.undo_revision(project, "camden.txt")
    assert report.revision == 1 and report.restored == len(PASSAGES)
    after = snapshot(project)
    assert after["document"] == before["document"]
    assert after["units"] == before["units"]
    assert {k: v for k, v in after["codings"].items() if k != later} == before["codings"]
    # the newer coding moves back onto the old text; its words are not there any more, so it is flagged
    assert coding_row(project, later)["status"] == "review" and report.flagged == [later]
    assert project.scalar("SELECT count(*) FROM document_revisions") == 0
    assert project.scalar("SELECT count(*) FROM coding_anchors") == 0
    assert check_project(project.path).problems == []


def test_revise_undo_revise_again(project: Project, tmp_path: Path) -> None:
    cid = add(project, PASSAGES["exact_2"])
    path = revised_file(tmp_path)
    svc.revise_document(project, "camden.txt", path)
    svc.undo_revision(project, "camden.txt")
    report = svc.revise_document(project, "camden.txt", path)
    assert report.revision == 2 and passage_of(project, cid) == PASSAGES["exact_2"]
    third = REVISED.replace("Kent three times", "Kent, three times over")
    report = svc.revise_document(project, "camden.txt", revised_file(tmp_path, third))
    assert report.revision == 3 and passage_of(project, cid) == PASSAGES["exact_2"]
    assert [r[0] for r in project.execute("SELECT revision FROM document_revisions ORDER BY revision")] == [
        1,
        2,
    ]
    svc.undo_revision(project, "camden.txt")
    assert project.scalar("SELECT text FROM documents") == REVISED


def _span(text: str, passage: str) -> tuple[int, int]:
    start = text.index(passage)
    return start, start + len(passage)


def test_search_index_follows_the_text(project: Project, tmp_path: Path) -> None:
    from beacon_qual.search.fulltext import search

    def found(word: str) -> list[str]:
        text = project.scalar("SELECT text FROM documents WHERE id = 1")
        return sorted(text[h.start : h.end] for h in search(project, word))

    adapt = ["Later we adapted the scheme to our estates.", "What made the adaptation work?"]  # stemmed alike
    assert found("adaptation") == adapt and found("three") == []
    svc.revise_document(project, "camden.txt", revised_file(tmp_path))
    assert found("adaptation") == [] and found("three") == ["We visited Kent three times."]
    svc.undo_revision(project, "camden.txt")
    assert found("adaptation") == adapt and found("three") == []


def test_undo_of_a_removal_from_before_the_revision_is_refused(project: Project, tmp_path: Path) -> None:
    alice = project.coder_id("alice")
    removed = add(project, PASSAGES["exact_2"])
    coding_svc.remove_coding(project, removed, coder_id=alice)
    svc.revise_document(project, "camden.txt", revised_file(tmp_path))
    with pytest.raises(BeaconError, match="revised since"):
        coding_svc.undo(project, alice)  # the removed coding's offsets belong to the old text
    assert project.scalar("SELECT count(*) FROM codings") == 0
    svc.undo_revision(project, "camden.txt")
    coding_svc.undo(project, alice)  # back on the text it was made on, it can return
    assert passage_of(project, removed) == PASSAGES["exact_2"]


# -- review ----------------------------------------------------------------------------------------


def test_review_list_accept_and_set(project: Project, tmp_path: Path) -> None:
    ids = {key: add(project, text) for key, text in PASSAGES.items()}
    svc.revise_document(project, "camden.txt", revised_file(tmp_path))
    items = {item.coding_id: item for item in svc.codings_for_review(project)}
    assert set(items) == {ids["rewritten"], ids["deleted"]}
    rewritten = items[ids["rewritten"]]
    assert rewritten.old_passage == PASSAGES["rewritten"] and rewritten.revision == 1
    assert rewritten.passage == "Why did it work for you in the end, do you think?"
    assert rewritten.code == "Adoption" and rewritten.coder == "alice" and rewritten.method == "unplaced"
    assert svc.codings_for_review(project, document_id=1) == list(items.values())
    alice = project.coder_id("alice")
    svc.accept_placement(project, ids["rewritten"], coder_id=alice)
    start, end = _span(REVISED, "We visited Kent three times.")
    svc.set_placement(project, ids["deleted"], start, end, coder_id=alice)
    assert svc.codings_for_review(project) == []
    assert passage_of(project, ids["deleted"]) == "We visited Kent three times."
    with pytest.raises(BeaconError, match="not flagged for review"):
        svc.accept_placement(project, ids["rewritten"], coder_id=alice)
    # undo is the coder's ordinary undo: the last resolution comes back as flagged
    coding_svc.undo(project, alice)
    assert [i.coding_id for i in svc.codings_for_review(project)] == [ids["deleted"]]


def test_set_placement_refuses_impossible_offsets(project: Project, tmp_path: Path) -> None:
    cid = add(project, PASSAGES["deleted"])
    svc.revise_document(project, "camden.txt", revised_file(tmp_path))
    for start, end in ((-1, 4), (10, 10), (0, len(REVISED) + 1)):
        with pytest.raises(BeaconError, match="not a passage"):
            svc.set_placement(project, cid, start, end, coder_id=project.coder_id("alice"))
    assert coding_row(project, cid)["status"] == "review"


# -- command line ------------------------------------------------------------------------------------


def run(project: Project, *args: str) -> object:
    return CliRunner().invoke(main, ["-p", str(project.path), *args], env={"BEACON_QUAL_CODER": "alice"})


def test_cli_revise_report_review_and_undo(project: Project, tmp_path: Path) -> None:
    ids = {key: add(project, text) for key, text in PASSAGES.items()}
    path = revised_file(tmp_path)
    result = run(project, "revise", "camden.txt", str(path))
    assert result.exit_code == 0, result.output
    assert "now revision 2 (6 coding(s))" in result.output
    assert "unchanged 1, exact 2, near 0, fuzzy 1, flagged 2" in result.output
    assert "2 coding(s) need review" in result.output
    listed = run(project, "review", "list")
    assert (
        f"coding {ids['rewritten']}" in listed.output and '"What made the adaptation work?"' in listed.output
    )
    as_json = json.loads(run(project, "review", "list", "--format", "json").output)
    assert {item["coding_id"] for item in as_json} == {ids["rewritten"], ids["deleted"]}
    assert run(project, "review", "accept", str(ids["rewritten"])).exit_code == 0
    result = run(project, "review", "set", str(ids["deleted"]), "--start", "0", "--end", "12")
    assert result.exit_code == 0 and "now covers 0-12" in result.output
    assert "no codings need review" in run(project, "review", "list").output
    result = run(project, "revise", "--undo", "camden.txt")
    assert result.exit_code == 0 and "back at revision 1: 6 coding(s) restored" in result.output
    assert passage_of(project, ids["deleted"]) == PASSAGES["deleted"]


def test_cli_errors_are_one_line(project: Project, tmp_path: Path) -> None:
    for args, message in (
        (["revise", "camden.txt"], "say which file"),
        (["revise", "camden.txt", str(tmp_path / "missing.txt")], "missing.txt"),
        (["revise", "--undo", "camden.txt"], "no earlier text"),
        (["review", "accept", "99"], "no coding with id 99"),
        (["revise", "camden.txt", str(revised_file(tmp_path)), "--threshold", "150"], "threshold 150"),
    ):
        result = run(project, *args)
        assert result.exit_code == 1
        assert result.stderr.startswith("error: ") and message in result.stderr
        assert "Traceback" not in result.output


# -- properties of re-anchoring ----------------------------------------------------------------------

ALPHABET = "abcde .\n"
texts = st.text(alphabet=ALPHABET, min_size=2, max_size=300)


@st.composite
def text_span_and_outside_edit(draw):
    text = draw(texts)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    inserted = draw(st.text(alphabet=ALPHABET + "XYZ", max_size=20))
    if draw(st.booleans()) and start > 0:  # an edit before the span
        a = draw(st.integers(0, start))
        b = draw(st.integers(a, start))
    elif end < len(text):  # an edit after it
        a = draw(st.integers(end, len(text)))
        b = draw(st.integers(a, len(text)))
    else:
        a = b = len(text)
    new = text[:a] + inserted + text[b:]
    shift = len(inserted) - (b - a) if b <= start else 0
    return text, new, start, end, shift


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_span_and_outside_edit())
def test_edits_outside_a_passage_keep_its_text(case) -> None:
    old, new, start, end, shift = case
    if not new:
        return
    [place] = reanchor(old, new, [(start, end)])
    assert place.confident and place.score == 100
    assert new[place.start : place.end] == old[start:end]
    if occurrences(new, old[start:end]) == 1:
        assert place.start == start + shift


def occurrences(text: str, passage: str) -> int:
    """How often passage occurs in text, overlapping occurrences included."""
    return sum(text.startswith(passage, i) for i in range(len(text)))


@st.composite
def text_span_and_inside_edit(draw):
    text = draw(texts)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    a = draw(st.integers(start, end))
    b = draw(st.integers(a, end))
    inserted = draw(st.text(alphabet=ALPHABET + "XYZ", max_size=20))
    return text, text[:a] + inserted + text[b:], start, end


@settings(max_examples=300, deadline=None)
@given(text_span_and_inside_edit())
def test_edits_inside_a_passage_are_scored_or_flagged(case) -> None:
    old, new, start, end = case
    if not new:
        return
    [place] = reanchor(old, new, [(start, end)])
    assert 0 <= place.start < place.end <= len(new)
    moved = new[place.start : place.end]
    if moved != old[start:end]:
        assert place.score < 100
        assert place.confident == (place.score >= DEFAULT_THRESHOLD)


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_text_diff_maps_every_offset_inside_the_new_text(old: str, new: str) -> None:
    diff = TextDiff(old, new)
    starts = [diff.map_start(i) for i in range(len(old) + 1)]
    ends = [diff.map_end(i) for i in range(len(old) + 1)]
    assert all(0 <= s <= len(new) for s in starts) and all(0 <= e <= len(new) for e in ends)
    assert starts == sorted(starts) and ends == sorted(ends)


def test_long_transcript_with_scattered_corrections() -> None:
    rnd = random.Random(7)
    words = [f"w{i}" for i in range(3000)]
    lines = [
        ("Interviewer: " if i % 2 else "Respondent: ") + " ".join(rnd.sample(words, 30)) + "."
        for i in range(400)
    ]
    old = "\n\n".join(lines) + "\n"
    new = old
    edits = sorted(rnd.sample(range(len(old) - 10), 40), reverse=True)
    for at in edits:
        new = new[:at] + "X" + new[at + 1 :]
    spans = [(s, s + rnd.randrange(20, 200)) for s in (rnd.randrange(len(old) - 200) for _ in range(300))]
    places = reanchor(old, new, spans)
    for (start, end), place in zip(spans, places):
        touched = any(start <= at < end for at in edits)
        if not touched:
            assert new[place.start : place.end] == old[start:end] and place.method in ("unchanged", "exact")
        else:  # a substituted character or two in 20 or more: still placed, over its whole length
            assert place.method == "fuzzy" and (place.start, place.end) == (start, end)
