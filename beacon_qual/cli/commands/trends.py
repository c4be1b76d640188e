"""Each code's share of documents and councils by phase, with the Cochran-Armitage trend test."""

from __future__ import annotations

import click

from beacon_qual.analysis.options import TEXT_FORMATS
from beacon_qual.cli.base import open_project
from beacon_qual.cli.filters import filter_options, filters
from beacon_qual.cli.output import Out, output_options


@click.command("trends", help=__doc__)
@click.argument("code_args", metavar="[CODES]...", nargs=-1)
@click.option("--rollup", is_flag=True, help="A code is present when it or a code below it is.")
@filter_options()
@output_options(TEXT_FORMATS, "markdown", file_hash=True)
@click.pass_context
def trends_command(ctx, code_args, rollup, out: Out, **kwargs) -> None:
    from beacon_qual.analysis.trends import trends, trends_report

    chosen = filters(kwargs, code_args)
    project = open_project(ctx)
    out.report(trends_report(project, trends(project, chosen, rollup=rollup)))
