"""The everyday commands on a large project: time (fresh processes, median of --runs) and the peak memory of
the whole process tree, against the targets for 10,000 documents.

The project is built once (and reused while its settings match) from compare_qc.py's corpus generator: the
same invented interviews of --lines lines, two coders' codings of about a tenth of the lines, the 2008 council
register and an invented survey (388 councils, one wave: a category and a score). At 10,000 documents x 2,000
lines (about 20 million lines) the corpus takes about 1.6 GB and the project about 5 GB; the build takes long,
so run it first with --build-only (in the background). Nothing is asserted.

    python benchmarks/scale_speed.py --documents 10000 --build-only   # once; prints the import's time
    python benchmarks/scale_speed.py --documents 10000 [--runs 3]      # the table
    python benchmarks/scale_speed.py --documents 1000                  # the same at 1,000 documents

Peak memory is sampled every 20 ms as the sum of the proportional set size (Pss, /proc/PID/smaps_rollup) of the
command and every process it started (import forks a worker; pages the two share count once), and is at
least the largest single process's peak resident size (getrusage). "first screenful" is the time until the
command had written its first 50 lines.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from command_times import clear_bench_codings  # one clean-up for both benchmarks
from compare_qc import (
    QUOTE_CODE,
    ROOT,
    SURVEY_VARIABLE,
    Spec,
    bq_bin,
    bq_change,
    bq_load_codings,
    bq_project,
    build_corpus,
    write_survey,
)
from proctree import TreePeak

SCREENFUL = 50  # lines
# step: (target seconds at 10,000 documents, target at 1,000 or None, target peak MB or None)
TARGETS: dict[str, tuple[float | None, float | None, float | None]] = {
    "crosstab --variable": (0.3, 0.1, None),
    "cooccurrence, all 20 codes": (1.0, None, None),
    "agreement, two coders": (5.0, None, 500),
    "quotes of one code (first screenful)": (0.5, None, None),
    "frequencies by document": (0.5, None, None),
    "check": (30.0, None, None),
    "export frequencies, first after a change": (None, None, None),
    "export frequencies, again": (None, None, None),
}


@dataclass
class Timing:
    seconds: float
    first_screen: float | None
    cpu: float
    peak_mb: float


def run(cmd: list[str], *, screen: bool = False) -> Timing:
    """Run ``cmd`` with its output read (and dropped) through a pipe: wall and CPU time, time to the first
    screenful, process-tree peak memory."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    sampler = TreePeak(proc.pid)
    first, lines = None, 0
    assert proc.stdout is not None
    for chunk in iter(lambda: proc.stdout.read1(65536), b""):  # type: ignore[union-attr]
        if first is None:
            lines += chunk.count(b"\n")
            if lines >= SCREENFUL:
                first = time.perf_counter() - started
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_kb = sampler.stop()
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    peak_mb = max(peak_kb, usage.ru_maxrss) / 1024
    return Timing(seconds, first if screen else None, usage.ru_utime + usage.ru_stime, peak_mb)


def build(spec: Spec) -> Path:
    """The project for ``spec``: corpus, import (timed, with its memory), codings, survey; reused once built."""
    db = ROOT / f"beacon-{spec.key}.db"
    marker = ROOT / f"beacon-{spec.key}.built.json"
    if db.is_file() and marker.is_file():
        return db
    started = time.perf_counter()
    corpus = build_corpus(spec)
    print(
        f"corpus ready in {time.perf_counter() - started:.0f} s: {corpus.text_lines:,} text lines", flush=True
    )
    bq = bq_bin()
    bq_project(db)
    imported = run([bq, "-p", str(db), "import", str(corpus.beacon)])
    print(
        f"import: {imported.seconds:.1f} s, CPU {imported.cpu:.1f} s, peak {imported.peak_mb:.0f} MB",
        flush=True,
    )
    started = time.perf_counter()
    bq_load_codings(db, corpus)
    print(f"codings ({len(corpus.codings):,}) loaded in {time.perf_counter() - started:.0f} s", flush=True)
    survey = ROOT / "scale-survey.csv"
    write_survey(survey)
    subprocess.run(
        [bq, "-p", str(db), "survey", "import", str(survey)], check=True, stdout=subprocess.DEVNULL
    )
    marker.write_text(
        json.dumps(
            {
                "import_seconds": imported.seconds,
                "import_cpu": imported.cpu,
                "import_peak_mb": imported.peak_mb,
                "text_lines": corpus.text_lines,
                "codings": len(corpus.codings),
                "bytes": db.stat().st_size,
            }
        )
    )
    return db


