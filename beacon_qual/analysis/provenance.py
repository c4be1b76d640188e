"""The provenance record every export starts with or carries beside it."""

from __future__ import annotations

import hashlib
from typing import Any

from .. import __version__
from ..store import Project, now

CHUNK = 1 << 20


def project_sha256(project: Project) -> str:
    """SHA-256 of the project file, after folding the write-ahead log into it."""
    project.execute("PRAGMA wal_checkpoint(FULL)").fetchall()
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
    return {
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
