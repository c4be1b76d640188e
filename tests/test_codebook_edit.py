"""Codebook upkeep through the CLI and the service: add, rename, move, merge, delete, recolour, edit, group.

Every change is audited, undone and redone like a coding, raises the codebook version, and shows at once in
`codebook export`, the REFI-QDA codebook and the analyses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from builders import DOC_TEXT
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.codebook import edit
from beacon_qual.coding import codings as svc
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project

SENT1 = (DOC_TEXT.index("How"), DOC_TEXT.index("?") + 1)
SENT2 = (DOC_TEXT.index("We went"), DOC_TEXT.index("visit.") + len("visit."))


def run(project: Project, *args: str, input: str | None = None):
    return CliRunner(env={"BEACON_QUAL_CODER": "alice"}).invoke(
        main, ["--project", str(project.path), *args], input=input
    )


def ok(project: Project, *args: str, input: str | None = None) -> str:
    result = run(project, *args, input=input)
    assert result.exit_code == 0, result.output
    return result.output


def code_id(project: Project, name: str) -> int:
    return project.scalar("SELECT id FROM codes WHERE name = ?", (name,))


def state(project: Project) -> dict[str, list[tuple]]:
    """Every row of the tables upkeep touches, and what triggers keep from them."""
    return {
        table: [tuple(r) for r in project.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3")]
        for table in ("codes", "codings", "memos", "suggestions", "coding_units", "coding_counts")
    }


def add(project: Project, coder: str, code: str, span: tuple[int, int], memo: str | None = None) -> int:
    return svc.add_coding(
        project,
        document_id=1,
        code_id=code_id(project, code),
        coder_id=project.coder_id(coder),
        start=span[0],
        end=span[1],
        memo=memo,
    ).id


def exported(project: Project) -> dict:
    return yaml.safe_load(ok(project, "codebook", "export"))


def test_merge_moves_codings_merges_duplicates_and_keeps_memos(tiny_project: Project) -> None:
    p = tiny_project
    add(p, "alice", "Adoption", SENT1, memo="copied the forms")
    add(p, "alice", "Adaptation", SENT1, memo="changed for rural areas")  # a duplicate once merged
    add(p, "bob", "Adaptation", SENT1)  # another coder's: moves, not merged
    add(p, "alice", "Adaptation", SENT2)
    svc.set_memo(p, "code", code_id(p, "Adaptation"), "about changing practice", coder_id=p.coder_id("alice"))
    before = state(p)

    out = ok(p, "codebook", "merge", "Adaptation", "Adoption")
    assert "2 codings moved, 1 merged" in out
    rows = p.execute(
        "SELECT k.name, u.name, c.start, c.memo FROM codings c JOIN codes k ON k.id = c.code_id"
        " JOIN coders u ON u.id = c.coder_id ORDER BY c.start, u.name"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("Adoption", "alice", SENT1[0], "copied the forms\n\nchanged for rural areas"),
        ("Adoption", "bob", SENT1[0], None),
        ("Adoption", "alice", SENT2[0], None),
    ]
    assert p.scalar("SELECT count(*) FROM codes WHERE name = 'Adaptation'") == 0
    memo = p.one("SELECT target_id, text FROM memos WHERE target_type = 'code'")
    assert tuple(memo) == (code_id(p, "Adoption"), "about changing practice")
    merged = state(p)

    assert "undid merging codes" in ok(p, "coding", "undo")
    assert state(p) == before  # every row back, with its id; placements and counts too
    ok(p, "coding", "redo")
    assert state(p) == merged


def test_merge_refusals_leave_everything(tiny_project: Project) -> None:
    p = tiny_project
    before = state(p)
    result = run(p, "codebook", "merge", "Innovation", "Adoption")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: cannot merge 'Innovation' into its own subcode 'Innovation/Adoption'; move the subcode out first"
    ]
    with pytest.raises(BeaconError, match="into itself"):
        edit.merge_codes(p, code_id(p, "Adoption"), code_id(p, "Adoption"), coder_id=None)
    assert state(p) == before


def test_delete_confirms_with_counts_and_undo_brings_all_back(tiny_project: Project) -> None:
    p = tiny_project
    add(p, "alice", "Adoption", SENT1, memo="a memo")
    add(p, "bob", "Adoption", SENT2)
    add(p, "alice", "Adaptation", SENT2)
    before = state(p)
    result = run(p, "codebook", "delete", "Adoption", input="n\n")
    assert result.exit_code == 1
    assert "Delete code 'Innovation/Adoption', with 2 codings (by alice, bob)?" in result.output
    assert state(p) == before  # answered no: nothing changed

    out = ok(p, "codebook", "delete", "Adoption", input="y\n")
    assert "deleted code 'Innovation/Adoption', with 2 codings" in out
    assert p.scalar("SELECT count(*) FROM codings") == 1
    assert "Adoption" not in json.dumps(exported(p))

    ok(p, "coding", "undo")
    assert state(p) == before
    assert "Innovation/Adoption" in ok(p, "coding", "list")


def test_delete_a_group_takes_its_subcodes_after_yes(tiny_project: Project) -> None:
    p = tiny_project
    add(p, "alice", "Adoption", SENT1)
    before = state(p)
    out = ok(p, "codebook", "delete", "Innovation", "--yes")
    assert "code 'Innovation' and its 2 subcodes, with 1 coding (by alice)" in out
    assert p.scalar("SELECT count(*) FROM codes") == 0 and p.scalar("SELECT count(*) FROM codings") == 0
    ok(p, "coding", "undo")
    assert state(p) == before


def test_each_single_change_is_undone_and_raises_the_version(tiny_project: Project) -> None:
    p = tiny_project
    versions = []
    for args in (
        ("add", "Site visits", "--parent", "Innovation", "--definition", "Going to see"),
        ("rename", "Adoption", "Taking up"),
        ("move", "Adaptation", "--top"),
        ("recolour", "Taking up", "#123456"),
        (
            "edit",
            "Taking up",
            "--definition",
            "Using another council's practice",
            "--include",
            "named schemes",
            "--exclude",
            "vague interest",
            "--example",
            "We took their forms",
            "--keywords",
            "adopt, copy,  adopt",
        ),
        ("group", "Site visits"),
    ):
        ok(p, "codebook", *args)
        versions.append(p.get_meta("codebook_version"))
    assert versions == ["2", "3", "4", "5", "6", "7"]  # none recorded counts as version 1

    book = exported(p)
    assert book["version"] == "7"
    [innovation, adaptation] = book["codes"]
    assert adaptation["name"] == "Adaptation"  # now at the top level
    taking_up, visits = innovation["children"]
    assert taking_up == {
        "id": taking_up["id"],
        "name": "Taking up",
        "colour": "#123456",
        "definition": "Using another council's practice",
        "include": "named schemes",
        "exclude": "vague interest",
        "example": "We took their forms",
        "keywords": ["adopt", "copy"],
    }
    assert visits["name"] == "Site visits" and visits["codable"] is False

    # undone one by one, newest first, each raising the version again
    messages = [ok(p, "coding", "undo").strip() for _ in range(6)]
    assert messages == [
        "undid marking a code as a group",
        "undid editing a code",
        "undid recolouring a code",
        "undid moving a code",
        "undid renaming a code",
        "undid adding a code",
    ]
    assert [c["name"] for c in exported(p)["codes"][0]["children"]] == ["Adoption", "Adaptation"]
    assert p.get_meta("codebook_version") == "13"


def test_version_numbering_keeps_the_form_of_a_loaded_version(tiny_project: Project) -> None:
    p = tiny_project
    for loaded, bumped in (("1.9", "1.10"), ("2024-03", "2024-04"), ("v007", "v008"), ("draft", "draft.1")):
        with p.transaction():
            p.set_meta("codebook_version", loaded)
        ok(p, "codebook", "recolour", "Adoption", "#00000" + str(len(loaded)))
        assert p.get_meta("codebook_version") == bumped


def test_bad_edits_are_one_line_and_change_nothing(tiny_project: Project) -> None:
    p = tiny_project
    add(p, "alice", "Adoption", SENT1)
    before, version = state(p), p.get_meta("codebook_version")
    for args, message in (
        (
            ("move", "Innovation", "Adoption"),
            "cannot move 'Innovation' under itself or one of its own subcodes",
        ),
        (
            ("rename", "Adoption", "Adaptation"),
            "a code called 'Adaptation' already exists under 'Innovation'",
        ),
        (("rename", "Adoption", "a/b"), "contains '/'"),
        (("recolour", "Adoption", "red"), "colour 'red' is not #RRGGBB"),
        (("group", "Adoption"), "has 1 codings, so it cannot become a group"),
        (("edit", "Adoption"), "nothing to change"),
        (("move", "Adoption"), "give the new parent, or --top"),
    ):
        result = run(p, "codebook", *args)
        assert result.exit_code != 0, args
        [line] = result.output.strip().splitlines()
        assert line.startswith("error: ") and message in line, (args, line)
    assert state(p) == before and p.get_meta("codebook_version") == version


def test_a_group_cannot_be_applied(tiny_project: Project) -> None:
    p = tiny_project
    ok(p, "codebook", "group", "Adaptation")
    result = run(p, "coding", "add", "--document", "1", "--start", "0", "--end", "5", "--code", "Adaptation")
    assert result.exit_code == 1
    assert "'Adaptation' groups other codes and cannot be applied" in result.output
    ok(p, "codebook", "group", "Adaptation", "--off")
    ok(p, "coding", "add", "--document", "1", "--start", "0", "--end", "5", "--code", "Adaptation")


def test_changes_show_at_once_in_refi_export_and_analyses(tiny_project: Project, tmp_path: Path) -> None:
    p = tiny_project
    add(p, "alice", "Adoption", SENT1)
    add(p, "alice", "Adaptation", SENT2)
    ok(p, "codebook", "rename", "Adoption", "Taking up")
    ok(p, "codebook", "merge", "Adaptation", "Taking up")
    qdc = tmp_path / "book.qdc"
    ok(p, "export", "qdc", str(qdc))
    text = qdc.read_text(encoding="utf-8")
    assert 'name="Taking up"' in text and "Adaptation" not in text and "Adoption" not in text
    frequencies = json.loads(ok(p, "export", "frequencies", "--format", "json"))
    assert frequencies["provenance"]["codebook_version"] == p.get_meta("codebook_version") == "3"
    counts = {row["code"]: row["codings"] for row in frequencies["frequencies"]}
    assert counts == {"Innovation": 0, "Innovation/Taking up": 2}


def test_undo_refuses_when_another_coder_changed_the_rows_since(tiny_project: Project) -> None:
    p = tiny_project
    add(p, "alice", "Adaptation", SENT1)
    ok(p, "codebook", "merge", "Adaptation", "Adoption")
    coding = p.scalar("SELECT id FROM codings")
    svc.set_coding_memo(p, coding, "bob's note", coder_id=p.coder_id("bob"))  # other columns: no conflict
    svc.remove_coding(p, coding, coder_id=p.coder_id("bob"))  # the merged coding itself: a conflict
    result = run(p, "coding", "undo")
    assert result.exit_code == 1
    assert "has changed since; nothing was changed" in result.output
    assert p.scalar("SELECT count(*) FROM codes WHERE name = 'Adaptation'") == 0
