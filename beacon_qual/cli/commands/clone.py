"""Make a coder's copy of the project (same documents, codebook and identities) in OUT."""

from __future__ import annotations

from pathlib import Path

import click

from beacon_qual.cli.base import open_project


@click.command("clone", help=__doc__)
@click.option("--for-coder", "coder", required=True, help="The coder who will work in the copy.")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def clone(ctx: click.Context, coder: str, out: Path) -> None:
    from beacon_qual.team.copies import clone_for_coder

    project = open_project(ctx)
    copy = clone_for_coder(project, coder, out)
    click.echo(
        f"made {copy.path} for coder {copy.coder!r}; merge it back with 'beacon-qual merge {copy.path}'"
    )
