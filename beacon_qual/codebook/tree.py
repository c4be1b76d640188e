"""The code tree: what a code is, the codes of a project in tree order, their paths, resolving a reference.

The core every reader of codes uses (analyses, agreement, the workbench, exports, the CLI). It is cheap to
import: no YAML, and fuzzy matching only when a reference names no code. Code paths join names with ``/``
from the root: ``Innovation/Learning to innovate/Adaptation``. Order everywhere is tree order: parents before
children, siblings by sort order, then id.
"""

from __future__ import annotations

import json
import re
import uuid as uuidlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store import codebook as sql
from beacon_qual.store.codebook import closure_cte  # noqa: F401 - the analyses import it from here
from beacon_qual.store.schema import CODE_COLUMNS

SEP = "/"
COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
# YAML field -> column of the codes table
TEXT_FIELDS = {
    "definition": "description",
    "include": "inclusion",
    "exclude": "exclusion",
    "example": "example",
}
COMPARED_COLUMNS = CODE_COLUMNS
UPDATABLE = frozenset(CODE_COLUMNS) - {"uuid"}
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


# -- data classes ------------------------------------------------------------------------------


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


# -- reading the project's codes ---------------------------------------------------------------------------


def _rows(project: Project, columns: str = "*") -> dict[int, dict[str, Any]]:
    return {r["id"]: dict(r) for r in sql.code_rows(project, columns)}


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
    return sql.codings_per_code(project, document_id=document_id, coder_id=coder_id, code_ids=code_ids)


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


def _normal_uuid(text: str) -> str | None:
    try:
        return str(uuidlib.UUID(text.strip()))
    except ValueError:
        return None


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
    from rapidfuzz import fuzz, process

    choices = {c.path: c for c in codes}
    close = process.extract(text, list(choices), scorer=fuzz.WRatio, limit=5, score_cutoff=60)
    details = [f"did you mean: {path}" for path, _score, _i in close]
    return BeaconError(f"no code {text!r} in this project", details=details)


# -- the tree in one read, for analyses ---------------------------------------------------------


@dataclass
class CodeTree:
    """All codes of a project in codebook order (parents before children, siblings in order)."""

    project: Project
    order: list[int] = field(default_factory=list)
    parent: dict[int, int | None] = field(default_factory=dict)
    path: dict[int, str] = field(default_factory=dict)
    name: dict[int, str] = field(default_factory=dict)
    children: dict[int | None, list[int]] = field(default_factory=dict)

    def descendants(self, code_id: int) -> list[int]:
        """The code itself and every code below it."""
        found = [code_id]
        for child in self.children.get(code_id, []):
            if child not in found:
                found.extend(self.descendants(child))
        return found

    def resolve(self, ref: str) -> int:
        """A code from a full path, a unique path ending, a unique name, an id or a uuid.

        A path or name that picks one code by the codebook's rules is found here; anything else (ids,
        uuids, ambiguous or unknown references, with their messages) is left to
        :func:`beacon_qual.codebook.tree.resolve_code`, which is imported only then.
        """
        found = self._plain(ref)
        if found is not None:
            return found
        return resolve_code(self.project, ref)

    def _plain(self, ref: str) -> int | None:
        """The codebook's path and name rules, in its order, where they match exactly one code."""
        text = ref.strip() if isinstance(ref, str) else ""
        if not text or text.isdigit() or len(text) >= 32:  # maybe an id or a uuid
            return None
        wanted = SEP.join(part.strip() for part in text.strip(SEP).split(SEP)).casefold()
        paths = [(code_id, self.path[code_id]) for code_id in self.order]
        for matches in (
            [i for i, path in paths if path == text],
            [i for i, path in paths if path.casefold() == wanted],
            [i for i, path in paths if path.casefold().endswith(SEP + wanted)],
        ):
            if matches:
                return matches[0] if len(matches) == 1 else None
        return None

    def resolve_all(self, refs: list[str] | tuple[str, ...]) -> list[int]:
        """Resolve several references, keeping their order and dropping repeats."""
        resolved: list[int] = []
        for ref in refs:
            code_id = self.resolve(ref)
            if code_id not in resolved:
                resolved.append(code_id)
        return resolved

    def resolve_listed(self, values: list[str] | tuple[str, ...]) -> list[int]:
        """Resolve references typed as one or several comma-separated lists.

        A value that names a code as a whole (even with a comma in its name) is taken whole.
        """
        refs: list[str] = []
        for value in values:
            if "," in value and not self._names_a_code(value):
                refs.extend(part for part in value.split(",") if part.strip())
            else:
                refs.append(value)
        return self.resolve_all(refs)

    def _names_a_code(self, ref: str) -> bool:
        try:
            self.resolve(ref)
        except BeaconError:
            return False
        return True


def load_code_tree(project: Project, schema: str = "main") -> CodeTree:
    """Every code in codebook order, as :func:`beacon_qual.codebook.tree.all_codes` lists them: parents before
    children, siblings by sort order, then id, a code whose parent is missing at the top.

    ``schema`` names an attached project (a coder's copy being merged) instead of the main one.
    """
    tree = CodeTree(project)
    rows = sql.code_rows(project, "id, parent_id, name", schema).fetchall()
    parent = {row[0]: row[1] for row in rows}
    name = {row[0]: row[2] for row in rows}
    children: dict[int | None, list[int]] = {}
    for code_id, parent_id in parent.items():
        children.setdefault(parent_id if parent_id in parent else None, []).append(code_id)
    stack = list(reversed(children.get(None, [])))
    while stack:
        code_id = stack.pop()
        tree.order.append(code_id)
        stack.extend(reversed(children.get(code_id, [])))
    for code_id in tree.order:
        up = parent[code_id]
        tree.path[code_id] = f"{tree.path[up]}{SEP}{name[code_id]}" if up in tree.path else name[code_id]
        tree.parent[code_id] = up
        tree.name[code_id] = name[code_id]
        tree.children.setdefault(up, []).append(code_id)
    return tree
