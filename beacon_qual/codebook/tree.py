"""The codebook: parsing and validating YAML codebooks, loading them into a project, the code tree.

A codebook file is a YAML mapping with ``name``, ``version``, an optional ``description`` and a
``codes`` list. Each code is a mapping with ``id`` (a UUID, so reloads match renamed codes), ``name``,
``definition``, ``include``, ``exclude``, ``example``, ``keywords``, ``colour`` (``#RRGGBB``),
``codable`` (``false`` for codes that only group others) and ``children`` (a list of codes).
A top-level code may instead name its parent with ``parent:`` (the parent's id or unique name).

Code paths join names with ``/`` from the root: ``Innovation/Learning to innovate/Adaptation``.
"""

from __future__ import annotations

import difflib
import json
import re
import uuid as uuidlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store.rows import inserted_id

SEP = "/"
COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_NODES = 50_000  # YAML nodes walked, counting every alias expansion
MAX_BYTES = 10 * 1024**2  # about ten thousand fully described codes; refuses runaway files before parsing
EXPLAIN_LIMIT = (
    256 * 1024
)  # above this, libyaml's own error is reported (the pure-Python re-read is too slow)
MAX_DETAILS = 40
# How deep codes may be nested (by 'children' or by 'parent'), and YAML nodes in general: two YAML levels per
# code level (its mapping and its list of children) plus the document's own. Deeper files are refused with the
# line where they go too deep, before anything recurses over them.
MAX_CODE_DEPTH = 30
MAX_YAML_DEPTH = 2 * MAX_CODE_DEPTH + 4
TOP_KEYS = ("name", "version", "description", "codes")
CODE_KEYS = (
    "id",
    "name",
    "definition",
    "include",
    "exclude",
    "example",
    "keywords",
    "colour",
    "codable",
    "children",
    "parent",
)
# YAML field -> column of the codes table
TEXT_FIELDS = {
    "definition": "description",
    "include": "inclusion",
    "exclude": "exclusion",
    "example": "example",
}
COMPARED_COLUMNS = (
    "uuid",
    "parent_id",
    "name",
    "description",
    "inclusion",
    "exclusion",
    "example",
    "colour",
    "keywords",
    "codable",
    "sort_order",
)
UPDATABLE = frozenset(
    {
        "name",
        "parent_id",
        "description",
        "inclusion",
        "exclusion",
        "example",
        "colour",
        "keywords",
        "codable",
        "sort_order",
    }
)
# Colours for new codes that name none: readable on a dark terminal, far apart from each other.
PALETTE = (
    "#5FAFFF",
    "#FF8787",
    "#87D787",
    "#FFD75F",
    "#D787FF",
    "#5FD7D7",
    "#FFAF5F",
    "#AFAFFF",
    "#D7FF87",
    "#FF87D7",
    "#87FFD7",
    "#D7AF87",
)


# -- data classes ----------------------------------------------------------------------------------------


@dataclass
class CodeSpec:
    """One code as written in a codebook file."""

    name: str
    uuid: str | None = None
    description: str | None = None
    inclusion: str | None = None
    exclusion: str | None = None
    example: str | None = None
    keywords: list[str] = field(default_factory=list)
    colour: str | None = None
    codable: bool = True
    children: list[CodeSpec] = field(default_factory=list)
    line: int = field(default=0, compare=False)  # where the name is written, for messages


@dataclass
class Codebook:
    name: str
    version: str
    description: str | None
    codes: list[CodeSpec]
    source: str = "<text>"

    def walk(self) -> Iterator[tuple[str, CodeSpec]]:
        """Every code with its path, parents before children, in file order."""
        stack = [(spec.name, spec) for spec in reversed(self.codes)]
        while stack:
            path, spec = stack.pop()
            yield path, spec
            stack.extend((f"{path}{SEP}{c.name}", c) for c in reversed(spec.children))

    def find(self, path: str) -> CodeSpec:
        for spec_path, spec in self.walk():
            if spec_path == path:
                return spec
        raise KeyError(path)


@dataclass(frozen=True)
class Code:
    """A code in a project."""

    id: int
    uuid: str
    parent_id: int | None
    name: str
    path: str
    description: str | None
    inclusion: str | None
    exclusion: str | None
    example: str | None
    colour: str | None
    keywords: tuple[str, ...]
    codable: bool
    sort_order: int


@dataclass
class CodeNode:
    """A code in the tree, with its codings (``count``) and those of the codes below it (``total``)."""

    code: Code
    count: int
    total: int
    children: list[CodeNode] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.code.id

    @property
    def name(self) -> str:
        return self.code.name

    @property
    def path(self) -> str:
        return self.code.path


@dataclass
class KeptCode:
    """A project code that the loaded file does not contain; it stays, with its codings."""

    path: str
    codings: int


@dataclass
class LoadReport:
    name: str
    version: str
    added: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    kept: list[KeptCode] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [
            f"{self.added} added",
            f"{self.updated} updated",
            f"{self.moved} moved",
            f"{self.unchanged} unchanged",
        ]
        if self.kept:
            parts.append(f"{len(self.kept)} kept (not in the file)")
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        return f"{self.name!r} version {self.version}: {', '.join(parts)}"


# -- parsing ---------------------------------------------------------------------------------------------


class _AliasCycle(Exception):
    def __init__(self, anchor: str, line: int):
        super().__init__(anchor)
        self.anchor = anchor
        self.line = line


class _TooLarge(Exception):
    pass


class _TooDeep(Exception):
    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


