"""The reads behind the provenance record (``analysis.provenance``): the schema version and cookie, the state
in ``project_state`` (and sealing a changed one), whether its triggers are intact, and folding the write-ahead
log into the file before the file is hashed. What the identity means and when to seal is the analysis's.
"""

from __future__ import annotations

import sqlite3

from beacon_qual.store.db import SEAL_STATE, Project
from beacon_qual.store.schema import STATE_OPERATIONS, STATE_TABLES, state_trigger


def fold_log(project: Project) -> bool:
    """Copy the write-ahead log into the project file without waiting on other connections;
    True when the file now holds every committed change."""
    _busy, frames, copied = project.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return frames == copied


def user_version(project: Project) -> int:
    return project.scalar("PRAGMA user_version")


def schema_version(project: Project) -> int:
    """SQLite's schema cookie: it moves with every change to tables, indexes and triggers."""
    return project.scalar("PRAGMA schema_version")


def state_changed(project: Project) -> bool:
    """True when a row was written since the state was last given an identity."""
    return bool(project.scalar("SELECT changed FROM project_state"))


def seal_state(project: Project) -> None:
    """Give a changed state the next generation and a new token (inside a transaction)."""
    project.execute(SEAL_STATE)


def state(project: Project) -> sqlite3.Row | None:
    """The state's ``generation`` and ``token``."""
    return project.one("SELECT generation, token FROM project_state")


def state_triggers_intact(project: Project) -> bool:
    """Every table of the project has its three state triggers, exactly as the schema made them."""
    found = {
        row["name"]: row["sql"]
        for row in project.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'project~_state~_%' ESCAPE '~'"
        )
    }
    expected = {
        f"project_state_{table}_{op.lower()}": state_trigger(table, op)
        for table in STATE_TABLES
        for op in STATE_OPERATIONS
    }
    if any(found.get(name) != sql for name, sql in expected.items()):
        return False
    tables = {
        row["name"]
        for row in project.execute("PRAGMA main.table_list")
        if row["type"] == "table" and not row["name"].startswith("sqlite_")
    }
    return tables - {"project_state"} <= set(STATE_TABLES)
