"""The SQL of the demo project (``cli.demo``): reading its mark from a file without opening it as a project,
and folding the write-ahead log into the file once it is built."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from beacon_qual.store.db import Project


def meta_value_readonly(path: Path, key: str) -> str | None:
    """The meta ``key`` of the SQLite file at ``path``, read-only; None when it has none or cannot be read."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return None if row is None else row[0]


def checkpoint(project: Project) -> None:
    """Fold the write-ahead log into the project file and empty it."""
    project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
