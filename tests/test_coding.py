"""The coding service and its CLI: apply, change, remove, memo, undo and redo (also across a restart)."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from builders import DOC_TEXT
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.coding import codings as svc
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project


def ids(project: Project) -> dict[str, int]:
    return {r["name"]: r["id"] for r in project.execute("SELECT id, name FROM codes")}


def passage(start: int, end: int) -> str:
    return DOC_TEXT[start:end]


def test_add_stores_passage_coder_and_audit(tiny_project: Project) -> None:
    p = tiny_project
    alice = p.coder_id("alice")
    start = DOC_TEXT.index("We copied")
    end = DOC_TEXT.index("first.") + len("first.")
    c = svc.add_coding(p, document_id=1, code_id=ids(p)["Adoption"], coder_id=alice, start=start, end=end)
    row = p.one(
        "SELECT substr(d.text, c.start + 1, c.end - c.start) FROM codings c JOIN documents d"
        " ON d.id = c.document_id WHERE c.id = ?",
        (c.id,),
    )
    assert row[0] == "We copied their forms at first."
    audit = p.one("SELECT action, coder_id, after FROM audit WHERE entity = 'codings'")
    assert audit["action"] == "coding.add" and audit["coder_id"] == alice
    assert json.loads(audit["after"])["uuid"] == c.uuid


@pytest.mark.parametrize("start,end", [(-1, 5), (5, 5), (10, 3), (0, len(DOC_TEXT) + 1)])
def test_impossible_offsets_are_refused(tiny_project: Project, start: int, end: int) -> None:
    p = tiny_project
    with pytest.raises(BeaconError, match="not a passage"):
        svc.add_coding(
            p, document_id=1, code_id=ids(p)["Adoption"], coder_id=p.coder_id("a"), start=start, end=end
        )
    assert p.scalar("SELECT count(*) FROM codings") == 0


def test_grouping_code_and_duplicate_refused(tiny_project: Project) -> None:
    p = tiny_project
    a = p.coder_id("a")
    with pytest.raises(BeaconError, match="groups other codes"):
        svc.add_coding(p, document_id=1, code_id=ids(p)["Innovation"], coder_id=a, start=0, end=5)
    svc.add_coding(p, document_id=1, code_id=ids(p)["Adoption"], coder_id=a, start=0, end=5)
    with pytest.raises(BeaconError, match="already has that code"):
        svc.add_coding(p, document_id=1, code_id=ids(p)["Adoption"], coder_id=a, start=0, end=5)
    # another coder may code the same passage
    svc.add_coding(p, document_id=1, code_id=ids(p)["Adoption"], coder_id=p.coder_id("b"), start=0, end=5)
    assert p.scalar("SELECT count(*) FROM codings") == 2


def test_recode_keeps_memo_and_resize_moves(tiny_project: Project) -> None:
    p = tiny_project
    a = p.coder_id("a")
    c = svc.add_coding(
        p, document_id=1, code_id=ids(p)["Adoption"], coder_id=a, start=0, end=11, memo="first go"
    )
    r = svc.recode(p, c.id, ids(p)["Adaptation"], coder_id=a)
    assert r.code_id == ids(p)["Adaptation"] and r.memo == "first go"
    r = svc.resize(p, c.id, 0, 12, coder_id=a)
    assert passage(r.start, r.end) == "Interviewer:"
    with pytest.raises(BeaconError):
        svc.resize(p, c.id, 0, 10_000, coder_id=a)
    assert svc.get_coding(p, c.id).end == 12


def test_undo_redo_every_action_survives_restart(tiny_project: Project) -> None:
    p = tiny_project
    path = p.path
    a = p.coder_id("a")
    code = ids(p)
    c = svc.add_coding(p, document_id=1, code_id=code["Adoption"], coder_id=a, start=0, end=11)
    svc.recode(p, c.id, code["Adaptation"], coder_id=a)
    svc.set_coding_memo(p, c.id, "why", coder_id=a)
    svc.set_memo(p, "document", 1, "a rural council", coder_id=a)
    svc.remove_coding(p, c.id, coder_id=a)
    p.close()

    p = Project.open(path)  # a restart: the history comes from the audit table
    assert p.scalar("SELECT count(*) FROM codings") == 0
    assert svc.undo(p, a).action == "coding.remove"
    back = svc.get_coding(p, c.id)
    assert (back.uuid, back.code_id, back.memo) == (c.uuid, code["Adaptation"], "why")
    assert svc.undo(p, a).action == "memo.set"
    assert p.scalar("SELECT count(*) FROM memos") == 0
    assert svc.undo(p, a).action == "coding.update"
    assert svc.get_coding(p, c.id).memo is None
    assert svc.undo(p, a).action == "coding.update"
    assert svc.get_coding(p, c.id).code_id == code["Adoption"]
    assert svc.undo(p, a).action == "coding.add"
    assert p.scalar("SELECT count(*) FROM codings") == 0
    assert svc.undo(p, a) is None

    assert svc.redo(p, a).action == "coding.add"
    assert svc.redo(p, a).action == "coding.update"
    assert svc.get_coding(p, c.id).code_id == code["Adaptation"]
    # a new action ends the redo chain
    svc.add_coding(p, document_id=1, code_id=code["Adoption"], coder_id=a, start=20, end=30)
    assert svc.redo(p, a) is None
    p.close()


def test_undo_is_per_coder(tiny_project: Project) -> None:
    p = tiny_project
    a, b = p.coder_id("a"), p.coder_id("b")
    svc.add_coding(p, document_id=1, code_id=ids(p)["Adoption"], coder_id=a, start=0, end=5)
    svc.add_coding(p, document_id=1, code_id=ids(p)["Adoption"], coder_id=b, start=0, end=5)
    svc.undo(p, a)
    left = p.execute("SELECT coder_id FROM codings").fetchall()
    assert [r[0] for r in left] == [b]


def test_memo_on_document_set_update_remove(tiny_project: Project) -> None:
    p = tiny_project
    a = p.coder_id("a")
    m = svc.set_memo(p, "document", 1, "first", coder_id=a)
    m2 = svc.set_memo(p, "document", 1, "second", coder_id=a)
    assert m2.id == m.id and m2.text == "second"
    assert svc.set_memo(p, "document", 1, "  ", coder_id=a) is None
    assert p.scalar("SELECT count(*) FROM memos") == 0
    with pytest.raises(BeaconError):
        svc.set_memo(p, "planet", 1, "x", coder_id=a)


def test_cli_add_list_undo(tiny_project: Project) -> None:
    path = str(tiny_project.path)
    tiny_project.close()
    run = CliRunner().invoke
    r = run(
        main,
        [
            "-p",
            path,
            "coding",
            "add",
            "--document",
            "doc1.txt",
            "--start",
            "0",
            "--end",
            "11",
            "--code",
            "Adoption",
            "--coder",
            "alice",
            "--memo",
            "=cmd()",
        ],
    )
    assert r.exit_code == 0, r.output
    r = run(main, ["-p", path, "coding", "list", "--format", "json"])
    rows = json.loads(r.output)
    assert rows[0]["text"] == "Interviewer" and rows[0]["coder"] == "alice"
    assert rows[0]["code"] == "Innovation/Adoption"
    r = run(main, ["-p", path, "coding", "list", "--format", "csv"])
    assert "'=cmd()" in r.output  # a formula in a memo is neutralised
    r = run(main, ["-p", path, "coding", "undo"])  # a command's --coder is not remembered
    assert r.exit_code == 1 and "say who is coding" in r.output
    run(main, ["coder", "set", "alice"])  # the coder on this computer, for every project
    r = run(main, ["-p", path, "coding", "undo"])
    assert r.exit_code == 0 and "undid applying a code" in r.output
    r = run(main, ["-p", path, "coding", "undo"])
    assert r.exit_code == 1 and "nothing to undo" in r.output


def test_cli_bad_offsets_one_line(tiny_project: Project) -> None:
    path = str(tiny_project.path)
    tiny_project.close()
    r = CliRunner().invoke(
        main,
        [
            "-p",
            path,
            "coding",
            "add",
            "--document",
            "1",
            "--start",
            "50",
            "--end",
            "9999",
            "--code",
            "Adoption",
            "--coder",
            "a",
        ],
    )
    assert r.exit_code == 1
    assert r.output.strip().startswith("error: offsets 50-9999")
    assert len(r.output.strip().splitlines()) == 1


# -- a refused change writes nothing; offsets are checked against the text as it is at the write -----------------


def _state(path: str) -> dict[str, list]:
    with Project.open(path) as p:
        return {
            "coders": [tuple(r) for r in p.execute("SELECT * FROM coders ORDER BY id")],
            "meta": [tuple(r) for r in p.execute("SELECT * FROM meta ORDER BY key")],
            "audit": [tuple(r) for r in p.execute("SELECT * FROM audit ORDER BY id")],
            "codings": [tuple(r) for r in p.execute("SELECT * FROM codings ORDER BY id")],
        }


@pytest.mark.parametrize(
    "start,end,code,message",
    [
        ("0", "11", "No Such Code", "error: no code"),
        ("50", "9999", "Adoption", "error: offsets 50-9999 are not a passage"),
        ("20", "10", "Adoption", "error: offsets 20-10 are not a passage"),
        ("0", "11", "Innovation", "error: code 'Innovation' groups other codes"),
    ],
)
def test_a_refused_coding_add_changes_nothing(
    tiny_project: Project, start: str, end: str, code: str, message: str
) -> None:
    path = str(tiny_project.path)
    tiny_project.close()
    run = CliRunner().invoke
    first = ["-p", path, "coding", "add", "--document", "doc1.txt", "--start", "0", "--end", "11"]
    assert run(main, [*first, "--code", "Adoption", "--coder", "alice"]).exit_code == 0
    before = _state(path)
    r = run(
        main,
        ["-p", path, "coding", "add", "--document", "doc1.txt", "--start", start, "--end", end]
        + ["--code", code, "--coder", "newcomer"],
    )
    assert r.exit_code == 1
    assert r.stderr.startswith(message) and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert _state(path) == before  # no coder 'newcomer', last_coder still 'alice', no audit row
    assert "newcomer" not in run(main, ["-p", path, "coder"]).output  # a refused command remembers no one
    r = run(main, ["-p", path, "coding", "undo", "--coder", "alice"])
    assert r.exit_code == 0 and "undid applying a code" in r.output


def test_nothing_to_undo_as_a_new_coder_adds_no_coder(tiny_project: Project) -> None:
    path = str(tiny_project.path)
    tiny_project.close()
    before = _state(path)
    r = CliRunner().invoke(main, ["-p", path, "coding", "undo", "--coder", "newcomer"])
    assert r.exit_code == 1 and r.stderr.strip() == "error: nothing to undo"
    assert _state(path) == before


def _revised_first(monkeypatch: pytest.MonkeyPatch, path: Path, new_text: str, tmp_path: Path) -> None:
    """Make another connection revise doc1.txt to ``new_text`` and commit just before this process's next
    write transaction begins: what a second process revising the document at that moment does."""
    from beacon_qual.documents.revise import revise_document

    corrected = tmp_path / "corrected" / "doc1.txt"
    corrected.parent.mkdir()
    corrected.write_text(new_text, encoding="utf-8")
    original = Project.transaction
    pending = [True]

    @contextlib.contextmanager
    def transaction(self: Project) -> Iterator[Any]:
        if pending and self._depth == 0:
            pending.clear()
            with Project.open(path) as other:
                revise_document(other, "doc1.txt", corrected)
        with original(self) as conn:
            yield conn

    monkeypatch.setattr(Project, "transaction", transaction)


def test_a_coding_is_checked_against_the_text_revised_while_it_was_being_made(
    tiny_project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tiny_project.path
    with tiny_project.transaction():  # the fixture's text has a placeholder hash, which check would report
        tiny_project.execute(
            "UPDATE documents SET sha256 = ?", (hashlib.sha256(DOC_TEXT.encode()).hexdigest(),)
        )
    tiny_project.close()
    last = DOC_TEXT.index("Later we adapted")
    end = DOC_TEXT.index("districts.") + len("districts.")
    shorter = DOC_TEXT[:last].rstrip() + "\n"
    run = CliRunner().invoke
    # the coder is known, so the coding's own transaction is the first write
    first = ["-p", str(path), "coding", "add", "--document", "doc1.txt", "--start", "0", "--end", "11"]
    assert run(main, [*first, "--code", "Adoption", "--coder", "alice"]).exit_code == 0
    _revised_first(monkeypatch, path, shorter, tmp_path)
    r = run(
        main,
        ["-p", str(path), "coding", "add", "--document", "doc1.txt", "--start", str(last), "--end", str(end)]
        + ["--code", "Adoption", "--coder", "alice"],
    )
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        f"error: offsets {last}-{end} are not a passage of document 1 (need 0 <= start < end <= {len(shorter)})"
    )
    monkeypatch.undo()
    r = run(main, ["-p", str(path), "check"])
    assert r.exit_code == 0, r.output
    with Project.open(path) as p:
        assert p.scalar("SELECT count(*) FROM codings") == 1  # the first one, on the unchanged passage


def test_the_coding_service_checks_offsets_inside_its_transaction(
    tiny_project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The workbench and suggestions call the service directly: it checks against the text at the write."""
    p = tiny_project
    alice = p.coder_id("alice")
    last = DOC_TEXT.index("Later we adapted")
    _revised_first(monkeypatch, p.path, DOC_TEXT[:last].rstrip() + "\n", tmp_path)
    with pytest.raises(BeaconError, match="not a passage"):
        svc.add_coding(p, document_id=1, code_id=ids(p)["Adoption"], coder_id=alice, start=last, end=last + 5)
    assert p.scalar("SELECT count(*) FROM codings") == 0
