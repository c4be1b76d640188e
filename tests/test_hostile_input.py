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


# -- .docx and .xlsx held to archive limits before anything is unpacked -------------------------------------------


def _declare_size(archive: Path, member: str, size: int) -> None:
    """Make ``member``'s headers (local and central) declare ``size`` unpacked bytes: what a zip bomb's
    headers say, without writing a bomb. Only the size fields change; the data and its CRC stay."""
    import struct
    import zipfile

    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo(member)
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, size)
    name = member.encode()
    central = next(
        i
        for i in range(len(data) - 4)
        if data[i : i + 4] == b"PK\x01\x02" and data[i + 46 : i + 46 + len(name)] == name
    )
    struct.pack_into("<I", data, central + 24, size)
    archive.write_bytes(bytes(data))


def _word_document(path: Path, text: str) -> Path:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(str(path))
    return path


def _with_member(path: Path, name: str, data: bytes) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return path


INTERVIEW = (
    "Interviewer: (an invented interview) How did you learn?\nRespondent: We visited the Beacon council."
)


def _project(tmp_path: Path) -> Path:
    """A new project with the council register."""
    assert run("-p", tmp_path / "p.db", "init").exit_code == 0
    assert run("-p", tmp_path / "p.db", "cases", "seed").exit_code == 0
    return tmp_path / "p.db"


def _import_docx(tmp_path: Path, path: Path):
    _project(tmp_path)
    return run("-p", tmp_path / "p.db", "import", path)


def test_a_word_document_declaring_a_gibibyte_member_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = _with_member(
        _word_document(tmp_path / "bomb.docx", INTERVIEW), "word/media/image1.bin", bytes(2**20)
    )
    _declare_size(path, "word/media/image1.bin", 2**30)
    message = one_error_line(_import_docx(tmp_path, path))
    assert re.fullmatch(
        rf"error: {re.escape(str(path))} is refused: it declares \d+ bytes unpacked, more than the "
        rf"{512 * 2**20} accepted",
        message,
    ), message


def test_a_word_document_member_over_the_member_limit_is_refused(tmp_path: Path) -> None:
    path = _with_member(
        _word_document(tmp_path / "bomb.docx", INTERVIEW), "word/media/image1.bin", bytes(2**20)
    )
    _declare_size(path, "word/media/image1.bin", 300 * 2**20)
    message = one_error_line(_import_docx(tmp_path, path))
    assert message == (
        f"error: {path}: word/media/image1.bin declares {300 * 2**20} bytes, more than the {256 * 2**20} accepted"
    )


def test_a_word_document_with_a_member_that_unpacks_a_thousandfold_is_refused(tmp_path: Path) -> None:
    path = _with_member(
        _word_document(tmp_path / "bomb.docx", INTERVIEW), "word/media/zeros.bin", bytes(8 * 2**20)
    )
    message = one_error_line(_import_docx(tmp_path, path))
    assert message.startswith(f"error: {path}: word/media/zeros.bin is refused: it unpacks ")
    assert message.endswith("times larger than it is stored (a zip bomb?)")


def test_a_word_documents_xml_part_over_the_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = _word_document(tmp_path / "big.docx", INTERVIEW)
    _declare_size(path, "word/document.xml", 100 * 2**20)
    message = one_error_line(_import_docx(tmp_path, path))
    assert message == (
        f"error: {path}: word/document.xml is an XML part of {100 * 2**20} bytes, more than the "
        f"{64 * 2**20} accepted"
    )


def test_a_word_document_declaring_entities_is_refused(tmp_path: Path) -> None:
    import zipfile

    whole = _word_document(tmp_path / "whole.docx", INTERVIEW)
    path = tmp_path / "laughs.docx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaa">]>', 1)
            out.writestr(name, data)
    message = one_error_line(_import_docx(tmp_path, path))
    assert message == f"error: {path}: word/document.xml declares a DTD or entities, which is refused"


def test_a_word_document_within_the_limits_imports(tmp_path: Path) -> None:
    path = _word_document(tmp_path / "fine.docx", INTERVIEW)
    (tmp_path / "manifest.csv").write_text("file,council,phase,role\nfine.docx,Hull,1,officer\n")
    result = _import_docx(tmp_path, path)
    assert result.exit_code == 0, result.output


def _workbook(path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Council", "score"])  # invented values
    sheet.append(["Camden", 3])
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    "member,size,expected",
    [
        (
            "xl/media/bomb.bin",
            300 * 2**20,
            "xl/media/bomb.bin declares 314572800 bytes, more than the 268435456 accepted",
        ),
        (
            "xl/media/bomb.bin",
            2**30,
            r"survey.xlsx is refused: it declares \d+ bytes unpacked, more than the 536870912 accepted",
        ),
        (
            "xl/worksheets/sheet1.xml",
            100 * 2**20,
            "xl/worksheets/sheet1.xml is an XML part of 104857600 bytes, more than the 67108864 accepted",
        ),
    ],
)
def test_a_workbook_is_held_to_the_same_limits(tmp_path: Path, member: str, size: int, expected: str) -> None:
    path = _workbook(tmp_path / "survey.xlsx")
    if member.endswith(".bin"):
        _with_member(path, member, bytes(2**20))
    _declare_size(path, member, size)
    _project(tmp_path)
    message = one_error_line(run("-p", tmp_path / "p.db", "survey", "import", path, "--wave", "1"))
    if expected.startswith("survey.xlsx"):
        assert re.fullmatch(f"error: {expected}", message), message
    else:
        assert message == f"error: survey.xlsx: {expected}"


# -- terminal control characters: escaped on the command line, drawn harmlessly in the workbench ------------------

