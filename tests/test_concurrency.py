"""Two coders' processes writing one project at once: nothing lost, no 'database is locked' for anyone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from builders import Doc

from beacon_qual.store import Project

DOCUMENT = "Respondent: " + "We learnt from the Beacon council and adapted what we saw. " * 80
PER_PROCESS = 2000

CODER_SCRIPT = """
import sys
from beacon_qual.coding import codings as coding
from beacon_qual.store import Project

path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
project = Project.open(path)
print("ready", flush=True)
sys.stdin.readline()
coder = project.coder_id(name)
shared = project.coder_id("shared-coder")  # both processes create this one at the same moment
with project.transaction():
    project.set_meta("last_coder", name)
codes = [row[0] for row in project.execute("SELECT id FROM codes ORDER BY id")]
length = project.scalar("SELECT length(text) FROM documents WHERE id = 1")
for i in range(count):
    start = i % (length - 20)
    coding.add_coding(project, document_id=1, code_id=codes[i % len(codes)], coder_id=coder,
                      start=start, end=start + 1 + i // (length - 20) + i % 7)
    if i % 100 == 0:
        coding.document_codings(project, 1, coder_id=shared)
print("done", count, flush=True)
"""

NAMES_SCRIPT = """
import sys
from beacon_qual.store import Project

project = Project.open(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
ids = [project.coder_id(f"coder {i}") for i in range(int(sys.argv[2]))]
print(" ".join(map(str, ids)), flush=True)
"""


@pytest.fixture
def project_path(make_project_file) -> Path:
    return make_project_file(
        documents=[Doc("doc.txt", DOCUMENT, units=None)],
        codes=["Adoption", "Adaptation", "Reinvention"],
        name="shared.db",
    )


def start_together(tmp_path: Path, script: str, argv_list: list[list[str]]) -> list[tuple[int, str, str]]:
    """Start one process per argv, release them at once, and return (exit code, stdout, stderr) of each."""
    script_path = tmp_path / "worker.py"
    script_path.write_text(script)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script_path), *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argv_list
    ]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        results.append((proc.returncode, out, err))
    return results


def test_two_processes_each_applying_thousands_of_codings(project_path: Path, tmp_path: Path) -> None:
    results = start_together(
        tmp_path, CODER_SCRIPT, [[str(project_path), name, str(PER_PROCESS)] for name in ("alice", "bob")]
    )
    for code, out, err in results:
        assert code == 0, err
        assert "locked" not in err and "Traceback" not in err
        assert out.strip() == f"done {PER_PROCESS}"
    with Project.open(project_path) as p:
        per_coder = dict(
            p.execute(
                "SELECT u.name, count(*) FROM codings c JOIN coders u ON u.id = c.coder_id GROUP BY u.name"
            )
        )
        assert per_coder == {"alice": PER_PROCESS, "bob": PER_PROCESS}
        assert p.scalar("SELECT count(*) FROM audit WHERE action = 'coding.add'") == 2 * PER_PROCESS
        assert p.scalar("SELECT count(*) FROM coders WHERE name = 'shared-coder'") == 1
        assert p.get_meta("last_coder") in ("alice", "bob")
        assert p.scalar("PRAGMA integrity_check") == "ok"


def test_coders_created_by_several_processes_at_once(project_path: Path, tmp_path: Path) -> None:
    results = start_together(tmp_path, NAMES_SCRIPT, [[str(project_path), "40"] for _ in range(4)])
    seen = []
    for code, out, err in results:
        assert code == 0, err
        seen.append(out.split())
    assert all(ids == seen[0] for ids in seen)  # every process got the same id for each name
    with Project.open(project_path) as p:
        assert p.scalar("SELECT count(*) FROM coders") == 40
