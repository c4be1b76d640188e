"""Build the demo project from transcripts_example/ into beacon-demo.qual.db here (or --project); show it."""

from __future__ import annotations

from pathlib import Path

import click

from beacon_qual.cli.base import project_path
from beacon_qual.cli.demo import DEMO_PROJECT, build_demo, is_demo_project
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.status import project_status


def demo_path(ctx: click.Context) -> Path:
    source = ctx.find_root().get_parameter_source("project_path")
    explicit = source is not None and source.name != "DEFAULT"
    return project_path(ctx) if explicit else Path(DEMO_PROJECT)


@click.command("demo", help=__doc__)
@click.option("--force", is_flag=True, help="Rebuild the demo project even if it exists.")
@click.pass_context
def demo(ctx: click.Context, force: bool) -> None:
    path = demo_path(ctx)
    if path.exists() and force:
        if not is_demo_project(path):
            raise BeaconError(
                f"{path} was not built by 'beacon-qual demo'; --force rebuilds only a demo project "
                "and never deletes another file"
            )
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not path.exists():
        report = build_demo(path)
        for line in report:
            click.echo(line)
    with Project.open(path) as project:
        for label, value in project_status(project):
            click.echo(f"{label:<22} {value}")
    click.echo(f"\nopen it with: beacon-qual -p {path} code")
