"""Crash safety: a coding session killed at random moments keeps everything it acknowledged.

A worker process makes the same service calls the workbench makes (add, remove,
recode) in a loop. Before each call it prints what it is about to do ("try ...")
and, after the call returns, "ok" (flushed). The test kills it with SIGKILL after
a short random delay, 50 times, and after each kill checks the project against
everything acknowledged so far: every acknowledged coding is there with its
acknowledged code, every acknowledged removal is gone, the one call in flight
either happened whole (with its audit record) or not at all, and
``PRAGMA integrity_check`` passes.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from builders import Doc

from beacon_qual.store import Project
from beacon_qual.store.check import check_project

KILLS = 50
DOCUMENT = "Officer: " + "We borrowed the Beacon council's approach and then made it our own. " * 40

WORKER = """
import random, sys, uuid
from beacon_qual.coding import codings as coding
from beacon_qual.store import Project

project = Project.open(sys.argv[1])
rnd = random.Random(int(sys.argv[2]))
coder = project.coder_id("crash-coder")
codes = [row[0] for row in project.execute("SELECT id FROM codes ORDER BY id")]
length = project.scalar("SELECT length(text) FROM documents WHERE id = 1")
out = sys.stdout
out.write("ready\\n")
out.flush()
while True:
    live = project.execute("SELECT id, uuid, code_id FROM codings ORDER BY random() LIMIT 1").fetchone()
    roll = rnd.random()
    if live is None or roll < 0.6:
        code, start, end = rnd.choice(codes), 0, 0
        while end == 0 or project.one(
            "SELECT 1 FROM codings WHERE code_id = ? AND start = ? AND end = ?", (code, start, end)
        ):
            start = rnd.randrange(length - 1)
            end = rnd.randrange(start + 1, min(length, start + 300) + 1)
        new = str(uuid.uuid4())
        out.write(f"try add {new} {code}\\n")
        out.flush()
        coding.add_coding(project, document_id=1, code_id=code, coder_id=coder, start=start, end=end, uuid=new)
    elif roll < 0.8:
        out.write(f"try remove {live[1]}\\n")
        out.flush()
        coding.remove_coding(project, live[0], coder_id=coder)
    else:
        code = rnd.choice([c for c in codes if c != live[2]])
        out.write(f"try recode {live[1]} {code}\\n")
        out.flush()
        coding.recode(project, live[0], code, coder_id=coder)
    out.write("ok\\n")
    out.flush()
"""


@dataclass
class Model:
    """What the worker has acknowledged: live codings (uuid -> code id) and removed uuids."""

    live: dict[str, int] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    acknowledged: int = 0

    def apply(self, op: list[str]) -> None:
        kind, uid = op[0], op[1]
        if kind == "add":
            self.live[uid] = int(op[2])
        elif kind == "remove":
            del self.live[uid]
            self.removed.add(uid)
        else:
            self.live[uid] = int(op[2])
        self.acknowledged += 1


@pytest.fixture
def project_path(make_project_file) -> Path:
    return make_project_file(
        documents=[Doc("doc.txt", DOCUMENT, units=None)],
        codes=["Adoption", "Adaptation", "Reinvention"],
        name="crash.db",
    )


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def run_and_kill(script: Path, project_path: Path, seed: int, delay: float) -> list[str]:
    """Start the worker, kill it with SIGKILL ``delay`` seconds after it is ready; its complete output lines."""
    proc = subprocess.Popen(
        [sys.executable, str(script), str(project_path), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )  # unbuffered: readline takes only the first line
    first = proc.stdout.readline()
    assert first == b"ready\n", proc.stderr.read().decode()
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, err.decode()
    lines = out.decode().split("\n")
    return lines[:-1]  # the last piece is an unfinished line (or empty)


def replay(model: Model, lines: list[str]) -> list[str] | None:
    """Apply every acknowledged operation; return the one in flight when the worker died, if any."""
    pending: list[str] | None = None
    for line in lines:
        if line == "ok":
            assert pending is not None
            model.apply(pending)
            pending = None
        else:
            kind, *rest = line.split()
            assert kind == "try"
            pending = rest
    return pending


def verify(project_path: Path, model: Model, in_flight: list[str] | None) -> None:
    """The project holds exactly what was acknowledged, give or take the call in flight; settle that call."""
    with Project.open(project_path) as p:
        assert p.scalar("PRAGMA integrity_check") == "ok"
        stored = dict(p.execute("SELECT uuid, code_id FROM codings"))
        audited = {
            (row[0], row[1])
            for row in p.execute(
                "SELECT action, coalesce(json_extract(after, '$.uuid'), json_extract(before, '$.uuid'))"
                " FROM audit WHERE entity = 'codings'"
            )
        }
    flight_uuid = in_flight[1] if in_flight else None
    for uid, code in model.live.items():
        if uid == flight_uuid:
            continue
        assert stored.get(uid) == code, f"acknowledged coding {uid} lost or changed"
    for uid in model.removed:
        assert uid not in stored, f"acknowledged removal of {uid} undone"
    extra = set(stored) - set(model.live)
    assert extra <= {flight_uuid}, f"codings nobody asked for: {extra}"
    if in_flight is None:
        return
    kind = in_flight[0]
    if kind == "add":
        happened = flight_uuid in stored
    elif kind == "remove":
        happened = flight_uuid not in stored
    else:
        happened = stored.get(flight_uuid) == int(in_flight[2])
    action = {"add": "coding.add", "remove": "coding.remove", "recode": "coding.update"}[kind]
    if kind == "recode" and not happened:
        assert stored[flight_uuid] == model.live[flight_uuid]
    if kind in ("add", "remove"):  # all or nothing: the row and its audit record together
        assert ((action, flight_uuid) in audited) == happened
    if happened:
        model.apply(in_flight)


def test_killed_sessions_keep_everything_acknowledged(project_path: Path, tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    rnd = random.Random(2008)
    model = Model()
    in_flight_seen = 0
    for kill in range(KILLS):
        lines = run_and_kill(script, project_path, seed=kill, delay=rnd.uniform(0.0, 0.25))
        in_flight = replay(model, lines)
        in_flight_seen += in_flight is not None
        verify(project_path, model, in_flight)
    assert model.acknowledged > KILLS  # the kills fell among real work
    assert in_flight_seen > KILLS // 2  # and mostly while a call was running
    report = check_project(project_path)
    assert report.problems == [], report.problems
    with Project.open(project_path) as p:
        assert p.scalar("SELECT count(*) FROM codings") == len(model.live)
        adds = p.scalar("SELECT count(*) FROM audit WHERE action = 'coding.add'")
        removes = p.scalar("SELECT count(*) FROM audit WHERE action = 'coding.remove'")
        assert adds - removes == len(model.live)
