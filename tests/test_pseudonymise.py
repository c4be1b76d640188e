"""`pseudonymise OUT.db --names names.csv`: a shareable copy with people's names replaced everywhere, the same
replacement for a name in every document, every coding moved onto its passage in the new text (or flagged,
never dropped), `check` clean, the original untouched. The transcripts here are invented."""

from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path

import pytest
from builders import with_codes
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.coding import codings as coding_svc
from beacon_qual.ingest.importer import import_paths
from beacon_qual.store import Project, new_uuid, now

CAMDEN = (
    "Sarah Lind: How did you hear about the Beacon visit?\n\n"
    "Priya Shah: Sarah Lind asked me. We visited Kent twice with Tom Okafor. Later we adapted the scheme.\n\n"
    "Sarah Lind: What did TOM OKAFOR think of it?\n\n"
    "Priya Shah: He liked it, but Margaret from finance did not, and Margaret Hughes wrote to Sarah Lind's team.\n"
)
HULL = (
    "Interviewer: Thanks for seeing me.\n\n"
    "Respondent: I met Sarah Lind in Hull last spring. Jon Ree is my name, by the way. We copied the forms.\n"
)
MANIFEST = (
    "file,council,phase,role,interview_date,interviewer,respondent\n"
    "camden.txt,LB Camden,1,officer,2006-04-03,Sarah Lind,Priya Shah\n"
    "hull.txt,Hull,2,member,2007-05-01,Sarah Lind,Jon Ree\n"
)
NAMES = "name,replacement\nTom Okafor,\nMargaret Hughes,Finance officer\n"
REPLACED = {  # what the user sees: metadata names by role, listed names as "Person A" or as the file says
    "Sarah Lind": "Interviewer A",
    "Jon Ree": "Respondent A",
    "Priya Shah": "Respondent B",
    "Tom Okafor": "Person A",
    "Margaret Hughes": "Finance officer",
}
PASSAGES = [  # document, passage, coding memo
    ("camden.txt", "Sarah Lind asked me.", "Priya Shah said so"),
    ("camden.txt", "We visited Kent twice with Tom Okafor.", None),
    ("camden.txt", "Later we adapted the scheme.", None),
    ("camden.txt", "What did TOM OKAFOR think of it?", None),
    ("camden.txt", "Margaret Hughes wrote to Sarah Lind's team.", None),
    ("hull.txt", "Jon Ree is my name, by the way.", None),
    ("hull.txt", "We copied the forms.", None),
]


def replace_all(text: str) -> str:
    for name, new in REPLACED.items():
        text = re.sub(re.escape(name), new, text, flags=re.IGNORECASE)
    return text


