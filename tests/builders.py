"""Test projects, built through one builder.

A test describes the project it needs as a :class:`Spec` and gets a file built to it. Tests take the fixtures
``make_project`` (an open :class:`Project`, closed after the test) or ``make_project_file`` (the path of a
closed file) from ``conftest.py``; both build each distinct spec once per test process and give every test a
copy of its own, so a test may change its project freely; fixtures of module scope use the session fixture
``project_maker`` (``project_maker.file(dest, spec)``). ``build(path, spec)`` builds a file directly, uncached.

What a spec holds, built in this order:

- ``councils``: ``"register"`` for the 388 councils of the 2008 register with their spellings
  (``seed_cases``), or ``(code, name)`` or ``(code, name, type)`` rows for councils of the test's own.
- ``codebook``: a codebook loaded as ``codebook load`` loads it: a YAML file, or (a str) the YAML text.
- ``codes``: :class:`Code` rows, parents before children (a code's parent is named by its path).
- ``coders``: coders created in this order (ids 1, 2, ...).
- ``documents``: :class:`Doc` rows inserted directly, with the units their ``units`` give:
  ``"lines"`` for a turn per line ``Label: words`` and a sentence per ``.``/``?`` in a turn's words
  (:func:`add_units`), ``None`` for none, or explicit :class:`Unit` rows.
- ``transcripts``: ``(file name, text)`` pairs written to a folder beside the project and imported as
  ``import`` imports that folder; ``examples``: file names from ``transcripts_example/`` imported in order.
- ``codings``: :class:`Coding` rows inserted directly (document by name, code by path, coder by name).
- ``memos``: :class:`Memo` rows.
- ``survey``: :class:`Variable` rows with their values per council and wave.
- ``meta``: project meta values (e.g. ``codebook_version``).

``ANALYSIS`` is the project of the analysis tests, every number of it listed in the comment above it;
``TINY`` is the one-interview project of the workbench and coding tests.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store.schema import APPLICATION_ID, MIGRATIONS

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "transcripts_example"


@dataclass(frozen=True)
class Unit:
    kind: Literal["sentence", "turn"]
    seq: int
    start: int
    end: int
    speaker: str | None = None


@dataclass(frozen=True)
class Doc:
    """A document inserted directly: ``council`` is a case's code; word count and SHA-256 from the text."""

    name: str
    text: str
    council: str | None = None
    phase: int | None = None
    role: str | None = None
    units: Literal["lines"] | tuple[Unit, ...] | None = "lines"


@dataclass(frozen=True)
class Code:
    """A code by path ("Parent/Child"); the parent is added before it."""

    path: str
    codable: bool = True
    colour: str | None = None
    keywords: tuple[str, ...] = ()
    sort_order: int = 0


@dataclass(frozen=True)
class Coding:
    document: str
    code: str
    coder: str
    start: int
    end: int
    memo: str | None = None


@dataclass(frozen=True)
class Memo:
    """A memo on the project (target None), a document (its name) or a coding (its index in ``codings``)."""

    target_type: Literal["project", "document", "coding", "code"]
    target: str | int | None
    text: str


@dataclass(frozen=True)
class Variable:
    """A survey variable with its values by (council code, wave); levels for categorical and ordinal ones.

    Values are stored as the survey importer stores them: ordinal ones as the level's index and its name,
    booleans as 1/0 and "true"/"false", numbers as numbers, categories as text."""

    name: str
    type: Literal["categorical", "numeric", "ordinal", "boolean"]
    values: tuple[tuple[str, int, str | float | bool], ...]
    levels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Spec:
    councils: Literal["register"] | tuple[tuple[str, ...], ...] = ()
    codebook: Path | str | None = None
    codes: tuple[Code, ...] = ()
    coders: tuple[str, ...] = ()
    documents: tuple[Doc, ...] = ()
    transcripts: tuple[tuple[str, str], ...] = ()
    examples: tuple[str, ...] = ()
    codings: tuple[Coding, ...] = ()
    memos: tuple[Memo, ...] = ()
    survey: tuple[Variable, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()


def spec(**options: object) -> Spec:
    """A :class:`Spec` from keyword options; lists become tuples and a ``meta`` dict becomes pairs."""
    fixed: dict[str, object] = {}
    for key, value in options.items():
        if isinstance(value, Mapping):
            value = tuple(value.items())
        elif isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, str) and key == "codes":
            raise TypeError("codes is a sequence of Code or of code names")
        if key == "codes":
            value = tuple(c if isinstance(c, Code) else Code(c) for c in value)  # type: ignore[attr-defined]
        fixed[key] = value
    return Spec(**fixed)  # type: ignore[arg-type]


