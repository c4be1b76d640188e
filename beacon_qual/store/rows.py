"""Typed access to rows that must exist.

``Project.one`` answers None when a query finds nothing, and ``Cursor.lastrowid`` is None when no row was
inserted. Where the caller knows better (the row was just written, an aggregate always answers one row), these
helpers say so once and stop with a clear error instead of failing later on a None.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from beacon_qual.errors import BeaconError
from beacon_qual.store.db import Project


def one_row(project: Project, sql: str, params: Any = ()) -> sqlite3.Row:
    """The single row ``sql`` answers; an error if there is none (the store is not as it should be)."""
    row = project.one(sql, params)
    if row is None:
        raise BeaconError(f"the project is missing a row it should hold ({sql.split(' WHERE ')[0]})")
    return row


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row the INSERT behind ``cursor`` wrote."""
    if cursor.lastrowid is None:
        raise BeaconError("the project did not record the row just inserted")
    return cursor.lastrowid
