"""Wall time of single beacon-qual commands in fresh processes, and of the start-up beneath them.

Each command is run --runs times, the commands taking turns, and the median and the fastest run are printed.
The project defaults to the 1,000-document project that compare_qc.py builds (run that first, or pass
--project); the commands are the ones compare_qc.py times against qc, so their start-up share can be read
beside the figures there; `beacon-qual --help` lists every command without importing their modules.
Nothing is asserted.

    python benchmarks/command_times.py [--project FILE] [--runs 11] [--against OTHER/.venv/bin/python]

--against times the same commands (not the ones after a change) with another installation too, each run of
ours followed straight away by the same run of theirs, so that a before/after comparison shares the load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

WORK = Path(__file__).resolve().parent / "_work"
DEFAULT_PROJECT = WORK / "compare_qc" / "beacon-1000x2000-s1.db"
# Commands run from outside any checkout: `python -c` puts the working folder first on sys.path, which would
# make another installation import this checkout's beacon_qual.
OUTSIDE = "/"
FIVE_CODES = ["learning_from_peers", "site_visit", "adaptation", "peer_review", "open_day"]


def quiet(command: list[str], env: dict[str, str]) -> None:
    """Run a command from outside the checkout, its output discarded; a failure stops the benchmark."""
    subprocess.run(
        cwd=OUTSIDE, args=command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True
    )


def commands(project: Path, python: str = sys.executable) -> dict[str, list[str]]:
    tool = str(Path(python).parent / "beacon-qual")
    on = [tool, "--project", str(project)]
    return {
        "python -c pass": [python, "-c", "pass"],
        "import click": [python, "-c", "import click"],
        "import beacon_qual.cli": [python, "-c", "import beacon_qual.cli"],
        "beacon-qual --help": [tool, "--help"],
        "export frequencies": [*on, "export", "frequencies"],
        "export frequencies --by document": [*on, "export", "frequencies", "--by", "document"],
        "cooccurrence of 5 codes --coder ana": [*on, "cooccurrence", *FIVE_CODES, "--coder", "ana"],
        f"export frequencies{FIRST}": [*on, "export", "frequencies"],
        f"export frequencies --by document{FIRST}": [*on, "export", "frequencies", "--by", "document"],
        f"cooccurrence of 5 codes --coder ana{FIRST}": [*on, "cooccurrence", *FIVE_CODES, "--coder", "ana"],
    }


FIRST = ", first after a change"


def clear_bench_codings(tool: str, project: Path) -> None:
    """Remove codings an interrupted earlier run left by the coder 'bench', so the first addition succeeds."""
    listed = subprocess.run(
        cwd=OUTSIDE,
        args=[tool, "--project", str(project), "coding", "list", "--coder", "bench", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:
        return
    for coding in json.loads(listed.stdout or "[]"):
        subprocess.run(
            cwd=OUTSIDE,
            args=[tool, "--project", str(project), "coding", "remove", str(coding["id"]), "--coder", "bench"],
            stdout=subprocess.DEVNULL,
            check=True,
        )


def change(project: Path, undo: bool, env: dict[str, str]) -> None:
    """Add one coding, or undo the last addition, as a coder would from the command line."""
    tool = str(Path(sys.executable).parent / "beacon-qual")
    on = [tool, "--project", str(project), "coding"]
    command = (
        [*on, "undo", "--coder", "bench"]
        if undo
        else [
            *on,
            "add",
            "--document",
            "1",
            "--start",
            "0",
            "--end",
            "5",
            "--code",
            FIVE_CODES[0],
            "--coder",
            "bench",
        ]
    )
    quiet(command, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=DEFAULT_PROJECT)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument(
        "--against-project",
        type=Path,
        help="The other installation's copy of the project (when its schema differs, e.g. before a migration).",
    )
    parser.add_argument("--against", help="Another installation's python: its commands take turns with ours.")
    args = parser.parse_args()
    args.project = args.project.resolve()
    if not args.project.exists():
        raise SystemExit(
            f"no project at {args.project}: run benchmarks/compare_qc.py first, or pass --project"
        )
    # Bytecode is cached as an installed tool's would be (this machine sets PYTHONDONTWRITEBYTECODE).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if args.against:
        against(args.project, args.against, args.runs, env, (args.against_project or args.project).resolve())
        return
    todo = commands(args.project)
    times: dict[str, list[float]] = {name: [] for name in todo}
    for name, command in todo.items():  # once untimed: bytecode written, speaker roles worked out
        quiet(command, env)
    clear_bench_codings(str(Path(sys.executable).parent / "beacon-qual"), args.project)
    changes = 0
    adjacent: dict[str, list[float]] = {name: [] for name in todo if name.endswith(FIRST)}

    def timed(command: list[str]) -> float:
        start = time.perf_counter()
        quiet(command, env)
        return time.perf_counter() - start

    for _ in range(args.runs):
        for name, command in todo.items():
            if name.endswith(FIRST):
                change(args.project, changes % 2 == 1, env)
                changes += 1
                times[name].append(timed(command))
                adjacent[name].append(timed(command))  # the same command again, straight after
            else:
                times[name].append(timed(command))
    print(
        f"project: {args.project} ({args.project.stat().st_size / 1e6:,.0f} MB); {args.runs} runs each, in turn"
    )
    for name, values in times.items():
        print(
            f"{name:58s} median {statistics.median(values) * 1000:7.1f} ms   fastest {min(values) * 1000:7.1f} ms"
        )
    for name, again in adjacent.items():
        first = statistics.median(times[name])
        ratio = first / statistics.median(again)
        verdict = "met" if ratio <= 1.10 else "missed"
        print(
            f"{name.removesuffix(FIRST)}: first after a change {first * 1000:.1f} ms, again straight after "
            f"{statistics.median(again) * 1000:.1f} ms (medians): {ratio:.2f} (target <= 1.10: {verdict})"
        )


def against(project: Path, other: str, runs: int, env: dict[str, str], other_project: Path) -> None:
    """Each command run by this installation and straight after by ``other``; medians side by side."""
    ours = {k: v for k, v in commands(project).items() if not k.endswith(FIRST)}
    theirs = commands(other_project, other)
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in ours}
    for command in [*ours.values(), *(theirs[name] for name in ours)]:  # once untimed: bytecode written
        quiet(command, env)
    for _ in range(runs):
        for name, command in ours.items():
            for side, run in ((0, command), (1, theirs[name])):
                start = time.perf_counter()
                quiet(run, env)
                times[name][side].append(time.perf_counter() - start)
    print(f"project: {project}; {runs} runs each, this installation and {other} in turn")
    for name, (mine, other_times) in times.items():
        a, b = statistics.median(mine) * 1000, statistics.median(other_times) * 1000
        print(f"{name:40s} this {a:7.1f} ms   other {b:7.1f} ms   this/other {a / b:5.2f}")


if __name__ == "__main__":
    main()
