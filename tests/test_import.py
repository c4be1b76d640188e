"""Transcript import: formats, encodings, metadata, speaker turns, sentences, all-or-nothing folders, CLI."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from builders import with_codes
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beacon_qual.cases.councils import seed_cases
from beacon_qual.cli import main
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.importer import ParsedTranscript, import_paths, read_transcript
from beacon_qual.ingest.metadata import Metadata
from beacon_qual.ingest.readers import normalise_newlines
from beacon_qual.ingest.speakers import find_turns
from beacon_qual.store import Project

DATA = Path(__file__).parent / "data" / "import"


@pytest.fixture
def project(make_project) -> Project:
    return make_project(with_codes(), "p.db")


def write(folder: Path, name: str, body: str | bytes, council: str | None = "Camden") -> Path:
    """A transcript file; text bodies get council front matter unless council is None."""
    path = folder / name
    if isinstance(body, str):
        if council is not None:
            body = f"---\ncouncil: {council}\n---\n{body}"
        path.write_text(body, encoding="utf-8", newline="")
    else:
        path.write_bytes(body)
    return path


def units(project: Project, name: str, kind: str) -> list[tuple[str, str | None]]:
    """(text[start:end], speaker) of a document's units of one kind, in order."""
    text = project.scalar("SELECT text FROM documents WHERE name = ?", (name,))
    rows = project.execute(
        "SELECT u.start, u.end, u.speaker FROM units u JOIN documents d ON d.id = u.document_id"
        " WHERE d.name = ? AND u.kind = ? ORDER BY u.seq",
        (name, kind),
    )
    return [(text[start:end], speaker) for start, end, speaker in rows]


def counts(project: Project) -> tuple[int, int, int]:
    return (
        project.scalar("SELECT count(*) FROM documents"),
        project.scalar("SELECT count(*) FROM units"),
        project.scalar("SELECT count(*) FROM audit WHERE action = 'import'"),
    )


# -- formats ----------------------------------------------------------------------------------------


