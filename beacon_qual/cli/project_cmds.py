"""Commands: init, status."""

from __future__ import annotations

import click

from beacon_qual.cli.base import main, open_project, project_path
from beacon_qual.store import Project


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create a new, empty project file."""
    path = project_path(ctx)
    project = Project.create(path)
    project.close()
    click.echo(f"created project {path}")


@main.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Summarise the project: cases, documents, codes, codings, coders, survey variables."""
    project = open_project(ctx)
    from beacon_qual.store.status import project_status

    for label, value in project_status(project):
        click.echo(f"{label:<22} {value}")
