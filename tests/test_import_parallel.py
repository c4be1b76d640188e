"""Import with worker processes: the same project as importing in one process, the same refusals, nothing
left half-written and no worker left running."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from builders import index_dump
from click.testing import CliRunner

from beacon_qual.cases.councils import seed_cases
from beacon_qual.cli import main
from beacon_qual.data import EXAMPLES_DIR
from beacon_qual.errors import BeaconError
from beacon_qual.ingest import importer, workers
from beacon_qual.ingest.importer import import_paths
from beacon_qual.store import Project

DATA = Path(__file__).parent / "data" / "import"

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="worker processes need the fork start method",
)


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Lets a pool work for a few files, and records the number of workers of each pool started."""
    monkeypatch.setattr(workers, "MIN_FILES", 2)
    monkeypatch.delenv(workers.JOBS_ENV, raising=False)
    started: list[int] = []
    real = importer.worker_pool

    def counted(count: int):
        started.append(count)
        return real(count)

    monkeypatch.setattr(importer, "worker_pool", counted)
    return started


def corpus(folder: Path) -> Path:
    """The example transcripts (with their manifest, a .docx and a cp1252 file), subtitles, voices and more
    speaker styles, in one folder."""
    shutil.copytree(EXAMPLES_DIR, folder)
    rows = [
        ("captions.srt", "Camden"),
        ("voices.vtt", "Hull"),
        ("role_style.txt", "Kent"),
        ("front_matter_copy.md", None),
    ]
    with (folder / "manifest.csv").open("a", encoding="utf-8") as manifest:
        for name, council in rows:
            if council is not None:
                shutil.copy(DATA / name, folder / name)
                manifest.write(f"{name},{council},1,officer,2006-01-01,A,B\n")
    shutil.copy(DATA / "front_matter.md", folder / "front_matter_copy.md")
    (folder / "prose.txt").write_text(
        "---\ncouncil: Sunderland\n---\nNo speakers here: just prose. It runs on.\n\n\nAnd on!  Really?\n",
        encoding="utf-8",
    )
    return folder


def new_project(path: Path) -> Project:
    project = Project.create(path)
    seed_cases(project)
    return project


def dump(project: Project) -> dict[str, list[tuple]]:
    """Everything an import writes, but for its uuids and times."""
    return {
        "documents": project.execute(
            "SELECT id, name, text, sha256, case_id, phase, role, interview_date, interviewer, respondent,"
            " source_path, source_format, source_encoding, word_count FROM documents ORDER BY id"
        ).fetchall(),
        "units": project.execute("SELECT * FROM units ORDER BY id").fetchall(),
        "audit": project.execute(
            "SELECT action, entity, entity_id, json_remove(after, '$.uuid', '$.imported_at') FROM audit"
            " ORDER BY id"
        ).fetchall(),
        "index": index_dump(project),
        "flag": project.execute("SELECT importer_writes FROM unit_fts_control").fetchall(),
    }


def test_import_with_workers_writes_what_one_process_writes(tmp_path: Path, pools: list[int]):
    folder = corpus(tmp_path / "corpus")
    alone = new_project(tmp_path / "alone.db")
    summary_alone = import_paths(alone, [folder], jobs=1)
    assert pools == []
    expected = dump(alone)
    assert len(expected["documents"]) >= 15 and len(expected["index"]) > 1000

    for jobs in (2, 3):
        project = new_project(tmp_path / f"jobs{jobs}.db")
        summary = import_paths(project, [folder], jobs=jobs)
        assert pools[-1] == jobs - 1
        assert summary == summary_alone
        assert dump(project) == expected
        assert multiprocessing.active_children() == []
        # Importing again passes every file over, as in one process.
        again = import_paths(project, [folder], jobs=jobs)
        assert again.imported == [] and again.unchanged == summary.imported
        assert dump(project) == expected


def test_unreadable_file_in_the_middle_leaves_nothing_and_no_worker(tmp_path: Path, pools: list[int]):
    folder = corpus(tmp_path / "corpus")
    (folder / "kent_member_p3.md").write_bytes(
        b"---\ncouncil: Kent\n---\nbad \xff\xfe\x00 bytes\x00\x00 here"
    )

    messages = []
    for jobs in (1, 2, 3):
        project = new_project(tmp_path / f"jobs{jobs}.db")
        with pytest.raises(BeaconError) as caught:
            import_paths(project, [folder], jobs=jobs)
        messages.append(caught.value.message)
        assert "\n" not in caught.value.message
        assert project.scalar("SELECT count(*) FROM documents") == 0
        assert project.scalar("SELECT count(*) FROM units") == 0
        assert project.scalar("SELECT count(*) FROM audit WHERE action = 'import'") == 0
        assert index_dump(project) == []
        assert project.scalar("SELECT importer_writes FROM unit_fts_control") == 0
        assert multiprocessing.active_children() == []
    assert pools == [1, 2]
    assert messages[0].startswith(str(folder / "kent_member_p3.md"))
    assert messages == [messages[0]] * 3


