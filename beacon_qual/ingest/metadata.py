"""Interview metadata: YAML front matter, ``manifest.csv`` files, and checking each field.

Fields: council, phase, role, interview_date, interviewer, respondent. Front matter
is a YAML block between ``---`` lines at the very top of a file and is removed from
the stored text. A manifest is a CSV file called ``manifest.csv`` beside the
transcripts, one row per file. Where both give a field they must agree.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path

import yaml

from beacon_qual.errors import BeaconError
from beacon_qual.ingest.readers import decode

MANIFEST_NAME = "manifest.csv"
FIELDS = ("council", "phase", "role", "interview_date", "interviewer", "respondent")
MANIFEST_COLUMNS = ("file", *FIELDS)
ROLES = {
    "officer": "officer",
    "officers": "officer",
    "council officer": "officer",
    "local authority officer": "officer",
    "staff": "officer",
    "elected member": "elected member",
    "elected members": "elected member",
    "member": "elected member",
    "members": "elected member",
    "councillor": "elected member",
    "councilor": "elected member",
    "cllr": "elected member",
    "partner": "partner",
    "partners": "partner",
    "partner organisation": "partner",
    "partner organization": "partner",
    "external partner": "partner",
}
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


@dataclass(frozen=True)
class Metadata:
    """Checked metadata of one transcript; the council is still the reference as written."""

    council: str | None = None
    phase: int | None = None
    role: str | None = None
    interview_date: str | None = None
    interviewer: str | None = None
    respondent: str | None = None

    def merged(self, other: Metadata, where: str) -> Metadata:
        """Fields of both; a field both give with different values is an error naming ``where``."""
        values = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if mine is not None and theirs is not None and mine != theirs:
                raise BeaconError(
                    f"{where}: {f.name} is {mine!r} in the front matter but {theirs!r} in {MANIFEST_NAME}"
                )
            values[f.name] = mine if mine is not None else theirs
        return replace(self, **values)


def split_front_matter(text: str, where: str) -> tuple[Metadata, str]:
    """Metadata from a leading YAML block, and the text without it (and the blank lines after it)."""
    match = FRONT_MATTER.match(text)
    if match is None:
        return Metadata(), text
    try:
        data = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 2}" if mark is not None else ""
        raise BeaconError(f"{where}: front matter is not valid YAML{line} ({_yaml_problem(exc)})") from None
    if not isinstance(data, dict):
        raise BeaconError(f"{where}: front matter must be 'key: value' lines")
    return check_metadata(data, where), text[match.end() :].lstrip("\n")


def _yaml_problem(exc: yaml.YAMLError) -> str:
    return str(getattr(exc, "problem", None) or exc).splitlines()[0]


def check_metadata(raw: dict, where: str) -> Metadata:
    """Check and normalise metadata values; unknown keys and bad values are errors naming ``where``."""
    unknown = sorted(str(key) for key in raw if key not in FIELDS)
    if unknown:
        raise BeaconError(
            f"{where}: unknown metadata field {', '.join(map(repr, unknown))}; known fields: {', '.join(FIELDS)}"
        )
    nested = [str(key) for key, value in raw.items() if isinstance(value, (list, dict))]
    if nested:  # refused before anything turns it into text: YAML aliases can make it a billion items long
        raise BeaconError(
            f"{where}: metadata field {', '.join(map(repr, nested))} must be a single value, not a list or mapping"
        )
    values = {key: _blank_to_none(value) for key, value in raw.items()}
    return Metadata(
        council=_text(values.get("council")),
        phase=normalise_phase(values.get("phase"), where),
        role=normalise_role(values.get("role"), where),
        interview_date=normalise_date(values.get("interview_date"), where),
        interviewer=_text(values.get("interviewer")),
        respondent=_text(values.get("respondent")),
    )


def _blank_to_none(value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _text(value: object) -> str | None:
    return None if value is None else " ".join(str(value).split())


def normalise_role(value: object, where: str) -> str | None:
    """officer, elected member or partner, from any usual spelling ('Cllr', 'elected_member', 'Member')."""
    if value is None:
        return None
    key = " ".join(re.sub(r"[_\-]+", " ", str(value)).lower().split())
    role = ROLES.get(key)
    if role is None:
        raise BeaconError(f"{where}: unknown role {value!r}; use officer, elected member or partner")
    return role


def normalise_phase(value: object, where: str) -> int | None:
    """A positive whole number, written as 2, '2' or 'phase 2'."""
    if value is None:
        return None
    match = re.fullmatch(r"(?:phase)?\s*(\d+)", str(value).strip(), re.IGNORECASE)
    if isinstance(value, bool) or match is None or int(match.group(1)) < 1:
        raise BeaconError(f"{where}: phase {value!r} is not a positive whole number (e.g. 1, 2 or 3)")
    return int(match.group(1))


def normalise_date(value: object, where: str) -> str | None:
    """An ISO date (YYYY-MM-DD) from a YAML date, '2008-03-12' or the British '12/03/2008'."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for parse in (date.fromisoformat, _british_date):
        try:
            return parse(text).isoformat()
        except ValueError:
            continue
    raise BeaconError(f"{where}: interview date {value!r} is not a date (use YYYY-MM-DD)")


def _british_date(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()


@dataclass(frozen=True)
class ManifestRow:
    """One row of a manifest: its line number (the header is line 1) and the checked metadata."""

    line: int
    metadata: Metadata


def load_manifest(path: Path) -> dict[str, ManifestRow]:
    """The row for each file name of a manifest CSV; any bad row is an error naming the row."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BeaconError(f"cannot read {path}: {exc.strerror or exc}") from None
    text, _ = decode(path, raw)
    reader = csv.DictReader(io.StringIO(text), strict=True)
    rows: list[tuple[int, dict]] = []
    try:
        columns = [c.strip() for c in reader.fieldnames or []]
        _check_columns(path, columns)
        reader.fieldnames = columns
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise BeaconError(f"{path} line {reader.line_num}: malformed CSV ({exc})") from None
    manifest: dict[str, ManifestRow] = {}
    for line, row in rows:
        where = f"{path} line {line}"
        if None in row or None in row.values():
            raise BeaconError(f"{where}: wrong number of values (the header has {len(columns)} columns)")
        name = row.pop("file").strip()
        if not name:
            raise BeaconError(f"{where}: the 'file' column is empty")
        if name in manifest:
            raise BeaconError(f"{where}: {name!r} is listed twice")
        manifest[name] = ManifestRow(line, check_metadata(row, where))
    return manifest


def _check_columns(path: Path, columns: list[str]) -> None:
    if "file" not in columns:
        raise BeaconError(f"{path}: no 'file' column; expected columns {','.join(MANIFEST_COLUMNS)}")
    unknown = [c for c in columns if c not in MANIFEST_COLUMNS]
    if unknown:
        raise BeaconError(
            f"{path}: unknown column {', '.join(map(repr, unknown))}; expected {','.join(MANIFEST_COLUMNS)}"
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise BeaconError(f"{path}: column {', '.join(map(repr, repeated))} appears twice")
