"""Workbench speed: open a 100,000-word transcript with 1,000 codings, apply a code, filter the picker.

Calls the widgets and services directly (Textual's headless pilot for the screen).
Targets: first screen <= 400 ms, apply a code <= 30 ms, one picker keystroke over 5,000 codes <= 10 ms.

    python benchmarks/workbench_speed.py [--words 100000 --codings 1000 --codes 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from beacon_qual import coding as svc
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.tui.app import WorkbenchApp
from beacon_qual.tui.transcript import TranscriptView
from beacon_qual.workbench import CodePicker, load_codes

WORDS = [
    "council",
    "learning",
    "beacon",
    "visit",
    "practice",
    "officers",
    "members",
    "partners",
    "scheme",
    "adapted",
    "copied",
    "local",
    "context",
    "improvement",
    "culture",
    "leadership",
    "network",
    "toolkit",
    "peer",
    "mentoring",
    "secondment",
    "open",
    "day",
]


def build(path: Path, words: int, n_codings: int, n_codes: int, seed: int = 1) -> Project:
    rng = random.Random(seed)
    parts, units_turn, units_sent = [], [], []
    pos, turn_no = 0, 0
    written = 0
    while written < words:
        speaker = "Interviewer" if turn_no % 2 == 0 else "Respondent"
        label = f"{speaker}: "
        start = pos
        body = []
        sentences = []
        cursor = pos + len(label)
        for _ in range(rng.randint(1, 6)):
            n = rng.randint(6, 24)
            sentence = " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."
            sentences.append((cursor, cursor + len(sentence)))
            cursor += len(sentence) + 1
            body.append(sentence)
            written += n
        line = label + " ".join(body)
        parts.append(line)
        units_turn.append((start, start + len(line), speaker))
        units_sent.extend(sentences)
        pos += len(line) + 1
        turn_no += 1
    text = "\n".join(parts) + "\n"
    project = Project.create(path)
    with project.transaction():
        project.execute(
            "INSERT INTO documents(uuid, name, text, sha256, word_count, imported_at) VALUES (?,?,?,?,?,?)",
            (new_uuid(), "long.txt", text, "x", written, now()),
        )
        project.conn.executemany(
            "INSERT INTO units(document_id, kind, seq, start, end, speaker) VALUES (1,'turn',?,?,?,?)",
            [(i, s, e, sp) for i, (s, e, sp) in enumerate(units_turn)],
        )
        project.conn.executemany(
            "INSERT INTO units(document_id, kind, seq, start, end) VALUES (1,'sentence',?,?,?)",
            [(i, s, e) for i, (s, e) in enumerate(units_sent)],
        )
        parents = []
        for i in range(n_codes):
            parent = rng.choice(parents) if parents and i > 20 else None
            cid = project.execute(
                "INSERT INTO codes(uuid, parent_id, name, description, keywords, colour, created_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (
                    new_uuid(),
                    parent,
                    f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}",
                    " ".join(rng.choice(WORDS) for _ in range(15)),
                    f'["{rng.choice(WORDS)}"]',
                    f"#{rng.randrange(0x404040, 0xFFFFFF):06x}",
                    now(),
                ),
            ).lastrowid
            if i < 200:
                parents.append(cid)
        coder = project.coder_id("alice")
        for s, e in rng.sample(units_sent, n_codings):
            project.execute(
                "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (new_uuid(), 1, rng.randint(1, n_codes), coder, s, e, now()),
            )
    return project


async def first_screen(project: Project) -> tuple[float, float]:
    """(cold start straight into the document, opening it in a running workbench) in seconds."""
    app = WorkbenchApp(project, coder="alice", document=1)
    t0 = time.perf_counter()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        view = app.query_one(TranscriptView)
        assert view.doc is not None and view._lines
        cold = time.perf_counter() - t0
        view.doc = None
        t0 = time.perf_counter()
        app.open_document(1)
        await pilot.pause()
        assert view.doc is not None and view._lines
        warm = time.perf_counter() - t0
        await pilot.press("q")
    return cold, warm


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms (median of {len(samples)})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--codings", type=int, default=1_000)
    ap.add_argument("--codes", type=int, default=5_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = build(Path(tmp) / "bench.db", args.words, args.codings, args.codes)
        words = project.scalar("SELECT word_count FROM documents")
        print(f"transcript: {words:,} words, {args.codings:,} codings; codebook: {args.codes:,} codes")

        runs = [asyncio.run(first_screen(project)) for _ in range(5)]
        print(
            f"open the transcript and show its first screen: {median_ms([w for _, w in runs])}"
            "  target <= 400 ms"
        )
        print(f"  (cold start of the workbench straight into it: {median_ms([c for c, _ in runs])})")

        coder = project.coder_id("alice")
        sentences = project.execute("SELECT start, end FROM units WHERE kind='sentence' LIMIT 200").fetchall()
        applies = []
        for i, (s, e) in enumerate(sentences[:50]):
            t0 = time.perf_counter()
            svc.add_coding(project, document_id=1, code_id=1 + i, coder_id=coder, start=s, end=e)
            applies.append(time.perf_counter() - t0)
        print(f"apply a code (committed, synchronous=FULL): {median_ms(applies)}  target <= 30 ms")

        picker = CodePicker(load_codes(project))
        keystrokes = []
        query = ""
        for ch in "learning culture":
            query += ch
            t0 = time.perf_counter()
            picker.rank(query)
            keystrokes.append(time.perf_counter() - t0)
        print(
            f"picker update for one keystroke over {len(picker.codes):,} codes: {median_ms(keystrokes)}"
            f" (max {max(keystrokes) * 1000:.1f} ms)  target <= 10 ms"
        )
        project.close()


if __name__ == "__main__":
    sys.exit(main())
