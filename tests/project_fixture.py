"""Projects for tests: a new one with the council register and some codes, or a file at an older schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from beacon_qual.cases.councils import seed_cases
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store.schema import APPLICATION_ID, MIGRATIONS


def project_with_codes(path: Path, names: tuple[str, ...] | list[str]) -> Project:
    """A new project with the council register and top-level codes of these names."""
    project = Project.create(path)
    seed_cases(project)
    with project.transaction():
        for name in names:
            project.execute(
                "INSERT INTO codes(uuid, name, created_at) VALUES (?,?,?)", (new_uuid(), name, now())
            )
    return project


def older_schema(path: Path, version: int) -> sqlite3.Connection:
    """A project file as beacon-qual wrote it at schema ``version`` (empty), opened without migrating."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for script in MIGRATIONS[:version]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {version}")
    return conn
