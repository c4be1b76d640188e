"""The project state an export's provenance names: the same state keeps its identity, two different states
never share one, whoever wrote the change (beacon-qual's commands or another program through SQLite)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3

import pytest
from builders import ADAPTATION, ANALYSIS
from click.testing import CliRunner

from beacon_qual.cli import main


@pytest.fixture
def path(tmp_path, monkeypatch, make_project_file):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return make_project_file(ANALYSIS, "state.db")


def run(path, *args):
    result = CliRunner().invoke(main, ["--project", str(path), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def record(path, *extra):
    return json.loads(run(path, "export", "frequencies", "--format", "json", *extra))["provenance"]


def state(path):
    return record(path)["project_state"]


def raw_sql(path, sql, params=()):
    """Another program writing to the project through SQLite, outside beacon-qual."""
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_the_same_state_keeps_its_identity(path):
    run(path, "quotes", ADAPTATION)  # works out the speaker roles, once: a write
    first = state(path)
    run(path, "export", "frequencies", "--by", "phase")
    run(path, "coding", "list")
    run(path, "quotes", ADAPTATION)
    run(path, "crosstab", ADAPTATION, "--variable", "region_type")
    assert state(path) == first


def test_every_change_gives_a_state_never_seen_before(path):
    seen = [state(path)]

    def changed():
        seen.append(state(path))
        assert len(set(seen)) == len(seen), seen

    run(
        path,
        "coding",
        "add",
        "--document",
        "a1.txt",
        "--start",
        "0",
        "--end",
        "20",
        "--code",
        "Barriers",
        "--coder",
        "alice",
    )
    changed()
    run(path, "coding", "undo", "--coder", "alice")  # the content is as before, but the state is a new one
    changed()
    raw_sql(path, "UPDATE codings SET end = end - 1 WHERE id = (SELECT min(id) FROM codings)")
    changed()
    raw_sql(path, "INSERT INTO meta(key, value) VALUES ('note', 'written by another program')")
    changed()
    raw_sql(path, "DELETE FROM meta WHERE key = 'note'")
    changed()
    raw_sql(
        path, "UPDATE coding_counts SET n = n + 1 WHERE code_id = (SELECT min(code_id) FROM coding_counts)"
    )
    changed()
    raw_sql(path, "CREATE INDEX an_index ON documents(word_count)")  # the schema, no row written
    changed()


def test_two_copies_that_part_ways_never_share_an_identity(path, tmp_path):
    """A counter alone would give both the same next value; the identity is drawn afresh for each state."""
    before = state(path)
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    assert state(copy) == before  # the same state, in another file
    raw_sql(path, "UPDATE documents SET phase = 2 WHERE id = 8")
    raw_sql(copy, "UPDATE documents SET phase = 3 WHERE id = 8")
    assert len({before, state(path), state(copy)}) == 3


def test_an_altered_state_trigger_falls_back_to_the_file_digest(path):
    raw_sql(path, "DROP TRIGGER project_state_codings_update")
    raw_sql(path, "UPDATE codings SET end = end - 1 WHERE id = 1")
    made = record(path)
    assert "project_state" not in made
    assert "state triggers missing or altered" in made["project_state_note"]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(FULL)")
    conn.close()
    assert made["project_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_file_hash_adds_the_digest_of_the_file(path):
    made = record(path, "--file-hash")
    assert made["project_state"] == state(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(FULL)")
    conn.close()
    assert made["project_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "project_sha256" not in record(path)
    markdown = run(path, "export", "frequencies", "--format", "markdown", "--file-hash")
    assert f"(state {made['project_state']}, sha256 {made['project_sha256']})" in markdown
