"""`export datasette-metadata`: a Datasette metadata file that describes the project's real schema and whose
canned queries give the frequencies the command line gives. Datasette itself is not needed: the queries are
run in plain sqlite3 on a read-only connection, as Datasette would run them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from builders import ANALYSIS
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.store import Project


@pytest.fixture
def db(make_project_file) -> Path:
    return make_project_file(ANALYSIS, "study.db")


def run(db: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--project", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def metadata(db: Path, tmp_path: Path) -> dict:
    out = tmp_path / "metadata.json"
    assert run(db, "export", "datasette-metadata", "-o", str(out)) == f"wrote {out}\n"
    return json.loads(out.read_text(encoding="utf-8"))


def readonly(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)


def test_tables_and_columns_are_the_schemas(db, tmp_path):
    data = metadata(db, tmp_path)
    tables = data["databases"]["study"]["tables"]
    conn = readonly(db)
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    assert sorted(tables) == sorted(names)
    for name in names:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
        assert list(tables[name]["columns"]) == columns, name
        assert tables[name]["description"]
        assert all(tables[name]["columns"].values())
    # foreign keys are labelled with the referenced row's name, and say where they point
    assert tables["codes"]["label_column"] == "name"
    assert tables["cases"]["label_column"] == "name"
    assert "Refers to codes.id." in tables["codings"]["columns"]["code_id"]
    assert "Refers to cases.id." in tables["documents"]["columns"]["case_id"]
    # the search index's internal tables are hidden
    assert tables["unit_fts_data"].get("hidden") is True
    assert "hidden" not in tables["codings"]


def test_canned_queries_give_the_commands_frequencies(db, tmp_path):
    queries = metadata(db, tmp_path)["databases"]["study"]["queries"]
    conn = readonly(db)
    for name, by, group in (
        ("frequencies_by_council", "council", ("council", "council_name")),
        ("frequencies_by_phase", "phase", ("phase",)),
    ):
        cursor = conn.execute(queries[name]["sql"])
        columns = [d[0] for d in cursor.description]
        assert columns == ["code", *group, "codings", "documents", "councils"]
        got = sorted(tuple(r) for r in cursor.fetchall())
        cli = json.loads(run(db, "export", "frequencies", "--by", by, "--format", "json"))["frequencies"]
        expected = sorted(tuple(r[c] for c in columns) for r in cli if r["codings"])
        assert got == expected, name
        assert len(got) > 5


def test_written_to_the_screen_and_named_as_asked(db):
    data = json.loads(run(db, "export", "datasette-metadata", "--database", "beacon"))
    assert list(data["databases"]) == ["beacon"]


def test_bad_output_folder_is_one_line(db, tmp_path):
    out = tmp_path / "missing" / "metadata.json"
    result = CliRunner().invoke(main, ["--project", str(db), "export", "datasette-metadata", "-o", str(out)])
    assert result.exit_code != 0
    assert "does not exist" in result.output and result.output.count("\n") == 1


def test_reading_the_metadata_leaves_the_projects_trigger_settings_alone(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p.db")
    before = project.scalar("PRAGMA recursive_triggers")
    project.db.table_names()
    assert project.scalar("PRAGMA recursive_triggers") == before == 0
    project.close()
