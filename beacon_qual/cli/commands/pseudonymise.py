"""Write a copy of the project with people's names replaced, codings moved onto the new text.

Names come from the documents' interviewer and respondent metadata, speaker labels that look like
names, and --names. The project itself is not changed. Capitalised words left in the copy that may
be names are listed in OUT.names-review.csv.
"""

from __future__ import annotations

from pathlib import Path

import click

from beacon_qual.cli.base import open_project


@click.command("pseudonymise", help=__doc__)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--names",
    "names_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of further names to replace: a 'name' column, optionally 'replacement'.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(min=0, max=100, min_open=True),
    help="Least score (0-100) for a coding's new place to be taken without review.",
)
@click.pass_context
def pseudonymise_command(ctx, out, names_file, threshold) -> None:
    from beacon_qual.exchange.pseudonymise import pseudonymise

    project = open_project(ctx)
    report = pseudonymise(project, out, names_file, threshold=threshold)
    click.echo(
        f"wrote {report.out}: {len(report.replacements)} names replaced in {report.changed_documents} of "
        f"{report.documents} documents; {report.codings} codings, {len(report.flagged)} flagged for review"
    )
    click.echo(
        f"{report.review_words} capitalised words that may be names are listed in {report.review_file}"
    )
