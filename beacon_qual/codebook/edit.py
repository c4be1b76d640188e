"""Codebook upkeep: add, rename, move, merge, delete, recolour and edit codes, and mark groups.

The CLI (``beacon-qual codebook add|rename|...``) and the workbench's codebook pane call these functions.
Each runs in one transaction that writes the change, its audit record and a new codebook version
(meta ``codebook_version``), so ``codebook export``, REFI-QDA exports and the analyses read the new codebook
at once. Every change is undone like a coding (``beacon-qual coding undo``, ``u`` in the workbench):
single-code changes are audited as ``code.create`` / ``code.update`` with the whole row before and after,
merges and deletions, which change many rows, as one changeset (see :mod:`beacon_qual.store.changeset`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from beacon_qual.codebook.tree import (
    COLOUR_RE,
    PALETTE,
    SEP,
    UPDATABLE,
    Code,
    _normal_uuid,
    code_path,
    get_code,
)
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store import codebook as sql
from beacon_qual.store.changeset import Changeset
from beacon_qual.store.codings import same_coding
from beacon_qual.store.lookup import codings_of_code

# The fields `edit_code` changes, by the names users write (as in codebook files) -> column
EDITABLE = {
    "definition": "description",
    "include": "inclusion",
    "exclude": "exclusion",
    "example": "example",
    "keywords": "keywords",
}
MEMO_JOIN = "\n\n"


def bump_codebook_version(project: Project) -> str:
    """Raise the codebook's version after a change: the last number in it goes up by one ("1.4" -> "1.5",
    "2024-03" -> "2024-04"); a version with no number gets ".1"; none recorded counts as "1"."""
    current = (project.get_meta("codebook_version") or "1").strip() or "1"
    match = re.search(r"(\d+)(?!.*\d)", current)
    if match is None:
        version = f"{current}.1"
    else:
        digits = match.group(1)
        version = current[: match.start()] + str(int(digits) + 1).zfill(len(digits)) + current[match.end() :]
    project.set_meta("codebook_version", version)
    return version


def add_code(
    project: Project, name: str, parent_id: int | None = None, *, coder_id: int | None, **fields: Any
) -> Code:
    """Add a code (``fields``: description, inclusion, exclusion, example, colour, keywords, codable)."""
    with project.transaction():
        code_id = create_code(project, name, parent_id, coder_id=coder_id, **fields)
        bump_codebook_version(project)
    return get_code(project, code_id)


def _update(project: Project, code_id: int, coder_id: int | None, **changes: Any) -> Code:
    with project.transaction():
        before = get_code(project, code_id)
        after = update_code(project, code_id, coder_id=coder_id, **changes)
        if after != before:
            bump_codebook_version(project)
    return after


def change_code(
    project: Project,
    code_id: int,
    *,
    coder_id: int | None,
    name: str | None = None,
    colour: str | None = None,
    group: bool | None = None,
    **fields: Any,
) -> Code:
    """Change any of a code's name, colour, group mark and (by their codebook names) definition, include,
    exclude, example and keywords, as one undoable change. An empty text clears a field; keywords are a list
    or a comma-separated text. A code with codings cannot become a group: merge or delete them first."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise BeaconError(f"cannot edit {', '.join(sorted(unknown))}; editable: {', '.join(EDITABLE)}")
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name
    if colour is not None:
        changes["colour"] = colour
    if group is not None:
        if group:
            n = codings_of_code(project, code_id)
            if n:
                raise BeaconError(
                    f"{code_path(project, code_id)!r} has {n} codings, so it cannot become a group that is "
                    "never applied; merge it into another code or delete its codings first"
                )
        changes["codable"] = not group
    for field_name, value in fields.items():
        if field_name == "keywords":
            words = value.split(",") if isinstance(value, str) else list(value)
            changes["keywords"] = list(dict.fromkeys(w.strip() for w in words if w and w.strip()))
        else:
            changes[EDITABLE[field_name]] = (value or "").strip() or None
    return _update(project, code_id, coder_id, **changes)


def rename_code(project: Project, code_id: int, name: str, *, coder_id: int | None) -> Code:
    return change_code(project, code_id, coder_id=coder_id, name=name)


