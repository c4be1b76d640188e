"""Summarise the project: cases, documents, codes, codings, coders, survey variables."""

from __future__ import annotations

import click

from beacon_qual.cli.base import open_project


@click.command("status", help=__doc__)
@click.pass_context
def status(ctx: click.Context) -> None:
    project = open_project(ctx)
    from beacon_qual.store.status import project_status

    for label, value in project_status(project):
        click.echo(f"{label:<22} {value}")
