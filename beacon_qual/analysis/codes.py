"""The code tree as the analyses need it: paths, ancestors, descendants and references.

Paths, order and reference rules are those of :mod:`beacon_qual.codebook.tree`. The tree is read here
with one query rather than through that module, whose import (YAML and fuzzy matching) would cost
every analysis command a noticeable part of its start-up; it is imported to resolve references.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from beacon_qual.errors import BeaconError
from beacon_qual.store import Project

SEP = "/"  # as codebook.SEP


@dataclass
class CodeTree:
    """All codes of a project in codebook order (parents before children, siblings in order)."""

    project: Project
    order: list[int] = field(default_factory=list)
    parent: dict[int, int | None] = field(default_factory=dict)
    path: dict[int, str] = field(default_factory=dict)
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
        from beacon_qual.codebook.tree import resolve_code

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


def load_code_tree(project: Project) -> CodeTree:
    """Every code in codebook order, as :func:`beacon_qual.codebook.tree.all_codes` lists them: parents before
    children, siblings by sort order then id, a code whose parent is missing at the top."""
    tree = CodeTree(project)
    rows = project.execute("SELECT id, parent_id, name FROM codes ORDER BY sort_order, id").fetchall()
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
        tree.children.setdefault(up, []).append(code_id)
    return tree


def closure_cte() -> str:
    """SQL for a CTE ``closure(code_id, anc)``: every code with itself and each of its ancestors."""
    return (
        "closure(code_id, anc) AS ("
        " SELECT id, id FROM codes"
        " UNION"
        " SELECT closure.code_id, codes.parent_id FROM closure JOIN codes ON codes.id = closure.anc"
        " WHERE codes.parent_id IS NOT NULL)"
    )
