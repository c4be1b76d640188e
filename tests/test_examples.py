"""The example folder keeps the promises its README makes to researchers and to other tests."""

from __future__ import annotations

import csv
import importlib.util
import re
import statistics
from datetime import date
from pathlib import Path

import docx
import pytest
import yaml

from beacon_qual.data import EXAMPLES_DIR

TRANSCRIPT_SUFFIXES = {".txt", ".md", ".docx"}
MANIFEST_COLUMNS = ["file", "council", "phase", "role", "interview_date", "interviewer", "respondent"]
ROLES = {"officer", "elected member", "partner"}
LIKERT = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
CP1252_FILE = "kent_officer_p2.txt"
DOCX_FILE = "sunderland_officer_p1.docx"
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)

SPEAKER_STYLES = {
    "interviewer/respondent": re.compile(r"^(?:Interviewer|Respondent): ", re.MULTILINE),
    "q/a": re.compile(r"^[QA]: ", re.MULTILINE),
    "markdown bold": re.compile(r"^\*\*[^*\n]+\*\*: ", re.MULTILINE),
    "capitals": re.compile(r"^[A-Z][A-Z0-9]+(?: [A-Z]+)*: ", re.MULTILINE),
    "timestamp": re.compile(r"^\[\d\d:\d\d:\d\d\] [^:\n]+: ", re.MULTILINE),
    "otter": re.compile(r"^[A-Z][\w ]*?  \d{1,2}:\d\d\n", re.MULTILINE),
}