class _Loader(yaml.SafeLoader):
    """A safe loader that refuses aliases pointing at a node that contains them."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._open_anchors: set[str] = set()
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if self._depth >= MAX_YAML_DEPTH:  # PyYAML's composer recurses once per level
            raise _TooDeep(event.start_mark.line + 1)
        self._depth += 1
        try:
            return self._compose_node(parent, index, event)
        finally:
            self._depth -= 1

    def _compose_node(self, parent: Any, index: Any, event: Any) -> Any:
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open_anchors:
                mark = event.start_mark  # line 1 when the parser gave no position, as for YAML errors
                raise _AliasCycle(event.anchor, mark.line + 1 if mark is not None else 1)
            return super().compose_node(parent, index)
        anchor = event.anchor
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            if anchor is not None:
                self._open_anchors.discard(anchor)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _walk(root: yaml.Node) -> tuple[bool, int | None]:
    """Whether an alias makes a node contain itself (a cycle), and else the line of the first node nested
    deeper than MAX_YAML_DEPTH, through aliases too (or None). One walk, without recursion: each node's
    depth below it is worked out once, however many aliases share it."""
    below: dict[int, int] = {}  # finished node -> levels from it down to its deepest leaf, itself included
    on_path: set[int] = {id(root)}
    stack: list[tuple[yaml.Node, Iterator[yaml.Node], list[int]]] = [(root, iter(_children(root)), [0])]
    deep: int | None = None
    while stack:
        node, pending, deepest = stack[-1]
        child = next(pending, None)
        if child is None:
            below[id(node)] = levels = 1 + deepest[0]
            on_path.discard(id(node))
            stack.pop()
            if stack:
                parent_deepest = stack[-1][2]
                parent_deepest[0] = max(parent_deepest[0], levels)
        elif id(child) in on_path:
            return True, None
        elif id(child) in below:
            if deep is None and len(stack) + below[id(child)] > MAX_YAML_DEPTH:
                deep = _line(child)
            deepest[0] = max(deepest[0], below[id(child)])
        elif len(stack) + 1 > MAX_YAML_DEPTH:
            # Too deep: note where, and go no deeper (a cycle below would still be found by the composer).
            if deep is None:
                deep = _line(child)
        else:
            on_path.add(id(child))
            stack.append((child, iter(_children(child)), [0]))
    return False, deep


def _compose(text: str) -> yaml.Node | None:
    """The YAML node graph, composed by libyaml when present; PyYAML's composer explains any failure."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            root = yaml.compose(text, Loader=fast)  # libyaml refuses more than 1,000 levels itself
        except yaml.YAMLError:
            if len(text) > EXPLAIN_LIMIT:
                raise
        else:
            if root is None:
                return root
            cycle, deep = _walk(root)
            if not cycle:
                if deep is not None:
                    raise _TooDeep(deep)
                return root
    return yaml.compose(text, Loader=_Loader)


