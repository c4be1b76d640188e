"""Councils are never guessed: later councils, contradicted designations, codes, remembered spellings.

Everything here goes through the command line, as a user meets it: `cases match`, `cases aliases`,
`cases alias remove` and `survey import` (with its problems file and `--resolutions`).
"""

from __future__ import annotations

import csv
import filecmp
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from beacon_qual.cases.councils import load_later, load_register
from beacon_qual.cli import main

REPO = Path(__file__).resolve().parents[1]
SHARED_SOURCE = Path("/work/shared/data/councils")
NAMES = {entry.code: entry.name for entry in load_register()}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, project_maker) -> Path:
    """A seeded project for the commands that only read it."""
    return project_maker.file(tmp_path_factory.mktemp("never_guessed") / "seeded.db", councils="register")


@pytest.fixture
def fresh(make_project_file) -> Path:
    return make_project_file(councils="register", name="fresh.db")


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


def match(project: Path, ref: str) -> tuple[int, list[str]]:
    result = run(project, "cases", "match", ref)
    assert "Traceback" not in result.output
    return result.exit_code, result.output.splitlines()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def values(project: Path, variable: str) -> dict[str, str]:
    result = run(project, "survey", "show", variable, "--values", "--format", "csv")
    assert result.exit_code == 0, result.output
    return {row["code"]: row["value"] for row in csv.DictReader(result.output.splitlines())}


# -- councils created after 1 April 2008 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "year", "predecessors"),
    [
        ("Dorset Council", 2019, {"DOR", "WDO", "PUR"}),
        ("Buckinghamshire Council", 2020, {"BKM", "AYL", "WYO"}),
        ("North Yorkshire Council", 2023, {"NYK", "HAG", "SCE"}),
        ("Somerset Council", 2023, {"SOM", "MEN", "TAU"}),  # Taunton Deane through Somerset West and Taunton
        ("Cumberland", 2023, {"CMA", "CAR", "ALL", "COP"}),
        ("Westmorland and Furness", 2023, {"CMA", "BAR", "EDN", "SLA"}),
        ("Cheshire East", 2009, {"CSH", "MCF"}),
        ("Bournemouth, Christchurch and Poole Council", 2019, {"BMH", "CHC", "POL"}),
        ("E06000059", 2019, {"DOR"}),  # Dorset Council's GSS code
    ],
)
def test_a_later_council_is_refused_as_successor_of_its_predecessors(
    seeded: Path, ref: str, year: int, predecessors: set[str]
):
    code, lines = match(seeded, ref)
    assert code == 1
    assert "->" not in "\n".join(lines)
    assert "not a council on 1 April 2008" in lines[0] and f"(created {year}; successor of " in lines[0]
    for predecessor in predecessors:
        assert NAMES[predecessor] in lines[0]
        assert any(line.strip().startswith(f"[{predecessor}] ") for line in lines[1:])


def test_every_later_council_of_the_shipped_list_is_refused_and_its_place_name_is_the_2008_council(
    seeded: Path,
):
    later = load_later()
    assert {x.code for x in later} >= {"DST", "BUC", "NYE", "SMT", "CBD", "WAF", "CHE", "CHW", "CBF"}
    result = run(seeded, "cases", "match", *(x.name for x in later))
    assert result.exit_code == 1
    assert f"error: {len(later)} of {len(later)} reference(s) did not resolve" in result.output
    assert result.output.count("not a council on 1 April 2008") == len(later)
    # the place name alone is still the 2008 council
    for ref, code in (("Dorset", "DOR"), ("North Yorkshire", "NYK"), ("Somerset CC", "SOM")):
        assert match(seeded, ref) == (
            0,
            [f"{ref} -> [{code}] {NAMES[code]} ({'name' if ref != 'Somerset CC' else 'alias'}, score 100)"],
        )


