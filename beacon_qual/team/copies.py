"""Team projects: a coder's copy of a project, and merging coders' copies back.

A coder copy (:func:`clone_for_coder`) is the whole project, written with SQLite's
backup, with meta ``coder_copy_for`` naming the coder. The coder is created in the
main project first, so every copy and the main project share the coder's identity.

:func:`merge_projects` brings coders' work back. It only adds, never overwrites or
deletes, and reports every conflict:

* documents are matched by the sha256 of their text; a copy's document whose text is not
  in this project is reported (a conflict when a document of the same id or name has
  different text here), and its codings and memos are left out;
* codes by stable uuid, then by path ("Parent/Child"), reported; a code renamed or moved
  in the copy is a conflict (this project's name and place are kept); codes new in the
  copy are added, parents first;
* coders by uuid, then by name;
* codings and memos by uuid: new ones are added; one whose uuid exists here with
  different content is a conflict and this project's version is kept.

Merging is idempotent: merging the same copy again adds nothing. Copies merged in any
order give the same codings, with one exception that is reported as it happens: two
copies that each create a code (or coder) with the same path (or name) independently;
the first merged keeps its id and the other's codings join it.

All files are merged in one transaction, after a backup of this project to
``<project>.before-merge-<time>.bak`` (copied first, synced to disk while the merge runs,
and waited for before the merge commits); of those backups the newest few are kept
(:mod:`beacon_qual.store.backups`). The copies are attached read-only and checked to
be beacon-qual projects of this schema version or an older one first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from beacon_qual.codebook.tree import load_code_tree
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, now
from beacon_qual.store.backups import Backup, backup_path, keep_count, prune
from beacon_qual.store.db import PendingBackup, inspect_file
from beacon_qual.store.placement import deferred_placement
from beacon_qual.store.rows import inserted_id
from beacon_qual.store.schema import APPLICATION_ID, SCHEMA_VERSION
from beacon_qual.text.outfile import check_copy_target

MERGE_CACHE_KIB = -262144  # 256 MiB of page cache while merging (negative: KiB)
MAX_COPIES_AT_ONCE = 9  # SQLite attaches at most 10 databases; one name stays free
CODE_COLUMNS = (
    "uuid",
    "name",
    "description",
    "inclusion",
    "exclusion",
    "example",
    "colour",
    "keywords",
    "codable",
    "sort_order",
    "created_at",
)


@dataclass
class CoderCopy:
    path: Path
    coder: str


@dataclass
class FileMerge:
    """What merging one copy did."""

    path: Path
    coders_added: int = 0
    codes_added: int = 0
    codings_added: int = 0
    memos_added: int = 0
    done_added: int = 0  # documents marked fully coded in the copy, marked so here too
    roles_added: int = 0  # speaker roles set by hand in the copy, set so here too
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class MergeResult:
    backup: Path
    files: list[FileMerge]
    backups: Backup | None = None  # the backup and what keeping the newest few removed


# -- coder copies ----------------------------------------------------------------------------------------------
def clone_for_coder(project: Project, coder: str, out: Path | str) -> CoderCopy:
    """Write a copy of the whole project for ``coder`` to ``out`` (which must not exist yet)."""
    out = Path(out)
    name = coder.strip()
    if os.path.lexists(out):
        raise BeaconError(f"{out} already exists; choose a new file for the coder's copy")
    check_copy_target(out, protect=(project.path,), force=False)
    with project.transaction():
        coder_id = project.coder_id(name)
        project.audit(
            "team.clone", "coders", coder_id, after={"copy": str(out), "coder": name}, coder_id=coder_id
        )
    project.backup(out)
    copy = Project.open(out)
    try:
        with copy.transaction():
            copy.set_meta("coder_copy_for", name)
            copy.set_meta("coder_copy_of", project.get_meta("project_uuid"))
            copy.set_meta("coder_copy_made_at", now())
    finally:
        copy.close()
    return CoderCopy(out, name)


# -- checking a copy ---------------------------------------------------------------------------------------------
def check_project_file(path: Path) -> None:
    """Raise BeaconError unless ``path`` is a beacon-qual project this version can read (read-only check).

    A copy with an older schema is fine: merging reads only what every schema version has.
    """
    if not path.is_file():
        raise BeaconError(f"no project file at {path}")
    app_id, version = inspect_file(path)
    if app_id != APPLICATION_ID:
        raise BeaconError(f"{path} is an SQLite database but not a beacon-qual project")
    if version < 1:
        raise BeaconError(f"{path} is an empty beacon-qual project (no schema)")
    if version > SCHEMA_VERSION:
        raise BeaconError(
            f"{path} was written by a newer beacon-qual (schema {version}); upgrade beacon-qual"
        )


def _distinct_copies(project: Project, others: list[Path | str]) -> list[Path]:
    paths: list[Path] = []
    for other in others:
        path = Path(other)
        if path.exists() and project.path.exists() and path.resolve() == project.path.resolve():
            raise BeaconError(f"{path} is this project itself; merge coders' copies into it")
        if all(path.resolve() != p.resolve() for p in paths):
            paths.append(path)
    if len(paths) > MAX_COPIES_AT_ONCE:
        raise BeaconError(
            f"merge at most {MAX_COPIES_AT_ONCE} copies at once (got {len(paths)}); merge the rest next"
        )
    return paths


# -- merging ---------------------------------------------------------------------------------------------------
def merge_projects(
    project: Project, others: list[Path | str], *, keep_backups: int | None = None
) -> MergeResult:
    """Merge coders' copies into ``project``: all of them or, on any error, none. Afterwards the newest
    ``keep_backups`` merge backups are kept (see :mod:`beacon_qual.store.backups`)."""
    keep = keep_count(keep_backups)
    paths = _distinct_copies(project, others)
    for path in paths:
        check_project_file(path)
    # The backup's copy is made now; syncing it to disk, which takes as long as the disk makes it, overlaps the
    # merge and is waited for before the merge commits.
    pending = project.start_backup(backup_path(project.path, "merge"))
    try:
        backup, files = _merge_all(project, paths, pending)
    finally:
        pending.join()
    # The new backup is on disk (waited for before the merge committed): older ones may go now.
    return MergeResult(backup, files, prune(project.path, "merge", backup, keep))


def _merge_all(project: Project, paths: list[Path], pending: PendingBackup) -> tuple[Path, list[FileMerge]]:
    aliases = [f"copy{i}" for i in range(len(paths))]
    for alias, path in zip(aliases, paths):
        project.execute("ATTACH DATABASE ? AS " + alias, (f"file:{path.resolve().as_posix()}?mode=ro",))
    cache = project.scalar("PRAGMA main.cache_size")
    # Matching and inserting many codings reads and updates indexes at random places: keep pages in memory.
    for schema in ["main", *aliases]:
        project.execute(f"PRAGMA {schema}.cache_size = {MERGE_CACHE_KIB}")
    try:
        with project.transaction():
            # The copies' codings are inserted by one statement each; placing them in their sentences and turns
            # and counting them (coding_counts) afterwards, one statement each, is cheaper than triggers per
            # coding (agreement_speed.py's merge; figures in benchmarks/README.md).
            with deferred_placement(project):
                files = [_merge_one(project, alias, path) for alias, path in zip(aliases, paths)]
            for item in files:
                project.audit(
                    "team.merge",
                    "codings",
                    None,
                    after={
                        "file": str(item.path),
                        "codings_added": item.codings_added,
                        "memos_added": item.memos_added,
                        "codes_added": item.codes_added,
                        "coders_added": item.coders_added,
                        "conflicts": len(item.conflicts),
                    },
                )
            backup = pending.wait()  # on disk before the merge is
    finally:
        project.execute(f"PRAGMA main.cache_size = {cache}")
        for alias in aliases:
            project.execute(f"DETACH DATABASE {alias}")
    return backup, files


def _merge_one(project: Project, alias: str, path: Path) -> FileMerge:
    result = FileMerge(path)
    if project.scalar(f"SELECT value FROM {alias}.meta WHERE key = 'project_uuid'") != project.get_meta(
        "project_uuid"
    ):
        result.notes.append("not a copy of this project (another project id); merged by content all the same")
    for table in ("merge_coders", "merge_docs", "merge_codes"):
        project.execute(f"DROP TABLE IF EXISTS temp.{table}")
        project.execute(f"CREATE TEMP TABLE {table}(other_id INTEGER PRIMARY KEY, main_id INTEGER)")
    _map_coders(project, alias, result)
    _map_documents(project, alias, result)
    _map_codes(project, alias, result)
    _merge_codings(project, alias, result)
    _merge_memos(project, alias, result)
    _merge_done_marks(project, alias, result)
    _merge_speaker_roles(project, alias, result)
    return result


def _has_table(project: Project, schema: str, table: str) -> bool:
    """A copy of an older schema may not have a table of a later one."""
    return (
        project.scalar(
            f"SELECT count(*) FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (table,)
        )
        > 0
    )


def _merge_done_marks(project: Project, alias: str, result: FileMerge) -> None:
    """A coder's 'fully coded' marks travel with their codings: --done-only must see what was marked in a copy."""
    if not _has_table(project, alias, "document_done"):
        return
    cur = project.execute(
        f"INSERT OR IGNORE INTO main.document_done(document_id, coder_id, at)"
        f" SELECT d.main_id, c.main_id, od.at FROM {alias}.document_done od"
        f" JOIN temp.merge_docs d ON d.other_id = od.document_id JOIN temp.merge_coders c ON c.other_id = od.coder_id"
        f" WHERE d.main_id IS NOT NULL AND c.main_id IS NOT NULL ORDER BY od.id"
    )
    result.done_added = cur.rowcount


