"""Moving passages from one version of a text onto a corrected version.

:class:`TextDiff` maps offsets of the old text onto the new one. It diffs line by
line, then word by word inside changed lines, then character by character inside
changed words, so a long transcript with a few corrections diffs quickly and the
unchanged stretches line up exactly.

:func:`reanchor` places each old span ``old[start:end]`` on the new text, trying in
order:

* ``unchanged``: the same passage at the same offsets;
* ``exact``: the same passage where the diff maps its old offsets;
* ``near``: the same passage elsewhere within a window around the mapped place
  (the occurrence nearest to it), or anywhere in the text when the passage is long
  enough (:data:`UNIQUE_MIN_LENGTH`) and occurs exactly once;
* ``fuzzy``: the mapped span when its ``fuzz.ratio`` score reaches the threshold
  (it takes in words inserted inside the passage), else the best alignment inside
  the window (``fuzz.partial_ratio_alignment``) when that score reaches it;
* ``unplaced``: below the threshold. The span keeps the better guess when it scores
  at least :data:`PLAUSIBLE`, else it stays where the diff maps it (its old length
  from the mapped start when the passage was deleted, clamped to the new text), and
  needs a person to look at it.

Scores run from 0 to 100: ``fuzz.ratio`` of the old passage and the new span, so a
verbatim match scores 100 and nothing else does. :data:`DEFAULT_THRESHOLD`
is 85: a corrected typo or a changed word in a passage of a sentence or more
scores above it, a passage rewritten or mostly deleted falls below it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz import fuzz

DEFAULT_THRESHOLD = 85.0
WINDOW_MIN = 1000  # code points searched on each side of the mapped place
PLAUSIBLE = 60.0  # an unplaced passage moves to its best fuzzy match only from this score
UNIQUE_MIN_LENGTH = 20  # a passage this long found once anywhere is placed there
CHAR_DIFF_LIMIT = 4000  # changed stretches longer than this (old + new) are not diffed by character

_WORDS = re.compile(r"\s+|[^\s]+")
Opcode = tuple[str, int, int, int, int]


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


def _chars(text: str) -> list[str]:
    return list(text)


_TIERS = (_lines, _words, _chars)


def diff_opcodes(old: str, new: str) -> list[Opcode]:
    """Opcodes (as :meth:`difflib.SequenceMatcher.get_opcodes`) in code points of ``old`` and ``new``."""
    return _refine(old, new, 0, 0, 0)


def _refine(old: str, new: str, i0: int, j0: int, tier: int) -> list[Opcode]:
    a, b = _TIERS[tier](old), _TIERS[tier](new)
    a_pos, b_pos = _positions(a), _positions(b)
    result: list[Opcode] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        ci1, ci2, cj1, cj2 = a_pos[i1], a_pos[i2], b_pos[j1], b_pos[j2]
        if tag == "replace" and _refinable(tier, ci2 - ci1 + cj2 - cj1):
            result.extend(_refine(old[ci1:ci2], new[cj1:cj2], i0 + ci1, j0 + cj1, tier + 1))
        else:
            result.append((tag, i0 + ci1, i0 + ci2, j0 + cj1, j0 + cj2))
    return result


def _refinable(tier: int, size: int) -> bool:
    if tier + 1 >= len(_TIERS):
        return False
    return _TIERS[tier + 1] is not _chars or size <= CHAR_DIFF_LIMIT


def _positions(tokens: list[str]) -> list[int]:
    positions = [0]
    for token in tokens:
        positions.append(positions[-1] + len(token))
    return positions


class TextDiff:
    """Offsets of an old text mapped onto a new one through their diff."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        # Only opcodes that cover old characters; insertions are found between them.
        self._ops = [op for op in diff_opcodes(old, new) if op[2] > op[1]]
        self._starts = [op[1] for op in self._ops]

    def _op_at(self, char: int) -> Opcode:
        return self._ops[bisect.bisect_right(self._starts, char) - 1]

    def map_start(self, offset: int) -> int:
        """Where a span starting at ``offset`` starts in the new text (text inserted before it is left out)."""
        if offset >= len(self.old):
            return len(self.new)
        tag, i1, _, j1, _ = self._op_at(offset)
        return j1 + offset - i1 if tag == "equal" else j1

    def map_end(self, offset: int) -> int:
        """Where a span ending at ``offset`` ends in the new text (text inserted after it is left out)."""
        if offset <= 0:
            return 0
        tag, i1, _, j1, j2 = self._op_at(offset - 1)
        return j1 + offset - i1 if tag == "equal" else j2


