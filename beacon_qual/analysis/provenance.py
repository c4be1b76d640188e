"""The provenance record every export starts with or carries beside it."""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from pathlib import Path
from typing import Any

from .. import __version__
from ..store import Project, now

CHUNK = 1 << 20
SETTLED_NS = 3_000_000_000  # a file unchanged for this long has a digest worth remembering


def fold_log(project: Project) -> bool:
    """Copy the write-ahead log into the project file without waiting on other connections;
    True when the file now holds every committed change."""
    _busy, frames, copied = project.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return frames == copied


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
    import hashlib  # here, not at start-up: loading OpenSSL took 3-14 ms of every export that found its memo

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


def provenance(
    project: Project,
    analysis: str,
    *,
    filters: dict[str, Any],
    coders: list[str],
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    complete = fold_log(project)
    record = {
        "tool": "beacon-qual",
        "version": __version__,
        "analysis": analysis,
        "created_at": now(),
        "project": project.path.name,
        "project_sha256": project_sha256(project),
        "codebook_version": project.get_meta("codebook_version"),
        "filters": filters,
        "coders": coders,
        "options": {k: v for k, v in (options or {}).items() if v not in (None, False, (), [])},
    }
    if not complete:
        record["project_sha256_note"] = "another connection was busy; recent changes were still in the log"
    return record
