"""A --council filter names a council exactly: a spelling only similar to one is refused, never guessed.

The project is the demo's (invented interviews with fourteen English councils).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from beacon_qual.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(main, ["-p", str(path), "demo"])
    assert result.exit_code == 0, result.output
    return path


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["-p", str(project), *args])


@pytest.mark.parametrize(
    "args",
    [
        ["docs", "list", "--council", "Stokport"],
        ["export", "frequencies", "--council", "Stokport"],
        ["crosstab", "--variable", "innovation_score", "--council", "Stokport"],
        ["search", "learning", "--council", "Stokport"],
    ],
)
def test_a_misspelt_council_is_refused_with_the_council_it_resembles(demo: Path, args: list[str]) -> None:
    result = run(demo, *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        "error: 'Stokport' is only similar to Stockport Metropolitan Borough Council"
    )
    assert "[SKP]" in result.stderr and result.stdout == ""


def test_the_council_written_exactly_filters(demo: Path) -> None:
    listed = run(demo, "docs", "list", "--council", "Stockport", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert "stockport_member_p2.txt" in listed.stdout and "kent" not in listed.stdout
    by_code = run(demo, "docs", "list", "--council", "SKP", "--format", "json")
    assert by_code.stdout == listed.stdout


def test_a_base_of_one_council_is_written_in_the_singular(demo: Path) -> None:
    result = run(demo, "export", "frequencies", "--council", "Stockport", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "- base: 1 council interviewed, 0 coded; 2 documents, 0 coded" in result.stdout
