"""Shared fixtures: small projects built directly in SQL, so each test file can count every expected number."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from beacon_qual.store import Project, new_uuid, now

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="session")
def _cache_of_its_own(tmp_path_factory: pytest.TempPathFactory):
    """Exports remember project digests in the user's cache folder; the tests' projects are remembered in a
    folder of the test run's own (one per pytest process), not the user's."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(autouse=True)
def _config_of_its_own(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The coder is remembered in the user's config folder; each test gets an empty one of its own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("BEACON_QUAL_CODER", raising=False)


DOC_TEXT = (
    "Interviewer: How did you learn from the Beacon council?\n"
    "Respondent: We went on a site visit. We copied their forms at first. "
    "Later we adapted the scheme to our rural districts.\n"
)


def add_units(project: Project, document_id: int, text: str) -> None:
    """Turns are lines 'Label: words'; sentences end with . or ? inside a turn's words."""
    pos = 0
    for seq, line in enumerate(text.split("\n")):
        if line.strip():
            label, _, _ = line.partition(":")
            project.execute(
                "INSERT INTO units(document_id, kind, seq, start, end, speaker) VALUES (?, 'turn', ?, ?, ?, ?)",
                (document_id, seq, pos, pos + len(line), label),
            )
            body = pos + len(label) + 1
            for m in re.finditer(r"[^.?]+[.?]", text[body : pos + len(line)]):
                lead = len(m.group()) - len(m.group().lstrip())
                project.execute(
                    "INSERT INTO units(document_id, kind, seq, start, end) VALUES (?, 'sentence', 0, ?, ?)",
                    (document_id, body + m.start() + lead, body + m.end()),
                )
        pos += len(line) + 1


@pytest.fixture
def tiny_project(tmp_path: Path) -> Project:
    """A project with one case, one document, and a two-level code tree (one grouping code)."""
    project = Project.create(tmp_path / "tiny.db")
    with project.transaction():
        case = project.execute(
            "INSERT INTO cases(uuid, code, name, type, created_at) VALUES (?,?,?,?,?)",
            (new_uuid(), "XYZ", "Example Borough Council", "district", now()),
        ).lastrowid
        project.execute(
            "INSERT INTO documents(uuid, name, text, sha256, case_id, phase, role, word_count, imported_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (new_uuid(), "doc1.txt", DOC_TEXT, "x", case, 1, "officer", len(DOC_TEXT.split()), now()),
        )
        add_units(project, 1, DOC_TEXT)
        parent = project.execute(
            "INSERT INTO codes(uuid, name, codable, created_at) VALUES (?,?,0,?)",
            (new_uuid(), "Innovation", now()),
        ).lastrowid
        for name in ("Adoption", "Adaptation"):
            project.execute(
                "INSERT INTO codes(uuid, parent_id, name, colour, created_at) VALUES (?,?,?,?,?)",
                (new_uuid(), parent, name, "#88c0d0", now()),
            )
    yield project
    project.close()
