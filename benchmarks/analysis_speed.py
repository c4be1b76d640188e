"""Analysis speed on a Beacon-scale project: frequencies, crosstab with statistics, co-occurrence by sentence.

The project is built directly in SQL (not through the importer) and kept in benchmarks/_work/ for reuse:
388 councils x 3 phases x 4 documents of about 6,000 words, sentence units about every 100 characters and
speaker turns, about 400,000 codings by two coders over 65 codes, and four survey variables. The text is
invented filler. Timings run in a fresh process so that its peak memory is that of the analyses alone.

    python benchmarks/analysis_speed.py            # build once, then measure
    python benchmarks/analysis_speed.py --rebuild  # build again
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from beacon_qual.store import Project, new_uuid, now

WORK = Path(__file__).resolve().parent / "_work"
DB = WORK / "analysis_bench.db"
COUNCILS, PHASES, DOCS_PER_PHASE = 388, 3, 4
WORDS_PER_DOC = 6000
TEXT_POOL = 24
CODINGS_PER_DOC = 86  # x 4,656 documents = about 400,000
ROLES = ("officer", "member", "partner")
REGION_TYPES = ("metropolitan", "london", "county", "district", "unitary")
LEVELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
MARK = "analysis-bench-1"


# -- building ----------------------------------------------------------------------------------------------
def make_text(
    rng: random.Random, vocabulary: list[str]
) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """Filler text with sentence spans (about every 100 characters) and speaker-turn spans."""
    parts: list[str] = []
    sentences: list[tuple[int, int]] = []
    turns: list[tuple[int, int]] = []
    pos, words, speaker = 0, 0, 0
    while words < WORDS_PER_DOC:
        label = ("Interviewer: ", "Respondent: ")[speaker]
        turn_start = pos
        parts.append(label)
        pos += len(label)
        for _ in range(rng.randint(2, 20) if speaker else 1):
            sentence = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(12, 20))).capitalize() + "."
            sentences.append((pos, pos + len(sentence)))
            parts.append(sentence + " ")
            pos += len(sentence) + 1
            words += sentence.count(" ") + 1
        turns.append((turn_start, pos - 1))
        parts[-1] = parts[-1][:-1] + "\n"
        speaker = 1 - speaker
    return "".join(parts), sentences, turns


def build(path: Path) -> None:
    rng = random.Random(2008)
    nrng = np.random.default_rng(2008)
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnoprstuw") for _ in range(rng.randint(2, 9))) for _ in range(2000)
    ]
    pool = [make_text(rng, vocabulary) for _ in range(TEXT_POOL)]
    if path.exists():
        path.unlink()
    project = Project.create(path)
    stamp = now()
    conn = project.conn
    with project.transaction():
        project.set_meta("benchmark", MARK)
        project.set_meta("codebook_version", "bench")
        conn.executemany(
            "INSERT INTO coders(id, uuid, name, created_at) VALUES (?,?,?,?)",
            [(1, new_uuid(), "alice", stamp), (2, new_uuid(), "bob", stamp)],
        )
        conn.executemany(
            "INSERT INTO cases(id, uuid, code, name, created_at) VALUES (?,?,?,?,?)",
            [(i, new_uuid(), f"C{i:03d}", f"Council {i}", stamp) for i in range(1, COUNCILS + 1)],
        )
        codes, code_id = [], 0
        for a in range(5):
            code_id += 1
            root = code_id
            codes.append((root, None, f"Theme {a}"))
            for b in range(3):
                code_id += 1
                middle = code_id
                codes.append((middle, root, f"Theme {a}.{b}"))
                for c in range(3):
                    code_id += 1
                    codes.append((code_id, middle, f"Theme {a}.{b}.{c}"))
        conn.executemany(
            "INSERT INTO codes(id, uuid, parent_id, name, sort_order, created_at) VALUES (?,?,?,?,0,?)",
            [(i, new_uuid(), parent, name, stamp) for i, parent, name in codes],
        )
        documents, units, codings = [], [], []
        doc_id = 0
        for council in range(1, COUNCILS + 1):
            for phase in range(1, PHASES + 1):
                for k in range(DOCS_PER_PHASE):
                    doc_id += 1
                    text, sentences, turns = pool[doc_id % TEXT_POOL]
                    documents.append(
                        (
                            doc_id,
                            new_uuid(),
                            f"c{council:03d}_p{phase}_{k}.txt",
                            text,
                            hashlib.sha256(text.encode()).hexdigest(),
                            council,
                            phase,
                            ROLES[k % len(ROLES)],
                            WORDS_PER_DOC,
                            stamp,
                        )
                    )
                    units.extend((doc_id, "sentence", i, s, e) for i, (s, e) in enumerate(sentences))
                    units.extend((doc_id, "turn", i, s, e) for i, (s, e) in enumerate(turns))
                    n = int(nrng.poisson(CODINGS_PER_DOC))
                    starts = nrng.integers(0, len(text) - 700, n)
                    lengths = nrng.integers(40, 600, n)
                    code_ids = nrng.integers(1, code_id + 1, n)
                    coders = nrng.integers(1, 3, n)
                    codings.extend(
                        (f"{doc_id}-{j}", doc_id, int(c), int(w), int(s), int(s + ln), stamp)
                        for j, (c, w, s, ln) in enumerate(zip(code_ids, coders, starts, lengths))
                    )
        conn.executemany(
            "INSERT INTO documents(id, uuid, name, text, sha256, case_id, phase, role, word_count,"
            " imported_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            documents,
        )
        conn.executemany("INSERT INTO units(document_id, kind, seq, start, end) VALUES (?,?,?,?,?)", units)
        conn.executemany(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
            " VALUES (?,?,?,?,?,?,?)",
            codings,
        )
        variables = [
            (1, "region_type", "categorical", json.dumps(REGION_TYPES)),
            (2, "innovation_score", "numeric", None),
            (3, "satisfaction", "ordinal", json.dumps(LEVELS)),
            (4, "beacon", "boolean", None),
        ]
        conn.executemany(
            "INSERT INTO variables(id, uuid, name, type, levels) VALUES (?,?,?,?,?)",
            [(i, new_uuid(), n, t, lv) for i, n, t, lv in variables],
        )
        values = []
        for council in range(1, COUNCILS + 1):
            values.append((1, council, 1, None, REGION_TYPES[council % len(REGION_TYPES)]))
            for wave in (1, 2):
                values.append((2, council, wave, round(float(nrng.normal(50, 15)), 1), None))
            level = int(nrng.integers(0, len(LEVELS)))
            values.append((3, council, 1, float(level), LEVELS[level]))
            flag = int(nrng.integers(0, 2))
            values.append((4, council, 1, float(flag), "true" if flag else "false"))
        conn.executemany(
            "INSERT INTO case_values(variable_id, case_id, wave, value_num, value_text) VALUES (?,?,?,?,?)",
            values,
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    project.close()
    print(
        f"built {path}: {len(documents)} documents, {len(units)} units, {len(codings)} codings, "
        f"{len(codes)} codes, {path.stat().st_size / 1e6:.0f} MB"
    )


def usable(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with Project.open(path) as project:
            return project.get_meta("benchmark") == MARK
    except Exception:  # noqa: BLE001 - a damaged or foreign file is simply rebuilt
        return False


# -- measuring ---------------------------------------------------------------------------------------------
def timed(label: str, target: float | None, action) -> object:
    best, result = float("inf"), None
    for _ in range(3):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    goal = f" (target <= {target:g} s)" if target else ""
    print(f"{label:<58} {best:7.3f} s{goal}")
    return result


def measure(path: Path) -> None:
    from beacon_qual.analysis.cooccurrence import cooccurrence
    from beacon_qual.analysis.crosstab import crosstab
    from beacon_qual.analysis.frequencies import frequencies
    from beacon_qual.analysis.provenance import project_sha256
    from beacon_qual.analysis.trends import trends

    project = Project.open(path)
    counts = project.one(
        "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM codings), "
        "(SELECT count(*) FROM units WHERE kind = 'sentence')"
    )
    print(
        f"project: {counts[0]} documents, {counts[1]} codings, {counts[2]} sentences, "
        f"{path.stat().st_size / 1e6:.0f} MB; best of 3 runs"
    )
    timed("frequencies (per code)", 0.5, lambda: frequencies(project))
    timed("frequencies with roll-up", None, lambda: frequencies(project, rollup=True))
    timed("frequencies by phase and role", None, lambda: frequencies(project, by=("phase", "role")))
    timed("crosstab by region_type (councils) with statistics", 1.0, lambda: crosstab(project, "region_type"))
    timed(
        "crosstab by region_type (segments) with statistics",
        None,
        lambda: crosstab(project, "region_type", unit="segment"),
    )
    timed(
        "crosstab innovation_score: Mann-Whitney, Spearman",
        None,
        lambda: crosstab(project, "innovation_score", wave=1),
    )
    timed("trends (Cochran-Armitage)", None, lambda: trends(project))
    timed("co-occurrence by sentence", 5.0, lambda: cooccurrence(project, within="sentence"))
    timed("co-occurrence by overlap", None, lambda: cooccurrence(project, within="overlap"))
    timed("provenance: sha256 of the project file", None, lambda: project_sha256(project))
    project.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak memory of this process (max RSS)':<58} {peak:7.0f} MB (target < 300 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="build the project again")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        measure(DB)
        return
    WORK.mkdir(exist_ok=True)
    if args.rebuild or not usable(DB):
        started = time.perf_counter()
        build(DB)
        print(f"build took {time.perf_counter() - started:.1f} s")
    subprocess.run([sys.executable, __file__, "--measure-only"], check=True)


if __name__ == "__main__":
    main()
