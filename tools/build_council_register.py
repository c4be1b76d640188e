"""Build beacon_qual/data/councils_2008.csv: the 388 English councils as they stood on 1 April 2008.

It also writes beacon_qual/data/councils_later.csv: the English councils created after that day
(the 2009 unitaries, Dorset Council, Buckinghamshire Council, North Yorkshire Council, Cumberland, ...)
with their start dates and the 2008 councils they succeeded, so that their names are refused rather
than read as the county or district they replaced.

Sources (attribution in beacon_qual/data/COUNCILS_README.md):
- uk_local_authorities.csv: mySociety, uk_local_authority_names_and_codes (data CC-BY-4.0, attribution:
  mySociety). It lists today's authorities and those abolished since 2019, not the 2009 changes.
- pre2009_abolished.csv: the 38 councils abolished on 1 April 2009, with their old ONS codes.

The 2008 picture is rebuilt by: keeping English county, district, metropolitan, London and unitary
authorities that existed on 1 April 2008 (created on or before that day, not ended before it);
turning the six 2009 "continuing authorities" back into what they were in 2008 (the county councils of
Cornwall, Durham, Northumberland, Shropshire and Wiltshire, and Bedford as a district); restoring
names changed since 2008; and adding the 38 councils abolished in 2009 with derived three-letter codes.
The script refuses to write a register whose counts differ from 34/238/36/33/47 = 388.

The later councils are every English county, district, London or unitary authority of the source that
started after 1 April 2008 and is not one of the six continuing authorities; their predecessors are the
councils whose `replaced-by` names them (followed through councils that are later themselves, such as
Somerset West and Taunton), and for the 2009 unitaries the councils abolished in 2009 whose area they took.

Run from the checkout:  python tools/build_council_register.py [--source DIR] [--out FILE] [--later-out FILE]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from beacon_qual.cases.councils import normalise, split_designation

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = Path("/work/shared/data/councils")
DEFAULT_OUT = REPO / "beacon_qual" / "data" / "councils_2008.csv"
DEFAULT_LATER_OUT = REPO / "beacon_qual" / "data" / "councils_later.csv"
REGISTER_DATE = "2008-04-01"
COLUMNS = [
    "code",
    "name",
    "short_name",
    "type",
    "region",
    "gss_code",
    "ons_code",
    "other_codes",
    "alt_names",
    "notes",
]
LATER_COLUMNS = ["code", "name", "short_name", "type", "start_date", "gss_code", "alt_names", "predecessors"]
EXPECTED = {"county": 34, "district": 238, "metropolitan": 36, "london": 33, "unitary": 47}

TYPES = {
    "CTY": "county",
    "NMD": "district",
    "MD": "metropolitan",
    "LBO": "london",
    "CC": "london",
    "UA": "unitary",
}


@dataclass
class Council:
    code: str
    name: str
    short_name: str
    type: str
    region: str
    gss_code: str = ""
    ons_code: str = ""
    other_codes: list[str] = field(default_factory=list)
    alt_names: list[str] = field(default_factory=list)
    notes: str = ""


# The councils that carried on through the 2009 reorganisation as unitary authorities; in 2008 they were
# five county councils and one district: (name in 2008, short name, type in 2008, ONS code in 2008, what
# they became).
CONTINUING = {
    "CON": ("Cornwall County Council", "Cornwall", "county", "15", "became the unitary Cornwall Council"),
    "DUR": (
        "Durham County Council",
        "County Durham",
        "county",
        "20",
        "became the unitary Durham County Council",
    ),
    "NBL": (
        "Northumberland County Council",
        "Northumberland",
        "county",
        "35",
        "became the unitary Northumberland County Council",
    ),
    "SHR": (
        "Shropshire County Council",
        "Shropshire",
        "county",
        "39",
        "became the unitary Shropshire Council",
    ),
    "WIL": ("Wiltshire County Council", "Wiltshire", "county", "46", "became the unitary Wiltshire Council"),
    "BDF": ("Bedford Borough Council", "Bedford", "district", "09UD", "became a unitary authority"),
}

# Names changed since 2008: (name in 2008, note). The later name is kept as an alternative name.
RENAMED = {
    "SHE": ("Shepway District Council", "Shepway", "renamed Folkestone and Hythe District Council in 2018"),
    "DNC": (
        "Doncaster Metropolitan Borough Council",
        "Doncaster",
        "City of Doncaster Council since city status (2022)",
    ),
    "GRE": ("London Borough of Greenwich", "Greenwich", "Royal Borough of Greenwich since 2012"),
    "CHL": ("Chelmsford Borough Council", "Chelmsford", "Chelmsford City Council since city status (2012)"),
    "WLV": ("Wolverhampton City Council", "Wolverhampton", "now styled City of Wolverhampton Council"),
    "KHL": ("Kingston upon Hull City Council", "Kingston upon Hull", "also styled Hull City Council"),
}

# Short names: the source marks abolished counties "... County" to tell them from today's unitaries.
SHORT_NAMES = {"BKM": "Buckinghamshire", "DOR": "Dorset", "SHN": "St Helens"}

# Common short forms that survey files and interviews use.
EXTRA_ALT_NAMES = {
    "BAN": ["Basingstoke"],
    "BAR": ["Barrow"],
    "BAS": ["Bath", "BANES", "B&NES"],
    "BNH": ["Brighton"],
    "BRC": ["Bracknell", "Bracknell Forest Borough Council"],
    "EPS": ["Epsom"],
    "ERY": ["East Riding"],
    "HEF": ["County of Herefordshire District Council"],
    "HIN": ["Hinckley"],
    "KEC": ["RBKC"],
    "KIN": ["King's Lynn"],
    "LND": ["Corporation of London"],  # its name until 2006, still common in older documents
    "NEA": ["Newark"],
    "NUN": ["Nuneaton"],
    "RCC": ["Redcar"],
    "REI": ["Reigate"],
    "SOS": ["Southend"],
    "STE": ["Stoke"],
    "STT": ["Stockton"],
    "TFW": ["Telford"],
    "WNM": ["RBWM"],
    "WRL": ["Wirral Metropolitan Borough Council", "Metropolitan Borough of Wirral"],
}

# Source alternative names that would mislead: a shared service is not one council.
DROPPED_ALT_NAMES = {("WOT", "adur and worthing borough council")}

# The councils abolished on 1 April 2009 have no local-authority code; these are derived for this
# register (three letters, none used by any UK authority in the source), keyed by old ONS code.
DERIVED_CODES = {
    "09": "BDS",
    "09UC": "MBD",
    "09UE": "SBD",
    "13": "CSH",
    "13UB": "CSR",
    "13UC": "CGL",
    "13UD": "CNW",
    "13UE": "EPN",
    "13UG": "MCF",
    "13UH": "VRL",
    "15UB": "CRD",
    "15UC": "CRK",
    "15UD": "KRR",
    "15UE": "NCO",
    "15UF": "PWT",
    "15UG": "RES",
    "20UB": "CLS",
    "20UD": "DWS",
    "20UE": "DRC",
    "20UF": "ESG",
    "20UG": "SDG",
    "20UH": "TSD",
    "20UJ": "WRV",
    "35UB": "ALW",
    "35UC": "BWK",
    "35UD": "BLV",
    "35UE": "CMP",
    "35UF": "TYD",
    "35UG": "WSB",
    "39UB": "BGN",
    "39UC": "NSP",
    "39UD": "OSW",
    "39UE": "SAA",
    "39UF": "SSP",
    "46UB": "KNT",
    "46UC": "NWT",
    "46UD": "SLS",
    "46UF": "WWT",
}
ABOLISHED_NAME_FIXES = {
    "20UB": "Chester-le-Street District Council",
    "35UC": "Berwick-upon-Tweed Borough Council",
}
ABOLISHED_SHORT_FIXES = {"20UE": "City of Durham"}
ABOLISHED_EXTRA_ALT_NAMES = {"20UE": ["City of Durham Council"]}
COUNTY_REGIONS = {
    "09": "East of England",
    "13": "North West",
    "15": "South West",
    "20": "North East",
    "35": "North East",
    "39": "West Midlands",
    "46": "South West",
}
SUCCESSORS_2009 = {
    "09": "Bedford Borough Council and Central Bedfordshire Council",
    "09UC": "Central Bedfordshire Council",
    "09UE": "Central Bedfordshire Council",
    "13": "Cheshire East Council and Cheshire West and Chester Council",
    "13UB": "Cheshire West and Chester Council",
    "13UC": "Cheshire East Council",
    "13UD": "Cheshire East Council",
    "13UE": "Cheshire West and Chester Council",
    "13UG": "Cheshire East Council",
    "13UH": "Cheshire West and Chester Council",
    "15": "Cornwall Council",
    "20": "Durham County Council (unitary)",
    "35": "Northumberland County Council (unitary)",
    "39": "Shropshire Council",
    "46": "Wiltshire Council",
}


@dataclass
class Later:
    """A council created after 1 April 2008, and the 2008 councils (by code) it succeeded."""

    code: str
    name: str
    short_name: str
    type: str
    start_date: str
    gss_code: str
    alt_names: list[str]
    predecessors: list[str]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: " ".join((v or "").split()) for k, v in row.items()} for row in csv.DictReader(fh)]


def split_alt_names(value: str) -> list[str]:
    """Split the source's comma-separated names, keeping "Bristol, City of" whole."""
    names: list[str] = []
    for piece in (p.strip() for p in value.split(",")):
        if not piece:
            continue
        if names and normalise(piece) in {"city of", "county of"}:
            names[-1] = f"{names[-1]}, {piece}"
        else:
            names.append(piece)
    return names


