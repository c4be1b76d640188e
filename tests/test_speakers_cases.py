"""Speakers told apart (roles of turns, --speaker in search, suggest, quotes, joint displays and the analyses),
cases beyond the council register (organisations, documents with no case), import's --council, --phase and
--role, and reStructuredText transcripts; all through the command line."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from builders import older_schema
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.store import new_uuid

# Invented transcripts and codebook.
CODEBOOK = """\
version: "1"
name: Speakers
codes:
  - id: 11111111-1111-4111-8111-111111111111
    name: Budget
    keywords: [budget]
  - id: 22222222-2222-4222-8222-222222222222
    name: Partners
"""
LEEDS = """\
---
interviewer: Tom Okafor
---
Interview with a Leeds officer, 12 March 2008
Recorded at the civic hall about the budget

Tom Okafor: How did the budget round go for the partners?
Jane Smith: It went well. The budget was tight but the partners came with us, which mattered most.
Tom Okafor: And the budget next year?
Jane Smith: We will see.
"""
YORK = """\
Interviewer: Was the budget discussed with the partners?
Respondent: Not really.
Interviewer: Why not?
Respondent: Nobody asked.
"""
QA = """\
Q: What changed?
A: Very little.
Q: Why?
A: Time.
"""
IR = """\
I: Tell me about it.
R: It was hard.
I: Why?
R: Money.
"""
RST = """\
Budget review in York
=====================

Interviewer: Tell me about the partners.

Respondent: They helped.

Second session
--------------

