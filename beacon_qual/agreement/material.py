"""What an agreement analysis compares, read from a project into arrays.

The chosen documents are laid end to end on one continuum: a document starts where
the previous one ends, so a position is ``offset[document] + start``. Codings and units
never cross a document's end, so nothing is lost by this, and every measure can work
on the whole selection at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from ..codebook import resolve_code
from ..documents import resolve_document
from ..errors import BeaconError
from ..store import Project

PATH_SEPARATOR = "/"
UNIT_KINDS = ("sentence", "turn")


@dataclass
class CodeIndex:
    """Every code of the project with its path ("Parent/Child"), in codebook order."""

    ids: list[int]
    paths: dict[int, str]
    names: dict[int, str]


def load_codes(project: Project, schema: str = "main") -> CodeIndex:
    """The code tree of ``schema`` (an attached project's name, or main)."""
    rows = project.execute(
        f"SELECT id, parent_id, name FROM {schema}.codes ORDER BY sort_order, name, id"
    ).fetchall()
    children: dict[int | None, list[int]] = {}
    names: dict[int, str] = {}
    for row in rows:
        names[row[0]] = row[2]
        children.setdefault(row[1], []).append(row[0])
    index = CodeIndex([], {}, names)
    stack: list[tuple[int, str]] = [(c, "") for c in reversed(children.get(None, []))]
    while stack:
        code_id, prefix = stack.pop()
        index.paths[code_id] = prefix + names[code_id]
        index.ids.append(code_id)
        stack.extend((c, index.paths[code_id] + PATH_SEPARATOR) for c in reversed(children.get(code_id, [])))
    return index


@dataclass
class Material:
    """Codings and units of the chosen coders, documents and codes, on one continuum."""

    coder_names: list[str]
    doc_ids: np.ndarray
    doc_names: list[str]
    offsets: np.ndarray  # len(doc_ids) + 1; document d spans [offsets[d], offsets[d + 1])
    code_ids: list[int]
    code_paths: list[str]
    coder: np.ndarray  # per coding: index into coder_names
    code: np.ndarray  # per coding: index into code_ids
    start: np.ndarray  # per coding, on the continuum
    end: np.ndarray
    unit_kind: str | None = None
    unit_start: np.ndarray | None = None
    unit_end: np.ndarray | None = None
    _order: np.ndarray | None = field(default=None, repr=False)
    _keys: np.ndarray | None = field(default=None, repr=False)

    @property
    def length(self) -> int:
        return int(self.offsets[-1])

    def spans(self, coder: int, code: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(code, start, end)`` of one coder's codings (sorted by code, then start), optionally of one code."""
        if self._order is None:
            self._order = np.lexsort((self.start, self.code, self.coder))
            self._keys = self.coder[self._order] * (len(self.code_ids) + 1) + self.code[self._order]
        assert self._keys is not None
        base = coder * (len(self.code_ids) + 1)
        lo, hi = (base, base + len(self.code_ids)) if code is None else (base + code, base + code)
        first, last = np.searchsorted(self._keys, lo, "left"), np.searchsorted(self._keys, hi, "right")
        rows = self._order[first:last]
        return self.code[rows], self.start[rows], self.end[rows]


def resolve_coders(project: Project, names: list[str] | tuple[str, ...], minimum: int) -> list[tuple[int, str]]:
    chosen: list[tuple[int, str]] = []
    for name in names:
        row = project.one("SELECT id, name FROM coders WHERE name = ?", (name.strip(),))
        if row is None:
            known = [r[0] for r in project.execute("SELECT name FROM coders ORDER BY name")]
            raise BeaconError(f"no coder called {name!r} in this project", details=[f"coders: {', '.join(known) or '-'}"])
        if row[0] not in [c for c, _ in chosen]:
            chosen.append((row[0], row[1]))
    if len(chosen) < minimum:
        raise BeaconError(f"agreement needs at least {minimum} different coders (got {len(chosen)})")
    return chosen


def _int_rows(project: Project, sql: str, params: list | tuple, width: int) -> np.ndarray:
    """An integer query's rows as a (rows, width) array, without a Python object per row kept."""
    flat = np.fromiter(chain.from_iterable(project.execute(sql, params)), dtype=np.int64)
    return flat.reshape(-1, width)


def _codings(project: Project, coder_ids: list[int]) -> np.ndarray:
    marks = ",".join("?" * len(coder_ids))
    return _int_rows(
        project,
        f"SELECT id, coder_id, code_id, document_id, start, end FROM codings NOT INDEXED WHERE coder_id IN ({marks})",
        coder_ids,
        6,
    )


def _documents(project: Project, refs: tuple[str, ...], used: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:
    if refs:
        ids = sorted({resolve_document(project, ref) for ref in refs})
    else:
        ids = sorted(set(used.tolist()))
    if not ids:
        return np.zeros(0, dtype=np.int64), [], np.zeros(1, dtype=np.int64)
    rows = {
        r[0]: (r[1], r[2])
        for r in project.execute(
            f"SELECT id, name, length(text) FROM documents WHERE id IN ({','.join('?' * len(ids))})", ids
        )
    }
    names = [rows[i][0] for i in ids]
    lengths = np.array([rows[i][1] for i in ids], dtype=np.int64)
    return np.array(ids, dtype=np.int64), names, np.concatenate([[0], np.cumsum(lengths)])


def _positions(doc_ids: np.ndarray, document: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each row's document among ``doc_ids`` (sorted), and whether it is there."""
    if doc_ids.size == 0:
        return np.zeros(document.size, dtype=np.int64), np.zeros(document.size, dtype=bool)
    where = np.minimum(np.searchsorted(doc_ids, document), doc_ids.size - 1)
    return where, doc_ids[where] == document


def _check_offsets(
    kind: str, ids: np.ndarray, start: np.ndarray, end: np.ndarray, limit: np.ndarray, names: list[str], doc: np.ndarray
) -> None:
    bad = np.flatnonzero((start < 0) | (end < start) | (end > limit))
    if bad.size:
        i = int(bad[0])
        raise BeaconError(
            f"{kind} {int(ids[i])} has impossible offsets {int(start[i])}..{int(end[i])} in document "
            f"{names[int(doc[i])]!r} ({int(limit[i])} characters); fix or remove it before measuring agreement"
        )


def load_material(
    project: Project,
    coders: list[str] | tuple[str, ...],
    *,
    documents: tuple[str, ...] = (),
    codes: tuple[str, ...] = (),
    unit_kind: str | None = None,
    minimum_coders: int = 2,
) -> Material:
    """Read what the chosen coders coded.

    Documents: those named, or else every document in which at least one chosen coder has
    a coding. Codes: those named (by path or unique name), or else every code a chosen coder
    applied in those documents. Text a coder did not code counts as "not coded" by that coder.
    """
    chosen = resolve_coders(project, coders, minimum_coders)
    coder_ids = [c for c, _ in chosen]
    rows = _codings(project, coder_ids)
    code_index = load_codes(project)
    wanted_codes = [resolve_code(project, ref) for ref in codes]
    if wanted_codes:
        rows = rows[np.isin(rows[:, 2], wanted_codes)]
    doc_ids, doc_names, offsets = _documents(project, documents, rows[:, 3])
    if doc_ids.size == 0:
        names = ", ".join(n for _, n in chosen)
        raise BeaconError(f"coders {names} have not coded any document{' with these codes' if codes else ''}; nothing to compare")
    where, found = _positions(doc_ids, rows[:, 3])
    rows, where = rows[found], where[found]
    _check_offsets("coding", rows[:, 0], rows[:, 4], rows[:, 5], offsets[where + 1] - offsets[where], doc_names, where)
    if wanted_codes:
        code_ids = list(dict.fromkeys(wanted_codes))
    else:
        used = set(rows[:, 2].tolist())
        code_ids = [c for c in code_index.ids if c in used]
    if not code_ids:
        names = ", ".join(n for _, n in chosen)
        raise BeaconError(f"coders {names} applied no code in the chosen documents; nothing to compare")
    code_pos = {c: i for i, c in enumerate(code_ids)}
    coder_pos = {c: i for i, c in enumerate(coder_ids)}
    material = Material(
        coder_names=[n for _, n in chosen],
        doc_ids=doc_ids,
        doc_names=doc_names,
        offsets=offsets,
        code_ids=code_ids,
        code_paths=[code_index.paths[c] for c in code_ids],
        coder=np.array([coder_pos[c] for c in rows[:, 1].tolist()], dtype=np.int64),
        code=np.array([code_pos[c] for c in rows[:, 2].tolist()], dtype=np.int64),
        start=rows[:, 4] + offsets[where],
        end=rows[:, 5] + offsets[where],
    )
    if unit_kind is not None:
        _load_units(project, material, unit_kind)
    return material


def _load_units(project: Project, material: Material, kind: str) -> None:
    if kind not in UNIT_KINDS:
        raise BeaconError(f"unknown unit {kind!r}; choose one of {', '.join(UNIT_KINDS)}")
    rows = _int_rows(project, "SELECT id, document_id, start, end FROM units WHERE kind = ?", (kind,), 4)
    where, found = _positions(material.doc_ids, rows[:, 1])
    rows, where = rows[found], where[found]
    limit = material.offsets[where + 1] - material.offsets[where]
    _check_offsets(f"{kind} unit", rows[:, 0], rows[:, 2], rows[:, 3], limit, material.doc_names, where)
    start, end = rows[:, 2] + material.offsets[where], rows[:, 3] + material.offsets[where]
    keep = end > start
    order = np.argsort(start[keep], kind="stable")
    material.unit_kind = kind
    material.unit_start = start[keep][order]
    material.unit_end = end[keep][order]