def steps(db: Path) -> dict[str, list[str]]:
    on = [bq_bin(), "-p", str(db)]
    return {
        "crosstab --variable": [*on, "crosstab", "--variable", SURVEY_VARIABLE],
        "cooccurrence, all 20 codes": [*on, "cooccurrence"],
        "agreement, two coders": [*on, "agreement", "--coders", "ana,ben"],
        "quotes of one code (first screenful)": [*on, "quotes", QUOTE_CODE],
        "frequencies by document": [*on, "export", "frequencies", "--by", "document"],
        "check": [*on, "check"],
        "export frequencies, again": [*on, "export", "frequencies"],
    }


def measure(db: Path, runs: int, only: set[str]) -> dict[str, list[Timing]]:
    clear_bench_codings(bq_bin(), db)
    todo = {name: cmd for name, cmd in steps(db).items() if not only or name in only}
    results: dict[str, list[Timing]] = {name: [] for name in todo}
    first_name = "export frequencies, first after a change"
    if "export frequencies, again" in todo:
        results[first_name] = []
    for name, cmd in todo.items():  # once untimed: bytecode cached, roles worked out (not the slow ones)
        if name not in ("agreement, two coders", "check"):
            run(cmd)
    for round_ in range(runs):
        for name, cmd in todo.items():
            if name == "export frequencies, again":
                bq_change(db, undo=round_ % 2 == 1)
                results[first_name].append(run(cmd))
            results[name].append(run(cmd, screen="screenful" in name))
            print(f"  {name}: {results[name][-1].seconds:.2f} s", flush=True)
    return results


def verdict(name: str, median: float, peak: float, documents: int) -> str:
    at_10k, at_1k, memory = TARGETS.get(name, (None, None, None))
    goal = at_10k if documents >= 10_000 else at_1k
    if goal is None:
        return "-"
    parts = [f"<= {goal:g} s {'met' if median <= goal else 'missed'}"]
    if memory is not None and documents >= 10_000:
        parts.append(f"<= {memory} MB {'met' if peak <= memory else 'missed'}")
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--only", action="append", default=[], help="time only this step (repeatable)")
    args = parser.parse_args()
    spec = Spec(args.documents, args.lines, args.seed)
    db = build(spec)
    built = json.loads((ROOT / f"beacon-{spec.key}.built.json").read_text())
    print(
        f"project {db} ({db.stat().st_size / 1e9:.2f} GB): {args.documents:,} documents, "
        f"{built['text_lines']:,} text lines, {built['codings']:,} codings"
    )
    print(
        f"import (when built): {built['import_seconds']:.1f} s, CPU {built['import_cpu']:.1f} s, "
        f"peak {built['import_peak_mb']:.0f} MB, {built['text_lines'] / built['import_seconds']:,.0f} lines/s"
    )
    if args.build_only:
        return
    results = measure(db, args.runs, set(args.only))
    print(
        f"\n| step | median s | fastest s | first screenful s | CPU s | peak MB | target at {args.documents:,} |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, timings in results.items():
        median = statistics.median(t.seconds for t in timings)
        screens = [t.first_screen for t in timings if t.first_screen is not None]
        screen = statistics.median(screens) if screens else None
        peak = max(t.peak_mb for t in timings)
        shown = screen if screen is not None else median
        print(
            f"| {name} | {median:.3f} | {min(t.seconds for t in timings):.3f} | "
            f"{'-' if screen is None else f'{screen:.3f}'} | {statistics.median(t.cpu for t in timings):.2f} | "
            f"{peak:.0f} | {verdict(name, shown, peak, args.documents)} |"
        )
    first = results.get("export frequencies, first after a change")
    again = results.get("export frequencies, again")
    if first and again:
        ratio = statistics.median(t.seconds for t in first) / statistics.median(t.seconds for t in again)
        print(
            f"\nfirst export after a change / again: {ratio:.2f} (target <= 1.10: {'met' if ratio <= 1.1 else 'missed'})"
        )


if __name__ == "__main__":
    main()
