"""What a REFI-QDA export or import did, as the export and import commands print it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from beacon_qual.exchange import ExportSummary, ImportReport
    from beacon_qual.text.outfile import Output


def print_export(summary: ExportSummary, out: Output | None) -> None:
    """What was written, on standard error when the export itself went to standard output."""
    counts = ", ".join(f"{n} {what}" for what, n in summary.counts.items()) or "nothing"
    err = out is not None and out.is_stdout
    click.echo(f"wrote {out or summary.path}: {counts}", err=err)
    print_list("not exported", summary.not_exported, err=err)


def print_import(report: ImportReport) -> None:
    click.echo(f"imported {report.file}")
    for what in sorted(set(report.added) | set(report.matched)):
        click.echo(f"  {what:<12} {report.added[what]:>6} added  {report.matched[what]:>6} already present")
    print_list("selection positions", report.readings)
    print_list("not carried over", report.not_carried)
    print_list("remarks", report.notes)


def print_list(title: str, lines: list[str], *, err: bool = False) -> None:
    if lines:
        click.echo(f"{title} ({len(lines)}):", err=err)
        for line in lines:
            click.echo(f"  - {line}", err=err)
