"""The SQL of merging coders' copies: attaching them, mapping their coders, documents and codes to this
project's (temporary tables ``merge_coders``, ``merge_docs``, ``merge_codes``), and inserting across files what
is new, one statement per table. What matches and what is a conflict is the service's (``team.copies``).

``alias`` is the schema name a copy is attached as (``copy0``, ``copy1``, ...); ``schema`` is an alias or
``main``. Functions that report return rows; those that insert return how many rows (or which ids) they added.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from beacon_qual.store.db import Project
from beacon_qual.store.rows import inserted_id
from beacon_qual.store.schema import CODE_COLUMNS

MERGE_CACHE_KIB = -262144  # 256 MiB of page cache while merging (negative: KiB)
# what a code is copied across with: its own columns but the parent (mapped), and when it was made
COPIED_CODE_COLUMNS = (*(c for c in CODE_COLUMNS if c != "parent_id"), "created_at")
_MAPS = ("merge_coders", "merge_docs", "merge_codes")


# -- attaching copies ----------------------------------------------------------------------------------------------
@contextlib.contextmanager
def attached(project: Project, paths: list[Path]) -> Iterator[list[str]]:
    """Attach each copy read-only (aliases ``copy0``...) with a large page cache; detach them afterwards.

    Matching and inserting many codings reads and updates indexes at random places: the cache keeps those
    pages in memory. This project's cache size is restored when the block ends.
    """
    aliases: list[str] = []
    cache = None
    try:
        for path in paths:
            alias = f"copy{len(aliases)}"
            project.execute("ATTACH DATABASE ? AS " + alias, (f"file:{path.resolve().as_posix()}?mode=ro",))
            aliases.append(alias)
        cache = project.scalar("PRAGMA main.cache_size")
        for schema in ["main", *aliases]:
            project.execute(f"PRAGMA {schema}.cache_size = {MERGE_CACHE_KIB}")
        yield aliases
    finally:
        if cache is not None:
            project.execute(f"PRAGMA main.cache_size = {cache}")
        for alias in aliases:
            project.execute(f"DETACH DATABASE {alias}")


def project_uuid(project: Project, schema: str) -> str | None:
    return project.scalar(f"SELECT value FROM {schema}.meta WHERE key = 'project_uuid'")


def has_table(project: Project, schema: str, table: str) -> bool:
    """A copy of an older schema may not have a table of a later one."""
    return (
        project.scalar(
            f"SELECT count(*) FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (table,)
        )
        > 0
    )


def start_maps(project: Project) -> None:
    """Empty maps from a copy's coder, document and code ids to this project's (``other_id``, ``main_id``)."""
    for table in _MAPS:
        project.execute(f"DROP TABLE IF EXISTS temp.{table}")
        project.execute(f"CREATE TEMP TABLE {table}(other_id INTEGER PRIMARY KEY, main_id INTEGER)")


# -- coders --------------------------------------------------------------------------------------------------------
def coder_rows(project: Project, schema: str) -> list[sqlite3.Row]:
    """Every coder's ``id, uuid, name, created_at``, by id."""
    return project.execute(f"SELECT id, uuid, name, created_at FROM {schema}.coders ORDER BY id").fetchall()


def insert_coder(project: Project, uuid: str, name: str, created_at: str) -> int:
    cur = project.execute(
        "INSERT INTO main.coders(uuid, name, created_at) VALUES (?,?,?)", (uuid, name, created_at)
    )
    return inserted_id(cur)


def map_coder(project: Project, other_id: int, main_id: int) -> None:
    project.execute("INSERT INTO temp.merge_coders VALUES (?, ?)", (other_id, main_id))


# -- documents -----------------------------------------------------------------------------------------------------
def document_keys(project: Project, schema: str) -> tuple[dict[int, str], dict[int, str]]:
    """Each document's sha256 and uuid by id. The queries name no column stored after the text, so SQLite
    answers them from the indexes on sha256 and uuid instead of reading every transcript to reach them."""
    sha = dict(project.execute(f"SELECT id, sha256 FROM {schema}.documents").fetchall())
    uuids = dict(project.execute(f"SELECT id, uuid FROM {schema}.documents").fetchall())
    return sha, uuids


