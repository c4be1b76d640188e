"""Commands: docs edit|rename|delete (document upkeep; each change is audited and undone by 'coding undo')."""

from __future__ import annotations

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.import_cmds import docs
from beacon_qual.documents import edit as svc
from beacon_qual.errors import BeaconError
from beacon_qual.store.lookup import resolve_document

coder_option = click.option(
    "--coder",
    help="Coder name (default: BEACON_QUAL_CODER, else the coder set with 'beacon-qual coder set').",
)


def _coder(project, name: str | None) -> int:
    from beacon_qual.cli.coding_cmds import current_coder

    return current_coder(project, name)


def _shown(value: object) -> str:
    return "-" if value is None else str(value)


@docs.command("edit")
@click.argument("document")
@click.option("--council", help="Council name, code or alias (matched as the import matches it).")
@click.option("--phase", help="Study phase: 1, 2, 3 ... ('-' clears it).")
@click.option("--role", help="officer, elected member or partner ('-' clears it).")
@click.option("--date", "date", help="Interview date, YYYY-MM-DD or DD/MM/YYYY ('-' clears it).")
@click.option("--interviewer", help="Who interviewed ('-' clears it).")
@click.option("--respondent", help="Who was interviewed ('-' clears it).")
@click.option("--accept-fuzzy", is_flag=True, help="Accept a council matched only by similarity.")
@coder_option
def docs_edit(
    document: str,
    council: str | None,
    phase: str | None,
    role: str | None,
    date: str | None,
    interviewer: str | None,
    respondent: str | None,
    accept_fuzzy: bool,
    coder: str | None,
) -> None:
    """Correct DOCUMENT's council, phase, role, interview date, interviewer or respondent."""
    fields = {
        k: v
        for k, v in (
            ("council", council),
            ("phase", phase),
            ("role", role),
            ("date", date),
            ("interviewer", interviewer),
            ("respondent", respondent),
        )
        if v is not None
    }
    if not fields:
        raise BeaconError(
            "nothing to change: give --council, --phase, --role, --date, --interviewer or --respondent"
        )
    project = open_project()
    document_id = resolve_document(project, document)
    report = svc.edit_document(
        project, document_id, coder_id=_coder(project, coder), accept_fuzzy=accept_fuzzy, **fields
    )
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if not report.changed:
        click.echo(f"{report.document}: nothing changed")
    for name, (before, after) in report.changed.items():
        click.echo(f"{report.document}: {name} {_shown(before)} -> {_shown(after)}")


@docs.command("rename")
@click.argument("document")
@click.argument("new_name")
@coder_option
def docs_rename(document: str, new_name: str, coder: str | None) -> None:
    """Give DOCUMENT the name NEW_NAME (its text and codings stay)."""
    project = open_project()
    document_id = resolve_document(project, document)
    report = svc.rename_document(project, document_id, new_name, coder_id=_coder(project, coder))
    click.echo(f"renamed {report.document} to {new_name.strip()}")


@docs.command("delete")
@click.argument("document")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@coder_option
def docs_delete(document: str, yes: bool, coder: str | None) -> None:
    """Delete DOCUMENT with its codings and memos, after a backup (undo brings it back)."""
    project = open_project()
    document_id = resolve_document(project, document)
    coder_id = _coder(project, coder)
    impact = svc.delete_impact(project, document_id)
    if not yes:
        click.confirm(f"Delete {impact.describe()}? A backup is written first.", abort=True, err=True)
    done = svc.delete_document(project, document_id, coder_id=coder_id)
    click.echo(f"deleted {done.describe()}")
    click.echo(f"backup: {done.backup}")
    click.echo("'beacon-qual coding undo' brings it back")