def test_txt_turns_sentences_and_colon_sentence_is_not_a_turn(project: Project, tmp_path: Path):
    path = tmp_path / "role_style.txt"
    shutil.copy(DATA / "role_style.txt", path)
    (tmp_path / "manifest.csv").write_text("file,council\nrole_style.txt,Birmingham\n", encoding="utf-8")
    summary = import_paths(project, [path, DATA / "folder" / "hull_officer.txt"])
    assert summary.imported == ["role_style.txt", "hull_officer.txt"]
    row = project.one("SELECT * FROM documents WHERE name = 'role_style.txt'")
    text = (DATA / "role_style.txt").read_text(encoding="utf-8")
    assert row["text"] == text
    assert row["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert row["source_format"] == "txt" and row["source_encoding"] == "utf-8"
    assert row["word_count"] == len(text.split()) == 46
    assert units(project, "role_style.txt", "turn") == [
        ("Invented test transcript: the people and words are fictional.", None),
        ("Interviewer: How did the council first hear about the Beacon Scheme?", "Interviewer"),
        (
            "Respondent: Through the improvement agency. The aim was simple: copy them.\nThen we changed our minds.",
            "Respondent",
        ),
        ("Interviewer: What changed?", "Interviewer"),
        ("Respondent: We adapted it to our districts.", "Respondent"),
    ]
    assert [s for s, _ in units(project, "role_style.txt", "sentence")] == [
        "Invented test transcript: the people and words are fictional.",
        "How did the council first hear about the Beacon Scheme?",
        "Through the improvement agency.",
        "The aim was simple: copy them.",
        "Then we changed our minds.",
        "What changed?",
        "We adapted it to our districts.",
    ]


def test_markdown_front_matter_is_stored_as_metadata_and_stripped(project: Project):
    import_paths(project, [DATA / "front_matter.md"])
    row = project.one(
        "SELECT d.*, c.code FROM documents d JOIN cases c ON c.id = d.case_id WHERE d.name = 'front_matter.md'"
    )
    assert (
        row["code"],
        row["phase"],
        row["role"],
        row["interview_date"],
        row["interviewer"],
        row["respondent"],
    ) == ("CMD", 2, "elected member", "2007-06-14", "Tom Okafor", "R02")
    assert row["text"] == (
        "# Invented test transcript\n\n**Tom Okafor**: Did the visit help?\n\n**R02**: It did. We learned a lot.\n"
    )
    assert units(project, "front_matter.md", "turn") == [
        ("# Invented test transcript", None),
        ("**Tom Okafor**: Did the visit help?", "Tom Okafor"),
        ("**R02**: It did. We learned a lot.", "R02"),
    ]


def test_read_transcript_needs_no_project():
    parsed = read_transcript(DATA / "front_matter.md")
    assert parsed.metadata == Metadata("Camden", 2, "elected member", "2007-06-14", "Tom Okafor", "R02")
    assert (parsed.name, parsed.source_format, parsed.word_count) == ("front_matter.md", "md", 17)
    assert [parsed.text[t.start : t.end] for t in parsed.turns][1] == "**Tom Okafor**: Did the visit help?"
    assert len(parsed.sentences) == 4


def test_docx_paragraphs_joined_by_newlines(project: Project, tmp_path: Path):
    paragraphs = [
        "Invented test transcript.",
        "INTERVIEWER: Who went?",
        "CLLR JONES: I went. So did the chief executive.",
    ]
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    path = tmp_path / "word.docx"
    document.save(str(path))
    (tmp_path / "manifest.csv").write_text("file,council\nword.docx,BIR\n", encoding="utf-8")
    import_paths(project, [path])
    row = project.one("SELECT text, source_format, source_encoding FROM documents")
    assert tuple(row) == ("\n".join(paragraphs), "docx", None)
    assert units(project, "word.docx", "turn") == [
        ("Invented test transcript.", None),
        ("INTERVIEWER: Who went?", "INTERVIEWER"),
        ("CLLR JONES: I went. So did the chief executive.", "CLLR JONES"),
    ]
    assert [s for s, _ in units(project, "word.docx", "sentence")] == [
        "Invented test transcript.",
        "Who went?",
        "I went.",
        "So did the chief executive.",
    ]


def test_vtt_voice_tags_become_turns_and_timings_are_dropped(project: Project, tmp_path: Path):
    shutil.copy(DATA / "voices.vtt", tmp_path / "voices.vtt")
    (tmp_path / "manifest.csv").write_text("file,council\nvoices.vtt,Hull\n", encoding="utf-8")
    import_paths(project, [tmp_path / "voices.vtt"])
    text = project.scalar("SELECT text FROM documents")
    assert (
        text == "Jane Smith: We visited the Beacon council. It was useful & quick.\n\nBob: What did you copy?"
    )
    assert [speaker for _, speaker in units(project, "voices.vtt", "turn")] == ["Jane Smith", "Bob"]
    assert [s for s, _ in units(project, "voices.vtt", "sentence")] == [
        "We visited the Beacon council.",
        "It was useful & quick.",
        "What did you copy?",
    ]


def test_srt_cue_text_keeps_speaker_labels_written_in_it(project: Project, tmp_path: Path):
    shutil.copy(DATA / "captions.srt", tmp_path / "captions.srt")
    (tmp_path / "manifest.csv").write_text("file,council\ncaptions.srt,Hull\n", encoding="utf-8")
    import_paths(project, [tmp_path / "captions.srt"])
    assert project.scalar("SELECT text FROM documents") == (
        "INTERVIEWER: Who led the work?\nCLLR JONES: I did, with the\nhousing team.\nINTERVIEWER: Thanks."
    )
    assert units(project, "captions.srt", "turn") == [
        ("INTERVIEWER: Who led the work?", "INTERVIEWER"),
        ("CLLR JONES: I did, with the\nhousing team.", "CLLR JONES"),
        ("INTERVIEWER: Thanks.", "INTERVIEWER"),
    ]


# -- encodings and line endings ---------------------------------------------------------------------

BODY = "Interviewer: Was it “worth” £5,000?\r\nRespondent: Yes – it’s paid for itself.\rThe end.\r\n"
STORED = "Interviewer: Was it “worth” £5,000?\nRespondent: Yes – it’s paid for itself.\nThe end.\n"


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (lambda s: s.encode("utf-8"), "utf-8"),
        (lambda s: s.encode("utf-8-sig"), "utf-8-sig"),
        (lambda s: b"\xff\xfe" + s.encode("utf-16-le"), "utf-16-le"),
        (lambda s: b"\xfe\xff" + s.encode("utf-16-be"), "utf-16-be"),
        (lambda s: s.encode("cp1252"), "cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16le", "utf16be", "cp1252"],
)
def test_encodings_and_line_endings(project: Project, tmp_path: Path, encode, expected: str):
    write(tmp_path, "enc.txt", encode("---\r\ncouncil: Camden\r\n---\r\n" + BODY))
    import_paths(project, [tmp_path / "enc.txt"])
    row = project.one("SELECT text, source_encoding FROM documents")
    assert tuple(row) == (STORED, expected)
    assert units(project, "enc.txt", "turn") == [
        ("Interviewer: Was it “worth” £5,000?", "Interviewer"),
        ("Respondent: Yes – it’s paid for itself.\nThe end.", "Respondent"),
    ]
    assert [s for s, _ in units(project, "enc.txt", "sentence")] == [
        "Was it “worth” £5,000?",
        "Yes – it’s paid for itself.",
        "The end.",
    ]


