"""REFI-QDA speed: importing one large text source, at several sizes; and a whole project's round trip.

Prints figures; nothing is asserted. Every text is invented: repeated interview-like lines.

    python benchmarks/refi_speed.py [--sizes 0.6,1.2,2.4,4.8 --selections 2000]
    python benchmarks/refi_speed.py --round-trip [--documents 200 --words 1500 --codings 20000 --codes 60]

The first form writes, for each size in MB, a .qdpx holding one UTF-8 text source of that size (speaker
lines, CRLF line endings and a BOM, as NVivo for Windows stores them) with ``--selections`` coded
selections, and times ``beacon-qual import-qdpx`` on it into a new project: the whole command in a process
of its own (Python's start and imports included; wall and CPU time, the latter less moved by other
processes on a shared machine), then reading the archive and writing the project in
this process. Import time should grow about linearly with size: "per MB" is (read + write) / size.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from beacon_qual.exchange import export_codebook, export_project, import_refi, read_qdpx
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.text.sentences import get_nlp

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
CODE_GUID = "c0de0000-0000-4000-8000-000000000001"
USER_GUID = "5e550000-0000-4000-8000-000000000001"


# -- one large source ---------------------------------------------------------------------------------------
def interview_text(megabytes: float, rng: random.Random) -> str:
    """Invented interview lines (each a few sentences) up to about ``megabytes`` of UTF-8."""
    target = int(megabytes * 1_000_000)
    lines: list[str] = []
    size = 0
    while size < target:
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randrange(6, 18))).capitalize() + "."
            for _ in range(rng.randrange(1, 5))
        ]
        line = f"{rng.choice(['Officer', 'Member', 'Interviewer'])}: " + " ".join(sentences)
        lines.append(line)
        size += len(line.encode("utf-8")) + 2
    return "\n".join(lines) + "\n"


def large_source_archive(path: Path, megabytes: float, selections: int, seed: int = 7) -> int:
    """Write a .qdpx with one text source of about ``megabytes`` MB; return its size in bytes."""
    rng = random.Random(seed)
    text = interview_text(megabytes, rng)
    stored = "\ufeff" + text.replace("\n", "\r\n")  # offsets below count code points of this, as REFI says
    # selections start and end on sentence boundaries: whole sentences after a speaker label
    starts = [m.end() for m in re.finditer(": ", stored)] if selections else []
    chosen = sorted(rng.sample(starts, min(selections, len(starts))))
    parts = []
    for n, start in enumerate(chosen):
        end = stored.index(".", start) + 1
        parts.append(
            f'<PlainTextSelection guid="{_guid(n, 1)}" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="{USER_GUID}"><Coding guid="{_guid(n, 2)}"><CodeRef targetGUID="{CODE_GUID}"/>'
            "</Coding></PlainTextSelection>"
        )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="speed (invented)" origin="refi_speed.py">'
        f'<Users><User guid="{USER_GUID}" name="coder"/></Users>'
        f'<CodeBook><Codes><Code guid="{CODE_GUID}" name="Learning" isCodable="true"/></Codes></CodeBook>'
        '<Sources><TextSource guid="d0c00000-0000-4000-8000-000000000001" name="long interview.txt" '
        'plainTextPath="internal://d0c00000-0000-4000-8000-000000000001.txt">'
        + "".join(parts)
        + "</TextSource></Sources></Project>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/d0c00000-0000-4000-8000-000000000001.txt", stored.encode("utf-8"))
    path.write_bytes(buffer.getvalue())
    return len(stored.encode("utf-8"))


def _guid(n: int, kind: int) -> str:
    return f"{kind:08x}-0000-4000-8000-{n:012x}"


def sizes_table(sizes: list[float], selections: int) -> None:
    get_nlp()  # loaded once here, so that the in-process figures leave out spaCy's loading
    print(
        f"{'source':>9} {'command':>9} {'its CPU':>8} {'per MB':>8} {'read':>7} {'write':>7} {'sentences':>10} {'codings':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for megabytes in sizes:
            archive = folder / f"s{megabytes}.qdpx"
            size = large_source_archive(archive, megabytes, selections)
            db = folder / f"s{megabytes}-cli.db"
            start = time.perf_counter()
            cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                [sys.executable, "-m", "beacon_qual", "-p", str(db), "import-qdpx", str(archive)],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "BEACON_QUAL_CODER": "bench"},
            )
            command = time.perf_counter() - start
            cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
            if done.returncode:
                sys.exit(f"import-qdpx failed: {done.stderr.strip()}")
            start = time.perf_counter()
            data = read_qdpx(archive)
            read = time.perf_counter() - start
            with Project.create(folder / f"s{megabytes}.db") as fresh:
                start = time.perf_counter()
                import_refi(fresh, data)
                write = time.perf_counter() - start
                sentences = fresh.scalar("SELECT count(*) FROM units WHERE kind = 'sentence'")
                codings = fresh.scalar("SELECT count(*) FROM codings")
            mb = size / 1_000_000
            print(
                f"{mb:7.2f}MB {command:8.2f}s {cpu:7.2f}s {(read + write) / mb:7.2f}s {read:6.2f}s {write:6.2f}s "
                f"{sentences:>10} {codings:>8}"
            )


# -- a whole project, exported and imported back ---------------------------------------------------------------
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


def round_trip(args: argparse.Namespace) -> None:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.6,1.2,2.4,4.8", help="source sizes in MB, comma-separated")
    parser.add_argument("--selections", type=int, default=2000, help="coded selections in each source")
    parser.add_argument("--round-trip", action="store_true", help="export and import a generated project")
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--words", type=int, default=1500)
    parser.add_argument("--codings", type=int, default=20_000)
    parser.add_argument("--codes", type=int, default=60)
    args = parser.parse_args()
    if args.round_trip:
        round_trip(args)
    else:
        sizes_table([float(s) for s in args.sizes.split(",")], args.selections)


if __name__ == "__main__":
    main()