OSC_TITLE = "\x1b]0;owned\x07"  # sets the terminal's title
C1_CSI = "\x9b31m"  # the 8-bit form of ESC [
BEL = "\x07"


@pytest.fixture
def hostile_project(tmp_path: Path) -> Path:
    """Invented data: a code, a document name, a council spelling and a transcript holding control characters."""
    from beacon_qual.store import Project

    path = _project(tmp_path)
    transcript = tmp_path / f"hull{OSC_TITLE}.txt"
    transcript.write_text(f"Officer: We visited the Beacon council{BEL}. Then we rang{C1_CSI} them.\n")
    (tmp_path / "manifest.csv").write_text(f"file,council,phase,role\n{transcript.name},Hull,1,officer\n")
    assert run("-p", path, "import", transcript).exit_code == 0
    book = tmp_path / "book.yaml"
    book.write_text(
        '# invented\nname: x\nversion: "1"\ncodes:\n'
        '  - name: "Adoption\\e]0;owned\\a"\n    definition: "copied \\x9b31m as it was"\n',
        encoding="utf-8",
    )
    assert run("-p", path, "codebook", "load", book).exit_code == 0
    with Project.open(path) as project:
        assert project.scalar("SELECT count(*) FROM codes WHERE instr(name, char(27)) > 0") == 1
    return path


def shown(*args: object):
    """A command's output as a terminal would get it (Click keeps ANSI sequences when colour is on)."""
    return CliRunner().invoke(main, [str(a) for a in args], color=True)


def assert_harmless(text: str) -> None:
    assert re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text) is None, repr(text)


@pytest.mark.parametrize(
    "args,expected",
    [
        (["docs", "list"], "hull\\u001b]0;owned\\u0007.txt"),
        (["docs", "show", "1"], "hull\\u001b]0;owned\\u0007.txt"),
        (["codebook", "show"], "Adoption\\u001b]0;owned\\u0007"),
        (["search", "rang"], "rang]\\u009b31m"),
        (["search", "Beacon", "--format", "json"], "council\\u0007"),
        (["coding", "list"], "Adoption\\u001b]0;owned\\u0007"),
        # quotes are Markdown, in which the bracket is escaped too
        (["quotes", "Adoption\x1b]0;owned\x07"], "Adoption\\u001b\\]0;owned\\u0007"),
    ],
)
def test_commands_print_control_characters_escaped(
    hostile_project: Path, args: list[str], expected: str
) -> None:
    if args[0] in ("coding", "quotes") and args[1] != "add":
        assert (
            shown(
                "-p",
                hostile_project,
                "coding",
                "add",
                "--document",
                "1",
                "--start",
                "0",
                "--end",
                "7",
                "--code",
                "Adoption\x1b]0;owned\x07",
                "--coder",
                "a",
            ).exit_code
            == 0
        )
    result = shown("-p", hostile_project, *args)
    assert result.exit_code == 0, result.output
    assert_harmless(result.stdout.replace("\x1b[1;33m", "").replace("\x1b[0m", ""))
    assert expected in result.stdout


def test_json_output_keeps_its_value(hostile_project: Path) -> None:
    import json

    result = CliRunner().invoke(main, ["-p", str(hostile_project), "search", "rang", "--format", "json"])
    assert_harmless(result.stdout)
    [hit] = json.loads(result.stdout)["hits"]
    assert hit["document"] == f"hull{OSC_TITLE}.txt"  # escaped as JSON escapes it: the value reads back whole
    assert f"[rang]{C1_CSI}" in hit["snippet"]


def test_an_error_that_repeats_user_input_is_escaped(tmp_path: Path) -> None:
    missing = tmp_path / f"study{OSC_TITLE}.db"
    result = shown("-p", missing, "status")
    assert result.exit_code == 1
    assert_harmless(result.stderr)
    assert result.stderr.startswith(f"error: no project at {tmp_path}/study\\u001b]0;owned\\u0007.db")


async def test_the_workbench_draws_control_characters_as_symbols(hostile_project: Path) -> None:
    from beacon_qual.store import Project
    from beacon_qual.tui.app import WorkbenchApp

    with Project.open(hostile_project) as project:
        app = WorkbenchApp(project, coder="alice")
        async with app.run_test(size=(140, 30)) as pilot:
            await pilot.pause()
            await pilot.press("enter")  # open the transcript
            await pilot.pause()
            await pilot.press("c")  # the code picker, with the code's definition
            await pilot.pause()
            # What Textual would write to the terminal for the whole screen.
            frame = app.screen._compositor.render_full_update().render_segments(app.console)
    # Textual's own colour and cursor codes, but no title change, no bell, no C1 control.
    assert "\x1b]" not in frame and "\x07" not in frame and "\x9b" not in frame
    assert "Adoption␛]0;owned␇" in frame  # the code name, its controls drawn as symbols
    assert "council␇. Then we rang\ufffd31m" in frame  # the transcript, one symbol per control


def test_on_a_real_terminal_hits_are_coloured_and_controls_escaped(hostile_project: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "beacon_qual", "-p", str(hostile_project), "search", "rang"],
        stdout=follower,
        stderr=follower,
        env={k: v for k, v in os.environ.items() if k != "NO_COLOR"},
    )
    os.close(follower)
    out = b""
    while True:
        try:
            piece = os.read(leader, 4096)
        except OSError:  # the terminal closes when the command ends
            break
        if not piece:
            break
        out += piece
    process.wait()
    os.close(leader)
    text = out.decode()
    assert "we \x1b[1;33mrang\x1b[0m\\u009b31m them." in text  # our colour, their controls escaped
    assert_harmless(text.replace("\x1b[1;33m", "").replace("\x1b[0m", "").replace("\r\n", "\n"))
