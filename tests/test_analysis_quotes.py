"""Quotes with council, phase, role, coder and context, in Markdown, CSV, JSON and .docx.

In builders.py (ANALYSIS) every document reads "Sentence 00 is here. Sentence 01 is here. ..." with sentence i
at [21 i, 21 i + 20).
"""

from __future__ import annotations

import csv
import hashlib
import json

import docx
import pytest
from builders import BOB, LEARNING, sentence
from click.testing import CliRunner

from beacon_qual.analysis.quotes import quotes, representative, shorten
from beacon_qual.analysis.selection import Filters
from beacon_qual.cli import main
from beacon_qual.coding.codings import add_coding
from beacon_qual.errors import BeaconError
from beacon_qual.store import new_uuid, now


def test_quotes_carry_their_source(analysis_project):
    result = quotes(analysis_project, ["Imitation"])
    # c1 and c4 (a1, alice and bob), c7 and c8 (b1), c17 (d3), ordered by council, phase, document, offset.
    assert [(q.council, q.document, q.start, q.coder) for q in result.quotes] == [
        ("AAA", "a1.txt", 0, "alice"),
        ("AAA", "a1.txt", 0, "bob"),
        ("BBB", "b1.txt", 21, "alice"),
        ("BBB", "b1.txt", 105, "alice"),
        ("DDD", "d3.txt", 168, "alice"),
    ]
    third = result.quotes[2]
    assert (third.council_name, third.phase, third.role, third.text) == ("Bton", 1, "officer", sentence(1))
    assert third.before == third.after == ""


def test_context_in_characters(analysis_project):
    third = quotes(analysis_project, ["Imitation"], context=5).quotes[2]  # c7 = [21, 41) in b1.txt
    assert third.before == "ere. "  # text[16:21]
    assert third.after == " Sent"  # text[41:46]
    first = quotes(analysis_project, ["Imitation"], context=5).quotes[0]  # [0, 20): nothing before
    assert first.before == ""


def test_context_in_sentences_and_turns(analysis_project):
    third = quotes(analysis_project, ["Imitation"], context_units=1).quotes[2]
    assert third.before == sentence(0) + " "
    assert third.after == " " + sentence(2)
    whole = quotes(analysis_project, ["Barriers"], Filters(councils=("CCC",)), context_units=0).quotes[0]
    # c13 = [5, 15) inside sentence 0 of c2.txt: widened to the whole sentence.
    assert whole.before + whole.text + whole.after == sentence(0)
    turn = quotes(analysis_project, ["Imitation"], context_units=0, unit_kind="turn").quotes[2]
    assert turn.before + turn.text + turn.after == " ".join(sentence(i) for i in range(5))


def test_rollup_names_the_code_coded(analysis_project):
    result = quotes(analysis_project, [LEARNING], Filters(councils=("AAA",)), rollup=True)
    # Learning itself (c6) and Adaptation below it (c2, c5).
    assert sorted((q.start, q.coded_as.rsplit("/", 1)[-1]) for q in result.quotes) == [
        (0, "Adaptation"),
        (42, "Adaptation"),
        (42, "Learning to innovate"),
    ]


def test_markdown_on_screen(analysis_project):
    result = CliRunner().invoke(
        main, ["-p", str(analysis_project.path), "quotes", "Imitation", "--coder", "bob", "--context", "6"]
    )
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("# Quotes: Innovation/Imitation\n\n## Provenance")
    assert "### 1. AAA Aville · phase 1 · officer · coded by bob" in text
    assert "> **Sentence 00 is here.** Sente…" in text  # six characters after: " Sente"
    assert "_a1.txt, characters 0–20_" in text


def test_markdown_shows_special_characters_as_written_and_folds_whitespace(analysis_project):
    # A passage holding Markdown's own characters must read as typed, not turn bold or into a link, and a
    # passage running over lines and tabs (and a no-break space) becomes one line of the block quote.
    text = "We *copied* the_model\t[from] <Camden>\\ and `it`\n\u00a0 worked."
    with analysis_project.transaction():
        document = analysis_project.execute(
            "INSERT INTO documents(uuid, name, text, sha256, case_id, phase, role, word_count, imported_at)"
            " VALUES (?, 'e1.txt', ?, ?, 5, 2, 'officer', 9, ?)",
            (new_uuid(), text, hashlib.sha256(text.encode()).hexdigest(), now()),
        ).lastrowid
    add_coding(analysis_project, document_id=document, code_id=5, coder_id=BOB, start=0, end=len(text))
    result = CliRunner().invoke(
        main, ["-p", str(analysis_project.path), "quotes", "Barriers", "--council", "EEE", "--context", "3"]
    )
    assert result.exit_code == 0, result.output
    # the underscore between two letters cannot start emphasis, so it stays as written
    assert (
        "> **We \\*copied\\* the_model \\[from\\] \\<Camden\\>\\\\ and \\`it\\` worked.**\n" in result.output
    )
    assert "_e1.txt, characters 0–57_" in result.output


