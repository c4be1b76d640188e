"""Commands: code (the workbench) and demo."""

from __future__ import annotations

from pathlib import Path

import click

from beacon_qual.cli.base import main, project_path
from beacon_qual.cli.demo import DEMO_PROJECT, build_demo, is_demo_project
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project
from beacon_qual.store.lookup import resolve_document
from beacon_qual.store.status import project_status


def _demo_path(ctx: click.Context) -> Path:
    source = ctx.find_root().get_parameter_source("project_path")
    explicit = source is not None and source.name != "DEFAULT"
    return project_path(ctx) if explicit else Path(DEMO_PROJECT)


@main.command()
@click.option(
    "--coder", help="Your name as a coder (remembered for you on this computer, as with 'coder set')."
)
@click.option("--document", "document", help="Open this document first (id or file name).")
@click.option(
    "--demo", is_flag=True, help="Build the demo project from transcripts_example/ if missing, open it."
)
@click.pass_context
def code(ctx: click.Context, coder: str | None, document: str | None, demo: bool) -> None:
    """Open the coding workbench."""
    from beacon_qual.tui.app import run_workbench

    path = project_path(ctx)
    if demo:
        path = _demo_path(ctx)
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


@main.command()
@click.option("--force", is_flag=True, help="Rebuild the demo project even if it exists.")
@click.pass_context
def demo(ctx: click.Context, force: bool) -> None:
    """Build the demo project from transcripts_example/ and print its status."""
    path = _demo_path(ctx)
    if path.exists() and force:
        if not is_demo_project(path):
            raise BeaconError(
                f"{path} was not built by 'beacon-qual demo'; --force rebuilds only a demo project "
                "and never deletes another file"
            )
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not path.exists():
        report = build_demo(path)
        for line in report:
            click.echo(line)
    with Project.open(path) as project:
        for label, value in project_status(project):
            click.echo(f"{label:<22} {value}")
    click.echo(f"\nopen it with: beacon-qual -p {path} code")
