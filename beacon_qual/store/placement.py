"""Tables derived from the codings and kept by triggers: the sentences and turns each coding overlaps
(``coding_units``, schema V6) and the number of codings per code, document and coder (``coding_counts``, V7).

Triggers on ``codings`` and ``units`` keep them in step with every write, one row at a time. A writer that
inserts many codings in one statement (merging coders' copies) defers the insert triggers and places and counts
the new codings afterwards with one statement each, in coding order (sorting the rows by the table's key first
was twice as slow: the index on unit then takes them in scattered order).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .schema import COUNT_MANY, PLACE_MANY

if TYPE_CHECKING:
    from .db import Project

KINDS = ("sentence", "turn")


@contextlib.contextmanager
def deferred_placement(project: Project) -> Iterator[None]:
    """Inside a transaction: codings inserted in the block are placed in their units and counted when it ends.

    Only for blocks that insert codings (updates and deletes keep their triggers): the codings placed at the
    end are those whose id is above the largest id before the block. An error leaves the flag to the
    transaction's rollback.
    """
    if not project.conn.in_transaction:
        raise RuntimeError("deferred_placement needs an open transaction")
    before = project.scalar("SELECT coalesce(max(id), 0) FROM codings")
    project.execute("UPDATE coding_units_control SET deferred = 1")
    yield
    for kind in KINDS:
        project.execute(PLACE_MANY.format(table="coding_units", kind=kind, since="?"), (before,))
    project.execute(COUNT_MANY.format(table="coding_counts", since="?"), (before,))
    project.execute("UPDATE coding_units_control SET deferred = 0")


def placement_differences(conn: sqlite3.Connection) -> int:
    """How many rows of ``coding_units`` differ from a placement made afresh, counting both missing and extra
    rows (0: in step). Works on a read-only connection: the fresh placement goes to a temporary table."""
    conn.execute("DROP TABLE IF EXISTS temp.placement_fresh")
    conn.execute(
        "CREATE TEMP TABLE placement_fresh (kind TEXT, code_id INTEGER, coder_id INTEGER, document_id INTEGER,"
        " unit_id INTEGER, coding_id INTEGER)"
    )
    try:
        for kind in KINDS:
            conn.execute(PLACE_MANY.format(table="temp.placement_fresh", kind=kind, since=0))
        return conn.execute(
            "SELECT (SELECT count(*) FROM (SELECT * FROM main.coding_units EXCEPT SELECT * FROM temp.placement_fresh))"
            " + (SELECT count(*) FROM (SELECT * FROM temp.placement_fresh EXCEPT SELECT * FROM main.coding_units))"
        ).fetchone()[0]
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.placement_fresh")


def rebuild_placement(project: Project) -> int:
    """Place every coding in its sentences and turns afresh; returns how many codings were placed."""
    with project.transaction():
        project.execute("DELETE FROM coding_units")
        for kind in KINDS:
            project.execute(PLACE_MANY.format(table="coding_units", kind=kind, since=0))
        return project.scalar("SELECT count(DISTINCT coding_id) FROM coding_units")


def count_differences(conn: sqlite3.Connection) -> int:
    """How many rows of ``coding_counts`` differ from the codings counted afresh, missing and extra rows both
    (0: in step). Works on a read-only connection."""
    fresh = "SELECT code_id, document_id, coder_id, count(*) FROM codings GROUP BY code_id, document_id, coder_id"
    stored = "SELECT code_id, document_id, coder_id, n FROM main.coding_counts"
    return conn.execute(
        f"SELECT (SELECT count(*) FROM ({stored} EXCEPT {fresh})) + (SELECT count(*) FROM ({fresh} EXCEPT {stored}))"
    ).fetchone()[0]


def rebuild_counts(project: Project) -> int:
    """Count every code's codings per document and coder afresh; returns how many (code, document, coder) rows."""
    with project.transaction():
        project.execute("DELETE FROM coding_counts")
        project.execute(COUNT_MANY.format(table="coding_counts", since=0))
        return project.scalar("SELECT count(*) FROM coding_counts")