Respondent: The budget was agreed.
"""


def run(project: Path, *args: str, ok: bool = True):
    result = CliRunner().invoke(main, ["-p", str(project), *args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def body(text: str) -> str:
    """The stored text of a file: without its front matter."""
    if text.startswith("---\n"):
        return text.split("---\n", 2)[2].lstrip("\n")
    return text


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in (("leeds.txt", LEEDS), ("york.txt", YORK), ("qa.txt", QA), ("ir.txt", IR)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "file,council,phase,role\nleeds.txt,Leeds,1,officer\nyork.txt,York,2,officer\nqa.txt,Bury,2,\nir.txt,Bury,2,\n",
        encoding="utf-8",
    )
    (tmp_path / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    return tmp_path


@pytest.fixture
def project(folder: Path, make_project_file) -> Path:
    return make_project_file(
        councils="register",
        codebook=CODEBOOK,
        transcripts=[
            *(
                (name, (folder / name).read_text(encoding="utf-8"))
                for name in ("leeds.txt", "york.txt", "qa.txt", "ir.txt")
            ),
            ("manifest.csv", (folder / "manifest.csv").read_text(encoding="utf-8")),
        ],
    )


def speakers(project: Path, document: str) -> dict[str, str]:
    """label -> role as 'docs speakers' lists them."""
    lines = run(project, "docs", "speakers", document).stdout.splitlines()[2:]
    return {fields[0]: fields[1] for fields in (re.split(r"\s{2,}", line.strip()) for line in lines)}


def add_coding(project: Path, document: str, text: str, passage: str, code: str = "Budget") -> None:
    start = body(text).index(passage)
    run(
        project,
        "coding",
        "add",
        "--document",
        document,
        "--start",
        str(start),
        "--end",
        str(start + len(passage)),
        "--code",
        code,
        "--coder",
        "ann",
    )


# -- roles ------------------------------------------------------------------------------------------------


def test_roles_are_inferred_from_labels_and_the_interviewer_named_in_the_metadata(project: Path) -> None:
    assert speakers(project, "leeds.txt") == {
        "(no label)": "front matter",
        "Tom Okafor": "interviewer",
        "Jane Smith": "respondent",
    }
    assert speakers(project, "york.txt") == {"Interviewer": "interviewer", "Respondent": "respondent"}
    assert speakers(project, "qa.txt") == {"Q": "interviewer", "A": "respondent"}
    assert speakers(project, "ir.txt") == {"I": "interviewer", "R": "respondent"}


def test_roles_are_set_per_document_and_label(project: Path) -> None:
    result = run(project, "docs", "speakers", "leeds.txt", "--set", "jane smith=interviewer")
    assert "set Jane Smith: interviewer" in result.output
    assert speakers(project, "leeds.txt")["Jane Smith"] == "interviewer"
    assert "(set)" in run(project, "docs", "speakers", "leeds.txt").output
    assert speakers(project, "york.txt")["Respondent"] == "respondent"  # another document keeps its roles
    run(project, "docs", "speakers", "leeds.txt", "--set", "Jane Smith=inferred")
    assert speakers(project, "leeds.txt")["Jane Smith"] == "respondent"


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("Nobody=interviewer", "no speaker label 'Nobody'"),
        ("Jane Smith=chair", "unknown speaker role 'chair'"),
        ("Jane Smith", "is not LABEL=ROLE"),
    ],
)
def test_setting_a_role_refuses_bad_input_and_changes_nothing(
    project: Path, assignment: str, message: str
) -> None:
    result = run(
        project,
        "docs",
        "speakers",
        "leeds.txt",
        "--set",
        "Tom Okafor=respondent",
        "--set",
        assignment,
        ok=False,
    )
    assert result.exit_code != 0
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert speakers(project, "leeds.txt")["Tom Okafor"] == "interviewer"


def test_front_matter_lines_are_not_speech(project: Path) -> None:
    everything = run(project, "search", "civic").output
    assert "1 sentence matches" in everything
    for side in ("respondent", "interviewer"):
        assert run(project, "search", "civic", "--speaker", side).output.strip() == "no matches"


def test_an_older_project_gets_roles_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    conn = older_schema(path, 7)
    text = "Interviewer: Any budget?\nCllr Hart: A small budget."
    conn.execute(
        "INSERT INTO documents(id, uuid, name, text, sha256, imported_at) VALUES (1, ?, 'old.txt', ?, 'x', 'now')",
        (new_uuid(), text),
    )
    conn.executemany(
        "INSERT INTO units(document_id, kind, seq, start, end, speaker) VALUES (1, ?, ?, ?, ?, ?)",
        [
            ("turn", 1, 0, 24, "Interviewer"),
            ("turn", 2, 25, 51, "Cllr Hart"),
            ("sentence", 1, 13, 24, None),
            ("sentence", 2, 36, 51, None),
        ],
    )
    conn.execute("INSERT INTO unit_fts(unit_fts) VALUES ('rebuild')")
    conn.close()
    assert speakers(path, "old.txt") == {"Interviewer": "interviewer", "Cllr Hart": "respondent"}
    hits = run(path, "search", "budget", "--speaker", "respondent", "--format", "json").stdout
    assert [hit["start"] for hit in json.loads(hits)["hits"]] == [36]


# -- --speaker --------------------------------------------------------------------------------------------


def test_search_keeps_to_one_side(project: Path) -> None:
    def documents(*args: str) -> list[tuple[str, int]]:
        hits = json.loads(run(project, "search", "budget", "--format", "json", *args).stdout)["hits"]
        return [(hit["document"], hit["start"]) for hit in hits]

    everything = documents()
    respondent = documents("--speaker", "respondent")
    interviewer = documents("--speaker", "interviewer")
    assert len(everything) == 5
    assert [d for d, _ in respondent] == ["leeds.txt"]
    assert sorted(respondent + interviewer) == sorted(
        d for d in everything if d[1] > 100 or d[0] == "york.txt"
    )
    assert ("york.txt", 0) not in respondent


def test_suggest_takes_respondents_sentences_by_default(project: Path) -> None:
    result = run(project, "suggest")
    assert "1 sentence-code matches" in result.output
    listed = run(project, "suggest", "list", "--format", "json").stdout
    assert [s["text"] for s in json.loads(listed)] == [
        "The budget was tight but the partners came with us, which mattered most."
    ]
    result = run(project, "suggest", "--speaker", "any")
    assert "5 sentence-code matches" in result.output  # the front matter's line too


@pytest.fixture
def coded(project: Path) -> Path:
    add_coding(project, "leeds.txt", LEEDS, "How did the budget round go for the partners?")
    add_coding(project, "leeds.txt", LEEDS, "How did the budget round go for the partners?", "Partners")
    add_coding(project, "leeds.txt", LEEDS, "And the budget next year?")
    passage = "The budget was tight but the partners came with us, which mattered most."
    add_coding(project, "leeds.txt", LEEDS, passage)
    add_coding(project, "leeds.txt", LEEDS, passage, "Partners")
    add_coding(project, "york.txt", YORK, "Was the budget discussed with the partners?")
    return project


def test_quotes_keep_to_respondents_by_default(coded: Path) -> None:
    def quoted(*args: str) -> list[str]:
        rows = csv.DictReader(io.StringIO(run(coded, "quotes", "Budget", "--format", "csv", *args).stdout))
        return [row["text"] for row in rows]

    assert quoted() == ["The budget was tight but the partners came with us, which mattered most."]
    assert (
        "- filters: speaker = respondent\n" in run(coded, "quotes", "Budget").stdout
    )  # the provenance says so
    assert len(quoted("--speaker", "any")) == 4
    assert sorted(quoted("--speaker", "interviewer")) == [
        "And the budget next year?",
        "How did the budget round go for the partners?",
        "Was the budget discussed with the partners?",
    ]


def test_joint_display_quotes_a_respondent_by_default(coded: Path) -> None:
    def leeds_cell(*args: str) -> dict:
        rows = json.loads(run(coded, "joint-display", "--codes", "Budget", "--format", "json", *args).stdout)
        return next(r for r in rows["rows"] if r["council"] == "LDS")

    default = leeds_cell()
    assert default["Budget: passages"] == 3  # counts take every coding
    assert default["Budget: quote"].startswith("“The budget was tight")
    assert leeds_cell("--speaker", "any")["Budget: quote"].startswith("“How did the budget")
    only = leeds_cell("--speaker", "respondent")
    assert only["Budget: passages"] == 1


def test_frequencies_cooccurrence_and_trends_keep_to_one_side(coded: Path) -> None:
    def codings(*args: str) -> dict[str, tuple[int, int]]:
        out = run(coded, "export", "frequencies", "--format", "csv", *args).stdout
        return {r["code"]: (int(r["codings"]), int(r["documents"])) for r in csv.DictReader(io.StringIO(out))}

    assert codings() == {"Budget": (4, 2), "Partners": (2, 1)}
    assert codings("--speaker", "respondent") == {"Budget": (1, 1), "Partners": (1, 1)}
    assert codings("--speaker", "interviewer") == {"Budget": (3, 2), "Partners": (1, 1)}
    assert codings("--speaker", "respondent", "--by", "coder") == {"Budget": (1, 1), "Partners": (1, 1)}

    def pair(within: str, *args: str) -> tuple[int, int, int]:
        out = run(coded, "cooccurrence", "--within", within, "--format", "json", *args).stdout
        (row,) = json.loads(out)["pairs"]
        return row["n_a"], row["n_b"], row["n_ab"]

    assert pair("sentence") == (4, 2, 2)
    assert pair("sentence", "--speaker", "respondent") == (1, 1, 1)
    assert pair("turn", "--speaker", "interviewer") == (3, 1, 1)
    assert pair("document") == (2, 1, 1)
    assert pair("document", "--speaker", "interviewer") == (2, 1, 1)
    assert pair("overlap", "--speaker", "respondent") == (1, 1, 1)

    def phase_two(*args: str) -> int:
        out = json.loads(run(coded, "trends", "Budget", "--format", "json", *args).stdout)
        (row,) = [r for r in out["trends"] if r["phase"] == 2]
        return row["documents_with_code"]

    add_coding(
        coded, "york.txt", YORK, "Nobody asked.", "Partners"
    )  # York is coded in respondents' speech too
    assert phase_two() == 1
    assert phase_two("--speaker", "respondent") == 0


def test_crosstab_keeps_to_one_side(coded: Path, folder: Path) -> None:
    survey = folder / "survey.csv"
    survey.write_text("council,wave,support\nLeeds,1,high\nYork,1,low\nBury,1,low\n", encoding="utf-8")
    run(coded, "survey", "import", str(survey))

    def coded_councils(*args: str) -> int:
        out = run(coded, "crosstab", "Budget", "--variable", "support", "--format", "json", *args).stdout
        return sum(r["councils"] for r in json.loads(out)["crosstab"])

    assert coded_councils() == 2
    assert coded_councils("--speaker", "respondent") == 1


# -- cases beyond the register -----------------------------------------------------------------------------


def test_organisations_and_documents_without_a_case(project: Path, folder: Path) -> None:
    result = run(project, "cases", "add", "Improvement and Development Agency", "--kind", "organisation")
    assert "added organisation" in result.output
    again = run(project, "cases", "add", "Leeds City Council", "--kind", "organisation", ok=False)
    assert again.exit_code != 0 and "already a case" in again.output
    (folder / "idea.txt").write_text("Interviewer: Budget?\nRespondent: The budget is national.\n", "utf-8")
    (folder / "notes.txt").write_text("Notes: a budget meeting.\n", "utf-8")
    result = run(
        project,
        "import",
        str(folder / "idea.txt"),
        "--council",
        "Improvement and Development Agency",
        "--phase",
        "1",
    )
    assert "0 council(s), 1 organisation(s)" in result.output
    assert (
        "1 document(s) with no council"
        in run(project, "import", str(folder / "notes.txt"), "--no-council", "--phase", "2").output
    )
    listed = {
        d["name"]: d["council"] for d in json.loads(run(project, "docs", "list", "--format", "json").stdout)
    }
    assert listed["idea.txt"] == "Improvement and Development Agency" and listed["notes.txt"] is None
    status = run(project, "status").stdout
    assert re.search(r"councils \(cases\) +388\n", status) and re.search(
        r"organisations \(cases\) +1\n", status
    )
    assert re.search(r"councils covered +3\n", status) and re.search(r"with no case +1\n", status)
    add_coding(
        project, "idea.txt", "Interviewer: Budget?\nRespondent: The budget is national.\n", "The budget"
    )
    add_coding(project, "notes.txt", "Notes: a budget meeting.\n", "a budget meeting")
    add_coding(project, "leeds.txt", LEEDS, "The budget was tight")

    out = json.loads(run(project, "export", "frequencies", "--format", "json").stdout)
    (row,) = [r for r in out["frequencies"] if r["code"] == "Budget"]
    assert (row["documents"], row["councils"]) == (
        3,
        1,
    )  # by document they stay; by council they are left out
    assert "2 documents with no council (an organisation's, or no case) left out" in " ".join(out["notes"])
    trends = json.loads(run(project, "trends", "Budget", "--format", "json").stdout)
    assert any("2 documents with no council" in note for note in trends["notes"])
    wide = run(project, "export", "frequencies", "--format", "wide")
    assert "2 documents with no council" in wide.stderr  # the note, on standard error
    # every interviewed council has a row (uncoded ones with 0); the organisation and the case-less document none
    assert [line.split(",")[0] for line in wide.stdout.splitlines()[1:]] == ["BUR", "LDS", "YOR"]
    refused = run(project, "quotes", "Budget", "--council", "Improvement and Development Agency", ok=False)
    assert refused.exit_code != 0 and "is an organisation, not a council" in refused.output


def test_a_manifest_row_with_an_empty_council_imports_with_a_warning(project: Path, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "one.txt").write_text("Interviewer: Hello?\nRespondent: Hello.\n", "utf-8")
    (batch / "manifest.csv").write_text("file,council,phase\none.txt,,2\n", "utf-8")
    result = run(project, "import", str(batch))
    assert (
        "warning:" in result.output
        and "the council is empty; one.txt imported with no council" in result.output
    )
    listed = {d["name"]: d for d in json.loads(run(project, "docs", "list", "--format", "json").stdout)}
    assert listed["one.txt"]["council"] is None and listed["one.txt"]["phase"] == 2


def test_import_takes_council_phase_and_role_for_a_folder(project: Path, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("a.txt", "b.txt"):
        (batch / name).write_text(f"Interviewer: About {name}?\nRespondent: Yes, {name}.\n", "utf-8")
    result = run(
        project, "import", str(batch), "--council", "Stockport MBC", "--phase", "phase 3", "--role", "Cllr"
    )
    assert "imported 2 file(s)" in result.output and "1 council(s)" in result.output
    listed = {d["name"]: d for d in json.loads(run(project, "docs", "list", "--format", "json").stdout)}
    assert {(listed[n]["council"], listed[n]["phase"], listed[n]["role"]) for n in ("a.txt", "b.txt")} == {
        ("Stockport Metropolitan Borough Council", 3, "elected member")
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--council", "York"], "the council is 'Leeds' but --council says 'York'"),
        (["--phase", "2"], "phase is 1 but --phase says 2"),
        (["--no-council"], "names the council 'Leeds', but the import says --no-council"),
        (["--council", "York", "--no-council"], "either --council or --no-council"),
        (["--role", "mayor"], "unknown role 'mayor'"),
    ],
)
def test_import_refuses_metadata_that_disagrees(project: Path, tmp_path: Path, args, message) -> None:
    path = tmp_path / "fm.txt"
    path.write_text("---\ncouncil: Leeds\nphase: 1\n---\nInterviewer: Hi?\nRespondent: Hi.\n", "utf-8")
    result = run(project, "import", str(path), *args, ok=False)
    assert result.exit_code != 0
    assert message in result.output
    assert "fm.txt" not in run(project, "docs", "list").output


def test_a_file_without_a_council_says_how_to_give_one(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "bare.txt"
    path.write_text("Interviewer: Hi?\nRespondent: Hi.\n", "utf-8")
    result = run(project, "import", str(path), ok=False)
    assert result.exit_code != 0 and "--council NAME or --no-council" in result.output


# -- reStructuredText --------------------------------------------------------------------------------------


def test_rst_titles_are_headings_not_speech(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "york.rst"
    path.write_text(RST, "utf-8")
    result = run(project, "import", str(path), "--council", "York", "--phase", "1")
    assert "3 turns, 3 sentences" in result.output
    shown = run(project, "docs", "show", "york.rst", "--units").output
    sentences = shown.split("sentences:\n")[1]
    assert "review" not in sentences and "session" not in sentences and "===" not in sentences
    assert "Tell me about the partners." in sentences
    assert run(project, "search", "session").output.strip() == "no matches"
    assert speakers(project, "york.rst") == {"Interviewer": "interviewer", "Respondent": "respondent"}
    turns = [line for line in shown.splitlines() if line.startswith("[")]
    assert [t.split()[1] for t in turns] == ["Interviewer", "Respondent", "Respondent"]
