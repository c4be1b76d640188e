"""REFI-QDA speed: export a generated project to .qdpx and .qdc, read the archive, import it into a new project.

Prints figures; nothing is asserted. The project is invented: repeated interview-like text.

    python benchmarks/refi_speed.py [--documents 200 --words 1500 --codings 20000 --codes 60]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from pathlib import Path

from beacon_qual.exchange import export_codebook, export_project, import_refi, read_qdpx
from beacon_qual.store import Project, new_uuid, now

WORDS = (
    "we",
    "visited",
    "the",
    "beacon",
    "council",
    "and",
    "adapted",
    "their",
    "scheme",
    "to",
    "our",
    "districts",
    "officers",
    "learnt",
    "from",
    "partners",
    "\u00e9tude",
    "\U0001f600",
)


def build(path: Path, documents: int, words: int, codings: int, codes: int) -> Project:
    rng = random.Random(7)
    p = Project.create(path)
    with p.transaction():
        coders = [
            p.execute(
                "INSERT INTO coders(uuid, name, created_at) VALUES (?,?,?)", (new_uuid(), f"coder {i}", now())
            ).lastrowid
            for i in range(3)
        ]
        code_ids = [
            p.execute(
                "INSERT INTO codes(uuid, name, description, sort_order, created_at) VALUES (?,?,?,?,?)",
                (new_uuid(), f"Code {i}", f"What code {i} means.", i, now()),
            ).lastrowid
            for i in range(codes)
        ]
        docs = []
        for d in range(documents):
            lines = [
                f"{rng.choice(['Officer', 'Member'])}: "
                + " ".join(rng.choice(WORDS) for _ in range(25))
                + "."
                for _ in range(words // 25)
            ]
            text = "\n".join(lines) + "\n"
            docs.append(
                (
                    p.execute(
                        "INSERT INTO documents(uuid, name, text, sha256, word_count, imported_at) VALUES (?,?,?,?,?,?)",
                        (
                            new_uuid(),
                            f"doc{d}.txt",
                            text,
                            hashlib.sha256(text.encode()).hexdigest(),
                            words,
                            now(),
                        ),
                    ).lastrowid,
                    len(text),
                )
            )
        for _ in range(codings):
            doc, length = rng.choice(docs)
            start = rng.randrange(0, length - 200)
            p.execute(
                "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (
                    new_uuid(),
                    doc,
                    rng.choice(code_ids),
                    rng.choice(coders),
                    start,
                    start + rng.randrange(10, 200),
                    now(),
                ),
            )
    return p


def timed(label: str, action):
    start = time.perf_counter()
    result = action()
    print(f"{label:<40} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--words", type=int, default=1500)
    parser.add_argument("--codings", type=int, default=20_000)
    parser.add_argument("--codes", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = timed(
            "build project (SQL)",
            lambda: build(folder / "a.db", args.documents, args.words, args.codings, args.codes),
        )
        print(
            f"{args.documents} documents of ~{args.words} words, {args.codings} codings, {args.codes} codes"
        )
        timed("export qdc", lambda: export_codebook(project, folder / "a.qdc"))
        timed("export qdpx", lambda: export_project(project, folder / "a.qdpx"))
        print(f"{'qdpx size':<40} {(folder / 'a.qdpx').stat().st_size / 2**20:8.2f} MiB")
        data = timed("read qdpx (checks, XML, texts, offsets)", lambda: read_qdpx(folder / "a.qdpx"))
        with Project.create(folder / "b.db") as fresh:
            report = timed("import into a new project", lambda: import_refi(fresh, data))
        print(f"added: {dict(report.added)}")
        project.close()


if __name__ == "__main__":
    main()
