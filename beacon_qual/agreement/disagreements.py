"""The passages two coders coded differently, for discussion.

A disagreement is a maximal stretch of one document in which, at every character, the
set of codes the first coder applied differs from the set the second applied. Its
``codes_a`` and ``codes_b`` are every code each coder applied anywhere in the stretch.
A boundary difference is a disagreement too: if one coder starts a code three
characters earlier, those three characters are listed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from beacon_qual.agreement.material import Material, load_material
from beacon_qual.agreement.measures import distinct, union_spans
from beacon_qual.store import Project
from beacon_qual.store.lookup import document_text


@dataclass(frozen=True)
class Disagreement:
    document_id: int
    document: str
    start: int
    end: int
    text: str
    codes_a: tuple[str, ...]
    codes_b: tuple[str, ...]

    def as_dict(self) -> dict:
        data = asdict(self)
        data["codes_a"], data["codes_b"] = list(self.codes_a), list(self.codes_b)
        return data


def _piece_codes(material: Material, coder: int, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every elementary piece a coder's codings cover: ``(piece, code)`` pairs, sorted."""
    code, start, end = union_spans(*material.spans(coder))
    lo, hi = np.searchsorted(bounds, start), np.searchsorted(bounds, end)
    counts = hi - lo
    piece = (
        np.repeat(lo, counts) + np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    )
    piece_code = np.repeat(code, counts)
    order = np.lexsort((piece_code, piece))
    return piece[order], piece_code[order]


def _runs(flags: np.ndarray, doc_of_piece: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last)`` piece indices of each run of flagged pieces within one document."""
    idx = np.flatnonzero(flags)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero((np.diff(idx) != 1) | (np.diff(doc_of_piece[idx]) != 0))
    firsts = np.concatenate([[idx[0]], idx[breaks + 1]])
    lasts = np.concatenate([idx[breaks], [idx[-1]]])
    return list(zip(firsts.tolist(), lasts.tolist()))


def _codes_in(
    pieces: np.ndarray, codes: np.ndarray, first: int, last: int, paths: list[str]
) -> tuple[str, ...]:
    lo, hi = np.searchsorted(pieces, first, "left"), np.searchsorted(pieces, last, "right")
    return tuple(paths[c] for c in sorted(set(codes[lo:hi].tolist())))


def disagreements(
    project: Project,
    coder_a: str,
    coder_b: str,
    *,
    documents: tuple[str, ...] = (),
    codes: tuple[str, ...] = (),
    min_length: int = 1,
) -> list[Disagreement]:
    """Every stretch coded differently by two coders, in document order.

    Documents and codes default as for :func:`agreement`; stretches shorter than
    ``min_length`` characters are left out.
    """
    material = load_material(project, [coder_a, coder_b], documents=documents, codes=codes)
    n_codes = len(material.code_ids)
    bounds = distinct(np.concatenate([material.start, material.end, material.offsets]))
    pieces_a, codes_a = _piece_codes(material, 0, bounds)
    pieces_b, codes_b = _piece_codes(material, 1, bounds)
    n_pieces = bounds.size - 1
    shared = np.intersect1d(pieces_a * n_codes + codes_a, pieces_b * n_codes + codes_b, assume_unique=True)
    count_a = np.bincount(pieces_a, minlength=n_pieces)
    count_b = np.bincount(pieces_b, minlength=n_pieces)
    count_both = np.bincount(shared // n_codes, minlength=n_pieces)
    differ = (count_a != count_both) | (count_b != count_both)
    doc_of_piece = np.searchsorted(material.offsets, bounds[:-1], side="right") - 1
    found: list[Disagreement] = []
    texts: dict[int, str] = {}
    for first, last in _runs(differ, doc_of_piece):
        start, end = int(bounds[first]), int(bounds[last + 1])
        if end - start < min_length:
            continue
        doc = int(doc_of_piece[first])
        doc_id = int(material.doc_ids[doc])
        if doc_id not in texts:
            texts = {doc_id: document_text(project, doc_id)}
        offset = int(material.offsets[doc])
        found.append(
            Disagreement(
                document_id=doc_id,
                document=material.doc_names[doc],
                start=start - offset,
                end=end - offset,
                text=texts[doc_id][start - offset : end - offset],
                codes_a=_codes_in(pieces_a, codes_a, first, last, material.code_paths),
                codes_b=_codes_in(pieces_b, codes_b, first, last, material.code_paths),
            )
        )
    return found
