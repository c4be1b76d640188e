"""Writing REFI-QDA 1.5 files: the codebook (.qdc) and the whole project (.qdpx).

Both validate against the REFI-QDA schemas (``Codebook.xsd``, ``Project-mrt2019.xsd``).
A .qdpx holds ``project.qde`` and a flat ``sources/`` folder: each document's text as
``<guid>.txt`` (UTF-8, LF, no BOM, so selection positions are the stored code-point
offsets) and each memo's text as ``<guid>.txt`` for its Note. How beacon-qual fields
with no REFI place travel (waves, code rules, document metadata) is set out in
:mod:`.refi`. Whatever cannot be written is listed in ``not_exported``. Files are
written through :mod:`beacon_qual.text.outfile` (whole or not at all, ``-`` for standard output).
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, BinaryIO

from beacon_qual.errors import BeaconError
from beacon_qual.exchange import refi
from beacon_qual.exchange.labelled import compose
from beacon_qual.store import Project
from beacon_qual.store import exchange as store
from beacon_qual.text.outfile import Output, output_for

PREVIEW_LENGTH = 60
_CR_MARK = "\x00"  # stands for CR in element text while serialising; XML cannot hold NUL itself


@dataclass
class ExportSummary:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    not_exported: list[str] = field(default_factory=list)


def export_codebook(project: Project, dest: Path | str | Output) -> ExportSummary:
    """Write the project's codes as a REFI-QDA codebook (.qdc)."""
    out = output_for(dest, protect=(project.path,))
    out.check()
    writer = _Writer(project, ExportSummary(out.path))
    codes = writer.codebook_codes(with_notes=False)
    if not len(codes):
        raise BeaconError("the project has no codes, so there is no codebook to export")
    root = ET.Element("CodeBook", {"xmlns": refi.CODEBOOK_NS, "origin": _origin()})
    root.append(codes)
    memos = store.code_memo_count(project)
    if memos:
        writer.lost(f"{memos} memo(s) on codes: a .qdc codebook has no notes (a .qdpx project keeps them)")
    out.write(_xml_bytes(root).decode("utf-8"))  # text: XML may go to a terminal
    return writer.summary


def export_project(project: Project, dest: Path | str | Output) -> ExportSummary:
    """Write the whole project as a REFI-QDA project archive (.qdpx)."""
    out = output_for(dest, protect=(project.path,))
    out.check(binary=True)
    writer = _Writer(project, ExportSummary(out.path))
    root = writer.project_element()

    def write(fh: BinaryIO) -> None:
        # A pipe or standard output cannot seek: zipfile then writes each member's sizes after its data.
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(refi.QDE_NAME, _xml_bytes(root))
            for guid, text in writer.files():
                archive.writestr(f"{refi.SOURCES_DIR}/{guid}.txt", text.encode("utf-8"))

    out.write_with(write, binary=True)
    return writer.summary


def _origin() -> str:
    try:
        return f"beacon-qual {version('beacon-qual')}"
    except PackageNotFoundError:
        return "beacon-qual"


def _xml_bytes(root: ET.Element) -> bytes:
    """UTF-8 XML; a CR in element text is written as a character reference so that it survives parsing."""
    for element in root.iter():
        if element.text and "\r" in element.text:
            element.text = element.text.replace("\r", _CR_MARK)
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode").replace(_CR_MARK, "&#13;")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _sub(
    parent: ET.Element, tag: str, attrs: dict[str, str | None] | None = None, text: str | None = None
) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: v for k, v in (attrs or {}).items() if v is not None})
    if text is not None:
        element.text = text
    return element


