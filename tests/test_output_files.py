"""Output files: every command that writes one goes through beacon_qual/text/outfile.py.

A project (and its -wal/-shm) is never written over; an existing file needs --force unless beacon-qual
wrote it; '-' is standard output; devices, pipes and links are written through, never replaced.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import docx
import pytest
from builders import ANALYSIS, IMITATION, build
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.store import Project

# Each command that writes a file, with FILE standing for the output it is given.
WRITERS = {
    "frequencies": ["export", "frequencies", "-o", "FILE"],
    "frequencies-markdown": ["export", "frequencies", "--format", "markdown", "-o", "FILE"],
    "crosstab": ["crosstab", "--variable", "region_type", "--format", "csv", "-o", "FILE"],
    "trends": ["trends", "-o", "FILE"],
    "cooccurrence": ["cooccurrence", "-o", "FILE"],
    "quotes": ["quotes", IMITATION, "-o", "FILE"],
    "quotes-docx": ["quotes", IMITATION, "--format", "docx", "-o", "FILE"],
    "joint-display": ["joint-display", "--codes", IMITATION, "--measures", "region_type", "-o", "FILE"],
    "codebook": ["codebook", "export", "-o", "FILE"],
    "qdc": ["export", "qdc", "FILE"],
    "qdpx": ["export", "qdpx", "FILE"],
    "report": ["report", "--quotes", "0", "-o", "FILE"],
    "figure": ["figure", "frequencies", "-o", "FILE"],
    "datasette-metadata": ["export", "datasette-metadata", "-o", "FILE"],
}


@pytest.fixture
def project(make_project_file):
    return make_project_file(ANALYSIS, "analysis.db")


def run(project_path: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project_path), *map(str, args)])


def command(name: str, target: Path | str, *extra: str) -> list[str]:
    return [str(target) if arg == "FILE" else arg for arg in WRITERS[name]] + list(extra)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


# -- projects are never written over --------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(WRITERS))
def test_no_command_writes_over_the_open_project(project: Path, name: str) -> None:
    before = digest(project)
    for target in (project, Path(f"{project}-wal"), Path(f"{project}-shm")):
        line = one_line_error(run(project, *command(name, target, "--force")))
        assert str(target) in line and "never writes" in line
    assert digest(project) == before
    assert not list(project.parent.glob("*.partial"))
    with Project.open(project) as again:
        assert again.scalar("SELECT count(*) FROM codings") == 17


def test_no_command_writes_over_another_project(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    Project.create(other).close()
    before = digest(other)
    for name in WRITERS:
        line = one_line_error(run(project, *command(name, other, "--force")))
        assert "is a beacon-qual project" in line
        line = one_line_error(run(project, *command(name, f"{other}-wal", "--force")))
        assert "a file of a beacon-qual project" in line
    assert digest(other) == before


def test_backup_refuses_the_projects_own_log(project: Path) -> None:
    line = one_line_error(run(project, "backup", "--force", f"{project}-wal"))
    assert "a file of the open project" in line
    assert not Path(f"{project}-wal").exists() or Path(f"{project}-wal").stat().st_size == 0


# -- existing files ---------------------------------------------------------------------------------------
def test_an_existing_file_needs_force_unless_beacon_qual_wrote_it(project: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text("my own notes\n")
    line = one_line_error(run(project, *command("frequencies", notes)))
    assert line == f"error: {notes} already exists; pass --force to replace it"
    assert notes.read_text() == "my own notes\n"
    assert not (tmp_path / "notes.csv.provenance.json").exists()

    assert run(project, *command("frequencies", notes, "--force")).exit_code == 0
    assert notes.read_text().startswith("code,codings,documents,councils\n")
    # Written by beacon-qual and unchanged since: written again without --force.
    again = run(project, *command("frequencies", notes))
    assert again.exit_code == 0, again.output
    # Changed by hand since: --force again.
    with notes.open("a") as fh:
        fh.write("a row of my own\n")
    line = one_line_error(run(project, *command("frequencies", notes)))
    assert "--force" in line and notes.read_text().endswith("a row of my own\n")


@pytest.mark.parametrize("name", ["qdpx", "qdc", "codebook", "quotes-docx"])
def test_every_writer_asks_for_force(project: Path, tmp_path: Path, name: str) -> None:
    target = tmp_path / "mine.out"
    target.write_bytes(b"keep me")
    line = one_line_error(run(project, *command(name, target)))
    assert "--force" in line and target.read_bytes() == b"keep me"
    assert run(project, *command(name, target, "--force")).exit_code == 0
    assert target.read_bytes() != b"keep me"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


# -- standard output --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(set(WRITERS) - {"qdpx", "quotes-docx", "figure"}))
def test_dash_writes_to_standard_output(project: Path, tmp_path: Path, monkeypatch, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(project, *command(name, "-"))
    assert result.exit_code == 0, result.output
    assert len(result.stdout) > 20 and not result.stdout.startswith("wrote")
    assert not (tmp_path / "-").exists() and not (tmp_path / "-.provenance.json").exists()


def test_dash_writes_binary_exports_to_standard_output(project: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(project, *command("qdpx", "-"))
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(io.BytesIO(result.stdout_bytes)) as archive:
        assert "project.qde" in archive.namelist()
    assert "wrote standard output" in result.stderr
    result = run(project, *command("quotes-docx", "-"))
    assert result.exit_code == 0, result.stderr
    assert docx.Document(io.BytesIO(result.stdout_bytes)).paragraphs
    assert not (tmp_path / "-").exists()


def test_a_binary_export_is_not_sent_to_a_terminal(project: Path, tmp_path: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "beacon_qual", "--project", str(project), "export", "qdpx", "-"],
            check=False,
            stdout=follower,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            timeout=120,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 1
    assert done.stderr.decode().strip() == (
        "error: will not write a binary file to the terminal; redirect it or give -o FILE"
    )
    assert not (tmp_path / "-").exists()


# -- devices, pipes and links -----------------------------------------------------------------------------
def test_a_fifo_is_written_through(project: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run(project, *command("frequencies", fifo))
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].startswith(b"code,codings,documents,councils\n")
    # No side file beside a pipe: the provenance goes to standard error, as on the screen.
    assert not (tmp_path / "pipe.provenance.json").exists()
    assert json.loads(result.stderr.split("provenance: ", 1)[1])["analysis"] == "frequencies"


def test_a_symbolic_link_is_written_through(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "results" / "freq.csv"
    target.parent.mkdir()
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    umask = os.umask(0o022)
    try:
        assert run(project, *command("frequencies", link)).exit_code == 0
    finally:
        os.umask(umask)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith("code,codings,documents,councils\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # a new file's usual permissions, not the temporary's
    # The link points at a file beacon-qual did not write: that needs --force, and the link stays.
    target.write_text("changed by hand\n")
    assert "--force" in one_line_error(run(project, *command("qdc", link)))
    assert run(project, *command("qdc", link, "--force")).exit_code == 0
    assert link.is_symlink() and target.read_text().startswith("<?xml")


def test_a_character_device_is_written_through(project: Path, tmp_path: Path) -> None:
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the null device's numbers
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    for name in ("frequencies", "qdpx", "quotes-docx"):
        result = run(project, *command(name, device))
        assert result.exit_code == 0, result.output
        assert stat.S_ISCHR(os.lstat(device).st_mode), name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis.db", "null"]


def test_dev_null_stays_a_device(project: Path) -> None:
    result = run(project, *command("frequencies", os.devnull))
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.lstat(os.devnull).st_mode)
    assert not Path(os.devnull + ".provenance.json").exists()


def test_backup_is_never_written_over_a_link_or_a_pipe(project: Path, tmp_path: Path) -> None:
    link = tmp_path / "copy.db"
    link.symlink_to(tmp_path / "elsewhere.db")
    assert "not a regular file" in one_line_error(run(project, "backup", "--force", str(link)))
    assert link.is_symlink()
    fifo = tmp_path / "copy-pipe"
    os.mkfifo(fifo)
    assert "not a regular file" in one_line_error(run(project, "backup", "--force", str(fifo)))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    # A coder's copy is never written over anything, a link to nowhere included.
    assert "already exists" in one_line_error(run(project, "clone", "--for-coder", "eve", str(link)))
    assert link.is_symlink() and not (tmp_path / "elsewhere.db").exists()


def test_demo_force_never_deletes_a_project_of_ones_own(tmp_path: Path) -> None:
    study = tmp_path / "study.db"
    built = build(study, ANALYSIS)
    built.close()
    before = digest(study)
    line = one_line_error(run(study, "demo", "--force"))
    assert "was not built by 'beacon-qual demo'" in line
    assert digest(study) == before
    with Project.open(study) as again:
        assert again.scalar("SELECT count(*) FROM codings") == 17
