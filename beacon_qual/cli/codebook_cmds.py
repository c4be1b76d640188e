"""Commands: codebook load|show|export."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .. import codebook as svc
from ..documents import resolve_document
from .base import main, open_project


@main.group()
def codebook() -> None:
    """Load, show and export the codebook (the tree of codes)."""


@codebook.command("load")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--prune",
    is_flag=True,
    help="Remove project codes missing from FILE that have no codings, memos or subcodes.",
)
def codebook_load(file: Path, prune: bool) -> None:
    """Load or reload a YAML codebook; codes are matched by id, then by place, and updated in place."""
    project = open_project()
    report = svc.load_codebook(project, file, prune=prune)
    click.echo(f"loaded codebook {report}")
    for kept in report.kept:
        codings = f"has {kept.codings} codings" if kept.codings else "no codings"
        click.echo(f"kept: {kept.path} (not in the file; {codings})")
    for path in report.removed:
        click.echo(f"removed: {path}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)


@codebook.command("show")
@click.option("--document", "document", help="Count codings in this document only (id or file name).")
@click.option("--coder", help="Count codings by this coder only.")
def codebook_show(document: str | None, coder: str | None) -> None:
    """Show the code tree with the number of codings of each code."""
    project = open_project()
    document_id = resolve_document(project, document) if document is not None else None
    roots = svc.code_tree(project, document_id=document_id, coder=coder)
    if not roots:
        click.echo("no codes yet; load a codebook with 'beacon-qual codebook load FILE'")
        return
    lines = list(_tree_lines(roots, 0))
    width = max(len(label) for label, _ in lines)
    for label, counts in lines:
        click.echo(f"{label.ljust(width)}  {counts}")


def _tree_lines(nodes: list[svc.CodeNode], depth: int):
    for node in nodes:
        label = "  " * depth + node.name + ("" if node.code.codable else " [group]")
        counts = f"{node.count:>6}"
        if node.children:
            counts += f"  ({node.total} with subcodes)"
        yield label, counts
        yield from _tree_lines(node.children, depth + 1)


@codebook.command("export")
@click.option("--format", "fmt", type=click.Choice(["yaml"]), default="yaml", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
def codebook_export(fmt: str, output: Path | None) -> None:
    """Export the project's codebook in the format 'codebook load' reads."""
    project = open_project()
    text = svc.export_codebook(project)
    if output is None:
        click.echo(text, nl=False)
        return
    partial = output.with_name(output.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, output)
    click.echo(f"wrote {output}")
