"""Keystrokes per coding task: the workbench (Textual's headless pilot) driven through 20 fixed coding tasks
on the demo project (the example transcripts), each with the fewest keys the bindings allow.

Each task starts with the coder having read up to the passage: the sentence holding its first word is
selected (reading keys are not counted). The keys are worked out from the bindings, for every way the
workbench offers (picker with the shortest query that puts the code first, a digit for a recent code, an
F key for a favourite, J for two sentences, T for the turn, v with counts or / find for part of a
sentence; the picker applies a code without Enter once the typed letters begin its name and no other
name), the shortest is pressed, and the coding it made is checked against the task's passage and code.
Tasks run in order, so the recent codes (1-9) are those of the tasks before; F1 and F2 hold two favourites
set up before the first task. Targets (keys per task): a whole sentence with the picker <= 4, two sentences
<= 5, a whole turn <= 4, a recent code <= 2, part of a sentence (3-8 words mid-sentence) <= 8.

    python benchmarks/keystrokes.py [--size 120x40] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

# (kind, document, text in the passage's first sentence or the passage itself, code)
TASKS = [
    ("sentence", "hull_officer_p1.txt", "The obvious place was the Beacon open days.", "Open days"),
    ("sentence", "hull_officer_p1.txt", "Honestly, mostly paper.", "Explicit knowledge"),
    ("sentence", "hull_officer_p1.txt", "I'd say we copied eighty per cent of it.", "Replication"),
    ("two sentences", "hull_officer_p1.txt", "We wrote a report to cabinet", "Adoption"),
    ("turn", "hull_officer_p1.txt", "There was a toolkit for setting up", "Toolkits and publications"),
    ("recent", "hull_officer_p1.txt", "At the time that felt sensible.", "Replication"),
    ("phrase", "hull_officer_p1.txt", "a walk round an estate in a minibus,", "Site visits"),
    ("phrase", "hull_officer_p1.txt", "copied eighty per cent", "Replication"),
    ("turn", "hull_officer_p1.txt", "I went to three open days", "Open days"),
    ("sentence", "birmingham_officer_p2.md", "We didn't have the capacity to learn", "Absorptive capacity"),
    ("sentence", "birmingham_officer_p2.md", "Almost nothing transfers as it stands.", "Contextual mismatch"),
    (
        "two sentences",
        "birmingham_officer_p2.md",
        "Somebody had gone, brought back a pack",
        "Thin or lost knowledge",
    ),
    (
        "two sentences",
        "birmingham_officer_p2.md",
        "When they come back, there's a short session",
        "Learning pull",
    ),
    ("recent", "birmingham_officer_p2.md", "There were dozens.", "Open days"),
    (
        "phrase",
        "birmingham_officer_p2.md",
        "a small network of improvement leads,",
        "Partnerships and networks",
    ),
    ("turn", "birmingham_officer_p2.md", "That the problem wasn't the Beacons", "Absorptive capacity"),
    ("phrase", "birmingham_officer_p2.md", "brought back a pack,", "Explicit knowledge"),
    ("two sentences", "birmingham_officer_p2.md", "Housing repairs.", "Adaptation"),
    ("turn", "birmingham_officer_p2.md", "Before anyone goes to a Beacon now", "Learning pull"),
    ("recent", "birmingham_officer_p2.md", "We'd heard about it for years.", "Adaptation"),
]
FAVOURITES = {1: "Adaptation", 2: "Site visits"}  # F1, F2: set up before the first task
TARGETS = {"sentence": 4, "two sentences": 5, "turn": 4, "recent": 2, "phrase": 8}
DIGITS = "123456789"


@dataclass
class Result:
    number: int
    kind: str
    document: str
    passage: str
    code: str
    keys: list[str]


def count_keys(n: int, key: str) -> list[str]:
    """The fewest keys moving ``n`` times with ``key`` in the selection mode: repeats or a count."""
    if n <= 0:
        return []
    return [key] * n if n <= len(str(n)) + 1 else [*str(n), key]


def picker_query(app, code_id: int, name: str) -> list[str]:
    """The fewest keys after ``c``: the shortest beginning of the name that only this code's name begins
    with (the picker applies it at once), or the shortest typed query (a prefix of the name, or its
    initials) that ranks the code first, then Enter."""
    tries = [name[:k].lower() for k in range(1, len(name) + 1)]
    words = name.split()
    if len(words) > 1:
        tries.append("".join(w[0] for w in words).lower())
    options = []
    for query in tries:
        if query[0] in DIGITS:
            continue
        unique = app.picker.unique_prefix(query)
        if unique is not None and unique.id == code_id:
            options.append(list(query))
        ranked = app.picker.rank(query, recent=app.recent, limit=3)
        if ranked and ranked[0].id == code_id and unique is None:
            options.append([*query, "enter"])
    if not options:
        raise SystemExit(f"no query finds {name}")
    return min(options, key=len)


def apply_keys(app, code_id: int, name: str, *, picker_only: bool, in_mode: bool) -> list[str]:
    options = []
    recent = app.recent[:9]
    if code_id in recent:
        options.append(["c", str(recent.index(code_id) + 1)])  # a digit as the picker's first key
        if not picker_only:
            digit = str(recent.index(code_id) + 1)
            options.append(["escape", digit] if in_mode else [digit])
    if not picker_only and code_id in app.favourites:
        options.append([f"f{app.favourites.index(code_id) + 1}"])
    options.append(["c", *picker_query(app, code_id, name)])
    return min(options, key=len)


def phrase_keys(view, start: int, end: int) -> list[str]:
    """Select text[start:end] (whole words) from its sentence: v and counts, or / find then v."""
    text = view.doc.text
    sel_start = view.selection[0]
    words_before = len(re.findall(r"\S+", text[sel_start:start]))
    words_in = len(re.findall(r"\S+", text[start:end]))
    anchor = ["v", *count_keys(words_before, "right_curly_bracket"), *count_keys(words_in - 1, "w")]
    best = anchor
    word = re.match(r"\S+", text[start:]).group()
    for k in range(1, len(word) + 1):
        q = word[:k].lower()
        hits = [m.start() for m in re.finditer(re.escape(q), text.lower())]
        after = [h for h in hits if h > sel_start] or hits
        if after and after[0] == start:
            find = ["slash", *q.replace(" ", "space"), "enter", "v", *count_keys(words_in - 1, "w")]
            if len(find) < len(best):
                best = find
            break
    return best


def key_name(key: str) -> str:
    return {"right_curly_bracket": "}", "slash": "/", "enter": "⏎", "escape": "Esc", "space": "␣"}.get(
        key, key
    )


async def run(project_path: Path, size: tuple[int, int]) -> list[Result]:
    from beacon_qual.store import Project
    from beacon_qual.tui.app import WorkbenchApp
    from beacon_qual.tui.favourites import set_favourite
    from beacon_qual.tui.transcript import TranscriptView

    project = Project.open(project_path)
    coder = project.coder_id("bench")
    codes = {r[1]: r[0] for r in project.execute("SELECT id, name FROM codes")}
    for slot, name in FAVOURITES.items():
        set_favourite(project, coder, slot, codes[name])
    docs = {r[1]: r[0] for r in project.execute("SELECT id, name FROM documents")}
    results: list[Result] = []
    app = WorkbenchApp(project, coder="bench")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        view = app.query_one(TranscriptView)
        for number, (kind, document, anchor, name) in enumerate(TASKS, start=1):
            if app.doc is None or app.doc.id != docs[document]:
                app.open_document(docs[document])
                await pilot.pause()
            text = app.doc.text
            at = text.index(anchor)
            i = app.doc.sentence_index_at(at)
            view.select(*app.doc.sentences[i])  # read up to the passage: not counted
            await pilot.pause()
            s0, e0 = app.doc.sentences[i]
            if kind in ("sentence", "recent"):
                select, want = [], (s0, e0)
            elif kind == "two sentences":
                select, want = ["J"], (s0, app.doc.sentences[i + 1][1])
            elif kind == "turn":
                turn = app.doc.turns[app.doc.turn_at(at)]
                label_end = next((e for s, e in view._labels if s == turn.start), turn.start)
                body = text[label_end : turn.end]
                start = label_end + len(body) - len(body.lstrip())
                select, want = ["T"], (start, turn.end - (len(body) - len(body.rstrip())))
            else:
                select, want = phrase_keys(view, at, at + len(anchor)), (at, at + len(anchor))
            in_mode = bool(select) and "v" in select
            keys = select + apply_keys(
                app, codes[name], name, picker_only=kind == "sentence", in_mode=in_mode
            )
            before = project.scalar("SELECT coalesce(max(id), 0) FROM codings")
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            got = project.one(
                "SELECT start, end, code_id FROM codings WHERE id > ? AND coder_id = ?", (before, coder)
            )
            if got is None or (got[0], got[1]) != want or got[2] != codes[name]:
                shown = text[got[0] : got[1]] if got else None
                raise SystemExit(
                    f"task {number}: keys {keys} coded {shown!r} with {got}, not {text[slice(*want)]!r}"
                )
            results.append(Result(number, kind, document, text[slice(*want)], name, keys))
        await pilot.press("q")
    project.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="120x40", help="terminal size, WIDTHxHEIGHT")
    parser.add_argument("--keep", type=Path, help="build the demo project in this folder and keep it")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.lower().split("x"))
    work = Path(args.keep or tempfile.mkdtemp(prefix="keystrokes-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")  # never the user's own remembered coder
    from beacon_qual.cli.demo import build_demo

    path = work / "demo.qual.db"
    path.unlink(missing_ok=True)
    build_demo(path)
    results = asyncio.run(run(path, (width, height)))
    print(f"{'#':>2}  {'task':<13} {'keys':>4}  {'sequence':<30} {'code':<26} passage")
    for r in results:
        sequence = " ".join(key_name(k) for k in r.keys)
        passage = " ".join(r.passage.split())
        passage = passage if len(passage) <= 40 else passage[:37] + "..."
        print(f"{r.number:>2}  {r.kind:<13} {len(r.keys):>4}  {sequence:<30} {r.code[:26]:<26} {passage}")
    print()
    print(f"{'task':<13} {'tasks':>5} {'median':>6} {'max':>4} {'target':>6}")
    for kind, target in TARGETS.items():
        counts = [len(r.keys) for r in results if r.kind == kind]
        print(
            f"{kind:<13} {len(counts):>5} {statistics.median(counts):>6} {max(counts):>4} {'<= ' + str(target):>6}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