def move_code(project: Project, code_id: int, parent_id: int | None, *, coder_id: int | None) -> Code:
    """Put a code (with its subcodes) under another parent, or at the top level; cycles are refused."""
    return _update(project, code_id, coder_id, parent_id=parent_id)


def recolour_code(project: Project, code_id: int, colour: str, *, coder_id: int | None) -> Code:
    return change_code(project, code_id, coder_id=coder_id, colour=colour)


def set_group(project: Project, code_id: int, group: bool, *, coder_id: int | None) -> Code:
    """Mark a code as a group that only holds other codes (it cannot be applied), or make it applicable."""
    return change_code(project, code_id, coder_id=coder_id, group=group)


def edit_code(project: Project, code_id: int, *, coder_id: int | None, **fields: Any) -> Code:
    """Change the definition, include, exclude, example and keywords of a code (by those names)."""
    return change_code(project, code_id, coder_id=coder_id, **fields)


# -- merging and deleting ---------------------------------------------------------------------------------


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
    if sql.sibling_named(project, parent_id, name, except_id):
        where = f"under {code_path(project, parent_id)!r}" if parent_id is not None else "at the top level"
        raise BeaconError(f"a code called {name!r} already exists {where}")


def _check_parent(project: Project, parent_id: int | None) -> None:
    if parent_id is not None and not sql.code_exists(project, parent_id):
        raise BeaconError(f"no code with id {parent_id} to be the parent")


def _free_colour(project: Project, parent_id: int | None) -> str:
    used = {(colour or "").upper() for colour in sql.sibling_colours(project, parent_id)}
    free = [c for c in PALETTE if c not in used]
    return free[0] if free else PALETTE[len(used) % len(PALETTE)]


def _next_sort_order(project: Project, parent_id: int | None) -> int:
    return sql.next_sort_order(project, parent_id)


