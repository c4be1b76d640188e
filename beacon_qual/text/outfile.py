"""The one way beacon-qual writes an output file (exports, reports, quotes, codebooks).

Every command that writes a file names it with an :class:`Output`, which decides what writing
there means and refuses what would destroy something:

* ``-`` is standard output;
* the open project, its ``-wal`` and ``-shm`` files, any beacon-qual project (a SQLite file
  carrying the project's ``PRAGMA application_id``) and their ``-wal``/``-shm`` files are never
  written, whatever the options;
* a character device or a named pipe (``/dev/null``, a FIFO) is written through, as
  ``cat > /dev/null`` does: it is opened and written, never replaced; a block device, a socket
  or a folder is refused;
* a symbolic link is followed: the file it points to is written, and the link stays a link;
* a regular file is written whole or not at all: into a temporary file in the same folder,
  synced to disk, then renamed into place. An existing file is replaced only with ``force``,
  or when beacon-qual wrote it there and it has not changed since (each file written is
  remembered in the user's cache folder by device, inode, size and change times).

Side files such as a CSV's provenance are written only beside a regular file (:meth:`Output.regular`).
The module lives at the top of the package, beside :mod:`.csvsafe` and :mod:`.errors`, because both the
services that write files (analyses, REFI-QDA export) and the command line use it, and it must not load
Click.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from beacon_qual.errors import BeaconError

STDOUT = "-"
SQLITE_HEADER = b"SQLite format 3\x00"
APPLICATION_ID_OFFSET = 68
FORCE_HINT = "pass --force to replace it"


def _application_id() -> int:
    from beacon_qual.store.schema import (
        APPLICATION_ID,
    )  # the store's constant; imported late to keep start-up light

    return APPLICATION_ID


def is_project_file(path: Path) -> bool:
    """True when ``path`` is a SQLite file carrying beacon-qual's application id (read from its header)."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(APPLICATION_ID_OFFSET + 4)
    except OSError:
        return False
    if len(header) < APPLICATION_ID_OFFSET + 4 or not header.startswith(SQLITE_HEADER):
        return False
    return int.from_bytes(header[APPLICATION_ID_OFFSET:], "big") == _application_id()


def _project_kind(real: Path, protected: tuple[Path, ...]) -> str | None:
    """Why ``real`` must never be written, or None."""
    for project in protected:
        if real == project:
            return "the open project"
        if real in (project.with_name(project.name + "-wal"), project.with_name(project.name + "-shm")):
            return "a file of the open project"
    for suffix in ("-wal", "-shm", "-journal"):
        if real.name.endswith(suffix) and is_project_file(real.with_name(real.name[: -len(suffix)])):
            return "a file of a beacon-qual project"
    try:
        mode = os.stat(real).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) and is_project_file(real):
        return "a beacon-qual project"
    return None


# -- files beacon-qual wrote ----------------------------------------------------------------------------------
def _memo(real: Path) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    encoded = str(real).encode("utf-8", "surrogateescape")
    return cache / "beacon-qual" / "outputs" / f"{zlib.crc32(encoded):08x}{zlib.adler32(encoded):08x}"


def _fingerprint(real: Path, st: os.stat_result) -> str:
    return f"{real}\n{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}\n"


def _written_by_us(real: Path, st: os.stat_result) -> bool:
    try:
        return _memo(real).read_text(encoding="utf-8", errors="surrogateescape") == _fingerprint(real, st)
    except OSError:
        return False


def _remember(real: Path) -> None:
    """Note that beacon-qual wrote ``real`` as it is now; a cache that cannot be written is skipped."""
    memo = _memo(real)
    partial = memo.with_name(f"{memo.name}.{os.getpid()}.partial")
    try:
        content = _fingerprint(real, os.stat(real))
        memo.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(content, encoding="utf-8", errors="surrogateescape")
        os.replace(partial, memo)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()


