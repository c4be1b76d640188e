"""What REFI-QDA export and import agree on: namespaces, GUIDs, labelled fields and wave names.

Choices where REFI-QDA 1.5 has no place for something beacon-qual keeps:

* Survey waves: a REFI variable has one value per case, so a measure with values in
  wave 1 only is exported under its own name, and a measure with values in other or
  several waves as one variable per wave named ``"<name> (wave N)"``. Import reads
  that suffix back into the wave.
* A code's inclusion and exclusion rules, example and keywords; a variable's type,
  levels and source; a document's phase, role, interview date, interviewer and
  respondent; a council's register codes, type and region: labelled paragraphs of the
  element's Description (see :mod:`.labelled`).
* A coding's memo is the Description of the PlainTextSelection that holds it (one
  selection per coding); memos on codings, codes and documents are Notes referred to
  with NoteRef; memos on cases, which REFI cannot refer to, are Notes joined to their
  case by a Link; project memos are referred to by the Project.
"""

from __future__ import annotations

import json
import re
import uuid as uuidlib
from datetime import date
from typing import TypeGuard

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
QDE_NAME = "project.qde"
SOURCES_DIR = "sources"
INTERNAL = "internal://"
GUID_NAMESPACE = uuidlib.UUID("6f1f8a52-1d7e-4c59-9b0e-8a3c0d1f2b7e")
MEMO_LINK_NAME = "Memo"

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_RGB = re.compile(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")
_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_WAVE_NAME = re.compile(r"^(?P<name>.+) \(wave (?P<wave>\d+)\)$", re.DOTALL)
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Labelled Description paragraphs, in the order they are written.
CODE_FIELDS = ("Inclusion", "Exclusion", "Example", "Keywords")
VARIABLE_FIELDS = ("Type", "Levels", "Source")
DOCUMENT_FIELDS = ("Phase", "Role", "Interview date", "Interviewer", "Respondent")
CASE_FIELDS = ("Code", "GSS code", "ONS code", "Short name", "Type", "Region")
VARIABLE_TYPES = ("numeric", "ordinal", "categorical", "boolean", "date", "text")


def normal_guid(value: str | None) -> str | None:
    """A GUID as stored: lower case, no braces; other identifiers are kept as written (trimmed)."""
    if value is None:
        return None
    value = value.strip()
    match = _GUID.match(value)
    return match.group(1).lower() if match else (value or None)


def export_guid(value: str) -> str:
    """A valid REFI GUID for a stored uuid (a stable derived one if the uuid is not a GUID)."""
    match = _GUID.match(value)
    return match.group(1).lower() if match else str(uuidlib.uuid5(GUID_NAMESPACE, value))


def derived_guid(kind: str, value: str) -> str:
    """A stable GUID for something that has no uuid of its own (a selection, a link)."""
    return str(uuidlib.uuid5(GUID_NAMESPACE, f"{kind}:{value}"))


def is_rgb(value: str | None) -> TypeGuard[str]:
    return value is not None and bool(_RGB.match(value))


def is_datetime(value: str | None) -> TypeGuard[str]:
    return value is not None and bool(_DATETIME.match(value))


def is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def is_keyword_list(value: str) -> bool:
    try:
        data = json.loads(value)
    except ValueError:
        return False
    return isinstance(data, list) and all(isinstance(item, str) for item in data)


def is_int(value: str) -> bool:
    return bool(re.fullmatch(r"-?\d+", value))


def xml_safe(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (most control characters)."""
    return _XML_ILLEGAL.sub("", value)


def has_xml_illegal(value: str | None) -> bool:
    return value is not None and bool(_XML_ILLEGAL.search(value))


def wave_variable_name(name: str, wave: int) -> str:
    return f"{name} (wave {wave})"


def split_wave_name(name: str) -> tuple[str, int]:
    """(measure name, wave) of an exported variable name; a name without a wave is wave 1."""
    match = _WAVE_NAME.match(name)
    if match:
        return match.group("name"), int(match.group("wave"))
    return name, 1
