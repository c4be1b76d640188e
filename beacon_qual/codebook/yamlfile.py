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
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from beacon_qual.codebook.tree import COLOUR_RE, SEP, TEXT_FIELDS, Code, _normal_uuid, all_codes
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project

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

# -- data classes ------------------------------------------------------------------------------


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
