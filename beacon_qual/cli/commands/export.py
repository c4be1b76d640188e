"""Export the project: code frequencies, the codebook, the whole project (REFI-QDA)."""

from __future__ import annotations

from pathlib import Path

import click

from beacon_qual.analysis.options import GROUP_FIELDS
from beacon_qual.cli.base import force_option, open_project
from beacon_qual.cli.filters import filter_options, filters, split
from beacon_qual.cli.output import Out, checked, output_options
from beacon_qual.errors import BeaconError


@click.group("export", help=__doc__)
def export() -> None:
    pass


@export.command("frequencies")
@click.option(
    "--by", "by", multiple=True, type=click.Choice(GROUP_FIELDS), help="Group by this field (repeatable)."
)
@click.option("--rollup", is_flag=True, help="A coding also counts for each ancestor of its code.")
@filter_options()
@output_options(
    ["csv", "wide", "markdown", "json"],
    "csv",
    format_help="csv: one row per code and group; wide: councils by codes, with survey measures.",
    file_hash=True,
)
@click.option("--counts", is_flag=True, help="wide: codings per council instead of presence 0/1.")
@click.option(
    "--with-survey", "survey", multiple=True, help="wide: join these measures ('all' for every one)."
)
@click.option("--wave", type=int, help="wide: the survey wave of the joined measures (default: every wave).")
@click.pass_context
def export_frequencies(ctx: click.Context, by, rollup, out: Out, counts, survey, wave, **kwargs) -> None:
    """Code frequencies: codings, documents and councils per code.

    CSV files get their provenance in FILE.provenance.json beside them.
    """
    from beacon_qual.analysis.frequencies import frequencies, frequency_report

    chosen = filters(kwargs)
    if out.fmt != "wide" and (counts or survey or wave is not None):
        raise BeaconError("--counts, --with-survey and --wave apply to --format wide")
    if out.fmt == "wide" and by:
        raise BeaconError("--by does not apply to --format wide (one row per council)")
    project = open_project(ctx)
    if out.fmt == "wide":
        from beacon_qual.analysis.wide import wide_report

        report = wide_report(project, chosen, rollup=rollup, counts=counts, survey=split(survey), wave=wave)
        out.report(report, "csv")
        return
    out.report(frequency_report(project, frequencies(project, chosen, by=tuple(by), rollup=rollup)))


@export.command("datasette-metadata")
@output_options(None, None, output_help="Write to FILE (e.g. metadata.json) instead of the screen.")
@click.option("--database", help="The database name Datasette shows (default: the project file's stem).")
@click.pass_context
def export_datasette_metadata(ctx: click.Context, out: Out, database: str | None) -> None:
    """Write a Datasette metadata file: table and column descriptions, canned queries.

    Browse the project read-only with: datasette study.db --immutable study.db -m metadata.json
    """
    from beacon_qual.cli.output import json_text
    from beacon_qual.report.datasette import datasette_metadata

    project = open_project(ctx)
    out.text(json_text(datasette_metadata(project, database)))


file_argument = click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))


@export.command("qdc")
@file_argument
@force_option
def export_qdc(file: Path, force: bool) -> None:
    """Write the codebook as a REFI-QDA codebook (.qdc) for other QDA tools.

    FILE '-' writes to standard output."""
    from beacon_qual.cli.refi import print_export
    from beacon_qual.exchange import export_codebook

    out = checked(file, force)
    print_export(export_codebook(open_project(), out), out)


@export.command("qdpx")
@file_argument
@force_option
def export_qdpx(file: Path, force: bool) -> None:
    """Write the whole project as a REFI-QDA project (.qdpx) for other QDA tools.

    FILE '-' writes to standard output (not to a terminal)."""
    from beacon_qual.cli.refi import print_export
    from beacon_qual.exchange import export_project

    out = checked(file, force, binary=True)
    print_export(export_project(open_project(), out), out)