def test_characters_are_kept_as_written_not_normalised(project: Project, tmp_path: Path):
    decomposed = "Respondent: Cafe\u0301 culture in Sia\u0302n's team."
    write(tmp_path, "nfd.txt", decomposed)
    import_paths(project, [tmp_path / "nfd.txt"])
    assert project.scalar("SELECT text FROM documents") == decomposed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"Respondent: caf\xe9 \x81 bar\n", "is not UTF-8 or Windows-1252 text (byte 0x81"),
        (b"Respondent: \x00\x01\x02 binary\n", "looks like a binary file"),
        (b"\x01\x02\x03\x04\x05\x06 text\x07\x08\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19", "binary"),
        (b"", "is empty"),
        (b"  \n\t\r\n  ", "is empty"),
        (b"---\ncouncil: Camden\n---\n\n", "front matter but no transcript text"),
        (b"\xff\xfeR\x00\x00\xd8", "is not UTF-16-LE text"),
    ],
    ids=["cp1252-undefined", "nul", "control", "empty", "whitespace", "only-front-matter", "bad-utf16"],
)
def test_unreadable_files_are_refused_naming_the_file(
    project: Project, tmp_path: Path, body: bytes, message: str
):
    path = write(tmp_path, "bad.txt", body)
    with pytest.raises(BeaconError) as err:
        import_paths(project, [path])
    assert message in err.value.message and str(path) in err.value.message
    assert counts(project) == (0, 0, 0)


