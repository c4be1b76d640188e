"""Commands: coding add|remove|recode|resize|memo|list|undo|redo."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from beacon_qual.cli.base import main, open_project
from beacon_qual.coding import codings as svc
from beacon_qual.coding.userconfig import config_path, remember_coder, remembered_coder
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.lookup import resolve_document
from beacon_qual.text.csvsafe import safe_cell


def current_coder(project: Project, name: str | None) -> int:
    """The coder named on the command line, else BEACON_QUAL_CODER, else the coder remembered for this user.

    Naming a coder here remembers nothing: a script's ``--coder bob`` does not change who the workbench
    opens as (only ``beacon-qual coder set`` and the workbench's own choice do).
    """
    name = name or os.environ.get("BEACON_QUAL_CODER") or remembered_coder()
    if not name:
        raise BeaconError(
            "say who is coding: --coder NAME, BEACON_QUAL_CODER, or once for good: beacon-qual coder set NAME"
        )
    return project.coder_id(name)


@contextmanager
def coder_transaction(project: Project, name: str | None) -> Iterator[int]:
    """One transaction for a coder's change: the coder's row (on first use), ``last_coder`` and the change
    itself are written together or, when the change is refused, not at all."""
    with project.transaction():
        yield current_coder(project, name)


def resolve_code(project: Project, ref: str) -> int:
    from beacon_qual.codebook.tree import resolve_code as resolve

    return resolve(project, ref)


coder_option = click.option(
    "--coder",
    help="Coder name (default: BEACON_QUAL_CODER, else the coder set with 'beacon-qual coder set').",
)


@main.group("coder", invoke_without_command=True)
@click.pass_context
def coder_group(ctx: click.Context) -> None:
    """Show or set who is coding on this computer (remembered per user, not per project).

    The workbench opens as this coder, and coding commands without --coder act as this coder.
    A command's --coder applies to that command only; it never changes the remembered coder.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(coder_show)


@coder_group.command("show")
def coder_show() -> None:
    """Print the remembered coder and the settings file it is kept in."""
    name = remembered_coder()
    click.echo(f"coder: {name or '(none yet)'}")
    click.echo(f"settings: {config_path()}")


@coder_group.command("set")
@click.argument("name")
def coder_set(name: str) -> None:
    """Remember NAME as the coder on this computer (for every project)."""
    click.echo(f"coder: {remember_coder(name)} (in {config_path()})")


@main.group()
def coding() -> None:
    """Apply, change, list and undo codings (the same actions as the workbench)."""


@coding.command("add")
@click.option("--document", "document", required=True, help="Document id or file name.")
@click.option("--start", type=int, required=True, help="Start offset (code points, inclusive).")
@click.option("--end", type=int, required=True, help="End offset (code points, exclusive).")
@click.option("--code", "code", required=True, help="Code path, name or id.")
@coder_option
@click.option("--memo", default=None, help="A memo on this coding.")
def coding_add(document: str, start: int, end: int, code: str, coder: str | None, memo: str | None) -> None:
    """Apply a code to text[START:END] of a document."""
    project = open_project()
    document_id = resolve_document(project, document)
    code_id = resolve_code(project, code)
    with coder_transaction(project, coder) as coder_id:
        c = svc.add_coding(
            project,
            document_id=document_id,
            code_id=code_id,
            coder_id=coder_id,
            start=start,
            end=end,
            memo=memo,
        )
    click.echo(f"added coding {c.id} ({c.start}-{c.end})")


@coding.command("remove")
@click.argument("coding_id", type=int)
@coder_option
def coding_remove(coding_id: int, coder: str | None) -> None:
    """Remove a coding (undo brings it back)."""
    project = open_project()
    with coder_transaction(project, coder) as coder_id:
        c = svc.remove_coding(project, coding_id, coder_id=coder_id)
    click.echo(f"removed coding {c.id}")


@coding.command("recode")
@click.argument("coding_id", type=int)
@click.argument("code")
@coder_option
def coding_recode(coding_id: int, code: str, coder: str | None) -> None:
    """Give a coding another code (its passage and memo stay)."""
    project = open_project()
    code_id = resolve_code(project, code)
    with coder_transaction(project, coder) as coder_id:
        c = svc.recode(project, coding_id, code_id, coder_id=coder_id)
    click.echo(f"coding {c.id} now has code {code}")


@coding.command("resize")
@click.argument("coding_id", type=int)
@click.option("--start", type=int, required=True)
@click.option("--end", type=int, required=True)
@coder_option
def coding_resize(coding_id: int, start: int, end: int, coder: str | None) -> None:
    """Move a coding's boundaries."""
    project = open_project()
    with coder_transaction(project, coder) as coder_id:
        c = svc.resize(project, coding_id, start, end, coder_id=coder_id)
    click.echo(f"coding {c.id} now covers {c.start}-{c.end}")


@coding.command("memo")
@click.argument("coding_id", type=int)
@click.argument("text")
@coder_option
def coding_memo(coding_id: int, text: str, coder: str | None) -> None:
    """Write (or with "" remove) the memo on a coding."""
    project = open_project()
    with coder_transaction(project, coder) as coder_id:
        svc.set_coding_memo(project, coding_id, text, coder_id=coder_id)
    click.echo(f"memo {'saved' if text.strip() else 'removed'} on coding {coding_id}")


@coding.command("list")
@click.option("--document", "document", default=None, help="Only this document (id or file name).")
@click.option("--coder", default=None, help="Only this coder's codings.")
@click.option("--code", "code", default=None, help="Only this code.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
def coding_list(document: str | None, coder: str | None, code: str | None, fmt: str) -> None:
    """List codings with their passages."""
    project = open_project()
    rows = svc.list_codings(
        project,
        document_id=resolve_document(project, document) if document else None,
        coder_id=project.coder_id(coder, create=False) if coder else None,
        code_id=resolve_code(project, code) if code else None,
    )
    fields = [
        "id",
        "document_id",
        "document",
        "council",
        "phase",
        "role",
        "code",
        "coder",
        "start",
        "end",
        "text",
        "memo",
        "status",
        "uuid",
        "created_at",
    ]
    if fmt == "json":
        click.echo(
            json.dumps([{f: getattr(r, f) for f in fields} for r in rows], ensure_ascii=False, indent=2)
        )
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(fields)
        for r in rows:
            writer.writerow([safe_cell(getattr(r, f)) for f in fields])
    else:
        for r in rows:
            excerpt = r.text.replace("\n", " ")
            excerpt = excerpt if len(excerpt) <= 60 else excerpt[:57] + "..."
            click.echo(
                f"{r.id:>6}  {r.document[:24]:<24} {r.start:>6}-{r.end:<6} {r.coder:<10} {r.code}  “{excerpt}”"
            )
        click.echo(f"{len(rows)} codings")


def _history(redo: bool, coder: str | None) -> None:
    project = open_project()
    with coder_transaction(project, coder) as coder_id:
        step = (svc.redo if redo else svc.undo)(project, coder_id)
        if step is None:
            raise BeaconError(f"nothing to {'redo' if redo else 'undo'}")
    click.echo(step.description)


@coding.command("undo")
@coder_option
def coding_undo(coder: str | None) -> None:
    """Undo your latest coding action (also after a restart)."""
    _history(False, coder)


@coding.command("redo")
@coder_option
def coding_redo(coder: str | None) -> None:
    """Redo the action you last undid."""
    _history(True, coder)
