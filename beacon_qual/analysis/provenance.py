"""The provenance record every export starts with or carries beside it."""

from __future__ import annotations

import hashlib
from typing import Any

from .. import __version__
from ..store import Project, now

CHUNK = 1 << 20


def fold_log(project: Project) -> bool:
    """Copy the write-ahead log into the project file without waiting on other connections;
    True when the file now holds every committed change."""
    _busy, frames, copied = project.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return frames == copied


def project_sha256(project: Project) -> str:
    """SHA-256 of the project file as it is on disk."""
    digest = hashlib.sha256()
    with project.path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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
