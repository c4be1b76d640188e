"""Windows-1252 files as UK councils export them are read, and a named encoding that yields junk is refused.

The survey and transcript texts below are invented for these tests (no real council's figures or
words), written the way council finance and property spreadsheets and typed-up notes are: amounts in
£m, £k and £bn, "Nº" for number, volumes in m³, curly quotes and en dashes from Word or Excel.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from beacon_qual.cli import main

# Invented: an "export" of a capital programme return, one row per council.
SURVEY = (
    "Authority,ONS code,Capital budget £m,Reserves £k,Borrowing £bn,Nº of schemes,Storage m³,Note\n"
    "Camden,00AG,12.5,850,0.2,14,1200,“Programme on track” – finance lead\n"
    "Kent County Council,29,310.0,41250,1.1,96,56000,Slippage £m reported quarterly\n"
    "Hull City Council,00FA,44.25,3100,0.4,27,8000,Nº of schemes includes £k grants\n"
)
# Invented: typed-up notes of an interview, saved by a word processor as Windows-1252.
TRANSCRIPT = (
    "---\ncouncil: Camden\n---\n"
    "Interviewer: How big was the programme?\n"
    "Respondent: About £12m over three years – £850k of it from reserves; the county’s is £1bn.\n"
    "Respondent: Scheme Nº 4 was the depot: 1,200 m³ of storage, “a real saving”.\n"
)


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


@pytest.fixture
def project(make_project_file) -> Path:
    return make_project_file(councils="register")


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_a_windows_1252_council_survey_with_pounds_numbers_and_units_is_read(project: Path, tmp_path: Path):
    path = tmp_path / "capital_return.csv"
    path.write_bytes(SURVEY.encode("cp1252"))
    result = run(project, "survey", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "imported capital_return.csv (cp1252): 3 rows, 3 councils" in result.output
    names = {v["name"] for v in json.loads(run(project, "survey", "list", "--format", "json").output)}
    assert {"Capital budget £m", "Reserves £k", "Borrowing £bn", "Nº of schemes", "Storage m³"} <= names
    notes = run(project, "survey", "show", "Note", "--values", "--format", "csv").output
    assert "“Programme on track” – finance lead" in notes and "Nº of schemes includes £k grants" in notes


def test_a_windows_1252_transcript_with_pounds_numbers_and_units_is_read(project: Path, tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_bytes(TRANSCRIPT.encode("cp1252"))
    result = run(project, "import", str(path))
    assert result.exit_code == 0, result.output
    shown = run(project, "docs", "show", "notes.txt").output
    assert "(txt, cp1252)" in shown
    assert "£12m over three years – £850k" in shown and "Scheme Nº 4" in shown and "1,200 m³" in shown


@pytest.mark.parametrize(
    ("body", "encoding", "shown"),
    [
        # Windows-1252 curly quotes read as ISO-8859-1 are C1 control characters
        (
            "Respondent: it was “a real saving”.\n".encode("cp1252"),
            "iso-8859-1",
            "a control character (U+0093",
        ),
        (b"Respondent: fine \x1b[1m so far.\n", "utf-8", "a control character (U+001B"),
        ("Respondent: the file said \ufffd here.\n".encode(), "utf-8", "a replacement character (U+FFFD"),
    ],
)
def test_a_named_encoding_that_yields_control_or_replacement_characters_is_refused(
    project: Path, tmp_path: Path, body: bytes, encoding: str, shown: str
):
    transcript = tmp_path / "t.txt"
    transcript.write_bytes(b"---\ncouncil: Camden\n---\n" + body)
    line = one_error_line(run(project, "import", "--encoding", encoding, str(transcript)))
    assert f"read as {encoding} holds {shown}" in line and "line 4" in line
    survey = tmp_path / "s.csv"
    survey.write_bytes(b"council,note\nCamden," + body.strip().replace(b",", b";") + b"\n")
    line = one_error_line(run(project, "survey", "import", "--encoding", encoding, str(survey)))
    assert f"s.csv read as {encoding} holds {shown}" in line and "line 2" in line
    assert run(project, "docs", "list", "--format", "json").output.strip() == "[]"
    assert run(project, "survey", "list").output.strip() == "no survey variables yet"