def test_a_survey_row_naming_a_later_council_is_refused(fresh: Path, tmp_path: Path):
    path = write(tmp_path, "later.csv", "council,score\nCamden,1\nDorset Council,2\n")
    result = run(fresh, "survey", "import", str(path))
    assert result.exit_code == 1
    assert "row 3: 'Dorset Council' is not a council on 1 April 2008 (created 2019" in result.output
    assert run(fresh, "survey", "list").output.strip() == "no survey variables yet"


@pytest.mark.skipif(not SHARED_SOURCE.is_dir(), reason="the register's source data is not on this machine")
def test_the_build_tool_reproduces_both_shipped_files_from_the_source(tmp_path: Path):
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "tools" / "build_council_register.py"),
            "--source",
            str(SHARED_SOURCE),
            "--out",
            str(tmp_path / "councils_2008.csv"),
            "--later-out",
            str(tmp_path / "councils_later.csv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in ("councils_2008.csv", "councils_later.csv"):
        assert filecmp.cmp(tmp_path / name, REPO / "beacon_qual" / "data" / name, shallow=False), name


# -- designations, codes, short words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "matched", "listed", "said"),
    [
        ("Lincoln County Council", "LIC", {"LIN"}, "county"),
        ("Hull District Council", "KHL", set(), "district"),
        ("Camden District Council", "CMD", set(), "district"),
    ],
)
def test_a_contradicted_designation_is_refused_with_candidates(
    seeded: Path, ref: str, matched: str, listed: set[str], said: str
):
    code, lines = match(seeded, ref)
    assert code == 1
    assert lines[0].startswith(f"{ref}: {ref!r} says {said}, which does not fit {NAMES[matched]}")
    shown = {line.strip()[1:4] for line in lines[1:]}
    assert {matched} | listed <= shown
    assert "->" not in "\n".join(lines)
    # a designation that fits still resolves ("city" fits the City of Durham, though it was no borough)
    fitting = run(
        seeded, "cases", "match", "Lincolnshire County Council", "Hull City Council", "City of Durham BC"
    )
    assert fitting.exit_code == 0, fitting.output


@pytest.mark.parametrize("ref", ["DEN", "ORK", "XYZ", "E06000999"])
def test_an_unknown_code_is_not_compared_with_names(seeded: Path, ref: str):
    code, lines = match(seeded, ref)
    assert code == 1
    assert lines[0] == (
        f"{ref}: {ref!r} is written as a council code, but no council on 1 April 2008 has that code; "
        "give the council's name or one of its codes"
    )
    assert not any("Eden" in line or "York" in line for line in lines)


@pytest.mark.parametrize(("word", "code"), [("Rye", "RYE"), ("Lee", "LEE")])
def test_a_short_place_word_is_not_read_as_a_code(seeded: Path, word: str, code: str):
    status, lines = match(seeded, word)
    assert status == 1 and "->" not in "\n".join(lines)
    assert match(seeded, code) == (0, [f"{code} -> [{code}] {NAMES[code]} (code, score 100)"])


def test_a_row_whose_code_and_name_point_at_different_councils_is_refused(fresh: Path, tmp_path: Path):
    path = write(
        tmp_path,
        "mixed.csv",
        "council,gss_code,score\nCamden,E09000007,1\nCamden,E06000033,2\nAnything at all,E06000033,3\n",
    )
    result = run(fresh, "survey", "import", str(path))
    assert result.exit_code == 1
    assert "1 row(s) of mixed.csv do not match exactly one council" in result.output
    assert (
        "row 3: 'E06000033' is [SOS] Southend-on-Sea Borough Council but 'Camden' is [CMD] London Borough "
        "of Camden" in result.output
    )
    assert "row 2" not in result.output and "row 4" not in result.output


# -- historic names ------------------------------------------------------------------------------------


def test_historic_names_resolve(seeded: Path):
    assert match(seeded, "Corporation of London") == (
        0,
        ["Corporation of London -> [LND] City of London Corporation (alias, score 100)"],
    )