def test_oversized_file_is_refused_before_reading(project: Project, tmp_path: Path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: all NUL bytes, so reading it would report "binary" instead
        fh.truncate(51 * 1024 * 1024)
    with pytest.raises(BeaconError, match=r"huge.txt is too large \(51.0 MB; the limit is 50.0 MB"):
        import_paths(project, [path])
    small = write(tmp_path, "small.txt", "Respondent: " + "word " * 100)
    with pytest.raises(BeaconError, match="too large"):
        import_paths(project, [small], max_size=200)
    assert import_paths(project, [small], max_size=10_000).imported == ["small.txt"]


def broken_docx(tmp_path: Path) -> bytes:
    """A Word document whose main XML part is cut short."""
    path = tmp_path / "whole.docx"
    docx.Document().save(str(path))
    cut = tmp_path / "cut.docx"
    with zipfile.ZipFile(path) as whole, zipfile.ZipFile(cut, "w") as broken:
        for name in whole.namelist():
            data = whole.read(name)
            broken.writestr(name, data[:200] if name == "word/document.xml" else data)
    return cut.read_bytes()


def test_broken_docx_and_subtitles_are_refused(project: Project, tmp_path: Path):
    cases = [
        ("fake.docx", b"PK\x03\x04 not really a zip", "is not a readable Word (.docx) document"),
        ("cut.docx", broken_docx(tmp_path), "is not a readable Word (.docx) document"),
        ("plain.vtt", b"00:00:01.000 --> 00:00:02.000\nhello\n", "is not a WebVTT file"),
        ("nocues.srt", b"1\nhello there\n", "holds no subtitle cues"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
        (
            "study.qdpx",
            b"PK\x03\x04",
            "is a REFI-QDA project, not a transcript: bring it in with 'beacon-qual import-qdpx'",
        ),
    ]
    for name, body, message in cases:
        path = write(tmp_path, name, body)
        with pytest.raises(BeaconError, match=re.escape(message)):
            import_paths(project, [path])


# -- speaker styles ---------------------------------------------------------------------------------

STYLES = {
    "q-a": ("Q: Who went?\nA: Two of us: me and Sam.\nQ1: Why?\nA: To learn.", ["Q", "A", "Q1", "A"]),
    "bold": (
        "**Jane Smith**: Hello.\n**Interviewer:** Why?\n**Jane Smith**: Because.",
        ["Jane Smith", "Interviewer", "Jane Smith"],
    ),
    "capitals": (
        "DR SMITH: We met.\nCLLR JONES: We did: twice.\nMRS A. BROWN: Yes.\nNB the notes: lost.",
        ["DR SMITH", "CLLR JONES", "MRS A. BROWN"],
    ),
    "timestamps": (
        "[00:01:02] Jane: Hello.\n(00:01:09) Interviewer: Right.\n[00:02:10.5] Jane: So: yes.",
        ["Jane", "Interviewer", "Jane"],
    ),
    "otter": (
        "Jane Smith  00:12\nHello there.\n\nSpeaker 2  1:02:03\nWe met at 10:30 then.\nJane Smith  1:03:00\nRight.",
        ["Jane Smith", "Speaker 2", "Jane Smith"],
    ),
    "names": (
        "Jane: Hello.\nBob: Hi.\nNote: one off.\nJane: Bye.\nBob: Bye.",
        ["Jane", "Bob", "Jane", "Bob"],
    ),
    "roles": (
        "Interviewer (JB): Hello.\nRespondent 2: Hi.\nInterviewee:\nAnswer on the next line.",
        ["Interviewer (JB)", "Respondent 2", "Interviewee"],
    ),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_speaker_styles(style: str):
    text, speakers = STYLES[style]
    turns = find_turns(text)
    assert [t.speaker for t in turns] == speakers
    for turn, next_turn in zip(turns, turns[1:] + [None]):
        assert turn.start == 0 or text[turn.start - 1] == "\n"  # a turn starts at its label, at a line start
        assert text[turn.end : next_turn.start if next_turn else len(text)].strip() == ""


def test_only_the_dominant_style_starts_turns():
    text = (
        "Interviewer: What happened?\nRespondent: We copied it.\nNote: this was 2006.\n"
        "Interviewer: And then?\nRespondent: DR SMITH: said no.\nThe aim was simple: copy them.\n"
    )
    turns = find_turns(text)
    assert [t.speaker for t in turns] == ["Interviewer", "Respondent", "Interviewer", "Respondent"]
    assert text[turns[1].start : turns[1].end] == "Respondent: We copied it.\nNote: this was 2006."


def test_plain_prose_with_colons_has_one_turn_without_speaker():
    text = "The aim was simple: copy them.\nOur view: it worked.\nResult: a new service.\n"
    turns = find_turns(text)
    assert [(text[t.start : t.end], t.speaker) for t in turns] == [(text.strip(), None)]


def test_speaker_label_is_not_a_sentence_and_sentences_stay_in_turns():
    parsed = parsed_from("Intro with no stop\nInterviewer: Was it\nRespondent: good? Yes.\n\nNew paragraph")
    assert [parsed.text[a:b] for a, b in parsed.sentences] == [
        "Intro with no stop",
        "Was it",
        "good?",
        "Yes.",
        "New paragraph",
    ]


def parsed_from(text: str) -> ParsedTranscript:
    return ParsedTranscript("t.txt", "t.txt", "txt", "utf-8", normalise_newlines(text), Metadata())


# -- metadata ---------------------------------------------------------------------------------------


def test_manifest_folder_import(project: Project):
    summary = import_paths(project, [DATA / "folder"])
    assert sorted(summary.imported) == ["camden_member.md", "hull_officer.txt"]
    assert (summary.councils, summary.words) == (2, 20 + 20)
    rows = project.execute(
        "SELECT d.name, c.code, d.phase, d.role, d.interview_date, d.interviewer, d.respondent"
        " FROM documents d JOIN cases c ON c.id = d.case_id ORDER BY d.name"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("camden_member.md", "CMD", 3, "elected member", "2008-06-14", "Tom Okafor", "R02"),
        ("hull_officer.txt", "KHL", 1, "officer", "2006-05-10", "Sarah Lind", "R01"),
    ]
    assert summary.turns == 3 + 3 and summary.sentences == 3 + 4


@pytest.mark.parametrize(
    ("role", "stored"),
    [
        ("member", "elected member"),
        ("Councillor", "elected member"),
        ("elected_member", "elected member"),
        ("Officer", "officer"),
        ("partner-organisation", "partner"),
    ],
)
def test_roles_are_normalised(project: Project, tmp_path: Path, role: str, stored: str):
    write(tmp_path, "r.txt", "Respondent: hello.", council=None)
    (tmp_path / "manifest.csv").write_text(f"file,council,role\nr.txt,Camden,{role}\n", encoding="utf-8")
    import_paths(project, [tmp_path])
    assert project.scalar("SELECT role FROM documents") == stored


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("council: Camden\nrole: mayor's dog", 'r.txt: unknown role "mayor\'s dog"'),
        ("council: Camden\nphase: 0", "r.txt: phase 0 is not a positive whole number"),
        ("council: Camden\ninterview_date: 31/02/2008", "r.txt: interview date '31/02/2008' is not a date"),
        ("council: Camden\ncolour: blue", "r.txt: unknown metadata field 'colour'"),
        ("council: [Camden", "r.txt: front matter is not valid YAML"),
        ("council: Atlantis", "r.txt: no council matches 'Atlantis'"),
        ("phase: 1", "r.txt: no council given"),
    ],
    ids=["role", "phase", "date", "field", "yaml", "unknown-council", "no-council"],
)
def test_bad_metadata_is_an_error_naming_the_file(project: Project, tmp_path: Path, front: str, message: str):
    path = tmp_path / "r.txt"
    path.write_text(f"---\n{front}\n---\nRespondent: hello.\n", encoding="utf-8")
    with pytest.raises(BeaconError) as err:
        import_paths(project, [path])
    assert message in err.value.message
    assert counts(project) == (0, 0, 0)


def test_front_matter_and_manifest_must_agree(project: Project, tmp_path: Path):
    write(tmp_path, "r.txt", "---\nphase: 2\ncouncil: Camden\n---\nRespondent: hi.", council=None)
    (tmp_path / "manifest.csv").write_text("file,phase\nr.txt,3\n", encoding="utf-8")
    with pytest.raises(BeaconError, match="phase is 2 in the front matter but 3 in manifest.csv"):
        import_paths(project, [tmp_path])


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("name,council\nr.txt,Camden\n", "no 'file' column"),
        ("file,council,mood\nr.txt,Camden,good\n", "unknown column 'mood'"),
        ("file,council\nr.txt,Camden,extra\n", "line 2: wrong number of values"),
        ("file,council\nr.txt,Camden\nr.txt,Hull\n", "line 3: 'r.txt' is listed twice"),
        ('file,council\n"r.txt,Camden\n', "malformed CSV"),
    ],
)
def test_malformed_manifest_is_refused(project: Project, tmp_path: Path, manifest: str, message: str):
    write(tmp_path, "r.txt", "Respondent: hi.", council=None)
    (tmp_path / "manifest.csv").write_text(manifest, encoding="utf-8")
    with pytest.raises(BeaconError, match=message):
        import_paths(project, [tmp_path])


