"""The project store: creation, settings, migrations and refusals that leave files untouched."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.errors import BeaconError
from beacon_qual.store import SCHEMA_VERSION, Project
from beacon_qual.store.schema import APPLICATION_ID, MIGRATIONS


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_project_settings(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p.db")
    assert p.scalar("PRAGMA user_version") == SCHEMA_VERSION
    assert p.scalar("PRAGMA application_id") == APPLICATION_ID
    assert p.scalar("PRAGMA foreign_keys") == 1
    assert p.scalar("PRAGMA journal_mode") == "wal"
    assert p.scalar("PRAGMA busy_timeout") >= 5000
    tables = {r[0] for r in p.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in (
        "cases",
        "case_aliases",
        "documents",
        "units",
        "codes",
        "codings",
        "memos",
        "coders",
        "variables",
        "case_values",
        "audit",
        "document_revisions",
    ):
        assert table in tables
    p.close()


def test_readable_without_beacon_qual(tmp_path: Path) -> None:
    """Any SQLite tool can read a project."""
    p = Project.create(tmp_path / "p.db")
    p.coder_id("alice")
    p.close()
    conn = sqlite3.connect(tmp_path / "p.db")
    assert conn.execute("SELECT name FROM coders").fetchall() == [("alice",)]


def test_foreign_keys_enforced(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p.db")
    with pytest.raises(sqlite3.IntegrityError), p.transaction():
        p.execute(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
            " VALUES ('u', 99, 99, 99, 0, 1, 'now')"
        )
    p.close()


def test_transaction_is_all_or_nothing(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p.db")
    with pytest.raises(RuntimeError), p.transaction():
        p.execute("INSERT INTO coders(uuid, name, created_at) VALUES ('a', 'a', 'now')")
        with p.transaction():  # a savepoint inside
            p.execute("INSERT INTO coders(uuid, name, created_at) VALUES ('b', 'b', 'now')")
        raise RuntimeError("boom")
    assert p.scalar("SELECT count(*) FROM coders") == 0
    p.close()


def test_migrates_an_old_project_forward_with_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO coders(uuid, name, created_at) VALUES ('u1', 'alice', 'then')")
    conn.close()
    p = Project.open(path)
    assert p.scalar("PRAGMA user_version") == SCHEMA_VERSION
    assert p.scalar("SELECT name FROM coders") == "alice"
    assert "revision" in {r[1] for r in p.execute("PRAGMA table_info(documents)")}
    p.close()
    backups = list(tmp_path.glob("old.db.before-v*.bak"))
    assert len(backups) == 1
    assert sqlite3.connect(backups[0]).execute("PRAGMA user_version").fetchone()[0] == 1


def test_refuses_newer_schema_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(BeaconError, match="newer beacon-qual"):
        Project.open(path)
    assert digest(path) == before


@pytest.mark.parametrize(
    "content,message",
    [
        (b"Interviewer: hello\n", "not an SQLite database"),
        (b"SQLite format 3\x00" + b"\x00" * 84 + b"garbage" * 100, "damaged"),
    ],
)
def test_refuses_non_projects_and_corrupt_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(content)
    with pytest.raises(BeaconError, match=message):
        Project.open(path)
    assert path.read_bytes() == content
    assert not (tmp_path / "x.db-wal").exists()


def test_refuses_other_sqlite_databases(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(BeaconError, match="not a beacon-qual project"):
        Project.open(path)
    assert digest(path) == before


def test_cli_init_status_and_errors(tmp_path: Path) -> None:
    run = CliRunner().invoke
    path = str(tmp_path / "p.db")
    r = run(main, ["-p", path, "init"])
    assert r.exit_code == 0 and "created project" in r.output
    r = run(main, ["-p", path, "init"])
    assert r.exit_code == 1 and r.output.startswith("error: ") and "already exists" in r.output
    r = run(main, ["-p", path, "status"])
    assert r.exit_code == 0 and "documents" in r.output
    r = run(main, ["-p", str(tmp_path / "missing.db"), "status"])
    assert r.exit_code == 1 and "no project at" in r.output
    assert "Traceback" not in r.output
    r = run(main, ["status"], env={"BEACON_QUAL_PROJECT": path})
    assert r.exit_code == 0 and path in r.output


def test_cli_usage_errors_and_broken_pipes_are_one_line(tmp_path: Path) -> None:
    run = CliRunner().invoke
    folder = tmp_path / "folder"
    folder.mkdir()
    r = run(main, ["-p", str(folder), "status"])
    assert r.exit_code == 2
    assert r.output.startswith("error: ") and "is a directory" in r.output
    assert len(r.output.strip().splitlines()) == 1 and "Usage:" not in r.output
    r = run(main, ["no-such-command"])
    assert r.exit_code == 2 and r.output.startswith("error: No such command")
