"""Loading a parsed codebook into a project: matching codes by id, then path, then name; creating, updating,
moving and (with ``prune``) deleting codes so the project's tree is the file's, with a report of each change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beacon_qual.codebook.edit import _row, _write
from beacon_qual.codebook.tree import COMPARED_COLUMNS, SEP, _paths, _rows, code_path
from beacon_qual.codebook.yamlfile import Codebook, CodeSpec, parse_codebook
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store import codebook as sql
from beacon_qual.store.lookup import codings_of_code


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
    return codings_of_code(project, code_id)


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
            sql.set_code_name(project, t.existing, aside)
    for t in targets:
        after = _final_row(t, rows)
        if t.existing is None:
            t.db_id = sql.insert_code(project, [after[c] for c in COMPARED_COLUMNS] + [now()])
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
        sql.set_sort_order(project, code_id, position)
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
            if sql.uses_of_code(project, code_id):
                continue
            removed.append(code_path(project, code_id))
            before = _row(project, code_id)
            sql.delete_code_row(project, code_id)
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
