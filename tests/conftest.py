"""Shared fixtures: each test's own cache and config folders, and projects built by builders.py.

Test projects are described as a ``builders.Spec`` and made with ``make_project`` (open) or
``make_project_file`` (a path); see builders.py."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from builders import ANALYSIS, TINY, Spec, build, spec

from beacon_qual.store import Project


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


class ProjectMaker:
    """Builds each distinct :class:`builders.Spec` once per test process into a template file, and gives each
    test a copy of its own under the test's ``tmp_path``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.templates: dict[Spec, Path] = {}

    def file(self, dest: Path, base: Spec | None = None, **options: object) -> Path:
        wanted = base if base is not None else spec(**options)
        if base is not None and options:
            raise TypeError("give a Spec or options, not both")
        template = self.templates.get(wanted)
        if template is None:
            folder = self.folder / f"t{len(self.templates)}"
            folder.mkdir()
            template = folder / "template.db"
            build(template, wanted).close()  # closed, so the WAL is folded into the file
            self.templates[wanted] = template
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, dest)
        return dest


@pytest.fixture(scope="session")
def project_maker(tmp_path_factory: pytest.TempPathFactory) -> ProjectMaker:
    """The templates of this test process; ``project_maker.file(dest, spec)`` for fixtures of wider scope."""
    return ProjectMaker(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def make_project_file(project_maker: ProjectMaker, tmp_path: Path):
    """``make_project_file(spec_or_options..., name="p.db")``: the path of a closed project built to the spec."""

    def make(base: Spec | None = None, /, name: str = "p.db", **options: object) -> Path:
        return project_maker.file(tmp_path / name, base, **options)

    return make


@pytest.fixture
def make_project(make_project_file):
    """``make_project(spec_or_options..., name="p.db")``: an open project built to the spec, closed after the
    test."""
    opened: list[Project] = []

    def make(base: Spec | None = None, /, name: str = "p.db", **options: object) -> Project:
        project = Project.open(make_project_file(base, name, **options))
        opened.append(project)
        return project

    yield make
    for project in opened:
        project.close()


@pytest.fixture
def tiny_project(make_project) -> Project:
    """A project with one case, one document, and a two-level code tree (one grouping code)."""
    return make_project(TINY, "tiny.db")


@pytest.fixture
def analysis_project(make_project) -> Project:
    """The analysis tests' project (builders.ANALYSIS), open."""
    return make_project(ANALYSIS, "analysis.db")