@dataclass(frozen=True)
class Placement:
    """Where one old span went in the new text, how it was found, and how sure that is (0-100)."""

    start: int
    end: int
    method: str  # 'unchanged', 'exact', 'near', 'fuzzy' or 'unplaced'
    score: float

    @property
    def confident(self) -> bool:
        return self.method != "unplaced"


def reanchor(
    old: str, new: str, spans: list[tuple[int, int]], *, threshold: float = DEFAULT_THRESHOLD
) -> list[Placement]:
    """Place each span ``old[start:end]`` on ``new``; every span gets a placement inside ``new``."""
    if not new:
        raise ValueError("cannot place passages on an empty text")
    diff = TextDiff(old, new)
    return [_place(diff, start, end, threshold) for start, end in spans]


def _place(diff: TextDiff, start: int, end: int, threshold: float) -> Placement:
    old, new = diff.old, diff.new
    passage = old[start:end]
    mapped = (diff.map_start(start), diff.map_end(end))
    if new[mapped[0] : mapped[1]] == passage:
        method = "unchanged" if mapped == (start, end) else "exact"
        return Placement(*mapped, method, 100.0)
    radius = max(WINDOW_MIN, 2 * len(passage))
    lo, hi = max(0, mapped[0] - radius), min(len(new), max(mapped[1], mapped[0]) + radius)
    found = _nearest_occurrence(new, passage, lo, hi, mapped[0])
    if found is None:
        found = _unique_occurrence(new, passage)
    if found is not None:
        return Placement(found, found + len(passage), "near", 100.0)
    best = _best_fuzzy(new, passage, mapped, lo, hi, threshold)
    if best is not None and best[2] >= threshold:
        return Placement(best[0], best[1], "fuzzy", best[2])
    if best is None or best[2] < PLAUSIBLE:
        start, end = _clamp((mapped[0], max(mapped[1], mapped[0] + len(passage))), len(new))
        return Placement(start, end, "unplaced", fuzz.ratio(passage, new[start:end]))
    return Placement(best[0], best[1], "unplaced", best[2])


def _nearest_occurrence(text: str, passage: str, lo: int, hi: int, target: int) -> int | None:
    best: int | None = None
    at = text.find(passage, lo, hi)
    while at != -1:
        if best is None or abs(at - target) < abs(best - target):
            best = at
        at = text.find(passage, at + 1, hi)
    return best


def _unique_occurrence(text: str, passage: str) -> int | None:
    if len(passage) < UNIQUE_MIN_LENGTH:
        return None
    first = text.find(passage)
    if first == -1 or text.find(passage, first + 1) != -1:
        return None
    return first


def _best_fuzzy(
    new: str, passage: str, mapped: tuple[int, int], lo: int, hi: int, threshold: float
) -> tuple[int, int, float] | None:
    """The mapped span when it scores at least ``threshold``, else the better of it and the best alignment
    in the window, as (start, end, score)."""
    candidates: list[tuple[int, int, float]] = []
    if mapped[1] > mapped[0]:
        candidates.append((mapped[0], mapped[1], fuzz.ratio(passage, new[mapped[0] : mapped[1]])))
        if candidates[0][2] >= threshold:
            return candidates[0]
    if hi > lo:
        aligned = fuzz.partial_ratio_alignment(passage, new[lo:hi])
        if aligned is not None and aligned.dest_end > aligned.dest_start:
            start, end = lo + aligned.dest_start, lo + aligned.dest_end
            candidates.append((start, end, fuzz.ratio(passage, new[start:end])))
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[2])  # the first (the mapped span) wins a tie


def _clamp(span: tuple[int, int], length: int) -> tuple[int, int]:
    start = min(max(span[0], 0), length - 1)
    end = min(max(span[1], start + 1), length)
    return start, end
