"""Time keyword suggestions and full-text searches over a Beacon-scale transcript corpus.

Run: python benchmarks/search_speed.py            (388 councils x 3 phases x 4 interviews x ~6,000 words)
     python benchmarks/search_speed.py --small    (120 files x ~2,000 words, for a quick check)
     python benchmarks/search_speed.py --repeat 9 (timed runs per search; the median prints)
     python benchmarks/search_speed.py --searches-only  (reuse the project and time the searches alone)

Builds the synthetic corpus with make_corpus.py (or reuses it), imports it into
benchmarks/_work/search_speed[-small].db with the transcript importer, whose triggers fill the search
index as it goes (the project is reused while its corpus settings match), and loads the example codebook.
Then prints: the time to rebuild the whole search index, suggestions made from scratch and made again
(words per second, matching alone and with storing), and each search's time with snippets for 50 hits,
in the default document order and in relevance order (bm25), with how many sentences match.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Self

from beacon_qual.cases.councils import seed_cases
from beacon_qual.codebook.load import load_codebook
from beacon_qual.ingest.importer import import_paths
from beacon_qual.search.fulltext import Hits, indexed_sentences, rebuild_index, search
from beacon_qual.search.suggest import KeywordMatcher, code_keywords, make_suggestions
from beacon_qual.store import Project

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import SMALL, CorpusSpec, build_corpus

WORK = Path(__file__).resolve().parent / "_work"
CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "learning_innovation.yaml"
SEARCHES: list[tuple[str, dict]] = [
    ("reinvented", {}),
    ("learning", {}),
    ('"open day"', {}),
    ('"peer review" OR mentoring', {}),
    ("adapted AND context", {}),
    ("innovation NOT government", {}),
    ("NEAR(visit learning, 5)", {}),
    ("improv*", {}),
    ("learned", {"council": "Adur"}),
    ("learned", {"phase": 2, "role": "partner"}),
]


def corpus(spec: CorpusSpec, folder: Path) -> Path:
    readme = folder / "README.md"
    if readme.is_file() and readme.read_text(encoding="utf-8") == spec.readme():
        return folder
    for old in folder.glob("*") if folder.exists() else ():
        old.unlink()
    started = time.perf_counter()
    files, words = build_corpus(folder, spec)
    print(f"generated {files} files, {words:,} words in {time.perf_counter() - started:.1f} s")
    return folder


def corpus_project(spec: CorpusSpec, folder: Path, path: Path) -> Project:
    """The imported corpus, reused when a project built from the same corpus settings is there."""
    if path.exists():
        project = Project.open(path)
        if project.get_meta("benchmark_corpus") == spec.readme():
            print(f"reusing {path}")
            return project
        project.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    project = Project.create(path)
    seed_cases(project)
    started = time.perf_counter()
    summary = import_paths(project, [folder])
    seconds = time.perf_counter() - started
    print(
        f"imported {len(summary.imported):,} files, {summary.words:,} words in {seconds:.1f} s (index filled by triggers)"
    )
    load_codebook(project, CODEBOOK)
    with project.transaction():
        project.set_meta("benchmark_corpus", spec.readme())
    return project


class Timer:
    """Wall-clock and CPU seconds of a block (CPU time is what counts when other processes share the cores)."""

    def __enter__(self) -> Self:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def time_rebuild(project: Project) -> None:
    with Timer() as t:
        count = rebuild_index(project)
    print(f"index rebuild       {count:>12,} sentences in {t.wall:.1f} s wall, {t.cpu:.1f} s CPU")


def time_matching(project: Project) -> None:
    """Lemmatising and matching alone, over every sentence, without storing anything."""
    matcher = KeywordMatcher(code_keywords(project))
    words = 0
    with Timer() as t:
        for (doc_id,) in project.execute("SELECT id FROM documents ORDER BY id").fetchall():
            text = project.scalar("SELECT text FROM documents WHERE id = ?", (doc_id,))
            for start, end in project.execute(
                "SELECT start, end FROM units WHERE document_id = ? AND kind = 'sentence'", (doc_id,)
            ):
                words += matcher.match(text[start:end])[0]
    print(f"matching only       {words:>12,} words: {rates(words, t)}")


def rates(words: int, t: Timer) -> str:
    return (
        f"{t.wall:.1f} s wall = {words / t.wall:,.0f} words/s; "
        f"{t.cpu:.1f} s CPU = {words / t.cpu:,.0f} words/s"
    )


def time_suggestions(project: Project) -> None:
    with project.transaction():
        project.execute("DELETE FROM suggestions")
    for label in ("suggest (fresh)", "suggest (again)"):
        with Timer() as t:
            run = make_suggestions(project)
        print(
            f"{label:<19} {run.words:>12,} words: {rates(run.words, t)}; {run.found:,} matches, {run.added:,} new"
        )


def time_search(
    project: Project, query: str, filters: dict, order: str, repeat: int
) -> tuple[float, float, Hits]:
    """Median wall and CPU milliseconds of one search, after one run that warms the page cache."""
    hits = search(project, query, order=order, **filters)
    walls, cpus = [], []
    for _ in range(repeat):
        with Timer() as t:
            search(project, query, order=order, **filters)
        walls.append(t.wall * 1000)
        cpus.append(t.cpu * 1000)
    return statistics.median(walls), statistics.median(cpus), hits


def time_searches(project: Project, repeat: int) -> None:
    print(f"searches: 50 hits with snippets, ms per search (median of {repeat} runs; wall / CPU)")
    print(f"  {'query':<40} {'document order':>15} {'relevance':>15}  hits of matching (with the filters)")
    for query, filters in SEARCHES:
        wall, cpu, hits = time_search(project, query, filters, "document", repeat)
        rwall, rcpu, ranked = time_search(project, query, filters, "relevance", repeat)
        label = query + "".join(f" --{k} {v}" for k, v in filters.items())
        print(
            f"  {label:<40} {wall:>7.1f} /{cpu:>6.1f} {rwall:>7.1f} /{rcpu:>6.1f}  "
            f"{len(hits):>3} of {'more than ' if not hits.total_exact else ''}{hits.total:,}"
            + (
                ""
                if (len(hits), hits.total) == (len(ranked), ranked.total)
                else f"; relevance: {len(ranked)} of {ranked.total:,}"
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick corpus: " + str(SMALL))
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per search")
    parser.add_argument(
        "--searches-only",
        action="store_true",
        help="skip the index rebuild and the suggestions; time the searches",
    )
    args = parser.parse_args()
    spec = CorpusSpec(**SMALL) if args.small else CorpusSpec()
    name = "corpus-small" if args.small else "corpus"
    folder = corpus(spec, WORK / name)
    project = corpus_project(spec, folder, WORK / f"search_speed{'-small' if args.small else ''}.db")
    print(f"documents           {project.scalar('SELECT count(*) FROM documents'):>12,}")
    print(f"words (import)      {project.scalar('SELECT sum(word_count) FROM documents'):>12,}")
    print(f"sentences indexed   {indexed_sentences(project):>12,}")
    if not args.searches_only:
        time_rebuild(project)
        time_matching(project)
        time_suggestions(project)
    time_searches(project, args.repeat)
    project.close()


if __name__ == "__main__":
    main()
