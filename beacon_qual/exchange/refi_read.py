"""Reading REFI-QDA files (.qdc codebooks, .qdpx projects) into plain data, tolerant of real tools.

Reading never touches a project: it checks the archive, parses the XML safely, decodes
every text source and places every selection on the stored form of its text. Anything
that cannot be carried into a beacon-qual project is listed in ``not_carried``. Import
(:mod:`.refi_import`) then writes the result in one transaction.

Accepted beyond the letter of the specification: a ``Sources/`` or ``sources/`` folder
(or none), paths with or without ``internal://``, GUIDs in braces or upper case, extra
files in the archive, text sources stored only as .docx, texts with CRLF line endings
or a BOM, elements with or without the REFI namespace.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element

from beacon_qual.errors import BeaconError
from beacon_qual.exchange.docx_text import docx_text
from beacon_qual.exchange.refi import normal_guid, xml_safe
from beacon_qual.exchange.safexml import child, child_text, children, parse_xml
from beacon_qual.exchange.textmap import (
    AS_STORED,
    Boundaries,
    NormalisedText,
    ReadingChoice,
    choose_reading,
    decode_source,
    normalise,
    stored_form,
)
from beacon_qual.ingest.importer import ParsedTranscript
from beacon_qual.ingest.metadata import Metadata
from beacon_qual.store import new_uuid
from beacon_qual.text.safezip import DEFAULT_LIMITS, Limits, SafeArchive

OTHER_SOURCES = {
    "PictureSource": "picture source",
    "PDFSource": "PDF source",
    "AudioSource": "audio source",
    "VideoSource": "video source",
}
_SELECTION_TAGS = {
    "PlainTextSelection",
    "PictureSelection",
    "PDFSelection",
    "AudioSelection",
    "VideoSelection",
    "TranscriptSelection",
}


@dataclass
class RefiCode:
    guid: str
    name: str
    codable: bool
    colour: str | None
    description: str | None
    children: list[RefiCode] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RefiUser:
    guid: str
    name: str | None


@dataclass
class RefiVariable:
    guid: str
    name: str
    kind: str  # REFI typeOfVariable: Text, Boolean, Integer, Float, Date, DateTime
    description: str | None


@dataclass
class RefiValue:
    variable: str  # variable GUID
    kind: str  # TextValue, BooleanValue, IntegerValue, FloatValue, DateValue, DateTimeValue
    text: str


@dataclass
class RefiCase:
    guid: str
    name: str | None
    description: str | None
    values: list[RefiValue]
    sources: list[str]


@dataclass
class RefiCoding:
    guid: str
    code: str | None
    user: str | None
    created: str | None
    note_refs: list[str]


@dataclass
class RefiSelection:
    guid: str
    name: str | None
    start: int  # on the stored text
    end: int
    user: str | None
    created: str | None
    description: str | None
    codings: list[RefiCoding]
    note_refs: list[str]
    review: bool = False  # its place depends on how the other tool counted positions: flag for review
    modified: str | None = None


@dataclass
class RefiSource:
    guid: str
    name: str
    text: str  # stored form: LF line endings, no BOM
    origin: str  # where the text came from: the archive member, or 'inline'
    text_format: str  # 'txt', 'docx' or 'inline'
    encoding: str
    user: str | None
    created: str | None
    description: str | None
    selections: list[RefiSelection]
    codings: list[RefiCoding]  # codings of the whole source
    note_refs: list[str]
    parsed: ParsedTranscript | None = None  # the stored text's turns and sentences, worked out once


@dataclass
class RefiNote:
    guid: str
    name: str | None
    text: str
    user: str | None
    created: str | None
    modified: str | None = None


@dataclass
class RefiLink:
    guid: str
    name: str | None
    origin: str | None
    target: str | None


@dataclass
class RefiProject:
    """Everything read from one REFI-QDA file."""

    label: str
    kind: str  # 'qdc' or 'qdpx'
    name: str | None = None
    origin: str | None = None
    creating_user: str | None = None
    created: str | None = None
    description: str | None = None
    users: list[RefiUser] = field(default_factory=list)
    codes: list[RefiCode] = field(default_factory=list)
    variables: list[RefiVariable] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    links: list[RefiLink] = field(default_factory=list)
    project_note_refs: list[str] = field(default_factory=list)
    # variables that have values on text sources (REFI allows that; beacon-qual does not)
    source_variables: set[str] = field(default_factory=set)
    # notes referred to from things that are not imported: note GUID -> what referred to it
    stranded_note_refs: dict[str, str] = field(default_factory=dict)
    # every GUID of something that exists in the file but is not imported, with a label
    skipped_guids: dict[str, str] = field(default_factory=dict)
    not_carried: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # per text source with selections: how its positions were read, and how well the selections fitted
    readings: list[str] = field(default_factory=list)


# -- codebooks -----------------------------------------------------------------------------
def read_qdc(path: Path, limits: Limits = DEFAULT_LIMITS) -> RefiProject:
    """A REFI-QDA codebook file."""
    data = _read_file(path, limits)
    root = parse_xml(data, path.name)
    if root.tag != "CodeBook":
        raise BeaconError(f"{path.name} is not a REFI-QDA codebook (its root element is <{root.tag}>)")
    refi = RefiProject(label=path.name, kind="qdc", origin=root.get("origin"))
    codes = child(root, "Codes")
    refi.codes = _codes(codes, refi) if codes is not None else []
    if not refi.codes:
        raise BeaconError(f"{path.name} holds no codes")
    _check_unique_guids(refi.codes, path.name)
    _sets(child(root, "Sets"), refi)
    refi.not_carried.extend(unkept(root, set()))
    return refi


def _read_file(path: Path, limits: Limits) -> bytes:
    try:
        size = path.stat().st_size
        if size > limits.max_member:
            raise BeaconError(f"{path.name} is {size} bytes, more than the {limits.max_member} accepted")
        return path.read_bytes()
    except FileNotFoundError:
        raise BeaconError(f"no file {path}") from None
    except IsADirectoryError:
        raise BeaconError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise BeaconError(f"cannot read {path}: {exc.strerror or exc}") from None


def _codes(parent: Element, refi: RefiProject) -> list[RefiCode]:
    result = []
    for element in children(parent, "Code"):
        name = element.get("name")
        if name is None:
            name = "(unnamed code)"
            refi.warnings.append("a code without a name was called '(unnamed code)'")
        result.append(
            RefiCode(
                guid=normal_guid(element.get("guid")) or new_uuid(),
                name=name,
                codable=(element.get("isCodable") or "true").strip().lower() not in ("false", "0"),
                colour=element.get("color"),
                description=child_text(element, "Description"),
                children=_codes(element, refi),
                note_refs=_refs(element, "NoteRef"),
            )
        )
    return result


def _check_unique_guids(codes: list[RefiCode], label: str) -> None:
    """Refuse two codes with one GUID: the second would silently be taken for the first."""
    seen: dict[str, str] = {}
    stack = codes[::-1]  # walked in document order
    while stack:
        code = stack.pop()
        if code.guid in seen:
            raise BeaconError(
                f"{label}: codes {seen[code.guid]!r} and {code.name!r} have the same GUID {code.guid}"
            )
        seen[code.guid] = code.name
        stack.extend(code.children[::-1])


def _sets(sets: Element | None, refi: RefiProject) -> None:
    if sets is None:
        return
    for item in children(sets, "Set"):
        members = sum(1 for member in item if member.tag.startswith("Member"))
        refi.not_carried.append(f"set {item.get('name')!r} ({members} members): beacon-qual has no sets")


def _refs(element: Element, tag: str) -> list[str]:
    return [g for g in (normal_guid(ref.get("targetGUID")) for ref in children(element, tag)) if g]


# -- projects --------------------------------------------------------------------------------
def read_qdpx(path: Path, limits: Limits = DEFAULT_LIMITS) -> RefiProject:
    """A REFI-QDA project archive."""
    if not path.exists():
        raise BeaconError(f"no file {path}")
    if path.is_dir():
        raise BeaconError(f"{path} is a folder, not a file")
    with SafeArchive(path, path.name, limits) as archive:
        return _ProjectReader(archive, path.name).read()


class _ProjectReader:
    def __init__(self, archive: SafeArchive, label: str):
        self.archive = archive
        self.label = label
        self.qde = self._find_qde()
        self.members = self._index_members()
        self.used: set[str] = {self.qde}
        self.whole: set[int] = set()  # ids of elements already listed whole as not carried over
        self.refi = RefiProject(label=label, kind="qdpx")

    def _find_qde(self) -> str:
        qdes = [n for n in self.archive.names if n.lower().endswith(".qde")]
        if not qdes:
            raise BeaconError(f"{self.label} holds no .qde project file; is it a REFI-QDA project?")
        top = [n for n in qdes if "/" not in n.strip("/")]
        if len(qdes) > 1 and len(top) != 1:
            raise BeaconError(f"{self.label} holds several .qde project files: {', '.join(sorted(qdes))}")
        return top[0] if len(qdes) > 1 else qdes[0]

    def _index_members(self) -> dict[str, str]:
        """Archive members by their normalised file name; those in a sources folder win."""
        index: dict[str, str] = {}
        for name in self.archive.names:
            key = member_key(name)
            folder = PurePosixPath(name.replace("\\", "/")).parent.name.lower()
            if key not in index or folder == "sources":
                index[key] = name
        return index

    def read(self) -> RefiProject:
        root = parse_xml(self.archive.read(self.qde), f"{self.label}: {self.qde}")
        if root.tag != "Project":
            raise BeaconError(
                f"{self.label}: {self.qde} is not a REFI-QDA project (root element <{root.tag}>)"
            )
        refi = self.refi
        refi.name = root.get("name")
        refi.origin = root.get("origin")
        refi.creating_user = normal_guid(root.get("creatingUserGUID"))
        refi.created = root.get("creationDateTime")
        refi.description = child_text(root, "Description")
        users = child(root, "Users")
        refi.users = [self._user(u) for u in (children(users, "User") if users is not None else [])]
        codebook = child(root, "CodeBook")
        codes = child(codebook, "Codes") if codebook is not None else None
        refi.codes = _codes(codes, refi) if codes is not None else []
        _check_unique_guids(refi.codes, self.label)
        refi.variables = self._variables(child(root, "Variables"))
        refi.cases = self._cases(child(root, "Cases"))
        self._sources(child(root, "Sources"))
        refi.notes = self._notes(child(root, "Notes"))
        refi.links = self._links(child(root, "Links"))
        _sets(child(root, "Sets"), refi)
        self._graphs(child(root, "Graphs"))
        refi.project_note_refs = _refs(root, "NoteRef")
        self._unused_members()
        refi.not_carried.extend(unkept(root, self.whole))
        return refi

    def _user(self, element: Element) -> RefiUser:
        name, user_id = element.get("name"), element.get("id")
        if name and user_id:
            self.refi.not_carried.append(
                f"user {name!r}: its id {user_id!r} is not kept (coders keep their GUID and name)"
            )
        return RefiUser(normal_guid(element.get("guid")) or new_uuid(), name or user_id)

    # -- variables and cases -------------------------------------------------------------------
    def _variables(self, element: Element | None) -> list[RefiVariable]:
        if element is None:
            return []
        return [
            RefiVariable(
                guid=normal_guid(v.get("guid")) or new_uuid(),
                name=v.get("name") or "(unnamed variable)",
                kind=(v.get("typeOfVariable") or "Text").strip(),
                description=child_text(v, "Description"),
            )
            for v in children(element, "Variable")
        ]

    def _cases(self, element: Element | None) -> list[RefiCase]:
        if element is None:
            return []
        cases = []
        for item in children(element, "Case"):
            name = item.get("name")
            codes = len(children(item, "CodeRef"))
            if codes:
                self.refi.not_carried.append(
                    f"case {name!r} is coded with {codes} code(s): beacon-qual codes passages, not cases"
                )
            selections = len(children(item, "SelectionRef"))
            if selections:
                self.refi.not_carried.append(
                    f"case {name!r} holds {selections} selection(s) rather than whole sources: not supported"
                )
            cases.append(
                RefiCase(
                    guid=normal_guid(item.get("guid")) or new_uuid(),
                    name=name,
                    description=child_text(item, "Description"),
                    values=_values(item),
                    sources=_refs(item, "SourceRef"),
                )
            )
        return cases

    # -- sources ---------------------------------------------------------------------------------
    def _sources(self, element: Element | None) -> None:
        if element is None:
            return
        for item in element:
            if item.tag == "TextSource":
                source = self._text_source(item)
                if source is not None:
                    self.refi.sources.append(source)
            else:
                self._skip_source(item, OTHER_SOURCES.get(item.tag, f"<{item.tag}> source"))

    def _skip_source(self, item: Element, kind: str, reason: str = "beacon-qual codes text only") -> None:
        name = item.get("name") or item.get("guid")
        selections = sum(1 for e in item.iter() if e.tag in _SELECTION_TAGS)
        codings = sum(1 for e in item.iter() if e.tag == "Coding")
        self.refi.not_carried.append(
            f"{kind} {name!r} ({selections} selection(s), {codings} coding(s)): {reason}"
        )
        label = f"{kind} {name!r}"
        self.whole.add(id(item))
        for element in item.iter():
            guid = normal_guid(element.get("guid"))
            if guid:
                self.refi.skipped_guids[guid] = label
            if element.tag == "NoteRef":
                note = normal_guid(element.get("targetGUID"))
                if note:
                    self.refi.stranded_note_refs.setdefault(note, label)
            for path_attr in ("path", "plainTextPath", "richTextPath"):
                member = self._member(element.get(path_attr))
                if member:
                    self.used.add(member)  # listed with its source, not again as an unused file

    def _text_source(self, item: Element) -> RefiSource | None:
        guid = normal_guid(item.get("guid")) or new_uuid()
        name = item.get("name") or _file_name(item) or f"source {guid[:8]}"
        loaded = self._source_text(item, name)
        if loaded is None:
            return None
        raw, origin, text_format, encoding = loaded
        names = {v.guid: v.name for v in self.refi.variables}
        for value in _values(item):
            self.refi.source_variables.add(value.variable)
            self.refi.not_carried.append(
                f"value {value.text!r} of variable {names.get(value.variable, value.variable)!r} on text "
                f"source {name!r}: beacon-qual keeps variables per case, not per source"
            )
        elements = children(item, "PlainTextSelection")
        spans = [(_int(e.get("startPosition")), _int(e.get("endPosition")), e.get("name")) for e in elements]
        parsed = ParsedTranscript(name, origin, text_format, encoding, stored_form(raw), Metadata())
        # beacon-qual's own exports count code points of the stored text, as REFI-QDA says
        own = (self.refi.origin or "").startswith("beacon-qual")
        choice = choose_reading(
            raw, spans, lambda _text: _boundaries(parsed), only=AS_STORED if own else None
        )
        normalised = choice.normalised
        if choice.selections:
            own_note = " (the file is beacon-qual's own, which counts them that way)" if own else ""
            self.refi.readings.append(_reading_line(name, choice) + own_note)
        if text_format == "docx":
            self.refi.warnings.append(
                f"text source {name!r} had only a .docx; its text was extracted here, so check its "
                "selections fall where the other tool put them"
            )
        selections = [
            s
            for s in (
                self._selection(e, span, normalised, name, i in choice.doubtful)
                for i, (e, span) in enumerate(zip(elements, spans))
            )
            if s
        ]
        renamed = [
            s.name for s in selections if not name_is_preview(normalised.text, (s.start, s.end), s.name)
        ]
        if renamed:
            self.refi.not_carried.append(
                f"{len(renamed)} selection name(s) in {name!r} that are not the start of their passage "
                f"(such as {renamed[0]!r}): beacon-qual keeps no names for codings"
            )
        return RefiSource(
            guid=guid,
            name=name,
            text=normalised.text,
            parsed=parsed,
            origin=origin,
            text_format=text_format,
            encoding=encoding,
            user=normal_guid(item.get("creatingUser")),
            created=item.get("creationDateTime"),
            description=child_text(item, "Description"),
            selections=selections,
            codings=_codings(item),
            note_refs=_refs(item, "NoteRef"),
        )

    def _source_text(self, item: Element, name: str) -> tuple[str, str, str, str] | None:
        """(raw text, origin, format, encoding) of a text source, or None (listed) if it has none."""
        inline = child_text(item, "PlainTextContent")
        if inline is not None:
            return inline, "inline", "inline", "utf-8"
        plain_path, rich_path = item.get("plainTextPath"), item.get("richTextPath")
        member = self._member(plain_path)
        if member is not None:
            self.used.add(member)
            raw, encoding = decode_source(self.archive.read(member), f"{self.label}: {member}")
            rich = self._member(rich_path)
            if rich is not None:
                self.used.add(rich)
                self.refi.warnings.append(
                    f"the styled (.docx) version of {name!r} was not kept; its plain text was imported"
                )
            return raw, member, "txt", encoding
        rich = self._member(rich_path)
        if rich is not None and rich.lower().endswith(".docx"):
            self.used.add(rich)
            text = docx_text(self.archive.read(rich), f"{self.label}: {rich}", self.archive.limits)
            return text, rich, "docx", "utf-8"
        wanted = plain_path or rich_path
        reason = f"its text {wanted!r} is not in the archive" if wanted else "it has no text"
        self._skip_source(item, "text source", reason)
        return None

    def _member(self, path: str | None) -> str | None:
        """The archive member a source path names, or None (also for external paths)."""
        if not path:
            return None
        path = path.strip()
        if path.lower().startswith("internal://"):
            path = path[len("internal://") :]
        elif "://" in path:
            return None
        return self.members.get(member_key(path))

    def _selection(
        self,
        element: Element,
        span: tuple[int | None, int | None, str | None],
        text: NormalisedText,
        source: str,
        doubtful: bool = False,
    ) -> RefiSelection | None:
        start, end, name = span
        label = f"selection {name or element.get('guid')!r} in {source!r}"
        codings = _codings(element)
        if start is None or end is None:
            self.refi.not_carried.append(f"{label}: its start or end position is not a whole number")
        elif not (0 <= start < end <= text.original_length):
            self.refi.not_carried.append(
                f"{label} ({start}-{end}) lies outside its text of {text.original_length} characters"
            )
        elif text.offset(start) >= text.offset(end):
            self.refi.not_carried.append(f"{label} ({start}-{end}) selects only a line break")
        elif not codings:
            notes = len(children(element, "NoteRef")) + (child(element, "Description") is not None)
            extra = f", with {notes} comment(s) or note(s)" if notes else ""
            self.refi.not_carried.append(
                f"{label} has no codes{extra}: beacon-qual keeps coded passages only"
            )
        else:
            return RefiSelection(
                guid=normal_guid(element.get("guid")) or new_uuid(),
                name=name,
                start=text.offset(start),
                end=text.offset(end),
                user=normal_guid(element.get("creatingUser")),
                created=element.get("creationDateTime"),
                description=child_text(element, "Description"),
                codings=codings,
                note_refs=_refs(element, "NoteRef"),
                review=doubtful,
                modified=element.get("modifiedDateTime"),
            )
        self.whole.add(id(element))
        guid = normal_guid(element.get("guid"))
        if guid:
            self.refi.skipped_guids[guid] = label
        for note in _refs(element, "NoteRef"):
            self.refi.stranded_note_refs.setdefault(note, label)
        return None

    # -- notes, links, graphs, leftovers ------------------------------------------------------
    def _notes(self, element: Element | None) -> list[RefiNote]:
        if element is None:
            return []
        notes = []
        for item in children(element, "Note"):
            guid = normal_guid(item.get("guid")) or new_uuid()
            name = item.get("name")
            loaded = self._note_text(item)
            if loaded is None:
                self.refi.not_carried.append(f"note {name or guid!r}: its text is not in the archive")
                self.refi.skipped_guids[guid] = f"note {name or guid!r}"
                continue
            notes.append(
                RefiNote(
                    guid,
                    name,
                    loaded,
                    normal_guid(item.get("creatingUser")),
                    item.get("creationDateTime"),
                    item.get("modifiedDateTime"),
                )
            )
        return notes

    def _note_text(self, item: Element) -> str | None:
        parts = [child_text(item, "Description")]
        inline = child_text(item, "PlainTextContent")
        member = self._member(item.get("plainTextPath"))
        if inline is not None:
            parts.append(inline)
        elif member is not None:
            self.used.add(member)
            raw, _ = decode_source(self.archive.read(member), f"{self.label}: {member}")
            parts.append(raw)
        elif item.get("plainTextPath"):
            return None
        return "\n\n".join(normalise(p).text for p in parts if p and p.strip())

    def _links(self, element: Element | None) -> list[RefiLink]:
        if element is None:
            return []
        return [
            RefiLink(
                normal_guid(item.get("guid")) or new_uuid(),
                item.get("name"),
                normal_guid(item.get("originGUID")),
                normal_guid(item.get("targetGUID")),
            )
            for item in children(element, "Link")
        ]

    def _graphs(self, element: Element | None) -> None:
        if element is None:
            return
        for graph in children(element, "Graph"):
            self.refi.not_carried.append(
                f"graph {graph.get('name')!r} ({len(children(graph, 'Vertex'))} shapes, "
                f"{len(children(graph, 'Edge'))} lines): beacon-qual has no graphs"
            )

    def _unused_members(self) -> None:
        for name in self.archive.names:
            if name not in self.used:
                self.refi.not_carried.append(f"archive file {name!r} is not used by the project")


# What import reads of each element: its attributes, and the child elements it reads or reports itself
# (which are not looked into here). Anything else in a file is listed as not carried over by unkept().
_TEXT: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
_REF: tuple[frozenset[str], frozenset[str]] = (frozenset({"targetGUID"}), frozenset())
_VALUES = frozenset({"TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue"})
READ: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Project": (
        frozenset({"name", "origin", "creatingUserGUID", "creationDateTime"}),
        frozenset(
            {"Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs"}
            | {"Description", "NoteRef"}
        ),
    ),
    "Users": (frozenset(), frozenset({"User"})),
    "User": (frozenset({"guid", "name", "id"}), frozenset()),  # an id beside a name is listed by the reader
    "CodeBook": (frozenset({"origin"}), frozenset({"Codes", "Sets"})),
    "Codes": (frozenset(), frozenset({"Code"})),
    "Code": (
        frozenset({"guid", "name", "isCodable", "color"}),
        frozenset({"Description", "NoteRef", "Code"}),
    ),
    "Variables": (frozenset(), frozenset({"Variable"})),
    "Variable": (frozenset({"guid", "name", "typeOfVariable"}), frozenset({"Description"})),
    "Cases": (frozenset(), frozenset({"Case"})),
    "Case": (
        frozenset({"guid", "name"}),
        frozenset({"Description", "CodeRef", "VariableValue", "SourceRef", "SelectionRef"}),
    ),
    "VariableValue": (frozenset(), frozenset({"VariableRef"}) | _VALUES),
    "Sources": (frozenset(), frozenset({"TextSource", *OTHER_SOURCES})),
    "TextSource": (
        frozenset({"guid", "name", "richTextPath", "plainTextPath", "creatingUser", "creationDateTime"}),
        frozenset(
            {"Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"}
        ),
    ),
    "PlainTextSelection": (
        frozenset(
            {"guid", "name", "startPosition", "endPosition", "creatingUser", "creationDateTime"}
            | {"modifiedDateTime"}
        ),
        frozenset({"Description", "Coding", "NoteRef"}),
    ),
    "Coding": (frozenset({"guid", "creatingUser", "creationDateTime"}), frozenset({"CodeRef", "NoteRef"})),
    "Notes": (frozenset(), frozenset({"Note"})),
    "Note": (
        frozenset({"guid", "name", "plainTextPath", "creatingUser", "creationDateTime", "modifiedDateTime"}),
        frozenset({"Description", "PlainTextContent"}),
    ),
    "Links": (frozenset(), frozenset({"Link"})),
    "Link": (frozenset({"guid", "name", "originGUID", "targetGUID", "direction"}), frozenset()),
    **{tag: _REF for tag in ("NoteRef", "CodeRef", "SourceRef", "SelectionRef", "VariableRef")},
    **{tag: _TEXT for tag in ("Description", "PlainTextContent", *_VALUES)},
}
# Reported as a whole where they are read (sets, graphs, sources other than text, values on sources).
_REPORTED = {"Sets", "Graphs", *OTHER_SOURCES, "SelectionRef"}


def unkept(root: Element, whole: set[int]) -> list[str]:
    """Every attribute and element of a REFI-QDA file that import does not carry over, counted by kind.

    Elements in ``whole`` (by id) were already listed whole and are not looked into.
    """
    attributes: Counter[tuple[str, str]] = Counter()
    elements: Counter[tuple[str, str]] = Counter()
    stack = [root]
    while stack:
        element = stack.pop()
        attrs, kids = READ.get(element.tag, (frozenset(), frozenset()))
        for name in element.attrib:
            if name not in attrs:
                attributes[(element.tag, name)] += 1
        for item in element:
            if not isinstance(item.tag, str):
                continue
            if item.tag not in kids:
                elements[(element.tag, item.tag)] += 1
            elif not (
                item.tag in _REPORTED
                or id(item) in whole
                or (element.tag == "TextSource" and item.tag == "VariableValue")
            ):
                stack.append(item)
    lines = [
        f"{count} <{tag}> element(s) with a {name!r} attribute: beacon-qual does not keep it"
        for (tag, name), count in sorted(attributes.items())
    ]
    lines += [
        f"{count} <{tag}> element(s) in <{parent}>: beacon-qual does not read them"
        for (parent, tag), count in sorted(elements.items())
    ]
    return lines


def _file_name(item: Element) -> str | None:
    """The file name a source's text is stored under (for a source with no name), without the folder."""
    for attr in ("plainTextPath", "richTextPath"):
        path = (item.get(attr) or "").strip()
        if path.lower().startswith("internal://"):
            path = path[len("internal://") :]
        base = PurePosixPath(path.replace("\\", "/")).name.strip()
        if base:
            return base
    return None