def _merge_speaker_roles(project: Project, alias: str, result: FileMerge) -> None:
    """Roles set by hand in a copy are set here too, unless this project set another role for that label."""
    if not _has_table(project, alias, "speaker_roles"):
        return
    differing = project.execute(
        f"SELECT md.name, osr.label, msr.role, osr.role FROM {alias}.speaker_roles osr"
        f" JOIN temp.merge_docs d ON d.other_id = osr.document_id JOIN main.documents md ON md.id = d.main_id"
        f" JOIN main.speaker_roles msr ON msr.document_id = d.main_id AND msr.label = osr.label"
        f" WHERE msr.role <> osr.role ORDER BY md.name, osr.label"
    ).fetchall()
    for name, label, here, there in differing:
        result.conflicts.append(
            f"speaker {label!r} of {name} is {there} in the copy but {here} here; kept this project's"
        )
    changed = project.execute(
        f"INSERT OR IGNORE INTO main.speaker_roles(document_id, label, role, set_at)"
        f" SELECT d.main_id, osr.label, osr.role, osr.set_at FROM {alias}.speaker_roles osr"
        f" JOIN temp.merge_docs d ON d.other_id = osr.document_id WHERE d.main_id IS NOT NULL"
        f" RETURNING document_id"
    ).fetchall()
    result.roles_added = len(changed)
    if changed:
        from beacon_qual.ingest.speaker_roles import assign_roles

        for document_id in sorted({row[0] for row in changed}):
            assign_roles(project, document_id)


