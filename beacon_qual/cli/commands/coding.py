"""Apply, change, list and undo codings (the same actions as the workbench)."""

from __future__ import annotations

from collections.abc import Iterator

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.coders import coder_option, coder_transaction, resolve_code
from beacon_qual.cli.output import Listing, Out, output_options
from beacon_qual.coding import codings as svc
from beacon_qual.errors import BeaconError
from beacon_qual.store.lookup import resolve_document


@click.group("coding", help=__doc__)
def coding() -> None:
    pass


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
@output_options()
def coding_list(document: str | None, coder: str | None, code: str | None, out: Out) -> None:
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

    def table() -> Iterator[str]:
        for r in rows:
            excerpt = r.text.replace("\n", " ")
            excerpt = excerpt if len(excerpt) <= 60 else excerpt[:57] + "..."
            yield f"{r.id:>6}  {r.document[:24]:<24} {r.start:>6}-{r.end:<6} {r.coder:<10} {r.code}  “{excerpt}”"
        yield f"{len(rows)} codings"

    out.listing(Listing(fields, [[getattr(r, f) for f in fields] for r in rows], lines=table))


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