def region_of(code: str, by_code: dict[str, dict[str, str]]) -> str:
    """The row's region; for rows the source leaves without one, the region of their successor."""
    row = by_code[code]
    if row["region"]:
        return row["region"]
    successors = [c for c in row["replaced-by"].split(",") if c in by_code]
    return region_of(successors[0], by_code) if successors else ""


def existing_councils(rows: list[dict[str, str]]) -> list[Council]:
    by_code = {row["local-authority-code"]: row for row in rows}
    councils = []
    for row in rows:
        code = row["local-authority-code"]
        if row["nation"] != "England" or row["local-authority-type"] not in TYPES:
            continue
        started_later = row["start-date"] > REGISTER_DATE
        ended_before = bool(row["end-date"]) and row["end-date"] < REGISTER_DATE
        if (started_later and code not in CONTINUING) or ended_before:
            continue
        council = Council(
            code=code,
            name=row["official-name"],
            short_name=SHORT_NAMES.get(code, row["nice-name"]),
            type=TYPES[row["local-authority-type"]],
            region=region_of(code, by_code),
            gss_code=row["gss-code"],
            ons_code=row["snac"],
            other_codes=[c for c in row["former-gss-codes"].split(",") if c],
            alt_names=split_alt_names(row["alt-names"]),
        )
        if row["end-date"]:
            successors = " and ".join(by_code[c]["official-name"] for c in row["replaced-by"].split(",") if c)
            council.notes = f"ended {row['end-date']}" + (
                f"; succeeded by {successors}" if successors else ""
            )
        if code in CONTINUING:
            restore_2008(council, row)
        if code in RENAMED:
            council.name, council.short_name, council.notes = RENAMED[code]
            council.alt_names.insert(0, row["official-name"])
        council.alt_names = [a for a in council.alt_names if (code, a.casefold()) not in DROPPED_ALT_NAMES]
        council.alt_names += EXTRA_ALT_NAMES.get(code, [])
        councils.append(council)
    return councils