def map_documents(project: Project, pairs: list[tuple[int, int | None]]) -> None:
    """Map a copy's documents (``other_id``) to this project's (``main_id``; None: not here)."""
    project.conn.executemany("INSERT INTO temp.merge_docs(other_id, main_id) VALUES (?, ?)", pairs)


def unmatched_documents(project: Project, alias: str) -> list[sqlite3.Row]:
    """A copy's documents not in this project: name, uuid, number of codings, and the name of this project's
    document with the same uuid or name (None if none)."""
    return project.execute(
        f"SELECT od.name, od.uuid,"
        f" (SELECT count(*) FROM {alias}.codings oc WHERE oc.document_id = od.id),"
        f" (SELECT md.name FROM main.documents md WHERE md.uuid = od.uuid OR md.name = od.name LIMIT 1)"
        f" FROM temp.merge_docs m JOIN {alias}.documents od ON od.id = m.other_id WHERE m.main_id IS NULL"
        f" ORDER BY od.name"
    ).fetchall()


# -- codes ---------------------------------------------------------------------------------------------------------
def code_ids_by_uuid(project: Project) -> dict[str, int]:
    return {r[0]: r[1] for r in project.execute("SELECT uuid, id FROM main.codes")}


def code_rows(project: Project, alias: str) -> dict[int, sqlite3.Row]:
    """A copy's codes by id, every column."""
    return {r["id"]: r for r in project.execute(f"SELECT * FROM {alias}.codes").fetchall()}


def insert_code(project: Project, parent_id: int | None, row: sqlite3.Row) -> int:
    """Add a copy's code (its ``COPIED_CODE_COLUMNS``) under ``parent_id`` of this project."""
    cur = project.execute(
        f"INSERT INTO main.codes(parent_id, {', '.join(COPIED_CODE_COLUMNS)})"
        f" VALUES (?, {', '.join('?' * len(COPIED_CODE_COLUMNS))})",
        (parent_id, *[row[c] for c in COPIED_CODE_COLUMNS]),
    )
    return inserted_id(cur)


def map_code(project: Project, other_id: int, main_id: int) -> None:
    project.execute("INSERT INTO temp.merge_codes VALUES (?, ?)", (other_id, main_id))


# -- codings -------------------------------------------------------------------------------------------------------
_CODING_MAPPED = """
    FROM {alias}.codings oc
    JOIN temp.merge_docs d ON d.other_id = oc.document_id
    JOIN temp.merge_codes k ON k.other_id = oc.code_id
    JOIN temp.merge_coders c ON c.other_id = oc.coder_id
"""


def pick_codings(project: Project, alias: str) -> None:
    """Fill ``temp.merge_codings`` with a copy's codings that are new here (``main_id`` NULL: uuid not here,
    document here) or differ from this project's coding of the same uuid (``main_id``: that coding).

    One pass over the copy's codings finds both: each uuid is looked up once.
    """
    project.execute("DROP TABLE IF EXISTS temp.merge_codings")
    project.execute("CREATE TEMP TABLE merge_codings(other_id INTEGER PRIMARY KEY, main_id INTEGER)")
    project.execute(
        "INSERT INTO temp.merge_codings(other_id, main_id) SELECT oc.id, mc.id"
        + _CODING_MAPPED.format(alias=alias)
        + " LEFT JOIN main.codings mc ON mc.uuid = oc.uuid"
        " WHERE CASE WHEN mc.id IS NULL THEN d.main_id IS NOT NULL"
        " ELSE NOT (mc.document_id IS d.main_id AND mc.code_id = k.main_id AND mc.coder_id = c.main_id"
        " AND mc.start = oc.start AND mc.end = oc.end AND mc.memo IS oc.memo) END"
    )


def differing_codings(project: Project, alias: str) -> list[sqlite3.Row]:
    """Picked codings that differ here: uuid, document name, this project's start and end, the copy's."""
    return project.execute(
        f"SELECT oc.uuid, md.name, mc.start, mc.end, oc.start, oc.end FROM temp.merge_codings t"
        f" JOIN {alias}.codings oc ON oc.id = t.other_id JOIN main.codings mc ON mc.id = t.main_id"
        f" LEFT JOIN main.documents md ON md.id = mc.document_id WHERE t.main_id IS NOT NULL"
    ).fetchall()


