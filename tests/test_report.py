"""The HTML study report and the figures: their numbers are the analyses' numbers, every project text is
escaped, the file stands alone, and a browser draws it. Built on the hand-counted project of
builders.py (ANALYSIS)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest
from builders import ADAPTATION, ANALYSIS, IMITATION
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.store import new_uuid, now

EVIL_CODE = "<script>alert('code')</script>"
EVIL_MEMO = "<img src=x onerror=alert('memo')> & more"
EVIL_COUNCIL = "Aville & <b>Co</b>"
EVIL_DOC = "<i>a1</i>.txt"


@pytest.fixture
def db(make_project_file) -> Path:
    return make_project_file(ANALYSIS, "analysis.db")


@pytest.fixture
def evil_db(make_project) -> Path:
    """The same project with markup in a code's name, a code memo, a council's and a document's name."""
    project = make_project(ANALYSIS, "evil.db")
    path = project.path
    with project.transaction():
        code_id = project.execute(
            "INSERT INTO codes(uuid, name, description, colour, created_at) VALUES (?,?,?,?,?)",
            (new_uuid(), EVIL_CODE, "<u>definition</u>", "#123456", now()),
        ).lastrowid
        project.execute(
            "INSERT INTO memos(uuid, target_type, target_id, text, created_at) VALUES (?,?,?,?,?)",
            (new_uuid(), "code", code_id, EVIL_MEMO, now()),
        )
        for document_id in (1, 5):
            project.execute(
                "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (new_uuid(), document_id, code_id, 1, 0, 20, now()),
            )
        project.execute("UPDATE cases SET name = ? WHERE code = 'AAA'", (EVIL_COUNCIL,))
        project.execute("UPDATE documents SET name = ? WHERE id = 1", (EVIL_DOC,))
    project.close()
    return path


def run(db: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--project", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def report(
    db: Path, tmp_path: Path, *args: str, name: str = "study.html"
) -> tuple[str, lxml.html.HtmlElement]:
    out = tmp_path / name
    run(db, "report", "-o", str(out), *args)
    text = out.read_text(encoding="utf-8")
    return text, lxml.html.fromstring(text)


def table_rows(doc: lxml.html.HtmlElement, table_id: str) -> list[list[str]]:
    (table,) = doc.xpath(f"//table[@id='{table_id}']")
    return [[cell.text_content() for cell in row.xpath("./td")] for row in table.xpath("./tbody/tr")]


def table_header(doc: lxml.html.HtmlElement, table_id: str) -> list[str]:
    (table,) = doc.xpath(f"//table[@id='{table_id}']")
    return [cell.text_content() for cell in table.xpath("./thead/tr/th")]


