"""Codes by a survey variable: counts, percentages, chi-square, Fisher, Mann-Whitney, Spearman.

CODES are paths or unique names; without any, every coded code is shown.
"""

from __future__ import annotations

import click

from beacon_qual.analysis.options import TEXT_FORMATS, UNITS
from beacon_qual.cli.base import open_project
from beacon_qual.cli.filters import filter_options, filters
from beacon_qual.cli.output import Out, output_options
from beacon_qual.errors import BeaconError


@click.command("crosstab", help=__doc__)
@click.argument("code_args", metavar="[CODES]...", nargs=-1)
@click.option("--variable", required=True, help="The survey variable to cross the codes with.")
@click.option("--wave", type=int, help="Survey wave of the variable (needed when it has several).")
@click.option(
    "--unit", type=click.Choice(UNITS), default="council", show_default=True, help="What is counted."
)
@click.option("--cuts", help="Numeric variable: bin at these cut points, e.g. 10,20.")
@click.option("--quantiles", type=int, help="Numeric variable: bin into this many quantile groups.")
@click.option("--rollup", is_flag=True, help="A code is present when it or a code below it is.")
@filter_options()
@output_options(TEXT_FORMATS, "markdown", file_hash=True)
@click.pass_context
def crosstab_command(
    ctx, code_args, variable, wave, unit, cuts, quantiles, rollup, out: Out, **kwargs
) -> None:
    from beacon_qual.analysis.crosstab import crosstab, crosstab_report
    from beacon_qual.analysis.measures import parse_cuts

    chosen = filters(kwargs, code_args)
    if cuts and quantiles is not None:
        raise BeaconError("give either --cuts or --quantiles, not both")
    project = open_project(ctx)
    result = crosstab(
        project,
        variable,
        chosen,
        unit=unit,
        wave=wave,
        cuts=parse_cuts(cuts) if cuts else (),
        quantiles=quantiles,
        rollup=rollup,
    )
    out.report(crosstab_report(project, result))
