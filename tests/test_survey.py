"""Survey import, inference, council matching, waves, and the survey CLI."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from beacon_qual.cases.councils import seed_cases
from beacon_qual.cli import main
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.survey.measures import (
    ImportOptions,
    get_variable,
    import_survey,
    list_variables,
    summarise_variable,
    value_rows,
    variable_frame,
    variable_values,
)
from beacon_qual.survey.types import ColumnType, infer_type, load_types_file

DATA = Path(__file__).parent / "data" / "survey"


@pytest.fixture
def project(make_project) -> Project:
    """A project holding the 388 councils of the 2008 register with their known spellings."""
    return make_project(councils="register", name="survey.db")


def case_id(project: Project, code: str) -> int:
    return project.scalar("SELECT id FROM cases WHERE code = ?", (code,))


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def stored_counts(project: Project) -> tuple[int, int, int]:
    return (
        project.scalar("SELECT count(*) FROM variables"),
        project.scalar("SELECT count(*) FROM case_values"),
        project.scalar("SELECT count(*) FROM audit WHERE action = 'survey.import'"),
    )


# -- encodings and file formats ------------------------------------------------------------------------
def test_windows_1252_file_keeps_curly_quotes_and_council_names(project: Project) -> None:
    report = import_survey(project, DATA / "councils_cp1252.csv")
    assert report.encoding == "cp1252"
    assert report.rows == 2 and report.councils == 2
    sos, shn = case_id(project, "SOS"), case_id(project, "SHN")
    assert variable_values(project, "lead_officer_quote") == {
        (sos, 1): "\u201cWe learnt from Camden\u2019s forms\u201d",
        (shn, 1): "\u2018Peer visits mattered\u2019 \u2013 officer",
    }
    assert variable_values(project, "budget_per_head") == {(sos, 1): 12.5, (shn, 1): 9.75}
    assert variable_values(project, "beacon_status") == {(sos, 1): True, (shn, 1): False}
    assert get_variable(project, "beacon_status").type == "boolean"


def test_utf8_byte_order_mark_is_not_part_of_the_first_column_name(project: Project) -> None:
    report = import_survey(project, DATA / "councils_bom.csv")
    assert report.encoding == "utf-8-sig"
    assert [v.name for v in report.variables] == ["budget_per_head"]
    assert variable_values(project, "budget_per_head") == {
        (case_id(project, "SOS"), 1): 12.5,
        (case_id(project, "SHN"), 1): 9.0,
    }


def test_bytes_that_are_neither_utf8_nor_cp1252_are_refused(tmp_path: Path, project: Project) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"council,score\nSt Helens,\x81\n")
    with pytest.raises(BeaconError, match=r"odd.csv is not UTF-8 or Windows-1252 text .*0x81"):
        import_survey(project, path)
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(BeaconError, match="image.csv is a binary file"):
        import_survey(project, binary)
    assert stored_counts(project) == (0, 0, 0)


def test_malformed_csv_and_ragged_rows_are_one_line_errors(tmp_path: Path, project: Project) -> None:
    unterminated = write(tmp_path, "quote.csv", 'council,score\nSt Helens,"4\nCamden,5\n')
    # the message names the line where the unclosed quote is, not the end of the file it ran to
    with pytest.raises(
        BeaconError,
        match="quote.csv is not well-formed CSV: a quoted cell opened in the row on line 2 is never closed",
    ):
        import_survey(project, unterminated)
    stray = write(tmp_path, "stray.csv", 'council,score\nSt Helens,4\nCamden,"5"x\nHull,3\n')
    with pytest.raises(BeaconError, match="stray.csv is not well-formed CSV: line 3: "):
        import_survey(project, stray)
    ragged = write(tmp_path, "ragged.csv", "council,score\nSt Helens,4\nCamden,5,extra\n")
    with pytest.raises(BeaconError, match="ragged.csv row 3 has 3 cells but the header has 2"):
        import_survey(project, ragged)
    assert stored_counts(project) == (0, 0, 0)


def test_tsv_with_wave_column_codes_likert_dates_and_missing_cells(project: Project) -> None:
    report = import_survey(project, DATA / "waves.tsv")
    assert report.waves == (1, 2) and report.rows == 6 and report.councils == 3
    by_name = {v.name: v for v in report.variables}
    assert by_name["partnership_working"].type == "ordinal"
    assert by_name["partnership_working"].levels == (
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    )
    assert by_name["peer_visits"].type == "numeric" and by_name["peer_visits"].missing == 2
    assert by_name["survey_date"].type == "date"
    assert by_name["region"].type == "categorical"
    assert get_variable(project, "region").levels == ("East of England", "North West", "West Midlands")
    sos, shn = case_id(project, "SOS"), case_id(project, "SHN")
    row = project.one(
        "SELECT value_num, value_text FROM case_values JOIN variables v ON v.id = variable_id"
        " WHERE v.name = 'partnership_working' AND case_id = ? AND wave = 2",
        (shn,),
    )
    assert tuple(row) == (1.0, "Disagree")
    assert variable_values(project, "survey_date", wave=1)[(sos, 1)] == "2006-03-14"
    assert variable_values(project, "peer_visits", wave=2) == {
        (sos, 2): 4.0,
        (case_id(project, "BIR"), 2): 7.0,
    }
    assert get_variable(project, "peer_visits").coverage == {1: 2, 2: 2}
    assert get_variable(project, "region").coverage == {1: 3, 2: 3}


def test_xlsx_written_with_openpyxl(tmp_path: Path, project: Project) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Council", "satisfaction", "spend", "visited"])
    sheet.append(["Camden", "Very satisfied", 1250.5, datetime(2007, 5, 1)])
    sheet.append(["Birmingham", "Fairly dissatisfied", 980, datetime(2007, 6, 12)])
    sheet.append(["Hull", None, 1100, None])
    path = tmp_path / "wave3.xlsx"
    workbook.save(path)

    report = import_survey(project, path, options=ImportOptions(wave=3))
    assert report.encoding == "xlsx" and report.waves == (3,)
    cmd, bir, khl = (case_id(project, c) for c in ("CMD", "BIR", "KHL"))
    assert variable_values(project, "spend") == {(cmd, 3): 1250.5, (bir, 3): 980.0, (khl, 3): 1100.0}
    assert variable_values(project, "visited") == {(cmd, 3): "2007-05-01", (bir, 3): "2007-06-12"}
    assert get_variable(project, "satisfaction").levels[0] == "Very dissatisfied"
    assert variable_values(project, "satisfaction") == {
        (cmd, 3): "Very satisfied",
        (bir, 3): "Fairly dissatisfied",
    }


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path, project: Project) -> None:
    path = write(tmp_path, "fake.xlsx", "council,score\nCamden,1\n")
    with pytest.raises(BeaconError, match="fake.xlsx is not a readable .xlsx workbook"):
        import_survey(project, path)


# -- type inference ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["Yes", "no", "NA", "y"], ColumnType("boolean")),
        (["1", "0", "1"], ColumnType("numeric")),
        (["12", "-3.5", "1,234.5", ""], ColumnType("numeric")),
        (["2008-04-01", "15/09/2007", "."], ColumnType("date")),
        (
            ["Never", "Always", "sometimes"],
            ColumnType("ordinal", ("Never", "Rarely", "Sometimes", "Often", "Always")),
        ),
        (["Poor", "Excellent"], ColumnType("ordinal", ("Poor", "Fair", "Good", "Very good", "Excellent"))),
        (
            ["Very likely", "Unlikely"],
            ColumnType(
                "ordinal",
                ("Very unlikely", "Unlikely", "Neither likely nor unlikely", "Likely", "Very likely"),
            ),
        ),
        (
            ["Somewhat agree", "Strongly disagree"],
            ColumnType(
                "ordinal",
                (
                    "Strongly disagree",
                    "Disagree",
                    "Somewhat disagree",
                    "Neither agree nor disagree",
                    "Somewhat agree",
                    "Agree",
                    "Strongly agree",
                ),
            ),
        ),
        (
            ["Tend to agree", "Strongly agree"],
            ColumnType(
                "ordinal",
                (
                    "Strongly disagree",
                    "Tend to disagree",
                    "Neither agree nor disagree",
                    "Tend to agree",
                    "Strongly agree",
                ),
            ),
        ),
        (["Agree", "Agree"], ColumnType("categorical", ("Agree",))),
        (["urban", "Rural", "urban"], ColumnType("categorical", ("Rural", "urban"))),
        (["31/02/2008", "01/03/2008"], ColumnType("categorical", ("01/03/2008", "31/02/2008"))),
        (
            ["We learnt a great deal from the visit to the Beacon council and changed our forms."],
            ColumnType("text"),
        ),
        (["", "N/A", "-"], None),
    ],
)
def test_column_type_inference(cells: list[str], expected: ColumnType | None) -> None:
    assert infer_type(cells) == expected


def test_yaml_types_override_inference(project: Project) -> None:
    report = import_survey(project, DATA / "overrides.csv", options=ImportOptions(types=DATA / "types.yaml"))
    kinds = {v.name: (v.type, v.levels) for v in report.variables}
    assert kinds == {
        "innovation_rating": ("ordinal", ("Low", "Medium", "High")),
        "tier": ("categorical", ("1", "2")),
        "has_beacon": ("boolean", None),
        "budget_code": ("text", None),
    }
    sos, shn = case_id(project, "SOS"), case_id(project, "SHN")
    assert variable_values(project, "innovation_rating")[(shn, 1)] == "Low"
    assert (
        project.scalar(
            "SELECT value_num FROM case_values JOIN variables v ON v.id = variable_id"
            " WHERE v.name = 'innovation_rating' AND case_id = ?",
            (sos,),
        )
        == 2.0
    )
    assert variable_values(project, "has_beacon")[(shn, 1)] is False
    assert variable_values(project, "budget_code")[(sos, 1)] == "0042"
    assert "notes" not in {v.name for v in list_variables(project)}


def test_a_value_that_does_not_fit_its_declared_type_names_row_and_column(
    tmp_path: Path, project: Project
) -> None:
    types = write(tmp_path, "t.yaml", "columns:\n  score: {type: numeric}\n")
    path = write(tmp_path, "bad.csv", "council,score,other\nCamden,4,a\nBirmingham,lots,b\n")
    with pytest.raises(BeaconError, match=r"bad.csv row 3, column 'score': 'lots' is not a number"):
        import_survey(project, path, options=ImportOptions(types=types))
    assert stored_counts(project) == (0, 0, 0)


def test_types_file_mistakes_are_reported(tmp_path: Path, project: Project) -> None:
    path = write(tmp_path, "s.csv", "council,score\nCamden,4\n")
    cases = {
        "broken.yaml": ("columns: [unclosed\n", "not valid YAML at line"),
        "kind.yaml": ("columns:\n  score: {type: interval}\n", "has type 'interval'"),
        "missing.yaml": ("columns:\n  scroe: numeric\n", "no typed column 'scroe'"),
        "levels.yaml": ("columns:\n  score: {type: numeric, levels: [a, b]}\n", "takes no levels"),
    }
    for name, (text, message) in cases.items():
        with pytest.raises(BeaconError, match=message):
            import_survey(project, path, options=ImportOptions(types=write(tmp_path, name, text)))
    assert load_types_file(write(tmp_path, "ok.yaml", "skip: [a]\n")).skip == ("a",)


def test_stored_type_conflict_is_an_error(tmp_path: Path, project: Project) -> None:
    import_survey(project, write(tmp_path, "one.csv", "council,score\nCamden,4\nBirmingham,5\n"))
    second = write(tmp_path, "two.csv", "council,score\nCamden,High\nBirmingham,Low\n")
    with pytest.raises(BeaconError, match=r"two.csv row 2, column 'score': 'High' is not a number"):
        import_survey(project, second)
    declared = write(tmp_path, "t.yaml", "columns:\n  score: categorical\n")
    with pytest.raises(
        BeaconError, match="is declared categorical but variable 'score' is stored as numeric"
    ):
        import_survey(project, second, options=ImportOptions(types=declared))
    assert stored_counts(project) == (1, 2, 1)


# -- councils ------------------------------------------------------------------------------------------
def test_codes_names_and_variants_resolve(tmp_path: Path, project: Project) -> None:
    path = write(
        tmp_path,
        "variants.csv",
        "council,gss_code,score\n"
        "Anything at all,E06000033,1\n"
        "London Borough of Camden,,2\n"
        "St. Helens,,3\n"
        "HULL CITY COUNCIL,,4\n",
    )
    import_survey(project, path)
    assert variable_values(project, "score") == {
        (case_id(project, code), 1): float(n) for n, code in enumerate(["SOS", "CMD", "SHN", "KHL"], start=1)
    }


def test_unmatched_and_ambiguous_rows_are_listed_and_nothing_is_written(
    tmp_path: Path, project: Project
) -> None:
    path = write(tmp_path, "bad.csv", "council,score\nCamden,1\nDurham,2\nGotham City,3\n")
    with pytest.raises(BeaconError) as caught:
        import_survey(project, path)
    error = caught.value
    assert error.message.startswith(
        "2 row(s) of bad.csv do not match exactly one council; nothing was imported"
    )
    assert error.details[0].startswith("row 3: 'Durham' could be any of 2 councils")
    assert (
        "[DRC] Durham City Council" in error.details[0] and "[DUR] Durham County Council" in error.details[0]
    )
    assert error.details[1].startswith("row 4: no council matches 'Gotham City'")
    assert "candidates: [NGM] Nottingham City Council" in error.details[1]
    assert stored_counts(project) == (0, 0, 0)


def test_skip_row_by_number_and_by_spelling(tmp_path: Path, project: Project) -> None:
    path = write(tmp_path, "bad.csv", "council,score\nCamden,1\nDurham,2\nGotham City,3\n")
    report = import_survey(project, path, options=ImportOptions(skip_rows=("3", "gotham city")))
    assert report.skipped_rows == ((3, "Durham"), (4, "Gotham City"))
    assert variable_values(project, "score") == {(case_id(project, "CMD"), 1): 1.0}
    with pytest.raises(BeaconError, match="--skip-row '9' names no data row of bad.csv"):
        import_survey(project, path, options=ImportOptions(skip_rows=("9",)))


def test_accepted_spelling_is_remembered_for_the_next_import(tmp_path: Path, project: Project) -> None:
    first = write(tmp_path, "first.csv", "council,score\nDurham,2\nSthnd,5\nNewcastle City Council,7\n")
    accept = (
        ("Durham", "DUR"),
        ("sthnd", "Southend-on-Sea Borough Council"),
        ("Newcastle City Council", "Newcastle-under-Lyme"),
    )
    report = import_survey(project, first, options=ImportOptions(accept=accept))
    dur, sos, nec = case_id(project, "DUR"), case_id(project, "SOS"), case_id(project, "NEC")
    assert report.aliases == (("Sthnd", sos),)
    # ambiguous on its own, or an official name of another council: used for this file, but not remembered
    refused = dict(report.aliases_refused)
    assert list(refused) == ["Durham", "Newcastle City Council"]
    assert refused["Durham"].startswith("'Durham' could mean any of 2 councils on its own")
    assert refused["Newcastle City Council"].startswith("'Newcastle City Council' already stands for")
    assert variable_values(project, "score") == {(dur, 1): 2.0, (sos, 1): 5.0, (nec, 1): 7.0}
    assert (
        project.scalar("SELECT source FROM case_aliases WHERE case_id = ? AND alias = 'Sthnd'", (sos,))
        == "survey:first.csv"
    )
    second = write(tmp_path, "second.csv", "council,score\nSthnd,6\n")
    import_survey(project, second, options=ImportOptions(wave=2))
    assert variable_values(project, "score", wave=2) == {(sos, 2): 6.0}
    with pytest.raises(BeaconError) as caught:
        import_survey(
            project, write(tmp_path, "third.csv", "council,score\nDurham,1\n"), options=ImportOptions(wave=3)
        )
    assert caught.value.details[0].startswith("row 2: 'Durham' could be any of 2 councils")


def test_fuzzy_matches_are_listed_and_nothing_is_written_without_confirmation(
    tmp_path: Path, project: Project
) -> None:
    path = write(
        tmp_path, "typo.csv", "council,score\nCamdn,2\nKingston upon Hul,3\nLeeds,4\nGotham City,5\n"
    )
    with pytest.raises(BeaconError) as caught:
        import_survey(project, path)
    error = caught.value
    assert error.message == (
        "3 row(s) of typo.csv do not match exactly one council (2 only by similarity); nothing was imported "
        "(use --accept 'SPELLING=COUNCIL', --accept-fuzzy or --skip-row ROW)"
    )
    assert error.details[:2] == [
        "row 2: 'Camdn' is not a known spelling; closest [CMD] London Borough of Camden (score 91)",
        "row 3: 'Kingston upon Hul' is not a known spelling; closest [KHL] Kingston upon Hull City Council (score 97)",
    ]
    assert error.details[2].startswith("row 5: no council matches 'Gotham City'")
    assert stored_counts(project) == (0, 0, 0)
    assert project.scalar("SELECT count(*) FROM case_aliases WHERE source LIKE 'survey:%'") == 0
    with pytest.raises(BeaconError, match=r"^2 row\(s\) of typo.csv match a council only by similarity"):
        import_survey(project, path, options=ImportOptions(skip_rows=("5",), dry_run=True))


def test_accept_confirms_a_fuzzy_spelling_for_this_import_without_remembering_it(
    tmp_path: Path, project: Project
) -> None:
    path = write(tmp_path, "typo.csv", "council,score\nCamdn,2\nKingston upon Hul,3\n")
    with pytest.raises(
        BeaconError, match="^1 row\\(s\\) of typo.csv match a council only by similarity"
    ) as caught:
        import_survey(project, path, options=ImportOptions(accept=(("Camdn", "Camden"),)))
    assert caught.value.details == [
        "row 3: 'Kingston upon Hul' is not a known spelling; closest [KHL] Kingston upon Hull City Council (score 97)"
    ]
    assert stored_counts(project) == (0, 0, 0)
    accept = (("Camdn", "Camden"), ("Kingston upon Hul", "Hull"))
    report = import_survey(project, path, options=ImportOptions(accept=accept))
    cmd, khl = case_id(project, "CMD"), case_id(project, "KHL")
    assert report.fuzzy == ()
    assert report.aliases == ()
    refused = dict(report.aliases_refused)
    assert refused["Camdn"] == "'Camdn' matches London Borough of Camden only by similarity (score 91)"
    assert "only by similarity" in refused["Kingston upon Hul"]
    assert variable_values(project, "score") == {(cmd, 1): 2.0, (khl, 1): 3.0}
    # not remembered: the next file spelling it so needs confirming again
    again = write(tmp_path, "again.csv", "council,score\nCamdn,5\n")
    with pytest.raises(BeaconError, match="match a council only by similarity"):
        import_survey(project, again, options=ImportOptions(wave=2))


def test_accept_fuzzy_takes_every_clear_fuzzy_match_and_never_remembers_it(
    tmp_path: Path, project: Project
) -> None:
    path = write(tmp_path, "typo.csv", "council,score\nBirmingam,2\nCamden,3\nStokport,4\n")
    report = import_survey(project, path, options=ImportOptions(accept_fuzzy=True))
    bir, cmd, skp = case_id(project, "BIR"), case_id(project, "CMD"), case_id(project, "SKP")
    assert [(row, spelling, case, council) for row, spelling, case, council, _ in report.fuzzy] == [
        (2, "Birmingam", bir, "Birmingham City Council"),
        (4, "Stokport", skp, "Stockport Metropolitan Borough Council"),
    ]
    assert report.aliases == () and report.aliases_refused == ()
    assert project.scalar("SELECT count(*) FROM case_aliases WHERE source LIKE 'survey:%'") == 0
    assert variable_values(project, "score") == {(bir, 1): 2.0, (cmd, 1): 3.0, (skp, 1): 4.0}
    # not remembered: the next file spelling them so needs confirming again
    again = write(tmp_path, "again.csv", "council,score\nBirmingam,5\nStokport,6\n")
    with pytest.raises(BeaconError, match="2 row\\(s\\) of again.csv match a council only by similarity"):
        import_survey(project, again, options=ImportOptions(wave=2))


def test_accept_fuzzy_does_not_take_ambiguous_rows(tmp_path: Path, project: Project) -> None:
    path = write(tmp_path, "amb.csv", "council,score\nNewcastle,1\nNewcastel,2\nCamdn,3\n")
    with pytest.raises(BeaconError) as caught:
        import_survey(project, path, options=ImportOptions(accept_fuzzy=True))
    assert caught.value.message.startswith("2 row(s) of amb.csv do not match exactly one council; nothing")
    assert caught.value.details[0].startswith("row 2: 'Newcastle' could be any of 2 councils")
    assert "[NEC] Newcastle-under-Lyme Borough Council" in caught.value.details[0]
    assert caught.value.details[1].startswith("row 3: 'Newcastel' is about equally close to 2 councils")
    assert stored_counts(project) == (0, 0, 0)


def test_accept_target_must_name_a_council_exactly(tmp_path: Path, project: Project) -> None:
    path = write(tmp_path, "s.csv", "council,score\nCamdn,2\n")
    with pytest.raises(
        BeaconError, match="--accept Camdn=Sheffeld: 'Sheffeld' is not a council's name, alias or code"
    ):
        import_survey(project, path, options=ImportOptions(accept=(("Camdn", "Sheffeld"),)))
    assert stored_counts(project) == (0, 0, 0)


def test_accept_must_name_a_spelling_in_the_file(tmp_path: Path, project: Project) -> None:
    path = write(tmp_path, "s.csv", "council,score\nCamden,2\n")
    with pytest.raises(BeaconError, match="--accept 'Camdn': no row of s.csv spells a council that way"):
        import_survey(project, path, options=ImportOptions(accept=(("Camdn", "Camden"),)))


def test_duplicate_council_wave_rows_name_both_rows(tmp_path: Path, project: Project) -> None:
    path = write(
        tmp_path,
        "dup.csv",
        "council,wave,score\nCamden,1,1\nBirmingham,1,2\nLondon Borough of Camden,1,3\nCamden,2,4\n",
    )
    with pytest.raises(
        BeaconError,
        match=r"rows 2 \(Camden\) and 4 \(London Borough of Camden\) are both London Borough of Camden, wave 1",
    ):
        import_survey(project, path)
    assert stored_counts(project) == (0, 0, 0)


# -- waves ---------------------------------------------------------------------------------------------
def test_wave_option_and_wave_column(tmp_path: Path, project: Project) -> None:
    one = write(tmp_path, "w.csv", "council,score\nCamden,1\n")
    assert import_survey(project, one, options=ImportOptions(wave=2)).waves == (2,)
    named = write(tmp_path, "n.csv", "council,round,score\nCamden,W3,5\nCamden,wave 4,6\n")
    report = import_survey(project, named, options=ImportOptions(wave_column="round"))
    assert report.waves == (3, 4)
    cmd = case_id(project, "CMD")
    assert variable_values(project, "score") == {(cmd, 2): 1.0, (cmd, 3): 5.0, (cmd, 4): 6.0}
    with pytest.raises(BeaconError, match="has a wave column 'round'"):
        import_survey(
            project,
            named,
            options=ImportOptions(wave=1, types=write(tmp_path, "t.yaml", "wave_column: round\n")),
        )
    bad = write(tmp_path, "b.csv", "council,wave,score\nCamden,first,5\n")
    with pytest.raises(BeaconError, match="row 2, column 'wave': 'first' is not a wave number"):
        import_survey(project, bad)


def test_no_wave_column_means_wave_one(tmp_path: Path, project: Project) -> None:
    assert import_survey(project, write(tmp_path, "s.csv", "council,score\nCamden,1\n")).waves == (1,)


# -- re-import, audit, dry run -------------------------------------------------------------------------
def test_reimport_replaces_values_and_counts_them(tmp_path: Path, project: Project) -> None:
    import_survey(
        project, write(tmp_path, "a.csv", "council,score,kind\nCamden,1,x\nBirmingham,2,y\nHull,3,x\n")
    )
    report = import_survey(
        project,
        write(
            tmp_path, "b.csv", "council,score,kind\nCamden,1,x\nBirmingham,9,z\nHull,NA,x\nSt Helens,4,y\n"
        ),
    )
    score = next(v for v in report.variables if v.name == "score")
    assert (score.written, score.replaced, score.unchanged, score.missing) == (1, 1, 1, 1)
    assert not score.created
    khl = case_id(project, "KHL")
    values = variable_values(project, "score")
    assert values[(case_id(project, "BIR"), 1)] == 9.0 and values[(khl, 1)] == 3.0
    assert get_variable(project, "kind").levels == ("x", "y", "z")


def test_one_audit_row_per_import_with_file_variables_and_counts(tmp_path: Path, project: Project) -> None:
    path = write(tmp_path, "a.csv", "council,score\nCamden,1\nBirmingham,2\n")
    import_survey(project, path)
    rows = project.execute("SELECT entity, after FROM audit WHERE action = 'survey.import'").fetchall()
    assert len(rows) == 1 and rows[0]["entity"] == "variables"
    record = json.loads(rows[0]["after"])
    assert record["file"] == str(path) and record["rows"] == 2
    assert record["variables"] == [
        {"name": "score", "type": "numeric", "written": 2, "replaced": 0, "unchanged": 0, "created": True}
    ]


def test_dry_run_counts_but_writes_nothing(tmp_path: Path, project: Project) -> None:
    import_survey(project, write(tmp_path, "a.csv", "council,score\nCamden,1\n"))
    before = stored_counts(project)
    report = import_survey(
        project,
        write(tmp_path, "b.csv", "council,score\nCamden,2\nSthnd,3\n"),
        options=ImportOptions(dry_run=True, accept=(("Sthnd", "Southend-on-Sea"),)),
    )
    assert report.dry_run and (report.written, report.replaced) == (1, 1)
    assert stored_counts(project) == before
    assert variable_values(project, "score") == {(case_id(project, "CMD"), 1): 1.0}
    assert report.aliases == (("Sthnd", case_id(project, "SOS")),)
    assert project.scalar("SELECT count(*) FROM case_aliases WHERE alias = 'Sthnd'") == 0


# -- reading variables ---------------------------------------------------------------------------------
def test_summaries_frames_and_lists(project: Project) -> None:
    import_survey(project, DATA / "waves.tsv")
    visits = summarise_variable(project, "peer_visits", wave=1)
    (wave1,) = visits.waves
    assert wave1.n == 2 and visits.councils == 388
    assert wave1.statistics["mean"] == 4.0 and wave1.statistics["median"] == 4.0
    assert math.isclose(wave1.statistics["sd"], math.sqrt(2))
    likert = summarise_variable(project, "partnership_working")
    assert [w.wave for w in likert.waves] == [1, 2]
    assert dict(likert.waves[1].counts) == {
        "Strongly disagree": 0,
        "Disagree": 1,
        "Neither agree nor disagree": 0,
        "Agree": 1,
        "Strongly agree": 1,
    }
    assert likert.waves[1].statistics["median"] == "Agree"

    frame = variable_frame(project, ["peer_visits", "region"], wave=2)
    assert [(r["council"], r["wave"], r["peer_visits"], r["region"]) for r in frame] == [
        ("Birmingham City Council", 2, 7.0, "West Midlands"),
        ("Southend-on-Sea Borough Council", 2, 4.0, "East of England"),
        ("St Helens Council", 2, None, "North West"),
    ]
    assert [v.name for v in list_variables(project)] == [
        "partnership_working",
        "peer_visits",
        "region",
        "survey_date",
    ]
    assert [r.council for r in value_rows(project, "peer_visits", wave=1)] == [
        "Southend-on-Sea Borough Council",
        "St Helens Council",
    ]
    with pytest.raises(BeaconError, match="no survey variable called 'peer_visit'") as caught:
        get_variable(project, "peer_visit")
    assert "peer_visits" in caught.value.details[0]


# -- command line --------------------------------------------------------------------------------------
def run(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.path), *args])


def test_cli_import_list_and_show(project: Project) -> None:
    result = run(project, "survey", "import", str(DATA / "waves.tsv"))
    assert result.exit_code == 0, result.output
    assert "imported waves.tsv (utf-8): 6 rows, 3 councils, wave(s) 1, 2" in result.output
    listed = json.loads(run(project, "survey", "list", "--format", "json").output)
    visits = next(v for v in listed if v["name"] == "peer_visits")
    assert visits["coverage"] == {"1": 2, "2": 2} and visits["type"] == "numeric"
    shown = run(project, "survey", "show", "peer_visits", "--wave", "2", "--values", "--format", "csv")
    assert shown.output.splitlines() == [
        "council,code,wave,value",
        "Birmingham City Council,BIR,2,7",
        "Southend-on-Sea Borough Council,SOS,2,4",
    ]
    table = run(project, "survey", "show", "partnership_working", "--wave", "1")
    assert "wave 1: 3 of 388 councils" in table.output and "Strongly agree" in table.output


def test_cli_errors_are_one_line_without_traceback(tmp_path: Path, project: Project) -> None:
    path = write(tmp_path, "bad.csv", "council,score\nGotham City,3\n")
    result = run(project, "survey", "import", str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("error: 1 row(s) of bad.csv do not match exactly one council")
    assert lines[1].startswith("  row 2: no council matches 'Gotham City'")
    assert "Traceback" not in result.output
    missing = run(project, "survey", "import", str(tmp_path / "nope.csv"))
    assert (
        missing.exit_code == 1
        and missing.output.strip() == f"error: no survey file at {tmp_path / 'nope.csv'}"
    )
    accept = run(project, "survey", "import", str(path), "--accept", "Atlantis")
    assert accept.exit_code == 1 and "should read SPELLING=COUNCIL" in accept.output
    unknown = run(project, "survey", "show", "nothing")
    assert unknown.exit_code == 1 and unknown.output.startswith("error: no survey variable called 'nothing'")


def test_cli_fuzzy_rows_need_confirmation(tmp_path: Path, project: Project) -> None:
    path = write(tmp_path, "typo.csv", "council,score\nCamdn,2\nDurham,3\nLeeds,4\n")
    refused = run(project, "survey", "import", str(path), "--accept", "Durham=DUR")
    assert refused.exit_code == 1
    assert refused.output.splitlines() == [
        (
            "error: 1 row(s) of typo.csv match a council only by similarity; nothing was imported "
            "(use --accept 'SPELLING=COUNCIL', --accept-fuzzy or --skip-row ROW); every problem row is in "
            f"{tmp_path / 'typo-resolutions.csv'}: fill in its 'council' column and pass it back with "
            "--resolutions"
        ),
        "  row 2: 'Camdn' is not a known spelling; closest [CMD] London Borough of Camden (score 91)",
    ]
    assert stored_counts(project) == (0, 0, 0)
    done = run(project, "survey", "import", str(path), "--accept", "Durham=DUR", "--accept-fuzzy")
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert (
        "  row 2: 'Camdn' read as London Borough of Camden (fuzzy, score 91), accepted for this import, "
        "not remembered"
    ) in lines
    assert not any("remembered spelling" in line for line in lines)
    assert "  used but not remembered 'Durham': 'Durham' could mean any of 2 councils on its own" in lines
    assert variable_values(project, "score") == {
        (case_id(project, "CMD"), 1): 2.0,
        (case_id(project, "DUR"), 1): 3.0,
        (case_id(project, "LDS"), 1): 4.0,
    }
    help_text = run(project, "survey", "import", "--help").output
    assert "--accept-fuzzy" in help_text and "only by similarity" in help_text


# -- the shipped example -------------------------------------------------------------------------------
EXAMPLE = Path(__file__).resolve().parents[1] / "transcripts_example" / "survey_councils.csv"


def test_shipped_example_survey_imports_whole(project: Project) -> None:
    import csv
    import statistics

    with EXAMPLE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    report = import_survey(project, EXAMPLE)
    assert report.rows == len(rows) and report.waves == (1, 2)
    assert report.councils == len({r["council"] for r in rows if r["wave"] == "1"})
    kinds = {v.name: v.type for v in report.variables}
    assert kinds["learning_culture"] == "ordinal" and kinds["improvement_score"] == "numeric"
    assert kinds["attended_open_day"] == "boolean" and kinds["returned_on"] == "date"
    wave2 = summarise_variable(project, "learning_culture", wave=2).waves[0]
    assert dict(wave2.counts)["Agree"] == sum(
        1 for r in rows if r["wave"] == "2" and r["learning_culture"] == "Agree"
    )
    open_day = summarise_variable(project, "attended_open_day", wave=1).waves[0].counts
    wave1_yes = sum(1 for r in rows if r["wave"] == "1" and r["attended_open_day"] == "yes")
    assert open_day == (("false", report.councils - wave1_yes), ("true", wave1_yes))
    scores = [float(r["improvement_score"]) for r in rows if r["wave"] == "1"]
    stats = summarise_variable(project, "improvement_score", wave=1).waves[0].statistics
    assert math.isclose(stats["mean"], statistics.fmean(scores))
    with (EXAMPLE.parent / "council_spellings.csv").open(encoding="utf-8", newline="") as fh:
        official = {r["spelling"]: r["official_name"] for r in csv.DictReader(fh)}
    expected = {(official[r["council"]], int(r["wave"])): float(r["improvement_score"]) for r in rows}
    assert {(v.council, v.wave): v.value for v in value_rows(project, "improvement_score")} == expected


# -- encodings that are not UTF-8 or Windows-1252 ----------------------------------------------------------


def test_latin2_survey_is_refused_and_read_with_a_named_encoding(tmp_path: Path, project: Project) -> None:
    text = "council,comment\nKent,Współpraca z Łodzią\n"
    path = write(tmp_path, "polish.csv", text, "iso-8859-2")
    with pytest.raises(
        BeaconError, match=r"^polish.csv does not look like UTF-8 or Windows-1252 text .*'Wspó³praca'"
    ):
        import_survey(project, path, options=ImportOptions(wave=1))
    assert stored_counts(project) == (0, 0, 0)
    report = import_survey(project, path, options=ImportOptions(wave=1, encoding="iso-8859-2"))
    assert report.encoding == "iso8859-2"
    assert variable_values(project, "comment") == {(case_id(project, "KEN"), 1): "Współpraca z Łodzią"}


def test_survey_in_utf8_with_a_stray_byte_is_refused_naming_its_offset(tmp_path: Path) -> None:
    # "council,comment\n" (16), "Kent," (5), "caf" (3), é (2), " " (1), – (3), " good\n" (6), "Hull,ok " (8): byte 44
    path = tmp_path / "stray.csv"
    path.write_bytes("council,comment\nKent,café – good\nHull,ok ".encode() + b"\xe9\n")
    db = tmp_path / "cli.db"
    seed_cases(Project.create(db))
    result = CliRunner().invoke(main, ["-p", str(db), "survey", "import", str(path), "--wave", "1"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: stray.csv is not valid UTF-8: byte 0xE9 at offset 44 (line 3) — it looks like UTF-8 with damaged "
        "bytes; fix or re-save the file as UTF-8, or if it is in another encoding, pass --encoding"
    )
    accepted = CliRunner().invoke(
        main, ["-p", str(db), "survey", "import", str(path), "--wave", "1", "--encoding", "cp1252"]
    )
    assert accepted.exit_code == 0, accepted.output
    assert "(cp1252)" in accepted.output
