"""Types of survey measures: inferring a column's type, parsing cells, and the YAML types file.

A column's type is inferred from its non-missing cells, in this order:

* ``boolean``: every cell is yes/no, true/false or y/n (1/0 counts only when declared);
* ``numeric``: every cell is a number (numeric-coded Likert items stay numeric unless declared);
* ``date``: every cell is an ISO date (yyyy-mm-dd) or a British date (dd/mm/yyyy);
* ``ordinal``: every cell is a label of one known Likert scale and at least two labels occur;
  the levels are the whole scale, in order;
* ``text``: some cell is longer than 60 characters, or there are more than 50 distinct values;
* ``categorical`` otherwise, with the distinct values as levels (sorted).

Blank cells and NA, N/A, '-' and '.' are missing. A types file overrides inference.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from beacon_qual.errors import BeaconError

VARIABLE_TYPES = ("numeric", "ordinal", "categorical", "boolean", "date", "text")
MISSING = frozenset({"", "na", "n/a", "-", "."})
TRUE_WORDS = frozenset({"yes", "true", "y"})
FALSE_WORDS = frozenset({"no", "false", "n"})
DECLARED_TRUE = TRUE_WORDS | {"1"}
DECLARED_FALSE = FALSE_WORDS | {"0"}
TEXT_MIN_LENGTH = 61
TEXT_MIN_DISTINCT = 51

LIKERT_SCALES: tuple[tuple[str, ...], ...] = (
    ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
    (
        "Strongly disagree",
        "Tend to disagree",
        "Neither agree nor disagree",
        "Tend to agree",
        "Strongly agree",
    ),
    (
        "Strongly disagree",
        "Disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Agree",
        "Strongly agree",
    ),
    (
        "Very dissatisfied",
        "Fairly dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Fairly satisfied",
        "Very satisfied",
    ),
    (
        "Very dissatisfied",
        "Dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Satisfied",
        "Very satisfied",
    ),
    ("Very unlikely", "Fairly unlikely", "Neither likely nor unlikely", "Fairly likely", "Very likely"),
    ("Very unlikely", "Unlikely", "Neither likely nor unlikely", "Likely", "Very likely"),
    ("Never", "Rarely", "Sometimes", "Often", "Always"),
    ("Never", "Rarely", "Sometimes", "Usually", "Always"),
    ("Poor", "Fair", "Good", "Very good", "Excellent"),
)
# Other spellings of a middle or end label, keyed by their normal form.
LABEL_SYNONYMS = {
    "neither agree or disagree": "neither agree nor disagree",
    "neither satisfied or dissatisfied": "neither satisfied nor dissatisfied",
    "neither likely or unlikely": "neither likely nor unlikely",
    "strongly agreed": "strongly agree",
    "strongly disagreed": "strongly disagree",
}

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_BRITISH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class ColumnType:
    """A variable type; ``levels`` for ordinal (fixed) and categorical (fixed when ``closed``)."""

    type: str
    levels: tuple[str, ...] | None = None
    closed: bool = False
    label: str | None = None


@dataclass(frozen=True)
class TypesFile:
    columns: dict[str, ColumnType]
    skip: tuple[str, ...] = ()
    council_column: str | None = None
    wave_column: str | None = None


def is_missing(cell: str) -> bool:
    return cell.strip().casefold() in MISSING


def normal_label(text: str) -> str:
    """The form labels are compared in: lower case, '&' as 'and', single spaces, no edge punctuation."""
    text = re.sub(r"\s+", " ", text.replace("&", " and ").casefold()).strip(" .,;:!?\"'")
    return LABEL_SYNONYMS.get(text, text)


# -- parsing single cells ------------------------------------------------------------------------------
def parse_number(cell: str) -> float | None:
    text = cell.strip().replace("\u2212", "-")
    if _NUMBER.fullmatch(text):
        value = float(text)
    elif _GROUPED_NUMBER.fullmatch(text):
        value = float(text.replace(",", ""))
    else:
        return None
    return value if math.isfinite(value) else None


def parse_date(cell: str) -> str | None:
    """An ISO (yyyy-mm-dd) or British (dd/mm/yyyy) date as ISO text; None if it is not a real date."""
    text = cell.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _BRITISH_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_boolean(cell: str, *, declared: bool) -> bool | None:
    word = cell.strip().casefold()
    if word in (DECLARED_TRUE if declared else TRUE_WORDS):
        return True
    if word in (DECLARED_FALSE if declared else FALSE_WORDS):
        return False
    return None


def ordinal_index(cell: str, levels: tuple[str, ...]) -> int | None:
    """The 0-based level of a label; a whole number 1..N also names the N-th level."""
    wanted = normal_label(cell)
    for index, level in enumerate(levels):
        if normal_label(level) == wanted:
            return index
    number = parse_number(cell)
    if number is not None and number.is_integer() and 1 <= number <= len(levels):
        return int(number) - 1
    return None


def stored_pair(cell: str, column: ColumnType) -> tuple[float | None, str | None]:
    """The (value_num, value_text) to store for a non-missing cell; ValueError says why it does not fit."""
    kind = column.type
    if kind == "numeric":
        number = parse_number(cell)
        if number is None:
            raise ValueError("is not a number")
        return number, None
    if kind == "ordinal":
        levels = column.levels or ()
        index = ordinal_index(cell, levels)
        if index is None:
            raise ValueError(f"is not one of the levels {', '.join(levels)}")
        return float(index), levels[index]
    if kind == "boolean":
        flag = parse_boolean(cell, declared=True)
        if flag is None:
            raise ValueError("is not yes/no, true/false, y/n or 1/0")
        return float(flag), "true" if flag else "false"
    if kind == "date":
        iso = parse_date(cell)
        if iso is None:
            raise ValueError("is not a date (yyyy-mm-dd or dd/mm/yyyy)")
        return None, iso
    if kind == "categorical" and column.closed:
        return None, _closed_category(cell, column.levels or ())
    return None, cell.strip()


def _closed_category(cell: str, levels: tuple[str, ...]) -> str:
    wanted = normal_label(cell)
    for level in levels:
        if normal_label(level) == wanted:
            return level
    raise ValueError(f"is not one of the categories {', '.join(levels)}")


# -- inference -----------------------------------------------------------------------------------------
def infer_type(cells: list[str]) -> ColumnType | None:
    """The type of a column from its non-missing cells; None when every cell is missing."""
    values = [c.strip() for c in cells if not is_missing(c)]
    if not values:
        return None
    if all(parse_boolean(v, declared=False) is not None for v in values):
        return ColumnType("boolean")
    if all(parse_number(v) is not None for v in values):
        return ColumnType("numeric")
    if all(parse_date(v) is not None for v in values):
        return ColumnType("date")
    scale = likert_scale(values)
    if scale is not None:
        return ColumnType("ordinal", scale)
    distinct = sorted(set(values), key=lambda v: (v.casefold(), v))
    if len(distinct) >= TEXT_MIN_DISTINCT or max(len(v) for v in values) >= TEXT_MIN_LENGTH:
        return ColumnType("text")
    return ColumnType("categorical", tuple(distinct))


def likert_scale(values: list[str]) -> tuple[str, ...] | None:
    """The first (shortest, most common) known scale holding every value, if two or more labels occur."""
    seen = {normal_label(v) for v in values}
    if len(seen) < 2:
        return None
    for scale in LIKERT_SCALES:
        if seen <= {normal_label(level) for level in scale}:
            return scale
    return None


def categorical_levels(existing: tuple[str, ...], values: list[str]) -> tuple[str, ...]:
    """Known levels in their order, then new values sorted."""
    known = set(existing)
    new = sorted({v for v in values if v not in known}, key=lambda v: (v.casefold(), v))
    return tuple(existing) + tuple(new)


# -- the types file ------------------------------------------------------------------------------------
TYPES_KEYS = {"columns", "skip", "council_column", "wave_column"}
COLUMN_KEYS = {"type", "levels", "label"}


def load_types_file(path: Path) -> TypesFile:
    """Read ``columns: {name: {type, levels, label}}, skip: [...], council_column, wave_column``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BeaconError(f"no types file at {path}") from None
    except UnicodeDecodeError:
        raise BeaconError(f"types file {path.name} is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise BeaconError(f"types file {path.name} is not valid YAML{where}") from None
    return parse_types(data or {}, path.name)


def parse_types(data: Any, name: str) -> TypesFile:
    if not isinstance(data, dict):
        raise BeaconError(f"types file {name} must be a mapping with 'columns' and 'skip'")
    unknown = set(map(str, data)) - TYPES_KEYS
    if unknown:
        raise BeaconError(
            f"types file {name} has unknown key(s) {', '.join(sorted(unknown))}; "
            f"use {', '.join(sorted(TYPES_KEYS))}"
        )
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise BeaconError(f"types file {name}: 'columns' must map column names to types")
    skip = data.get("skip") or []
    if not isinstance(skip, list) or not all(isinstance(s, (str, int)) for s in skip):
        raise BeaconError(f"types file {name}: 'skip' must be a list of column names")
    return TypesFile(
        columns={str(col): _column_spec(spec, str(col), name) for col, spec in columns.items()},
        skip=tuple(str(s) for s in skip),
        council_column=_optional_name(data, "council_column", name),
        wave_column=_optional_name(data, "wave_column", name),
    )


def _optional_name(data: dict, key: str, name: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, (str, int)):
        raise BeaconError(f"types file {name}: '{key}' must be a column name")
    return None if value is None else str(value)


def _column_spec(spec: Any, column: str, name: str) -> ColumnType:
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, dict):
        raise BeaconError(f"types file {name}: column {column!r} needs a type, e.g. {{type: numeric}}")
    unknown = set(map(str, spec)) - COLUMN_KEYS
    if unknown:
        raise BeaconError(
            f"types file {name}: column {column!r} has unknown key(s) {', '.join(sorted(unknown))}"
        )
    kind = spec.get("type")
    if kind not in VARIABLE_TYPES:
        raise BeaconError(
            f"types file {name}: column {column!r} has type {kind!r}; use one of {', '.join(VARIABLE_TYPES)}"
        )
    levels = _levels(spec.get("levels"), column, name)
    if levels is not None and kind not in ("ordinal", "categorical"):
        raise BeaconError(f"types file {name}: column {column!r} is {kind}, which takes no levels")
    label = spec.get("label")
    return ColumnType(kind, levels, closed=levels is not None, label=None if label is None else str(label))


def _levels(raw: Any, column: str, name: str) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw or not all(isinstance(v, (str, int, float)) for v in raw):
        raise BeaconError(f"types file {name}: levels of column {column!r} must be a list of labels")
    levels = tuple(str(v).strip() for v in raw)
    normals = [normal_label(v) for v in levels]
    if len(set(normals)) != len(normals):
        raise BeaconError(f"types file {name}: levels of column {column!r} repeat a label")
    return levels


def with_observed_scale(column: ColumnType, cells: list[str]) -> ColumnType:
    """An ordinal declared without levels takes the known Likert scale its cells fit."""
    if column.type != "ordinal" or column.levels:
        return column
    values = [c for c in cells if not is_missing(c)]
    scale = likert_scale(values)
    if scale is None:
        raise ValueError("is declared ordinal but its values are not a known scale; list its levels")
    return replace(column, levels=scale, closed=True)