def _row(project: Project, code_id: int) -> dict[str, Any]:
    row = sql.code_row(project, code_id)
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
        if sql.uuid_taken(project, code_uuid):
            raise BeaconError(f"a code with id {code_uuid} already exists")
        order = _next_sort_order(project, parent_id)
        code_id = sql.insert_code(
            project,
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
        current = sql.parent_of(project, current)


def _write(project: Project, code_id: int, row: dict[str, Any]) -> None:
    sql.write_code(project, code_id, row)


@dataclass(frozen=True)
class MergeReport:
    source: str
    target: str
    moved: int  # codings now of the target code
    merged: int  # codings that duplicated one of the target's (same coder, same passage), merged into it
    subcodes: int
    memos: int


def _memo_join(*texts: str | None) -> str | None:
    parts = [t.strip() for t in texts if t and t.strip()]
    return MEMO_JOIN.join(dict.fromkeys(parts)) or None


def merge_codes(project: Project, source_id: int, target_id: int, *, coder_id: int | None) -> MergeReport:
    """Merge code ``source`` into ``target``: its codings, suggestions, memos and subcodes move to the target
    and the source code is removed. A coding that would duplicate one of the target's (same coder, document
    and passage) is merged into it: their memos are joined, nothing is lost."""
    if source_id == target_id:
        raise BeaconError("cannot merge a code into itself")
    with project.transaction():
        source, target = get_code(project, source_id), get_code(project, target_id)
        parent = target.parent_id
        while parent is not None:
            if parent == source_id:
                raise BeaconError(
                    f"cannot merge {source.path!r} into its own subcode {target.path!r}; "
                    "move the subcode out first"
                )
            parent = sql.parent_of(project, parent)
        codings = sql.codings_of_code(project, source_id)
        if codings and not target.codable:
            raise BeaconError(
                f"{target.path!r} is a group that cannot be applied, and {source.path!r} has "
                f"{len(codings)} codings; make it applicable first ('codebook group --off')"
            )
        children = sql.subcodes(project, source_id)
        for child in children:
            if sql.subcode_named(project, target_id, child["name"]):
                raise BeaconError(
                    f"{target.path!r} already has a subcode called {child['name']!r}; "
                    f"rename or merge {source.path}/{child['name']} first"
                )
        change = Changeset(project)
        # codings that duplicate one of the target's: source coding id -> the target's coding
        dups: dict[int, Any] = {}
        for c in codings:
            twin = same_coding(project, c["document_id"], target_id, c["coder_id"], c["start"], c["end"])
            if twin is not None:
                dups[c["id"]] = twin
        # Suggestions first, so no trigger reopens an accepted one when its coding is merged away.
        for s in sql.suggestions_of_code(project, source_id):
            if sql.suggestion_exists(project, target_id, s["document_id"], s["start"], s["end"]):
                change.delete("suggestions", s["id"])
            else:
                coding_id = dups[s["coding_id"]]["id"] if s["coding_id"] in dups else s["coding_id"]
                change.update("suggestions", s["id"], code_id=target_id, coding_id=coding_id)
        merged_memos = 0
        for c in codings:
            twin = dups.get(c["id"])
            if twin is None:
                change.update("codings", c["id"], code_id=target_id)
                continue
            kept_memo = sql.coding_memo(project, twin["id"])
            joined = _memo_join(kept_memo, c["memo"])
            if joined != kept_memo:
                change.update("codings", twin["id"], memo=joined)
                merged_memos += 1
            merged_memos += _move_memos(project, change, "coding", c["id"], twin["id"])
            change.delete("codings", c["id"])
        merged_memos += _move_memos(project, change, "code", source_id, target_id)
        order = sql.next_subcode_order(project, target_id)
        for i, child in enumerate(children):
            change.update("codes", child["id"], parent_id=target_id, sort_order=order + i)
        change.delete("codes", source_id)
        change.audit("code.merge", "codes", target_id, coder_id=coder_id)
        bump_codebook_version(project)
    return MergeReport(
        source.path,
        target.path,
        len(codings) - len(dups),
        len(dups),
        len(children),
        merged_memos,
    )


def _move_memos(project: Project, change: Changeset, kind: str, from_id: int, to_id: int) -> int:
    """Give memos on one target (a code, a coding) to another; a coder's two memos there are joined."""
    moved = 0
    for memo in sql.memos_on(project, kind, from_id):
        there = sql.coder_memo_on(project, kind, to_id, memo["coder_id"])
        if there is None:
            change.update("memos", memo["id"], target_id=to_id)
        else:
            change.update("memos", there["id"], text=_memo_join(there["text"], memo["text"]))
            change.delete("memos", memo["id"])
        moved += 1
    return moved


@dataclass(frozen=True)
class DeleteImpact:
    """What deleting a code takes with it, for the confirmation."""

    path: str
    subcodes: int
    codings: int
    coders: tuple[str, ...]
    memos: int

    def describe(self) -> str:
        parts = [f"code {self.path!r}"]
        if self.subcodes:
            parts.append(f"its {self.subcodes} subcode{'s' if self.subcodes != 1 else ''}")
        what = " and ".join(parts)
        codings = f"{self.codings} coding{'s' if self.codings != 1 else ''}"
        if self.coders:
            codings += f" (by {', '.join(self.coders)})"
        memos = f" and {self.memos} memo{'s' if self.memos != 1 else ''}" if self.memos else ""
        return f"{what}, with {codings}{memos}"


def delete_impact(project: Project, code_id: int) -> DeleteImpact:
    path = code_path(project, code_id)
    ids = sql.subtree_deepest_first(project, code_id)
    coders = tuple(sql.coder_names_of_codes(project, ids))
    return DeleteImpact(
        path,
        len(ids) - 1,
        sql.coding_count_of_codes(project, ids),
        coders,
        sql.memo_count_of_codes(project, ids),
    )


def delete_code(project: Project, code_id: int, *, coder_id: int | None) -> DeleteImpact:
    """Delete a code, its subcodes, their codings, suggestions and memos, as one undoable change."""
    with project.transaction():
        impact = delete_impact(project, code_id)
        change = Changeset(project)
        for code in sql.subtree_deepest_first(project, code_id):
            for (s,) in sql.suggestion_ids_of_code(project, code):
                change.delete("suggestions", s)
            for (c,) in sql.coding_ids_of_code(project, code):
                for (m,) in sql.memo_ids_on_coding(project, c):
                    change.delete("memos", m)
                change.delete("codings", c)
            for (m,) in sql.memo_ids_on_code(project, code):
                change.delete("memos", m)
            change.delete("codes", code)
        change.audit("code.delete", "codes", code_id, coder_id=coder_id)
        bump_codebook_version(project)
    return impact