# -- the target ---------------------------------------------------------------------------------------------
class Output:
    """Where a command writes: a file name, ``-`` for standard output, a device, a pipe or a link.

    ``protect`` lists project files that must never be written (the open project); ``force`` allows
    replacing an existing regular file that beacon-qual did not write.
    """

    def __init__(self, target: Path | str, *, force: bool = False, protect: tuple[Path, ...] = ()) -> None:
        self.given = str(target)
        self.force = force
        self.protect = tuple(Path(os.path.realpath(p)) for p in protect)

    def __str__(self) -> str:
        return "standard output" if self.is_stdout else self.given

    @property
    def is_stdout(self) -> bool:
        return self.given == STDOUT

    @property
    def path(self) -> Path:
        return Path(self.given)

    def _real(self) -> Path:
        return Path(os.path.realpath(self.given))

    def regular(self) -> bool:
        """True when the output is (or will be) a regular file, so side files may go beside it."""
        if self.is_stdout:
            return False
        try:
            return stat.S_ISREG(os.stat(self._real()).st_mode)
        except FileNotFoundError:
            return True
        except OSError:
            return False

    def side(self, suffix: str) -> Output:
        """The output named like this one plus ``suffix`` (``out.csv.provenance.json``), same rules."""
        return Output(self.given + suffix, force=self.force, protect=self.protect)

    def check(self, *, binary: bool = False) -> str:
        """Refuse a target that may not be written; return how it will be written:
        ``stdout``, ``through`` (device or pipe) or ``file``."""
        if self.is_stdout:
            if binary and sys.stdout.isatty():
                raise BeaconError("will not write a binary file to the terminal; redirect it or give -o FILE")
            return "stdout"
        if not self.given:
            raise BeaconError("the output file name is empty")
        real = self._real()
        why = _project_kind(real, self.protect)
        if why is not None:
            raise BeaconError(f"{self.given} is {why}; beacon-qual never writes output over it")
        try:
            st = os.stat(real)
        except FileNotFoundError:
            folder = real.parent
            if not folder.is_dir():
                raise BeaconError(f"folder {Path(self.given).parent} does not exist") from None
            return "file"
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            raise BeaconError(f"{self.given} is a folder; give a file name")
        if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
            return "through"
        if not stat.S_ISREG(mode):
            raise BeaconError(
                f"{self.given} is not a regular file, a character device or a pipe; not written"
            )
        if not self.force and not _written_by_us(real, st):
            raise BeaconError(f"{self.given} already exists; {FORCE_HINT}")
        return "file"

    @contextlib.contextmanager
    def open(self, *, binary: bool = False) -> Iterator[BinaryIO]:
        """A binary file to write the output to; the file is in place only if the block ends normally."""
        how = self.check(binary=binary)
        if how == "stdout":
            sys.stdout.flush()
            out = sys.stdout.buffer
            yield out
            out.flush()
            return
        real = self._real()
        if how == "through":
            fd = os.open(real, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
            with os.fdopen(fd, "wb") as fh:
                yield fh
            return
        fd, tmp_name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".partial")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
                _set_mode(fh.fileno(), real)
            self._place(tmp, real)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        _remember(real)

    def _place(self, tmp: Path, real: Path) -> None:
        """Rename the finished file into place; a name taken meanwhile by another file needs --force."""
        if os.path.lexists(real):
            # A check again, right before replacing: what is there now may have changed since.
            if self.check() != "file":
                raise BeaconError(f"{self.given} changed while the output was written; not replaced")
            os.replace(tmp, real)
        else:
            try:
                os.link(tmp, real)  # creates the name only if it is still free
            except FileExistsError:
                if not self.force or self.check() != "file":
                    raise BeaconError(f"{self.given} was created while writing; {FORCE_HINT}") from None
                os.replace(tmp, real)
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                    raise
                os.replace(tmp, real)  # a file system without hard links
        _fsync_folder(real.parent)

    def write(self, data: str | bytes) -> None:
        """Write text (UTF-8, as given) or bytes whole."""
        with self.open(binary=isinstance(data, bytes)) as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)

    def write_with(self, writer: Callable[[BinaryIO], None], *, binary: bool = True) -> None:
        with self.open(binary=binary) as fh:
            writer(fh)


def _set_mode(fd: int, real: Path) -> None:
    """The replaced file's permissions, or a new file's usual ones (mkstemp makes it private)."""
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with contextlib.suppress(OSError):
        os.fchmod(fd, mode)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def output_for(target: Path | str | Output, *, force: bool = False, protect: tuple[Path, ...] = ()) -> Output:
    """An :class:`Output` for a path given by a caller, or the one given."""
    return target if isinstance(target, Output) else Output(target, force=force, protect=protect)


def check_copy_target(target: Path | str, *, protect: tuple[Path, ...], force: bool) -> Path:
    """For a whole copy of a project (``backup``, ``clone``), written by renaming a finished copy into
    place: refuse the open project and every project's ``-wal``/``-shm``, a symbolic link, a device, a
    pipe or a folder (a rename would replace them), and an existing file without ``force``."""
    path = Path(target)
    real = Path(os.path.realpath(path))
    why = _project_kind(real, tuple(Path(os.path.realpath(p)) for p in protect))
    if why is not None and why != "a beacon-qual project":
        raise BeaconError(f"{path} is {why}; choose another file for the copy")
    if os.path.lexists(path):
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            raise BeaconError(f"{path} is not a regular file (a link, folder, device or pipe); not replaced")
        if not force:
            raise BeaconError(f"{path} already exists; choose another name or pass --force")
    elif not path.parent.is_dir():
        raise BeaconError(f"folder {path.parent} does not exist")
    return path
