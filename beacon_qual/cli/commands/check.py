"""Verify the project: foreign keys, offsets, orphans, text hashes, stored placements, counts and lengths,
schema version; with --full SQLite's integrity check and the search index's check too.
"""

from __future__ import annotations

import click

from beacon_qual.cli.base import project_path
from beacon_qual.errors import BeaconError
from beacon_qual.store.check import check_project


@click.command("check", help=__doc__)
@click.option(
    "--full",
    is_flag=True,
    help="Also run SQLite's integrity check, which reads every page and index, and the search index's own check,"
    " which reads every entry (both slow on a large project).",
)
@click.pass_context
def check(ctx: click.Context, full: bool) -> None:
    report = check_project(project_path(ctx), full=full)
    for problem in report.problems:
        click.echo(f"problem: {problem}")
    for line in report.summary:
        click.echo(line)
    if report.problems:
        raise BeaconError(f"{len(report.problems)} problem(s) found in {report.path}")
    click.echo(f"{report.path}: no problems found")
