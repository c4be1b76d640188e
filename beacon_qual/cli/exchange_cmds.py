"""Commands: export qdc, export qdpx, import-qdc, import-qdpx (REFI-QDA exchange with other tools)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from beacon_qual.cli.base import export, force_option, main, open_project, output
from beacon_qual.exchange import (
    DEFAULT_CODER,
    ExportSummary,
    ImportReport,
    export_codebook,
    export_project,
    import_refi,
    read_qdc,
    read_qdpx,
)
from beacon_qual.text.outfile import Output

file_argument = click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))


@export.command("qdc")
@file_argument
@force_option
def export_qdc(file: Path, force: bool) -> None:
    """Write the codebook as a REFI-QDA codebook (.qdc) for other QDA tools.

    FILE '-' writes to standard output."""
    out = output(file, force)
    _print_export(export_codebook(open_project(), out), out)


@export.command("qdpx")
@file_argument
@force_option
def export_qdpx(file: Path, force: bool) -> None:
    """Write the whole project as a REFI-QDA project (.qdpx) for other QDA tools.

    FILE '-' writes to standard output (not to a terminal)."""
    out = output(file, force, binary=True)
    _print_export(export_project(open_project(), out), out)


@main.command("import-qdc")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_qdc(file: Path) -> None:
    """Import the codes of a REFI-QDA codebook (.qdc); a new --project is created."""
    data = read_qdc(file)
    _print_import(import_refi(open_project(create=True), data))


@main.command("import-qdpx")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--coder", help=f"Coder for codings that name none (default: BEACON_QUAL_CODER, else {DEFAULT_CODER!r})."
)
def import_qdpx(file: Path, coder: str | None) -> None:
    """Import a REFI-QDA project (.qdpx) into the project; a new --project is created."""
    data = read_qdpx(file)
    fallback = coder or os.environ.get("BEACON_QUAL_CODER") or DEFAULT_CODER
    _print_import(import_refi(open_project(create=True), data, fallback_coder=fallback))


def _print_export(summary: ExportSummary, out: Output | None) -> None:
    """What was written, on standard error when the export itself went to standard output."""
    counts = ", ".join(f"{n} {what}" for what, n in summary.counts.items()) or "nothing"
    err = out is not None and out.is_stdout
    click.echo(f"wrote {out or summary.path}: {counts}", err=err)
    _print_list("not exported", summary.not_exported, err=err)


def _print_import(report: ImportReport) -> None:
    click.echo(f"imported {report.file}")
    for what in sorted(set(report.added) | set(report.matched)):
        click.echo(f"  {what:<12} {report.added[what]:>6} added  {report.matched[what]:>6} already present")
    _print_list("selection positions", report.readings)
    _print_list("not carried over", report.not_carried)
    _print_list("remarks", report.notes)


def _print_list(title: str, lines: list[str], *, err: bool = False) -> None:
    if lines:
        click.echo(f"{title} ({len(lines)}):", err=err)
        for line in lines:
            click.echo(f"  - {line}", err=err)
