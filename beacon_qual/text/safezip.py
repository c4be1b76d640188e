"""Reading ZIP archives that come from elsewhere (.qdpx projects, .docx and .xlsx files) without trusting them.

An archive is refused as a whole, before anything is read from it, when

* a member's path could escape a folder it were unpacked into (``../``, an absolute
  path, a drive letter, a backslash path doing the same) or is a symbolic link;
* two members have the same name (one could hide behind the other);
* it holds more members than :data:`Limits.max_members`, or declares more bytes than
  :data:`Limits.max_declared_total` or a member larger than the 2 GiB REFI-QDA limit.

A member is refused when it is read if it declares more than :data:`Limits.max_member`
bytes or compresses suspiciously well (a zip bomb). Reading stops at the declared size
and checks the CRC, so a lying header cannot make us hold more than the cap in memory.
Nothing is ever unpacked to disk.

Word documents and workbooks are unpacked by python-docx and openpyxl, which read every
part they need whole: :func:`check_office_archive` applies every member's limits (and a
smaller one, :data:`Limits.max_xml_part`, to XML parts) from the sizes the archive
declares, before anything is decompressed, then refuses a part that declares a DTD or
entities, reading each XML part in pieces. Python's ``zipfile``, which both libraries use,
stops at a member's declared size, so a header that lies cannot get past the limits either.
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Self

from beacon_qual.errors import BeaconError

REFI_MEMBER_LIMIT = 2**31 - 1  # REFI-QDA 1.5, section 8.5
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    """How much an archive may ask of us; the defaults suit interview projects with media."""

    max_members: int = 50_000
    max_declared_total: int = 16 * 2**30
    max_member: int = 256 * 2**20  # a member we read (XML, text, docx)
    max_read_total: int = 1 * 2**30  # all members we read together
    max_ratio: float = 200.0  # uncompressed / compressed, checked above ratio_floor
    ratio_floor: int = 4 * 2**20
    max_xml_part: int | None = None  # an XML part (.xml, .rels) we let a library parse whole

    def tightened(self, other: Limits) -> Limits:
        """The stricter of two sets of limits, field by field."""
        values = {}
        for name in self.__dataclass_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            values[name] = theirs if mine is None else mine if theirs is None else min(mine, theirs)
        return Limits(**values)


DEFAULT_LIMITS = Limits()
# A transcript or a survey workbook: a few MB of XML at most, a few images. python-docx holds every part in memory.
OFFICE_LIMITS = Limits(
    max_members=5_000,
    max_declared_total=512 * 2**20,
    max_member=256 * 2**20,
    max_read_total=512 * 2**20,
    max_xml_part=64 * 2**20,
)
XML_SUFFIXES = (".xml", ".rels")


class SafeArchive:
    """A ZIP archive whose member list has been checked; read members with :meth:`read`."""

    def __init__(
        self,
        source: Path | IO[bytes],
        label: str,
        limits: Limits = DEFAULT_LIMITS,
        *,
        not_zip: str = "is not a ZIP archive (or it is damaged)",
    ):
        self.label = label
        self.limits = limits
        self._read_total = 0
        try:
            self._zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
            raise BeaconError(f"{label} {not_zip}") from None
        try:
            self._check_members()
        except BeaconError:
            self._zip.close()
            raise
        self.names: list[str] = [info.filename for info in self._zip.infolist() if not info.is_dir()]

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_members(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_members:
            raise BeaconError(
                f"{self.label} holds {len(infos)} files, more than the {self.limits.max_members} accepted"
            )
        seen: set[str] = set()
        total = 0
        for info in infos:
            problem = unsafe_reason(info)
            if problem:
                raise BeaconError(f"{self.label} is refused: member {info.filename!r} {problem}")
            key = info.filename.replace("\\", "/").rstrip("/").lower()
            if key in seen:
                raise BeaconError(f"{self.label} is refused: it holds two members named {info.filename!r}")
            seen.add(key)
            if info.file_size > REFI_MEMBER_LIMIT:
                raise BeaconError(
                    f"{self.label} is refused: member {info.filename!r} declares {info.file_size} bytes, "
                    f"over the REFI-QDA limit of {REFI_MEMBER_LIMIT}"
                )
            total += info.file_size
        if total > self.limits.max_declared_total:
            raise BeaconError(
                f"{self.label} is refused: it declares {total} bytes unpacked, more than the "
                f"{self.limits.max_declared_total} accepted"
            )

    def info(self, name: str) -> zipfile.ZipInfo:
        return self._zip.getinfo(name)

    def check_member(self, name: str) -> zipfile.ZipInfo:
        """A member's entry, refused by what it declares (size, ratio, encryption) before any of it is read."""
        info = self._zip.getinfo(name)
        where = f"{self.label}: {name}"
        cap = self.limits.max_member
        if info.file_size > cap:
            raise BeaconError(f"{where} declares {info.file_size} bytes, more than the {cap} accepted")
        xml_cap = self.limits.max_xml_part
        if xml_cap is not None and name.lower().endswith(XML_SUFFIXES) and info.file_size > xml_cap:
            raise BeaconError(
                f"{where} is an XML part of {info.file_size} bytes, more than the {xml_cap} accepted"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > self.limits.ratio_floor and ratio > self.limits.max_ratio:
            raise BeaconError(
                f"{where} is refused: it unpacks {ratio:.0f} times larger than it is stored (a zip bomb?)"
            )
        if info.flag_bits & 0x1:
            raise BeaconError(f"{where} is encrypted; export it again without a password")
        return info

    def refuse_dtd(self, name: str, chunk: int = 2**20) -> None:
        """Refuse an XML part that declares a DTD or entities, reading it a piece at a time."""
        info = self.check_member(name)
        where = f"{self.label}: {name}"
        tail = b""
        try:
            with self._zip.open(info) as fh:
                while piece := fh.read(chunk):
                    self._count(len(piece))
                    window = tail + piece
                    if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                        raise BeaconError(f"{where} declares a DTD or entities, which is refused")
                    tail = window[-16:]
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise BeaconError(f"{where} is damaged and cannot be read ({exc})") from None
        except NotImplementedError:
            raise BeaconError(f"{where} uses a compression method that cannot be read") from None

    def _count(self, size: int) -> None:
        self._read_total += size
        if self._read_total > self.limits.max_read_total:
            raise BeaconError(
                f"{self.label} is refused: reading it needs more than {self.limits.max_read_total} bytes"
            )

    def read(self, name: str) -> bytes:
        """The bytes of one member, within the limits."""
        info = self.check_member(name)
        where = f"{self.label}: {name}"
        try:
            with self._zip.open(info) as fh:
                # zipfile stops at the declared size and checks the CRC there, so a
                # header that lies about the size fails instead of flooding memory.
                data = fh.read(info.file_size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise BeaconError(f"{where} is damaged and cannot be read ({exc})") from None
        except NotImplementedError:
            raise BeaconError(f"{where} uses a compression method that cannot be read") from None
        self._count(len(data))
        return data


def check_office_archive(
    source: Path | IO[bytes], label: str, limits: Limits = OFFICE_LIMITS, *, kind: str = "document"
) -> None:
    """Refuse a .docx or .xlsx that a library could not unpack within ``limits``, before it tries.

    The member list and every member's declared size and compression ratio are checked first, from the
    archive's directory alone; then each XML part is read in pieces for a DTD or entity declaration.
    """
    with SafeArchive(
        source, label, limits, not_zip=f"is not a readable {kind} (not a ZIP archive)"
    ) as archive:
        for name in archive.names:
            archive.check_member(name)
        for name in archive.names:
            if name.lower().endswith(XML_SUFFIXES):
                archive.refuse_dtd(name)


def unsafe_reason(info: zipfile.ZipInfo) -> str | None:
    """Why a member's path or type is unsafe, or None."""
    name = info.filename
    if "\x00" in name:
        return "has a NUL character in its name"
    unix_mode = info.external_attr >> 16
    if unix_mode and stat.S_ISLNK(unix_mode):
        return "is a symbolic link"
    path = name.replace("\\", "/")
    if path.startswith("/") or _DRIVE.match(path):
        return "has an absolute path"
    if ".." in PurePosixPath(path).parts:
        return "has a path that leaves the archive ('..')"
    return None
