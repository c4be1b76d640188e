"""Speed of the workbench's analysis views on the 1,000-document benchmark project.

Copies the project that ``compare_qc.py`` builds (or ``--project FILE``) into a work folder, then tops
it up to the issue's shape: 47 codes (the 20 flat codes grouped under 7 parents, and 20 more leaves, each
taking every fifth coding of one of the first 20) and 10 numeric survey measures of wave 1 for every
council (invented, seeded). Then, in Textual's headless pilot at 120x40, it times what a user waits for:

* the councils x themes matrix, from the key to a filled table (all councils, 47 code columns, 10 measures);
* re-sorting by a code column, and applying a filter (phase 2);
* drilling into a cell (the council's passages of a code);
* the theme-by-measure chart (crosstab, trends and both charts), when that view is present;
* a filter to the respondents' speech (all phases, every code column);

and the peak memory of the process. Targets: 300, 100, 100, 100 and 200 ms; 250 MB.

Each step is timed from the key event (or the filter's reload) until every message it led to is handled and
the screen is drawn, as ``workbench_speed.py`` times the coding keys; ``pilot.press`` and ``pilot.pause``
would add their own sleeps of 20 ms steps until the process looks idle. The CPU time of each step is printed
beside it.

    python benchmarks/views_speed.py [--project FILE] [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from beacon_qual.store import Project, new_uuid, now

sys.path.insert(0, str(Path(__file__).parent))
from workbench_speed import press

DEFAULT = Path(__file__).parent / "_work" / "compare_qc" / "beacon-1000x2000-s1.db"
PARENTS = 7
EXTRA_LEAVES = 20
MEASURES = 10


def copy_project(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (the source may be open elsewhere)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def top_up(path: Path, seed: int = 1) -> tuple[int, int]:
    """Make the copy 47 codes and 10 survey measures; returns (codes, measures)."""
    rng = random.Random(seed)
    project = Project.open(path)
    try:
        stamp = now()
        with project.transaction():
            leaves = [
                r[0] for r in project.execute("SELECT id FROM codes WHERE parent_id IS NULL ORDER BY id")
            ]
            if project.scalar("SELECT count(*) FROM codes") < 47:
                parents = []
                for i in range(PARENTS):
                    cur = project.execute(
                        "INSERT INTO codes(uuid, name, codable, created_at) VALUES (?, ?, 0, ?)",
                        (new_uuid(), f"theme_{i + 1}", stamp),
                    )
                    parents.append(cur.lastrowid)
                for i, leaf in enumerate(leaves):
                    project.execute(
                        "UPDATE codes SET parent_id = ? WHERE id = ?", (parents[i % PARENTS], leaf)
                    )
                for i, leaf in enumerate(leaves[:EXTRA_LEAVES]):
                    cur = project.execute(
                        "INSERT INTO codes(uuid, parent_id, name, created_at) VALUES (?, ?, ?, ?)",
                        (new_uuid(), parents[i % PARENTS], f"variant_{i + 1}", stamp),
                    )
                    project.execute(
                        "UPDATE codings SET code_id = ? WHERE code_id = ? AND id % 5 = 0",
                        (cur.lastrowid, leaf),
                    )
            have = project.scalar("SELECT count(*) FROM variables WHERE type = 'numeric'")
            cases = [r[0] for r in project.execute("SELECT id FROM cases WHERE kind = 'council'")]
            for i in range(have, MEASURES):
                cur = project.execute(
                    "INSERT INTO variables(uuid, name, type) VALUES (?, ?, 'numeric')",
                    (new_uuid(), f"measure_{i + 1}"),
                )
                project.conn.executemany(
                    "INSERT INTO case_values(variable_id, case_id, wave, value_num) VALUES (?, ?, 1, ?)",
                    [(cur.lastrowid, c, round(rng.uniform(0, 100), 1)) for c in cases],
                )
        return project.scalar("SELECT count(*) FROM codes"), project.scalar("SELECT count(*) FROM variables")
    finally:
        project.close()


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.0f} ms"


async def measure(path: Path, runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    from beacon_qual.tui.app import WorkbenchApp
    from beacon_qual.tui.grid import MatrixGrid
    from beacon_qual.tui.matrix import MatrixScreen
    from beacon_qual.tui.segments import SegmentsScreen

    async def settle(app: WorkbenchApp, pilot) -> None:
        """Wait, without sleeping, until the app's and the screen's queues are empty; then draw the screen."""
        for _ in range(50):
            await pilot._wait_for_screen()
            if not any(
                pump._message_queue.qsize() for pump in [app, *app.screen.walk_children(with_self=True)]
            ):
                break
        app.screen._on_timer_update()

    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}  # the process's CPU time in each step (the wall time is also waits)
    project = Project.open(path)
    coder = project.scalar("SELECT name FROM coders ORDER BY name")
    try:
        for _ in range(runs):
            app = WorkbenchApp(project, coder=coder)
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                t, c = time.perf_counter(), time.process_time()
                await press(app, pilot, "X")
                times.setdefault("matrix first screen", []).append(time.perf_counter() - t)
                cpu.setdefault("matrix first screen", []).append(time.process_time() - c)
                screen = app.screen
                assert isinstance(screen, MatrixScreen)
                table = screen.query_one(MatrixGrid)
                assert table.row_count >= 300, table.row_count
                # every code as a column: expand each parent (not timed), then sort and filter
                for parent in [c for c in screen.matrix.codes if screen.matrix.children(c.id)]:
                    i = screen.columns.index(parent.id)
                    screen.columns[i : i + 1] = [c.id for c in screen.matrix.children(parent.id)]
                screen.show()
                times.setdefault("code columns", []).append(len(screen.columns))
                times.setdefault("measure columns", []).append(len(screen.matrix.measures))
                await pilot.pause()
                table.cursor_coordinate = (0, 3)
                t, c = time.perf_counter(), time.process_time()
                await press(app, pilot, "s")
                times.setdefault("re-sort by a code", []).append(time.perf_counter() - t)
                cpu.setdefault("re-sort by a code", []).append(time.process_time() - c)
                t, c = time.perf_counter(), time.process_time()
                screen.filters = screen.filters.__class__(phases=(2,))
                screen.load()
                await settle(app, pilot)
                times.setdefault("filter (phase 2)", []).append(time.perf_counter() - t)
                cpu.setdefault("filter (phase 2)", []).append(time.process_time() - c)
                table.cursor_coordinate = (0, 3)
                t, c = time.perf_counter(), time.process_time()
                await press(app, pilot, "enter")
                times.setdefault("drill into a cell", []).append(time.perf_counter() - t)
                cpu.setdefault("drill into a cell", []).append(time.process_time() - c)
                # the cell's passages: in the matrix's place (or, before, on a screen of their own)
                assert getattr(screen, "drilled", False) or isinstance(app.screen, SegmentsScreen)
                await pilot.press("escape")
                await pilot.pause()
                table.cursor_coordinate = (0, 3)
                t, c = time.perf_counter(), time.process_time()
                await press(app, pilot, "g")  # the code by the first measure: crosstab, tests and chart
                times.setdefault("chart (theme by measure)", []).append(time.perf_counter() - t)
                cpu.setdefault("chart (theme by measure)", []).append(time.process_time() - c)
                t, c = time.perf_counter(), time.process_time()
                await press(app, pilot, "t")  # the code by study phase: trends and chart
                times.setdefault("chart (theme by phase)", []).append(time.perf_counter() - t)
                cpu.setdefault("chart (theme by phase)", []).append(time.process_time() - c)
                await pilot.press("escape")
                await pilot.pause()
                t, c = time.perf_counter(), time.process_time()
                screen.filters = screen.filters.__class__(speaker="respondent")
                screen.load()
                await settle(app, pilot)
                times.setdefault("filter (speaker respondent)", []).append(time.perf_counter() - t)
                cpu.setdefault("filter (speaker respondent)", []).append(time.process_time() - c)
    finally:
        project.close()
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--project", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Work folder to keep the topped-up copy in.")
    args = parser.parse_args()
    if not args.project.exists():
        sys.exit(
            f"no project at {args.project}: build it with benchmarks/compare_qc.py --sizes 1000, or pass --project"
        )
    folder = args.keep or Path(tempfile.mkdtemp(prefix="views-speed-"))
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / "views.db"
    if not work.exists():
        t = time.perf_counter()
        copy_project(args.project, work)
        codes, measures = top_up(work)
        print(
            f"prepared {work} ({codes} codes, {measures} survey variables) in {time.perf_counter() - t:.1f} s"
        )
    times, cpu = asyncio.run(measure(work, args.runs))
    for name, values in times.items():
        if "columns" in name:
            print(f"{name:28} {int(values[0])}")
        else:
            print(
                f"{name:28} median {ms(statistics.median(values))}, fastest {ms(min(values))} ({len(values)} runs); "
                f"CPU median {ms(statistics.median(cpu[name]))}"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak memory (RSS)':28} {peak:.0f} MB")
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
