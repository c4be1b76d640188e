"""Backups beside the project: merges, revisions and migrations keep the newest N of each kind (default 3).

Each run says where its backup is and how many are kept; older ones are removed only after the new one is
on disk, and nothing but this project's backups of that kind is ever removed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from builders import with_codes
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.store import Project
from beacon_qual.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

FRONT = "---\n# Invented test transcript.\ncouncil: LB Camden\nphase: 1\nrole: officer\n---\n"
TEXTS = [
    "Respondent: We visited Kent twice. We copied their referral form at first.\n",
    "Respondent: We visited Kent three times. We copied their referral form at first.\n",
]


def run(project: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["--project", str(project), *map(str, args)], env=env)


def backups(folder: Path, kind: str) -> list[Path]:
    return sorted(folder.glob(f"main.db.before-{kind}-2*.bak"))  # a UTC time follows the kind


@pytest.fixture
def project(make_project_file) -> Path:
    return make_project_file(with_codes("Adoption"), "main.db")


@pytest.fixture
def copy(project: Path, tmp_path: Path) -> Path:
    out = tmp_path / "ann.db"
    assert run(project, "clone", "--for-coder", "ann", out).exit_code == 0
    return out


def test_merges_keep_the_newest_three_backups(project: Path, copy: Path, tmp_path: Path) -> None:
    mine = [
        tmp_path / "main.db.before-merge-notes.bak",  # not a backup name: never removed
        tmp_path / "other.db.before-merge-20200101T000000Z.bak",  # another project's
    ]
    for path in mine:
        path.write_text("not mine to remove")
    made = []
    for run_number in range(5):
        result = run(project, "merge", copy)
        assert result.exit_code == 0, result.output
        line = next(line for line in result.stdout.splitlines() if line.startswith("backup before merging: "))
        made.append(Path(line.split(": ", 1)[1].split(" (", 1)[0]))
        assert "(the newest 3 merge backups are kept" in line
        assert made[-1].exists()
        if run_number >= 3:
            assert "; 1 older one removed)" in line
    assert backups(tmp_path, "merge") == sorted(made[-3:])
    assert all(path.read_text() == "not mine to remove" for path in mine)
    with Project.open(made[-1]) as newest:
        assert newest.scalar("SELECT count(*) FROM codes") >= 1


def test_how_many_are_kept_is_an_option_or_an_environment_variable(
    project: Path, copy: Path, tmp_path: Path
) -> None:
    for _ in range(3):
        assert run(project, "merge", copy, env={"BEACON_QUAL_KEEP_BACKUPS": "2"}).exit_code == 0
    assert len(backups(tmp_path, "merge")) == 2
    result = run(project, "merge", "--keep-backups", "1", copy, env={"BEACON_QUAL_KEEP_BACKUPS": "2"})
    assert result.exit_code == 0 and "only the newest merge backup is kept" in result.stdout
    assert len(backups(tmp_path, "merge")) == 1
    for bad, env in (("0", None), (None, "two"), (None, "0")):
        args = ["merge", copy] + (["--keep-backups", bad] if bad else [])
        result = run(project, *args, env={"BEACON_QUAL_KEEP_BACKUPS": env} if env else None)
        assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1, result.output
        assert "BEACON_QUAL_KEEP_BACKUPS" in result.stderr or "--keep-backups" in result.stderr
    assert len(backups(tmp_path, "merge")) == 1  # a refused run made no backup and removed none


def test_revisions_keep_the_newest_three_backups(project: Path, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    files = []
    for number, text in enumerate(TEXTS):
        files.append(source / f"v{number}.txt")
        files[-1].write_text(FRONT + text, encoding="utf-8")
    assert run(project, "import", files[0]).exit_code == 0
    for round_number in range(3):
        result = run(project, "revise", "v0.txt", files[1])
        assert result.exit_code == 0, result.output
        assert "(the newest 3 revision backups are kept" in result.stdout
        result = run(project, "revise", "--undo", "v0.txt")
        assert result.exit_code == 0, result.output
        line = next(line for line in result.stdout.splitlines() if line.startswith("backup: "))
        assert Path(line.split(": ", 1)[1].split(" (", 1)[0]).exists()
    found = sorted(tmp_path.glob("main.db.before-revise-*.bak"))  # revise-<time> and revise-undo-<time>
    assert len(found) == 3 and any("revise-undo" in path.name for path in found)


def test_migrations_keep_the_newest_three_backups(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    earlier = [tmp_path / f"old.db.before-v{version}.bak" for version in (2, 3, 4)]
    for backup in earlier:
        backup.write_bytes(b"an earlier migration's backup (invented)")
    result = run(path, "status")
    assert result.exit_code == 0, result.output
    new = tmp_path / f"old.db.before-v{SCHEMA_VERSION}.bak"
    assert result.stderr.strip() == (
        f"updated {path} to schema version {SCHEMA_VERSION}; backup: {new} "
        "(the newest 3 migration backups are kept; 1 older one removed)"
    )
    assert new.exists() and not earlier[0].exists() and earlier[1].exists() and earlier[2].exists()
    assert sqlite3.connect(new).execute("PRAGMA user_version").fetchone()[0] == 1
