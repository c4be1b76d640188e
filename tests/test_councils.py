"""The 2008 council register, seeding it, and the one council-matching function (service and CLI)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from beacon_qual.cases import councils
from beacon_qual.cases.councils import (
    CouncilNotResolved,
    load_register,
    normalise,
    remember_alias,
    resolve_council,
    resolve_many,
    seed_cases,
)
from beacon_qual.cli import main
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now

REGISTER = load_register()
BY_NAME = {entry.name: entry for entry in REGISTER}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, project_maker) -> Project:
    """One seeded project shared by the read-only matching tests."""
    project = Project.open(
        project_maker.file(tmp_path_factory.mktemp("councils") / "seeded.db", councils="register")
    )
    yield project
    project.close()


@pytest.fixture
def fresh(make_project) -> Project:
    return make_project(name="fresh.db")


def case_id(project: Project, code: str) -> int:
    return project.scalar("SELECT id FROM cases WHERE code = ?", (code,))


# -- the register ------------------------------------------------------------------------------------


def test_register_has_388_councils_in_the_2008_proportions():
    assert Counter(e.type for e in REGISTER) == {
        "county": 34,
        "district": 238,
        "metropolitan": 36,
        "london": 33,
        "unitary": 47,
    }
    assert len(REGISTER) == 388


def test_codes_and_short_names_are_unique_and_every_council_has_a_region():
    for column in ("code", "gss_code", "ons_code", "short_name"):
        values = [getattr(e, column) for e in REGISTER if getattr(e, column)]
        assert len(values) == len(set(values)), column
    assert all(len(e.code) == 3 and e.code.isupper() for e in REGISTER)
    assert all(e.region for e in REGISTER)
    assert len({e.region for e in REGISTER}) == 9


def test_the_2009_changes_are_undone():
    assert BY_NAME["Cornwall County Council"].type == "county"
    for county in ("Durham", "Northumberland", "Shropshire", "Wiltshire", "Bedfordshire", "Cheshire"):
        assert BY_NAME[f"{county} County Council"].type == "county"
    assert BY_NAME["Bedford Borough Council"].type == "district"
    assert BY_NAME["Bedford Borough Council"].ons_code == "09UD"
    assert BY_NAME["Durham County Council"].ons_code == "20"
    assert BY_NAME["Durham City Council"].type == "district"
    names = set(BY_NAME)
    for later in (
        "Cheshire East Council",
        "Cheshire West and Chester Council",
        "Central Bedfordshire Council",
        "Cornwall Council",
        "Shropshire Council",
        "Wiltshire Council",
    ):
        assert later not in names
    abolished_2009 = [e for e in REGISTER if e.notes.startswith("abolished 1 April 2009")]
    assert Counter(e.type for e in abolished_2009) == {"district": 36, "county": 2}
    assert all(not e.gss_code for e in abolished_2009)


def test_councils_abolished_since_2019_are_present_and_later_ones_absent():
    names = set(BY_NAME)
    for existed in (
        "Dorset County Council",
        "Christchurch Borough Council",
        "Borough of Poole",
        "Aylesbury Vale District Council",
        "Northamptonshire County Council",
        "Corby Borough Council",
        "Cumbria County Council",
        "Allerdale Borough Council",
        "North Yorkshire County Council",
        "Somerset County Council",
        "Taunton Deane Borough Council",
        "Forest Heath District Council",
        "Suffolk Coastal District Council",
    ):
        assert existed in names, existed
    for later in (
        "Dorset Council",
        "Bournemouth, Christchurch and Poole Council",
        "Buckinghamshire Council",
        "North Northamptonshire Council",
        "Cumberland Council",
        "Westmorland and Furness Council",
        "North Yorkshire Council",
        "Somerset Council",
        "Somerset West and Taunton Council",
        "East Suffolk Council",
        "West Suffolk Council",
    ):
        assert later not in names, later


def test_london_scilly_and_names_of_2008():
    assert BY_NAME["City of London Corporation"].type == "london"
    assert BY_NAME["Council of the Isles of Scilly"].type == "unitary"
    assert sum(1 for e in REGISTER if e.name.startswith(("London Borough", "Royal Borough of K"))) == 31
    # Renamed since 2008: the 2008 name is the official one, the later one an alternative.
    assert "Folkestone and Hythe District Council" in BY_NAME["Shepway District Council"].alt_names
    assert "Chelmsford Borough Council" in BY_NAME
    assert "London Borough of Greenwich" in BY_NAME


def test_every_district_lies_in_a_county_of_the_register_with_the_known_number_of_districts():
    counties = {e.ons_code: e for e in REGISTER if e.type == "county"}
    districts = Counter(e.ons_code[:2] for e in REGISTER if e.type == "district")
    assert set(districts) == set(counties)
    known = {  # districts per county in 2008
        "09": 3,  # Bedfordshire: Bedford, Mid and South Bedfordshire
        "13": 6,  # Cheshire
        "15": 6,  # Cornwall
        "20": 7,  # Durham
        "35": 6,  # Northumberland
        "39": 5,  # Shropshire
        "46": 4,  # Wiltshire
        "29": 12,  # Kent
        "22": 12,  # Essex
        "30": 12,  # Lancashire
        "24": 11,  # Hampshire
        "43": 11,  # Surrey
        "19": 6,  # Dorset
        "36": 7,  # North Yorkshire
        "16": 6,  # Cumbria
    }
    assert {county: districts[county] for county in known} == known


def test_the_ambiguous_plain_durham_is_no_alternative_name():
    for entry in REGISTER:
        assert "durham" not in {normalise(a) for a in entry.alt_names}


# -- seeding -----------------------------------------------------------------------------------------


def test_seed_adds_every_council_and_spelling_once(fresh: Project):
    assert seed_cases(fresh) == 388
    aliases = fresh.scalar("SELECT count(*) FROM case_aliases")
    assert fresh.scalar("SELECT count(*) FROM cases") == 388
    assert aliases >= 388 * 2
    assert seed_cases(fresh) == 0
    assert fresh.scalar("SELECT count(*) FROM cases") == 388
    assert fresh.scalar("SELECT count(*) FROM case_aliases") == aliases
    assert fresh.scalar("SELECT count(*) FROM audit WHERE action = 'cases.seed'") == 1
    assert "mySociety" in fresh.get_meta("council_register")
    row = fresh.one("SELECT name, type, region, gss_code, ons_code FROM cases WHERE code = 'DUR'")
    assert tuple(row) == ("Durham County Council", "county", "North East", "E06000047", "20")
    norms = {
        r[0]
        for r in fresh.execute(
            "SELECT norm FROM case_aliases a JOIN cases c ON c.id = a.case_id WHERE c.code = 'KHL'"
        )
    }
    assert {"kingston on hull city council", "hull city council"} <= norms


def test_seed_fails_whole(fresh: Project, monkeypatch: pytest.MonkeyPatch):
    calls = []

    def failing(project, case_id, entry):
        calls.append(entry.code)
        if len(calls) == 100:
            raise BeaconError("disk full")
        return 0

    monkeypatch.setattr(councils, "_insert_register_aliases", failing)
    with pytest.raises(BeaconError):
        seed_cases(fresh)
    assert fresh.scalar("SELECT count(*) FROM cases") == 0


# -- matching ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "code", "how"),
    [
        ("Birmingham CC", "BIR", "alias"),
        ("City of York", "YOR", "alias"),
        ("Kingston upon Hull", "KHL", "name"),
        ("Hull", "KHL", "alias"),
        ("Stoke on Trent", "STE", "alias"),
        ("Stoke-on-Trent City Council", "STE", "name"),
        ("LB Camden", "CMD", "alias"),
        ("Camden", "CMD", "name"),
        ("Durham County Council", "DUR", "name"),
        ("County Durham", "DUR", "name"),
        ("City of Durham", "DRC", "name"),
        ("Durham District Council", "DRC", "alias"),
        ("Bedford", "BDF", "name"),
        ("Bedfordshire", "BDS", "name"),
        ("Beds CC", "BDS", "alias"),
        ("Cheshire", "CSH", "name"),
        ("Lancaster", "LAC", "name"),
        ("Lancashire", "LAN", "name"),
        ("Lancs CC", "LAN", "alias"),
        # codes: local-authority, GSS, old ONS, former GSS, any case
        ("bir", "BIR", "code"),
        ("E08000025", "BIR", "code"),
        ("00cn", "BIR", "code"),
        ("20UE", "DRC", "code"),
        ("E08000020", "GAT", "code"),
        # survey-file spellings
        ("St. Helens MBC", "SHN", "alias"),
        ("Saint Albans City & District Council", "SAL", "alias"),
        ("Royal Borough of Kensington & Chelsea", "KEC", "alias"),
        ("Brighton & Hove City Council", "BNH", "alias"),
        ("Bath and NE Somerset", "BAS", "alias"),
        ("Newcastle-upon-Tyne", "NET", "alias"),
        ("Newcastle under Lyme BC", "NEC", "alias"),
        ("Kings Lynn & W Norfolk BC", "KIN", "alias"),
        ("Hammersmith and Fulham LBC", "HMF", "alias"),
        ("N. Yorks CC", "NYK", "alias"),
        ("Stratford-upon-Avon DC", "STR", "alias"),
        ("Wolverhampton MBC", "WLV", "alias"),
        ("Bradford MDC", "BRD", "alias"),
        ("Mid Beds DC", "MBD", "alias"),
        ("Chester-le-Street DC", "CLS", "alias"),
        ("Newcastle CC", "NET", "alias"),  # the designation settles a shared place name
        ("Newcastle City Council", "NET", "name"),
        ("Newcastle upon Tyne", "NET", "name"),
        # a council's own short name is not a shortened name of the council it begins
        ("Chester", "CSR", "name"),  # not Chester-le-Street
        ("Derbyshire", "DBY", "name"),  # not Derbyshire Dales
        ("Wyre", "WYR", "name"),  # not Wyre Forest
        ("Surrey", "SRY", "name"),  # not Surrey Heath
        ("Chester le Street", "CLS", "alias"),
        ("Westminster City Council", "WSM", "alias"),
        ("Windsor & Maidenhead RBC", "WNM", "alias"),
        ("Folkestone & Hythe", "SHE", "alias"),
        ("Barrow-in-Furness BC", "BAR", "alias"),
        ("Telford", "TFW", "alias"),
        ("  city   of   LONDON ", "LND", "name"),
        ("Middlesborough", "MDB", "fuzzy"),
        ("Birmingam", "BIR", "fuzzy"),
        ("Stockport Metropolitan Borogh Council", "SKP", "fuzzy"),
        ("Stoke-n-Trent", "STE", "fuzzy"),
        ("Soth Somerset", "SSO", "fuzzy"),  # a misspelt compass word is mended, not ignored
        ("EastHampshire", "EHA", "fuzzy"),  # glued words are split ...
        ("Eastleigh", "EAT", "name"),  # ... but not real names
        ("City of Durham BC", "DRC", "alias"),  # "city" fits only the district
        ("E Sussex", "ESX", "alias"),
        ("S Bucks DC", "SBU", "alias"),
    ],
)
def test_variants_resolve(seeded: Project, ref: str, code: str, how: str):
    match = resolve_council(seeded, ref)
    assert (match.code, match.how) == (code, how)
    assert match.case_id == case_id(seeded, code)
    if how == "fuzzy":
        assert 85 <= match.score < 100
    else:
        assert match.score == 100.0


@pytest.mark.parametrize(
    ("ref", "codes"),
    [
        ("Durham", {"DUR", "DRC"}),  # both the county and the City of Durham existed in 2008
        ("Durham CC", {"DUR", "DRC"}),  # CC is a city council or a county council
        ("Durham Council", {"DUR", "DRC"}),
        ("Newcastle", {"NET", "NEC"}),  # Newcastle upon Tyne, and Newcastle-under-Lyme (a 2008 district)
        ("newcastle", {"NET", "NEC"}),
        ("Newcastle Council", {"NET", "NEC"}),
        ("Newcastel", {"NET", "NEC"}),  # a misspelling of an ambiguous name is ambiguous too
        ("Harow", {"HRW", "HAR"}),  # Harrow or Harlow, equally close
        ("Boton", {"BOL", "BOT"}),  # Bolton or Boston
        ("Lees", {"LDS", "LEE"}),  # Leeds or Lewes
    ],
)
def test_ambiguous_references_raise_with_candidates(seeded: Project, ref: str, codes: set[str]):
    with pytest.raises(CouncilNotResolved) as caught:
        resolve_council(seeded, ref)
    assert {c.code for c in caught.value.candidates} == codes
    assert len(caught.value.details) == len(codes)
    assert "\n" not in caught.value.message


@pytest.mark.parametrize(
    "ref",
    [
        "xyzzy",
        "",
        "   ",
        "!!!",
        "Council",
        "London",  # not the City of London
        "Cheshire East",  # created 2009: must not become Cheshire County Council
        "Central Bedfordshire",
        "West Northamptonshire",  # not East Northamptonshire however close the letters
        "North Northamptonshire",
        "Kingston",  # upon Hull or upon Thames
        "Est Sussex",  # East or West Sussex
    ],
)
def test_unknown_and_later_councils_raise(seeded: Project, ref: str):
    with pytest.raises(CouncilNotResolved):
        resolve_council(seeded, ref)


@pytest.mark.parametrize(
    ("ref", "first", "listed"),
    [
        ("Kingston", "KHL", {"KHL", "KTT"}),
        ("RB Kingston", "KTT", {"KHL", "KTT"}),  # a royal borough: Thames is listed first
        ("Richmond", "RIC", {"RIC", "RIH"}),  # Richmond upon Thames, and Richmondshire by likeness
        ("Kingston upon", "KHL", {"KHL", "KTT"}),
    ],
)
def test_unresolved_candidates_include_councils_named_with_the_reference(
    seeded: Project, ref: str, first: str, listed: set[str]
):
    with pytest.raises(CouncilNotResolved) as caught:
        resolve_council(seeded, ref)
    codes = [c.code for c in caught.value.candidates]
    assert codes[0] == first
    assert listed <= set(codes)
    assert caught.value.ambiguous is False


def test_a_common_word_lists_a_bounded_number_of_candidates(seeded: Project):
    with pytest.raises(CouncilNotResolved) as caught:
        resolve_council(seeded, "North")
    assert 1 <= len(caught.value.candidates) <= 11
    assert all(c.name.startswith("North ") for c in caught.value.candidates[:8])


def test_a_stricter_min_score_refuses_a_fuzzy_match(seeded: Project):
    assert resolve_council(seeded, "Ashfeild").code == "ASH"
    with pytest.raises(CouncilNotResolved) as caught:
        resolve_council(seeded, "Ashfeild", min_score=95)
    assert caught.value.candidates[0].code == "ASH"


def test_resolve_many_resolves_each_distinct_reference_once(seeded: Project):
    refs = ["Camden", "Hull", "Durham", "Camden", "xyzzy", "Hull"]
    matches, problems = resolve_many(seeded, refs)
    assert {ref: m.code for ref, m in matches.items()} == {"Camden": "CMD", "Hull": "KHL"}
    assert set(problems) == {"Durham", "xyzzy"}
    assert {c.code for c in problems["Durham"].candidates} == {"DUR", "DRC"}


def test_resolve_many_over_the_whole_register_finds_every_council(seeded: Project):
    refs = (
        [e.name.upper() for e in REGISTER] + [e.short_name for e in REGISTER] + [e.ons_code for e in REGISTER]
    )
    matches, problems = resolve_many(seeded, refs)
    assert problems == {}
    assert len({m.case_id for m in matches.values()}) == 388


def test_remembered_alias_resolves_afterwards(fresh: Project):
    seed_cases(fresh)
    with pytest.raises(CouncilNotResolved):
        resolve_council(fresh, "Brum")
    bir = case_id(fresh, "BIR")
    assert remember_alias(fresh, bir, "Brum", "survey:wave1.csv") is True
    assert remember_alias(fresh, bir, "BRUM", "user") is False
    match = resolve_council(fresh, "brum")
    assert (match.code, match.how) == ("BIR", "alias")
    assert fresh.scalar("SELECT source FROM case_aliases WHERE norm = 'brum'") == "survey:wave1.csv"
    assert fresh.scalar("SELECT count(*) FROM audit WHERE action = 'case_alias.add'") == 1


def test_remember_alias_refuses_a_spelling_of_another_council(fresh: Project):
    seed_cases(fresh)
    with pytest.raises(BeaconError, match="already stands for Kingston upon Hull City Council"):
        remember_alias(fresh, case_id(fresh, "BIR"), "Hull City Council", "user")
    with pytest.raises(BeaconError, match="no case with id"):
        remember_alias(fresh, 99999, "Nowhere", "user")
    with pytest.raises(BeaconError):
        remember_alias(fresh, case_id(fresh, "BIR"), " -- ", "user")
    assert fresh.scalar("SELECT count(*) FROM case_aliases WHERE source = 'user'") == 0


@pytest.mark.parametrize(
    ("alias", "code", "why"),
    [
        ("Durham", "DUR", "could mean any of 2 councils on its own"),  # county or City of Durham
        ("Newcastle", "NEC", "could mean any of 2 councils on its own"),  # upon Tyne or under-Lyme
        ("Durham Council", "DRC", "could mean any of 2 councils on its own"),
        ("Birmingam", "CMD", "is close to Birmingham City Council"),
        ("KHL", "BIR", "already stands for Kingston upon Hull City Council"),
    ],
)
def test_remember_alias_refuses_a_spelling_ambiguous_or_taken_on_its_own(
    fresh: Project, alias: str, code: str, why: str
):
    seed_cases(fresh)
    aliases = fresh.scalar("SELECT count(*) FROM case_aliases")
    with pytest.raises(BeaconError, match=why):
        remember_alias(fresh, case_id(fresh, code), alias, "user")
    assert fresh.scalar("SELECT count(*) FROM case_aliases") == aliases
    assert fresh.scalar("SELECT count(*) FROM audit WHERE action = 'case_alias.add'") == 0


def test_remember_alias_takes_a_misspelling_of_the_same_council(fresh: Project):
    seed_cases(fresh)
    cmd = case_id(fresh, "CMD")
    assert resolve_council(fresh, "Camdn").how == "fuzzy"
    assert remember_alias(fresh, cmd, "Camdn", "user") is True
    assert (resolve_council(fresh, "Camdn").how, resolve_council(fresh, "Camdn").case_id) == ("alias", cmd)


def test_cases_outside_the_register_are_matched_too(fresh: Project):
    seed_cases(fresh)
    with fresh.transaction():
        fresh.execute(
            "INSERT INTO cases(uuid, name, short_name, type, created_at) VALUES (?,?,?,?,?)",
            (new_uuid(), "Camden Local Strategic Partnership", "Camden", "partnership", now()),
        )
    assert resolve_council(fresh, "Camden Local Strategic Partnership").how == "name"
    with pytest.raises(CouncilNotResolved) as caught:
        resolve_council(fresh, "Camden")
    assert len(caught.value.candidates) == 2


# -- command line ------------------------------------------------------------------------------------


def run(project_path: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project_path), *args])


@pytest.fixture
def cli_project(make_project_file) -> Path:
    return make_project_file(name="cli.db")


def test_cli_seed_twice(cli_project: Path):
    first = run(cli_project, "cases", "seed")
    assert first.exit_code == 0
    assert "added 388 of the 388" in first.output
    second = run(cli_project, "cases", "seed")
    assert second.exit_code == 0
    assert "already in the project; no councils added" in second.output


def test_cli_list_filters_and_formats(cli_project: Path):
    run(cli_project, "cases", "seed")
    london = run(cli_project, "cases", "list", "--type", "london", "--format", "json")
    assert london.exit_code == 0
    rows = json.loads(london.output)
    assert len(rows) == 33
    assert "City of London Corporation" in {r["name"] for r in rows}
    table = run(cli_project, "cases", "list", "--region", "north east")
    assert table.exit_code == 0
    north_east = [e for e in REGISTER if e.region == "North East"]
    assert f"{len(north_east)} case(s)" in table.output
    assert "Wansbeck District Council" in table.output
    lines = run(cli_project, "cases", "list", "--type", "county", "--format", "csv").output.splitlines()
    assert lines[0] == "id,code,name,short_name,type,region,gss_code,ons_code"
    assert len(lines) == 35
    unknown = run(cli_project, "cases", "list", "--region", "Narnia")
    assert unknown.exit_code == 1
    assert "error: no cases in region 'Narnia'" in unknown.output


def test_cli_show_counts_documents_and_survey_values(cli_project: Path):
    run(cli_project, "cases", "seed")
    with Project.open(cli_project) as project:
        dur = case_id(project, "DUR")
        with project.transaction():
            for name in ("a.txt", "b.txt"):
                project.execute(
                    "INSERT INTO documents(uuid, name, text, sha256, case_id, imported_at)"
                    " VALUES (?,?,?,?,?,?)",
                    (new_uuid(), name, "text", "x", dur, now()),
                )
            var = project.execute(
                "INSERT INTO variables(uuid, name, type) VALUES (?, 'score', 'numeric')", (new_uuid(),)
            ).lastrowid
            for wave in (1, 2, 3):
                project.execute(
                    "INSERT INTO case_values(variable_id, case_id, wave, value_num) VALUES (?,?,?,?)",
                    (var, dur, wave, 1.0),
                )
    result = run(cli_project, "cases", "show", "Durham County Council")
    assert result.exit_code == 0
    assert result.output.startswith("[DUR] Durham County Council\n")
    assert "documents      2" in result.output
    assert "survey values  3 (1 variable(s); wave(s) 1, 2, 3)" in result.output
    assert "Durham UA  [register]" in result.output
    assert "became the unitary Durham County Council" in result.output


def test_cli_show_ambiguous_is_one_line_error_with_candidates(cli_project: Path):
    run(cli_project, "cases", "seed")
    result = run(cli_project, "cases", "show", "Durham")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("error: 'Durham' could be any of 2 councils")
    assert sorted(line.strip() for line in lines[1:]) == [
        "[DRC] Durham City Council (district)",
        "[DUR] Durham County Council (county)",
    ]
    assert "Traceback" not in result.output


def test_cli_match_lists_the_councils_a_place_name_is_part_of(cli_project: Path):
    run(cli_project, "cases", "seed")
    result = run(cli_project, "cases", "match", "RB Kingston", "Newcastle")
    assert result.exit_code == 1
    lines = [line.strip() for line in result.output.splitlines()]
    kingston = lines[lines.index("RB Kingston: no council matches 'RB Kingston'; the nearest are below") + 1]
    assert kingston.startswith("[KTT] Royal Borough of Kingston upon Thames (london")
    assert "Newcastle: 'Newcastle' could be any of 2 councils; give the full name or a code" in lines
    assert "[NEC] Newcastle-under-Lyme Borough Council (district)" in lines
    assert "[NET] Newcastle City Council (metropolitan)" in lines


def test_cli_match_reports_each_reference(cli_project: Path):
    run(cli_project, "cases", "seed")
    ok = run(cli_project, "cases", "match", "LB Camden", "E08000025")
    assert ok.exit_code == 0
    assert ok.output.splitlines() == [
        "LB Camden -> [CMD] London Borough of Camden (alias, score 100)",
        "E08000025 -> [BIR] Birmingham City Council (code, score 100)",
    ]
    mixed = run(cli_project, "cases", "match", "Hull", "Durham")
    assert mixed.exit_code == 1
    assert "Hull -> [KHL] Kingston upon Hull City Council (alias, score 100)" in mixed.output
    assert "Durham: 'Durham' could be any of 2 councils" in mixed.output
    assert "error: 1 of 2 reference(s) did not resolve to one council" in mixed.output


def test_cli_without_project_is_one_line_error(tmp_path: Path):
    result = run(tmp_path / "missing.db", "cases", "list")
    assert result.exit_code == 1
    assert result.output.startswith("error: no project at")
