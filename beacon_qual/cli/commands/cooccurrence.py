"""Pairs of codes found together, with counts and the c-coefficient n12 / (n1 + n2 - n12)."""

from __future__ import annotations

import click

from beacon_qual.analysis.options import LEVELS, TEXT_FORMATS
from beacon_qual.cli.base import open_project
from beacon_qual.cli.filters import filter_options, filters
from beacon_qual.cli.output import Out, output_options


@click.command("cooccurrence", help=__doc__)
@click.argument("code_args", metavar="[CODES]...", nargs=-1)
@click.option("--within", type=click.Choice(LEVELS), default="sentence", show_default=True)
@click.option(
    "--min-count", type=click.IntRange(min=1), default=1, show_default=True, help="Smallest n_ab shown."
)
@filter_options()
@output_options(TEXT_FORMATS, "markdown", file_hash=True)
@click.pass_context
def cooccurrence_command(ctx, code_args, within, min_count, out: Out, **kwargs) -> None:
    from beacon_qual.analysis.cooccurrence import cooccurrence, cooccurrence_report

    chosen = filters(kwargs, code_args)
    project = open_project(ctx)
    result = cooccurrence(project, chosen, within=within, min_count=min_count)
    out.report(cooccurrence_report(project, result))