def test_unknown_council_and_project_without_councils(tmp_path: Path):
    project = Project.create(tmp_path / "empty.db")
    path = write(tmp_path, "r.txt", "Respondent: hi.")
    with pytest.raises(BeaconError, match="run 'beacon-qual cases seed'"):
        import_paths(project, [path])


def manifest_folder(tmp_path: Path, councils: list[str]) -> Path:
    """A folder of one transcript per council, named in a manifest beside them."""
    folder = tmp_path / "interviews"
    folder.mkdir()
    lines = ["file,council,phase"]
    for n, council in enumerate(councils, start=1):
        write(folder, f"t{n}.txt", f"Respondent: interview number {n}.", council=None)
        lines.append(f"t{n}.txt,{council},2")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_fuzzy_council_in_manifest_is_refused_naming_the_row(project: Project, tmp_path: Path):
    folder = manifest_folder(tmp_path, ["Camden", "Leeds", "Stokport"])
    with pytest.raises(BeaconError) as caught:
        import_paths(project, [folder])
    assert caught.value.message == (
        f"{folder / 'manifest.csv'} row 4: 'Stokport' matches Stockport Metropolitan Borough Council only by "
        "similarity (score 94); write the council's name or code, or import with --accept-fuzzy"
    )
    assert counts(project) == (0, 0, 0)