def build(path: Path, spec: Spec) -> Project:
    """A new project at ``path`` built to ``spec``, left open."""
    project = Project.create(path)
    if spec.councils == "register":
        from beacon_qual.cases.councils import seed_cases

        seed_cases(project)
    if spec.codebook is not None:
        from beacon_qual.codebook.load import load_codebook

        book = spec.codebook
        if isinstance(book, str):
            book = path.parent / f"{path.stem}-codebook.yaml"
            book.write_text(spec.codebook, encoding="utf-8")  # type: ignore[arg-type]
        load_codebook(project, book)
    stamp = now()
    with project.transaction():
        for key, value in spec.meta:
            project.set_meta(key, value)
        if spec.councils != "register":
            for code, name, *kind in spec.councils:
                project.execute(
                    "INSERT INTO cases(uuid, code, name, type, created_at) VALUES (?,?,?,?,?)",
                    (new_uuid(), code, name, kind[0] if kind else None, stamp),
                )
        for coder in spec.coders:
            project.execute(
                "INSERT INTO coders(uuid, name, created_at) VALUES (?,?,?)", (new_uuid(), coder, stamp)
            )
        for code in spec.codes:
            _add_code(project, code, stamp)
        for doc in spec.documents:
            _add_document(project, doc, stamp)
    if spec.transcripts or spec.examples:
        from beacon_qual.ingest.importer import import_paths

        paths: list[Path] = [EXAMPLES / name for name in spec.examples]
        if spec.transcripts:
            folder = path.parent / f"{path.stem}-transcripts"
            folder.mkdir()
            for name, text in spec.transcripts:
                (folder / name).write_text(text, encoding="utf-8")
            paths.append(folder)
        import_paths(project, paths)
    with project.transaction():
        coding_ids = [_add_coding(project, coding, stamp) for coding in spec.codings]
        for memo in spec.memos:
            _add_memo(project, memo, coding_ids, stamp)
        for variable in spec.survey:
            _add_variable(project, variable)
    return project


def _add_code(project: Project, code: Code, stamp: str) -> None:
    parent_path, _, name = code.path.rpartition("/")
    parent = code_id(project, parent_path) if parent_path else None
    project.execute(
        "INSERT INTO codes(uuid, parent_id, name, codable, colour, keywords, sort_order, created_at)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (
            new_uuid(),
            parent,
            name,
            int(code.codable),
            code.colour,
            json.dumps(list(code.keywords)),
            code.sort_order,
            stamp,
        ),
    )


def code_id(project: Project, path: str) -> int:
    """The id of the code at ``path`` ("Parent/Child")."""
    parent = None
    for name in path.split("/"):
        parent = project.scalar("SELECT id FROM codes WHERE name = ? AND parent_id IS ?", (name, parent))
        if parent is None:
            raise KeyError(path)
    assert parent is not None
    return parent


def _add_document(project: Project, doc: Doc, stamp: str) -> None:
    case = project.scalar("SELECT id FROM cases WHERE code = ?", (doc.council,)) if doc.council else None
    doc_id = project.execute(
        "INSERT INTO documents(uuid, name, text, sha256, case_id, phase, role, word_count, imported_at)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        (
            new_uuid(),
            doc.name,
            doc.text,
            hashlib.sha256(doc.text.encode()).hexdigest(),
            case,
            doc.phase,
            doc.role,
            len(doc.text.split()),
            stamp,
        ),
    ).lastrowid
    assert doc_id is not None
    if doc.units == "lines":
        add_units(project, doc_id, doc.text)
    elif doc.units:
        for unit in doc.units:
            project.execute(
                "INSERT INTO units(document_id, kind, seq, start, end, speaker) VALUES (?,?,?,?,?,?)",
                (doc_id, unit.kind, unit.seq, unit.start, unit.end, unit.speaker),
            )


