"""Tables derived from the codings and kept by triggers: the sentences and turns each coding overlaps
(``coding_units``, schema V6) and the number of codings per code, document and coder (``coding_counts``, V7).

Triggers on ``codings`` and ``units`` keep them in step with every write, one row at a time. A writer that
inserts many codings in one statement (merging coders' copies) defers the insert triggers and places and counts
the new codings afterwards with one statement each, in coding order (sorting the rows by the table's key first
was twice as slow: the index on unit then takes them in scattered order).

The full-text index of sentences (``unit_fts``, V3/V5) is derived the same way: its insert trigger reads the
sentence through the whole document's text, so writers of many units (transcript and REFI-QDA import) write
the index entries themselves from the text in hand, inside :func:`writer_indexes_sentences`.

These two context managers are the only places that switch the derived tables' triggers.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

from beacon_qual.store.schema import COUNT_MANY, COUNT_UNITS, PLACE_MANY, PLACE_SELECT

if TYPE_CHECKING:
    from beacon_qual.store.db import Project

KINDS = ("sentence", "turn")


@contextlib.contextmanager
def writer_indexes_sentences(project: Project) -> Iterator[None]:
    """Inside a transaction: sentences written in the block are left out of the index by its insert trigger.

    The writer indexes them itself (see ``ingest.importer.write_units``). The flag is cleared when the block
    ends; an error leaves it to the transaction's rollback, which restores it with everything else.
    """
    if not project.conn.in_transaction:
        raise RuntimeError("writer_indexes_sentences needs an open transaction")
    project.execute("UPDATE unit_fts_control SET importer_writes = 1")
    yield
    project.execute("UPDATE unit_fts_control SET importer_writes = 0")


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
    rows (0: in step). Works on a read-only connection.

    The fresh placement is never stored: each of its rows is looked up in the table's key as it is made. Its
    rows are distinct (one per coding and unit) and so are the table's (all columns are the key), so with
    ``matched`` fresh rows found in the table, ``fresh - matched`` are missing and ``stored - matched`` extra:
    the same count as two EXCEPTs over a temporary copy, without writing that copy (the figures of both are in
    benchmarks/README.md, under `check`).
    """
    fresh = matched = 0
    for kind in KINDS:
        n, found = conn.execute(
            f"WITH fresh(kind, code_id, coder_id, document_id, unit_id, coding_id) AS ("
            f"{PLACE_SELECT.format(kind=kind, since=0)})"
            " SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM main.coding_units cu WHERE cu.kind = f.kind"
            " AND cu.code_id = f.code_id AND cu.coder_id = f.coder_id AND cu.document_id = f.document_id"
            " AND cu.unit_id = f.unit_id AND cu.coding_id = f.coding_id)), 0) FROM fresh f"
        ).fetchone()
        fresh += n
        matched += found
    stored = conn.execute("SELECT count(*) FROM main.coding_units").fetchone()[0]
    return (fresh - matched) + (stored - matched)


def rebuild_placement(project: Project) -> int:
    """Place every coding in its sentences and turns afresh; returns how many codings were placed."""
    with project.transaction():
        project.execute("DELETE FROM coding_units")
        for kind in KINDS:
            project.execute(PLACE_MANY.format(table="coding_units", kind=kind, since=0))
        return project.scalar("SELECT count(DISTINCT coding_id) FROM coding_units")


def count_differences(conn: sqlite3.Connection) -> int:
    """How many rows of ``coding_counts`` differ from the codings counted afresh, missing and extra rows both
    (0: in step). Works on a read-only connection; as :func:`placement_differences`, each fresh row is looked
    up in the table's key (cheaper than two EXCEPTs over a fresh copy). The codings are read in table order and
    grouped in a temporary tree: grouping them through the index on code and document fetched each row's coder
    from the table, one look-up per coding."""
    fresh, matched = conn.execute(
        "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM main.coding_counts cc WHERE cc.code_id = f.code_id"
        " AND cc.document_id = f.document_id AND cc.coder_id = f.coder_id AND cc.n = f.n)), 0)"
        " FROM (SELECT code_id, document_id, coder_id, count(*) AS n FROM codings NOT INDEXED"
        " GROUP BY code_id, document_id, coder_id) f"
    ).fetchone()
    stored = conn.execute("SELECT count(*) FROM main.coding_counts").fetchone()[0]
    return (fresh - matched) + (stored - matched)


def rebuild_counts(project: Project) -> int:
    """Count every code's codings per document and coder afresh; returns how many (code, document, coder) rows."""
    with project.transaction():
        project.execute("DELETE FROM coding_counts")
        project.execute(COUNT_MANY.format(table="coding_counts", since=0))
        return project.scalar("SELECT count(*) FROM coding_counts")


def rebuild_unit_counts(project: Project) -> int:
    """Each document's length and units of each kind counted afresh (``document_lengths`` and ``unit_counts``,
    schema V11); returns how many (document, kind) rows."""
    with project.transaction():
        project.execute("DELETE FROM document_lengths")
        project.execute(
            "INSERT INTO document_lengths (document_id, characters) SELECT id, length(text) FROM documents"
        )
        project.execute("DELETE FROM unit_counts")
        project.execute(COUNT_UNITS.format(where="1"))
        return project.scalar("SELECT count(*) FROM unit_counts")