def test_accept_fuzzy_reads_the_closest_council_and_warns(project: Project, tmp_path: Path):
    folder = manifest_folder(tmp_path, ["Camden", "Stokport", "Stokport"])
    summary = import_paths(project, [folder], accept_fuzzy=True)
    assert len(summary.imported) == 3 and summary.councils == 2
    assert summary.warnings == [
        f"{folder / 'manifest.csv'} row {row}: 'Stokport' read as Stockport Metropolitan Borough Council "
        "(fuzzy, score 94)"
        for row in (3, 4)
    ]
    stored = project.execute(
        "SELECT d.name, c.code FROM documents d JOIN cases c ON c.id = d.case_id ORDER BY d.name"
    ).fetchall()
    assert [tuple(r) for r in stored] == [("t1.txt", "CMD"), ("t2.txt", "SKP"), ("t3.txt", "SKP")]
    # the spelling is not remembered: another import must accept it again
    assert project.scalar("SELECT count(*) FROM case_aliases WHERE alias = 'Stokport'") == 0


def test_fuzzy_council_in_front_matter_is_refused_naming_the_file(project: Project, tmp_path: Path):
    path = write(tmp_path, "r.txt", "Respondent: hi.", council="Birmingam")
    with pytest.raises(
        BeaconError, match=r"r.txt front matter: 'Birmingam' matches Birmingham City Council only"
    ):
        import_paths(project, [path])
    summary = import_paths(project, [path], accept_fuzzy=True)
    assert summary.warnings == [
        f"{path} front matter: 'Birmingam' read as Birmingham City Council (fuzzy, score 95)"
    ]


def test_plain_newcastle_is_ambiguous_in_a_manifest(project: Project, tmp_path: Path):
    folder = manifest_folder(tmp_path, ["Newcastle"])
    with pytest.raises(BeaconError, match="'Newcastle' could be any of 2 councils") as caught:
        import_paths(project, [folder], accept_fuzzy=True)
    assert sorted(caught.value.details) == [
        "[NEC] Newcastle-under-Lyme Borough Council (district)",
        "[NET] Newcastle City Council (metropolitan)",
    ]
    assert counts(project) == (0, 0, 0)


# -- re-import, changes, all or nothing -------------------------------------------------------------


def test_reimport_is_a_no_op_and_changed_text_is_refused(project: Project, tmp_path: Path):
    path = write(tmp_path, "r.txt", "Respondent: hi.")
    assert import_paths(project, [path]).imported == ["r.txt"]
    before = counts(project)
    again = import_paths(project, [path])
    assert (again.imported, again.unchanged) == ([], ["r.txt"])
    assert counts(project) == before == (1, 2, 1)
    write(tmp_path, "r.txt", "Respondent: hi there.")
    with pytest.raises(BeaconError, match=r"r.txt: changed since it was imported; use 'beacon-qual revise'"):
        import_paths(project, [path])
    other = tmp_path / "copy"
    other.mkdir()
    shutil.copy(tmp_path / "r.txt", other / "r2.txt")
    write(other, "r2.txt", "Respondent: hi.")
    with pytest.raises(BeaconError, match="same text was already imported as document 'r.txt'"):
        import_paths(project, [other / "r2.txt"])


def test_folder_with_one_bad_file_leaves_project_unchanged(project: Project, tmp_path: Path):
    tmp_path = tmp_path / "transcripts"
    tmp_path.mkdir()
    for i in range(3):
        write(tmp_path, f"good{i}.txt", f"Respondent: answer {i}.")
    write(tmp_path, "z_bad.txt", b"Respondent: \x00\x00 binary")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "README.md").write_text("About these files.", encoding="utf-8")
    with pytest.raises(BeaconError, match="z_bad.txt looks like a binary file"):
        import_paths(project, [tmp_path])
    assert counts(project) == (0, 0, 0)
    (tmp_path / "z_bad.txt").unlink()
    summary = import_paths(project, [tmp_path])
    assert len(summary.imported) == 3 and counts(project) == (3, 6, 3)
    assert summary.warnings == [
        f"{tmp_path}: passed over files that are not transcripts: README.md, notes.pdf"
    ]


