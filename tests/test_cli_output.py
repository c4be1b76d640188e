"""The command line's one output path: every listing takes --format table|csv|json|markdown and -o FILE,
written by the rules every output file follows (never over a project, an existing file only with --force)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.store import Project


def run(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["-p", str(project), *args])
    return result.exit_code, result.stdout, result.stderr


def coded(tiny_project: Project) -> Path:
    """The tiny project with one coding (its memo holds a Markdown table's cell separator) and an alias."""
    path = tiny_project.path
    tiny_project.execute(
        "INSERT INTO case_aliases(case_id, alias, norm, source) VALUES (1, 'Exampel', 'exampel', 'user')"
    )
    tiny_project.close()
    code, _, err = run(
        path,
        *("coding", "add", "--document", "doc1.txt", "--start", "0", "--end", "11"),
        *("--code", "Adoption", "--coder", "alice", "--memo", "a | b"),
    )
    assert code == 0, err
    return path


def markdown_rows(text: str) -> list[list[str]]:
    lines = text.splitlines()
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines), text
    assert set(lines[1].replace("|", "").split()) == {"---"}
    return [line[2:-2].split(" | ") for line in lines[:1] + lines[2:]]


def test_listings_print_a_markdown_table(tiny_project: Project) -> None:
    path = coded(tiny_project)
    code, out, _ = run(path, "coding", "list", "--format", "markdown")
    assert code == 0
    header, row = markdown_rows(out)
    assert header[:3] == ["id", "document_id", "document"]
    record = dict(zip(header, row))
    assert record["code"] == "Innovation/Adoption" and record["text"] == "Interviewer"
    assert record["memo"] == "a \\| b"  # the cell separator in the memo stays text
    code, out, _ = run(path, "docs", "list", "--format", "markdown")
    [header, row] = markdown_rows(out)
    assert dict(zip(header, row))["name"] == "doc1.txt"
    code, out, _ = run(path, "cases", "list", "--format", "markdown")
    [header, row] = markdown_rows(out)
    assert dict(zip(header, row))["name"] == "Example Borough Council"


def test_a_list_without_a_format_gains_one(tiny_project: Project) -> None:
    path = coded(tiny_project)
    code, out, _ = run(path, "cases", "aliases")
    assert code == 0 and out.splitlines()[0].startswith("Exampel  -> [XYZ] Example Borough Council")
    code, out, _ = run(path, "cases", "aliases", "--format", "json")
    assert json.loads(out) == [
        {"spelling": "Exampel", "council": "Example Borough Council", "code": "XYZ", "source": "user"}
    ]
    code, out, _ = run(path, "review", "list", "--format", "csv")
    assert (
        code == 0
        and out
        == "coding_id,uuid,document_id,document,code,coder,start,end,passage,old_start,old_end,old_passage,method,score,revision\n"
    )


def test_a_listing_goes_to_a_file_by_the_output_rules(tiny_project: Project, tmp_path: Path) -> None:
    path = coded(tiny_project)
    _, shown, _ = run(path, "docs", "list", "--format", "csv")
    target = tmp_path / "docs.csv"
    code, out, _ = run(path, "docs", "list", "--format", "csv", "-o", str(target))
    assert code == 0 and out == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8") == shown
    code, out, _ = run(path, "docs", "list", "--format", "json", "-o", str(target))
    assert code == 0, "a file beacon-qual wrote is replaced without --force"
    assert json.loads(target.read_text(encoding="utf-8"))[0]["name"] == "doc1.txt"
    theirs = tmp_path / "theirs.csv"
    theirs.write_text("kept\n", encoding="utf-8")
    code, out, err = run(path, "coding", "list", "-o", str(theirs))
    assert code == 1 and err == f"error: {theirs} already exists; pass --force to replace it\n"
    assert theirs.read_text(encoding="utf-8") == "kept\n"
    code, out, _ = run(path, "coding", "list", "-o", str(theirs), "--force")
    assert code == 0 and theirs.read_text(encoding="utf-8").endswith("1 codings\n")
    code, out, err = run(path, "survey", "list", "-o", str(path))
    assert code == 1 and "is the open project; beacon-qual never writes output over it" in err
    assert Project.open(path).scalar("SELECT count(*) FROM codings") == 1
    code, out, _ = run(path, "suggest", "list", "--format", "json", "-o", "-")
    assert code == 0 and json.loads(out) == []
