"""Malformed and hostile inputs to every importer: one clear line, a non-zero exit, the project untouched.

Each file of tests/bad_inputs/ (see its README.md) goes through the command line against a
seeded project (councils, the codebook, two interviews, a coding). The very large inputs,
a 200 MB file and 10 MB lines, are made here at test time. Property tests cover the offset
arithmetic of text normalisation and speaker-turn parsing on arbitrary text.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from beacon_qual.cli import main
from beacon_qual.coding import codings as coding
from beacon_qual.exchange.textmap import normalise
from beacon_qual.ingest.readers import decode
from beacon_qual.ingest.speakers import find_turns
from beacon_qual.store import Project
from beacon_qual.store.check import check_project

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "bad_inputs"
EXAMPLES = REPO / "transcripts_example"
BIG = 200 * 1024 * 1024
LONG_LINE = 10 * 1024 * 1024

# How each kind of input is imported; {file} is the input, {types_csv} a valid survey to read with a bad types file.
COMMANDS: dict[str, list[str]] = {
    "transcript_": ["import", "{file}"],
    "manifest_": ["import", "{file}"],
    "survey_types_": ["survey", "import", "{types_csv}", "--types", "{file}"],
    "survey_": ["survey", "import", "{file}", "--wave", "1"],
    "codebook_": ["codebook", "load", "{file}"],
    "qdc_": ["import-qdc", "{file}"],
    "qdpx_": ["import-qdpx", "{file}"],
}
NOT_INPUTS = {"README.md", "make_corpus.py", "survey_for_types.csv"}
# REFI-QDA projects from other tools are imported in part on purpose: what cannot be carried over is
# listed, and the rest comes in whole. These inputs check that the bad part is reported and left out.
PARTIAL = {
    "qdpx_partial_impossible_offsets.qdpx": "(15-4000) lies outside its text of 21 characters",
    "qdpx_partial_negative_offsets.qdpx": "(-5-3) lies outside its text of 21 characters",
    "qdpx_partial_unknown_code_ref.qdpx": "refers to code 99999999-0000-4000-8000-000000000009, which is not in",
    "qdpx_partial_missing_source.qdpx": "is not in the archive",
}


def command_for(name: str) -> list[str]:
    prefix = next(p for p in COMMANDS if name.startswith(p))
    return COMMANDS[prefix]


def corpus_entries() -> list[str]:
    """Files at the top of the corpus and the manifest folders (each imported as a whole)."""
    return sorted(p.name for p in CORPUS.iterdir() if p.name not in NOT_INPUTS | set(PARTIAL))


TABLE = [(name, command_for(name)) for name in corpus_entries()]


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, project_maker) -> Path:
    """Councils, the Beacon codebook, two example interviews and one coding; closed, so the WAL is folded in."""
    path = project_maker.file(
        tmp_path_factory.mktemp("template") / "seeded.db",
        councils="register",
        codebook=REPO / "codebooks" / "learning_innovation.yaml",
        examples=["hull_officer_p1.txt", "kent_officer_p2.txt"],
    )
    with Project.open(path) as p:
        code_id = p.scalar("SELECT id FROM codes WHERE codable = 1 ORDER BY id LIMIT 1")
        coding.add_coding(p, document_id=1, code_id=code_id, coder_id=p.coder_id("alice"), start=0, end=20)
    return path


@pytest.fixture
def seeded(seeded_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "project" / "seeded.db"
    path.parent.mkdir()
    shutil.copyfile(seeded_template, path)
    return path


def state(project: Path) -> tuple[str, list[str]]:
    """The hash of the project file (and its WAL, if any) and the files beside it.

    A survey import that refuses rows writes them to a problems file beside the project on purpose
    (to be filled in and passed back with --resolutions); that file is no change to the project.
    """
    digest = hashlib.sha256()
    for part in (project, project.with_name(project.name + "-wal")):
        if part.exists():
            digest.update(part.read_bytes())
    beside = sorted(p.name for p in project.parent.iterdir() if "-resolutions" not in p.name)
    return digest.hexdigest(), beside


def run_refused(project: Path, args: list[str]) -> str:
    """Run a command that must be refused; check how, and return its one-line message."""
    before = state(project)
    result = CliRunner().invoke(main, ["-p", str(project), *args], env={"BEACON_QUAL_CODER": "alice"})
    assert result.exit_code != 0, f"accepted: {result.output}"
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("error: "), result.output
    assert all(line.startswith("  ") for line in lines[1:]), result.stderr  # details only, indented
    assert "internal error" not in lines[0] and "database error" not in lines[0], lines[0]
    assert state(project) == before, "the project changed"
    return lines[0]


@pytest.mark.parametrize("name,command", TABLE, ids=[name for name, _ in TABLE])
def test_corpus_input_is_refused_cleanly(seeded: Path, name: str, command: list[str]) -> None:
    path = CORPUS / name
    args = [a.format(file=path, types_csv=CORPUS / "survey_for_types.csv") for a in command]
    message = run_refused(seeded, args)
    stem = Path(name).stem if path.is_file() else name
    assert stem in message or "council" in message, f"message does not say which input: {message}"


@pytest.mark.parametrize("name", sorted(PARTIAL))
def test_partly_importable_project_reports_what_it_left_out(seeded: Path, name: str) -> None:
    result = CliRunner().invoke(main, ["-p", str(seeded), "import-qdpx", str(CORPUS / name)])
    assert result.exit_code == 0, result.output
    assert "not carried over (1):" in result.output and PARTIAL[name] in result.output
    assert check_project(seeded).problems == []
    with Project.open(seeded) as p:
        assert p.scalar("SELECT count(*) FROM codings") == 1  # only the seeded coding: the bad one stayed out


def test_corpus_is_large_enough_and_small() -> None:
    inputs = corpus_entries()
    assert len(inputs) >= 40
    assert {command_for(n)[0] for n in inputs} == {
        "import",
        "survey",
        "codebook",
        "import-qdc",
        "import-qdpx",
    }
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert total < 200_000
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    listed = [*inputs, *PARTIAL, "survey_for_types.csv"]
    assert [name for name in listed if f"| {name}" not in readme] == []


# -- inputs too large to keep: made here ---------------------------------------------------------------------


def sparse(path: Path, size: int, head: bytes) -> Path:
    """A file of ``size`` bytes that starts with ``head``; the rest is a hole, so it takes no disk."""
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


def streamed(path: Path, size: int, head: bytes, filler: bytes) -> Path:
    """A file of about ``size`` bytes: ``head``, then ``filler`` repeated (real bytes, not a hole)."""
    block = filler * (1024 * 1024 // len(filler))
    with path.open("wb") as fh:
        fh.write(head)
        written = len(head)
        while written < size:
            fh.write(block)
            written += len(block)
    return path


@pytest.fixture
def scratch(tmp_path: Path):
    folder = tmp_path / "big"
    folder.mkdir()
    yield folder
    shutil.rmtree(folder)  # keep pytest's retained temporary folders small


GENERATED = {
    "transcript_200mb_sparse.txt": (lambda p: sparse(p, BIG, b"Officer: hello\n"), COMMANDS["transcript_"]),
    "transcript_200mb_text.txt": (
        lambda p: streamed(p, BIG, b"Officer: ", b"we learnt a lot. "),
        COMMANDS["transcript_"],
    ),
    "transcript_10mb_line.md": (
        lambda p: streamed(p, LONG_LINE, b"---\ncouncil: Kent\n---\nOfficer: ", b"we learnt a lot "),
        COMMANDS["transcript_"],
    ),
    "survey_200mb.csv": (lambda p: streamed(p, BIG, b"council,score\n", b"Kent,3\n"), COMMANDS["survey_"]),
    "survey_200mb_sparse.csv": (lambda p: sparse(p, BIG, b"council,score\n"), COMMANDS["survey_"]),
    "survey_10mb_line.csv": (
        lambda p: streamed(p, LONG_LINE, b"council,score\nKent,", b"3333333333"),
        COMMANDS["survey_"],
    ),
    "codebook_200mb.yaml": (
        lambda p: streamed(p, BIG, b'version: "1"\nname: Big\ncodes:\n', b"  - name: [unclosed\n"),
        COMMANDS["codebook_"],
    ),
    "codebook_10mb_line.yaml": (
        lambda p: streamed(p, LONG_LINE, b'version: "1"\nname: Long\ncodes: [', b"{name: x}, "),
        COMMANDS["codebook_"],
    ),
    "codebook_2mb_line.yaml": (
        lambda p: streamed(p, 2 * 1024 * 1024, b'version: "1"\nname: Long\ncodes: [', b"{name: x}, "),
        COMMANDS["codebook_"],
    ),
    "qdc_200mb_sparse.qdc": (
        lambda p: sparse(p, BIG, b'<?xml version="1.0"?>\n<CodeBook><Codes>'),
        COMMANDS["qdc_"],
    ),
    "qdpx_200mb_sparse.qdpx": (lambda p: sparse(p, BIG, b"PK\x03\x04"), COMMANDS["qdpx_"]),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_huge_inputs_are_refused_cleanly(seeded: Path, scratch: Path, name: str) -> None:
    make, command = GENERATED[name]
    path = make(scratch / name)
    args = [a.format(file=path) for a in command]
    message = run_refused(seeded, args)
    assert name in message, message


# -- properties: offsets through normalisation, speaker turns -------------------------------------------------

raw_text = st.text(alphabet=st.sampled_from(list("ab é\r\n\t:\ufeffQA")), max_size=200)


@settings(max_examples=300, deadline=None)
@given(raw_text)
def test_normalised_offsets_land_on_the_same_characters(original: str) -> None:
    mapped = normalise(original)
    crlf = {i for i in range(len(original) - 1) if original[i : i + 2] == "\r\n"}
    assert set(mapped.removed) == crlf | ({0} if original.startswith("\ufeff") else set())
    assert len(mapped.text) == len(original) - len(mapped.removed)
    assert "\r" not in mapped.text
    offsets = [mapped.offset(i) for i in range(len(original) + 1)]
    assert offsets == sorted(offsets) and offsets[-1] == len(mapped.text)
    for i, ch in enumerate(original):
        if i not in mapped.removed:  # every kept character is where its offset says (a lone CR as LF)
            assert mapped.text[offsets[i]] == ("\n" if ch == "\r" else ch)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_decoding_any_bytes_gives_text_or_a_clear_refusal(data: bytes) -> None:
    from beacon_qual.errors import BeaconError

    try:
        text, encoding = decode(Path("input.txt"), data)
    except BeaconError as exc:
        assert exc.message.startswith("input.txt ") and "\n" not in exc.message
        return
    assert "\r" not in text and not text.startswith("\ufeff")
    assert encoding in ("utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "cp1252")


line = st.one_of(
    st.builds(
        lambda who, words: f"{who}: {words}",
        st.sampled_from(["Interviewer", "Officer", "Q", "A", "JOHN SMITH", "[00:01] Ann"]),
        st.text(alphabet="abc .?:", max_size=40),
    ),
    st.text(alphabet="abc .?:\t", max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(line, max_size=12), st.sampled_from(["\n", "\n\n"]))
def test_speaker_turns_are_inside_ordered_and_apart(lines: list[str], separator: str) -> None:
    text = separator.join(lines)
    turns = find_turns(text)
    last_end = 0
    for turn in turns:
        assert 0 <= turn.start <= turn.text_start <= turn.end <= len(text)
        assert turn.start >= last_end  # in order and never overlapping
        assert turn.end > turn.start
        last_end = turn.end
    if text.strip():
        assert turns, "text with words has at least one turn"