@pytest.fixture
def study(tmp_path: Path, make_project) -> Path:
    project = make_project(with_codes("Adoption", "Adaptation"), "study.db")
    path = project.path
    source = tmp_path / "source"
    source.mkdir()
    (source / "camden.txt").write_text(CAMDEN, encoding="utf-8")
    (source / "hull.txt").write_text(HULL, encoding="utf-8")
    (source / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    import_paths(project, [source])
    code_id = project.scalar("SELECT id FROM codes WHERE name = 'Adoption'")
    coder = project.coder_id("alice")
    for document, passage, memo in PASSAGES:
        doc_id, text = project.one("SELECT id, text FROM documents WHERE name = ?", (document,))
        start = text.index(passage)
        coding = coding_svc.add_coding(
            project,
            document_id=doc_id,
            code_id=code_id,
            coder_id=coder,
            start=start,
            end=start + len(passage),
        )
        if memo:
            with project.transaction():
                project.execute("UPDATE codings SET memo = ? WHERE id = ?", (memo, coding.id))
    # a coding that starts inside a name cannot keep its words: it must be flagged, not lost
    doc_id, text = project.one("SELECT id, text FROM documents WHERE name = 'camden.txt'")
    start = text.index("Lind asked me.")
    coding_svc.add_coding(
        project, document_id=doc_id, code_id=code_id, coder_id=coder, start=start, end=start + 14
    )
    with project.transaction():
        project.execute(
            "INSERT INTO memos(uuid, target_type, target_id, title, text, created_at) VALUES (?,?,?,?,?,?)",
            (
                new_uuid(),
                "document",
                doc_id,
                "Notes on Priya Shah",
                "Sarah Lind checked this with Jon Ree.",
                now(),
            ),
        )
    project.close()
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def contents(path: Path) -> dict:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {
            "documents": conn.execute(
                "SELECT id, name, text, interviewer, respondent, sha256 FROM documents ORDER BY id"
            ).fetchall(),
            "units": conn.execute(
                "SELECT document_id, kind, start, end, speaker FROM units ORDER BY id"
            ).fetchall(),
            "codings": conn.execute(
                "SELECT id, document_id, start, end, memo, status FROM codings ORDER BY id"
            ).fetchall(),
            "memos": conn.execute("SELECT id, title, text FROM memos ORDER BY id").fetchall(),
        }
    finally:
        conn.close()


def pseudonymise(study: Path, tmp_path: Path) -> tuple[Path, str]:
    names = tmp_path / "names.csv"
    names.write_text(NAMES, encoding="utf-8")
    out = tmp_path / "shared.db"
    code, output = run("--project", str(study), "pseudonymise", str(out), "--names", str(names))
    assert code == 0, output
    return out, output


def test_every_name_is_gone_from_every_text_and_from_the_file(study, tmp_path):
    out, output = pseudonymise(study, tmp_path)
    assert "names replaced in 2 of 2 documents; 8 codings, 1 flagged for review" in output
    assert not Path(f"{out}-wal").exists()
    after = contents(out)
    texts = [value for table in after.values() for row in table for value in row if isinstance(value, str)]
    raw = out.read_bytes().lower()
    for name in REPLACED:
        assert not any(name.lower() in text.lower() for text in texts), name
        assert name.lower().encode() not in raw, name  # no old page keeps it
    for surname in (b"okafor", b"shah", b"hughes"):  # ("lind" is in East Lindsey, a council)
        assert surname not in raw, surname  # nor the search index's words


def test_a_name_has_one_replacement_everywhere(study, tmp_path):
    out, _ = pseudonymise(study, tmp_path)
    after = contents(out)
    documents = {row[1]: row for row in after["documents"]}
    assert documents["camden.txt"][2] == replace_all(CAMDEN)
    assert documents["hull.txt"][2] == replace_all(HULL)
    assert [(d[3], d[4]) for d in after["documents"]] == [
        ("Interviewer A", "Respondent B"),
        ("Interviewer A", "Respondent A"),
    ]
    speakers = {row[4] for row in after["units"] if row[1] == "turn"}
    assert speakers == {"Interviewer A", "Respondent B", "Interviewer", "Respondent"}
    assert after["memos"][0][1:] == ("Notes on Respondent B", "Interviewer A checked this with Respondent A.")


def test_codings_keep_their_passages_apart_from_the_names(study, tmp_path):
    before = contents(study)
    out, _ = pseudonymise(study, tmp_path)
    after = contents(out)
    old_text = {row[0]: row[2] for row in before["documents"]}
    new_text = {row[0]: row[2] for row in after["documents"]}
    assert [c[0] for c in after["codings"]] == [c[0] for c in before["codings"]]  # none dropped
    flagged = []
    for (cid, doc, s, e, memo, _status), (cid2, doc2, s2, e2, memo2, status2) in zip(
        before["codings"], after["codings"]
    ):
        assert (cid, doc) == (cid2, doc2)
        if status2 == "review":
            flagged.append(old_text[doc][s:e])
            continue
        assert new_text[doc][s2:e2] == replace_all(old_text[doc][s:e])
        assert memo2 == (replace_all(memo) if memo else None)
    assert flagged == ["Lind asked me."]  # began inside a name: kept, flagged for a person to place


def test_copy_passes_check_and_original_is_untouched(study, tmp_path):
    before = contents(study)
    out, _ = pseudonymise(study, tmp_path)
    assert contents(study) == before
    code, output = run("--project", str(out), "check")
    assert code == 0, output
    assert "no problems found" in output
    # the copy still analyses: the codings count as before
    code, output = run("--project", str(out), "export", "frequencies")
    assert code == 0 and "Adoption,8,2,2" in output


def test_leftover_name_like_words_are_listed_for_review(study, tmp_path):
    out, output = pseudonymise(study, tmp_path)
    review = out.with_name(out.name + ".names-review.csv")
    assert str(review) in output
    with review.open(encoding="utf-8") as fh:
        words = {row["word"]: row for row in csv.DictReader(fh)}
    assert words["Margaret"]["occurrences"] == "1"  # a first name alone is not replaced, but it is listed
    assert "Kent" not in words and "Hull" not in words  # councils are not people
    assert "Interviewer" not in words and "Respondent" not in words


def test_refusals_write_nothing(study, tmp_path):
    out = tmp_path / "shared.db"
    out.write_bytes(b"")
    code, output = run("--project", str(study), "pseudonymise", str(out))
    assert code != 0 and "exists" in output and output.count("\n") == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("person\nSarah Lind\n", encoding="utf-8")
    other = tmp_path / "other.db"
    code, output = run("--project", str(study), "pseudonymise", str(other), "--names", str(bad))
    assert code != 0 and "'name' column" in output and output.count("\n") == 1
    assert not other.exists()
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_without_a_names_file_metadata_and_speaker_names_are_replaced(study, tmp_path):
    out = tmp_path / "plain.db"
    code, output = run("--project", str(study), "pseudonymise", str(out))
    assert code == 0, output
    project = Project.open(out)
    try:
        text = project.scalar("SELECT text FROM documents WHERE name = 'camden.txt'")
    finally:
        project.close()
    assert "Sarah Lind" not in text and "Priya Shah" not in text
    assert "Tom Okafor" in text  # not listed anywhere: left, and its words listed for review


def test_longest_name_wins_and_names_inside_words_are_left():
    from beacon_qual.exchange.pseudonymise import Replacer

    replacer = Replacer({"ann": "Person A", "ann lee": "Person B", "anna": "Person C", "straße": "Person D"})
    assert (
        replacer.text("Ann Lee met Anna, ANN and Annabel in\nAnn  Lee's office on Straße.")
        == "Person B met Person C, Person A and Annabel in\nPerson B's office on Person D."
    )
