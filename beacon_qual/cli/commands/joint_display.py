"""Survey measures side by side with code counts and one representative quote per code."""

from __future__ import annotations

import click

from beacon_qual.analysis.options import TEXT_FORMATS
from beacon_qual.cli.base import open_project
from beacon_qual.cli.filters import filter_options, filters
from beacon_qual.cli.output import Out, output_options
from beacon_qual.errors import BeaconError


@click.command("joint-display", help=__doc__)
@click.option("--by", "by", type=click.Choice(["council"]), help="One row per council (the default).")
@click.option("--group-by", help="One row per category of this survey variable instead.")
@click.option("--measures", multiple=True, help="Survey measures to show (comma-separated or repeated).")
@click.option(
    "--codes", "code_refs", multiple=True, required=True, help="Codes to show (comma-separated or repeated)."
)
@click.option("--wave", type=int, help="Survey wave of the measures (needed when they have several).")
@click.option("--cuts", help="Numeric --group-by variable: bin at these cut points.")
@click.option(
    "--quantiles", type=int, help="Numeric --group-by variable: bin into this many quantile groups."
)
@click.option("--rollup", is_flag=True, help="Count codings of the codes below each code too.")
@click.option("--quote-chars", type=click.IntRange(min=20), default=300, show_default=True)
@filter_options(codes=False, speaker="quote")
@output_options(TEXT_FORMATS, "markdown", file_hash=True)
@click.pass_context
def joint_display_command(
    ctx,
    by,
    group_by,
    measures,
    code_refs,
    wave,
    cuts,
    quantiles,
    rollup,
    quote_chars,
    out: Out,
    **kwargs,
) -> None:
    from beacon_qual.analysis.joint import joint_display, joint_report
    from beacon_qual.analysis.measures import parse_cuts

    quote_speaker = kwargs["speaker"] or "respondent"
    chosen = filters(kwargs)
    if by and group_by:
        raise BeaconError("give either --by council or --group-by VARIABLE, not both")
    if cuts and quantiles is not None:
        raise BeaconError("give either --cuts or --quantiles, not both")
    project = open_project(ctx)
    result = joint_display(
        project,
        measures=list(measures),
        codes=list(code_refs),
        filters=chosen,
        group_by=group_by,
        wave=wave,
        cuts=parse_cuts(cuts) if cuts else (),
        quantiles=quantiles,
        rollup=rollup,
        quote_chars=quote_chars,
        quote_speaker=None if quote_speaker == "any" else quote_speaker,
    )
    out.report(joint_report(project, result))
