"""Opening, creating and migrating project files; transactions and the audit trail.

A project is one SQLite file. Connections run in autocommit mode and every
change goes through :meth:`Project.transaction`, which starts ``BEGIN IMMEDIATE``
so that two processes writing the same project queue on the busy timeout
instead of failing with "database is locked" when a read lock is upgraded.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from beacon_qual.errors import BeaconError
from beacon_qual.store import backups
from beacon_qual.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, STATE_VERSION

if TYPE_CHECKING:
    import sqlite_utils

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 60_000


def now() -> str:
    """The current time as an ISO 8601 UTC string (second precision, 'Z')."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_uuid() -> str:
    import uuid  # imported on first use: most commands write nothing

    return str(uuid.uuid4())


def _connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        uri = f"file:{Path(path).resolve().as_posix()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def inspect_file(path: Path) -> tuple[int, int]:
    """Return (application_id, user_version) of an existing file, read-only.

    Raises BeaconError for anything that is not a readable SQLite database.
    """
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise BeaconError(f"cannot read project {path}: {exc.strerror or exc}") from None
    if header != SQLITE_HEADER:
        raise BeaconError(f"{path} is not a beacon-qual project (not an SQLite database)")
    try:
        conn = _connect(path, readonly=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BeaconError(f"{path} is damaged and cannot be opened ({exc})") from None
    return app_id, version


# A changed state gets the next generation and a new random token (see store/schema.py, V10).
SEAL_STATE = (
    "UPDATE project_state SET changed = 0, generation = generation + 1, token = lower(hex(randomblob(16)))"
    " WHERE changed <> 0"
)


class Project:
    """An open project file."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self._depth = 0
        # Whether the file has project_state (schema STATE_VERSION on): write transactions then give a changed
        # state its new identity before they commit (see analysis/provenance.py).
        self._has_state = False
        # Set by --file-hash: provenance records carry the SHA-256 of the file too (it reads the whole file).
        self.provenance_file_hash = False
        # Set when opening migrated the file: the backup made first (see store/backups.py).
        self.migration_backup: backups.Backup | None = None

    # -- opening -----------------------------------------------------------------
    @classmethod
    def create(cls, path: Path | str) -> Project:
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise BeaconError(f"{path} already exists; open it instead of creating it")
        if not path.parent.exists():
            raise BeaconError(f"folder {path.parent} does not exist")
        conn = _connect(path)
        project = cls(path, conn)
        project._configure()
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        project._migrate(0)
        with project.transaction():
            project.set_meta("created_at", now())
            project.set_meta("project_uuid", new_uuid())
        return project

    @classmethod
    def open(cls, path: Path | str, *, create: bool = False) -> Project:
        path = Path(path)
        if not path.exists() or path.stat().st_size == 0:
            if create:
                return cls.create(path)
            raise BeaconError(f"no project at {path}; create one with 'beacon-qual init' or pass --project")
        app_id, version = inspect_file(path)
        if app_id != APPLICATION_ID:
            raise BeaconError(f"{path} is an SQLite database but not a beacon-qual project")
        if version > SCHEMA_VERSION:
            raise BeaconError(
                f"{path} was written by a newer beacon-qual (schema {version}, this version reads up to "
                f"{SCHEMA_VERSION}); upgrade beacon-qual to open it"
            )
        conn = _connect(path)
        project = cls(path, conn)
        try:
            project._configure()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise BeaconError(f"{path} is damaged and cannot be opened ({exc})") from None
        if version < SCHEMA_VERSION:
            try:
                keep = backups.keep_count()
            except BeaconError:
                conn.close()
                raise
            backup = path.with_name(f"{path.name}.before-v{SCHEMA_VERSION}.bak")
            if os.path.lexists(backup):  # an earlier migration's backup is kept, not replaced
                backup = backups.backup_path(path, f"v{SCHEMA_VERSION}")
            project.backup(backup)
            project._migrate(version)
            project.migration_backup = backups.prune(path, "migration", backup, keep)
        return project

    def _configure(self) -> None:
        self.conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit the screen has confirmed survives a crash of the machine too.
        self.conn.execute("PRAGMA synchronous = FULL")
        self._has_state = self.conn.execute("PRAGMA user_version").fetchone()[0] >= STATE_VERSION

    def _migrate(self, from_version: int) -> None:
        for target, script in enumerate(MIGRATIONS[from_version:], start=from_version + 1):
            with self.transaction():
                for statement in _split_sql(script):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {target}")
                self._has_state = target >= STATE_VERSION

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing unit of work. Nested calls become savepoints."""
        conn = self.conn
        if self._depth == 0:
            conn.execute("BEGIN IMMEDIATE")
            name = None
        else:
            name = f"sp{self._depth}"
            conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield conn
        except BaseException:
            self._depth -= 1
            if name is None:
                conn.execute("ROLLBACK")
            else:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            raise
        else:
            self._depth -= 1
            if name is None:
                if self._has_state:
                    # Written rows set project_state.changed (triggers); the state they leave gets a new identity.
                    try:
                        conn.execute(SEAL_STATE)
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                conn.execute("COMMIT")
            else:
                conn.execute(f"RELEASE {name}")

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    # -- helpers -----------------------------------------------------------------
    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils view of the same connection, for introspection.

        sqlite-utils turns ``PRAGMA recursive_triggers`` on for a connection it wraps unless told not to; that
        would change how the derived tables' triggers fire on this connection for the rest of its life.
        """
        import sqlite_utils  # imported on first use, to keep every command's start-up short

        return sqlite_utils.Database(self.conn, recursive_triggers=False)

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return default if row is None else row[0]

    def set_meta(self, key: str, value: str | None) -> None:
        self.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        *,
        before: dict | None = None,
        after: dict | None = None,
        coder_id: int | None = None,
    ) -> int:
        """Record one change. Call inside the transaction that makes the change."""
        cur = self.execute(
            "INSERT INTO audit(at, coder_id, action, entity, entity_id, before, after) VALUES (?,?,?,?,?,?,?)",
            (
                now(),
                coder_id,
                action,
                entity,
                entity_id,
                None if before is None else json.dumps(before, ensure_ascii=False),
                None if after is None else json.dumps(after, ensure_ascii=False),
            ),
        )
        audit_id = cur.lastrowid
        assert audit_id is not None  # an INSERT always sets it
        return audit_id

    def coder_id(self, name: str, *, create: bool = True) -> int:
        """The id of the coder called ``name``, created on first use."""
        name = name.strip()
        if not name:
            raise BeaconError("a coder name cannot be empty")
        row = self.one("SELECT id FROM coders WHERE name = ?", (name,))
        if row is not None:
            return row[0]
        if not create:
            raise BeaconError(f"no coder called {name!r} in this project")
        with self.transaction():
            # Another process may have added the same coder since the lookup above: keep theirs.
            self.execute(
                "INSERT INTO coders(uuid, name, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING",
                (new_uuid(), name, now()),
            )
            return self.scalar("SELECT id FROM coders WHERE name = ?", (name,))

    def backup(self, dest: Path | str) -> Path:
        """Copy the project to ``dest``: a consistent snapshot of its committed state, safe while others write.

        The copy is made under a read transaction, which in WAL mode pins a snapshot: until it
        ends no checkpoint writes pages newer than the snapshot into the project file and the
        WAL is not restarted, so the project file's bytes plus the WAL's committed frames hold
        the snapshot (and possibly later commits, never a half-written one: SQLite's WAL
        recovery in the copy keeps only whole transactions, as after a crash). The bytes are
        copied by the kernel, faster than SQLite's backup API (benchmarks/backup_speed.py), which reads
        and writes every page through both connections' page caches. The copy's WAL is then folded
        into it, so the backup is one file; it is written to ``dest.partial``, synced to disk
        and renamed, so ``dest`` is never a half-written file. Another connection holding the
        write lock does not delay it.
        """
        return self.start_backup(dest).wait()

    def start_backup(self, dest: Path | str) -> PendingBackup:
        """:meth:`backup`, returning once the copy is whole but before it is synced to disk and named, which
        a thread goes on with: a writer that backs up first (merge) does its work meanwhile and calls
        ``wait()`` before it commits, so the backup is on disk before the change it guards against is."""
        if self.in_transaction or self.conn.in_transaction:
            raise BeaconError("cannot back up the project inside one of its own transactions")
        dest = Path(dest)
        tmp = dest.with_name(dest.name + ".partial")
        _remove_database_files(tmp)
        try:
            self._copy_snapshot(tmp)
            _fold_wal(tmp)
        except BaseException:
            _remove_database_files(tmp)
            raise
        return PendingBackup(tmp, dest)

    def _copy_snapshot(self, tmp: Path) -> None:
        import shutil

        main = Path(next(row[2] for row in self.conn.execute("PRAGMA database_list") if row[1] == "main"))
        wal_mode = self.scalar("PRAGMA main.journal_mode") == "wal"
        self.conn.execute("BEGIN")  # deferred: a read transaction, taken by the first read below
        try:
            self.conn.execute("SELECT count(*) FROM main.sqlite_master").fetchone()
            shutil.copyfile(main, tmp)
            wal = main.with_name(main.name + "-wal")
            # Outside WAL mode the read lock keeps writers out of the file until the copy is made.
            if wal_mode and wal.exists() and wal.stat().st_size > 0:
                shutil.copyfile(wal, tmp.with_name(tmp.name + "-wal"))
        finally:
            self.conn.execute("COMMIT")


class PendingBackup:
    """A backup copy whose bytes are all written, being synced to disk and renamed into place by a thread."""

    def __init__(self, tmp: Path, dest: Path) -> None:
        import threading  # imported by the commands that back up, not at every start-up

        self.path = dest
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._finish, args=(tmp,), name="beacon-qual backup")
        self._thread.start()

    def _finish(self, tmp: Path) -> None:
        import shutil

        try:
            _fsync(tmp)
            shutil.move(str(tmp), str(self.path))
            _fsync_folder(self.path.parent)
        except Exception as exc:  # noqa: BLE001 - raised again by wait(), in the thread that asked for the backup
            _remove_database_files(tmp)
            self._error = exc

    def wait(self) -> Path:
        """The backup's path once it is on disk; what stopped it, raised here, if anything did."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.path

    def join(self) -> None:
        """Wait for the thread without raising (for error paths, which report their own error)."""
        self._thread.join()


def _remove_database_files(path: Path) -> None:
    for name in (path.name, path.name + "-wal", path.name + "-shm", path.name + "-journal"):
        path.with_name(name).unlink(missing_ok=True)


def _fold_wal(path: Path) -> None:
    """Write a copied WAL's committed transactions into the copied file and remove the WAL."""
    wal = path.with_name(path.name + "-wal")
    if not wal.exists():
        return
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise BeaconError(f"could not complete the backup {path}: its log could not be written into it")
    finally:
        conn.close()  # the last connection to close removes the WAL and its index
    wal.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; elsewhere a folder cannot be opened and synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements; a trigger's body (BEGIN ... END) stays one statement."""
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if not _only_comments(pending[:-1]):
                statements.append(pending.strip())
            pending = ""
    return statements


def _only_comments(sql: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())