def equal_sentences(text: str, n: int) -> tuple[Unit, ...]:
    """``n`` sentences of equal length (``len(text) // n``) from the start of ``text``."""
    step = len(text) // n
    return tuple(Unit("sentence", i, i * step, (i + 1) * step) for i in range(n))


def add_units(project: Project, document_id: int, text: str) -> None:
    """Turns are lines 'Label: words'; sentences end with . or ? inside a turn's words."""
    pos = 0
    for seq, line in enumerate(text.split("\n")):
        if line.strip():
            label, _, _ = line.partition(":")
            project.execute(
                "INSERT INTO units(document_id, kind, seq, start, end, speaker) VALUES (?, 'turn', ?, ?, ?, ?)",
                (document_id, seq, pos, pos + len(line), label),
            )
            body = pos + len(label) + 1
            for m in re.finditer(r"[^.?]+[.?]", text[body : pos + len(line)]):
                lead = len(m.group()) - len(m.group().lstrip())
                project.execute(
                    "INSERT INTO units(document_id, kind, seq, start, end) VALUES (?, 'sentence', 0, ?, ?)",
                    (document_id, body + m.start() + lead, body + m.end()),
                )
        pos += len(line) + 1


def _add_coding(project: Project, coding: Coding, stamp: str) -> int:
    row = project.execute(
        "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, memo, created_at)"
        " VALUES (?, (SELECT id FROM documents WHERE name = ?), ?, (SELECT id FROM coders WHERE name = ?),"
        " ?, ?, ?, ?)",
        (
            new_uuid(),
            coding.document,
            code_id(project, coding.code),
            coding.coder,
            coding.start,
            coding.end,
            coding.memo,
            stamp,
        ),
    ).lastrowid
    assert row is not None
    return row


def _add_memo(project: Project, memo: Memo, coding_ids: Sequence[int], stamp: str) -> None:
    if memo.target_type == "coding":
        assert isinstance(memo.target, int)
        target: int | None = coding_ids[memo.target]
    elif memo.target_type == "document":
        target = project.scalar("SELECT id FROM documents WHERE name = ?", (memo.target,))
    elif memo.target_type == "code":
        assert isinstance(memo.target, str)
        target = code_id(project, memo.target)
    else:
        target = None
    project.execute(
        "INSERT INTO memos(uuid, target_type, target_id, text, created_at) VALUES (?,?,?,?,?)",
        (new_uuid(), memo.target_type, target, memo.text, stamp),
    )


def _add_variable(project: Project, variable: Variable) -> None:
    var_id = project.execute(
        "INSERT INTO variables(uuid, name, type, levels) VALUES (?,?,?,?)",
        (
            new_uuid(),
            variable.name,
            variable.type,
            json.dumps(list(variable.levels)) if variable.levels else None,
        ),
    ).lastrowid
    for council, wave, value in variable.values:
        if variable.type == "numeric":
            num, text = value, None
        elif variable.type == "ordinal":
            assert variable.levels is not None
            num, text = variable.levels.index(str(value)), value
        elif variable.type == "boolean":
            num, text = int(bool(value)), "true" if value else "false"
        else:
            num, text = None, value
        project.execute(
            "INSERT INTO case_values(variable_id, case_id, wave, value_num, value_text)"
            " VALUES (?, (SELECT id FROM cases WHERE code = ?), ?, ?, ?)",
            (var_id, council, wave, num, text),
        )


