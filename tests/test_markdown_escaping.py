"""Markdown outputs show names and passages as they are: no raw HTML, no structure from the data.

The project is builders.py (ANALYSIS)'s, with hostile (invented) names and text put in: a code named
<script>, a council and a document whose names hold Markdown, a coder named in HTML, and every
sentence replaced by one of the same length full of Markdown and HTML.
"""

from __future__ import annotations

import pytest
from builders import ANALYSIS, SENTENCES, TEXT
from click.testing import CliRunner
from markdown_it import MarkdownIt

from beacon_qual.cli import main

CODE = "<script>alert(1)</script>"
COUNCIL = "# Big | *Council*"
DOCUMENT = "- [doc](javascript:x) &amp;.txt"
CODER = "<b>bob</b>"
HOSTILE = ["<img src=x onerror=1>", "# *a* | _b_ `c` &lt;", "1. [x](y) ~~z~~ ***", "---"]


def hostile_text() -> str:
    sentences = [TEXT[21 * i : 21 * i + 20] for i in range(SENTENCES)]
    replaced = [HOSTILE[i % len(HOSTILE)].ljust(20)[:20] for i in range(SENTENCES)]
    out = TEXT
    for old, new in zip(sentences, replaced):
        out = out.replace(old, new, 1)
    assert len(out) == len(TEXT)
    return out


@pytest.fixture
def project_path(tmp_path, make_project):
    project = make_project(ANALYSIS, "md.db")
    with project.transaction():
        project.execute("UPDATE codes SET name = ? WHERE name = 'Imitation'", (CODE,))
        project.execute("UPDATE cases SET name = ? WHERE code = 'AAA'", (COUNCIL,))
        project.execute("UPDATE documents SET name = ? WHERE name = 'a1.txt'", (DOCUMENT,))
        project.execute("UPDATE coders SET name = ? WHERE name = 'bob'", (CODER,))
        project.execute("UPDATE documents SET text = ?", (hostile_text(),))
    project.close()
    return tmp_path / "md.db"


def markdown(project_path, *args) -> str:
    result = CliRunner().invoke(main, ["--project", str(project_path), *args, "--format", "markdown"])
    assert result.exit_code == 0, result.output
    return result.stdout


def tokens(text: str) -> list:
    parser = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    flat = []
    for token in parser.parse(text):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def assert_plain(text: str, *, headings: int, lists: int, emphasis: int = 0, links: int = 0) -> str:
    found = tokens(text)
    kinds = [t.type for t in found]
    assert "html_inline" not in kinds and "html_block" not in kinds
    assert kinds.count("heading_open") == headings
    assert kinds.count("bullet_list_open") == lists and "ordered_list_open" not in kinds
    assert kinds.count("em_open") == emphasis and kinds.count("link_open") == links
    assert "s_open" not in kinds and "hr" not in kinds and "code_inline" not in kinds
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    return html


def test_quotes_markdown_shows_names_and_passages_as_text(project_path):
    text = markdown(project_path, "quotes", CODE, "--context", "30", "--coder", CODER)
    # Headings: the title, Provenance, the code, and one per quote (bob's one coding of the code: c4).
    html = assert_plain(text, headings=4, lists=1, emphasis=1)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the code, in the title and its heading
    assert "&lt;b&gt;bob&lt;/b&gt;" in html
    assert "<strong>&lt;img src=x onerror=1</strong>" in html  # the passage, first 20 characters
    assert "# *a* | _b_ `c` &amp;lt; 1. [x](y…" in html  # its context, as written


def test_frequencies_markdown_shows_names_as_text(project_path):
    text = markdown(project_path, "export", "frequencies", "--by", "council", "--by", "document")
    html = assert_plain(text, headings=3, lists=1)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert COUNCIL in html
    assert "- [doc](javascript:x) &amp;amp;.txt" in html
    # One table, whose rows all have as many cells as its header (a '|' in a name opens no cell).
    found = tokens(text)
    assert [t.type for t in found].count("table_open") == 1
    header = sum(1 for t in found if t.type == "th_open")
    rows = sum(1 for t in found if t.type == "tr_open") - 1
    assert sum(1 for t in found if t.type == "td_open") == header * rows


def test_crosstab_markdown_shows_names_as_text(project_path):
    text = markdown(project_path, "crosstab", "--variable", "region_type", "--coder", CODER)
    html = assert_plain(text, headings=text.count("\n## ") + 1, lists=2)  # provenance and notes
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;bob&lt;/b&gt;" in html
