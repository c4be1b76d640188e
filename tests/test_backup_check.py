"""Backups (on demand, before migrations, while others write) and 'beacon-qual check' finding each kind of damage."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from builders import Coding, Doc, Memo, Unit, Variable, spec
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store.check import check_project
from beacon_qual.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

TEXT = "Officer: We visited the Beacon council.\nMember: Then we changed our own scheme.\n"


@pytest.fixture
def project(make_project) -> Project:
    """A consistent project: a case, a document with two turns, a code, a coding, memos and a survey value."""
    first = TEXT.index("\n")
    return make_project(
        spec(
            councils=[("XYZ", "Example Council")],
            documents=[
                Doc(
                    "a.txt",
                    TEXT,
                    council="XYZ",
                    units=(
                        Unit("turn", 1, 0, first, "Officer"),
                        Unit("turn", 2, first + 1, len(TEXT) - 1, "Member"),
                    ),
                )
            ],
            codes=["Adoption"],
            coders=["alice"],
            codings=[Coding("a.txt", "Adoption", "alice", 9, 39)],
            memos=[
                Memo("document", "a.txt", "a memo"),
                Memo("coding", 0, "a memo"),
                Memo("project", None, "a memo"),
            ],
            survey=[Variable("score", "numeric", (("XYZ", 1, 3),))],
        )
    )


def run(path: Path, *args: str):
    return CliRunner().invoke(main, ["-p", str(path), *args])


def damage(path: Path, *statements: str) -> None:
    """Write to the project the way another tool might: foreign keys off, no checks."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


# -- check ------------------------------------------------------------------------------------------


def test_a_consistent_project_passes(project: Project) -> None:
    result = run(project.path, "check")
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output
    assert (
        "1 document(s), 2 unit(s), 1 code(s), 1 coding(s) (0 flagged for review), 3 memo(s)" in result.output
    )


@pytest.mark.parametrize(
    "statements,expected",
    [
        (["UPDATE codings SET end = 500"], "offsets: coding 1 covers 9-500, outside document 1 (length 80)"),
        (["UPDATE units SET start = end WHERE seq = 2"], "offsets: unit 2 covers 79-79"),
        (["UPDATE codings SET status = 'maybe'"], "status: coding 1 has status 'maybe'"),
        (["DELETE FROM codes"], "orphan: codings row 1 has code_id pointing at a missing codes row"),
        (["DELETE FROM coders"], "orphan: codings row 1 has coder_id pointing at a missing coders row"),
        (
            ["INSERT INTO units(document_id, kind, seq, start, end) VALUES (9, 'turn', 3, 0, 4)"],
            "orphan: units row 3 has document_id pointing at a missing documents row",
        ),
        (["DELETE FROM codings"], "orphan: memo 2 is on coding 1, which does not exist"),
        (
            ["UPDATE memos SET target_id = 42 WHERE target_type = 'document'"],
            "orphan: memo 1 is on document 42, which does not exist",
        ),
        (["DELETE FROM cases"], "orphan: case_values row 1 has case_id pointing at a missing cases row"),
        (["UPDATE documents SET sha256 = 'abc'"], "hash: document 'a.txt': the stored sha256 does not match"),
        (["UPDATE documents SET text = replace(text, 'council', 'Council')"], "hash: document 'a.txt'"),
        (
            ["UPDATE documents SET revision = 3"],
            "revisions: document 'a.txt' is at revision 3 but no earlier text is kept",
        ),
        (["PRAGMA user_version = 1"], "schema version 1 is older than"),
        ([f"PRAGMA user_version = {SCHEMA_VERSION + 1}"], f"schema version {SCHEMA_VERSION + 1} is newer"),
        (["PRAGMA application_id = 7"], "application id is 0x7"),
    ],
)
def test_each_problem_is_reported(project: Project, statements: list[str], expected: str) -> None:
    project.close()
    damage(project.path, *statements)
    result = run(project.path, "check")
    assert result.exit_code == 1
    assert f"problem: {expected}" in result.output
    assert result.stderr.startswith("error: ") and "problem(s) found" in result.stderr
    damaged = project.path.read_bytes()
    run(project.path, "check")
    assert project.path.read_bytes() == damaged  # check never writes