def restore_2008(council: Council, row: dict[str, str]) -> None:
    name, short_name, kind, ons_code, became = CONTINUING[council.code]
    council.alt_names.insert(0, row["official-name"])
    council.name, council.short_name, council.type, council.ons_code = name, short_name, kind, ons_code
    council.other_codes.append(row["snac"])
    council.notes = (
        f"{kind} council in 2008; {became} on 1 April 2009 (the same council continuing, so the GSS and "
        f"local-authority codes are those of the unitary authority; {row['snac']} is its later ONS code)"
    )


def abolished_councils(rows: list[dict[str, str]]) -> list[Council]:
    councils = []
    for row in rows:
        ons = row["ons_code"]
        county = ons[:2]
        is_county = row["type"] == "CTY"
        os_name = row["os_name"].replace("(B)", "").strip()
        short_name = os_name.removesuffix(" County").removesuffix(" District")
        councils.append(
            Council(
                code=DERIVED_CODES[ons],
                name=ABOLISHED_NAME_FIXES.get(ons, row["official_name"]),
                short_name=ABOLISHED_SHORT_FIXES.get(ons, short_name),
                type="county" if is_county else "district",
                region=COUNTY_REGIONS[county],
                ons_code=ons,
                alt_names=[row["official_name"], os_name, *ABOLISHED_EXTRA_ALT_NAMES.get(ons, [])],
                notes=f"abolished 1 April 2009; area now {SUCCESSORS_2009.get(ons, SUCCESSORS_2009[county])}",
            )
        )
    return councils