def _map_coders(project: Project, alias: str, result: FileMerge) -> None:
    by_uuid = {r[1]: (r[0], r[2]) for r in project.execute("SELECT id, uuid, name FROM main.coders")}
    by_name = {r[2]: r[0] for r in project.execute("SELECT id, uuid, name FROM main.coders")}
    for other_id, uuid, name, created_at in project.execute(
        f"SELECT id, uuid, name, created_at FROM {alias}.coders ORDER BY id"
    ).fetchall():
        if uuid in by_uuid:
            main_id, main_name = by_uuid[uuid]
            if main_name != name:
                result.conflicts.append(
                    f"coder {main_name!r} is called {name!r} in the copy; kept {main_name!r}"
                )
        elif name in by_name:
            main_id = by_name[name]
            result.notes.append(f"coder {name!r} matched by name (the ids differ)")
        else:
            main_id = inserted_id(
                project.execute(
                    "INSERT INTO main.coders(uuid, name, created_at) VALUES (?,?,?)", (uuid, name, created_at)
                )
            )
            by_uuid[uuid], by_name[name] = (main_id, name), main_id
            result.coders_added += 1
        project.execute("INSERT INTO temp.merge_coders VALUES (?, ?)", (other_id, main_id))


def _document_keys(project: Project, schema: str) -> tuple[dict[int, str], dict[int, str]]:
    """Each document's sha256 and uuid by id. The queries name no column stored after the text, so SQLite
    answers them from the indexes on sha256 and uuid instead of reading every transcript to reach them."""
    sha = dict(project.execute(f"SELECT id, sha256 FROM {schema}.documents").fetchall())
    uuids = dict(project.execute(f"SELECT id, uuid FROM {schema}.documents").fetchall())
    return sha, uuids