def member_key(path: str) -> str:
    """How a source file is looked up: its file name, lower case, GUID braces dropped."""
    base = PurePosixPath(path.replace("\\", "/")).name.lower()
    return base.replace("{", "").replace("}", "")


def _values(element: Element) -> list[RefiValue]:
    values = []
    for item in children(element, "VariableValue"):
        ref = child(item, "VariableRef")
        guid = normal_guid(ref.get("targetGUID")) if ref is not None else None
        value = next((e for e in item if e.tag != "VariableRef"), None)
        if guid and value is not None:
            values.append(RefiValue(guid, value.tag, "".join(value.itertext())))
    return values


def _codings(element: Element) -> list[RefiCoding]:
    result = []
    for item in children(element, "Coding"):
        ref = child(item, "CodeRef")
        result.append(
            RefiCoding(
                guid=normal_guid(item.get("guid")) or new_uuid(),
                code=normal_guid(ref.get("targetGUID")) if ref is not None else None,
                user=normal_guid(item.get("creatingUser")),
                created=item.get("creationDateTime"),
                note_refs=_refs(item, "NoteRef"),
            )
        )
    return result


def _boundaries(parsed: ParsedTranscript) -> Boundaries:
    """Where the stored text's sentences and speaker turns start and end, as import will find them."""
    bounds = Boundaries({s for s, _ in parsed.sentences}, {e for _, e in parsed.sentences})
    for turn in parsed.turns:
        bounds.starts.update((turn.start, turn.text_start))
        bounds.ends.add(turn.end)
    return bounds


