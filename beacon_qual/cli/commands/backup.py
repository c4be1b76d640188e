"""Copy the project to OUT: a consistent snapshot, safe while others are coding."""

from __future__ import annotations

from pathlib import Path

import click

from beacon_qual.cli.base import open_project
from beacon_qual.errors import BeaconError


@click.command("backup", help=__doc__)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
def backup(out: Path, force: bool) -> None:
    from beacon_qual.text.outfile import check_copy_target

    project = open_project()
    if out.resolve() == project.path.resolve():
        raise BeaconError(f"{out} is the project itself; choose another file for the backup")
    check_copy_target(out, protect=(project.path,), force=force)
    project.backup(out)
    click.echo(f"backed up {project.path} to {out}")