def _map_documents(project: Project, alias: str, result: FileMerge) -> None:
    # A document of the copy is this project's document with the same text and uuid, else the first with
    # the same text (lowest id), else none.
    main_sha, main_uuid = _document_keys(project, "main")
    first_with: dict[str, int] = {}
    for doc_id in sorted(main_sha):
        first_with.setdefault(main_sha[doc_id], doc_id)
    same: dict[tuple[str, str], int] = {(main_sha[i], main_uuid[i]): i for i in main_sha}
    their_sha, their_uuid = _document_keys(project, alias)
    project.conn.executemany(
        "INSERT INTO temp.merge_docs(other_id, main_id) VALUES (?, ?)",
        [
            (other_id, same.get((sha, their_uuid[other_id]), first_with.get(sha)))
            for other_id, sha in their_sha.items()
        ],
    )
    missing = project.execute(
        f"SELECT od.name, od.uuid,"
        f" (SELECT count(*) FROM {alias}.codings oc WHERE oc.document_id = od.id),"
        f" (SELECT md.name FROM main.documents md WHERE md.uuid = od.uuid OR md.name = od.name LIMIT 1)"
        f" FROM temp.merge_docs m JOIN {alias}.documents od ON od.id = m.other_id WHERE m.main_id IS NULL"
        f" ORDER BY od.name"
    ).fetchall()
    for name, _uuid, codings, here in missing:
        if here is not None:
            result.conflicts.append(
                f"document {name!r} has different text in the copy than {here!r} here; its {codings} codings "
                f"were not merged"
            )
        else:
            result.notes.append(
                f"document {name!r} is not in this project; its {codings} codings were not merged "
                f"(import it, then merge again)"
            )


def _map_codes(project: Project, alias: str, result: FileMerge) -> None:
    here = load_code_tree(project)
    by_uuid = {r[0]: r[1] for r in project.execute("SELECT uuid, id FROM main.codes")}
    by_path = {path: code_id for code_id, path in here.path.items()}
    theirs = load_code_tree(project, alias)
    rows = {r["id"]: r for r in project.execute(f"SELECT * FROM {alias}.codes").fetchall()}
    mapped: dict[int, int] = {}
    for other_id in theirs.order:
        row = rows[other_id]
        path = theirs.path[other_id]
        if row["uuid"] in by_uuid:
            main_id = by_uuid[row["uuid"]]
            if here.path.get(main_id) != path:
                result.conflicts.append(
                    f"code {here.path.get(main_id)!r} is renamed or moved to {path!r} in the copy; "
                    f"kept {here.path.get(main_id)!r}"
                )
        elif path in by_path:
            main_id = by_path[path]
            result.notes.append(f"code {path!r} matched by path (the ids differ)")
        else:
            parent = None if row["parent_id"] is None else mapped[row["parent_id"]]
            main_id = inserted_id(
                project.execute(
                    f"INSERT INTO main.codes(parent_id, {', '.join(CODE_COLUMNS)})"
                    f" VALUES (?, {', '.join('?' * len(CODE_COLUMNS))})",
                    (parent, *[row[c] for c in CODE_COLUMNS]),
                )
            )
            by_uuid[row["uuid"]] = by_path[path] = main_id
            here.path[main_id] = path
            result.codes_added += 1
        mapped[other_id] = main_id
        project.execute("INSERT INTO temp.merge_codes VALUES (?, ?)", (other_id, main_id))


_CODING_MAPPED = """
    FROM {alias}.codings oc
    JOIN temp.merge_docs d ON d.other_id = oc.document_id
    JOIN temp.merge_codes k ON k.other_id = oc.code_id
    JOIN temp.merge_coders c ON c.other_id = oc.coder_id
"""