def test_damaged_pages_are_reported(project: Project) -> None:
    project.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    project.close()
    data = bytearray(project.path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[3 * page : 4 * page] = b"\xa5" * page  # one table page overwritten with garbage
    project.path.write_bytes(bytes(data))
    report = check_project(project.path)
    assert report.problems
    assert any("integrity" in p or "malformed" in p for p in report.problems), report.problems
    result = run(project.path, "check")
    assert result.exit_code == 1 and "Traceback" not in result.output


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM unit_fts_data WHERE id > 10",  # the index's segments, a shadow table
        "DELETE FROM unit_fts_docsize",  # its per-sentence sizes, another
        "INSERT INTO unit_fts(rowid, text) VALUES (99, 'stray words')",  # an entry for no sentence
    ],
)
def test_a_damaged_search_index_is_reported_by_check_full_with_the_command_that_rebuilds_it(
    project: Project, statement: str
) -> None:
    with project.transaction():
        for seq, (start, end) in enumerate(((9, 39), (48, 79)), start=1):
            project.execute(
                "INSERT INTO units(document_id, kind, seq, start, end) VALUES (1, 'sentence', ?, ?, ?)",
                (seq, start, end),
            )
    assert run(project.path, "check").exit_code == 0
    project.close()
    damage(project.path, statement)
    damaged = project.path.read_bytes()
    quick = run(project.path, "check")  # reading every index entry is left to --full, and it says so
    assert quick.exit_code == 0, quick.output
    assert "search index check: not run (check --full runs it)" in quick.output
    result = run(project.path, "check", "--full")
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith("problem: search index")]
    assert "does not match the sentences" in line and line.endswith("run 'beacon-qual reindex'")
    assert "search index check: problems above" in result.output
    assert project.path.read_bytes() == damaged  # the index check writes nothing either
    assert run(project.path, "reindex").exit_code == 0
    result = run(project.path, "check", "--full")
    assert result.exit_code == 0, result.output
    assert "search index check: ok" in result.output


@pytest.mark.parametrize(
    "statement,expected",
    [
        (
            "UPDATE unit_counts SET units = units + 1",
            "unit counts: 1 (document, kind) rows differ from the units",
        ),
        ("UPDATE unit_counts SET spans = 0", "unit counts: 1 (document, kind) rows differ from the units"),
        ("DELETE FROM unit_counts", "unit counts: 1 (document, kind) rows differ from the units"),
        (
            "UPDATE document_lengths SET characters = 12",
            "document lengths: 1 document(s) whose stored length differs from their text",
        ),
        (
            "DELETE FROM document_lengths",
            "document lengths: 1 document(s) whose stored length differs from their text",
        ),
    ],
)
def test_plain_check_reports_damaged_unit_counts_and_lengths_until_reindex(
    project: Project, statement: str, expected: str
) -> None:
    project.close()
    damage(project.path, statement)
    result = run(project.path, "check")
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith(f"problem: {expected}")]
    assert line.endswith("run 'beacon-qual reindex'")
    assert run(project.path, "reindex").exit_code == 0
    result = run(project.path, "check")
    assert result.exit_code == 0, result.output


