"""Full-text search over transcript sentences.

The index (``unit_fts``, schema V3) holds one entry per sentence unit, its rowid the unit's id, its words
stemmed by FTS5's porter tokenizer (so "learning", "learned" and "learns" match one another). It keeps no
copy of the text: it reads a sentence from its document when a snippet is wanted. SQL triggers keep it in
step with every write to ``units`` and ``documents``, whichever code path makes it.

Queries use FTS5 syntax: words, "exact phrases", AND, OR, NOT, NEAR(a b, 10), prefix*. The operators may
also be written in lower case outside quotes. Hits are ranked by bm25 and carry the offsets of their
sentence, ``text[start:end]``, so a screen can jump to them.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from .errors import BeaconError
from .store import Project

MARKS = ("[", "]")
ELLIPSIS = "…"
SNIPPET_TOKENS = 40
MAX_LIMIT = 10_000
QUERY_HINT = (
    'search with words, "exact phrases", AND, OR, NOT, NEAR(word word, 10) and prefix*; '
    'put words with punctuation in double quotes, e.g. "council\'s"'
)

_QUOTED = re.compile(r'("(?:[^"]|"")*"?)')
_OPERATOR = re.compile(r"(?<![\w])(and|or|not)(?![\w])|(?<![\w])near(?=\s*\()", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    """One sentence that matched: where it is, its snippet with the matched words marked, its bm25 score."""

    document_id: int
    document: str
    council: str | None
    phase: int | None
    role: str | None
    start: int
    end: int
    snippet: str
    score: float  # -bm25: higher is a better match


# -- queries ----------------------------------------------------------------------------------------------


def normalise_query(query: str) -> str:
    """The query with and/or/not (and near before "(") upper-cased where they stand outside double quotes."""
    parts = _QUOTED.split(query.strip())
    return "".join(
        part if part.startswith('"') else _OPERATOR.sub(lambda m: m.group(0).upper(), part) for part in parts
    )


def _query_error(query: str, exc: sqlite3.OperationalError) -> BeaconError | None:
    """A one-line explanation when FTS5 could not read the query; None for any other database error."""
    message = str(exc)
    if "unterminated string" in message:
        reason = "a double quote is not closed"
    elif match := re.search(r'syntax error near "(.*)"', message):
        reason = f"unexpected {match.group(1)!r}" if match.group(1) else "the query ends too soon"
    elif match := re.search(r"no such column: (.*)", message):
        reason = f"{match.group(1)!r} is read as a column name (as in 'word:' or '-word')"
    elif message.startswith("unknown special query"):
        reason = "'*' can only end a word (prefix*)"
    elif message.startswith("fts5:"):
        reason = message.removeprefix("fts5: ")
    else:
        return None
    return BeaconError(f"cannot read the search {query!r}: {reason}", details=[QUERY_HINT])


# -- filters ----------------------------------------------------------------------------------------------


def _code_and_descendants(project: Project, ref: str | int) -> list[int]:
    from .codebook import resolve_code

    code_id = resolve_code(project, ref)
    rows = project.execute(
        "WITH RECURSIVE tree(id) AS (SELECT ? UNION ALL"
        " SELECT c.id FROM codes c JOIN tree ON c.parent_id = tree.id) SELECT id FROM tree",
        (code_id,),
    )
    return [r[0] for r in rows]


def _check_present(project: Project, column: str, value: Any, what: str) -> None:
    present = [r[0] for r in project.execute(f"SELECT DISTINCT {column} FROM documents ORDER BY 1") if r[0]]
    wanted = value.casefold() if isinstance(value, str) else value
    found = [v for v in present if (v.casefold() if isinstance(v, str) else v) == wanted]
    if not found:
        listed = ", ".join(str(v) for v in present) or "none yet"
        raise BeaconError(f"no documents with {what} {value!r} (the project has: {listed})")


def _filters(
    project: Project, council: str | None, phase: int | None, role: str | None, code: str | int | None
) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if council is not None:
        from .councils import resolve_council

        where.append("d.case_id = ?")
        params.append(resolve_council(project, council).case_id)
    if phase is not None:
        _check_present(project, "phase", phase, "phase")
        where.append("d.phase = ?")
        params.append(phase)
    if role is not None:
        _check_present(project, "role", role.strip(), "role")
        where.append("lower(d.role) = lower(?)")
        params.append(role.strip())
    if code is not None:
        code_ids = _code_and_descendants(project, code)
        where.append(
            "EXISTS (SELECT 1 FROM codings k WHERE k.document_id = u.document_id"
            f" AND k.code_id IN ({','.join('?' * len(code_ids))}) AND k.start < u.end AND k.end > u.start)"
        )
        params.extend(code_ids)
    return where, params


# -- searching --------------------------------------------------------------------------------------------


def search(
    project: Project,
    query: str,
    *,
    council: str | None = None,
    phase: int | None = None,
    role: str | None = None,
    code: str | int | None = None,
    limit: int = 50,
    marks: tuple[str, str] = MARKS,
) -> list[Hit]:
    """The best ``limit`` sentences matching ``query``, best first.

    ``council`` is any council reference (name, code, alias); ``code`` a code reference, matching sentences
    that overlap a coding of that code or of a code below it. The matched words of each snippet are wrapped
    in ``marks``.
    """
    text = normalise_query(query)
    if not text:
        raise BeaconError("the search is empty; give a word or a phrase to look for")
    if not 1 <= limit <= MAX_LIMIT:
        raise BeaconError(f"--limit must be between 1 and {MAX_LIMIT}, not {limit}")
    where, params = _filters(project, council, phase, role, code)
    try:
        ranked = _ranked(project, text, where, params, limit)
        details = _details(project, text, [unit_id for unit_id, _ in ranked], marks)
    except sqlite3.OperationalError as exc:
        error = _query_error(query, exc)
        if error is None:
            raise
        raise error from None
    return [_hit(details[unit_id], -rank) for unit_id, rank in ranked]


def _ranked(
    project: Project, query: str, where: list[str], params: list[Any], limit: int
) -> list[tuple[int, float]]:
    """(unit id, bm25) of the best matches. Filters pick the allowed sentences in a subquery that SQLite
    checks against each match (the unary + keeps it out of the index's own lookup), which is much cheaper
    than joining every match to units and documents; bm25() is computed only for matches that pass."""
    allowed = ""
    if where:
        allowed = (
            " AND +unit_fts.rowid IN (SELECT u.id FROM units u JOIN documents d ON d.id = u.document_id"
            f" WHERE u.kind = 'sentence' AND {' AND '.join(where)})"
        )
    rows = project.execute(
        f"SELECT rowid, bm25(unit_fts) AS score FROM unit_fts WHERE unit_fts MATCH ?{allowed}"
        " ORDER BY score LIMIT ?",
        (query, *params, limit),
    )
    return [(r[0], r[1]) for r in rows]


def _details(
    project: Project, query: str, unit_ids: list[int], marks: tuple[str, str]
) -> dict[int, sqlite3.Row]:
    if not unit_ids:
        return {}
    rows = project.execute(
        "SELECT u.id AS unit_id, u.document_id, d.name AS document, c.name AS council, d.phase, d.role,"
        " u.start, u.end, snippet(unit_fts, 0, ?, ?, ?, ?) AS snippet"
        " FROM unit_fts JOIN units u ON u.id = unit_fts.rowid JOIN documents d ON d.id = u.document_id"
        " LEFT JOIN cases c ON c.id = d.case_id"
        f" WHERE unit_fts MATCH ? AND unit_fts.rowid IN ({','.join('?' * len(unit_ids))})",
        (marks[0], marks[1], ELLIPSIS, SNIPPET_TOKENS, query, *unit_ids),
    )
    return {r["unit_id"]: r for r in rows}


def _hit(row: sqlite3.Row, score: float) -> Hit:
    return Hit(
        document_id=row["document_id"],
        document=row["document"],
        council=row["council"],
        phase=row["phase"],
        role=row["role"],
        start=row["start"],
        end=row["end"],
        snippet=row["snippet"],
        score=score,
    )


# -- the index itself -------------------------------------------------------------------------------------


def rebuild_index(project: Project) -> int:
    """Rebuild the search index from the sentence units; returns how many sentences it holds."""
    with project.transaction():
        project.execute("INSERT INTO unit_fts(unit_fts) VALUES ('rebuild')")
    return indexed_sentences(project)


def indexed_sentences(project: Project) -> int:
    return project.scalar("SELECT count(*) FROM unit_fts_docsize")


def check_index(project: Project) -> None:
    """Raise BeaconError when the index no longer matches the sentences it was built from."""
    try:
        project.execute("INSERT INTO unit_fts(unit_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        raise BeaconError(
            f"the search index does not match the transcripts ({exc}); rebuild it with 'beacon-qual reindex'"
        ) from None