def read_csv(name: str) -> list[dict[str, str]]:
    with (EXAMPLES_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def transcript_paths() -> list[Path]:
    return sorted(
        p for p in EXAMPLES_DIR.iterdir() if p.suffix in TRANSCRIPT_SUFFIXES and p.name != "README.md"
    )


def transcript_text(path: Path) -> str:
    """The text a reader sees: .docx paragraphs, otherwise UTF-8 (BOM dropped) or else Windows-1252."""
    if path.suffix == ".docx":
        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return text.replace("\r\n", "\n")


def body(text: str) -> str:
    match = FRONT_MATTER.match(text)
    return text[match.end() :] if match else text


@pytest.fixture(scope="module")
def manifest() -> dict[str, dict[str, str]]:
    return {row["file"]: row for row in read_csv("manifest.csv")}


@pytest.fixture(scope="module")
def ons_of() -> dict[str, str]:
    """Council spelling -> 2008 ONS code, from the folder's answer key."""
    return {row["spelling"]: row["ons_code"] for row in read_csv("council_spellings.csv")}


@pytest.fixture(scope="module")
def survey() -> list[dict[str, str]]:
    return read_csv("survey_councils.csv")


def test_manifest_has_exactly_the_documented_columns():
    with (EXAMPLES_DIR / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == MANIFEST_COLUMNS


def test_at_least_twelve_transcripts_each_listed_once_in_the_manifest(manifest):
    names = [p.name for p in transcript_paths()]
    assert len(names) >= 12
    assert len(read_csv("manifest.csv")) == len(manifest)
    assert set(manifest) == set(names)


def test_manifest_spans_six_councils_three_phases_and_three_roles(manifest, ons_of):
    rows = manifest.values()
    assert len({ons_of[row["council"]] for row in rows}) >= 6
    assert {int(row["phase"]) for row in rows} == {1, 2, 3}
    assert {row["role"] for row in rows} == ROLES


def test_manifest_dates_are_iso_and_respondents_are_distinct_pseudonyms(manifest):
    for row in manifest.values():
        assert date.fromisoformat(row["interview_date"]).isoformat() == row["interview_date"]
    respondents = [row["respondent"] for row in manifest.values()]
    assert all(re.fullmatch(r"R\d\d", r) for r in respondents)
    assert len(set(respondents)) == len(respondents)


def test_council_spellings_vary_but_each_names_one_council(manifest, survey, ons_of):
    key = read_csv("council_spellings.csv")
    assert len({row["spelling"] for row in key}) == len(key)
    names_by_code: dict[str, set[str]] = {}
    for row in key:
        names_by_code.setdefault(row["ons_code"], set()).add(row["official_name"])
    assert all(len(names) == 1 for names in names_by_code.values())
    used = {row["council"] for row in manifest.values()} | {row["council"] for row in survey}
    assert used == set(ons_of)
    hull = {row["council"] for row in manifest.values() if ons_of[row["council"]] == "00FA"}
    assert hull == {"Hull", "Kingston upon Hull City Council"}


def test_at_least_two_markdown_files_carry_front_matter_that_agrees_with_the_manifest(manifest):
    checked = 0
    for path in transcript_paths():
        match = FRONT_MATTER.match(transcript_text(path))
        if path.suffix != ".md" or match is None:
            continue
        front = yaml.safe_load(match.group(1))
        row = manifest[path.name]
        assert set(front) == set(MANIFEST_COLUMNS) - {"file"}
        assert {key: str(value) for key, value in front.items()} == {k: row[k] for k in front}
        checked += 1
    assert checked >= 2


def test_cp1252_transcript_is_not_utf8_and_decodes_as_windows_1252():
    data = (EXAMPLES_DIR / CP1252_FILE).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    for char in "‘’“”£–é":
        assert char in text
    assert data.decode("latin-1") != text
    assert b"\r\n" in data


def test_docx_opens_and_its_first_paragraph_says_it_is_invented():
    document = docx.Document(str(EXAMPLES_DIR / DOCX_FILE))
    assert "INVENTED" in document.paragraphs[0].text
    labels = {p.runs[0].text for p in document.paragraphs if p.runs and p.runs[0].bold}
    assert labels == {"HELEN BAIRD:", "R04:"}


def test_docx_is_what_make_docx_writes():
    spec = importlib.util.spec_from_file_location("make_docx", EXAMPLES_DIR / "make_docx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = [p.text for p in module.build().paragraphs]
    committed = [p.text for p in docx.Document(str(EXAMPLES_DIR / DOCX_FILE)).paragraphs]
    assert built == committed


@pytest.mark.parametrize("path", transcript_paths(), ids=lambda p: p.name)
def test_transcript_says_it_is_invented_and_has_600_to_1500_words(path):
    text = body(transcript_text(path))
    first_line = next(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    assert first_line.startswith("INVENTED EXAMPLE TRANSCRIPT")
    assert 600 <= len(text.split()) <= 1500


def test_transcripts_use_at_least_five_speaker_styles():
    styles_used = set()
    for path in transcript_paths():
        text = transcript_text(path)
        found = {name for name, pattern in SPEAKER_STYLES.items() if len(pattern.findall(text)) >= 10}
        assert len(found) == 1, (path.name, found)
        styles_used |= found
    assert len(styles_used) >= 5


def test_survey_has_thirty_councils_in_each_of_two_waves(survey, ons_of):
    assert {row["wave"] for row in survey} == {"1", "2"}
    for wave in ("1", "2"):
        codes = [ons_of[row["council"]] for row in survey if row["wave"] == wave]
        assert len(codes) == len(set(codes)) >= 30
    wave_codes = [{ons_of[r["council"]] for r in survey if r["wave"] == w} for w in ("1", "2")]
    assert wave_codes[0] == wave_codes[1]


def test_survey_covers_every_transcript_council(manifest, survey, ons_of):
    surveyed = {ons_of[row["council"]] for row in survey}
    assert {ons_of[row["council"]] for row in manifest.values()} <= surveyed


def test_survey_values_have_the_documented_types_and_levels(survey):
    for row in survey:
        assert row["beacon_status"] in {"Beacon", "Applicant", "Non-applicant"}
        assert row["attended_open_day"] in {"yes", "no"}
        assert row["learning_culture"] in LIKERT or row["learning_culture"] == ""
        assert 0 <= float(row["improvement_score"]) <= 100
        assert re.fullmatch(r"(-?\d+\.\d)?", row["staff_fte_change_pct"])
        assert int(row["learning_events_attended"]) >= 0
        date.fromisoformat(row["returned_on"])
        assert row["gss_code"] == "" or re.fullmatch(r"E\d{8}", row["gss_code"])
        assert row["source_note"].startswith("INVENTED")
    assert sum(row["learning_culture"] == "" for row in survey) == 1
    assert sum(row["staff_fte_change_pct"] == "" for row in survey) == 1


def test_survey_beacon_councils_score_higher_in_both_waves(survey):
    for wave in ("1", "2"):
        means = [
            statistics.mean(
                float(r["improvement_score"])
                for r in survey
                if r["wave"] == wave and r["beacon_status"] == status
            )
            for status in ("Beacon", "Applicant", "Non-applicant")
        ]
        assert means == sorted(means, reverse=True)


def test_readme_describes_every_file_in_the_folder():
    readme = (EXAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    assert "INVENTED" in readme
    for path in EXAMPLES_DIR.iterdir():
        if path.is_file() and path.name != "README.md":
            assert f"`{path.name}`" in readme, path.name
