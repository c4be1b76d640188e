"""Hostile input refused early and cheaply, and shown harmlessly: nesting deep enough to exhaust recursion,
archives that unpack to far more than they hold, and terminal control characters in what is printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from beacon_qual.cli import main


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    return lines[0]


# -- codebooks nested hundreds or thousands of levels deep ----------------------------------------------------

HEAD = "# invented codebook, nested to test the limits\nname: deep\nversion: '1'\ncodes:"


def _flow(levels: int) -> str:
    return f"{HEAD} " + "[" * levels + "]" * levels + "\n"


def _compact_block(levels: int) -> str:
    return f"{HEAD}\n" + "- " * levels + "x\n"


def _children(levels: int) -> str:
    lines = [HEAD]
    for level in range(levels):
        indent = "    " * level
        lines += [f"{indent}  - name: c{level}", f"{indent}    children:"]
    lines.append("    " * levels + "  - name: leaf")
    return "\n".join(lines) + "\n"


def _flow_children(levels: int) -> str:
    return f"{HEAD} " + "[{name: c, children: " * levels + "[{name: leaf}]" + "}]" * levels + "\n"


def _parents(levels: int) -> str:
    lines = [HEAD, "- name: c0"] + [f"- {{name: c{i}, parent: c{i - 1}}}" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "make,levels,line",
    [
        (_flow, 500, 4),
        (_flow, 10_000, 4),
        (_compact_block, 500, 5),
        (_compact_block, 10_000, 5),
        (_children, 40, 67),  # block nesting: the line of the first node too deep (code c31)
        (_children, 500, None),  # libyaml's own limit, past 1,000 levels
        (_flow_children, 500, 4),
        (_flow_children, 10_000, 4),
        (_parents, 10_000, 35),  # 'parent' references: code c30 is the 31st level
    ],
)
def test_a_deeply_nested_codebook_is_refused_with_its_line(
    tmp_path: Path, make, levels: int, line: int | None
) -> None:
    assert run("-p", tmp_path / "p.db", "init").exit_code == 0
    book = tmp_path / "deep.yaml"
    book.write_text(make(levels), encoding="utf-8")
    message = one_error_line(run("-p", tmp_path / "p.db", "codebook", "load", book))
    found = re.match(r"error: deep\.yaml:(\d+): (.*)", message)
    assert found, message
    assert "nested" in found.group(2) and "at most 30 levels" in found.group(2)
    if line is not None:
        assert int(found.group(1)) == line


def test_a_codebook_nested_within_the_limit_loads(tmp_path: Path) -> None:
    assert run("-p", tmp_path / "p.db", "init").exit_code == 0
    book = tmp_path / "deep.yaml"
    book.write_text(_children(29), encoding="utf-8")
    result = run("-p", tmp_path / "p.db", "codebook", "load", book)
    assert result.exit_code == 0, result.output
    result = run("-p", tmp_path / "p.db", "codebook", "show")
    assert result.exit_code == 0 and "leaf" in result.output


def test_a_refi_codebook_nested_thousands_deep_is_refused(tmp_path: Path) -> None:
    levels = 10_000
    codes = "".join(
        f'<Code guid="{i:08d}-0000-4000-8000-000000000000" name="c{i}" isCodable="true">\n'
        for i in range(levels)
    )
    qdc = tmp_path / "deep.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!-- invented, nested to test the limits -->\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="test">\n<Codes>\n'
        + codes
        + "</Code>\n" * levels
        + "</Codes>\n</CodeBook>\n",
        encoding="utf-8",
    )
    message = one_error_line(run("-p", tmp_path / "p.db", "import-qdc", qdc))
    assert message == (
        "error: deep.qdc nests elements more than 100 levels deep (line 103); codes nested that deep are refused"
    )
    assert not (tmp_path / "p.db").exists()