def test_check_refuses_what_is_not_a_project(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    other.write_text("just some notes\n")
    result = run(other, "check")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {other} is not a beacon-qual project (not an SQLite database)"
    result = run(tmp_path / "missing.db", "check")
    assert result.exit_code == 1 and "no project at" in result.stderr


# -- backup ------------------------------------------------------------------------------------------


def test_backup_command_copies_the_project(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "copy.db"
    result = run(project.path, "backup", str(out))
    assert result.exit_code == 0, result.output
    with Project.open(out) as copy:
        assert copy.scalar("SELECT text FROM documents") == TEXT
        assert copy.scalar("SELECT count(*) FROM codings") == 1
    assert check_project(out).problems == []
    again = run(project.path, "backup", str(out))
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert run(project.path, "backup", "--force", str(out)).exit_code == 0
    itself = run(project.path, "backup", str(project.path))
    assert itself.exit_code == 1 and "is the project itself" in itself.stderr
    nowhere = run(project.path, "backup", str(tmp_path / "no" / "such" / "dir.db"))
    assert nowhere.exit_code == 1 and "does not exist" in nowhere.stderr


def test_backup_while_another_connection_is_writing(project: Project, tmp_path: Path) -> None:
    writer = Project.open(project.path)
    with writer.transaction():
        writer.execute(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
            " VALUES (?, 1, 1, 1, 0, 8, ?)",
            (new_uuid(), now()),
        )
        out = project.backup(tmp_path / "during.db")  # another connection holds the write lock
    writer.close()
    with Project.open(out) as copy:
        assert copy.scalar("SELECT count(*) FROM codings") == 1  # the uncommitted coding is not in it
        assert copy.scalar("PRAGMA integrity_check") == "ok"
    assert project.scalar("SELECT count(*) FROM codings") == 2


def test_backup_holds_changes_committed_to_the_log_but_not_yet_to_the_file(
    project: Project, tmp_path: Path
) -> None:
    writer = Project.open(project.path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # the committed coding stays in the -wal file only
    with writer.transaction():
        writer.execute(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
            " VALUES (?, 1, 1, 1, 0, 8, ?)",
            (new_uuid(), now()),
        )
    assert Path(f"{project.path}-wal").stat().st_size > 0
    out = project.backup(tmp_path / "after-commit.db")
    writer.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("after-commit")) == [
        "after-commit.db"
    ]
    conn = sqlite3.connect(out)  # a plain SQLite connection: the backup is one self-contained file
    assert conn.execute("SELECT count(*) FROM codings").fetchone()[0] == 2
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert check_project(out).problems == []


def test_backups_taken_while_another_process_commits_and_checkpoints_are_whole(
    project: Project, tmp_path: Path
) -> None:
    """The writer adds two codings per transaction and checkpoints now and then: every backup has an even number."""
    stop = threading.Event()
    written = []

    def write() -> None:
        writer = Project.open(project.path)
        try:
            while not stop.is_set():
                with writer.transaction():
                    for _ in range(2):
                        writer.execute(
                            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, memo, created_at)"
                            " VALUES (?, 1, 1, 1, 0, 8, ?, ?)",
                            (new_uuid(), "x" * 3000, now()),
                        )
                written.append(1)
                if len(written) % 7 == 0:
                    writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    counts = []
    try:
        for i in range(6):
            out = project.backup(tmp_path / f"b{i}.db")
            conn = sqlite3.connect(out)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            counts.append(conn.execute("SELECT count(*) FROM codings").fetchone()[0])
            conn.close()
    finally:
        stop.set()
        thread.join()
    assert all((count - 1) % 2 == 0 for count in counts), counts
    assert counts == sorted(counts) and counts[-1] > 1
    assert not any(
        p.name.endswith((".partial", "-wal", "-shm")) for p in tmp_path.iterdir() if p.name.startswith("b")
    )


def test_backup_refuses_inside_the_projects_own_transaction(project: Project, tmp_path: Path) -> None:
    with project.transaction(), pytest.raises(BeaconError, match="inside one of its own transactions"):
        project.backup(tmp_path / "inside.db")
    assert not (tmp_path / "inside.db").exists()


def test_opening_an_older_project_backs_it_up_before_migrating(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(MIGRATIONS[0])
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO meta(key, value) VALUES ('created_at', 'then')")
    conn.close()
    with Project.open(path) as p:
        assert p.scalar("PRAGMA user_version") == SCHEMA_VERSION
    backup = tmp_path / f"old.db.before-v{SCHEMA_VERSION}.bak"
    assert backup.exists()
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT value FROM meta").fetchone()[0] == "then"
    conn.close()


def test_check_runs_sqlites_integrity_check_only_with_full(project: Project) -> None:
    quick = run(project.path, "check")
    assert quick.exit_code == 0, quick.output
    assert "SQLite integrity check: not run (check --full runs it)" in quick.output
    assert "search index check: not run (check --full runs it)" in quick.output
    full = run(project.path, "check", "--full")
    assert full.exit_code == 0, full.output
    assert "SQLite integrity check: ok" in full.output
    assert "search index check: ok" in full.output