def tidy_alt_names(councils: list[Council]) -> list[str]:
    """Keep one spelling per normalised form, and drop alternative names that fit two councils.

    A name such as "Durham" (the county and the City of Durham both existed in 2008) must stay
    ambiguous, so it cannot be an alternative name of either. Returns what was dropped.
    """
    own = {c.code: {normalise(c.name), normalise(c.short_name)} for c in councils}
    owners: dict[str, set[str]] = defaultdict(set)
    cores: dict[str, set[str]] = defaultdict(set)
    for c in councils:
        for name in (c.name, c.short_name, *c.alt_names):
            owners[normalise(name)].add(c.code)
            cores[split_designation(normalise(name))[0]].add(c.code)
    dropped = []
    for c in councils:
        kept: dict[str, str] = {}
        seen = set(own[c.code])
        for alt in c.alt_names:
            norm = normalise(alt)
            if norm in kept and kept[norm].islower() and not alt.islower():
                kept[norm] = alt
            if not norm or norm in seen:
                continue
            seen.add(norm)
            if len(owners[norm]) > 1 or len(cores.get(norm, ())) > 1:
                dropped.append(
                    f"{c.code}: {alt!r} also fits {sorted((owners[norm] | cores[norm]) - {c.code})}"
                )
                continue
            kept[norm] = alt
        c.alt_names = list(kept.values())
    return dropped


def later_councils(rows: list[dict[str, str]], councils: list[Council]) -> list[Later]:
    """The English councils that started after the register date, with their 2008 predecessors.

    A later council's alternative name that is also a spelling of a 2008 council ("Dorset",
    "North Yorkshire") is left out: the place name alone means the 2008 council.
    """
    in_2008 = {c.code for c in councils}
    taken: set[str] = set()
    for c in councils:
        for name in (c.name, c.short_name, *c.alt_names):
            norm = normalise(name)
            taken |= {norm, split_designation(norm)[0]}
    replaced: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        for successor in filter(None, row["replaced-by"].split(",")):
            replaced[successor].append(row["local-authority-code"])

    def predecessors(code: str) -> list[str]:
        found: list[str] = []
        for before in replaced.get(code, []):
            found += [before] if before in in_2008 else predecessors(before)
        return found

    later = []
    for row in rows:
        code = row["local-authority-code"]
        if (
            row["nation"] != "England"
            or row["local-authority-type"] not in TYPES
            or row["start-date"] <= REGISTER_DATE
            or code in CONTINUING
        ):
            continue
        name = row["official-name"]
        before = predecessors(code) or [
            c.code for c in councils if c.notes.startswith("abolished 1 April 2009") and name in c.notes
        ]
        alt_names: dict[str, str] = {}
        for alt in (row["nice-name"], *split_alt_names(row["alt-names"])):
            norm = normalise(alt)
            if norm and norm != normalise(name) and norm not in taken:
                alt_names.setdefault(norm, alt)
        later.append(
            Later(
                code=code,
                name=name,
                short_name=row["nice-name"],
                type=TYPES[row["local-authority-type"]],
                start_date=row["start-date"],
                gss_code=row["gss-code"],
                alt_names=list(alt_names.values()),
                predecessors=sorted(set(before)),
            )
        )
    return later


