"""Verifying a project file without changing it.

:func:`check_project` opens the file read-only (it neither migrates nor repairs)
and reports, one line each:

* rows whose foreign keys point at nothing (``PRAGMA foreign_key_check``): codings
  without their code, document or coder, units of missing documents, survey values
  of missing cases or variables;
* memos on targets that no longer exist (memo targets have no foreign key);
* codings and units outside their document's text (``0 <= start < end <= length``),
  and codings whose status is neither 'ok' nor 'review';
* stored texts whose sha256 does not match, or that hold CR line endings or a BOM;
* documents whose revision number disagrees with the earlier texts kept for them;
* derived tables that differ from a fresh derivation: each coding's sentences and turns (``coding_units``),
  the codings per code, document and coder (``coding_counts``), each document's length
  (``document_lengths``) and units of each kind (``unit_counts``), with the advice to run
  ``beacon-qual reindex``;
* the application id and schema version.

Two whole-file verifications run with ``full`` only, as they read every page or every index entry and grow
with the file (the summary says whether they ran):

* the file's SQLite integrity (``PRAGMA integrity_check``): every page, every index against its table;
* the full-text search index against the sentences (FTS5's ``integrity-check``), with the advice to run
  ``beacon-qual reindex``.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from beacon_qual.errors import BeaconError
from beacon_qual.store.db import SQLITE_HEADER
from beacon_qual.store.placement import count_differences, placement_differences
from beacon_qual.store.schema import APPLICATION_ID, SCHEMA_VERSION

MAX_LISTED = 50  # problems listed per check; the rest are counted
MEMO_TARGETS = {"document": "documents", "code": "codes", "case": "cases", "coding": "codings"}


@dataclass
class CheckReport:
    path: Path
    problems: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_project(path: Path | str, *, full: bool = True) -> CheckReport:
    """Every problem found in the project at ``path``; raises BeaconError only when it cannot be read at all.
    ``full``: SQLite's own integrity check and FTS5's check of the search index too (the summary says whether
    they ran)."""
    path = Path(path)
    conn = _open_readonly(path)
    report = CheckReport(path)
    # The derived tables' placement and counts, most of a plain check's time, run on a second read-only
    # connection in a thread (SQLite lets go of the interpreter while a statement runs). Each connection holds
    # one read transaction: its checks see one committed state while coders go on writing (a derived table's
    # check compares counts taken by separate statements, all on its own connection).
    with ThreadPoolExecutor(max_workers=1) as pool:
        derived = pool.submit(_checked_apart, path, (_placement, _counts))
        try:
            conn.execute("BEGIN")
            checks = (
                _schema,
                *((_integrity,) if full else ()),
                _foreign_keys,
                _memo_targets,
                _offsets,
                _texts,
                _revisions,
            )
            report.problems.extend(_run_checks(conn, checks))
            report.summary = _summary(conn)
        finally:
            conn.close()
        report.problems.extend(derived.result())
    if full:
        report.problems.extend(_search_index(path))
    for label, prefix in (("SQLite integrity check", "integrity"), ("search index check", "search index")):
        if not full:
            outcome = "not run (check --full runs it)"
        elif any(p.startswith(prefix) for p in report.problems):
            outcome = "problems above"
        else:
            outcome = "ok"
        report.summary.append(f"{label}: {outcome}")
    return report


def _run_checks(
    conn: sqlite3.Connection, checks: tuple[Callable[[sqlite3.Connection], list[str]], ...]
) -> list[str]:
    problems: list[str] = []
    for check in checks:
        try:
            problems.extend(_limited(check(conn)))
        except sqlite3.DatabaseError as exc:
            problems.append(f"{check.__name__.strip('_').replace('_', ' ')}: cannot be checked ({exc})")
    return problems


def _checked_apart(path: Path, checks: tuple[Callable[[sqlite3.Connection], list[str]], ...]) -> list[str]:
    """``checks`` run on a read-only connection of their own, in one read transaction."""
    try:
        conn = _open_readonly(path)
    except BeaconError as exc:
        return [f"derived tables: cannot be checked ({exc})"]
    try:
        conn.execute("BEGIN")
        return _run_checks(conn, checks)
    except sqlite3.DatabaseError as exc:
        return [f"derived tables: cannot be checked ({exc})"]
    finally:
        conn.close()


def _open_readonly(path: Path) -> sqlite3.Connection:
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise BeaconError(f"no project at {path}") from None
    except OSError as exc:
        raise BeaconError(f"cannot read {path}: {exc.strerror or exc}") from None
    if header != SQLITE_HEADER:
        raise BeaconError(f"{path} is not a beacon-qual project (not an SQLite database)")
    conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 60000")
    return conn


def _limited(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_LISTED:
        return problems
    return [*problems[:MAX_LISTED], f"... and {len(problems) - MAX_LISTED} more like these"]


def _schema(conn: sqlite3.Connection) -> list[str]:
    problems = []
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id != APPLICATION_ID:
        problems.append(f"application id is {app_id:#x}, not beacon-qual's {APPLICATION_ID:#x}")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version < SCHEMA_VERSION:
        problems.append(
            f"schema version {version} is older than {SCHEMA_VERSION}; opening the project migrates it"
        )
    elif version > SCHEMA_VERSION:
        problems.append(f"schema version {version} is newer than this beacon-qual reads ({SCHEMA_VERSION})")
    return problems


def _derived(
    conn: sqlite3.Connection, table: str, differences: Callable[[sqlite3.Connection], int], what: str
) -> list[str]:
    """A table that triggers derive from the codings, compared with one made afresh (absent before its schema)."""
    if not _has_table(conn, table):
        return []
    differing = differences(conn)
    return [f"{what.format(differing)}: run 'beacon-qual reindex'"] if differing else []


def _placement(conn: sqlite3.Connection) -> list[str]:
    return _derived(
        conn,
        "coding_units",
        placement_differences,
        "coding placement: {} (coding, sentence or turn) rows differ from where the codings lie; "
        "co-occurrence within sentences and turns reads them",
    )


def _counts(conn: sqlite3.Connection) -> list[str]:
    return _derived(
        conn,
        "coding_counts",
        count_differences,
        "coding counts: {} (code, document, coder) counts differ from the codings; code frequencies read them",
    )


def _search_index(path: Path) -> list[str]:
    """FTS5's own comparison of the search index with the sentences it indexes.

    SQLite runs it as an INSERT into the index table, which a read-only connection refuses, so it gets a
    connection of its own that writes nothing: the check changes no row and its transaction is rolled back.
    """
    try:
        conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=rw", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        return [f"search index: cannot be checked ({exc})"]
    try:
        conn.execute("PRAGMA busy_timeout = 60000")
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'unit_fts'").fetchone():
            return []
        conn.execute("BEGIN")
        try:
            conn.execute("INSERT INTO unit_fts(unit_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            if "readonly" in str(exc) or "read-only" in str(exc):
                return [f"search index: cannot be checked ({exc})"]
            problem = (
                f"search index: it does not match the sentences of the transcripts ({exc}); "
                "search may miss or misplace hits: run 'beacon-qual reindex'"
            )
            return [problem]
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
    except sqlite3.DatabaseError as exc:
        return [f"search index: cannot be checked ({exc})"]
    finally:
        conn.close()
    return []


def _integrity(conn: sqlite3.Connection) -> list[str]:
    rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else [f"integrity: {row}" for row in rows]


def _foreign_keys(conn: sqlite3.Connection) -> list[str]:
    problems = []
    columns: dict[tuple[str, int], str] = {}
    for table, rowid, parent, fkid in conn.execute("PRAGMA foreign_key_check").fetchall():
        if (table, fkid) not in columns:
            for fk in conn.execute(f"PRAGMA foreign_key_list({table})"):
                columns[(table, fk[0])] = fk[3]
        column = columns.get((table, fkid), "a column")
        problems.append(f"orphan: {table} row {rowid} has {column} pointing at a missing {parent} row")
    return problems


def _memo_targets(conn: sqlite3.Connection) -> list[str]:
    problems: list[str] = []
    for target_type, table in MEMO_TARGETS.items():
        rows = conn.execute(
            f"SELECT m.id, m.target_id FROM memos m LEFT JOIN {table} t ON t.id = m.target_id"
            " WHERE m.target_type = ? AND t.id IS NULL ORDER BY m.id",
            (target_type,),
        )
        problems.extend(
            f"orphan: memo {mid} is on {target_type} {tid}, which does not exist" for mid, tid in rows
        )
    return problems


def _offsets(conn: sqlite3.Connection) -> list[str]:
    """Codings and units outside their document's text, codings of no known status, and the two tables derived
    from texts and units (schema V11): ``document_lengths`` against each text's length and ``unit_counts``
    against the units counted afresh.

    Each text's length is worked out once (length() reads the whole text; joining every coding and unit to its
    document read it again for each). One pass over the units, grouped by document and kind, serves both the
    units' offsets and their counts: a group whose smallest start, largest end or number of empty units is out
    of bounds is read again by its key to list its units.
    """
    lengths = dict(conn.execute("SELECT id, length(text) FROM documents").fetchall())
    groups = conn.execute(
        "SELECT document_id, kind, count(*), sum(end > start), max(end), min(start), sum(start >= end)"
        " FROM units GROUP BY document_id, kind"
    ).fetchall()
    lengths_kept = _has_table(conn, "document_lengths")
    problems = _document_lengths(conn, lengths) if lengths_kept else []
    # The codings are joined to the stored lengths when these were just found equal to the texts' lengths.
    if lengths_kept and not problems:
        source = "(SELECT document_id AS id, characters AS n FROM document_lengths)"
    else:
        source = "(SELECT id, length(text) AS n FROM documents)"
    rows = conn.execute(
        f"WITH lengths AS MATERIALIZED {source}"
        " SELECT x.id, x.document_id, x.start, x.end, d.n FROM codings x"
        " JOIN lengths d ON d.id = x.document_id"
        " WHERE NOT (x.start >= 0 AND x.start < x.end AND x.end <= d.n) ORDER BY x.id"
    )
    problems.extend(
        f"offsets: coding {xid} covers {start}-{end}, outside document {doc} (length {length})"
        for xid, doc, start, end, length in rows
    )
    outside: list[tuple[int, int, int, int, int]] = []
    for doc, kind, _n, _spans, max_end, min_start, empty in groups:
        length = lengths.get(doc)
        if length is not None and (min_start < 0 or max_end > length or empty):
            outside.extend(
                (*row, length)
                for row in conn.execute(
                    "SELECT id, document_id, start, end FROM units WHERE document_id = ? AND kind = ?"
                    " AND NOT (start >= 0 AND start < end AND end <= ?)",
                    (doc, kind, length),
                )
            )
    problems.extend(
        f"offsets: unit {uid} covers {start}-{end}, outside document {doc} (length {length})"
        for uid, doc, start, end, length in sorted(outside)
    )
    rows = conn.execute("SELECT id, status FROM codings WHERE status NOT IN ('ok', 'review') ORDER BY id")
    problems.extend(
        f"status: coding {cid} has status {status!r} (not 'ok' or 'review')" for cid, status in rows
    )
    if _has_table(conn, "unit_counts"):
        problems.extend(_unit_counts(conn, groups))
    return problems


def _document_lengths(conn: sqlite3.Connection, lengths: dict[int, int]) -> list[str]:
    stored = dict(conn.execute("SELECT document_id, characters FROM document_lengths").fetchall())
    differing = len(stored.keys() ^ lengths.keys()) + sum(
        stored[doc] != n for doc, n in lengths.items() if doc in stored
    )
    if not differing:
        return []
    problem = (
        f"document lengths: {differing} document(s) whose stored length differs from their text; "
        "agreement reads them: run 'beacon-qual reindex'"
    )
    return [problem]


def _unit_counts(
    conn: sqlite3.Connection, groups: list[tuple[int, str, int, int, int, int, int]]
) -> list[str]:
    """``unit_counts`` against the units counted afresh; its ``max_end`` may exceed the largest end (deleting a
    unit leaves it) but never fall short of it."""
    counted = {(doc, kind): (n, spans, max_end) for doc, kind, n, spans, max_end, _s, _e in groups}
    kept = {
        (doc, kind): (n, spans, max_end)
        for doc, kind, n, spans, max_end in conn.execute(
            "SELECT document_id, kind, units, spans, max_end FROM unit_counts"
        )
    }
    differing = len(counted.keys() ^ kept.keys()) + sum(
        kept[key][:2] != fresh[:2] or kept[key][2] < fresh[2] for key, fresh in counted.items() if key in kept
    )
    if not differing:
        return []
    problem = (
        f"unit counts: {differing} (document, kind) rows differ from the units; "
        "agreement reads them: run 'beacon-qual reindex'"
    )
    return [problem]


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


_DOCUMENT_TEXTS = "SELECT name, text, sha256 FROM documents ORDER BY id"
_KEPT_TEXTS = (
    "SELECT d.name || ' revision ' || r.revision, r.text, r.sha256 FROM document_revisions r"
    " LEFT JOIN documents d ON d.id = r.document_id ORDER BY r.id"
)


def _texts(conn: sqlite3.Connection) -> list[str]:
    problems = []
    for sql, label in ((_DOCUMENT_TEXTS, "document {}"), (_KEPT_TEXTS, "kept text of {}")):
        for name, text, sha in conn.execute(sql):
            where = label.format(repr(name))
            if hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() != sha:
                problems.append(f"hash: {where}: the stored sha256 does not match its text")
            if "\r" in text or text.startswith("\ufeff"):
                problems.append(f"text: {where} holds CR line endings or a byte-order mark")
    return problems


def _revisions(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT d.name, d.revision, (SELECT max(revision) FROM document_revisions r WHERE r.document_id = d.id)"
        " FROM documents d ORDER BY d.id"
    )
    return [
        f"revisions: document {name!r} is at revision {revision} but "
        + (f"the last kept text is revision {kept}" if kept else "no earlier text is kept")
        for name, revision, kept in rows
        if (kept or 0) != revision - 1
    ]


def _summary(conn: sqlite3.Connection) -> list[str]:
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("documents", "units", "codings", "codes", "memos", "case_values")
        }
        review = conn.execute("SELECT count(*) FROM codings WHERE status = 'review'").fetchone()[0]
    except sqlite3.DatabaseError:
        return []
    line = (
        f"schema version {version}; {counts['documents']:,} document(s), {counts['units']:,} unit(s), "
        f"{counts['codes']:,} code(s), {counts['codings']:,} coding(s) ({review:,} flagged for review), "
        f"{counts['memos']:,} memo(s), {counts['case_values']:,} survey value(s)"
    )
    return [line]
