"""Three ways to back a project up, side by side: prints timings, asserts nothing.

beacon-qual backs a project up before every merge, revision and migration. This compares
``Project.backup`` (the file and its WAL copied by the kernel under a read transaction, the WAL folded
into the copy, synced and renamed) with SQLite's online backup API (``sqlite3.Connection.backup``) and
with ``VACUUM INTO``, each followed by the same fsync, on one project built like the agreement benchmark's
(invented text). Each way runs ``--runs`` times, interleaved; the median and the fastest are printed.
Every copy is checked: ``PRAGMA integrity_check`` and the same number of codings as the project.

Usage: python benchmarks/backup_speed.py [--documents N] [--codings N] [--runs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from agreement_speed import build

from beacon_qual.store import Project


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def kernel_copy(project: Project, dest: Path) -> None:
    project.backup(dest)


def backup_api(project: Project, dest: Path) -> None:
    target = sqlite3.connect(dest)
    try:
        project.conn.backup(target)
    finally:
        target.close()
    _fsync(dest)


def vacuum_into(project: Project, dest: Path) -> None:
    project.conn.execute("VACUUM INTO ?", (str(dest),))
    _fsync(dest)


WAYS: dict[str, Callable[[Project, Path], None]] = {
    "Project.backup (kernel copy)": kernel_copy,
    "sqlite3 backup API": backup_api,
    "VACUUM INTO": vacuum_into,
}


def check_copy(dest: Path, codings: int) -> None:
    conn = sqlite3.connect(dest)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", dest
        assert conn.execute("SELECT count(*) FROM codings").fetchone()[0] == codings, dest
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--codings", type=int, default=100_000, help="codings per coder")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep the project")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="beacon-backup-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "backup-scale.db"
    try:
        if not path.exists():
            build(path, args.documents, args.codings)
        times: dict[str, list[float]] = {name: [] for name in WAYS}
        with Project.open(path) as project:
            codings = project.scalar("SELECT count(*) FROM codings")
            size = path.stat().st_size
            print(f"project: {args.documents} documents, {codings:,} codings, {size / 2**20:,.0f} MiB")
            for _ in range(args.runs):
                for name, way in WAYS.items():
                    dest = folder / "copy.db"
                    for leftover in (dest, dest.with_name("copy.db-wal")):
                        leftover.unlink(missing_ok=True)
                    t0 = time.perf_counter()
                    way(project, dest)
                    times[name].append(time.perf_counter() - t0)
                    check_copy(dest, codings)
                    dest.unlink()
        print(f"{'way':<32} {'median':>8} {'fastest':>8}   ({args.runs} runs, interleaved)")
        for name, values in times.items():
            print(f"{name:<32} {statistics.median(values):7.2f}s {min(values):7.2f}s")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
