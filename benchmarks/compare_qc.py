"""beacon-qual side by side with qc (PyPI: qualitative-coding), the command-line tool researchers use today.

Both tools get the same invented corpus, the same codes on the same lines by the same two coders, and the
same questions. qc codes whole lines, so every beacon-qual coding is exactly one line: the offsets of that
line in beacon-qual's stored text. Each document is an interview of about --lines lines: one sentence per
line, speaker turns separated by blank lines; about 10% of the lines are coded: 9% by coder "ana", most of
them again by coder "ben" (mostly with the same codes), and 1% by "ben" alone.

qc is installed into its own virtual environment (benchmarks/_work/qc-venv: python -m venv, then
pip install qualitative-coding). Its codings are written into its database in one transaction with the
rows its own API (QCCorpus.update_coded_lines) stores; beacon-qual's are inserted with direct SQL in one
transaction (no audit records; loading codings is set-up and is not timed). Before timing anything, a small
corpus checks that qc's API stores exactly the rows the bulk load writes and that both tools give the same
answers; the table says where they do not.

Timed, each in a fresh subprocess, the two tools' runs taking turns so that load from elsewhere on the
machine falls on both alike: wall time and CPU time (user + system), medians of --runs runs, read by a small
launcher process with getrusage(RUSAGE_CHILDREN), and peak memory of the whole process tree below the launcher
(benchmarks/proctree.py: the sum of every process's Pss, sampled; at least the largest single process's
ru_maxrss), the largest over the runs. Each row is named for the commands it runs:

    corpus import          qc corpus import TEXTS --recursive --importer verbatim  |  beacon-qual import FOLDER
    code frequencies       qc codes stats                                           |  beacon-qual export frequencies
      again, and first after a change (beacon-qual adds or undoes one coding through its command line before
      each timed run, untimed; qc keeps nothing between runs, so its command is the same)
    frequencies by doc     qc codes stats --by-document                             |  beacon-qual export frequencies --by document
    co-occurrence, 5 codes qc codes crosstab C1..C5 -c ana                          |  beacon-qual cooccurrence C1..C5 --coder ana
    codes by a survey      qc codes stats --unit document -f GROUP, once for each   |  beacon-qual crosstab --variable authority_kind
      variable (4 groups)  of the 4 groups' file lists, added up                     |    --unit document
    passages of one code   qc codes find CODE -B 0 -C 0                             |  beacon-qual quotes CODE --speaker any

qc's "crosstab" counts lines holding both codes, which is what beacon-qual's cooccurrence answers. qc has no
survey data, so the nearest it comes to beacon-qual's crosstab (documents holding each code in each category
of a council's survey variable; an invented survey of the 2008 councils is imported for it) is counting the
documents of each category's councils separately, one run per category.

Plus, for interest, beacon-qual's in-process service time (the service function alone, in one process,
median of --runs calls). A step whose runs together exceed --budget seconds stops repeating; the table
shows how many runs each median is of, and the target each row has (faster than qc everywhere; at 1,000
documents 10x on frequencies and 100x on frequencies by document and on the co-occurrence).

    python benchmarks/compare_qc.py                         # --sizes 100,1000 --runs 3
    python benchmarks/compare_qc.py --quick                 # tiny corpora: a smoke run of a few minutes
    python benchmarks/compare_qc.py --sizes 100 --runs 5 --lines 2000 --seed 1
    python benchmarks/compare_qc.py --sizes 1000 --reuse    # keep the projects of an earlier run (no import row)

Everything is written under benchmarks/_work/compare_qc/ (git-ignored). The transcripts are invented and say
so in their first line; council names come from beacon-qual's 2008 council register.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
ROOT = WORK / "compare_qc"
QC_VENV = WORK / "qc-venv"
sys.path.insert(0, str(HERE))
from command_times import clear_bench_codings
from make_corpus import SentenceMaker
from proctree import TreePeak

NOTICE = "Invented synthetic interview made by benchmarks/compare_qc.py; no real person said any of it."
CODES = (
    "learning_from_peers",
    "site_visit",
    "adaptation",
    "peer_review",
    "open_day",
    "reinvention",
    "copying",
    "contextual_mismatch",
    "absorptive_capacity",
    "tacit_knowledge",
    "explicit_knowledge",
    "leadership",
    "member_champion",
    "partnership",
    "performance_improvement",
    "barrier_capacity",
    "barrier_culture",
    "network",
    "award_status",
    "sustainability",
)
CODE_WEIGHTS = tuple(1 / (rank + 1) ** 0.8 for rank in range(len(CODES)))
CROSSTAB_CODES = CODES[:5]
QUOTE_CODE = CODES[5]
CODERS = ("ana", "ben")
ROLES = ("officer", "elected member", "partner")
CODED_SHARE = 0.10
SURVEY_VARIABLE = "authority_kind"
ROWS = (
    "import",
    "frequencies",
    "frequencies_first",
    "by_document",
    "cooccurrence",
    "crosstab",
    "retrieval",
)
ROW_LABELS = {
    "import": "corpus import",
    "frequencies": "code frequencies (again)",
    "frequencies_first": "code frequencies, first after a change",
    "by_document": "frequencies by document",
    "cooccurrence": "co-occurrence of 5 codes (one coder): qc codes crosstab / beacon-qual cooccurrence",
    "crosstab": (
        f"codes by {SURVEY_VARIABLE} (4 groups), documents: qc codes stats --unit document -f GROUP, once per "
        "group / beacon-qual crosstab --unit document"
    ),
    "retrieval": f"passages of one code ({QUOTE_CODE})",
}
TARGETS_AT_1000 = {"frequencies": 10, "frequencies_first": 10, "by_document": 100, "cooccurrence": 100}
QUICK = {"sizes": "4,12", "lines": 300}
CHECK_DOCUMENTS, CHECK_LINES = 8, 400
GENERATOR = 2  # changes whenever the corpus generator writes something different
ABBREVIATION_END = re.compile(r"\b\w[.!?]$")

Coding = tuple[int, int, str, str]  # document index, line number (0-based), coder, code


# -- the corpus --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    documents: int
    lines: int
    seed: int

    @property
    def key(self) -> str:
        return f"{self.documents}x{self.lines}-s{self.seed}"


@dataclass
class Corpus:
    spec: Spec
    folder: Path
    names: list[str]
    codings: list[Coding]
    text_lines: int

    @property
    def texts(self) -> Path:
        """The transcripts alone (what qc imports)."""
        return self.folder / "texts"

    @property
    def beacon(self) -> Path:
        """The transcripts with manifest.csv (what beacon-qual imports)."""
        return self.folder / "beacon"


def one_sentence(make: Callable[[], str]) -> str:
    """A generated sentence that does not end in a one-letter word ("... in a."), which spaCy's tokenizer
    reads as an abbreviation and so joins to the next line's sentence."""
    while True:
        sentence = make()
        if not ABBREVIATION_END.search(sentence):
            return sentence


