"""Import the codes of a REFI-QDA codebook (.qdc); a new --project is created."""

from __future__ import annotations

from pathlib import Path

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.refi import print_import
from beacon_qual.exchange import import_refi, read_qdc


@click.command("import-qdc", help=__doc__)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_qdc(file: Path) -> None:
    data = read_qdc(file)
    print_import(import_refi(open_project(create=True), data))
