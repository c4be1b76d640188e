"""Create a new, empty project file."""

from __future__ import annotations

import click

from beacon_qual.cli.base import project_path
from beacon_qual.store import Project


@click.command("init", help=__doc__)
@click.pass_context
def init(ctx: click.Context) -> None:
    path = project_path(ctx)
    project = Project.create(path)
    project.close()
    click.echo(f"created project {path}")
