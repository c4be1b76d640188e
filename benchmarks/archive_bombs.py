"""Time and memory of refusing .docx and .xlsx files whose members unpack to far more than they hold.

Builds, under benchmarks/_work/archive_bombs/, a Word document and a workbook that each hold a genuine
1 GiB member of zeros compressed to about 1 MB (a zip bomb: nothing in them is faked), then runs
`beacon-qual import` and `beacon-qual survey import` on them in fresh processes and prints each command's
exit code, its one line of error, wall time and the peak resident memory of the process. Everything in
the files is invented. Usage: python benchmarks/archive_bombs.py [--gib 1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work" / "archive_bombs"
CHUNK = 2**20


def add_zeros(archive: Path, member: str, size: int) -> None:
    """Append a member of ``size`` zero bytes, compressed in pieces (never held whole)."""
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        info = zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as out:
            zeros = bytes(CHUNK)
            for _ in range(size // CHUNK):
                out.write(zeros)


def build(gib: int) -> tuple[Path, Path]:
    import docx
    import openpyxl

    WORK.mkdir(parents=True, exist_ok=True)
    size = gib * 2**30
    word = WORK / f"bomb_{gib}g.docx"
    if not word.exists():
        document = docx.Document()
        document.add_paragraph(
            "Interviewer: an invented interview. Respondent: We visited the Beacon council."
        )
        document.save(str(word))
        add_zeros(word, "word/media/image1.png", size)
    book = WORK / f"bomb_{gib}g.xlsx"
    if not book.exists():
        workbook = openpyxl.Workbook()
        workbook.active.append(["Council", "score"])
        workbook.active.append(["Camden", 3])
        workbook.save(book)
        add_zeros(book, "xl/media/image1.png", size)
    (WORK / "manifest.csv").write_text(f"file,council,phase,role\n{word.name},Hull,1,officer\n")
    return word, book


def command(*args: str) -> None:
    """Run one command in a fresh process; its wall time and its own peak resident memory (from wait4)."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "beacon_qual", *args], stdout=out, stderr=out, text=True
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        line = out.read().strip().splitlines()[-1:] or [""]
    print(
        f"{' '.join(args[2:4])[-40:]:<40} exit {process.returncode}  {wall:6.2f} s  peak RSS {usage.ru_maxrss / 1024:6.1f} MB"
    )
    print(f"    {line[0][:160]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=int, default=1, help="size of the unpacked member in GiB")
    args = parser.parse_args()
    word, book = build(args.gib)
    print(
        f"{word.name}: {word.stat().st_size / 2**20:.2f} MB on disk; {book.name}: {book.stat().st_size / 2**20:.2f} MB"
    )
    project = WORK / "p.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{project}{suffix}").unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "-m", "beacon_qual", "-p", str(project), "init"], check=True, capture_output=True
    )
    subprocess.run(
        [sys.executable, "-m", "beacon_qual", "-p", str(project), "cases", "seed"],
        check=True,
        capture_output=True,
    )
    command("-p", str(project), "--version")
    command("-p", str(project), "import", str(word))
    command("-p", str(project), "survey", "import", str(book), "--wave", "1")


if __name__ == "__main__":
    main()