def _reading_line(name: str, choice: ReadingChoice) -> str:
    """How the report states the reading chosen for one source and how its selections fitted it."""
    line = (
        f"{name!r}: positions read as {choice.description}; {choice.on_words} of {choice.selections} "
        f"selection(s) start and end on word boundaries, {choice.on_sentences} on sentence boundaries"
    )
    if choice.runner_up is None:
        return line + " (every reading places them alike)" if choice.alike else line
    other, words = choice.runner_up
    if choice.clear:
        return line + f" (next best: {other}, {words} on word boundaries)"
    return line + (
        f"; no reading fits clearly better (next: {other}, {words} on word boundaries), so the "
        f"{len(choice.doubtful)} selection(s) they place differently are flagged for review"
    )


def name_is_preview(text: str, placed: tuple[int, int], name: str | None) -> bool:
    """True when a selection's name is empty or the start of its passage (as tools, and beacon-qual's
    export, write it), so that nothing is lost by not keeping it."""
    wanted = " ".join(re.sub(r"(\u2026|\.\.\.)\s*$", "", name or "").split())
    return not wanted or " ".join(xml_safe(text[placed[0] : placed[1]]).split()).startswith(wanted)


def _int(value: str | None) -> int | None:
    try:
        return int(value.strip()) if value is not None else None
    except ValueError:
        return None