def older_schema(path: Path, version: int) -> sqlite3.Connection:
    """A project file as beacon-qual wrote it at schema ``version`` (empty), opened without migrating."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for script in MIGRATIONS[:version]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {version}")
    return conn


def index_dump(project: Project) -> list[tuple]:
    """Every (term, unit id, column, offset) the full-text index holds, read through fts5vocab."""
    project.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, unit_fts, instance)"
    )
    return project.execute(
        "SELECT term, doc, col, offset FROM temp.fts_terms ORDER BY doc, offset, term"
    ).fetchall()


# -- the tiny project: one council, one interview, a two-level code tree -----------------------------------------

DOC_TEXT = (
    "Interviewer: How did you learn from the Beacon council?\n"
    "Respondent: We went on a site visit. We copied their forms at first. "
    "Later we adapted the scheme to our rural districts.\n"
)
TINY = spec(
    councils=[("XYZ", "Example Borough Council", "district")],
    documents=[Doc("doc1.txt", DOC_TEXT, council="XYZ", phase=1, role="officer")],
    codes=[
        Code("Innovation", codable=False),
        Code("Innovation/Adoption", colour="#88c0d0"),
        Code("Innovation/Adaptation", colour="#88c0d0"),
    ],
)


def with_codes(*names: str) -> Spec:
    """A project with the council register and top-level codes of these names."""
    return spec(councils="register", codes=list(names))


# -- the analysis project ----------------------------------------------------------------------------------------
# The project of the analysis tests: every expected number in them can be counted by hand from this.
#
# Every document has ten sentences of 20 characters, joined by single spaces: sentence i is
# ``TEXT[21 * i : 21 * i + 20]`` ("Sentence 03 is here."), and two speaker turns: turn 0 is
# sentences 0-4, [0, 104), turn 1 is sentences 5-9, [105, 209).
#
# Councils (register code): AAA Aville, BBB Bton, CCC Cford, DDD Dham, EEE Eby (no documents).
#
# Codes (path, id):   1 Innovation
#                     2 Innovation/Learning to innovate
#                     3 Innovation/Learning to innovate/Adaptation
#                     4 Innovation/Imitation
#                     5 Barriers
#
# Documents (id, name, council, phase, role):
#     1 a1.txt AAA 1 officer      2 a2.txt AAA 2 member
#     3 b1.txt BBB 1 officer      4 b3.txt BBB 3 partner
#     5 c2.txt CCC 2 officer      6 c3.txt CCC 3 officer
#     7 d3.txt DDD 3 member       8 d1.txt DDD 1 officer (never coded)
#
# Coders (id): 1 alice, 2 bob.
#
# Codings (number: document, code, coder, span, sentence):
#     c1: 1 Imitation alice [0,20) s0        c2: 1 Adaptation alice [0,41) s0-s1
#     c3: 1 Barriers alice [63,83) s3        c4: 1 Imitation bob [0,20) s0
#     c5: 2 Adaptation alice [42,62) s2      c6: 2 Learning to innovate alice [42,62) s2
#     c7: 3 Imitation alice [21,41) s1       c8: 3 Imitation alice [105,125) s5
#     c9: 3 Barriers bob [21,41) s1          c10: 4 Adaptation bob [84,125) s4-s5
#     c11: 4 Barriers bob [105,125) s5       c12: 5 Learning to innovate alice [0,20) s0
#     c13: 5 Barriers alice [5,15) in s0     c14: 6 Adaptation alice [147,167) s7
#     c15: 6 Adaptation bob [147,167) s7     c16: 7 Adaptation alice [189,209) s9
#     c17: 7 Imitation alice [168,188) s8
#
# Survey (wave 1 unless said):
#     region_type (categorical urban/rural): AAA urban, BBB urban, CCC rural, DDD rural, EEE rural
#     innovation_score (numeric): wave 1 AAA 10, BBB 20, CCC 30, DDD 40, EEE 50;
#                                 wave 2 AAA -5, BBB 15, CCC 25, DDD 35
#     satisfaction (ordinal Low/Medium/High): AAA Low, BBB High, CCC Medium, DDD High
#     beacon (boolean): AAA true, BBB false, CCC true, DDD false
#

SENTENCES = 10
TEXT = " ".join(f"Sentence {i:02d} is here." for i in range(SENTENCES))
ADAPTATION = "Innovation/Learning to innovate/Adaptation"
LEARNING = "Innovation/Learning to innovate"
IMITATION = "Innovation/Imitation"
INNOVATION = "Innovation"
BARRIERS = "Barriers"
ALICE, BOB = 1, 2  # coder ids

_ANALYSIS_UNITS = tuple(Unit("sentence", i, 21 * i, 21 * i + 20) for i in range(SENTENCES)) + (
    Unit("turn", 0, 0, 104, "R"),
    Unit("turn", 1, 105, 209, "R"),
)
_A, _B = "alice", "bob"
ANALYSIS = spec(
    meta={"codebook_version": "test-1"},
    coders=[_A, _B],
    councils=[("AAA", "Aville"), ("BBB", "Bton"), ("CCC", "Cford"), ("DDD", "Dham"), ("EEE", "Eby")],
    codes=[
        Code(INNOVATION),
        Code(LEARNING),
        Code(ADAPTATION),
        Code(IMITATION, sort_order=1),
        Code(BARRIERS, sort_order=1),
    ],
    documents=[
        Doc(name, TEXT, council, phase, role, units=_ANALYSIS_UNITS)
        for name, council, phase, role in (
            ("a1.txt", "AAA", 1, "officer"),
            ("a2.txt", "AAA", 2, "member"),
            ("b1.txt", "BBB", 1, "officer"),
            ("b3.txt", "BBB", 3, "partner"),
            ("c2.txt", "CCC", 2, "officer"),
            ("c3.txt", "CCC", 3, "officer"),
            ("d3.txt", "DDD", 3, "member"),
            ("d1.txt", "DDD", 1, "officer"),
        )
    ],
    codings=[
        Coding("a1.txt", IMITATION, _A, 0, 20),
        Coding("a1.txt", ADAPTATION, _A, 0, 41),
        Coding("a1.txt", BARRIERS, _A, 63, 83),
        Coding("a1.txt", IMITATION, _B, 0, 20),
        Coding("a2.txt", ADAPTATION, _A, 42, 62),
        Coding("a2.txt", LEARNING, _A, 42, 62),
        Coding("b1.txt", IMITATION, _A, 21, 41),
        Coding("b1.txt", IMITATION, _A, 105, 125),
        Coding("b1.txt", BARRIERS, _B, 21, 41),
        Coding("b3.txt", ADAPTATION, _B, 84, 125),
        Coding("b3.txt", BARRIERS, _B, 105, 125),
        Coding("c2.txt", LEARNING, _A, 0, 20),
        Coding("c2.txt", BARRIERS, _A, 5, 15),
        Coding("c3.txt", ADAPTATION, _A, 147, 167),
        Coding("c3.txt", ADAPTATION, _B, 147, 167),
        Coding("d3.txt", ADAPTATION, _A, 189, 209),
        Coding("d3.txt", IMITATION, _A, 168, 188),
    ],
    survey=[
        Variable(
            "region_type",
            "categorical",
            (
                ("AAA", 1, "urban"),
                ("BBB", 1, "urban"),
                ("CCC", 1, "rural"),
                ("DDD", 1, "rural"),
                ("EEE", 1, "rural"),
            ),
            levels=("urban", "rural"),
        ),
        Variable(
            "innovation_score",
            "numeric",
            (("AAA", 1, 10), ("BBB", 1, 20), ("CCC", 1, 30), ("DDD", 1, 40), ("EEE", 1, 50))
            + (("AAA", 2, -5), ("BBB", 2, 15), ("CCC", 2, 25), ("DDD", 2, 35)),
        ),
        Variable(
            "satisfaction",
            "ordinal",
            (("AAA", 1, "Low"), ("BBB", 1, "High"), ("CCC", 1, "Medium"), ("DDD", 1, "High")),
            levels=("Low", "Medium", "High"),
        ),
        Variable(
            "beacon", "boolean", (("AAA", 1, True), ("BBB", 1, False), ("CCC", 1, True), ("DDD", 1, False))
        ),
    ],
)


def sentence(i: int) -> str:
    """Sentence ``i`` of every document of the analysis project."""
    return TEXT[21 * i : 21 * i + 20]
