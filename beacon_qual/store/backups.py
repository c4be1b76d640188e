"""The backups a project keeps beside itself: one per merge, revision and migration, the newest N of each kind.

A merge, a revision (``revise`` and ``revise --undo``) and a migration to a newer schema each copy the
project first (:meth:`Project.backup`), to ``<project>.before-<what>-<UTC time>.bak`` (a migration:
``<project>.before-v<schema>.bak``, with the time added when that name is taken). Each copy is as large as the project, so after a new one is on disk
(synced, renamed into place) :func:`prune` removes the oldest of its kind until ``keep`` are left. How many
are kept: the command's ``--keep-backups``, else ``BEACON_QUAL_KEEP_BACKUPS``, else :data:`DEFAULT_KEEP`.
Only regular files whose names match the kind's pattern for this project are ever removed.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from beacon_qual.errors import BeaconError

KEEP_ENV = "BEACON_QUAL_KEEP_BACKUPS"
DEFAULT_KEEP = 3
STAMP = "%Y%m%dT%H%M%S.%fZ"
# kind -> the backup names' part after "<project>.before-"; group 1 orders them (a time or a schema version),
# group 2 is the counter added when two backups of one instant would share a name.
KINDS = {
    "merge": r"merge-(\d{8}T\d{6}(?:\.\d{6})?Z)(?:-(\d+))?",
    "revise": r"revise(?:-undo)?-(\d{8}T\d{6}(?:\.\d{6})?Z)(?:-(\d+))?",
    "migration": r"v(\d+)(?:-(\d{8}T\d{6}\.\d{6}Z))?",
}
DESCRIBED = {"merge": "merge", "revise": "revision", "migration": "migration"}


@dataclass
class Backup:
    """A backup just made, and what keeping the newest ``keep`` of its kind removed."""

    path: Path
    kind: str
    keep: int
    removed: list[Path] = field(default_factory=list)

    def describe(self) -> str:
        """``X (the newest 3 merge backups are kept; 1 older one removed)``: for the command's output."""
        kept = f"the newest {self.keep} {DESCRIBED[self.kind]} backup{'s' if self.keep != 1 else ''} are kept"
        if self.keep == 1:
            kept = f"only the newest {DESCRIBED[self.kind]} backup is kept"
        if self.removed:
            kept += f"; {len(self.removed)} older one{'s' if len(self.removed) != 1 else ''} removed"
        return f"{self.path} ({kept})"


def keep_count(option: int | None = None) -> int:
    """How many backups of a kind to keep: ``option``, else the environment's, else the default."""
    if option is None:
        raw = os.environ.get(KEEP_ENV, "").strip()
        if not raw:
            return DEFAULT_KEEP
        try:
            option = int(raw)
        except ValueError:
            raise BeaconError(f"{KEEP_ENV} must be a whole number of backups to keep (got {raw!r})") from None
        source = KEEP_ENV
    else:
        source = "--keep-backups"
    if option < 1:
        raise BeaconError(f"{source} must be at least 1: the backup just made is always kept")
    return option


def backup_path(project_path: Path, what: str) -> Path:
    """``<project>.before-<what>-<UTC time>.bak`` beside the project, with a counter if the name is taken."""
    stamp = datetime.now(UTC).strftime(STAMP)
    candidate = project_path.with_name(f"{project_path.name}.before-{what}-{stamp}.bak")
    counter = 2
    while os.path.lexists(candidate):
        candidate = project_path.with_name(f"{project_path.name}.before-{what}-{stamp}-{counter}.bak")
        counter += 1
    return candidate


def _order(kind: str, key: str, counter: str) -> tuple:
    if kind == "migration":  # by schema version, then by time (a second backup for one version has a time)
        return (int(key), counter or "")
    moment = datetime.strptime(key, STAMP if "." in key else "%Y%m%dT%H%M%SZ")
    return (moment, int(counter or 1))


def backups_of(project_path: Path, kind: str) -> list[Path]:
    """This project's backups of ``kind`` (regular files only), newest first."""
    pattern = re.compile(re.escape(project_path.name) + r"\.before-" + KINDS[kind] + r"\.bak")
    found: list[tuple[tuple, Path]] = []
    try:
        entries = list(os.scandir(project_path.parent))
    except OSError:
        return []
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        try:
            if not stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
                continue
        except OSError:
            continue
        found.append((_order(kind, match.group(1), match.group(2)), Path(entry.path)))
    found.sort(key=lambda item: item[0], reverse=True)
    return [path for _order_key, path in found]


def prune(project_path: Path, kind: str, newest: Path, keep: int) -> Backup:
    """Keep the newest ``keep`` backups of ``kind``, ``newest`` (on disk already) always among them."""
    removed: list[Path] = []
    others = [path for path in backups_of(project_path, kind) if path != newest]
    for path in others[max(0, keep - 1) :]:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    return Backup(newest, kind, keep, removed)
