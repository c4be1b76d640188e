"""The project digest in provenance records: always the SHA-256 of the file as it is on disk, remembered in
the user's cache folder only for a file that has settled, and never reused once the file has changed."""

from __future__ import annotations

import hashlib
import time

import pytest

from beacon_qual.analysis import provenance as prov
from beacon_qual.store import Project


@pytest.fixture
def project(tmp_path, monkeypatch, make_project):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    project = make_project(meta={"codebook_version": "1"}, name="digest.db")
    prov.fold_log(project)
    return project


def on_disk(project: Project) -> str:
    return hashlib.sha256(project.path.read_bytes()).hexdigest()


def memos(tmp_path) -> list:
    folder = tmp_path / "cache" / "beacon-qual" / "project-sha256"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_file_changed_moments_ago_is_hashed_but_not_remembered(project, tmp_path):
    assert prov.project_sha256(project) == on_disk(project)
    assert memos(tmp_path) == []


def test_a_settled_file_is_remembered_and_the_memo_is_what_is_read(project, tmp_path, monkeypatch):
    monkeypatch.setattr(prov, "SETTLED_NS", 0)
    assert prov.project_sha256(project) == on_disk(project)
    [memo] = memos(tmp_path)
    key, digest = memo.read_text(encoding="utf-8").split("\n")[:2]
    assert digest == on_disk(project)
    memo.write_text(f"{key}\n{'0' * 64}\n", encoding="utf-8")  # the file itself is not read again
    assert prov.project_sha256(project) == "0" * 64


def test_a_change_to_the_project_is_never_answered_from_the_memo(project, tmp_path, monkeypatch):
    monkeypatch.setattr(prov, "SETTLED_NS", 0)
    before = prov.project_sha256(project)
    [memo] = memos(tmp_path)
    time.sleep(0.05)  # past the file system's timestamp granularity
    project.set_meta("codebook_version", "2")
    assert prov.fold_log(project)
    after = prov.project_sha256(project)
    assert after == on_disk(project) != before
    assert memo.read_text(encoding="utf-8").split("\n")[1] == after


def test_an_unwritable_cache_folder_still_gives_the_digest(project, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setattr(prov, "SETTLED_NS", 0)
    assert prov.project_sha256(project) == on_disk(project)
    assert prov.project_sha256(project) == on_disk(project)
    assert list(tmp_path.glob("**/*.partial")) == []