class _Writer:
    def __init__(self, project: Project, summary: ExportSummary):
        self.p = project
        self.summary = summary
        self.guids: dict[str, dict[int, str]] = {}
        self.memos = self._memos_by_target()
        self.note_memos: list = []  # memos written as Notes, in order
        self.project_memos: list = []
        self.wave_variables: dict[tuple[int, int], tuple[str, str]] = {}  # (variable, wave) -> GUID, type

    def lost(self, line: str) -> None:
        self.summary.not_exported.append(line)

    def count(self, what: str, n: int = 1) -> None:
        self.summary.counts[what] = self.summary.counts.get(what, 0) + n

    def clean(self, value: str | None, what: str) -> str | None:
        if value is None:
            return None
        if refi.has_xml_illegal(value):
            self.lost(f"{what}: control characters XML cannot hold were left out")
            return refi.xml_safe(value)
        return value

    def guid(self, table: str, row_id: int) -> str:
        """The REFI GUID of a row (all of a table's GUIDs are worked out on first use)."""
        if table not in self.guids:
            self.guids[table] = {r[0]: refi.export_guid(r[1]) for r in store.uuids(self.p, table)}
        return self.guids[table][row_id]

    def user_guid(self, coder_id: int | None) -> str | None:
        return None if coder_id is None else self.guid("coders", coder_id)

    # -- the project ---------------------------------------------------------------------------
    def project_element(self) -> ET.Element:
        name = self.p.get_meta("name") or self.p.path.stem
        created = self.p.get_meta("created_at")
        root = ET.Element(
            "Project",
            {
                "xmlns": refi.PROJECT_NS,
                "name": self.clean(name, "project name") or "",
                "origin": _origin(),
            },
        )
        if refi.is_datetime(created):
            root.set("creationDateTime", created)
        self.users(root)
        codes = self.codebook_codes(with_notes=True)
        if len(codes):
            _sub(root, "CodeBook").append(codes)
        self.variables(root)
        self.cases(root)
        self.sources(root)
        self.notes(root)
        for memo in self.project_memos:
            _sub(root, "NoteRef", {"targetGUID": self.guid("memos", memo["id"])})
        return root

    def files(self) -> Iterator[tuple[str, str]]:
        for document in store.document_texts(self.p):
            yield self.guid("documents", document["id"]), document["text"]
        for memo in self.note_memos:
            yield self.guid("memos", memo["id"]), memo["text"]

    def users(self, root: ET.Element) -> None:
        rows = store.coders(self.p)
        if rows:
            users = _sub(root, "Users")
            for row in rows:
                _sub(
                    users,
                    "User",
                    {
                        "guid": self.guid("coders", row["id"]),
                        "name": self.clean(row["name"], f"coder {row['name']!r}"),
                    },
                )
            self.count("coders", len(rows))

    # -- codes --------------------------------------------------------------------------------------
    def codebook_codes(self, *, with_notes: bool) -> ET.Element:
        rows = store.codes(self.p)
        ids = {r["id"] for r in rows}
        kids: dict[int | None, list] = defaultdict(list)
        for row in rows:
            kids[row["parent_id"] if row["parent_id"] in ids else None].append(row)
        codes = ET.Element("Codes")
        for row in kids[None]:
            self.code(codes, row, kids, with_notes)
        return codes

    def code(self, parent: ET.Element, row: Any, kids: dict, with_notes: bool) -> None:
        label = f"code {row['name']!r}"
        attrs = {
            "guid": self.guid("codes", row["id"]),
            "name": self.clean(row["name"], label),
            "isCodable": "true" if row["codable"] else "false",
        }
        if refi.is_rgb(row["colour"]):
            attrs["color"] = row["colour"]
        elif row["colour"]:
            self.lost(f"{label}: colour {row['colour']!r} is not an RGB colour")
        element = _sub(parent, "Code", attrs)
        keywords = row["keywords"] if row["keywords"] not in (None, "", "[]") else None
        description = compose(
            row["description"],
            [
                ("Inclusion", row["inclusion"]),
                ("Exclusion", row["exclusion"]),
                ("Example", row["example"]),
                ("Keywords", keywords),
            ],
        )
        if description:
            _sub(element, "Description", text=self.clean(description, f"description of {label}"))
        if with_notes:
            for memo in self.memos.pop(("code", row["id"]), []):
                self.note_ref(element, memo)
        self.count("codes")
        for child in kids.get(row["id"], []):
            self.code(element, child, kids, with_notes)

    # -- variables and cases --------------------------------------------------------------------
    def variables(self, root: ET.Element) -> None:
        """One REFI variable per measure, or per measure and wave (see :mod:`.refi`)."""
        rows = store.variables(self.p)
        if not rows:
            return
        element = _sub(root, "Variables")
        for row in rows:
            waves = store.variable_waves(self.p, row["id"])
            per_wave = waves not in ([], [1])
            for wave in waves if per_wave else [1]:
                guid = (
                    refi.derived_guid("variable-wave", f"{row['uuid']}:{wave}")
                    if per_wave
                    else refi.export_guid(row["uuid"])
                )
                name = refi.wave_variable_name(row["name"], wave) if per_wave else row["name"]
                kind = self.refi_type(row, wave)
                self.wave_variables[(row["id"], wave)] = (guid, kind)
                variable = _sub(
                    element,
                    "Variable",
                    {"guid": guid, "name": self.clean(name, f"variable {name!r}"), "typeOfVariable": kind},
                )
                description = compose(
                    row["label"],
                    [("Type", row["type"]), ("Levels", row["levels"]), ("Source", row["source"])],
                )
                _sub(
                    variable, "Description", text=self.clean(description, f"description of variable {name!r}")
                )
                self.count("variables")

    def refi_type(self, variable: Any, wave: int) -> str:
        values = store.wave_values(self.p, variable["id"], wave)
        kind = variable["type"]
        if kind == "numeric":
            whole = all(v[0] is None or (math.isfinite(v[0]) and v[0] == int(v[0])) for v in values)
            return "Integer" if whole else "Float"
        if kind == "boolean":
            return "Boolean"
        if kind == "date":
            texts = [v[1] for v in values if v[1] is not None]
            if all(refi.is_date(t) for t in texts):
                return "Date"
            if all(refi.is_datetime(t) for t in texts):
                return "DateTime"
        return "Text"

    def cases(self, root: ET.Element) -> None:
        rows = store.cases(self.p)
        if not rows:
            return
        element = _sub(root, "Cases")
        for row in rows:
            label = f"case {row['name']!r}"
            case = _sub(
                element,
                "Case",
                {"guid": self.guid("cases", row["id"]), "name": self.clean(row["name"], label)},
            )
            description = compose(
                None,
                [
                    ("Code", row["code"]),
                    ("GSS code", row["gss_code"]),
                    ("ONS code", row["ons_code"]),
                    ("Short name", row["short_name"]),
                    ("Type", row["type"]),
                    ("Region", row["region"]),
                ],
            )
            if description:
                _sub(case, "Description", text=self.clean(description, f"description of {label}"))
            self.case_values(case, row)
            for document in store.case_documents(self.p, row["id"]):
                _sub(case, "SourceRef", {"targetGUID": self.guid("documents", document["id"])})
            self.count("cases")

    def case_values(self, case: ET.Element, row: Any) -> None:
        values = store.case_values(self.p, row["id"])
        for value in values:
            guid, kind = self.wave_variables[(value["variable_id"], value["wave"])]
            text = self.value_text(value, kind)
            if text is None:
                self.lost(
                    f"value of {value['name']!r} (wave {value['wave']}) for case {row['name']!r}: "
                    "it is missing or not a finite number"
                )
                continue
            element = _sub(case, "VariableValue")
            _sub(element, "VariableRef", {"targetGUID": guid})
            _sub(element, f"{kind}Value", text=self.clean(text, f"value of {value['name']!r}"))
            self.count("case values")

    @staticmethod
    def value_text(value: Any, kind: str) -> str | None:
        number, text = value["value_num"], value["value_text"]
        if kind in ("Integer", "Float"):
            if number is None or not math.isfinite(number):
                return None
            return str(int(number)) if kind == "Integer" else format(Decimal(repr(number)), "f")
        if kind == "Boolean":
            return None if number is None else ("true" if number else "false")
        if text is None and value["type"] == "ordinal" and number is not None and value["levels"]:
            levels = json.loads(value["levels"])
            return levels[int(number)] if 0 <= int(number) < len(levels) else None
        return text

    # -- sources, selections, codings -------------------------------------------------------------------
    def sources(self, root: ET.Element) -> None:
        rows = store.sources(self.p)
        if not rows:
            return
        element = _sub(root, "Sources")
        review = 0
        for row in rows:
            label = f"document {row['name']!r}"
            guid = self.guid("documents", row["id"])
            source = _sub(
                element,
                "TextSource",
                {
                    "guid": guid,
                    "name": self.clean(row["name"], label),
                    "plainTextPath": f"{refi.INTERNAL}{guid}.txt",
                    "creationDateTime": row["imported_at"] if refi.is_datetime(row["imported_at"]) else None,
                },
            )
            description = compose(
                None,
                [
                    ("Phase", None if row["phase"] is None else str(row["phase"])),
                    ("Role", row["role"]),
                    ("Interview date", row["interview_date"]),
                    ("Interviewer", row["interviewer"]),
                    ("Respondent", row["respondent"]),
                ],
            )
            if description:
                _sub(source, "Description", text=self.clean(description, f"description of {label}"))
            codings = store.document_codings(self.p, row["id"])
            for coding in codings:
                self.selection(source, coding, row["text"])
                review += coding["status"] == "review"
            for memo in self.memos.pop(("document", row["id"]), []):
                self.note_ref(source, memo)
            self.count("documents")
        if review:
            self.lost(f"{review} coding(s) marked for review: REFI-QDA has no review mark")
        revisions = store.revision_count(self.p)
        if revisions:
            self.lost(
                f"{revisions} earlier text revision(s) of documents: only the current texts are exported"
            )

    def selection(self, source: ET.Element, coding: Any, text: str) -> None:
        guid = self.guid("codings", coding["id"])
        preview = refi.xml_safe(" ".join(text[coding["start"] : coding["end"]].split()))
        if len(preview) > PREVIEW_LENGTH:
            preview = preview[: PREVIEW_LENGTH - 1] + "\u2026"
        user = self.user_guid(coding["coder_id"])
        created = coding["created_at"] if refi.is_datetime(coding["created_at"]) else None
        selection = _sub(
            source,
            "PlainTextSelection",
            {
                "guid": refi.derived_guid("selection", guid),
                "name": preview,
                "startPosition": str(coding["start"]),
                "endPosition": str(coding["end"]),
                "creatingUser": user,
                "creationDateTime": created,
            },
        )
        if coding["memo"]:
            _sub(selection, "Description", text=self.clean(coding["memo"], f"memo of coding {coding['id']}"))
        element = _sub(selection, "Coding", {"guid": guid, "creatingUser": user, "creationDateTime": created})
        _sub(element, "CodeRef", {"targetGUID": self.guid("codes", coding["code_id"])})
        for memo in self.memos.pop(("coding", coding["id"]), []):
            self.note_ref(element, memo)
        self.count("codings")

    # -- memos as notes --------------------------------------------------------------------------------
    def _memos_by_target(self) -> dict[tuple[str, int | None], list]:
        by_target: dict[tuple[str, int | None], list] = defaultdict(list)
        for memo in store.memos(self.p):
            target = None if memo["target_type"] == "project" else memo["target_id"]
            by_target[(memo["target_type"], target)].append(memo)
        return by_target

    def note_ref(self, parent: ET.Element, memo: Any) -> None:
        """Refer to the Note of a memo from ``parent``; the Note itself is written by :meth:`notes`."""
        self.note_memos.append(memo)
        _sub(parent, "NoteRef", {"targetGUID": self.guid("memos", memo["id"])})

    def notes(self, root: ET.Element) -> None:
        """The Notes (memos referred to so far, then project, case and stranded memos) and their Links."""
        links = []
        for (target_type, target_id), memos in self.memos.items():
            for memo in memos:
                self.note_memos.append(memo)
                if target_type == "project":
                    self.project_memos.append(memo)
                elif target_type == "case" and target_id is not None and store.case_exists(self.p, target_id):
                    links.append((memo, target_id))
                else:
                    self.lost(
                        f"memo {memo['title'] or memo['id']!r}: its {target_type} no longer exists, "
                        "so its note is attached to nothing"
                    )
        if self.note_memos:
            element = _sub(root, "Notes")
            for memo in self.note_memos:
                self.note_element(element, memo)
        if links:
            element = _sub(root, "Links")
            for memo, case_id in links:
                _sub(
                    element,
                    "Link",
                    {
                        "guid": refi.derived_guid("memo-link", memo["uuid"]),
                        "name": refi.MEMO_LINK_NAME,
                        "direction": "OneWay",
                        "originGUID": self.guid("memos", memo["id"]),
                        "targetGUID": self.guid("cases", case_id),
                    },
                )

    def note_element(self, parent: ET.Element, memo: Any) -> None:
        guid = self.guid("memos", memo["id"])
        _sub(
            parent,
            "Note",
            {
                "guid": guid,
                "name": self.clean(memo["title"], f"title of memo {memo['id']}"),
                "plainTextPath": f"{refi.INTERNAL}{guid}.txt",
                "creatingUser": self.user_guid(memo["coder_id"]),
                "creationDateTime": memo["created_at"] if refi.is_datetime(memo["created_at"]) else None,
                "modifiedDateTime": memo["updated_at"] if refi.is_datetime(memo["updated_at"]) else None,
            },
        )
        self.count("memos")
