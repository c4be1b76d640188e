"""Write the study report: one self-contained HTML file with tables and charts."""

from __future__ import annotations

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.filters import filter_options, filters, split
from beacon_qual.cli.output import Out, output_options
from beacon_qual.errors import BeaconError


@click.command("report", help=__doc__)
@output_options(None, None, required=True, output_help="The HTML file to write ('-': standard output).")
@filter_options()
@click.option(
    "--measures", multiple=True, help="Survey measures to chart codes by (comma-separated or repeated)."
)
@click.option("--wave", type=int, help="Survey wave of the measures (needed when they have several).")
@click.option(
    "--quotes",
    "quotes_per_code",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Quotes per code.",
)
@click.option("--title", default="Study report", show_default=True, help="The report's title.")
@click.pass_context
def report_command(ctx, out: Out, measures, wave, quotes_per_code, title, **kwargs) -> None:
    from beacon_qual.report.html import ReportOptions, build_report

    options = ReportOptions(
        filters=filters(kwargs),
        measures=split(measures),
        wave=wave,
        quotes_per_code=quotes_per_code,
        title=title,
    )
    target = out.target
    assert target is not None
    if not target.is_stdout and target.path.suffix.lower() not in (".html", ".htm"):
        raise BeaconError(f"{target.path.name!r}: the file name should end in .html or .htm")
    project = open_project(ctx)
    out.text(build_report(project, options))
