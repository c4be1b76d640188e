"""Open the coding workbench."""

from __future__ import annotations

import click

from beacon_qual.cli.base import project_path
from beacon_qual.cli.commands.demo import demo_path
from beacon_qual.cli.demo import build_demo
from beacon_qual.store import Project
from beacon_qual.store.lookup import resolve_document


@click.command("code", help=__doc__)
@click.option(
    "--coder", help="Your name as a coder (remembered for you on this computer, as with 'coder set')."
)
@click.option("--document", "document", help="Open this document first (id or file name).")
@click.option(
    "--demo",
    is_flag=True,
    help="Open the demo project, beacon-demo.qual.db in this folder (or --project), built from "
    "transcripts_example/ if missing.",
)
@click.pass_context
def code(ctx: click.Context, coder: str | None, document: str | None, demo: bool) -> None:
    from beacon_qual.tui.app import run_workbench

    path = project_path(ctx)
    if demo:
        path = demo_path(ctx)
        if not path.exists():
            click.echo(f"building the demo project {path} from transcripts_example/ ...", err=True)
            build_demo(path)
        coder = coder or None
    doc_id = None
    if document:
        with Project.open(path) as project:
            doc_id = resolve_document(project, document)
    status = run_workbench(path, coder=coder, document=doc_id)
    if status:
        ctx.exit(status)  # the workbench stopped on an error (Textual printed it): not a clean exit
