"""Coder copies and merging them back: identities, conflicts, idempotence, order, all-or-nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from builders import Coding, Doc
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.team.copies import clone_for_coder, merge_projects

TEXTS = {
    "north.txt": "Respondent: We visited the Beacon council and copied their approach to housing advice.\n",
    "south.txt": "Respondent: Our members resisted at first; later we adapted the scheme for rural areas.\n",
}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def master(make_project_file) -> Path:
    return make_project_file(
        documents=[Doc(name, text, units=None) for name, text in TEXTS.items()],
        codes=["Innovation", "Innovation/Adoption", "Innovation/Adaptation"],
        coders=["lead"],
        codings=[Coding("north.txt", "Innovation/Adoption", "lead", 12, 40, memo="site visit")],
        name="master.db",
    )


def _code_id(project: Project, path: str) -> int:
    parent = None
    for name in path.split("/"):
        row = project.one("SELECT id FROM codes WHERE name = ? AND parent_id IS ?", (name, parent))
        parent = row[0]
    return parent


def _add(
    project: Project, doc: str, code: str, coder: str, start: int, end: int, memo: str | None = None
) -> str:
    uuid = new_uuid()
    with project.transaction():
        project.execute(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, memo, created_at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (
                uuid,
                project.scalar("SELECT id FROM documents WHERE name = ?", (doc,)),
                _code_id(project, code),
                project.coder_id(coder),
                start,
                end,
                memo,
                now(),
            ),
        )
    return uuid


def _new_code(project: Project, path: str) -> None:
    parent = None
    with project.transaction():
        for name in path.split("/"):
            row = project.one("SELECT id FROM codes WHERE name = ? AND parent_id IS ?", (name, parent))
            parent = (
                row[0]
                if row
                else project.execute(
                    "INSERT INTO codes(uuid, parent_id, name, created_at) VALUES (?,?,?,?)",
                    (new_uuid(), parent, name, now()),
                ).lastrowid
            )


def _coding_set(path: Path) -> set[tuple]:
    with Project.open(path) as project:
        return set(
            project.execute(
                "SELECT c.uuid, d.sha256, k.uuid, r.uuid, c.start, c.end, c.memo FROM codings c"
                " JOIN documents d ON d.id = c.document_id JOIN codes k ON k.id = c.code_id"
                " JOIN coders r ON r.id = c.coder_id"
            ).fetchall()
        )


@pytest.fixture
def copies(master: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Ann adds codings, a new code two levels deep and a memo; Ben adds codings and changes shared things."""
    with Project.open(master) as project:
        ann, ben = tmp_path / "ann.db", tmp_path / "ben.db"
        clone_for_coder(project, "Ann", ann)
        clone_for_coder(project, "Ben", ben)
    with Project.open(ann) as project:
        _add(project, "north.txt", "Innovation/Adoption", "Ann", 0, 30, memo="copying")
        _add(project, "south.txt", "Innovation/Adaptation", "Ann", 50, 80)
        _new_code(project, "Innovation/Scaling/Rural")
        _add(project, "south.txt", "Innovation/Scaling/Rural", "Ann", 60, 85)
        with project.transaction():
            project.execute(
                "INSERT INTO memos(uuid, target_type, target_id, coder_id, text, created_at) VALUES (?,?,?,?,?,?)",
                (
                    new_uuid(),
                    "document",
                    project.scalar("SELECT id FROM documents WHERE name='south.txt'"),
                    project.coder_id("Ann"),
                    "members resisted",
                    now(),
                ),
            )
    with Project.open(ben) as project:
        _add(project, "north.txt", "Innovation/Adoption", "Ben", 5, 30)
        _add(project, "south.txt", "Innovation/Adaptation", "Ben", 50, 85, memo="rural")
        with project.transaction():
            project.execute("UPDATE codings SET end = 45 WHERE memo = 'site visit'")
            project.execute("UPDATE codes SET name = 'Uptake' WHERE name = 'Adoption'")
    return ann, ben


def test_clone_makes_a_marked_copy_with_a_shared_coder(master, tmp_path):
    with Project.open(master) as project:
        copy = clone_for_coder(project, "Ann", tmp_path / "ann.db")
        ann_uuid = project.scalar("SELECT uuid FROM coders WHERE name = 'Ann'")
        with pytest.raises(BeaconError, match="already exists"):
            clone_for_coder(project, "Ann", tmp_path / "ann.db")
    with Project.open(copy.path) as clone:
        assert clone.get_meta("coder_copy_for") == "Ann"
        assert clone.scalar("SELECT uuid FROM coders WHERE name = 'Ann'") == ann_uuid
        assert clone.scalar("SELECT count(*) FROM documents") == 2
        assert clone.scalar("SELECT count(*) FROM codings") == 1  # everything is kept


