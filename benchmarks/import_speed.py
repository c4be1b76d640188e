"""Time importing a Beacon-scale transcript corpus into a fresh project, end to end.

Run: python benchmarks/import_speed.py            (388 councils x 3 phases x 4 interviews x ~6,000 words)
     python benchmarks/import_speed.py --small    (120 files x ~2,000 words, for a quick check)
     python benchmarks/import_speed.py --tracemalloc   (also Python's own peak allocation; slower)

Builds the corpus under benchmarks/_work/ with make_corpus.py (or reuses it when its settings match),
creates a fresh project, seeds the council register, imports the corpus folder in one transaction, and
prints words per second for the import and the peak memory of the process (ru_maxrss).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from beacon_qual.cases.councils import seed_cases
from beacon_qual.ingest.importer import import_paths
from beacon_qual.store import Project

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import SMALL, CorpusSpec, build_corpus

WORK = Path(__file__).resolve().parent / "_work"


def corpus(spec: CorpusSpec, folder: Path) -> Path:
    """The corpus folder for ``spec``, generated unless a corpus with the same settings is there."""
    readme = folder / "README.md"
    if readme.is_file() and readme.read_text(encoding="utf-8") == spec.readme():
        print(f"reusing corpus {folder}")
        return folder
    for old in folder.glob("*") if folder.exists() else ():
        old.unlink()
    started = time.perf_counter()
    files, words = build_corpus(folder, spec)
    print(f"generated {files} files, {words:,} words in {time.perf_counter() - started:.1f} s")
    return folder


def fresh_project(path: Path) -> Project:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    project = Project.create(path)
    seed_cases(project)
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick corpus: " + str(SMALL))
    parser.add_argument("--tracemalloc", action="store_true", help="also report Python's peak allocation")
    args = parser.parse_args()
    spec = CorpusSpec(**SMALL) if args.small else CorpusSpec()
    folder = corpus(spec, WORK / ("corpus-small" if args.small else "corpus"))
    project = fresh_project(WORK / "import_speed.db")
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    summary = import_paths(project, [folder])
    seconds = time.perf_counter() - started
    project.close()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the import's worker
    print(f"files        {len(summary.imported):>12,}")
    print(f"words        {summary.words:>12,}")
    print(f"turns        {summary.turns:>12,}")
    print(f"sentences    {summary.sentences:>12,}")
    print(f"councils     {summary.councils:>12,}")
    print(f"seconds      {seconds:>12.1f}")
    print(f"words/second {summary.words / seconds:>12,.0f}")
    print(f"peak RSS     {peak_rss_mb:>12.0f} MB")
    print(f"worker RSS   {worker_rss_mb:>12.0f} MB  (peak of the import's worker process, 0 without one)")
    if args.tracemalloc:
        print(f"peak Python  {tracemalloc.get_traced_memory()[1] / 1024**2:>12.0f} MB (tracemalloc)")


if __name__ == "__main__":
    main()