def test_two_files_with_the_same_name_are_refused(project: Project, tmp_path: Path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        write(tmp_path / sub, "same.txt", f"Respondent: {sub}.")
    with pytest.raises(BeaconError, match="two files are called 'same.txt'"):
        import_paths(project, [tmp_path])


def test_audit_has_one_record_per_document(project: Project):
    import_paths(project, [DATA / "folder"])
    records = project.execute("SELECT entity, entity_id, after FROM audit WHERE action = 'import'").fetchall()
    ids = {r[0] for r in project.execute("SELECT id FROM documents")}
    assert {r["entity_id"] for r in records} == ids and len(records) == 2
    assert {json.loads(r["after"])["name"] for r in records} == {"camden_member.md", "hull_officer.txt"}


# -- command line -----------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path):
    db = tmp_path / "cli.db"
    seed_cases(Project.create(db))
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--project", str(db), *args])

    return run


def test_cli_import_summary_and_reimport(cli):
    result = cli("import", str(DATA / "folder"))
    assert result.exit_code == 0, result.output
    assert "imported 2 file(s): 40 words, 6 turns, 7 sentences, 2 council(s)" in result.output
    again = cli("import", str(DATA / "folder"))
    assert again.exit_code == 0
    assert "already imported, unchanged: hull_officer.txt" in again.output
    assert "nothing new to import" in again.output


def test_cli_accept_fuzzy(cli, tmp_path: Path):
    folder = manifest_folder(tmp_path, ["Stokport"])
    refused = cli("import", str(folder))
    assert refused.exit_code == 1
    assert refused.stderr.strip().splitlines() == [
        (
            f"error: {folder / 'manifest.csv'} row 2: 'Stokport' matches Stockport Metropolitan Borough Council "
            "only by similarity (score 94); write the council's name or code, or import with --accept-fuzzy"
        )
    ]
    accepted = cli("import", "--accept-fuzzy", str(folder))
    assert accepted.exit_code == 0, accepted.output
    assert (
        f"warning: {folder / 'manifest.csv'} row 2: 'Stokport' read as Stockport Metropolitan Borough Council "
        "(fuzzy, score 94)"
    ) in accepted.stderr.splitlines()
    assert "--accept-fuzzy" in cli("import", "--help").output


def test_cli_errors_are_one_line(cli, tmp_path: Path):
    bad = write(tmp_path, "bad.txt", b"\x00\x01binary")
    for args in (
        ["import", str(bad)],
        ["import", str(tmp_path / "missing.txt")],
        ["import", "--max-size", "lots", str(bad)],
    ):
        result = cli(*args)
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ")
        assert "Traceback" not in result.output


def test_cli_docs_list_and_show(cli):
    cli("import", str(DATA / "folder"), str(DATA / "front_matter.md"))
    listed = json.loads(cli("docs", "list", "--format", "json").output)
    assert [(d["name"], d["council"], d["phase"], d["role"], d["turns"]) for d in listed] == [
        ("camden_member.md", "London Borough of Camden", 3, "elected member", 3),
        ("front_matter.md", "London Borough of Camden", 2, "elected member", 3),
        ("hull_officer.txt", "Kingston upon Hull City Council", 1, "officer", 3),
    ]
    csv_out = cli("docs", "list", "--council", "Hull", "--format", "csv").output.splitlines()
    assert csv_out[0].startswith("id,name,council,phase,role") and len(csv_out) == 2
    assert "hull_officer.txt" in csv_out[1]
    by_role = cli("docs", "list", "--role", "councillor", "--phase", "2").output
    assert "front_matter.md" in by_role and "camden_member.md" not in by_role and "1 documents" in by_role
    shown = cli("docs", "show", "hull_officer.txt", "--units")
    assert shown.exit_code == 0
    assert "[2] Q  62-87\nQ: Who went on the visit?" in shown.output
    assert "council         Kingston upon Hull City Council" in shown.output
    assert "Two managers and me." in shown.output.split("sentences:")[1]
    assert cli("docs", "show", "nope.txt").exit_code == 1


# -- properties -------------------------------------------------------------------------------------

LABELS = st.sampled_from(
    [
        "Interviewer: ",
        "Respondent: ",
        "Q: ",
        "A: ",
        "**Jo Bloggs**: ",
        "CLLR JONES: ",
        "[00:01:02] Sam: ",
        "Jo Bloggs  01:02\n",
        "",
    ]
)
WORDS = st.sampled_from(
    [
        "council",
        "Beacon",
        "visit.",
        "learned:",
        "why?",
        "yes!",
        "  ",
        "\n",
        "\r\n",
        "\r",
        "\n\n",
        "£5",
        "“quoted”",
        "e.g.",
        "Dr.",
        "...",
        "\t",
        ":",
    ]
)
TURN = st.tuples(LABELS, st.lists(WORDS, max_size=25).map(" ".join), st.text(max_size=8))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TURN, max_size=12), st.sampled_from(["\n", "\n\n", "\r\n", " "]))
def test_spans_lie_in_text_are_ordered_and_sentences_lie_in_turns(turns, separator):
    text = separator.join(label + words + noise for label, words, noise in turns)
    parsed = parsed_from(text)
    text = parsed.text
    turn_spans = [(t.start, t.end) for t in parsed.turns]
    for kind_spans in (turn_spans, parsed.sentences):
        for start, end in kind_spans:
            assert 0 <= start <= end <= len(text)
        for (_, end), (start, _) in itertools.pairwise(kind_spans):
            assert end <= start
    for start, end in parsed.sentences:
        assert start < end and text[start:end] == text[start:end].strip()
        assert any(t.text_start <= start and end <= t.end for t in parsed.turns)


