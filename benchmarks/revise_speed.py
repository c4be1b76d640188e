"""How long a revision, its undo and a project check take on a long interview with many codings.

    /tmp/venv/bin/python benchmarks/revise_speed.py [--turns 600] [--codings 2000] [--edits 150]

The transcript is generated (invented words in turns of 20-80 words); the corrected version
changes, inserts or deletes a word at random places, and deletes one whole turn in twenty.
Prints the sizes and the seconds each step took, and how the codings were placed.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from beacon_qual.cases.councils import seed_cases
from beacon_qual.coding import codings as coding
from beacon_qual.documents.anchoring import reanchor
from beacon_qual.documents.revise import revise_document, undo_revision
from beacon_qual.ingest.importer import import_paths
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store.check import check_project

FRONT = "---\n# Invented benchmark transcript.\ncouncil: Kent\nphase: 2\nrole: officer\n---\n"


def transcript(rnd: random.Random, turns: int) -> str:
    words = [
        f"{rnd.choice('bcdfghklmnprstvw')}{rnd.choice('aeiou')}{rnd.choice('lmnrst')}{i}" for i in range(4000)
    ]
    lines = []
    for i in range(turns):
        speaker = "Interviewer" if i % 2 == 0 else "Officer"
        sentences = [
            " ".join(rnd.sample(words, rnd.randrange(5, 16))).capitalize() + "."
            for _ in range(rnd.randrange(2, 6))
        ]
        lines.append(f"{speaker}: {' '.join(sentences)}")
    return "\n\n".join(lines) + "\n"


def corrected(rnd: random.Random, text: str, edits: int) -> str:
    paragraphs = text.rstrip("\n").split("\n\n")
    paragraphs = [p for i, p in enumerate(paragraphs) if i == 0 or rnd.random() > 0.05]
    new = "\n\n".join(paragraphs) + "\n"
    for _ in range(edits):
        at = rnd.randrange(len(new) - 20)
        at = new.find(" ", at) + 1
        end = new.find(" ", at)
        new = new[:at] + rnd.choice(["", "council ", "the "]) + new[end + 1 :]
    return new


def timed(label: str, action):
    start = time.perf_counter()
    result = action()
    print(f"{label:<34} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=600)
    parser.add_argument("--codings", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=150)
    args = parser.parse_args()
    rnd = random.Random(2008)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        original = transcript(rnd, args.turns)
        (work / "interview.md").write_text(FRONT + original, encoding="utf-8")
        (work / "new").mkdir()
        revised = corrected(rnd, original, args.edits)
        (work / "new" / "interview.md").write_text(FRONT + revised, encoding="utf-8")
        with Project.create(work / "bench.db") as p:
            seed_cases(p)
            with p.transaction():
                code_id = p.execute(
                    "INSERT INTO codes(uuid, name, created_at) VALUES (?,?,?)",
                    (new_uuid(), "Adoption", now()),
                ).lastrowid
            import_paths(p, [work / "interview.md"])
            sentences = p.execute("SELECT start, end FROM units WHERE kind = 'sentence'").fetchall()
            alice = p.coder_id("alice")
            with p.transaction():
                for start, end in rnd.sample(sentences, min(args.codings, len(sentences))):
                    coding.add_coding(p, document_id=1, code_id=code_id, coder_id=alice, start=start, end=end)
            count = p.scalar("SELECT count(*) FROM codings")
            print(f"text: {len(original):,} -> {len(revised):,} code points; {count:,} codings")
            spans = [(r[0], r[1]) for r in p.execute("SELECT start, end FROM codings")]
            places = timed("re-anchoring alone", lambda: reanchor(original, revised, spans))
            report = timed(
                "revise (backup, units, codings)",
                lambda: revise_document(p, 1, work / "new" / "interview.md"),
            )
            print("placed:", ", ".join(f"{k} {v:,}" for k, v in report.counts.items()))
            assert len(places) == count
            timed("revise --undo", lambda: undo_revision(p, 1))
        problems = timed("check", lambda: check_project(work / "bench.db").problems)
        print(f"check problems: {len(problems)}")


if __name__ == "__main__":
    main()