@dataclass
class _Entry:
    spec: CodeSpec
    parent: _Entry | None
    parent_ref: str | None = None
    parent_line: int = 0
    id_line: int = 0


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.problems: list[tuple[int, str]] = []
        self.entries: list[_Entry] = []
        self.nodes = 0

    def problem(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def count(self, node: yaml.Node) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge(_line(node))

    def mapping(
        self, node: yaml.Node, what: str, allowed: tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The keys of a mapping node; duplicate and unknown keys are problems."""
        self.count(node)
        if not isinstance(node, yaml.MappingNode):
            self.problem(_line(node), f"{what} must be a mapping of fields")
            return {}
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                shown = key if key is not None else "(not a plain key)"
                close = difflib.get_close_matches(str(key), allowed, n=1)
                expected = ", ".join(allowed)
                hint = f"; did you mean {close[0]!r}?" if close else f"; expected one of: {expected}"
                self.problem(_line(key_node), f"unknown field {shown!r} in {what}{hint}")
            elif key in out:
                first = _line(out[key][0])
                self.problem(_line(key_node), f"duplicate field {key!r} in {what} (first at line {first})")
            else:
                out[key] = (key_node, value_node)
        return out

    def text(self, node: yaml.Node, what: str) -> str | None:
        self.count(node)
        if not isinstance(node, yaml.ScalarNode):
            self.problem(_line(node), f"{what} must be text")
            return None
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return node.value.strip() or None

    # -- the document ------------------------------------------------------------------------------------
    def parse(self, text: str) -> Codebook | None:
        try:
            root = _compose(text)
        except _AliasCycle as exc:
            self.problem(exc.line, f"alias *{exc.anchor} refers to a node that contains it (a cycle)")
            return None
        except _TooDeep as exc:
            self.problem(exc.line, _too_deep_message())
            return None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark is not None else 1
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            if "maximum nesting depth" in reason:  # libyaml's own limit, past 1,000 levels
                self.problem(line, _too_deep_message())
                return None
            context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
            if context and context_mark is not None and context_mark.line + 1 != line:
                reason += f" ({context} started at line {context_mark.line + 1})"
            self.problem(line, f"malformed YAML: {reason}")
            return None
        if root is None:
            self.problem(1, "the file is empty; a codebook needs name, version and codes")
            return None
        try:
            return self.document(root)
        except _TooLarge as exc:
            self.problem(
                exc.args[0], f"the file expands to more than {MAX_NODES} YAML nodes (alias expansion)"
            )
            return None

    def document(self, root: yaml.Node) -> Codebook | None:
        fields = self.mapping(root, "the codebook", TOP_KEYS)
        if not isinstance(root, yaml.MappingNode):
            return None
        values: dict[str, str | None] = {}
        for key in ("name", "version", "description"):
            if key in fields:
                values[key] = self.text(fields[key][1], f"codebook {key!r}")
            elif key != "description":
                self.problem(1, f"missing {key!r} at the top of the codebook")
        for key in ("name", "version"):
            if key in fields and not values.get(key):
                self.problem(_line(fields[key][1]), f"codebook {key!r} is empty")
        roots: list[_Entry] = []
        if "codes" not in fields:
            self.problem(1, "missing 'codes' at the top of the codebook")
        else:
            roots = self.code_list(fields["codes"][1], None, top=True)
        self.link_flat_parents()
        codes = [e.spec for e in roots if e.parent_ref is None]
        if not self.check_depth():
            return None
        self.check_siblings(codes, None)
        self.check_ids()
        if self.problems:
            return None
        return Codebook(
            values["name"] or "", values["version"] or "", values.get("description"), codes, self.source
        )

    def code_list(self, node: yaml.Node, parent: _Entry | None, *, top: bool) -> list[_Entry]:
        self.count(node)
        where = "'codes'" if parent is None else f"the children of {parent.spec.name!r}"
        if not isinstance(node, yaml.SequenceNode):
            if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null" and not top):
                self.problem(_line(node), f"{where} must be a list of codes")
            return []
        if top and not node.value:
            self.problem(_line(node), "'codes' is empty; a codebook needs at least one code")
        entries = [self.code(item, parent, top=top) for item in node.value]
        return [e for e in entries if e is not None]

    def code(self, node: yaml.Node, parent: _Entry | None, *, top: bool) -> _Entry | None:
        fields = self.mapping(node, _describe_code(node), CODE_KEYS)
        if not isinstance(node, yaml.MappingNode):
            return None
        name_node = fields.get("name", (None, node))[1]
        name = self.text(name_node, "a code name") if "name" in fields else None
        label = repr(name) if name else f"at line {_line(node)}"
        if not name:
            under = f" (under {parent.spec.name!r})" if parent else ""
            self.problem(_line(name_node), f"a code has no name{under}")
        elif SEP in name:
            self.problem(_line(name_node), f"code name {name!r} contains {SEP!r}, which separates code paths")
        spec = CodeSpec(name=name or "", line=_line(name_node))
        entry = _Entry(spec, parent)
        self.code_fields(entry, fields, f"code {label}")
        if "parent" in fields:
            ref_node = fields["parent"][1]
            entry.parent_ref = self.text(ref_node, f"'parent' of code {label}")
            entry.parent_line = _line(ref_node)
            if parent is not None:  # nested (only top-level codes come without a parent)
                self.problem(
                    entry.parent_line,
                    f"code {label} is nested under {parent.spec.name!r} and "
                    "also names a parent; use one or the other",
                )
                entry.parent_ref = None
            elif entry.parent_ref is None:
                self.problem(entry.parent_line, f"'parent' of code {label} is empty")
        self.entries.append(entry)
        if "children" in fields:
            children = self.code_list(fields["children"][1], entry, top=False)
            spec.children = [c.spec for c in children]
        return entry if name else None

    def code_fields(self, entry: _Entry, fields: dict[str, tuple[yaml.Node, yaml.Node]], label: str) -> None:
        spec = entry.spec
        if "id" in fields:
            id_node = fields["id"][1]
            entry.id_line = _line(id_node)
            raw = self.text(id_node, f"'id' of {label}")
            if raw is not None:
                spec.uuid = _normal_uuid(raw)
                if spec.uuid is None:
                    self.problem(entry.id_line, f"'id' of {label} is {raw!r}, not a UUID")
        for key, attr in TEXT_FIELDS.items():
            if key in fields:
                setattr(spec, attr, self.text(fields[key][1], f"{key!r} of {label}"))
        if "colour" in fields:
            colour_node = fields["colour"][1]
            colour = self.text(colour_node, f"'colour' of {label}")
            if colour is not None and not COLOUR_RE.match(colour):
                self.problem(_line(colour_node), f"colour {colour!r} of {label} is not #RRGGBB")
            spec.colour = colour if colour and COLOUR_RE.match(colour) else None
        if "codable" in fields:
            spec.codable = self.boolean(fields["codable"][1], f"'codable' of {label}")
        if "keywords" in fields:
            spec.keywords = self.keywords(fields["keywords"][1], label)

    def boolean(self, node: yaml.Node, what: str) -> bool:
        self.count(node)
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
            return yaml.constructor.SafeConstructor.bool_values[node.value.lower()]
        self.problem(_line(node), f"{what} must be true or false")
        return True

    def keywords(self, node: yaml.Node, label: str) -> list[str]:
        self.count(node)
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(_line(node), f"'keywords' of {label} must be a list of words and phrases")
            return []
        words: list[str] = []
        seen: set[str] = set()
        for item in node.value:
            word = self.text(item, f"a keyword of {label}")
            if word is None:
                self.problem(_line(item), f"an empty keyword in {label}")
            elif word.casefold() in seen:
                self.problem(_line(item), f"duplicate keyword {word!r} in {label}")
            else:
                seen.add(word.casefold())
                words.append(word)
        return words

    # -- whole-file checks ---------------------------------------------------------------------------------
    def link_flat_parents(self) -> None:
        by_id = {e.spec.uuid: e for e in self.entries if e.spec.uuid}
        by_name: dict[str, list[_Entry]] = {}
        for e in self.entries:
            by_name.setdefault(e.spec.name.casefold(), []).append(e)
        flat = [e for e in self.entries if e.parent_ref]
        for e in flat:
            ref = e.parent_ref or ""
            target = by_id.get(_normal_uuid(ref) or "")
            if target is None:
                matches = by_name.get(ref.casefold(), [])
                if len(matches) > 1:
                    self.problem(
                        e.parent_line,
                        f"parent {ref!r} of code {e.spec.name!r} is ambiguous: "
                        f"{len(matches)} codes have that name; give the parent's id",
                    )
                    e.parent_ref = "?"
                    continue
                target = matches[0] if matches else None
            if target is None:
                close = difflib.get_close_matches(ref, [x.spec.name for x in self.entries], n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.problem(e.parent_line, f"unknown parent {ref!r} of code {e.spec.name!r}{hint}")
                e.parent_ref = "?"
                continue
            e.parent = target
        self.detach_cycles(flat)
        for e in flat:
            if e.parent_ref != "?" and e.parent is not None:
                e.parent.spec.children.append(e.spec)

    def detach_cycles(self, flat: list[_Entry]) -> None:
        """Report each cycle of parents once, from its member written first, and cut it off the tree.

        Each code's chain of parents is walked once (a long chain of 'parent' references must not cost
        its length squared)."""
        order = {id(e): i for i, e in enumerate(self.entries)}
        state: dict[int, int] = {}  # 1 while on the chain being walked, 2 once walked
        for start in flat:
            chain: list[_Entry] = []
            node: _Entry | None = start
            while node is not None and id(node) not in state:
                state[id(node)] = 1
                chain.append(node)
                node = node.parent
            if node is not None and state[id(node)] == 1:
                cycle = chain[next(i for i, e in enumerate(chain) if e is node) :]
                first = min(range(len(cycle)), key=lambda i: order.get(id(cycle[i]), 0))
                cycle = cycle[first:] + cycle[:first]
                for e in cycle:
                    e.parent_ref = "?" if e.parent_ref else e.parent_ref
                head = cycle[0]
                if len(cycle) == 1:
                    self.problem(head.parent_line, f"code {head.spec.name!r} names itself as its parent")
                else:
                    loop = " -> ".join(e.spec.name for e in cycle + [head])
                    self.problem(head.parent_line, f"parent cycle: {loop}")
            for e in chain:
                state[id(e)] = 2

    def check_depth(self) -> bool:
        """False, with one problem, when a code lies more than MAX_CODE_DEPTH levels down the tree."""
        depth: dict[int, int] = {}
        for entry in self.entries:
            chain: list[_Entry] = []
            node: _Entry | None = entry
            while node is not None and id(node) not in depth:
                chain.append(node)
                attached = node.parent is not None and node.parent_ref != "?"
                node = node.parent if attached else None
            level = 0 if node is None else depth[id(node)]
            for e in reversed(chain):
                level += 1
                depth[id(e)] = level
        deep = [e for e in self.entries if depth[id(e)] > MAX_CODE_DEPTH]
        if not deep:
            return True
        first = min(deep, key=lambda e: (depth[id(e)], e.spec.line))
        self.problem(
            first.spec.line,
            f"code {first.spec.name!r} is nested {depth[id(first)]} levels deep; codes may be nested at most "
            f"{MAX_CODE_DEPTH} levels",
        )
        return False

    def check_siblings(self, codes: list[CodeSpec], parent_path: str | None) -> None:
        seen: dict[str, CodeSpec] = {}
        where = f"under {parent_path!r}" if parent_path else "at the top level"
        for spec in codes:
            key = spec.name.casefold()
            if key in seen:
                self.problem(
                    spec.line, f"duplicate code name {spec.name!r} {where} (first at line {seen[key].line})"
                )
            else:
                seen[key] = spec
            path = spec.name if parent_path is None else f"{parent_path}{SEP}{spec.name}"
            self.check_siblings(spec.children, path)

    def check_ids(self) -> None:
        first: dict[str, _Entry] = {}
        for e in self.entries:
            if e.spec.uuid is None:
                continue
            if e.spec.uuid in first:
                other = first[e.spec.uuid]
                self.problem(
                    e.id_line,
                    f"duplicate id {e.spec.uuid} (also the id of {other.spec.name!r} "
                    f"at line {other.id_line})",
                )
            else:
                first[e.spec.uuid] = e

    def error(self) -> BeaconError:
        ordered = sorted(self.problems, key=lambda p: p[0])
        lines = [f"{self.source}:{line}: {message}" for line, message in ordered]
        details = lines[1 : MAX_DETAILS + 1]
        if len(lines) > MAX_DETAILS + 1:
            details.append(f"... and {len(lines) - MAX_DETAILS - 1} more problems")
        return BeaconError(lines[0], details=details)


def _too_deep_message() -> str:
    return (
        f"nested more than {MAX_YAML_DEPTH} levels deep; codes may be nested at most {MAX_CODE_DEPTH} levels"
    )


def _describe_code(node: yaml.Node) -> str:
    """'code 'Name'' for messages, before the code's fields are checked."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            is_name = isinstance(key, yaml.ScalarNode) and key.value == "name"
            if is_name and isinstance(value, yaml.ScalarNode):
                return f"code {value.value!r}"
    return "a code"


def _normal_uuid(text: str) -> str | None:
    try:
        return str(uuidlib.UUID(text.strip()))
    except ValueError:
        return None


def _read_text(path: Path) -> str:
    if path.is_dir():
        raise BeaconError(f"{path} is a folder, not a codebook file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise BeaconError(
                f"{path} is {size / 1024**2:.1f} MB; a codebook file may be at most {MAX_BYTES // 1024**2} MB"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise BeaconError(f"codebook file {path} not found") from None
    if b"\x00" in data:
        raise BeaconError(f"{path} is a binary file, not a YAML codebook")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BeaconError(
            f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from None


def parse_codebook_text(text: str, source: str = "<text>") -> Codebook:
    """Parse and validate codebook YAML; every problem is reported with its line in one BeaconError."""
    parser = _Parser(source)
    book = parser.parse(text)
    if parser.problems or book is None:
        raise parser.error()
    return book


def parse_codebook(path: Path | str) -> Codebook:
    """Read, parse and validate a codebook file."""
    path = Path(path)
    return parse_codebook_text(_read_text(path), path.name)


# -- reading the project's codes ---------------------------------------------------------------------------


def _rows(project: Project, columns: str = "*") -> dict[int, dict[str, Any]]:
    return {r["id"]: dict(r) for r in project.execute(f"SELECT {columns} FROM codes ORDER BY sort_order, id")}


def _paths(rows: dict[int, dict[str, Any]]) -> dict[int, str]:
    paths: dict[int, str] = {}

    def path_of(code_id: int) -> str:
        if code_id in paths:
            return paths[code_id]
        names, seen, current = [], set(), code_id
        while current is not None and current not in seen and current in rows:
            if current in paths:
                names.append(paths[current])
                break
            seen.add(current)
            names.append(rows[current]["name"])
            current = rows[current]["parent_id"]
        paths[code_id] = SEP.join(reversed(names))
        return paths[code_id]

    for code_id in rows:
        path_of(code_id)
    return paths


def _code(row: dict[str, Any], path: str) -> Code:
    return Code(
        id=row["id"],
        uuid=row["uuid"],
        parent_id=row["parent_id"],
        name=row["name"],
        path=path,
        description=row["description"],
        inclusion=row["inclusion"],
        exclusion=row["exclusion"],
        example=row["example"],
        colour=row["colour"],
        keywords=tuple(json.loads(row["keywords"] or "[]")),
        codable=bool(row["codable"]),
        sort_order=row["sort_order"],
    )


def _ordered(rows: dict[int, dict[str, Any]]) -> list[int]:
    """Code ids in tree order: parents first, siblings by sort order."""
    children: dict[int | None, list[int]] = {}
    for code_id, row in rows.items():
        parent = row["parent_id"] if row["parent_id"] in rows else None
        children.setdefault(parent, []).append(code_id)
    out: list[int] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        code_id = stack.pop()
        out.append(code_id)
        stack.extend(reversed(children.get(code_id, [])))
    return out


def all_codes(project: Project) -> list[Code]:
    """Every code in tree order (parents before children, siblings in codebook order)."""
    rows = _rows(project)
    paths = _paths(rows)
    return [_code(rows[i], paths[i]) for i in _ordered(rows)]


def get_code(project: Project, code_id: int) -> Code:
    rows = _rows(project)
    if code_id not in rows:
        raise BeaconError(f"no code with id {code_id} in this project")
    return _code(rows[code_id], _paths(rows)[code_id])


def code_paths(project: Project) -> dict[int, str]:
    """Every code's path, by id."""
    return _paths(_rows(project, "id, parent_id, name"))


@dataclass(frozen=True)
class _Ref:
    id: int
    uuid: str
    name: str
    path: str


def _refs(project: Project) -> list[_Ref]:
    rows = _rows(project, "id, uuid, parent_id, name")
    paths = _paths(rows)
    return [_Ref(i, row["uuid"], row["name"], paths[i]) for i, row in rows.items()]


def code_path(project: Project, code_id: int) -> str:
    """The code's path from the root, e.g. ``Innovation/Learning to innovate/Adaptation``."""
    paths = code_paths(project)
    if code_id not in paths:
        raise BeaconError(f"no code with id {code_id} in this project")
    return paths[code_id]


def coding_counts(
    project: Project,
    *,
    document_id: int | None = None,
    coder_id: int | None = None,
    code_ids: Iterable[int] | None = None,
) -> dict[int, int]:
    """{code id: number of codings}, in one document, by one coder and/or of some codes when given.

    Over the project the counts come from ``coding_counts`` (a row per code, document and coder, kept by
    triggers), with ``code_ids`` one range of its key per code; in one document from that document's codings.
    """
    where: list[str] = []
    params: list[int] = []
    if coder_id is not None:
        where.append("coder_id = ?")
        params.append(coder_id)
    if code_ids is not None:
        ids = list(code_ids)
        where.append(f"code_id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    if document_id is not None:
        where.append("document_id = ?")
        params.append(document_id)
        sql = "SELECT code_id, count(*) FROM codings"
    else:
        sql = "SELECT code_id, sum(n) FROM coding_counts"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return {r[0]: r[1] for r in project.execute(sql + " GROUP BY code_id", params)}


def code_tree(
    project: Project, *, document_id: int | None = None, coder: str | None = None
) -> list[CodeNode]:
    """The code tree with coding counts, for the whole project or one document and/or one coder."""
    coder_id = project.coder_id(coder, create=False) if coder is not None else None
    counts = coding_counts(project, document_id=document_id, coder_id=coder_id)
    nodes: dict[int, CodeNode] = {}
    roots: list[CodeNode] = []
    for code in all_codes(project):
        node = CodeNode(code, counts.get(code.id, 0), 0)
        nodes[code.id] = node
        parent = nodes.get(code.parent_id) if code.parent_id is not None else None
        (parent.children if parent is not None else roots).append(node)
    for node in reversed(list(nodes.values())):
        node.total = node.count + sum(child.total for child in node.children)
    return roots


# -- resolving references ---------------------------------------------------------------------------------


def _norm_path(text: str) -> str:
    return SEP.join(part.strip() for part in text.strip().strip(SEP).split(SEP)).casefold()


def _pick(matches: list[_Ref], ref: str, what: str) -> int | None:
    if len(matches) == 1:
        return matches[0].id
    if len(matches) > 1:
        raise BeaconError(
            f"code {what} {ref!r} is ambiguous: {len(matches)} codes match; give the full path or the id",
            details=[f"{c.id}: {c.path}" for c in matches],
        )
    return None


def resolve_code(project: Project, ref: str | int) -> int:
    """A code id from a full path, a unique path ending, a unique name (any case), an id or a uuid."""
    codes = _refs(project)
    if isinstance(ref, int):
        for code in codes:
            if code.id == ref:
                return code.id
        raise BeaconError(f"no code with id {ref} in this project")
    text = ref.strip()
    if not text:
        raise BeaconError("a code reference cannot be empty")
    as_uuid = _normal_uuid(text) if len(text) >= 32 else None
    if as_uuid is not None:
        found = _pick([c for c in codes if c.uuid.lower() == as_uuid], text, "id")
        if found is not None:
            return found
    if text.isdigit():
        by_id = [c for c in codes if c.id == int(text)]
        by_name = [c for c in codes if c.name == text]
        found = _pick(by_id + [c for c in by_name if c not in by_id], text, "reference")
        if found is not None:
            return found
    wanted = _norm_path(text)
    kind = "path" if SEP in text else "name"
    for matches in (
        [c for c in codes if c.path == text],
        [c for c in codes if c.path.casefold() == wanted],
        [c for c in codes if c.path.casefold().endswith(SEP + wanted)],
    ):
        found = _pick(matches, text, kind)
        if found is not None:
            return found
    raise _unknown_code(codes, text)


def _unknown_code(codes: list[_Ref], text: str) -> BeaconError:
    if not codes:
        return BeaconError(f"no code {text!r}: the project has no codes yet; load a codebook first")
    choices = {c.path: c for c in codes}
    close = process.extract(text, list(choices), scorer=fuzz.WRatio, limit=5, score_cutoff=60)
    details = [f"did you mean: {path}" for path, _score, _i in close]
    return BeaconError(f"no code {text!r} in this project", details=details)


# -- changing single codes -------------------------------------------------------------------------------


def _check_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise BeaconError("a code name cannot be empty")
    if SEP in name:
        raise BeaconError(f"code name {name!r} contains {SEP!r}, which separates code paths")
    return name


def _check_colour(colour: str | None) -> str | None:
    if colour is None:
        return None
    if not COLOUR_RE.match(colour.strip()):
        raise BeaconError(f"colour {colour!r} is not #RRGGBB")
    return colour.strip()


def _check_free(project: Project, parent_id: int | None, name: str, except_id: int | None = None) -> None:
    row = project.one(
        "SELECT id FROM codes WHERE coalesce(parent_id, 0) = ? AND lower(name) = lower(?) AND id IS NOT ?",
        (parent_id or 0, name, except_id),
    )
    if row is not None:
        where = f"under {code_path(project, parent_id)!r}" if parent_id is not None else "at the top level"
        raise BeaconError(f"a code called {name!r} already exists {where}")


def _check_parent(project: Project, parent_id: int | None) -> None:
    if parent_id is not None and project.one("SELECT 1 FROM codes WHERE id = ?", (parent_id,)) is None:
        raise BeaconError(f"no code with id {parent_id} to be the parent")


def _free_colour(project: Project, parent_id: int | None) -> str:
    siblings = project.execute("SELECT colour FROM codes WHERE coalesce(parent_id, 0) = ?", (parent_id or 0,))
    used = {(r[0] or "").upper() for r in siblings}
    free = [c for c in PALETTE if c not in used]
    return free[0] if free else PALETTE[len(used) % len(PALETTE)]


def _next_sort_order(project: Project, parent_id: int | None) -> int:
    return project.scalar(
        "SELECT coalesce(max(sort_order) + 1, 0) FROM codes WHERE coalesce(parent_id, 0) = ?",
        (parent_id or 0,),
    )


def _row(project: Project, code_id: int) -> dict[str, Any]:
    row = project.one("SELECT * FROM codes WHERE id = ?", (code_id,))
    if row is None:
        raise BeaconError(f"no code with id {code_id} in this project")
    return dict(row)


def create_code(
    project: Project,
    name: str,
    parent_id: int | None = None,
    *,
    description: str | None = None,
    inclusion: str | None = None,
    exclusion: str | None = None,
    example: str | None = None,
    colour: str | None = None,
    keywords: list[str] | tuple[str, ...] = (),
    codable: bool = True,
    uuid: str | None = None,
    coder_id: int | None = None,
) -> int:
    """Add one code (e.g. an in-vivo code from the workbench); returns its id."""
    name = _check_name(name)
    colour = _check_colour(colour)
    code_uuid = new_uuid() if uuid is None else _normal_uuid(uuid)
    if code_uuid is None:
        raise BeaconError(f"code id {uuid!r} is not a UUID")
    with project.transaction():
        _check_parent(project, parent_id)
        _check_free(project, parent_id, name)
        if project.one("SELECT 1 FROM codes WHERE uuid = ?", (code_uuid,)) is not None:
            raise BeaconError(f"a code with id {code_uuid} already exists")
        order = _next_sort_order(project, parent_id)
        code_id = inserted_id(
            project.execute(
                "INSERT INTO codes(uuid, parent_id, name, description, inclusion, exclusion, example, colour,"
                " keywords, codable, sort_order, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    code_uuid,
                    parent_id,
                    name,
                    description,
                    inclusion,
                    exclusion,
                    example,
                    colour or _free_colour(project, parent_id),
                    json.dumps(list(keywords), ensure_ascii=False),
                    int(codable),
                    order,
                    now(),
                ),
            )
        )
        project.audit("code.create", "codes", code_id, after=_row(project, code_id), coder_id=coder_id)
    return code_id


def update_code(project: Project, code_id: int, *, coder_id: int | None = None, **changes: Any) -> Code:
    """Change fields of one code (name, parent_id, description, inclusion, exclusion, example, colour,
    keywords, codable, sort_order); a move may not put a code under itself."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise TypeError(f"update_code() got unknown fields: {', '.join(sorted(unknown))}")
    with project.transaction():
        before = _row(project, code_id)
        after = dict(before)
        after.update(changes)
        if "name" in changes:
            after["name"] = _check_name(changes["name"])
        if "colour" in changes:
            after["colour"] = _check_colour(changes["colour"])
        if "keywords" in changes:
            after["keywords"] = json.dumps(list(changes["keywords"]), ensure_ascii=False)
        if "codable" in changes:
            after["codable"] = int(bool(changes["codable"]))
        if after["parent_id"] != before["parent_id"]:
            _check_parent(project, after["parent_id"])
            _check_not_below(project, code_id, after["parent_id"])
            if "sort_order" not in changes:
                after["sort_order"] = _next_sort_order(project, after["parent_id"])
        _check_free(project, after["parent_id"], after["name"], except_id=code_id)
        if after != before:
            _write(project, code_id, after)
            project.audit("code.update", "codes", code_id, before=before, after=after, coder_id=coder_id)
    return get_code(project, code_id)


def _check_not_below(project: Project, code_id: int, parent_id: int | None) -> None:
    current = parent_id
    while current is not None:
        if current == code_id:
            raise BeaconError(
                f"cannot move {code_path(project, code_id)!r} under itself or one of its own subcodes"
            )
        current = project.scalar("SELECT parent_id FROM codes WHERE id = ?", (current,))


def _write(project: Project, code_id: int, row: dict[str, Any]) -> None:
    columns = list(COMPARED_COLUMNS)
    project.execute(
        f"UPDATE codes SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
        [row[c] for c in columns] + [code_id],
    )


# -- loading a codebook into a project ------------------------------------------------------------------


@dataclass(eq=False)
class _Target:
    spec: CodeSpec
    path: str
    parent: _Target | None
    existing: int | None = None
    db_id: int | None = None
    sort_order: int = 0


def _match(book: Codebook, rows: dict[int, dict[str, Any]]) -> list[_Target]:
    """Pair each code in the file with a project code: by id first, then by place (parent and name)."""
    by_uuid = {row["uuid"].lower(): code_id for code_id, row in rows.items()}
    targets: list[_Target] = []
    index: dict[str, _Target] = {}
    for path, spec in book.walk():
        parent_path = path.rsplit(SEP, 1)[0] if SEP in path else None
        target = _Target(spec, path, index[parent_path] if parent_path is not None else None)
        target.existing = by_uuid.get(spec.uuid or "")
        index[path] = target
        targets.append(target)
    claimed = {t.existing for t in targets if t.existing is not None}
    places = _places(rows, rows)
    for t in targets:
        if t.existing is not None or (t.parent is not None and t.parent.existing is None):
            continue
        parent_id = t.parent.existing if t.parent is not None else None
        same_place = [i for i in places.get((parent_id, t.spec.name.casefold()), []) if i not in claimed]
        same_place.sort(key=lambda code_id: rows[code_id]["name"] != t.spec.name)
        if same_place:
            t.existing = same_place[0]
            claimed.add(same_place[0])
    return targets


def _places(rows: dict[int, dict[str, Any]], ids: Iterable[int]) -> dict[tuple[int | None, str], list[int]]:
    """Code ids by (parent id, name in any case)."""
    places: dict[tuple[int | None, str], list[int]] = {}
    for code_id in ids:
        places.setdefault((rows[code_id]["parent_id"], rows[code_id]["name"].casefold()), []).append(code_id)
    return places


def _parent_key(t: _Target) -> int | _Target | None:
    """Where ``t`` goes: the id of an existing parent, a parent that is new in the file, or None (top level)."""
    if t.parent is None:
        return None
    return t.parent.existing if t.parent.existing is not None else t.parent


def _order(targets: list[_Target], rows: dict[int, dict[str, Any]], kept: set[int]) -> dict[int, int]:
    """Sort orders: file order, then codes kept from before. Returns new sort orders for kept codes."""
    groups: dict[int | _Target | None, list[_Target]] = {}
    for t in targets:
        groups.setdefault(_parent_key(t), []).append(t)
    kept_by_parent: dict[int | None, list[int]] = {}
    for code_id in sorted(kept, key=lambda i: (rows[i]["sort_order"], i)):
        kept_by_parent.setdefault(rows[code_id]["parent_id"], []).append(code_id)
    kept_changes: dict[int, int] = {}
    for key, members in groups.items():
        kept_here = [] if isinstance(key, _Target) else kept_by_parent.get(key, [])
        existing = [t.existing for t in members if t.existing is not None]
        stays = len(existing) == len(members) and all(rows[i]["parent_id"] == key for i in existing)
        wanted = existing + list(kept_here)
        if stays and sorted(wanted, key=lambda i: (rows[i]["sort_order"], i)) == wanted:
            for t, code_id in zip(members, existing, strict=True):
                t.sort_order = rows[code_id]["sort_order"]
            continue
        for position, t in enumerate(members):
            t.sort_order = position
        for position, code_id in enumerate(kept_here, start=len(members)):
            if rows[code_id]["sort_order"] != position:
                kept_changes[code_id] = position
    return kept_changes


def _check_conflicts(
    targets: list[_Target],
    rows: dict[int, dict[str, Any]],
    kept: set[int],
    paths: dict[int, str],
    source: str,
) -> None:
    kept_places = _places(rows, kept)
    for t in targets:
        key = _parent_key(t)
        if isinstance(key, _Target):
            continue
        clash = kept_places.get((key, t.spec.name.casefold()))
        if not clash:
            continue
        own_id = t.spec.uuid or (rows[t.existing]["uuid"] if t.existing is not None else "new")
        raise BeaconError(
            f"{source}:{t.spec.line}: code {t.path!r} (id {own_id}) would sit beside a different "
            f"project code {paths[clash[0]]!r} (id {rows[clash[0]]['uuid']}) that the file does not "
            f"contain; rename one of them or give the file that code's id"
        )


def _final_row(t: _Target, rows: dict[int, dict[str, Any]]) -> dict[str, Any]:
    spec = t.spec
    old = rows.get(t.existing) if t.existing is not None else None
    return {
        "uuid": spec.uuid or (old["uuid"] if old else new_uuid()),
        "parent_id": t.parent.db_id if t.parent is not None else None,
        "name": spec.name,
        "description": spec.description,
        "inclusion": spec.inclusion,
        "exclusion": spec.exclusion,
        "example": spec.example,
        "colour": spec.colour,
        "keywords": json.dumps(spec.keywords, ensure_ascii=False),
        "codable": int(spec.codable),
        "sort_order": t.sort_order,
    }


def _coding_count(project: Project, code_id: int) -> int:
    return project.scalar("SELECT count(*) FROM codings WHERE code_id = ?", (code_id,))


def _apply(
    project: Project,
    targets: list[_Target],
    rows: dict[int, dict[str, Any]],
    report: LoadReport,
    coder_id: int | None,
) -> None:
    for t in targets:
        if t.existing is not None and _changes_place(t, rows[t.existing]):
            # Step aside first, so that codes trading places never meet the (parent, name) unique index.
            aside = f"\x00moving {t.existing}"
            project.execute("UPDATE codes SET name = ? WHERE id = ?", (aside, t.existing))
    for t in targets:
        after = _final_row(t, rows)
        if t.existing is None:
            t.db_id = inserted_id(
                project.execute(
                    "INSERT INTO codes(uuid, parent_id, name, description, inclusion, exclusion, example, colour,"
                    " keywords, codable, sort_order, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [after[c] for c in COMPARED_COLUMNS] + [now()],
                )
            )
            project.audit("codebook.load", "codes", t.db_id, after=_row(project, t.db_id), coder_id=coder_id)
            report.added += 1
            continue
        t.db_id = t.existing
        before = rows[t.existing]
        if _same(before, after):
            report.unchanged += 1
            continue
        _write(project, t.existing, after)
        project.audit(
            "codebook.load",
            "codes",
            t.existing,
            before=before,
            after=_row(project, t.existing),
            coder_id=coder_id,
        )
        if before["parent_id"] != after["parent_id"]:
            report.moved += 1
        else:
            report.updated += 1
        if not t.spec.codable and before["codable"] and _coding_count(project, t.existing):
            report.warnings.append(
                f"{t.path!r} is now a grouping code (codable: false) but has "
                f"{_coding_count(project, t.existing)} codings; they are kept"
            )


def _changes_place(t: _Target, old: dict[str, Any]) -> bool:
    if t.parent is not None and t.parent.existing is None:
        return True
    parent_id = t.parent.existing if t.parent is not None else None
    return old["parent_id"] != parent_id or old["name"] != t.spec.name


def _same(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return all(
        json.loads(before[c] or "[]") == json.loads(after[c]) if c == "keywords" else before[c] == after[c]
        for c in COMPARED_COLUMNS
    )


def _reorder_kept(project: Project, changes: dict[int, int], coder_id: int | None) -> None:
    for code_id, position in changes.items():
        before = _row(project, code_id)
        project.execute("UPDATE codes SET sort_order = ? WHERE id = ?", (position, code_id))
        project.audit(
            "codebook.load", "codes", code_id, before=before, after=_row(project, code_id), coder_id=coder_id
        )


def _prune(project: Project, kept: set[int], coder_id: int | None) -> list[str]:
    """Delete kept codes that have no codings, no memos and no subcodes; returns their paths."""
    removed: list[str] = []
    remaining = set(kept)
    progress = True
    while progress:
        progress = False
        for code_id in sorted(remaining):
            busy = project.scalar(
                "SELECT (SELECT count(*) FROM codings WHERE code_id = :id)"
                " + (SELECT count(*) FROM codes WHERE parent_id = :id)"
                " + (SELECT count(*) FROM memos WHERE target_type = 'code' AND target_id = :id)",
                {"id": code_id},
            )
            if busy:
                continue
            removed.append(code_path(project, code_id))
            before = _row(project, code_id)
            project.execute("DELETE FROM codes WHERE id = ?", (code_id,))
            project.audit("codebook.load", "codes", code_id, before=before, coder_id=coder_id)
            remaining.discard(code_id)
            progress = True
    kept.intersection_update(remaining)
    return sorted(removed)


def _store_meta(project: Project, book: Codebook, coder_id: int | None) -> None:
    keys = ("codebook_name", "codebook_version", "codebook_description")
    before = {k: project.get_meta(k) for k in keys}
    after = dict(zip(keys, (book.name, book.version, book.description), strict=True))
    if before != after:
        for key, value in after.items():
            project.set_meta(key, value)
        project.audit("codebook.load", "meta", None, before=before, after=after, coder_id=coder_id)


def load_codebook(
    project: Project, source: Path | str | Codebook, *, prune: bool = False, coder_id: int | None = None
) -> LoadReport:
    """Load a codebook into the project in one transaction.

    Codes are matched by id, then by place (same parent, same name in any case) and updated in place.
    Project codes the file lacks are kept with their codings (with ``prune``, those with no codings, memos
    or subcodes are removed). An invalid codebook raises BeaconError before anything changes.
    """
    book = source if isinstance(source, Codebook) else parse_codebook(source)
    report = LoadReport(book.name, book.version)
    with project.transaction():
        rows = _rows(project)
        targets = _match(book, rows)
        kept = set(rows) - {t.existing for t in targets if t.existing is not None}
        _check_conflicts(targets, rows, kept, _paths(rows), book.source)
        kept_order = _order(targets, rows, kept)
        _apply(project, targets, rows, report, coder_id)
        _reorder_kept(project, kept_order, coder_id)
        if prune:
            report.removed = _prune(project, kept, coder_id)
        report.kept = [KeptCode(code_path(project, i), _coding_count(project, i)) for i in sorted(kept)]
        _store_meta(project, book, coder_id)
    return report


# -- export ----------------------------------------------------------------------------------------------


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


class _FlowList(list):
    """A list written on one line: ``[a, b, c]``."""


# Characters that only survive a YAML round trip inside double quotes, where they are escaped.
_ESCAPE_ONLY = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style: str | None
    if _ESCAPE_ONLY.search(value):
        style = '"'
    elif "\n" in value:
        style = "|"
    else:
        style = ">" if len(value) > 80 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _flow(dumper: yaml.SafeDumper, value: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_FlowList, _flow)


def _export_code(code: Code, children: dict[int | None, list[Code]]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": code.uuid, "name": code.name}
    if not code.codable:
        out["codable"] = False
    for key, value in (
        ("colour", code.colour),
        ("definition", code.description),
        ("include", code.inclusion),
        ("exclude", code.exclusion),
        ("example", code.example),
    ):
        if value:
            out[key] = value
    if code.keywords:
        out["keywords"] = _FlowList(code.keywords)
    kids = children.get(code.id, [])
    if kids:
        out["children"] = [_export_code(child, children) for child in kids]
    return out


def export_codebook(project: Project) -> str:
    """The project's codebook as YAML in the file format :func:`parse_codebook` reads."""
    codes = all_codes(project)
    ids = {c.id for c in codes}
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id if code.parent_id in ids else None, []).append(code)
    document: dict[str, Any] = {
        "name": project.get_meta("codebook_name") or project.path.stem,
        "version": project.get_meta("codebook_version") or "1",
    }
    description = project.get_meta("codebook_description")
    if description:
        document["description"] = description
    document["codes"] = [_export_code(code, children) for code in children.get(None, [])]
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
    return "# beacon-qual codebook. Load it with: beacon-qual codebook load FILE\n" + body
