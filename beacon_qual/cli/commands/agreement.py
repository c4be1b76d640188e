"""Intercoder agreement per code and overall: percent, kappa, alpha, unitized alphas, segments."""

from __future__ import annotations

from collections.abc import Iterator

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.filters import SpreadCommand, split
from beacon_qual.cli.output import Listing, Out, aligned, output_options


@click.command("agreement", cls=SpreadCommand, help=__doc__)
@click.option("--coders", multiple=True, required=True, help="Two or more coders: --coders A B [C ...].")
@click.option(
    "--documents",
    multiple=True,
    help="Documents (ids or names); default: every document a chosen coder coded.",
)
@click.option(
    "--codes", multiple=True, help="Codes (paths or unique names); default: every code a chosen coder used."
)
@click.option(
    "--unit",
    type=click.Choice(["sentence", "turn"]),
    default="sentence",
    show_default=True,
    help="Unit for unit-level agreement and alpha.",
)
@click.option(
    "--min-share",
    type=float,
    default=0.5,
    show_default=True,
    help="A unit counts as coded when codings of the code cover at least this share of it.",
)
@click.option(
    "--overlap",
    type=float,
    default=90.0,
    show_default=True,
    help="Segment agreement: least overlap, in percent of the two codings' union.",
)
@click.option("--explain", is_flag=True, help="Say for each figure its unit, number of units and formula.")
@output_options()
@click.pass_context
def agreement(
    ctx: click.Context,
    coders: tuple[str, ...],
    documents: tuple[str, ...],
    codes: tuple[str, ...],
    unit: str,
    min_share: float,
    overlap: float,
    explain: bool,
    out: Out,
) -> None:
    from beacon_qual.agreement.report import MEASURES, agreement_table, explain_lines, summary_lines
    from beacon_qual.agreement.report import agreement as measure

    project = open_project(ctx)
    report = measure(
        project,
        split(coders),
        documents=split(documents),
        codes=split(codes),
        unit=unit,
        min_share=min_share,
        overlap=overlap,
    )
    if report.without_codings:
        click.echo(
            f"warning: {', '.join(report.without_codings)} coded nothing in the "
            f"{len(report.documents)} chosen document(s){' with these codes' if codes else ''}; "
            "all of that text counts as not coded by them",
            err=True,
        )
    headers = ["measure", "code", "coders", "value", "n", "unit", "matched", "unmatched", "note"]
    if explain:
        headers.append("formula")
    rows = []
    for f in report.figures:
        row = [f.measure, f.code, ";".join(f.coders), f.value, f.n, f.unit, f.matched, f.unmatched, f.note]
        rows.append(row + [MEASURES[f.measure].formula] if explain else row)
    data = {
        "coders": report.coders,
        "documents": report.documents,
        "characters": report.characters,
        "codes": report.codes,
        "unit": report.unit_kind,
        "units": report.units,
        "min_share": report.min_share,
        "overlap": report.overlap,
        "figures": [f.as_dict() for f in report.figures],
    }
    if explain:
        data["explain"] = explain_lines(report)

    def table() -> Iterator[str]:
        shown, cells = agreement_table(report)
        yield from aligned(shown, cells, range(1, len(shown)), rule=True)
        yield ""
        yield from summary_lines(report)
        if explain:
            yield ""
            yield from explain_lines(report)

    out.listing(Listing(headers, rows, data=data, lines=table))