def _merge_codings(project: Project, alias: str, result: FileMerge) -> None:
    # One pass over the copy's codings finds both the new ones (uuid not here, document here) and the ones
    # that differ from this project's coding of the same uuid: each uuid is looked up once.
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
    differing = project.execute(
        f"SELECT oc.uuid, md.name, mc.start, mc.end, oc.start, oc.end FROM temp.merge_codings t"
        f" JOIN {alias}.codings oc ON oc.id = t.other_id JOIN main.codings mc ON mc.id = t.main_id"
        f" LEFT JOIN main.documents md ON md.id = mc.document_id WHERE t.main_id IS NOT NULL"
    ).fetchall()
    for uuid, doc, start, end, o_start, o_end in sorted(differing):
        result.conflicts.append(
            f"coding {uuid} in {doc!r} differs in the copy (here {start}..{end}, copy {o_start}..{o_end}, "
            f"or its code, coder or memo); kept this project's"
        )
    # Offsets are checked against this project's texts inside the merge's transaction: a copy written by
    # another tool, or damaged, cannot bring in a coding that lies outside its document. Each text's length
    # is worked out once, for the documents that get new codings.
    project.execute("DROP TABLE IF EXISTS temp.merge_lengths")
    project.execute("CREATE TEMP TABLE merge_lengths(document_id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    project.execute(
        "INSERT INTO temp.merge_lengths SELECT md.id, length(md.text) FROM main.documents md"
        " WHERE md.id IN (SELECT d.main_id FROM temp.merge_codings t"
        f" JOIN {alias}.codings oc ON oc.id = t.other_id JOIN temp.merge_docs d ON d.other_id = oc.document_id"
        " WHERE t.main_id IS NULL)"
    )
    outside = project.execute(
        f"SELECT oc.uuid, md.name, oc.start, oc.end, l.n FROM temp.merge_codings t"
        f" JOIN {alias}.codings oc ON oc.id = t.other_id JOIN temp.merge_docs d ON d.other_id = oc.document_id"
        " JOIN temp.merge_lengths l ON l.document_id = d.main_id JOIN main.documents md ON md.id = d.main_id"
        " WHERE t.main_id IS NULL AND NOT (oc.start >= 0 AND oc.start < oc.end AND oc.end <= l.n)"
        " ORDER BY t.other_id"
    ).fetchall()
    for uuid, doc, start, end, length in outside:
        result.conflicts.append(
            f"coding {uuid} in {doc!r} covers {start}..{end} in the copy, outside the text (length {length}); "
            "not merged"
        )
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
    result.codings_added = cur.rowcount


def _merge_memos(project: Project, alias: str, result: FileMerge) -> None:
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
    lost = project.execute(
        f"SELECT om.uuid, om.target_type FROM {alias}.memos om JOIN temp.merge_memos t ON t.other_id = om.id"
        f" WHERE om.target_type <> 'project' AND t.target_id IS NULL ORDER BY om.uuid"
    ).fetchall()
    for uuid, target_type in lost:
        result.notes.append(f"memo {uuid} is on a {target_type} that is not in this project; not merged")
    differing = project.execute(
        f"SELECT om.uuid FROM {alias}.memos om JOIN temp.merge_memos t ON t.other_id = om.id"
        f" JOIN main.memos mm ON mm.uuid = om.uuid"
        f" WHERE NOT (mm.target_type = om.target_type AND mm.target_id IS t.target_id AND mm.text = om.text"
        f" AND mm.title IS om.title) ORDER BY om.uuid"
    ).fetchall()
    for (uuid,) in differing:
        result.conflicts.append(
            f"memo {uuid} differs in the copy (its text, title or target); kept this project's"
        )
    cur = project.execute(
        f"INSERT INTO main.memos(uuid, target_type, target_id, coder_id, title, text, created_at, updated_at)"
        f" SELECT om.uuid, om.target_type, t.target_id, t.coder_id, om.title, om.text, om.created_at, om.updated_at"
        f" FROM {alias}.memos om JOIN temp.merge_memos t ON t.other_id = om.id"
        f" WHERE (om.target_type = 'project' OR t.target_id IS NOT NULL)"
        f" AND NOT EXISTS (SELECT 1 FROM main.memos mm WHERE mm.uuid = om.uuid) ORDER BY om.id"
    )
    result.memos_added = cur.rowcount
