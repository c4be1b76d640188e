"""Import a REFI-QDA project (.qdpx) into the project; a new --project is created."""

from __future__ import annotations

import os
from pathlib import Path

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.refi import print_import
from beacon_qual.exchange import DEFAULT_CODER, import_refi, read_qdpx


@click.command("import-qdpx", help=__doc__)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--coder", help=f"Coder for codings that name none (default: BEACON_QUAL_CODER, else {DEFAULT_CODER!r})."
)
def import_qdpx(file: Path, coder: str | None) -> None:
    data = read_qdpx(file)
    fallback = coder or os.environ.get("BEACON_QUAL_CODER") or DEFAULT_CODER
    print_import(import_refi(open_project(create=True), data, fallback_coder=fallback))