def test_merge_adds_work_and_reports_conflicts_without_overwriting(master, copies):
    ann, ben = copies
    with Project.open(master) as project:
        result = merge_projects(project, [ann, ben])
        a, b = result.files
        assert (a.codings_added, a.codes_added, a.memos_added) == (3, 2, 1)
        assert b.codings_added == 2
        assert any(
            "'Innovation/Adoption' is renamed or moved to 'Innovation/Uptake'" in c for c in b.conflicts
        )
        assert any("here 12..40, copy 12..45" in c for c in b.conflicts)
        # Nothing overwritten: the shared coding and the code's name are as they were.
        assert project.scalar("SELECT end FROM codings WHERE memo = 'site visit'") == 40
        assert project.scalar("SELECT count(*) FROM codes WHERE name = 'Uptake'") == 0
        assert _code_id(project, "Innovation/Scaling/Rural") is not None
        assert project.scalar("SELECT count(*) FROM codings") == 6
        assert project.scalar("SELECT text FROM memos") == "members resisted"
        assert result.backup.exists() and ".before-merge-" in result.backup.name
        assert project.scalar("SELECT count(*) FROM audit WHERE action = 'team.merge'") == 2


def test_merging_twice_adds_nothing(master, copies):
    ann, _ben = copies
    with Project.open(master) as project:
        merge_projects(project, [ann])
        before = _coding_set(master)
        again = merge_projects(project, [ann]).files[0]
        assert (again.codings_added, again.codes_added, again.memos_added, again.coders_added) == (0, 0, 0, 0)
        assert again.conflicts == []
    assert _coding_set(master) == before


def test_merge_order_does_not_change_the_result(master, copies, tmp_path):
    ann, ben = copies
    first, second = tmp_path / "ab.db", tmp_path / "ba.db"
    shutil.copy(master, first)
    shutil.copy(master, second)
    with Project.open(first) as project:
        merge_projects(project, [ann])
        merge_projects(project, [ben])
    with Project.open(second) as project:
        merge_projects(project, [ben, ann])
    merged = _coding_set(first)
    assert merged == _coding_set(second)
    assert len(merged) == 6


def test_documents_are_matched_by_text_and_a_changed_text_is_a_conflict(master, tmp_path):
    with Project.open(master) as project:
        copy = clone_for_coder(project, "Ann", tmp_path / "ann.db").path
    with Project.open(copy) as project:
        _add(project, "north.txt", "Innovation/Adoption", "Ann", 0, 10)
        _add(project, "south.txt", "Innovation/Adoption", "Ann", 0, 10)
        text = TEXTS["south.txt"].replace("rural", "urban")
        with project.transaction():
            project.execute(
                "UPDATE documents SET text = ?, sha256 = ? WHERE name = 'south.txt'", (text, _sha(text))
            )
            project.execute("UPDATE documents SET name = 'renamed.txt' WHERE name = 'north.txt'")
    with Project.open(master) as project:
        result = merge_projects(project, [copy]).files[0]
    assert result.codings_added == 1  # the renamed document matched by its text; the changed one did not
    assert any(
        "'south.txt' has different text" in c and "1 codings were not merged" in c for c in result.conflicts
    )


def test_a_file_that_is_not_a_project_changes_nothing(master, copies, tmp_path):
    ann, _ben = copies
    bogus = tmp_path / "notes.db"
    bogus.write_text("not a database")
    with Project.open(master) as project:
        with pytest.raises(BeaconError, match="not a beacon-qual project"):
            merge_projects(project, [ann, bogus])
        assert project.scalar("SELECT count(*) FROM codings") == 1
        with pytest.raises(BeaconError, match="this project itself"):
            merge_projects(project, [master])
    assert not list(tmp_path.glob("*.before-merge-*"))


def test_a_backup_that_cannot_reach_the_disk_stops_the_merge(master, copies, tmp_path, monkeypatch):
    # The backup is synced to disk while the merge runs, and waited for before the merge commits: when the
    # disk refuses it, nothing is merged and no half-written backup is left, and the CLI says so in a line.
    from beacon_qual.store import db

    real = db._fsync

    def refusing(path):
        if path.name.endswith(".partial"):
            raise OSError(28, "No space left on device", str(path))
        real(path)

    monkeypatch.setattr(db, "_fsync", refusing)
    ann, _ben = copies
    with Project.open(master) as project:
        with pytest.raises(OSError, match="No space left"):
            merge_projects(project, [ann])
        assert project.scalar("SELECT count(*) FROM codings") == 1
    result = CliRunner().invoke(main, ["-p", str(master), "merge", str(ann)])
    assert result.exit_code == 1
    assert result.output.startswith("error: cannot use ") and "No space left on device" in result.output
    assert len(result.output.strip().splitlines()) == 1
    with Project.open(master) as project:
        assert project.scalar("SELECT count(*) FROM codings") == 1
    assert not list(tmp_path.glob("*.before-merge-*"))


