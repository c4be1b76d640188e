"""The provenance record every export starts with or carries beside it.

The record names the project's state by its identity (:func:`state_identity`), which costs a few small reads:
the schema version, SQLite's schema cookie, and the generation and random token of ``project_state``. Every
write to a row of the project's tables sets ``project_state.changed`` (triggers, whoever writes: beacon-qual's
commands, survey and REFI-QDA imports, revise, merge, the sqlite3 shell); the application's write transactions,
or else the next export, give a changed state the next generation and a new random token (128 bits) before
anything reads it. So two different states never share an identity, and a state keeps its identity until a row
is written (a change undone is a new state with a new identity; a copy of the file keeps it). Changes to the
schema (tables, triggers, indexes) move the schema cookie. What the identity cannot see: edits of the file's
bytes outside SQLite, writes that also reset ``project_state`` by hand, and the search index, which is derived
from the units. ``--file-hash`` adds the SHA-256 of the file as it is on disk, which sees everything.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import zlib
from pathlib import Path
from typing import Any

from beacon_qual import __version__
from beacon_qual.store import Project, now
from beacon_qual.store import provenance as sql
from beacon_qual.store.provenance import fold_log
from beacon_qual.store.schema import STATE_VERSION

CHUNK = 1 << 20
SETTLED_NS = 3_000_000_000  # a file unchanged for this long has a digest worth remembering


def project_sha256(project: Project) -> str:
    """SHA-256 of the project file as it is on disk.

    Reading a large project takes a noticeable part of a second, so the digest is remembered in the
    user's cache folder together with the file's device, inode, size and change times, and read again
    only when one of them differs. A file changed in the last few seconds is hashed but not remembered:
    on file systems with coarse timestamps a later change could otherwise keep the same times.
    """
    path = project.path.resolve()
    stat = path.stat()
    key = f"{stat.st_dev} {stat.st_ino} {stat.st_size} {stat.st_mtime_ns} {stat.st_ctime_ns}"
    memo = _memo_path(path)
    try:
        remembered_key, remembered = memo.read_text(encoding="utf-8").split("\n")[:2]
        if remembered_key == key and len(remembered) == 64:
            return remembered
    except (OSError, ValueError):
        pass
    import hashlib  # here, not at start-up: loading OpenSSL is a noticeable part of a short export

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) > SETTLED_NS:
        _remember(memo, f"{key}\n{digest.hexdigest()}\n")
    return digest.hexdigest()


def _memo_path(path: Path) -> Path:
    from platformdirs import user_cache_path  # the platform's cache folder ($XDG_CACHE_HOME on Linux)

    cache = user_cache_path("beacon-qual", appauthor=False)
    # The name only has to tell paths apart: a memo found under another path's name holds that file's
    # device, inode and times, which do not match, so the file is hashed again.
    encoded = str(path).encode("utf-8", "surrogateescape")
    name = f"{zlib.crc32(encoded):08x}{zlib.adler32(encoded):08x}"
    return cache / "project-sha256" / name


def _remember(memo: Path, content: str) -> None:
    """Write the memo whole (a temporary file renamed into place); a cache that cannot be written is skipped."""
    partial = memo.with_name(f"{memo.name}.{os.getpid()}.partial")
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(content, encoding="utf-8")
        os.replace(partial, memo)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()


def state_identity(project: Project) -> str | None:
    """The identity of the project's state (see the module's text), or None when the state cannot be pinned
    this way: a state trigger is missing or altered, a table has none, or a changed state cannot be written
    (a read-only file)."""
    version = sql.user_version(project)
    if version < STATE_VERSION or not sql.state_triggers_intact(project):
        return None
    if sql.state_changed(project):
        # Written outside the application's transactions (another program, a statement on its own): this
        # state gets its identity now.
        try:
            if project.in_transaction:
                sql.seal_state(project)
            else:
                with project.transaction():
                    pass  # the commit seals the state
        except sqlite3.OperationalError:
            return None
    row = sql.state(project)
    if row is None:
        return None
    return f"v{version}.{sql.schema_version(project)}.{row['generation']}.{row['token']}"


def provenance(
    project: Project,
    analysis: str,
    *,
    filters: dict[str, Any],
    coders: list[str],
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    state = state_identity(project)
    record: dict[str, Any] = {
        "tool": "beacon-qual",
        "version": __version__,
        "analysis": analysis,
        "created_at": now(),
        "project": project.path.name,
    }
    if state is not None:
        record["project_state"] = state
    if state is None or project.provenance_file_hash:
        complete = fold_log(project)
        record["project_sha256"] = project_sha256(project)
        if not complete:
            record["project_sha256_note"] = (
                "another connection was busy; recent changes were still in the log"
            )
        if state is None:
            record["project_state_note"] = (
                "the project's state identity could not be read (state triggers missing or altered, or a "
                "read-only file); the file's digest names the state"
            )
    record.update(
        {
            "codebook_version": project.get_meta("codebook_version"),
            "filters": filters,
            "coders": coders,
            "options": {k: v for k, v in (options or {}).items() if v not in (None, False, (), [])},
        }
    )
    return record
