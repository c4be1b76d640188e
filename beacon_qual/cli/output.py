"""The one output path of the command line: ``--format`` and ``-o/--output`` declared once, one writer.

A command that prints what it found takes :func:`output_options` (as sqlite-utils' ``output_options``
does): ``--format`` (``table``, ``csv``, ``json``, ``markdown`` unless the command names others),
``-o/--output FILE`` and ``--force``. The command receives one :class:`Out` instead of the three
values, already checked against :mod:`beacon_qual.text.outfile`'s rules (``-`` is standard output, a project
file is never written, an existing file is replaced only with ``--force`` or when beacon-qual wrote it),
so a target that cannot be written is refused before any work is done.

The command hands its result to the writer as a :class:`Listing` (the columns and rows every tabular
format is made from, the JSON value when it is more than the rows, the lines of the ``table`` format
when they are more than aligned columns), an analysis :class:`~beacon_qual.analysis.output.Report`, or
a whole text. The writer renders the chosen format and prints it, or writes it whole to the file and
says so.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import click

from beacon_qual.cli.base import FILE_HASH, force_option, project_path
from beacon_qual.text.csvsafe import safe_cell

if TYPE_CHECKING:
    from beacon_qual.analysis.output import Report
    from beacon_qual.text.outfile import Output

FORMATS = ("table", "csv", "json", "markdown")
OUTPUT_HELP = "Write to FILE instead of the screen ('-': standard output)."


@dataclass
class Listing:
    """What a command found, for every format: ``columns`` and ``rows`` make the CSV and Markdown tables
    (and the JSON records and aligned table unless ``data`` or ``lines`` say otherwise)."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    data: Any = None  # the JSON value; default: one object per row
    lines: Callable[[], Iterable[str]] | None = None  # the table format; default: aligned columns
    headers: Sequence[str] | None = None  # the aligned table's headings (default: the columns)
    right: Sequence[int] = ()  # columns of the aligned table set flush right
    rule: bool = False  # a line of dashes under the aligned table's headings
    footer: Sequence[str] = ()  # lines after the aligned table


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A header and the rows, with cells a spreadsheet would run as formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def aligned(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int] = (), *, rule: bool = False
) -> list[str]:
    """Columns two spaces apart under their headings (and a line of dashes with ``rule``), flush left
    (or right for the columns in ``right``)."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(str(h)), *(len(line[i]) for line in cells)) for i, h in enumerate(headers)]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            str(c).rjust(w) if i in right else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths))
        ).rstrip()

    top = [line([str(h) for h in headers])] + ([line(["-" * w for w in widths])] if rule else [])
    return top + [line(row) for row in cells]


def render(listing: Listing, fmt: str) -> str:
    """The listing in one of :data:`FORMATS` (``text`` is another name for ``table``)."""
    if fmt == "csv":
        return csv_text(listing.columns, listing.rows)
    if fmt == "json":
        data = listing.data
        if data is None:
            data = [dict(zip(listing.columns, row)) for row in listing.rows]
        return json_text(data)
    if fmt == "markdown":
        from beacon_qual.analysis.output import Table, markdown_table

        return markdown_table(Table("", "", list(listing.columns), [list(r) for r in listing.rows])) + "\n"
    if listing.lines is not None:
        lines = list(listing.lines())
    else:
        lines = aligned(listing.headers or listing.columns, listing.rows, listing.right, rule=listing.rule)
        lines += listing.footer
    return "".join(f"{line}\n" for line in lines)


class Out:
    """Where and how a command writes its result: ``fmt``, and ``target`` (None: the screen)."""

    def __init__(self, fmt: str, target: Output | None) -> None:
        self.fmt = fmt
        self.target = target

    def text(self, text: str) -> None:
        """Print the whole result, or write it to the file whole and say so."""
        if self.target is None:
            click.echo(text, nl=False)
            return
        self.target.write(text)
        if not self.target.is_stdout:
            click.echo(f"wrote {self.target}")

    def listing(self, listing: Listing) -> None:
        self.text(render(listing, self.fmt))

    def report(self, report: Report, fmt: str | None = None) -> None:
        """An analysis: CSV files get their provenance in ``FILE.provenance.json`` beside them; CSV
        printed (or written to a pipe) has it, and the notes, on standard error."""
        from beacon_qual.analysis.output import render as render_report
        from beacon_qual.analysis.output import write_report

        fmt = fmt or self.fmt
        if self.target is None:
            click.echo(render_report(report, fmt), nl=False)
        else:
            self.wrote(write_report(report, fmt, self.target))
        if fmt == "csv" and (self.target is None or not self.target.regular()):
            click.echo("provenance: " + json.dumps(report.provenance, ensure_ascii=False), err=True)
            for note in report.notes:
                click.echo(f"note: {note}", err=True)

    def wrote(self, written: list[str]) -> None:
        """Say which files were written (nothing when the output itself went to standard output)."""
        if self.target is not None and not self.target.is_stdout:
            click.echo("wrote " + ", ".join(written))


@overload
def checked(
    target: Path | str, force: bool = False, ctx: click.Context | None = None, *, binary: bool = False
) -> Output: ...
@overload
def checked(
    target: Path | str | None, force: bool = False, ctx: click.Context | None = None, *, binary: bool = False
) -> Output | None: ...
def checked(
    target: Path | str | None, force: bool = False, ctx: click.Context | None = None, *, binary: bool = False
) -> Output | None:
    """The output a command was asked to write (``-o``/FILE), guarded against the open project;
    refused at once when it cannot be written, before any work is done."""
    if target is None:
        return None
    from beacon_qual.text.outfile import Output

    out = Output(target, force=force, protect=(project_path(ctx),))
    out.check(binary=binary)
    return out


def output_option(*, required: bool = False, dash: bool = True, help: str = OUTPUT_HELP) -> Callable:
    """``-o/--output FILE`` alone, for a command that writes one file and takes no ``--format``."""
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path, allow_dash=dash),
        required=required,
        help=help,
    )


def _file_hash(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[FILE_HASH] = True


file_hash_option = click.option(
    "--file-hash",
    is_flag=True,
    expose_value=False,
    callback=_file_hash,
    help="Put the SHA-256 of the project file in the provenance too (reads the whole file; the state "
    "identity is recorded either way).",
)


def output_options(
    formats: Sequence[str] | None = FORMATS,
    default: str | None = "table",
    *,
    format_help: str | None = None,
    binary: Sequence[str] = (),
    required: bool = False,
    output_help: str = OUTPUT_HELP,
    file_hash: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format`` (``formats``, ``default``; none when ``formats`` is None), ``-o/--output`` and
    ``--force``, and with ``file_hash`` the analyses' ``--file-hash``. The command gets ``out``
    (an :class:`Out`) in their place; formats in ``binary`` are refused on a terminal."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def run(*args: Any, output: Path | None = None, force: bool = False, **kwargs: Any) -> Any:
            fmt = kwargs.pop("fmt", default or "")
            target = checked(output, force, binary=fmt in binary)
            return command(*args, out=Out(fmt, target), **kwargs)

        if file_hash:
            run = file_hash_option(run)
        run = force_option(run)
        run = output_option(required=required, help=output_help)(run)
        if formats is not None:
            run = click.option(
                "--format",
                "fmt",
                type=click.Choice(list(formats)),
                default=default,
                show_default=True,
                help=format_help,
            )(run)
        return run

    return decorate


# -- marks for matched words ----------------------------------------------------------------------------
def marks() -> tuple[str, str]:
    """Marks around matched words: bold colour on a terminal, [brackets] when piped or when NO_COLOR is set."""
    from beacon_qual.search.fulltext import MARKS
    from beacon_qual.text.terminal import HIGHLIGHT

    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        return HIGHLIGHT  # drawn as bold colour by the output stream (beacon_qual.text.terminal)
    return MARKS


def one_line(text: str) -> str:
    return " ".join(text.split())