def test_cli_clone_and_merge(master, tmp_path):
    runner = CliRunner()
    out = tmp_path / "cara.db"
    result = runner.invoke(main, ["-p", str(master), "clone", "--for-coder", "Cara", str(out)])
    assert result.exit_code == 0, result.output
    with Project.open(out) as project:
        _add(project, "south.txt", "Innovation/Adaptation", "Cara", 1, 9)
    result = runner.invoke(main, ["-p", str(master), "merge", str(out)])
    assert result.exit_code == 0, result.output
    assert "added 1 codings" in result.output and "0 conflicts" in result.output
    result = runner.invoke(main, ["-p", str(master), "merge", str(tmp_path / "missing.db")])
    assert result.exit_code == 1 and result.output.startswith("error: no project file")


def test_a_text_held_twice_is_matched_by_its_id_first_then_to_the_first_copy(master, tmp_path):
    with Project.open(master) as project, project.transaction():
        text = TEXTS["north.txt"]
        project.execute(
            "INSERT INTO documents(uuid, name, text, sha256, imported_at) VALUES (?,?,?,?,?)",
            (new_uuid(), "north-again.txt", text, _sha(text), now()),
        )
    with Project.open(master) as project:
        copy = clone_for_coder(project, "Ann", tmp_path / "ann.db").path
    with Project.open(copy) as project:
        _add(project, "north-again.txt", "Innovation/Adoption", "Ann", 0, 10)
        with (
            project.transaction()
        ):  # the same text under a new id: it joins the first document with that text
            project.execute(
                "UPDATE documents SET uuid = ?, name = 'north-third.txt' WHERE name = 'north.txt'",
                (new_uuid(),),
            )
        _add(project, "north-third.txt", "Innovation/Adoption", "Ann", 5, 15)
    with Project.open(master) as project:
        assert merge_projects(project, [copy]).files[0].codings_added == 2
        placed = project.execute(
            "SELECT d.name, c.start FROM codings c JOIN documents d ON d.id = c.document_id"
            " JOIN coders k ON k.id = c.coder_id WHERE k.name = 'Ann' ORDER BY c.start"
        ).fetchall()
    assert [tuple(r) for r in placed] == [("north-again.txt", 0), ("north.txt", 5)]


def test_a_copys_coding_outside_its_text_is_reported_not_merged(master, tmp_path):
    """A copy written by another tool (or damaged) cannot bring in a coding that lies past its document's end."""
    runner = CliRunner()
    out = tmp_path / "dan.db"
    assert runner.invoke(main, ["-p", str(master), "clone", "--for-coder", "Dan", str(out)]).exit_code == 0
    length = len(TEXTS["south.txt"])
    with Project.open(out) as project:
        good = _add(project, "south.txt", "Innovation/Adaptation", "Dan", 1, 9)
        bad = _add(project, "south.txt", "Innovation/Adaptation", "Dan", 60, length + 40)
    result = runner.invoke(main, ["-p", str(master), "merge", str(out)])
    assert result.exit_code == 0, result.output
    assert "added 1 codings" in result.output
    assert (
        f"coding {bad} in 'south.txt' covers 60..{length + 40} in the copy, outside the text" in result.output
    )
    uuids = {row[0] for row in _coding_set(master)}
    assert good in uuids and bad not in uuids
    result = runner.invoke(main, ["-p", str(master), "check"])
    assert result.exit_code == 0, result.output


def test_a_copys_done_marks_and_speaker_roles_are_merged(tmp_path):
    # The demo project (invented interviews): Cara marks a document done and sets a speaker's role in her
    # copy; both come back with the merge, and a role set otherwise here is kept and reported.
    runner = CliRunner()
    master = tmp_path / "demo.db"
    assert runner.invoke(main, ["-p", str(master), "demo"]).exit_code == 0
    copy = tmp_path / "cara.db"
    assert runner.invoke(main, ["-p", str(master), "clone", "--for-coder", "Cara", str(copy)]).exit_code == 0
    for args in (
        ["docs", "done", "1", "--coder", "Cara"],
        ["docs", "speakers", "1", "--set", "A=interviewer"],
    ):
        assert runner.invoke(main, ["-p", str(copy), *args]).exit_code == 0
    assert runner.invoke(main, ["-p", str(copy), "docs", "speakers", "2", "--set", "A=front"]).exit_code == 0
    assert (
        runner.invoke(main, ["-p", str(master), "docs", "speakers", "2", "--set", "A=respondent"]).exit_code
        == 0
    )
    result = runner.invoke(main, ["-p", str(master), "merge", str(copy)])
    assert result.exit_code == 0, result.output
    assert "1 documents marked done, 1 speaker roles" in result.output
    assert "speaker 'A' of" in result.output and "is front in the copy but respondent here" in result.output
    speakers = runner.invoke(main, ["-p", str(master), "docs", "speakers", "1"]).output
    assert any(line.split()[:2] == ["A", "interviewer"] and "(set)" in line for line in speakers.splitlines())
    done = runner.invoke(main, ["-p", str(master), "export", "frequencies", "--done-only", "--coder", "Cara"])
    assert done.exit_code == 0, done.output
    provenance = json.loads(done.stderr.split("provenance: ", 1)[1].splitlines()[0])
    assert provenance["base"]["documents"] == 1 and provenance["base"]["done_only"] is True
