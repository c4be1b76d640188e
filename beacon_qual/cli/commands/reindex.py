"""Rebuild the full-text search index, each coding's sentences and turns, the counts of codings, and each
document's length and counts of units."""

from __future__ import annotations

import click

from beacon_qual.cli.base import open_project
from beacon_qual.search import fulltext as search_svc


@click.command("reindex", help=__doc__)
def reindex_cmd() -> None:
    from beacon_qual.store.placement import rebuild_counts, rebuild_placement, rebuild_unit_counts

    project = open_project()
    click.echo(f"indexed {search_svc.rebuild_index(project):,} sentences")
    click.echo(f"placed {rebuild_placement(project):,} codings in their sentences and turns")
    click.echo(f"counted codings for {rebuild_counts(project):,} (code, document, coder) combinations")
    click.echo(f"counted units for {rebuild_unit_counts(project):,} (document, kind) combinations")
