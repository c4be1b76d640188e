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
from beacon_qual.store import merge as sql
from beacon_qual.store.backups import Backup, backup_path, keep_count, prune
from beacon_qual.store.db import PendingBackup, inspect_file
from beacon_qual.store.placement import deferred_placement
from beacon_qual.store.schema import APPLICATION_ID, SCHEMA_VERSION
from beacon_qual.text.outfile import check_copy_target

MAX_COPIES_AT_ONCE = 9  # SQLite attaches at most 10 databases; one name stays free


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
    with sql.attached(project, paths) as aliases, project.transaction():
        # The copies' codings are inserted by one statement each; placing them in their sentences and turns and
        # counting them (coding_counts) afterwards, one statement each, is cheaper than triggers per coding
        # (agreement_speed.py's merge; figures in benchmarks/README.md).
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
    return backup, files


def _merge_one(project: Project, alias: str, path: Path) -> FileMerge:
    result = FileMerge(path)
    if sql.project_uuid(project, alias) != project.get_meta("project_uuid"):
        result.notes.append("not a copy of this project (another project id); merged by content all the same")
    sql.start_maps(project)
    _map_coders(project, alias, result)
    _map_documents(project, alias, result)
    _map_codes(project, alias, result)
    _merge_codings(project, alias, result)
    _merge_memos(project, alias, result)
    _merge_done_marks(project, alias, result)
    _merge_speaker_roles(project, alias, result)
    return result


def _merge_done_marks(project: Project, alias: str, result: FileMerge) -> None:
    """A coder's 'fully coded' marks travel with their codings: --done-only must see what was marked in a copy."""
    if sql.has_table(project, alias, "document_done"):
        result.done_added = sql.insert_done_marks(project, alias)


def _merge_speaker_roles(project: Project, alias: str, result: FileMerge) -> None:
    """Roles set by hand in a copy are set here too, unless this project set another role for that label."""
    if not sql.has_table(project, alias, "speaker_roles"):
        return
    for name, label, here, there in sql.differing_roles(project, alias):
        result.conflicts.append(
            f"speaker {label!r} of {name} is {there} in the copy but {here} here; kept this project's"
        )
    changed = sql.insert_roles(project, alias)
    result.roles_added = len(changed)
    if changed:
        from beacon_qual.ingest.speaker_roles import assign_roles

        for document_id in sorted(set(changed)):
            assign_roles(project, document_id)


def _map_coders(project: Project, alias: str, result: FileMerge) -> None:
    here = sql.coder_rows(project, "main")
    by_uuid = {r["uuid"]: (r["id"], r["name"]) for r in here}
    by_name = {r["name"]: r["id"] for r in here}
    for other_id, uuid, name, created_at in sql.coder_rows(project, alias):
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
            main_id = sql.insert_coder(project, uuid, name, created_at)
            by_uuid[uuid], by_name[name] = (main_id, name), main_id
            result.coders_added += 1
        sql.map_coder(project, other_id, main_id)


def _map_documents(project: Project, alias: str, result: FileMerge) -> None:
    # A document of the copy is this project's document with the same text and uuid, else the first with
    # the same text (lowest id), else none.
    main_sha, main_uuid = sql.document_keys(project, "main")
    first_with: dict[str, int] = {}
    for doc_id in sorted(main_sha):
        first_with.setdefault(main_sha[doc_id], doc_id)
    same: dict[tuple[str, str], int] = {(main_sha[i], main_uuid[i]): i for i in main_sha}
    their_sha, their_uuid = sql.document_keys(project, alias)
    sql.map_documents(
        project,
        [
            (other_id, same.get((sha, their_uuid[other_id]), first_with.get(sha)))
            for other_id, sha in their_sha.items()
        ],
    )
    for name, _uuid, codings, here in sql.unmatched_documents(project, alias):
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
    by_uuid = sql.code_ids_by_uuid(project)
    by_path = {path: code_id for code_id, path in here.path.items()}
    theirs = load_code_tree(project, alias)
    rows = sql.code_rows(project, alias)
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
            main_id = sql.insert_code(project, parent, row)
            by_uuid[row["uuid"]] = by_path[path] = main_id
            here.path[main_id] = path
            result.codes_added += 1
        mapped[other_id] = main_id
        sql.map_code(project, other_id, main_id)


def _merge_codings(project: Project, alias: str, result: FileMerge) -> None:
    sql.pick_codings(project, alias)
    for uuid, doc, start, end, o_start, o_end in sorted(sql.differing_codings(project, alias)):
        result.conflicts.append(
            f"coding {uuid} in {doc!r} differs in the copy (here {start}..{end}, copy {o_start}..{o_end}, "
            f"or its code, coder or memo); kept this project's"
        )
    # Offsets are checked against this project's texts inside the merge's transaction: a copy written by
    # another tool, or damaged, cannot bring in a coding that lies outside its document.
    sql.note_lengths(project, alias)
    for uuid, doc, start, end, length in sql.codings_outside(project, alias):
        result.conflicts.append(
            f"coding {uuid} in {doc!r} covers {start}..{end} in the copy, outside the text (length {length}); "
            "not merged"
        )
    result.codings_added = sql.insert_codings(project, alias)


def _merge_memos(project: Project, alias: str, result: FileMerge) -> None:
    sql.map_memos(project, alias)
    for uuid, target_type in sql.memos_without_target(project, alias):
        result.notes.append(f"memo {uuid} is on a {target_type} that is not in this project; not merged")
    for (uuid,) in sql.differing_memos(project, alias):
        result.conflicts.append(
            f"memo {uuid} differs in the copy (its text, title or target); kept this project's"
        )
    result.memos_added = sql.insert_memos(project, alias)
