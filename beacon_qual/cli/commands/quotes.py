"""Coded passages of CODES with council, phase, role, coder and context."""

from __future__ import annotations

import json

import click

from beacon_qual.analysis.options import QUOTE_FORMATS, UNIT_KINDS
from beacon_qual.cli.base import open_project
from beacon_qual.cli.filters import filter_options, filters
from beacon_qual.cli.output import Out, output_options
from beacon_qual.errors import BeaconError


@click.command("quotes", help=__doc__)
@click.argument("codes", nargs=-1, required=True)
@click.option("--context", type=click.IntRange(min=0), default=0, help="Characters of context on each side.")
@click.option(
    "--context-units", type=click.IntRange(min=0), help="Units of context on each side (0: whole units)."
)
@click.option("--unit-kind", type=click.Choice(UNIT_KINDS), default="sentence", show_default=True)
@click.option("--rollup", is_flag=True, help="Include codings of the codes below each code.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many quotes per code.")
@filter_options(codes=False, speaker="respondent")
@output_options(QUOTE_FORMATS, "markdown", file_hash=True, binary=("docx",))
@click.pass_context
def quotes_command(ctx, codes, context, context_units, unit_kind, rollup, limit, out: Out, **kwargs) -> None:
    from beacon_qual.analysis.output import write_output
    from beacon_qual.analysis.quotes import (
        quotes,
        quotes_markdown_parts,
        quotes_report,
        render_quotes,
        stream_quotes,
    )

    chosen = filters(kwargs)
    fmt = out.fmt
    if fmt == "docx" and out.target is None:
        raise BeaconError("--format docx needs a file: add -o FILE.docx ('-o -' for standard output)")
    project = open_project(ctx)
    options = {
        "context": context,
        "context_units": context_units,
        "unit_kind": unit_kind,
        "rollup": rollup,
        "limit": limit,
    }
    if fmt == "markdown" and out.target is None:  # to the screen: each quote written as it is read
        stream = stream_quotes(project, codes, chosen, **options)  # type: ignore[arg-type]
        for part in quotes_markdown_parts(quotes_report(project, stream), stream.sections):
            click.echo(part, nl=False)
        return
    result = quotes(project, codes, chosen, **options)  # type: ignore[arg-type]
    report, data = render_quotes(project, result, fmt)
    if out.target is None:
        click.echo(data, nl=False)
    else:
        out.wrote(write_output(out.target, data, report.provenance if fmt == "csv" else None))
    if fmt == "csv" and (out.target is None or not out.target.regular()):
        click.echo("provenance: " + json.dumps(report.provenance, ensure_ascii=False), err=True)