def note_lengths(project: Project, alias: str) -> None:
    """Work out once, in ``temp.merge_lengths``, the text length of each document that gets new codings."""
    project.execute("DROP TABLE IF EXISTS temp.merge_lengths")
    project.execute("CREATE TEMP TABLE merge_lengths(document_id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    project.execute(
        "INSERT INTO temp.merge_lengths SELECT md.id, length(md.text) FROM main.documents md"
        " WHERE md.id IN (SELECT d.main_id FROM temp.merge_codings t"
        f" JOIN {alias}.codings oc ON oc.id = t.other_id JOIN temp.merge_docs d ON d.other_id = oc.document_id"
        " WHERE t.main_id IS NULL)"
    )


def codings_outside(project: Project, alias: str) -> list[sqlite3.Row]:
    """New codings whose offsets lie outside their document's text here: uuid, name, start, end, length."""
    return project.execute(
        f"SELECT oc.uuid, md.name, oc.start, oc.end, l.n FROM temp.merge_codings t"
        f" JOIN {alias}.codings oc ON oc.id = t.other_id JOIN temp.merge_docs d ON d.other_id = oc.document_id"
        " JOIN temp.merge_lengths l ON l.document_id = d.main_id JOIN main.documents md ON md.id = d.main_id"
        " WHERE t.main_id IS NULL AND NOT (oc.start >= 0 AND oc.start < oc.end AND oc.end <= l.n)"
        " ORDER BY t.other_id"
    ).fetchall()


def insert_codings(project: Project, alias: str) -> int:
    """Insert the new codings that lie inside their text, in the copy's order; how many."""
    cur = project.execute(
        "INSERT INTO main.codings(uuid, document_id, code_id, coder_id, start, end, memo, status, created_at,"
        " updated_at) SELECT oc.uuid, d.main_id, k.main_id, c.main_id, oc.start, oc.end, oc.memo, oc.status,"
        " oc.created_at, oc.updated_at FROM temp.merge_codings t"
        f" JOIN {alias}.codings oc ON oc.id = t.other_id"
        " JOIN temp.merge_docs d ON d.other_id = oc.document_id"
        " JOIN temp.merge_codes k ON k.other_id = oc.code_id"
        " JOIN temp.merge_coders c ON c.other_id = oc.coder_id"
        " JOIN temp.merge_lengths l ON l.document_id = d.main_id"
        " WHERE t.main_id IS NULL AND oc.start >= 0 AND oc.start < oc.end AND oc.end <= l.n"
        " ORDER BY t.other_id"
    )
    return cur.rowcount


# -- memos ---------------------------------------------------------------------------------------------------------
def map_memos(project: Project, alias: str) -> None:
    """Fill ``temp.merge_memos``: each of a copy's memos with its target and coder here (NULL: not here)."""
    project.execute("DROP TABLE IF EXISTS temp.merge_memos")
    project.execute(
        "CREATE TEMP TABLE merge_memos(other_id INTEGER PRIMARY KEY, target_id INTEGER, coder_id INTEGER)"
    )
    project.execute(
        f"INSERT INTO temp.merge_memos SELECT om.id, CASE om.target_type"
        f" WHEN 'project' THEN om.target_id"
        f" WHEN 'document' THEN (SELECT main_id FROM temp.merge_docs WHERE other_id = om.target_id)"
        f" WHEN 'code' THEN (SELECT main_id FROM temp.merge_codes WHERE other_id = om.target_id)"
        f" WHEN 'coding' THEN (SELECT mc.id FROM {alias}.codings oc JOIN main.codings mc ON mc.uuid = oc.uuid"
        f"   WHERE oc.id = om.target_id)"
        f" WHEN 'case' THEN (SELECT mc.id FROM {alias}.cases oc JOIN main.cases mc"
        f"   ON mc.uuid = oc.uuid OR (oc.code IS NOT NULL AND mc.code = oc.code)"
        f"   WHERE oc.id = om.target_id ORDER BY mc.uuid = oc.uuid DESC LIMIT 1)"
        f" END, (SELECT main_id FROM temp.merge_coders WHERE other_id = om.coder_id)"
        f" FROM {alias}.memos om"
    )