# -- accepted and remembered spellings --------------------------------------------------------------------


def test_accepting_an_ambiguous_or_similar_spelling_is_not_remembered(fresh: Path, tmp_path: Path):
    path = write(tmp_path, "w1.csv", "council,score\nRichmond,1\nCamdn,2\nBrum,3\n")
    result = run(
        fresh,
        "survey",
        "import",
        str(path),
        "--accept",
        "Richmond=RIC",
        "--accept",
        "Camdn=Camden",
        "--accept",
        "Brum=BIR",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  remembered spelling 'Brum'" in lines
    assert any(line.startswith("  used but not remembered 'Richmond': ") for line in lines)
    assert (
        "  used but not remembered 'Camdn': 'Camdn' matches London Borough of Camden only by similarity (score 91)"
        in lines
    )
    assert values(fresh, "score") == {"RIC": "1", "CMD": "2", "BIR": "3"}
    listed = run(fresh, "cases", "aliases")
    assert listed.output.splitlines() == [
        "Brum  -> [BIR] Birmingham City Council  (survey:w1.csv)",
        "1 remembered spelling(s)",
    ]
    # the next file: Brum is known, Richmond and Camdn must be settled again
    again = write(tmp_path, "w2.csv", "council,score\nRichmond,4\nCamdn,5\nBrum,6\n")
    refused = run(fresh, "survey", "import", str(again), "--wave", "2")
    assert refused.exit_code == 1
    assert "row 2: no council matches 'Richmond'" in refused.output
    assert "row 3: 'Camdn' is not a known spelling" in refused.output
    assert "row 4" not in refused.output


def test_accept_fuzzy_never_remembers(fresh: Path, tmp_path: Path):
    path = write(tmp_path, "typo.csv", "council,score\nBirmingam,2\n")
    done = run(fresh, "survey", "import", str(path), "--accept-fuzzy")
    assert done.exit_code == 0, done.output
    assert "accepted for this import, not remembered" in done.output
    assert run(fresh, "cases", "aliases").output.strip() == "no remembered spellings"


def test_alias_remove_forgets_a_remembered_spelling_only(fresh: Path, tmp_path: Path):
    path = write(tmp_path, "w1.csv", "council,score\nBrum,3\n")
    assert run(fresh, "survey", "import", str(path), "--accept", "Brum=Birmingham").exit_code == 0
    assert match(fresh, "Brum")[0] == 0
    removed = run(fresh, "cases", "alias", "remove", "BRUM")
    assert (
        removed.exit_code == 0
        and removed.output.strip() == "removed spelling 'Brum' (was Birmingham City Council)"
    )
    assert match(fresh, "Brum")[0] == 1
    assert run(fresh, "cases", "aliases").output.strip() == "no remembered spellings"
    again = run(fresh, "cases", "alias", "remove", "Brum")
    assert again.exit_code == 1 and "'Brum' is not a remembered spelling" in again.output
    register = run(fresh, "cases", "alias", "remove", "Camden")
    assert register.exit_code == 1 and "is a spelling of the register" in register.output
    assert match(fresh, "Camden")[0] == 0


def test_cases_match_prints_a_fuzzy_candidate_as_unresolved(seeded: Path):
    code, lines = match(seeded, "Birmingam")
    assert code == 1
    assert "->" not in "\n".join(lines)
    assert lines[0] == "Birmingam: not a known spelling; only similar to a council (unresolved)"
    assert lines[1] == "    [BIR] Birmingham City Council (score 95)"


# -- the problems file and --resolutions ------------------------------------------------------------------


def test_every_problem_row_goes_to_a_resolutions_file_that_comes_back(fresh: Path, tmp_path: Path):
    codes = [entry.code for entry in load_register()][:45]
    rows = [f"Nowhere {n},{n}" for n in range(1, 46)] + ["Durham,46", "Camden,47", "Kingston upon Hul,48"]
    path = write(tmp_path, "big.csv", "council,score\n" + "\n".join(rows) + "\n")
    refused = run(fresh, "survey", "import", str(path))
    assert refused.exit_code == 1
    problems = tmp_path / "big-resolutions.csv"
    assert f"every problem row is in {problems}" in refused.output
    with problems.open(encoding="utf-8", newline="") as fh:
        lines = list(csv.DictReader(fh))
    assert [int(line["row"]) for line in lines] == [*range(2, 47), 47, 49]  # every one, not the first 40
    assert set(lines[0]) == {"row", "council_in_file", "codes_in_file", "problem", "candidates", "council"}
    durham = lines[45]
    assert durham["council_in_file"] == "Durham" and "[DUR] Durham County Council" in durham["candidates"]
    assert "[DRC] Durham City Council" in durham["candidates"]
    assert "[KHL] Kingston upon Hull City Council (score 97)" in lines[46]["candidates"]
    # the user fills in the council column: codes, an exact name, and a row to leave out
    for line, code in zip(lines, codes):
        line["council"] = code
    lines[44]["council"] = "skip"
    durham["council"] = "Durham County Council"
    lines[46]["council"] = "KHL"
    with problems.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    done = run(fresh, "survey", "import", str(path), "--resolutions", str(problems))
    assert done.exit_code == 0, done.output
    assert "imported big.csv (utf-8): 47 rows, 47 councils" in done.output
    assert "  skipped row 46 (Nowhere 45)" in done.output
    assert "  row 47: 'Durham' read as Durham County Council (resolutions file)" in done.output
    stored = values(fresh, "score")
    assert stored["DUR"] == "46" and stored["KHL"] == "48" and stored[codes[0]] == "1"
    assert codes[44] not in stored and len(stored) == 47
    assert run(fresh, "cases", "aliases").output.strip() == "no remembered spellings"


def test_a_resolutions_file_of_another_version_or_with_a_guess_is_refused(fresh: Path, tmp_path: Path):
    path = write(tmp_path, "small.csv", "council,score\nNowhere,1\n")
    stale = write(tmp_path, "stale.csv", "row,council_in_file,council\n2,Elsewhere,CMD\n")
    result = run(fresh, "survey", "import", str(path), "--resolutions", str(stale))
    assert result.exit_code == 1
    assert "row 2 of the survey file names 'Nowhere', not 'Elsewhere'" in result.output
    fuzzy = write(tmp_path, "fuzzy.csv", "row,council_in_file,council\n2,Nowhere,Camdn\n")
    result = run(fresh, "survey", "import", str(path), "--resolutions", str(fuzzy))
    assert result.exit_code == 1 and "'Camdn' is not a council's name, alias or code" in result.output
    later = write(tmp_path, "later.csv", "row,council_in_file,council\n2,Nowhere,Dorset Council\n")
    result = run(fresh, "survey", "import", str(path), "--resolutions", str(later))
    assert result.exit_code == 1 and "not a council on 1 April 2008" in result.output
    assert run(fresh, "survey", "list").output.strip() == "no survey variables yet"


def test_the_problems_file_is_never_written_over_a_project_or_a_strangers_file(fresh: Path, tmp_path: Path):
    path = write(tmp_path, "odd.csv", "council,score\nNowhere 1,1\n")
    before = fresh.read_bytes()
    over_project = run(fresh, "survey", "import", str(path), "--problems-file", str(fresh))
    assert over_project.exit_code == 1
    assert "never writes output over it" in over_project.stderr
    assert fresh.read_bytes() == before
    mine = tmp_path / "notes.csv"
    mine.write_text("my own notes\n", encoding="utf-8")
    over_notes = run(fresh, "survey", "import", str(path), "--problems-file", str(mine))
    assert over_notes.exit_code == 1 and "already exists" in over_notes.stderr
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
