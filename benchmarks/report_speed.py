"""Time and peak memory of `beacon-qual report` (and one `figure`) on the 1,000-document benchmark project.

The project is the one benchmarks/compare_qc.py builds (1,000 invented interviews of 2,000 lines, about
463,000 codings by two coders over 20 codes), made with compare_qc's own functions in
benchmarks/_work/report/ and reused while it is there; a survey measure per council (invented,
seeded) is added so that the report draws a theme-by-measure chart too. Each command runs in a fresh
process, started through compare_qc's launcher so that its peak resident memory is its own.

    python benchmarks/report_speed.py                       # 1,000 documents (builds once: a few minutes)
    python benchmarks/report_speed.py --documents 100       # a smaller project
    python benchmarks/report_speed.py --runs 3              # the median of three runs

Targets (#21): the report in <= 10 s and <= 400 MB.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compare_qc import (  # the benchmarks folder is put on the path first
    WORK,
    Spec,
    bq_bin,
    bq_import,
    bq_load_codings,
    bq_project,
    build_corpus,
    run,
)

ROOT = WORK / "report"
MEASURE = "innovation_index"


def project(spec: Spec) -> Path:
    """The benchmark project with codings and one survey measure, built once and reused."""
    ROOT.mkdir(parents=True, exist_ok=True)
    db = ROOT / f"beacon-{spec.key}.db"
    ready = ROOT / f"beacon-{spec.key}.ready"
    if db.exists() and ready.exists():
        return db
    started = time.perf_counter()
    corpus = build_corpus(spec)
    bq_project(db)
    bq_import(db, corpus)
    bq_load_codings(db, corpus)
    rng = random.Random(spec.seed)
    with tempfile.TemporaryDirectory() as tmp:
        survey = Path(tmp) / "survey.csv"
        from beacon_qual.cases.councils import load_register

        rows = [f"council,{MEASURE}"]
        rows += [f"{entry.code},{rng.randint(0, 100)}" for entry in load_register()]
        survey.write_text("\n".join(rows) + "\n")  # an invented measure
        run([bq_bin(), "-p", str(db), "survey", "import", str(survey), "--wave", "1"])
    ready.write_text("built\n")
    print(f"built {db} in {time.perf_counter() - started:.1f} s", flush=True)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    db = project(Spec(args.documents, args.lines, args.seed))
    out = ROOT / "study.html"
    commands = {
        "report": [bq_bin(), "-p", str(db), "report", "-o", str(out), "--force", "--measures", MEASURE],
        "figure matrix (SVG)": [
            bq_bin(),
            "-p",
            str(db),
            "figure",
            "matrix",
            "-o",
            str(ROOT / "matrix.svg"),
            "--force",
        ],
    }
    for label, command in commands.items():
        runs = [run(command) for _ in range(args.runs)]
        seconds = statistics.median(r.seconds for r in runs)
        cpu = statistics.median(r.cpu_seconds for r in runs)
        peak = max(r.max_rss_kb for r in runs) / 1024
        print(f"{label}: {seconds:.2f} s wall, {cpu:.2f} s CPU, peak RSS {peak:.0f} MB ({args.runs} run(s))")
    print(f"report size: {out.stat().st_size / 1e6:.2f} MB ({out})")


if __name__ == "__main__":
    main()