def memos_without_target(project: Project, alias: str) -> list[sqlite3.Row]:
    """A copy's memos on something not in this project: uuid, target type."""
    return project.execute(
        f"SELECT om.uuid, om.target_type FROM {alias}.memos om JOIN temp.merge_memos t ON t.other_id = om.id"
        f" WHERE om.target_type <> 'project' AND t.target_id IS NULL ORDER BY om.uuid"
    ).fetchall()


def differing_memos(project: Project, alias: str) -> list[sqlite3.Row]:
    """A copy's memos whose uuid is here with another text, title or target: uuid."""
    return project.execute(
        f"SELECT om.uuid FROM {alias}.memos om JOIN temp.merge_memos t ON t.other_id = om.id"
        f" JOIN main.memos mm ON mm.uuid = om.uuid"
        f" WHERE NOT (mm.target_type = om.target_type AND mm.target_id IS t.target_id AND mm.text = om.text"
        f" AND mm.title IS om.title) ORDER BY om.uuid"
    ).fetchall()


def insert_memos(project: Project, alias: str) -> int:
    """Insert a copy's memos that are new here and whose target is here; how many."""
    cur = project.execute(
        f"INSERT INTO main.memos(uuid, target_type, target_id, coder_id, title, text, created_at, updated_at)"
        f" SELECT om.uuid, om.target_type, t.target_id, t.coder_id, om.title, om.text, om.created_at, om.updated_at"
        f" FROM {alias}.memos om JOIN temp.merge_memos t ON t.other_id = om.id"
        f" WHERE (om.target_type = 'project' OR t.target_id IS NOT NULL)"
        f" AND NOT EXISTS (SELECT 1 FROM main.memos mm WHERE mm.uuid = om.uuid) ORDER BY om.id"
    )
    return cur.rowcount


# -- done marks and speaker roles ----------------------------------------------------------------------------------
def insert_done_marks(project: Project, alias: str) -> int:
    """Mark here the documents a copy's coders marked fully coded (those not marked yet); how many."""
    cur = project.execute(
        f"INSERT OR IGNORE INTO main.document_done(document_id, coder_id, at)"
        f" SELECT d.main_id, c.main_id, od.at FROM {alias}.document_done od"
        f" JOIN temp.merge_docs d ON d.other_id = od.document_id JOIN temp.merge_coders c ON c.other_id = od.coder_id"
        f" WHERE d.main_id IS NOT NULL AND c.main_id IS NOT NULL ORDER BY od.id"
    )
    return cur.rowcount


def differing_roles(project: Project, alias: str) -> list[sqlite3.Row]:
    """Speaker roles set differently here and in a copy: document name, label, role here, role there."""
    return project.execute(
        f"SELECT md.name, osr.label, msr.role, osr.role FROM {alias}.speaker_roles osr"
        f" JOIN temp.merge_docs d ON d.other_id = osr.document_id JOIN main.documents md ON md.id = d.main_id"
        f" JOIN main.speaker_roles msr ON msr.document_id = d.main_id AND msr.label = osr.label"
        f" WHERE msr.role <> osr.role ORDER BY md.name, osr.label"
    ).fetchall()


def insert_roles(project: Project, alias: str) -> list[int]:
    """Set here the speaker roles a copy set that are not set here; the document id of each role added."""
    rows = project.execute(
        f"INSERT OR IGNORE INTO main.speaker_roles(document_id, label, role, set_at)"
        f" SELECT d.main_id, osr.label, osr.role, osr.set_at FROM {alias}.speaker_roles osr"
        f" JOIN temp.merge_docs d ON d.other_id = osr.document_id WHERE d.main_id IS NOT NULL"
        f" RETURNING document_id"
    ).fetchall()
    return [row[0] for row in rows]