def test_csv_file_with_sidecar(analysis_project, tmp_path):
    out = tmp_path / "quotes.csv"
    result = CliRunner().invoke(
        main,
        [
            "-p",
            str(analysis_project.path),
            "quotes",
            "Imitation",
            "--context-units",
            "1",
            "--format",
            "csv",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 5
    assert (rows[2]["before"], rows[2]["text"], rows[2]["after"]) == (
        sentence(0) + " ",
        sentence(1),
        " " + sentence(2),
    )
    assert rows[2]["council"] == "BBB" and rows[2]["phase"] == "1" and rows[2]["coder"] == "alice"
    assert json.loads((tmp_path / "quotes.csv.provenance.json").read_text())["analysis"] == "quotes"


def test_docx_file_opens_with_the_quotes(analysis_project, tmp_path):
    out = tmp_path / "quotes.docx"
    result = CliRunner().invoke(
        main,
        [
            "-p",
            str(analysis_project.path),
            "quotes",
            "Imitation",
            "--context-units",
            "1",
            "--format",
            "docx",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Quotes: Innovation/Imitation"
    assert "Innovation/Imitation (5)" in texts
    assert "3. BBB Bton · phase 1 · officer · coded by alice" in texts
    quote = next(p for p in document.paragraphs if sentence(1) in p.text and p.runs[0].text.startswith("…"))
    bold = [run.text for run in quote.runs if run.bold]
    assert bold == [sentence(1)]
    assert quote.text == "…" + sentence(0) + " " + sentence(1) + " " + sentence(2) + "…"
    assert any(t.startswith("project: analysis.db (state v") for t in texts)


def test_docx_needs_a_file(analysis_project):
    result = CliRunner().invoke(
        main, ["-p", str(analysis_project.path), "quotes", "Imitation", "--format", "docx"]
    )
    assert result.exit_code == 1
    assert (
        result.output == "error: --format docx needs a file: add -o FILE.docx ('-o -' for standard output)\n"
    )


def test_context_options_exclude_each_other(analysis_project):
    with pytest.raises(BeaconError, match="either --context"):
        quotes(analysis_project, ["Imitation"], context=5, context_units=1)


def test_representative_and_shorten():
    passages = [(10, "x.txt", 5), (30, "x.txt", 1), (21, "w.txt", 9), (19, "a.txt", 0)]
    # Lengths 10, 19, 21, 30: median 20; 19 and 21 are both 1 away, a.txt sorts first.
    assert representative(passages) == (19, "a.txt", 0)
    assert representative([]) is None
    assert shorten("We  copied\ntheir forms at first.", 16) == "We copied their…"


def test_quotes_on_screen_come_document_by_document_as_the_file_has_them(
    analysis_project, tmp_path, monkeypatch
):
    # On screen the Markdown is written as the quotes are read, one document's codings and transcript at a
    # time: the first quote is out after one transcript is read, and the whole is what -o writes.
    from beacon_qual.analysis import quotes as quotes_module

    expected = len(quotes(analysis_project, ["Imitation"]).quotes)
    read: list[int] = []
    real = quotes_module._text
    monkeypatch.setattr(quotes_module, "_text", lambda project, doc: read.append(doc) or real(project, doc))
    stream = quotes_module.stream_quotes(analysis_project, ["Imitation", LEARNING], rollup=True)
    code, count, section = next(stream.sections)
    assert (code, count) == ("Innovation/Imitation", expected)
    assert read == []
    first = next(section)
    assert (first.document, first.start, first.coder) == ("a1.txt", 0, "alice") and len(read) == 1
    runner = CliRunner()
    args = [
        "-p",
        str(analysis_project.path),
        "quotes",
        "Imitation",
        LEARNING,
        "--rollup",
        "--context-units",
        "1",
    ]
    screen = runner.invoke(main, args)
    assert screen.exit_code == 0, screen.output
    assert runner.invoke(main, [*args, "-o", str(tmp_path / "q.md")]).exit_code == 0
    written = (tmp_path / "q.md").read_text(encoding="utf-8")
    assert f"## {LEARNING} (" in screen.output
    assert [line for line in screen.output.splitlines() if not line.startswith("- made by")] == [
        line for line in written.splitlines() if not line.startswith("- made by")
    ]
