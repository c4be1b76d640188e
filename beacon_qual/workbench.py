"""What the coding workbench reads: document lists with progress, a document's text and units,
the code list in tree order with counts, the fuzzy code picker and the recently used codes.

Kept apart from the screen so the CLI, the benchmarks and the tests use the same functions.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process, utils

from .errors import BeaconError
from .store import Project

RECENT_LIMIT = 9


@dataclass(frozen=True)
class DocumentRow:
    id: int
    name: str
    council: str | None
    phase: int | None
    role: str | None
    sentences: int
    coded_sentences: int

    @property
    def progress(self) -> float:
        return self.coded_sentences / self.sentences if self.sentences else 0.0


def list_documents(project: Project, coder_id: int | None) -> list[DocumentRow]:
    """Every document with its share of sentences coded by ``coder_id`` (by anyone when None)."""
    coder_clause = "" if coder_id is None else "AND c.coder_id = :coder"
    sql = f"""
        SELECT d.id, d.name, cs.name AS council, d.phase, d.role,
               (SELECT count(*) FROM units u WHERE u.document_id = d.id AND u.kind = 'sentence') AS sentences,
               (SELECT count(*) FROM units u WHERE u.document_id = d.id AND u.kind = 'sentence'
                  AND EXISTS (SELECT 1 FROM codings c WHERE c.document_id = d.id {coder_clause}
                              AND c.start < u.end AND c.end > u.start)) AS coded
        FROM documents d LEFT JOIN cases cs ON cs.id = d.case_id
        ORDER BY cs.name, d.phase, d.name
    """
    return [
        DocumentRow(r["id"], r["name"], r["council"], r["phase"], r["role"], r["sentences"], r["coded"])
        for r in project.execute(sql, {"coder": coder_id})
    ]


def filter_documents(rows: list[DocumentRow], query: str) -> list[DocumentRow]:
    """Filter by words such as ``phase:2 role:officer council:hull uncoded`` plus free text."""
    keep = rows
    for token in query.lower().split():
        key, _, value = token.partition(":")
        if token in ("uncoded", "not-coded", "todo"):
            keep = [r for r in keep if r.coded_sentences == 0]
        elif key == "phase" and value:
            keep = [r for r in keep if str(r.phase) == value]
        elif key == "role" and value:
            keep = [r for r in keep if (r.role or "").lower().replace(" ", "").startswith(value)]
        elif key == "council" and value:
            keep = [r for r in keep if value in (r.council or "").lower()]
        else:
            keep = [r for r in keep if token in f"{r.name} {r.council or ''} {r.role or ''}".lower()]
    return keep


@dataclass(frozen=True)
class Turn:
    start: int
    end: int
    speaker: str | None


@dataclass
class DocumentView:
    id: int
    name: str
    text: str
    council: str | None
    phase: int | None
    role: str | None
    turns: list[Turn]
    sentences: list[tuple[int, int]]
    _sentence_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._sentence_starts = [s for s, _ in self.sentences]

    def sentence_index_at(self, offset: int) -> int | None:
        """Index of the sentence containing ``offset``, or the one just before it."""
        if not self.sentences:
            return None
        i = bisect_right(self._sentence_starts, offset) - 1
        return max(i, 0)

    def turn_at(self, offset: int) -> int | None:
        for i, t in enumerate(self.turns):
            if t.start <= offset < t.end:
                return i
        return None


def load_document(project: Project, document_id: int) -> DocumentView:
    row = project.one(
        "SELECT d.id, d.name, d.text, cs.name AS council, d.phase, d.role"
        " FROM documents d LEFT JOIN cases cs ON cs.id = d.case_id WHERE d.id = ?",
        (document_id,),
    )
    if row is None:
        raise BeaconError(f"no document with id {document_id}")
    units = project.execute(
        "SELECT kind, start, end, speaker FROM units WHERE document_id = ? ORDER BY kind, start",
        (document_id,),
    ).fetchall()
    turns = [Turn(u["start"], u["end"], u["speaker"]) for u in units if u["kind"] == "turn"]
    sentences = [(u["start"], u["end"]) for u in units if u["kind"] == "sentence"]
    return DocumentView(row["id"], row["name"], row["text"], row["council"], row["phase"], row["role"],
                        turns, sentences)


@dataclass(frozen=True)
class CodeInfo:
    id: int
    uuid: str
    parent_id: int | None
    name: str
    path: str
    depth: int
    description: str
    inclusion: str
    exclusion: str
    example: str
    colour: str
    keywords: tuple[str, ...]
    codable: bool


DEFAULT_COLOUR = "#8fbcbb"


def load_codes(project: Project) -> list[CodeInfo]:
    """All codes in tree order (parents before children, siblings by sort order then name)."""
    rows = project.execute("SELECT * FROM codes ORDER BY sort_order, name").fetchall()
    children: dict[int | None, list] = {}
    for r in rows:
        children.setdefault(r["parent_id"], []).append(r)
    out: list[CodeInfo] = []

    def walk(parent: int | None, prefix: str, depth: int) -> None:
        for r in children.get(parent, []):
            path = f"{prefix}/{r['name']}" if prefix else r["name"]
            out.append(CodeInfo(
                r["id"], r["uuid"], r["parent_id"], r["name"], path, depth, r["description"] or "",
                r["inclusion"] or "", r["exclusion"] or "", r["example"] or "", r["colour"] or DEFAULT_COLOUR,
                tuple(json.loads(r["keywords"] or "[]")), bool(r["codable"]),
            ))
            walk(r["id"], path, depth + 1)

    walk(None, "", 0)
    return out


def code_counts(project: Project, *, document_id: int | None = None, coder_id: int | None = None) -> dict[int, int]:
    where, params = [], []
    if document_id is not None:
        where.append("document_id = ?")
        params.append(document_id)
    if coder_id is not None:
        where.append("coder_id = ?")
        params.append(coder_id)
    sql = "SELECT code_id, count(*) FROM codings"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " GROUP BY code_id"
    return dict(project.execute(sql, params).fetchall())


class CodePicker:
    """Ranks codes for a typed query: names first, then paths, keywords and definitions.

    The choice strings are preprocessed once, so a keystroke costs a few calls
    into rapidfuzz's C code over the whole codebook.
    """

    WEIGHTS = (("name", 1.0), ("path", 0.9), ("keywords", 0.8), ("description", 0.6))

    def __init__(self, codes: list[CodeInfo]):
        self.codes = [c for c in codes if c.codable]
        self._fields = {
            "name": [utils.default_process(c.name) for c in self.codes],
            "path": [utils.default_process(c.path) for c in self.codes],
            "keywords": [utils.default_process(" ".join(c.keywords)) for c in self.codes],
            "description": [utils.default_process(c.description) for c in self.codes],
        }

    def rank(self, query: str, *, recent: list[int] | None = None, limit: int = 30) -> list[CodeInfo]:
        query = utils.default_process(query)
        if not query:
            order = {cid: i for i, cid in enumerate(recent or [])}
            return sorted(self.codes, key=lambda c: order.get(c.id, len(order)))[:limit]
        best: dict[int, float] = {}
        for field_name, weight in self.WEIGHTS:
            scorer = fuzz.WRatio if field_name in ("name", "path") else fuzz.partial_ratio
            for _, score, index in process.extract(
                query, self._fields[field_name], scorer=scorer, processor=None, limit=limit,
                score_cutoff=50,
            ):
                value = score * weight
                if value > best.get(index, 0):
                    best[index] = value
        # exact prefix of the name wins outright
        for index, name in enumerate(self._fields["name"]):
            if name.startswith(query):
                best[index] = max(best.get(index, 0), 101.0)
        ranked = sorted(best, key=lambda i: (-best[i], self.codes[i].path))
        return [self.codes[i] for i in ranked[:limit]]


def recent_codes(project: Project, coder_id: int) -> list[int]:
    raw = project.get_meta(f"recent_codes:{coder_id}")
    return json.loads(raw) if raw else []


def push_recent_code(project: Project, coder_id: int, code_id: int) -> list[int]:
    """Move a code to the front of the coder's recent list (keys 1-9 apply them)."""
    codes = [code_id] + [c for c in recent_codes(project, coder_id) if c != code_id]
    codes = codes[:RECENT_LIMIT]
    with project.transaction():
        project.set_meta(f"recent_codes:{coder_id}", json.dumps(codes))
    return codes


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of half-open spans, as sorted disjoint spans."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def next_uncoded_sentence(doc: DocumentView, coded: list[tuple[int, int]], after: int) -> int | None:
    """Index of the first sentence starting after ``after`` that no coded span touches."""
    merged = merge_spans(coded)
    starts = [s for s, _ in merged]
    first = bisect_right(doc._sentence_starts, after)
    for i in range(first, len(doc.sentences)):
        s, e = doc.sentences[i]
        j = bisect_right(starts, e - 1) - 1  # last merged span starting before the sentence ends
        if j < 0 or merged[j][1] <= s:
            return i
    return None


def document_progress(project: Project, document_id: int, coder_id: int | None) -> tuple[int, int]:
    """(sentences, sentences touched by a coding of ``coder_id``, or of anyone when None)."""
    coder_clause = "" if coder_id is None else "AND c.coder_id = ?"
    row = project.one(
        f"""SELECT count(*),
                  sum(EXISTS (SELECT 1 FROM codings c WHERE c.document_id = ? {coder_clause}
                              AND c.start < u.end AND c.end > u.start))
           FROM units u WHERE u.document_id = ? AND u.kind = 'sentence'""",
        [document_id] + ([] if coder_id is None else [coder_id]) + [document_id],
    )
    return row[0], row[1] or 0