def g4(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else format(value, ".4g")


# -- the report ----------------------------------------------------------------------------------------------
def test_report_has_every_section_and_inline_charts(db, tmp_path):
    text, doc = report(db, tmp_path, "--measures", "region_type")
    headings = [h.text_content() for h in doc.xpath("//h2")]
    assert headings == [
        "The project at a glance",
        "Codebook",
        "Code frequencies by phase",
        "Code frequencies by respondent role",
        "Councils by codes",
        "Codes by region_type",
        "Trends by phase",
        "Agreement between coders",
        "Quotes",
        "Provenance",
    ]
    svgs = doc.xpath("//figure/*[local-name()='svg']")
    assert len(svgs) == 5  # by phase, by role, matrix, region_type, trends
    assert "Share of coded documents with each code, by phase" in text
    # the project at a glance: 4 councils with documents, 8 documents, 7 of them coded
    facts = {
        r.xpath("./th")[0].text_content(): r.xpath("./td")[0].text_content()
        for r in doc.xpath("//table[@id='glance-facts']//tr")
    }
    assert facts["Councils interviewed"] == "4"
    assert facts["Documents"] == "8"
    assert facts["Documents coded"] == "7 (87.5%)"
    # quotes name their council, phase, role and document
    footers = [f.text_content() for f in doc.xpath("//section[@id='quotes']//footer")]
    assert any(f.startswith("AAA Aville, phase 1, officer, a1.txt") for f in footers)


def test_report_numbers_are_the_commands_numbers(db, tmp_path):
    _text, doc = report(db, tmp_path, "--measures", "region_type")
    cli = json.loads(run(db, "export", "frequencies", "--by", "phase", "--format", "json"))["frequencies"]
    expected = [
        [r["code"], str(r["phase"]), str(r["codings"]), str(r["documents"]), str(r["councils"])] for r in cli
    ]
    assert table_rows(doc, "freq-phase-frequencies") == expected

    trend = json.loads(run(db, "trends", "--format", "json"))["trends"]
    z_of = {r["code"]: r["document_trend_z"] for r in trend}
    rows = {r[0]: r for r in table_rows(doc, "trends-documents")}
    assert table_header(doc, "trends-documents")[1:4] == [
        "phase 1 (n = 3)",
        "phase 2 (n = 2)",
        "phase 3 (n = 3)",
    ]
    assert rows[ADAPTATION][1:4] == ["1 (33.3%)", "1 (50.0%)", "3 (100.0%)"]  # d1, uncoded, is in the base
    assert rows[ADAPTATION][4] == g4(z_of[ADAPTATION])
    assert rows[IMITATION][4] == g4(z_of[IMITATION])

    cross = json.loads(run(db, "crosstab", "--variable", "region_type", "--format", "json"))["crosstab"]
    chi2 = {r["code"]: r["chi2"] for r in cross}
    tests = {r[0]: r for r in table_rows(doc, "measure-region-type-tests")}
    assert any(v is not None for v in chi2.values())
    assert {code: row[1] for code, row in tests.items()} == {
        code: "" if v is None else g4(v) for code, v in chi2.items()
    }
    # the stated bases: each category's number of councils
    assert table_header(doc, "measure-region-type-counts")[1:3] == ["urban (n = 2)", "rural (n = 2)"]


def test_numeric_measure_is_split_into_thirds_as_the_crosstab_does(db, tmp_path):
    _text, doc = report(db, tmp_path, "--measures", "innovation_score", "--wave", "1")
    section = doc.xpath("//section[@id='measure-innovation-score']")[0]
    assert "split into thirds" in section.text_content()
    assert section.xpath(".//figure/*[local-name()='svg']")
    cli = json.loads(
        run(
            db,
            "crosstab",
            "--variable",
            "innovation_score",
            "--wave",
            "1",
            "--quantiles",
            "3",
            "--format",
            "json",
        )
    )["crosstab"]
    categories = list(dict.fromkeys(r["category"] for r in cli))
    header = table_header(doc, "measure-innovation-score-counts")
    totals = {r["category"]: r["category_councils"] for r in cli}
    assert header[1:-1] == [f"{c} (n = {totals[c]})" for c in categories]
    counts = {r[0]: r[1:-1] for r in table_rows(doc, "measure-innovation-score-counts")}
    for r in cli:
        assert counts[r["code"]][categories.index(r["category"])].startswith(f"{r['councils']} (")


def test_report_filters_are_the_analyses_filters(db, tmp_path):
    _text, doc = report(db, tmp_path, "--phase", "1", "--coder", "alice")
    cli = json.loads(
        run(
            db,
            "export",
            "frequencies",
            "--by",
            "role",
            "--phase",
            "1",
            "--coder",
            "alice",
            "--format",
            "json",
        )
    )["frequencies"]
    expected = [
        [r["code"], r["role"], str(r["codings"]), str(r["documents"]), str(r["councils"])] for r in cli
    ]
    assert table_rows(doc, "freq-role-frequencies") == expected
    # phase 1 is a1, b1 and d1: alice coded a1 three times and b1 twice, bob each once
    assert table_rows(doc, "glance-coders") == [["alice", "5", "2"], ["bob", "2", "2"]]
    # one phase: no trend, and the report says why instead of failing
    trends = doc.xpath("//section[@id='trends']")[0].text_content()
    assert "a trend needs documents in two or more phases" in trends
    provenance = doc.xpath("//section[@id='provenance']")[0].text_content()
    assert '"phases": [1]' in provenance and '"coders": ["alice"]' in provenance


def test_quotes_zero_leaves_the_quotes_out(db, tmp_path):
    _text, doc = report(db, tmp_path, "--quotes", "0")
    headings = [h.text_content() for h in doc.xpath("//h2")]
    assert "Quotes" not in headings and "Provenance" in headings
    assert not doc.xpath("//blockquote")


def test_agreement_section_is_the_agreement_command(db, tmp_path):
    _text, doc = report(db, tmp_path)
    figures = json.loads(run(db, "agreement", "--coders", "alice", "bob", "--format", "json"))["figures"]
    kappa = next(f for f in figures if f["measure"] == "unit_kappa" and f["code"] == "(all codes)")
    header = table_header(doc, "agreement-table")
    row = table_rows(doc, "agreement-table")[0]
    assert row[0] == "(all codes)"
    assert row[header.index("sentence κ")] == f"{kappa['value']:.3f}"


def test_every_project_text_is_escaped(evil_db, tmp_path):
    text, doc = report(evil_db, tmp_path)
    assert "<script" not in text.lower()
    assert not doc.xpath("//script | //img | //u | //i | //b[contains(., 'Co')]")
    assert "&lt;script&gt;" in text
    # shown as written, in the codebook, the tables, the chart and the quotes
    codebook = doc.xpath("//table[@id='codebook']")[0].text_content()
    assert EVIL_CODE in codebook and "<u>definition</u>" in codebook and EVIL_MEMO in codebook
    labels = "".join(doc.xpath("//figure//*[local-name()='text']//text()"))
    assert EVIL_CODE in labels
    quotes = doc.xpath("//section[@id='quotes']")[0].text_content()
    assert EVIL_CODE in quotes and EVIL_COUNCIL in quotes and EVIL_DOC in quotes


def test_report_stands_alone(db, tmp_path):
    text, doc = report(db, tmp_path, "--measures", "region_type")
    assert not doc.xpath("//script | //link | //iframe | //img[@src] | //*[@src]")
    # the only addresses are the SVG namespaces and the SVG DTD's name, which nothing fetches
    for part in text.split("http")[1:]:
        assert part.startswith(("://www.w3.org/2000/svg", "://www.w3.org/1999/xlink")), part[:60]


def test_report_refuses_bad_input_with_one_line(db, tmp_path):
    for args, message in (
        (["-o", str(tmp_path / "study.txt")], "should end in .html"),
        (["-o", str(tmp_path / "missing" / "study.html")], "does not exist"),
        (["-o", str(tmp_path / "study.html"), "--measures", "no_such_measure"], "no_such_measure"),
        (["-o", str(tmp_path / "study.html"), "--phase", "9"], "phase"),
    ):
        result = CliRunner().invoke(main, ["--project", str(db), "report", *args])
        if "no_such_measure" in args:  # a section the analysis refuses says so; the report is written
            assert result.exit_code == 0, result.output
            assert "Not shown:" in (tmp_path / "study.html").read_text(encoding="utf-8")
            continue
        assert result.exit_code != 0
        assert message in result.output and result.output.count("\n") == 1, result.output


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(_chromium() is None, reason="no Chromium or Chrome binary on PATH (.ci/run installs one)")
def test_report_renders_in_headless_chromium(db, tmp_path):
    report(db, tmp_path, "--measures", "region_type")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,3000",
            f"--screenshot={shot}",
            (tmp_path / "study.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1200, 3000)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    # a page that drew text, tables and charts, not a blank or an error page
    assert colours is not None and len(colours) > 50


# -- figures -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "title"),
    [
        (["frequencies", "--by", "phase"], "Documents coded with each code, by phase"),
        (["matrix"], "Codings per council and code"),
        (["trends"], "Share of coded documents with each code, by phase"),
        (
            ["measure", "--variable", "region_type"],
            "Share of councils with each code, by region_type (wave 1)",
        ),
    ],
)
def test_figure_svg_holds_its_title_and_labels(db, tmp_path, args, title):
    out = tmp_path / "fig.svg"
    run(db, "figure", *args, "-o", str(out), "--width", "5", "--height", "4", "--font-size", "11")
    svg = lxml.etree.parse(str(out)).getroot()
    texts = "".join(svg.itertext())
    assert title in texts
    assert "Adaptation" in texts
    assert svg.get("width") == "360pt" and svg.get("height") == "288pt"  # 5 x 4 inches
    assert "font-size: 11px" in out.read_text()  # the tick labels


def test_figure_bars_are_the_commands_documents(db, tmp_path):
    from beacon_qual.analysis.selection import Filters
    from beacon_qual.report.figures import frequencies_figure
    from beacon_qual.store import Project

    cli = json.loads(run(db, "export", "frequencies", "--by", "role", "--format", "json"))["frequencies"]
    project = Project.open(db)
    try:
        fig, _result = frequencies_figure(project, Filters(), "role")
    finally:
        project.close()
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    drawn = {}
    for container, role in zip(ax.containers, legend):
        for bar, label in zip(container, [t.get_text() for t in ax.get_yticklabels()]):
            drawn[(label, role)] = bar.get_width()
    expected = {
        (r["code"].split("/")[-1], f"role {r['role']}"): r["documents"] for r in cli if r["documents"]
    }
    assert {k: v for k, v in drawn.items() if v} == expected


def test_bars_take_the_codebooks_colour_else_okabe_ito(evil_db, tmp_path):
    out = tmp_path / "fig.svg"
    run(evil_db, "figure", "frequencies", "-o", str(out))
    svg = out.read_text(encoding="utf-8")
    assert "fill: #123456" in svg  # the code with a colour in the codebook
    assert "fill: #e69f00" in svg  # the first of the others: Okabe-Ito orange


def test_figure_png_and_pdf(db, tmp_path):
    run(
        db, "figure", "matrix", "-o", str(tmp_path / "m.png"), "--dpi", "100", "--width", "6", "--height", "3"
    )
    run(db, "figure", "trends", "-o", str(tmp_path / "t.pdf"))
    from PIL import Image

    with Image.open(tmp_path / "m.png") as image:
        assert image.size == (600, 300)
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")


def test_figure_refuses_unknown_format_and_empty_selection(db, tmp_path):
    result = CliRunner().invoke(
        main, ["--project", str(db), "figure", "matrix", "-o", str(tmp_path / "m.gif")]
    )
    assert result.exit_code != 0 and "end it in .svg, .png or .pdf" in result.output
    result = CliRunner().invoke(
        main, ["--project", str(db), "figure", "matrix", "--council", "EEE", "-o", str(tmp_path / "m.svg")]
    )
    assert result.exit_code != 0 and "nothing to draw" in result.output
    assert not (tmp_path / "m.svg").exists()


def _uncoded(db: Path) -> Path:
    """The project with its documents in every phase and not one coding, as a newly imported study is."""
    from beacon_qual.store import Project

    project = Project.open(db)
    with project.transaction():
        project.execute("DELETE FROM codings")
    project.close()
    return db


def test_figure_trends_refuses_a_selection_without_codings(db, tmp_path):
    # not an empty chart with a 0% axis, as it drew before
    result = CliRunner().invoke(
        main, ["--project", str(_uncoded(db)), "figure", "trends", "-o", str(tmp_path / "t.svg")]
    )
    assert result.exit_code != 0 and "no codings in the selection: nothing to draw" in result.output
    assert not (tmp_path / "t.svg").exists()


def test_report_on_a_selection_without_codings_draws_no_empty_trends_chart(db, tmp_path):
    out = tmp_path / "study.html"
    result = CliRunner().invoke(main, ["--project", str(_uncoded(db)), "report", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    trends = html[html.index("Trends by phase</h2>") :]
    trends = trends[: trends.index("<h2")]
    assert "Not shown: no codings in the selection" in trends
    assert "<svg" not in trends and "<img" not in trends


def test_the_glance_counts_documents_marked_fully_coded(db, tmp_path):
    for doc in ("a1.txt", "b1.txt"):
        assert (
            CliRunner().invoke(main, ["-p", str(db), "docs", "done", doc, "--coder", "alice"]).exit_code == 0
        )
    _text, doc = report(db, tmp_path)
    facts = {
        r.xpath("./th")[0].text_content(): r.xpath("./td")[0].text_content()
        for r in doc.xpath("//table[@id='glance-facts']//tr")
    }
    assert facts["Documents marked fully coded (docs done)"] == "2 (25.0%)"
    _text, doc = report(db, tmp_path, "--coder", "bob", name="bob.html")
    facts = {
        r.xpath("./th")[0].text_content(): r.xpath("./td")[0].text_content()
        for r in doc.xpath("//table[@id='glance-facts']//tr")
    }
    assert facts["Documents marked fully coded (docs done)"] == "0 (0.0%)"  # alice's marks are not bob's


def test_quotes_are_respondents_words_unless_another_side_is_asked(tmp_path):
    # The demo project (invented interviews): one coding on an interviewer's question, one on an answer.
    project = tmp_path / "demo.db"
    assert CliRunner().invoke(main, ["-p", str(project), "demo"]).exit_code == 0
    from beacon_qual.store import Project

    with Project.open(project) as p:
        text = p.scalar("SELECT text FROM documents WHERE id = 1")
    question = "Could you describe"
    answer = "I'm the partnership manager"
    if question not in text:  # the first document of the demo, whichever it is, has a Q: and an A:
        question = text[text.index("Q: ") + 3 :].split("\n")[0][:25]
        answer = text[text.index("A: ") + 3 :].split("\n")[0][:25]
    for passage in (question, answer):
        start = text.index(passage)
        args = ["coding", "add", "--document", "1", "--start", str(start), "--end", str(start + len(passage))]
        result = CliRunner().invoke(
            main, ["-p", str(project), *args, "--code", "Tacit knowledge", "--coder", "ann"]
        )
        assert result.exit_code == 0, result.output
    _text, doc = report(project, tmp_path, "--code", "Tacit knowledge")
    quoted = " ".join(q.text_content() for q in doc.xpath("//section[@id='quotes']//blockquote/p"))
    assert answer in quoted and question not in quoted
    _text, doc = report(
        project, tmp_path, "--code", "Tacit knowledge", "--speaker", "interviewer", name="q.html"
    )
    quoted = " ".join(q.text_content() for q in doc.xpath("//section[@id='quotes']//blockquote/p"))
    assert question in quoted and answer not in quoted