def interview(maker: SentenceMaker, lines: int) -> list[str]:
    """About ``lines`` lines: a notice, then question and answer turns, one sentence a line, blank lines between."""
    out = [NOTICE, ""]
    rng = maker.rng
    while len(out) < lines:
        out += ["Interviewer: " + one_sentence(maker.question), ""]
        answer = [one_sentence(maker.statement) for _ in range(rng.randint(1, 6))]
        answer[0] = "Respondent: " + answer[0]
        out += [*answer, ""]
    return out[:lines]


def pick_codes(rng: random.Random, count: int) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < count:
        code = rng.choices(CODES, weights=CODE_WEIGHTS)[0]
        if code not in chosen:
            chosen.append(code)
    return chosen


def code_lines(rng: random.Random, doc: int, lines: list[str]) -> list[Coding]:
    """About 9% of the lines coded by ana (1-3 codes each); ben codes 85% of them, mostly the same way,
    and about 1% of the lines on his own."""
    codable = [i for i, line in enumerate(lines) if i > 0 and line.strip()]
    chosen = sorted(rng.sample(codable, min(len(codable), round(0.9 * CODED_SHARE * len(lines)))))
    taken = set(chosen)
    extra = [i for i in rng.sample(codable, min(len(codable), len(chosen) // 10 + 1)) if i not in taken]
    out: list[Coding] = []
    for line in chosen:
        ana = pick_codes(rng, rng.choices((1, 2, 3), weights=(70, 25, 5))[0])
        out += [(doc, line, "ana", code) for code in ana]
        if rng.random() < 0.85:
            ben = list(ana)
            if rng.random() < 0.25:
                other = pick_codes(rng, 1)[0]
                ben = [other] if other in ben else ben[:-1] + [other]
            out += [(doc, line, "ben", code) for code in ben]
    for line in sorted(extra):
        out += [(doc, line, "ben", code) for code in pick_codes(rng, 1)]
    return out


def build_corpus(spec: Spec) -> Corpus:
    """Write the corpus (or reuse the one already written with the same settings)."""
    from beacon_qual.cases.councils import load_register

    folder = ROOT / f"corpus-{spec.key}"
    marker = folder / "spec.json"
    settings = {**asdict(spec), "generator": GENERATOR}
    if marker.is_file() and json.loads(marker.read_text()) == settings:
        return load_corpus(spec, folder)
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "texts").mkdir(parents=True)
    (folder / "beacon").mkdir()
    rng = random.Random(spec.seed)
    maker = SentenceMaker(rng)
    register = load_register()
    manifest = [["file", "council", "phase", "role", "interview_date", "interviewer", "respondent"]]
    codings: list[Coding] = []
    for doc in range(spec.documents):
        entry = register[doc % len(register)]
        phase = doc // len(register) % 3 + 1
        name = f"{entry.code.lower()}_p{phase}_{doc:05d}.txt"
        lines = interview(maker, spec.lines)
        (folder / "texts" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.link(folder / "texts" / name, folder / "beacon" / name)
        date = f"{2005 + phase}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        manifest.append(
            [name, entry.name, str(phase), ROLES[doc % 3], date, "Helen Baird", f"R{doc + 1:05d}"]
        )
        codings += code_lines(rng, doc, lines)
    with (folder / "beacon" / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(manifest)
    with (folder / "codings.tsv").open("w", encoding="utf-8") as fh:
        fh.writelines(f"{d}\t{line}\t{coder}\t{code}\n" for d, line, coder, code in codings)
    (folder / "README.md").write_text(
        "# Invented corpus for benchmarks/compare_qc.py\n\nSynthetic interviews (no real person said any of "
        "it); the councils in manifest.csv are real 2008 English councils from beacon-qual's register.\n",
        encoding="utf-8",
    )
    marker.write_text(json.dumps(settings))
    return load_corpus(spec, folder)


def load_corpus(spec: Spec, folder: Path) -> Corpus:
    with (folder / "beacon" / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        names = [row["file"] for row in csv.DictReader(fh)]
    codings: list[Coding] = []
    with (folder / "codings.tsv").open(encoding="utf-8") as fh:
        for row in fh:
            d, line, coder, code = row.rstrip("\n").split("\t")
            codings.append((int(d), int(line), coder, code))
    text_lines = sum(
        sum(1 for line in (folder / "texts" / n).read_text(encoding="utf-8").splitlines() if line.strip())
        for n in names
    )
    return Corpus(spec, folder, names, codings, text_lines)


# -- running a step -----------------------------------------------------------------------------------------
@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    max_rss_kb: int
    stdout: str = ""


LAUNCHER = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[2:])
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as fh:
    fh.write(f"{code} {seconds} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}")
"""


def run(cmd: list[str], *, cwd: Path | None = None, capture: bool = False) -> Run:
    """Run ``cmd`` to completion: its wall time, CPU time (user + system) and peak resident memory.

    A small launcher process starts the command and reads getrusage(RUSAGE_CHILDREN) once it ends. The
    launcher matters: Linux counts the memory of the process that starts a command towards the command's
    peak, so a command started straight from this (large) process would report this process's size.
    """
    # Both tools run as a user's installation does: Python caches each module's bytecode after its first run.
    # (This machine sets PYTHONDONTWRITEBYTECODE, which would make every run of the editable beacon-qual compile
    # its sources again while qc's wheel came with bytecode compiled at install.)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONBREAKPOINT"] = "0"
    with tempfile.TemporaryDirectory() as tmp:
        usage, out, err = Path(tmp) / "usage", Path(tmp) / "out", Path(tmp) / "err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            launcher = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, str(usage), *cmd],
                cwd=cwd,
                env=env,
                stdout=stdout if capture else subprocess.DEVNULL,
                stderr=stderr,
            )
            sampler = TreePeak(launcher.pid, below=True)
            launcher.wait()
            tree_kb = sampler.stop()
        code, seconds, cpu, max_rss = usage.read_text().split()
        if code != "0":
            message = err.read_text(errors="replace").strip().splitlines()[-5:]
            raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n" + "\n".join(message))
        return Run(float(seconds), float(cpu), max(int(max_rss), tree_kb), out.read_text() if capture else "")


@dataclass
class Timing:
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.max_rss_kb for r in self.runs) / 1024

    @property
    def spent(self) -> float:
        return sum(r.seconds for r in self.runs)


def repeat(
    steps: tuple[Callable[[], Run], Callable[[], Run]], runs: int, budget: float
) -> tuple[Timing, Timing]:
    """Run qc's and beacon-qual's step in turn, ``runs`` times each, so that load from elsewhere on the
    machine falls on both alike; a tool stops repeating once its runs took ``budget`` seconds together."""
    timings = (Timing(), Timing())
    for _ in range(runs):
        for step, timing in zip(steps, timings):
            if timing.spent <= budget:
                timing.runs.append(step())
    return timings


# -- qc ------------------------------------------------------------------------------------------------------
def qc_bin() -> Path:
    """qc's command, installed into its own virtual environment on first use."""
    qc = QC_VENV / "bin" / "qc"
    if not qc.exists():
        print(f"installing qualitative-coding into {QC_VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(QC_VENV)], check=True)
        pip = subprocess.run(
            [str(QC_VENV / "bin" / "pip"), "install", "--quiet", "qualitative-coding"],
            capture_output=True,
            text=True,
            check=False,
        )
        if pip.returncode != 0:
            raise SystemExit("pip install qualitative-coding failed:\n" + pip.stderr[-2000:])
    return qc


def qc_version() -> str:
    out = subprocess.run(
        [str(QC_VENV / "bin" / "pip"), "show", "qualitative-coding"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return next(
        (line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Version:")), "?"
    )


def qc_project(folder: Path) -> Path:
    """A new, empty qc project (settings.yaml, corpus/, memos/, codebook.yaml, database)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    run([str(qc_bin()), "init"], cwd=folder)
    return folder


def qc_import(folder: Path, corpus: Corpus) -> Run:
    return run(
        [str(qc_bin()), "corpus", "import", str(corpus.texts), "--recursive", "--importer", "verbatim"],
        cwd=folder,
    )


def qc_load_codings(folder: Path, corpus: Corpus) -> None:
    """The rows QCCorpus.update_coded_lines stores (a coded line linked to the paragraph holding it) and the
    codebook it writes, in one transaction."""
    con = sqlite3.connect(folder / "qualitative_coding.sqlite3")
    with con:
        paragraphs: dict[str, tuple[list[int], list[int]]] = {}
        for doc, loc_id, start in con.execute(
            "SELECT di.document_id, l.id, l.start_line FROM location l JOIN document_index di "
            "ON di.id = l.document_index_id WHERE di.name = 'paragraphs' ORDER BY di.document_id, l.start_line"
        ):
            starts, ids = paragraphs.setdefault(doc, ([], []))
            starts.append(start)
            ids.append(loc_id)
        con.executemany("INSERT OR IGNORE INTO coder(name) VALUES (?)", [(c,) for c in CODERS])
        con.executemany("INSERT OR IGNORE INTO code(name) VALUES (?)", [(c,) for c in CODES])
        first = (con.execute("SELECT max(id) FROM coded_line").fetchone()[0] or 0) + 1
        lines, links = [], []
        for number, (doc, line, coder, code) in enumerate(corpus.codings, start=first):
            starts, ids = paragraphs[corpus.names[doc]]
            lines.append((number, line, coder, code))
            links.append((number, ids[bisect_right(starts, line) - 1]))
        con.executemany("INSERT INTO coded_line(id, line, coder_id, code_id) VALUES (?,?,?,?)", lines)
        con.executemany(
            "INSERT INTO coded_line_location_association(coded_line_id, location_id) VALUES (?,?)", links
        )
    con.close()
    (folder / "codebook.yaml").write_text("".join(f"- {code}\n" for code in CODES), encoding="utf-8")


QC_API_LOADER = """
import json, sys
from qualitative_coding.corpus import QCCorpus
corpus = QCCorpus("settings.yaml")
with corpus.session():
    for document, coder, lines in json.load(open(sys.argv[1])):
        corpus.update_coded_lines(document, coder, [{"line": n, "code_id": c} for n, c in lines])
"""


def qc_api_codings(folder: Path, corpus: Corpus) -> None:
    """The same codings through qc's own API, one call per document and coder (slow; for the check)."""
    groups: dict[tuple[str, str], list] = {}
    for doc, line, coder, code in corpus.codings:
        groups.setdefault((corpus.names[doc], coder), []).append((line, code))
    payload = folder / "api_codings.json"
    payload.write_text(json.dumps([[d, c, lines] for (d, c), lines in groups.items()]))
    run([str(QC_VENV / "bin" / "python"), "-c", QC_API_LOADER, str(payload)], cwd=folder)


def qc_stored(folder: Path) -> tuple[list, list, set]:
    """What qc stores: coded lines with their paragraphs, the code table, and the codebook's codes."""
    con = sqlite3.connect(folder / "qualitative_coding.sqlite3")
    rows = sorted(
        con.execute(
            "SELECT di.document_id, cl.line, cl.coder_id, cl.code_id, l.start_line, l.end_line FROM coded_line cl "
            "JOIN coded_line_location_association a ON a.coded_line_id = cl.id JOIN location l ON l.id = a.location_id "
            "JOIN document_index di ON di.id = l.document_index_id"
        ).fetchall()
    )
    codes = sorted(r[0] for r in con.execute("SELECT name FROM code"))
    con.close()
    text = (folder / "codebook.yaml").read_text(encoding="utf-8")
    book = {line[2:].strip() for line in text.splitlines() if line.startswith("- ")}
    return rows, codes, book


QC_COMMANDS = {
    "frequencies": ["codes", "stats"],
    "frequencies_first": ["codes", "stats"],  # qc keeps nothing between runs: a change costs it nothing more
    "by_document": ["codes", "stats", "--by-document"],
    "cooccurrence": ["codes", "crosstab", *CROSSTAB_CODES, "-c", "ana"],
    "retrieval": ["codes", "find", QUOTE_CODE, "-B", "0", "-C", "0"],
}


def qc_groups(qc_dir: Path, db: Path) -> dict[str, Path]:
    """For each category of the survey variable, a file listing the documents of its councils (qc has no
    survey data: its nearest equivalent of a crosstab is one count over each group's files)."""
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT cv.value_text, d.name FROM documents d JOIN case_values cv ON cv.case_id = d.case_id "
        "JOIN variables v ON v.id = cv.variable_id WHERE v.name = ? ORDER BY d.name",
        (SURVEY_VARIABLE,),
    ).fetchall()
    con.close()
    groups: dict[str, list[str]] = {}
    for category, name in rows:
        groups.setdefault(category, []).append(name)
    files = {}
    for category, names in sorted(groups.items()):
        files[category] = qc_dir / f"group-{category}.txt"
        files[category].write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    return files


def qc_crosstab(qc_dir: Path, groups: dict[str, Path], *, out: Path | None = None) -> Run:
    """qc's count of documents per code in each group, one run per group, added up as one step."""
    total = Run(0.0, 0.0, 0, "")
    for category, listing in groups.items():
        cmd = [str(qc_bin()), "codes", "stats", "--unit", "document", "-f", str(listing)]
        if out is not None:
            cmd += ["-o", str(out.with_name(f"{out.stem}-{category}.csv"))]
        one = run(cmd, cwd=qc_dir)
        total = Run(
            total.seconds + one.seconds,
            total.cpu_seconds + one.cpu_seconds,
            max(total.max_rss_kb, one.max_rss_kb),
            "",
        )
    return total


# -- beacon-qual ---------------------------------------------------------------------------------------------
def bq_bin() -> str:
    beside = Path(sys.executable).parent / "beacon-qual"
    return str(beside) if beside.exists() else (shutil.which("beacon-qual") or "beacon-qual")


def codebook_yaml(folder: Path) -> Path:
    path = folder / "codebook.yaml"
    lines = [
        "# Invented flat codebook for benchmarks/compare_qc.py",
        "name: compare-qc codes",
        'version: "1"',
        "codes:",
    ]
    path.write_text("\n".join(lines + [f"  - name: {code}" for code in CODES]) + "\n", encoding="utf-8")
    return path


def bq_project(db: Path) -> Path:
    """A new project with the council register seeded and the codebook loaded."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    bq = bq_bin()
    run([bq, "-p", str(db), "init"])
    run([bq, "-p", str(db), "cases", "seed"])
    run([bq, "-p", str(db), "codebook", "load", str(codebook_yaml(db.parent))])
    return db


def bq_import(db: Path, corpus: Corpus) -> Run:
    return run([bq_bin(), "-p", str(db), "import", str(corpus.beacon)])


def line_starts(text: str) -> list[int]:
    starts = [0]
    at = text.find("\n")
    while at != -1:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def bq_load_codings(db: Path, corpus: Corpus) -> None:
    """Each coding as the offsets of its whole line (newline left out) in the stored text; one transaction."""
    from beacon_qual.store import Project, new_uuid, now

    project = Project.open(db)
    with project.transaction():
        coders = {name: project.coder_id(name) for name in CODERS}
        codes = dict(project.execute("SELECT name, id FROM codes").fetchall())
        documents = {
            name: (doc_id, text)
            for doc_id, name, text in project.execute("SELECT id, name, text FROM documents")
        }
        stamp = now()
        rows = []
        current, starts, text, doc_id = -1, [], "", 0
        for doc, line, coder, code in corpus.codings:
            if doc != current:
                doc_id, text = documents[corpus.names[doc]]
                starts, current = line_starts(text), doc
            start = starts[line]
            end = start + len(text[start:].split("\n", 1)[0])
            rows.append((new_uuid(), doc_id, codes[code], coders[coder], start, end, stamp))
        project.conn.executemany(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at) "
            "VALUES (?,?,?,?,?,?,?)",
            rows,
        )
    project.close()


def bq_commands(db: Path) -> dict[str, list[str]]:
    base = [bq_bin(), "-p", str(db)]
    return {
        "frequencies": [*base, "export", "frequencies"],
        "by_document": [*base, "export", "frequencies", "--by", "document"],
        "frequencies_first": [*base, "export", "frequencies"],
        "cooccurrence": [*base, "cooccurrence", *CROSSTAB_CODES, "--coder", "ana"],
        "crosstab": [*base, "crosstab", "--variable", SURVEY_VARIABLE, "--unit", "document"],
        # --speaker any: qc lists every coded line, whoever speaks it (quotes' own default is respondents)
        "retrieval": [*base, "quotes", QUOTE_CODE, "--speaker", "any"],
    }


def write_survey(path: Path) -> None:
    """An invented survey of the 2008 councils, one wave: a category (SURVEY_VARIABLE) and a score."""
    from beacon_qual.cases.councils import load_register

    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["council", "wave", SURVEY_VARIABLE, "score"])
        for entry in load_register():
            kind = rng.choice(["county", "district", "unitary", "metropolitan"])
            out.writerow([entry.name, 1, kind, f"{rng.uniform(0, 100):.1f}"])


def bq_survey(db: Path) -> None:
    survey = db.with_name("survey.csv")
    write_survey(survey)
    subprocess.run(
        [bq_bin(), "-p", str(db), "survey", "import", str(survey)], check=True, stdout=subprocess.DEVNULL
    )


def bq_change(db: Path, undo: bool) -> None:
    """One coding added (or that addition undone) through the command line, as a coder would: the next
    export is the first after a change."""
    on = [bq_bin(), "-p", str(db)]
    if undo:
        cmd = [*on, "coding", "undo", "--coder", "bench"]
    else:
        cmd = [*on, "coding", "add", "--document", "1", "--start", "0", "--end", "5"]
        cmd += ["--code", CODES[0], "--coder", "bench"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


SERVICE_SCRIPT = """
import json, sys
sys.path.insert(0, {here!r})
from compare_qc import service_times
print(json.dumps(service_times({db!r}, {runs})))
"""


def service_times(db: str, runs: int) -> dict[str, float]:
    """Median seconds of each service call in this process (the project opened once)."""
    from beacon_qual.analysis.cooccurrence import cooccurrence
    from beacon_qual.analysis.crosstab import crosstab
    from beacon_qual.analysis.frequencies import frequencies
    from beacon_qual.analysis.quotes import quotes
    from beacon_qual.analysis.selection import Filters
    from beacon_qual.store import Project

    project = Project.open(db)
    calls = {
        "frequencies": lambda: frequencies(project),
        "by_document": lambda: frequencies(project, by=("document",)),
        "cooccurrence": lambda: cooccurrence(project, Filters(codes=CROSSTAB_CODES, coders=("ana",))),
        "crosstab": lambda: crosstab(project, SURVEY_VARIABLE, unit="document"),
        "retrieval": lambda: quotes(project, [QUOTE_CODE]),
    }
    out = {}
    for row, call in calls.items():
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            call()
            seconds.append(time.perf_counter() - started)
        out[row] = statistics.median(seconds)
    started = time.perf_counter()
    digest = hashlib.sha256()
    with open(db, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    out["digest"] = time.perf_counter() - started
    return out


# -- do both tools answer the same? --------------------------------------------------------------------------
def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def compare(corpus: Corpus, qc_dir: Path, db: Path) -> dict[str, str]:
    """For each analysis row: 'same' or what differs, from parseable outputs of both tools."""
    qc, bq = str(qc_bin()), bq_commands(db)
    verdicts: dict[str, str] = {}

    out = qc_dir / "check.csv"
    run([qc, "codes", "stats", "-o", str(out)], cwd=qc_dir)
    qc_freq = {r["Code"]: int(r["Count"]) for r in parse_csv(out.read_text())}
    bq_freq = {r["code"]: int(r["codings"]) for r in parse_csv(run(bq["frequencies"], capture=True).stdout)}
    verdicts["frequencies"] = verdict(qc_freq, {k: v for k, v in bq_freq.items() if v})

    run([qc, "codes", "stats", "--by-document", "-o", str(out)], cwd=qc_dir)
    header, *rows = csv.reader(io.StringIO(out.read_text()))
    # qc writes no heading for the code column: the headings are the documents and "Total"
    qc_docs = {(r[0], doc): int(n) for r in rows for doc, n in zip(header[:-1], r[1:-1]) if int(n)}
    bq_docs = {
        (r["code"], r["document"]): int(r["codings"])
        for r in parse_csv(run([*bq["by_document"], "--format", "csv"], capture=True).stdout)
        if int(r["codings"])
    }
    verdicts["by_document"] = verdict(qc_docs, bq_docs)

    verdicts["frequencies_first"] = verdicts["frequencies"]
    verdicts["cooccurrence"] = compare_crosstab(qc_dir, db, ["-c", "ana"], ["--coder", "ana"])
    verdicts["crosstab_pooled"] = compare_crosstab(qc_dir, db, [], [])

    groups = qc_groups(qc_dir, db)
    qc_crosstab(qc_dir, groups, out=out)
    qc_groups_counts = {
        (r["Code"], category): int(r["Count"])
        for category in groups
        for r in parse_csv(out.with_name(f"{out.stem}-{category}.csv").read_text())
    }
    bq_groups = {
        (r["code"], r["category"]): int(r["documents"])
        for r in parse_csv(run([*bq["crosstab"], "--format", "csv"], capture=True).stdout)
    }
    verdicts["crosstab"] = verdict(
        {k: v for k, v in qc_groups_counts.items() if v}, {k: v for k, v in bq_groups.items() if v}
    )

    qc_found = json.loads(run([qc, "codes", "find", QUOTE_CODE, "--json"], cwd=qc_dir, capture=True).stdout)
    qc_lines = {(r["document"], r["line"]) for r in qc_found}
    starts = {name: line_starts((corpus.texts / name).read_text(encoding="utf-8")) for name in corpus.names}
    bq_quotes = parse_csv(run([*bq["retrieval"], "--format", "csv"], capture=True).stdout)
    bq_lines = {(q["document"], bisect_right(starts[q["document"]], int(q["start"])) - 1) for q in bq_quotes}
    expected = sum(1 for _d, _l, _c, code in corpus.codings if code == QUOTE_CODE)
    if qc_lines != bq_lines:
        verdicts["retrieval"] = f"different lines ({len(qc_lines)} in qc, {len(bq_lines)} in beacon-qual)"
    elif len(bq_quotes) != expected:
        verdicts["retrieval"] = f"beacon-qual lists {len(bq_quotes)} codings, expected {expected}"
    else:
        verdicts["retrieval"] = "same"
    return verdicts


def compare_crosstab(qc_dir: Path, db: Path, qc_coder: list[str], bq_coder: list[str]) -> str:
    out = qc_dir / "check.csv"
    run([str(qc_bin()), "codes", "crosstab", *CROSSTAB_CODES, *qc_coder, "-o", str(out)], cwd=qc_dir)
    qc_cells = {
        (r["code"], col): int(v) for r in parse_csv(out.read_text()) for col, v in r.items() if col != "code"
    }
    text = run([*bq_commands(db)["cooccurrence"][:-2], *bq_coder, "--format", "csv"], capture=True).stdout
    bq_cells: dict[tuple[str, str], int] = {}
    for r in parse_csv(text):
        bq_cells[(r["code_a"], r["code_b"])] = bq_cells[(r["code_b"], r["code_a"])] = int(r["n_ab"])
        bq_cells[(r["code_a"], r["code_a"])] = int(r["n_a"])
        bq_cells[(r["code_b"], r["code_b"])] = int(r["n_b"])
    return verdict({k: v for k, v in qc_cells.items() if v}, {k: v for k, v in bq_cells.items() if v})


def verdict(qc: dict, bq: dict) -> str:
    if qc == bq:
        return "same"
    keys = sorted(set(qc) | set(bq), key=str)
    wrong = [k for k in keys if qc.get(k) != bq.get(k)]
    first = wrong[0]
    return f"{len(wrong)} of {len(keys)} counts differ, e.g. {first}: qc {qc.get(first)}, beacon-qual {bq.get(first)}"


def sentences_are_lines(db: Path) -> str:
    """Every coding (one line) overlaps exactly one sentence, which lies inside the line: so co-occurrence
    within sentences is co-occurrence within lines, as qc counts it."""
    con = sqlite3.connect(db)
    bad = con.execute(
        "SELECT count(*) FROM codings c WHERE (SELECT count(*) FROM units u WHERE u.document_id = c.document_id "
        "AND u.kind = 'sentence' AND u.start < c.end AND u.end > c.start AND u.start >= c.start "
        "AND u.end <= c.end) != 1 OR (SELECT count(*) FROM units u WHERE u.document_id = c.document_id "
        "AND u.kind = 'sentence' AND u.start < c.end AND u.end > c.start) != 1"
    ).fetchone()[0]
    con.close()
    return "yes" if bad == 0 else f"no: {bad} codings overlap other than one sentence"


def check(seed: int) -> dict[str, str]:
    """On a small corpus: qc's API stores what the bulk load writes, and both tools give the same answers."""
    corpus = build_corpus(Spec(CHECK_DOCUMENTS, CHECK_LINES, seed))
    api_dir, bulk_dir = qc_project(ROOT / "check-qc-api"), qc_project(ROOT / "check-qc-bulk")
    for folder in (api_dir, bulk_dir):
        qc_import(folder, corpus)
    qc_api_codings(api_dir, corpus)
    qc_load_codings(bulk_dir, corpus)
    api, bulk = qc_stored(api_dir), qc_stored(bulk_dir)
    if api != bulk:
        raise SystemExit("qc's API and the bulk load store different codings; the comparison would be unfair")
    db = bq_project(ROOT / "check-beacon.db")
    bq_import(db, corpus)
    bq_load_codings(db, corpus)
    bq_survey(db)
    verdicts = compare(corpus, bulk_dir, db)
    verdicts["sentences are lines"] = sentences_are_lines(db)
    verdicts["qc API = bulk load"] = f"yes ({len(api[0])} coded lines)"
    return verdicts


def count_rows(db: Path, table: str) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


# -- one corpus size ------------------------------------------------------------------------------------------
@dataclass
class Result:
    corpus: Corpus
    qc: dict[str, Timing]
    bq: dict[str, Timing]
    service: dict[str, float]
    verdicts: dict[str, str]


def measure(spec: Spec, runs: int, budget: float, reuse: bool) -> Result:
    started = time.perf_counter()
    corpus = build_corpus(spec)
    print(
        f"[{spec.documents} documents] corpus ready in {time.perf_counter() - started:.1f} s: "
        f"{corpus.text_lines:,} text lines, {len(corpus.codings):,} codings",
        flush=True,
    )
    qc_dir, db = ROOT / f"qc-{spec.key}", ROOT / f"beacon-{spec.key}.db"
    qc_times: dict[str, Timing] = {}
    bq_times: dict[str, Timing] = {}
    if not (reuse and qc_dir.is_dir() and db.is_file()):
        qc_times["import"], bq_times["import"] = repeat(
            (lambda: qc_import(qc_project(qc_dir), corpus), lambda: bq_import(bq_project(db), corpus)),
            runs,
            budget,
        )
        print(
            f"  import: qc {qc_times['import'].median:.2f} s, beacon-qual {bq_times['import'].median:.2f} s"
        )
    if not count_rows(qc_dir / "qualitative_coding.sqlite3", "coded_line"):
        qc_load_codings(qc_dir, corpus)
    if not count_rows(db, "codings"):
        bq_load_codings(db, corpus)
    if not count_rows(db, "case_values"):
        bq_survey(db)
    clear_bench_codings(bq_bin(), db)  # an interrupted run's change would make the answers differ
    verdicts = compare(corpus, qc_dir, db)
    qc = str(qc_bin())
    bq_cmds = bq_commands(db)
    groups = qc_groups(qc_dir, db)
    changes = iter(range(1_000_000))

    def first_after_a_change() -> Run:
        bq_change(db, undo=next(changes) % 2 == 1)  # not timed
        return run(bq_cmds["frequencies_first"])

    for row in ROWS[1:]:
        qc_step: Callable[[], Run] = (
            (lambda: qc_crosstab(qc_dir, groups))
            if row == "crosstab"
            else (lambda row=row: run([qc, *QC_COMMANDS[row]], cwd=qc_dir))
        )
        bq_step: Callable[[], Run] = (
            first_after_a_change if row == "frequencies_first" else (lambda row=row: run(bq_cmds[row]))
        )
        qc_times[row], bq_times[row] = repeat((qc_step, bq_step), runs, budget)
        if row == "frequencies_first":
            clear_bench_codings(bq_bin(), db)
        print(
            f"  {row}: qc {qc_times[row].median:.2f} s, beacon-qual {bq_times[row].median:.3f} s", flush=True
        )
    script = SERVICE_SCRIPT.format(here=str(HERE), db=str(db), runs=runs)
    service = json.loads(run([sys.executable, "-c", script], capture=True).stdout)
    return Result(corpus, qc_times, bq_times, service, verdicts)


# -- the table ----------------------------------------------------------------------------------------------
def target(row: str, documents: int) -> int:
    """How many times faster than qc beacon-qual should be: faster everywhere, and at 1,000 documents
    10x on frequencies and 100x on frequencies by document and on the co-occurrence."""
    return TARGETS_AT_1000.get(row, 1) if documents >= 1000 else 1


def table(result: Result) -> str:
    spec, corpus = result.corpus.spec, result.corpus
    per_coder = Counter(c[2] for c in corpus.codings)
    coded = len({(d, line) for d, line, _c, _code in corpus.codings})
    head = (
        f"{spec.documents:,} documents x {spec.lines:,} lines ({corpus.text_lines:,} text lines; "
        f"{coded:,} lines coded = {coded / (spec.documents * spec.lines):.1%}); "
        f"{len(corpus.codings):,} codings ("
        + ", ".join(f"{k} {v:,}" for k, v in sorted(per_coder.items()))
        + ")"
    )
    lines = [
        head,
        "",
        (
            "| step | qc (s) | beacon-qual CLI (s) | qc / beacon-qual | target | CPU s qc / beacon-qual "
            "| beacon-qual in-process (s) | peak MB qc / beacon-qual | runs | same answer |"
        ),
        "|---|---:|---:|---:|---|---:|---:|---:|---|---|",
    ]
    for row in ROWS:
        if row not in result.bq:
            continue
        qc, bq = result.qc[row], result.bq[row]
        same = "n/a" if row == "import" else result.verdicts.get(row, "?")
        qc_cell = f"{qc.median:.3f}" if same in ("same", "n/a") else f"({qc.median:.3f}, answer differs)"
        service = result.service.get(row)
        ratio, goal = qc.median / bq.median, target(row, spec.documents)
        lines.append(
            f"| {ROW_LABELS[row]} | {qc_cell} | {bq.median:.3f} | {ratio:.{2 if ratio < 10 else 0}f}x | "
            f"{goal}x {'met' if ratio >= goal else 'missed'} | "
            f"{qc.cpu:.2f} / {bq.cpu:.2f} | {f'{service:.3f}' if service is not None else '-'} | "
            f"{qc.peak_mb:.0f} / {bq.peak_mb:.0f} | {len(qc.runs)}/{len(bq.runs)} | {same} |"
        )
    notes = [
        (
            "beacon-qual's provenance names the project's state without reading the file, so a first export after "
            "a change costs what a repeated one does (benchmarks/command_times.py times both); --file-hash would "
            f"add the file's SHA-256: +{result.service['digest']:.3f} s here."
        )
    ]
    pooled = result.verdicts.get("crosstab_pooled")
    if pooled:
        notes.append(f"Crosstab of both coders pooled (not timed): {pooled}.")
    lines += ["", *notes]
    return "\n".join(lines)


def summary(results: list[Result]) -> str:
    """Every size's rows in one table: both tools' medians, the ratio against its target, peak memory."""
    lines = [
        (
            "| documents | step | qc (s) | beacon-qual (s) | qc / beacon-qual | target | peak MB qc / beacon-qual "
            "| same answer |"
        ),
        "|---:|---|---:|---:|---:|---|---:|---|",
    ]
    for result in results:
        documents = result.corpus.spec.documents
        for row in ROWS:
            if row not in result.bq:
                continue
            qc, bq = result.qc[row], result.bq[row]
            same = "n/a" if row == "import" else result.verdicts.get(row, "?")
            ratio, goal = qc.median / bq.median, target(row, documents)
            lines.append(
                f"| {documents:,} | {ROW_LABELS[row]} | {qc.median:.3f} | {bq.median:.3f} | "
                f"{ratio:.{2 if ratio < 10 else 0}f}x | {goal}x {'met' if ratio >= goal else 'missed'} | "
                f"{qc.peak_mb:.0f} / {bq.peak_mb:.0f} | {same} |"
            )
    return "\n".join(lines)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    return (
        f"{cpu}; {os.cpu_count()} CPUs; {int(memory) / 1024**2:.1f} GiB RAM; "
        f"Python {platform.python_version()}; qc {qc_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="numbers of documents, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per step (the median is shown)")
    parser.add_argument("--lines", type=int, default=2000, help="lines per document")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--budget",
        type=float,
        default=900.0,
        help="stop repeating a step once its runs took this many seconds together",
    )
    parser.add_argument("--quick", action="store_true", help=f"a smoke run: {QUICK}")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the projects of an earlier run with the same settings (import is not timed)",
    )
    args = parser.parse_args()
    sizes, lines = (QUICK["sizes"], QUICK["lines"]) if args.quick else (args.sizes, args.lines)
    ROOT.mkdir(parents=True, exist_ok=True)
    qc_bin()
    print(f"machine: {machine()}", flush=True)
    verdicts = check(args.seed)
    print(f"check on a small corpus ({CHECK_DOCUMENTS} documents x {CHECK_LINES} lines):")
    for key, value in verdicts.items():
        print(f"  {key}: {value}")
    results = []
    for documents in (int(s) for s in sizes.split(",")):
        results.append(measure(Spec(documents, lines, args.seed), args.runs, args.budget, args.reuse))
        print("\n" + table(results[-1]) + "\n", flush=True)
    print("\n\n".join(["== all sizes ==", *(table(r) for r in results), "== one table ==", summary(results)]))


if __name__ == "__main__":
    main()
