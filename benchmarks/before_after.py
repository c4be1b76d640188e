"""One beacon-qual command through two checkouts in turn: wall and CPU time (user + sys) of fresh processes.

Each round runs the command once through each checkout (the first round untimed: bytecode written, caches
warm), its output read through a pipe and dropped, from outside both checkouts (``python -m`` would put the
working folder first on sys.path). The checkouts are put on PYTHONPATH in front of this interpreter's
installation, so the other checkout needs no installation of its own (``git worktree add /tmp/before REV``).
Nothing is asserted; medians (and the fastest) are printed, with the load average before and after.

    python benchmarks/before_after.py --before /tmp/before --runs 5 -- -p P.db crosstab --variable X
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTSIDE = "/"


def run(checkout: str, args: list[str]) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = checkout
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "beacon_qual", *args],
        cwd=OUTSIDE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdout is not None
    for _chunk in iter(lambda: proc.stdout.read1(65536), b""):  # type: ignore[union-attr]
        pass
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: PYTHONPATH={checkout} beacon-qual {' '.join(args)}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the other checkout (its folder holding beacon_qual)")
    parser.add_argument("--after", default=str(HERE.parent), help="default: this checkout")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="beacon-qual's arguments, after --")
    args = parser.parse_args()
    command = [str(Path(a).resolve()) if a.endswith(".db") else a for a in args.command if a != "--"]
    sides = {"before": str(Path(args.before).resolve()), "after": str(Path(args.after).resolve())}
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    times: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
    for round_ in range(args.runs + 1):
        for side, checkout in sides.items():
            timing = run(checkout, command)
            if round_:
                times[side].append(timing)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"beacon-qual {' '.join(command)}: {args.runs} runs each, in turn")
    for side, timings in times.items():
        walls, cpus = [t[0] for t in timings], [t[1] for t in timings]
        print(
            f"  {side:6s} wall {statistics.median(walls):.3f} s (fastest {min(walls):.3f}), "
            f"CPU {statistics.median(cpus):.3f} s (least {min(cpus):.3f})"
        )


if __name__ == "__main__":
    main()
