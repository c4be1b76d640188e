"""Agreement and merging at Beacon scale: prints timings, asserts nothing.

Builds (with plain SQL, invented text) a project of 388 councils x 3 phases x 4 interviews
= 4,656 documents of about 36,000 characters, sentence units, 60 codes, and two coders
with 200,000 codings each, 80% of them on the same passages (half of those with
boundaries a few characters apart). Then times:

* every agreement figure for the whole codebook (target: at most 5 s);
* listing the disputed passages of the two coders;
* merging a coder copy that holds 200,000 new codings (target: at most 10 s), including
  the backup taken before merging, into a copy of the project (so that the project built
  with --keep stays as built).

Usage: python benchmarks/agreement_speed.py [--documents N] [--codings N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from beacon_qual.agreement import agreement, disagreements
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.team.copies import clone_for_coder, merge_projects

WORDS = [
    "council",
    "officers",
    "learned",
    "from",
    "the",
    "beacon",
    "authority",
    "through",
    "site",
    "visits",
    "peer",
    "review",
    "and",
    "shared",
    "practice",
    "notes",
    "members",
    "asked",
    "whether",
    "the",
    "scheme",
    "would",
    "work",
    "in",
    "rural",
    "districts",
    "partners",
    "in",
    "health",
    "and",
    "housing",
    "adapted",
    "forms",
    "procedures",
    "and",
    "targets",
    "after",
    "a",
    "workshop",
    "the",
    "chief",
    "executive",
    "championed",
    "innovation",
    "while",
    "some",
    "managers",
    "resisted",
    "change",
    "until",
    "evidence",
    "from",
    "other",
    "councils",
    "arrived",
]


def _sentences(rng: np.random.Generator, count: int) -> list[str]:
    lengths = rng.integers(12, 28, size=count)
    picks = rng.integers(0, len(WORDS), size=int(lengths.sum()))
    out, at = [], 0
    for n in lengths.tolist():
        words = [WORDS[i] for i in picks[at : at + n]]
        at += n
        out.append(" ".join(words).capitalize() + ". ")
    return out


def build(path: Path, documents: int, codings: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    pool = _sentences(rng, 5000)
    project = Project.create(path)
    stamp = now()
    with project.transaction():
        parents = [
            project.execute(
                "INSERT INTO codes(uuid, name, created_at) VALUES (?,?,?)", (new_uuid(), f"Theme {p}", stamp)
            ).lastrowid
            for p in range(6)
        ]
        codes = [
            project.execute(
                "INSERT INTO codes(uuid, parent_id, name, created_at) VALUES (?,?,?,?)",
                (new_uuid(), parent, f"Code {p}.{c}", stamp),
            ).lastrowid
            for p, parent in enumerate(parents)
            for c in range(10)
        ]
        coder_a, coder_b = project.coder_id("A"), project.coder_id("B")
        doc_ids, sentence_bounds = [], []
        for d in range(documents):
            chosen = rng.integers(0, len(pool), size=265)
            parts = [f"Interview {d} (invented benchmark text).\n"] + [pool[i] for i in chosen.tolist()]
            text = "".join(parts)
            doc_id = project.execute(
                "INSERT INTO documents(uuid, name, text, sha256, phase, word_count, imported_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (
                    new_uuid(),
                    f"council{d // 12:03d}_p{d % 3 + 1}_{d}.txt",
                    text,
                    hashlib.sha256(text.encode()).hexdigest(),
                    d % 3 + 1,
                    len(text.split()),
                    stamp,
                ),
            ).lastrowid
            ends = np.cumsum([len(p) for p in parts])
            starts = np.concatenate([[0], ends[:-1]])
            project.conn.executemany(
                "INSERT INTO units(document_id, kind, seq, start, end) VALUES (?,?,?,?,?)",
                [(doc_id, "sentence", i, int(s), int(e)) for i, (s, e) in enumerate(zip(starts, ends))],
            )
            doc_ids.append(doc_id)
            sentence_bounds.append((starts, ends))
        rows_a = _random_codings(rng, codings, doc_ids, sentence_bounds, codes)
        shared = rng.random(codings) < 0.8
        jitter = rng.random(codings) < 0.5
        rows_b = _random_codings(rng, codings, doc_ids, sentence_bounds, codes)
        for i in np.flatnonzero(shared).tolist():
            doc, code, start, end = rows_a[i]
            if jitter[i]:
                start = max(0, start + int(rng.integers(-3, 4)))
                end = max(start + 1, end + int(rng.integers(-3, 4)))
            rows_b[i] = (doc, code, start, end)
        for coder, rows in ((coder_a, rows_a), (coder_b, rows_b)):
            project.conn.executemany(
                "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at) VALUES (?,?,?,?,?,?,?)",
                [(new_uuid(), doc, code, coder, start, end, stamp) for doc, code, start, end in rows],
            )
    project.close()


def _random_codings(rng, count, doc_ids, bounds, codes) -> list[tuple[int, int, int, int]]:
    docs = rng.integers(0, len(doc_ids), size=count)
    picked = rng.integers(0, len(codes), size=count)
    spans = rng.integers(1, 5, size=count)
    firsts = rng.integers(1, 260, size=count)
    rows = []
    for d, c, n, f in zip(docs.tolist(), picked.tolist(), spans.tolist(), firsts.tolist()):
        starts, ends = bounds[d]
        last = min(f + n - 1, len(ends) - 1)
        rows.append((doc_ids[d], codes[c], int(starts[f]), int(ends[last])))
    return rows


def timed(label: str, fn):
    """Run fn and print its wall time, and the process's CPU time beside it (on a busy machine the two differ)."""
    t0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    print(f"{label:<58} {time.perf_counter() - t0:7.2f} s  (CPU {time.process_time() - c0:.2f} s)")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=388 * 3 * 4)
    parser.add_argument("--codings", type=int, default=200_000, help="codings per coder")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep the files")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="beacon-agreement-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "beacon-scale.db"
    try:
        if not path.exists():
            timed(
                f"build {args.documents} documents, 2 x {args.codings} codings",
                lambda: build(path, args.documents, args.codings),
            )
        with Project.open(path) as project:
            chars = project.scalar("SELECT sum(length(text)) FROM documents")
            units = project.scalar("SELECT count(*) FROM units WHERE kind = 'sentence'")
            print(f"project: {args.documents} documents, {chars:,} characters, {units:,} sentences, 60 codes")
            report = timed(
                "agreement: every figure, whole codebook (target <= 5 s)",
                lambda: agreement(project, ["A", "B"]),
            )
            print(
                f"    peak RSS of this process so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
                " (target <= 500 MB; includes the build when the project was built by this run)"
            )
            for key in (
                "char_kappa",
                "unit_kappa",
                "unit_alpha",
                "segment_percent",
                "u_alpha",
                "binary_u_alpha",
                "cu_alpha",
            ):
                print(f"    {key:<16} {report.value(key):.3f}")
            found = timed(
                "disagreements: every disputed passage of A and B", lambda: disagreements(project, "A", "B")
            )
            print(f"    {len(found):,} disputed passages")
            # Merging changes the project it merges into: merge into a copy, so that with --keep every
            # run measures the same merge into the same project.
            target = folder / "merge-target.db"
            copy = folder / "coder-c.db"
            for old in (target, copy):
                old.unlink(missing_ok=True)
            project.backup(target)
        with Project.open(target) as project:
            clone_for_coder(project, "C", copy)
        with Project.open(copy) as other:
            with other.transaction():
                other.execute(
                    "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
                    " SELECT lower(hex(randomblob(16))), document_id, code_id, ?, start, end, created_at"
                    " FROM codings WHERE coder_id = (SELECT id FROM coders WHERE name = 'A')",
                    (other.coder_id("C"),),
                )
            added = other.scalar("SELECT count(*) FROM codings WHERE coder_id = ?", (other.coder_id("C"),))
        with Project.open(target) as project:
            t0 = time.perf_counter()
            backup_path = project.backup(folder / "backup-timing.bak")
            backup_time = time.perf_counter() - t0
            backup_path.unlink()
            result = timed(
                f"merge a coder copy with {added:,} codings (target <= 10 s)",
                lambda: merge_projects(project, [copy]),
            )
            print(f"    of which the backup before merging takes about {backup_time:.2f} s")
            print(
                f"    added {result.files[0].codings_added:,} codings, {len(result.files[0].conflicts)} conflicts"
            )
            result.backup.unlink()
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