# -- encodings that are not UTF-8 or Windows-1252 ---------------------------------------------------

POLISH = "Respondent: Jak się masz? Łódź, Gdańsk.\n"
RUSSIAN = "Respondent: Мы многому научились у совета Кента.\n"
CAMDEN = "---\ncouncil: Camden\n---\n"


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_latin2_file_is_refused_then_imported_with_encoding(cli, tmp_path: Path):
    path = write(tmp_path, "polish_latin2.txt", (CAMDEN + POLISH).encode("iso-8859-2"))
    line = one_error_line(cli("import", str(path)))
    assert str(path) in line and "does not look like UTF-8 or Windows-1252" in line
    assert "'£ód¼'" in line and "line 4" in line and "pass --encoding" in line
    assert cli("docs", "list", "--format", "json").output.strip() == "[]"

    result = cli("import", "--encoding", "iso-8859-2", str(path))
    assert result.exit_code == 0, result.output
    detail = json.loads(cli("docs", "list", "--format", "json").output)
    assert [d["name"] for d in detail] == ["polish_latin2.txt"]
    shown = cli("docs", "show", "polish_latin2.txt").output
    assert "Jak się masz? Łódź, Gdańsk." in shown and "(txt, iso8859-2)" in shown


def test_windows_1250_and_1251_files_are_refused(project: Project, tmp_path: Path):
    polish = write(tmp_path, "pl.txt", (CAMDEN + "Respondent: Był tam już, może jutro.\n").encode("cp1250"))
    russian = write(tmp_path, "ru.txt", (CAMDEN + RUSSIAN).encode("cp1251"))
    for path, shown in ((polish, "'By³'"), (russian, "'ìíîãîìó'")):  # Мы is too short to tell
        with pytest.raises(BeaconError) as err:
            import_paths(project, [path])
        assert str(path) in err.value.message and shown in err.value.message
    assert counts(project) == (0, 0, 0)
    import_paths(project, [russian], encoding="cp1251")
    assert project.scalar("SELECT text FROM documents") == RUSSIAN  # front matter is metadata, not text


def test_utf8_with_a_stray_byte_is_refused_naming_its_offset(cli, tmp_path: Path):
    # 24 bytes of front matter, "Respondent: caf" (15), é (2), " " (1), – (3), " ok, " (5): the stray 0xE9 is byte 50.
    body = (CAMDEN + "Respondent: café – ok, ").encode("utf-8") + b"\xe9 here\n"
    path = write(tmp_path, "stray.txt", body)
    line = one_error_line(cli("import", str(path)))
    assert line == (
        f"error: {path} is not valid UTF-8: byte 0xE9 at offset 50 (line 4) — it looks like UTF-8 with damaged "
        "bytes; fix or re-save the file as UTF-8, or if it is in another encoding, pass --encoding"
    )


@pytest.mark.parametrize(
    "body",
    [
        "Respondent: It cost £5,000, about €6,000 – “money well spent”, said Zoë Müller at the Café Rouge.\n",
        "Respondent: We met the Beacon® team; 40 m² of office, 25°C, naïve plans, Größe, señor, cœur.\n",
        "Respondent: ¿Qué tal? ¡Muy bien! C'est à l'hôtel de ville où nous étions.\n",
    ],
    ids=["english", "symbols", "spanish-french"],
)
def test_windows_1252_western_text_is_accepted(project: Project, tmp_path: Path, body: str):
    write(tmp_path, "w.txt", (CAMDEN + body).encode("cp1252"))
    import_paths(project, [tmp_path / "w.txt"])
    assert tuple(project.one("SELECT text, source_encoding FROM documents")) == (body, "cp1252")


def test_unknown_encoding_name_is_refused(cli, tmp_path: Path):
    path = write(tmp_path, "r.txt", "Respondent: hello.\n")
    assert "unknown encoding 'klingon'" in one_error_line(cli("import", "--encoding", "klingon", str(path)))
    assert "'base64' is not a text encoding" in one_error_line(
        cli("import", "--encoding", "base64", str(path))
    )