def check_later(later: list[Later], councils: list[Council]) -> list[str]:
    problems = [f"later council {x.code} ({x.name}) has no predecessor in the register" for x in later]
    problems = [p for p, x in zip(problems, later) if not x.predecessors]
    spellings = {normalise(n) for c in councils for n in (c.name, c.short_name, *c.alt_names)}
    problems += [
        f"later council name {x.name!r} is a spelling of a 2008 council"
        for x in later
        if normalise(x.name) in spellings
    ]
    codes = {c.code for c in councils}
    problems += [f"later council code {x.code} is a 2008 code" for x in later if x.code in codes]
    return problems


def check(councils: list[Council], all_codes: set[str]) -> list[str]:
    problems = [f"{c.code} has no region" for c in councils if not c.region]
    counts = Counter(c.type for c in councils)
    if dict(counts) != EXPECTED or len(councils) != sum(EXPECTED.values()):
        problems.append(f"counts {dict(counts)} (total {len(councils)}) differ from {EXPECTED}")
    for column in ("code", "gss_code", "ons_code"):
        values = Counter(getattr(c, column) for c in councils if getattr(c, column))
        problems += [f"{column} {v} is used {n} times" for v, n in values.items() if n > 1]
    clashes = set(DERIVED_CODES.values()) & all_codes
    if clashes:
        problems.append(f"derived codes clash with source codes: {sorted(clashes)}")
    for c in councils:
        if normalise(c.short_name) in {normalise(o.short_name) for o in councils if o is not c}:
            problems.append(f"short name {c.short_name!r} is not unique")
    return problems


def write(councils: list[Council], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for c in sorted(councils, key=lambda c: (c.name.casefold(), c.code)):
            writer.writerow(
                [
                    c.code,
                    c.name,
                    c.short_name,
                    c.type,
                    c.region,
                    c.gss_code,
                    c.ons_code,
                    "|".join(c.other_codes),
                    "|".join(c.alt_names),
                    c.notes,
                ]
            )


def write_later(later: list[Later], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(LATER_COLUMNS)
        for x in sorted(later, key=lambda x: (x.start_date, x.name.casefold())):
            writer.writerow(
                [
                    x.code,
                    x.name,
                    x.short_name,
                    x.type,
                    x.start_date,
                    x.gss_code,
                    "|".join(x.alt_names),
                    "|".join(x.predecessors),
                ]
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE, help="folder holding the two source files"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--later-out", type=Path, default=DEFAULT_LATER_OUT)
    args = parser.parse_args(argv)
    current = read_csv(args.source / "uk_local_authorities.csv")
    councils = existing_councils(current) + abolished_councils(
        read_csv(args.source / "pre2009_abolished.csv")
    )
    for line in tidy_alt_names(councils):
        print(f"dropped ambiguous alternative name {line}")
    problems = check(councils, {row["local-authority-code"] for row in current})
    later = later_councils(current, councils)
    problems += check_later(later, councils)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    write(councils, args.out)
    write_later(later, args.later_out)
    counts = Counter(c.type for c in councils)
    print(f"wrote {args.out}: {len(councils)} councils " + ", ".join(f"{t} {counts[t]}" for t in EXPECTED))
    print(f"wrote {args.later_out}: {len(later)} councils created after {REGISTER_DATE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
