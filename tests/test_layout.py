"""The package layout a newcomer reads: each part's docstring says what it may import, and that holds.

Every import is read, lazy ones (inside functions) included, so a part that starts importing another part it
does not declare, or two parts that come to import each other, fail here with the offending module named.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import beacon_qual

PACKAGE = Path(beacon_qual.__file__).parent
SHARED = {"errors", "data"}  # may be imported by anything (see docs/DESIGN.md)


def _parts() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())


def _declared(part: str) -> set[str] | None:
    """The parts named in the 'May import:' paragraph of a part's docstring; None for 'any part'."""
    doc = ast.get_docstring(ast.parse((PACKAGE / part / "__init__.py").read_text())) or ""
    found = re.search(r"May import:(.*?)(?:\n\n|\Z)", doc, re.DOTALL)
    assert found, f"beacon_qual/{part}/__init__.py does not say what it may import"
    if "any part" in found.group(1):
        return None
    return set(re.findall(r"``(\w+)``", found.group(1)))


def _imports(part: str) -> dict[str, set[str]]:
    """{other part: the modules of this part that import it}."""
    used: dict[str, set[str]] = {}
    for path in (PACKAGE / part).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("beacon_qual."):
                names = [node.module]
            elif isinstance(node, ast.ImportFrom) and node.module == "beacon_qual":
                names = [f"beacon_qual.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("beacon_qual.")]
            for name in names:
                other = name.split(".")[1]
                if other != part and other != "__version__":
                    used.setdefault(other, set()).add(str(path.relative_to(PACKAGE.parent)))
    return used


def test_every_part_imports_only_what_its_docstring_allows() -> None:
    wrong = []
    for part in _parts():
        allowed = _declared(part)
        if allowed is None:
            continue
        for other, modules in sorted(_imports(part).items()):
            if other not in allowed | SHARED:
                wrong.append(f"{part} imports {other} in {', '.join(sorted(modules))}")
    assert wrong == []


def test_no_two_parts_import_each_other() -> None:
    graph = {part: set(_imports(part)) for part in _parts()}

    def reaches(start: str) -> set[str]:
        seen: set[str] = set()
        stack = [start]
        while stack:
            for nxt in graph.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    cycles = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if a in reaches(b)})
    assert cycles == []


def test_the_top_level_holds_only_the_entry_points_and_shared_errors() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert modules == ["__init__.py", "__main__.py", "errors.py"]


SQL_CALLS = {"execute", "executemany", "executescript", "scalar", "one"}
SQL_TEXT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|WITH|PRAGMA|REPLACE)\s")


def _sql_outside_store() -> list[str]:
    """Each statement run, or SQL text written, by a module outside ``store/``."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "store":
            continue
        where = path.relative_to(PACKAGE.parent)
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS
            ):
                found.append(f"{where}:{node.lineno} calls .{node.func.attr}()")
            elif (
                isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.match(node.value)
            ):
                found.append(f"{where}:{node.lineno} writes SQL: {node.value.strip().splitlines()[0][:50]}")
    return found


def test_sql_lives_in_the_store_alone() -> None:
    """A schema change touches store/ only: no other part runs a statement or spells one out."""
    assert _sql_outside_store() == []
