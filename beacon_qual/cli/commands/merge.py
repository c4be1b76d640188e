"""Bring coders' work back from their copies (OTHER.db ...): adds, never overwrites or deletes."""

from __future__ import annotations

from pathlib import Path

import click

from beacon_qual.cli.base import keep_backups_option, open_project


@click.command("merge", help=__doc__)
@click.argument("others", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@keep_backups_option
@click.pass_context
def merge(ctx: click.Context, others: tuple[Path, ...], keep_backups: int | None) -> None:
    from beacon_qual.store.backups import keep_count
    from beacon_qual.team.copies import merge_projects

    keep = keep_count(keep_backups)  # a bad value is refused before anything is done
    project = open_project(ctx)
    result = merge_projects(project, list(others), keep_backups=keep)
    click.echo(f"backup before merging: {result.backups.describe() if result.backups else result.backup}")
    for item in result.files:
        click.echo(
            f"{item.path}: added {item.codings_added} codings, {item.memos_added} memos, "
            f"{item.codes_added} codes, {item.coders_added} coders, {item.done_added} documents marked done, "
            f"{item.roles_added} speaker roles"
        )
        for line in item.notes:
            click.echo(f"  note: {line}")
        for line in item.conflicts:
            click.echo(f"  conflict: {line}")
    conflicts = sum(len(item.conflicts) for item in result.files)
    click.echo(f"{conflicts} conflicts reported; nothing in this project was overwritten or deleted")