def refusals(tmp_path: Path, name: str, folder: Path) -> list[str]:
    """The message of an import of ``folder`` refused in one process and with a worker; each leaves the
    project empty."""
    messages = []
    for jobs in (1, 2):
        project = new_project(tmp_path / f"{name}{jobs}.db")
        with pytest.raises(BeaconError) as caught:
            import_paths(project, [folder], jobs=jobs)
        messages.append(caught.value.message)
        assert project.scalar("SELECT count(*) FROM documents") == 0
    return messages


def test_first_refusal_in_file_order_is_the_one_reported(tmp_path: Path, pools: list[int]):
    """A council refused early in the folder is reported, not a file that cannot be read further on, and a
    file repeating an earlier one's text is refused naming it, as in one process."""
    folder = corpus(tmp_path / "corpus")
    (folder / "prose.txt").write_text("---\ncouncil: Nowhere Special\n---\nSome text.\n", encoding="utf-8")
    (folder / "zz_last.txt").write_bytes(b"\x00\xff" * 10)
    messages = refusals(tmp_path, "jobs", folder)
    assert "prose.txt" in messages[0] and messages[1] == messages[0]

    (folder / "prose.txt").unlink()
    (folder / "zz_last.txt").unlink()
    shutil.copy(folder / "hull_member_p3.txt", folder / "zz_copy.txt")
    with (folder / "manifest.csv").open("a", encoding="utf-8") as manifest:
        manifest.write("zz_copy.txt,Hull,3,officer,2008-01-01,A,B\n")
    messages = refusals(tmp_path, "copy", folder)
    assert "already imported as document 'hull_member_p3.txt'" in messages[0] and messages[1] == messages[0]
    assert multiprocessing.active_children() == []


def test_jobs_setting_and_fallbacks(tmp_path: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch):
    folder = corpus(tmp_path / "corpus")
    monkeypatch.setenv(workers.JOBS_ENV, "1")
    project = new_project(tmp_path / "env1.db")
    assert len(import_paths(project, [folder]).imported) >= 15
    assert pools == []

    monkeypatch.setattr(workers, "available_cpus", lambda: 1)
    monkeypatch.delenv(workers.JOBS_ENV)
    assert workers.worker_count(None, 100) == 0
    monkeypatch.setattr(workers, "available_cpus", lambda: 4)
    assert workers.worker_count(None, 100) == 3
    assert workers.worker_count(None, 1) == 0  # fewer files than MIN_FILES
    assert workers.worker_count(2, 100) == 1
    monkeypatch.setenv(workers.JOBS_ENV, "2")
    assert workers.worker_count(None, 100) == 1
    monkeypatch.setenv(workers.JOBS_ENV, "two")
    with pytest.raises(BeaconError, match="BEACON_QUAL_JOBS must be a whole number"):
        workers.worker_count(None, 100)


def test_import_command_takes_jobs(tmp_path: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch):
    folder = corpus(tmp_path / "corpus")
    db = tmp_path / "cli.db"
    new_project(db).close()
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["-p", str(db), "import", str(folder), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "imported 19 file(s)" in result.output
    assert pools == [1]
    result = runner.invoke(main, ["-p", str(db), "import", str(folder), "--jobs", "0"])
    assert result.exit_code != 0 and "--jobs" in result.output


def _dying_analysis(text: str, voice_labels: list, headings: list = ()) -> workers.Analysis:
    os._exit(1)  # as a worker killed by the system would end: without a result or an exception


def test_a_worker_that_dies_fails_the_import_with_one_line_and_leaves_nothing(
    tmp_path: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(workers, "analyse", _dying_analysis)
    project = new_project(tmp_path / "died.db")

    def waited_too_long(signum: int, frame: object) -> None:
        raise AssertionError("the import waited for a result that can never come")

    previous = signal.signal(signal.SIGALRM, waited_too_long)
    signal.alarm(120)
    try:
        with pytest.raises(BeaconError) as caught:
            import_paths(project, [corpus(tmp_path / "corpus")], jobs=2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert caught.value.message.startswith("an import worker process ended unexpectedly")
    assert "\n" not in caught.value.message
    assert project.scalar("SELECT count(*) FROM documents") == 0
    assert project.scalar("SELECT count(*) FROM units") == 0
    assert project.scalar("SELECT importer_writes FROM unit_fts_control") == 0
    assert multiprocessing.active_children() == []
    assert pools == [1]


def test_a_pool_found_broken_when_more_work_is_handed_in_fails_with_the_same_line(
    monkeypatch: pytest.MonkeyPatch,
):
    # The pool learns of a dead worker on a thread of its own: the import may find out when it hands in the
    # next text rather than when it waits for a result, and must say the same thing either way.
    monkeypatch.setattr(workers, "analyse", _dying_analysis)
    with pytest.raises(BeaconError) as caught, workers.worker_pool(1) as pool:
        first = pool.submit(_dying_analysis, "text", [])
        with pytest.raises(BrokenProcessPool):
            first.result(timeout=60)
        workers.submit(pool, "more text", [])
    assert caught.value.message == workers.WORKER_DIED
    assert multiprocessing.active_children() == []
