"""Load, show, export and edit the codebook (the tree of codes)."""

from __future__ import annotations

from pathlib import Path

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.coders import coder_option, current_coder
from beacon_qual.cli.output import Out, output_options
from beacon_qual.codebook import edit, load, tree, yamlfile
from beacon_qual.errors import BeaconError
from beacon_qual.store.lookup import resolve_document


@click.group("codebook", help=__doc__)
def codebook() -> None:
    pass


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
    report = load.load_codebook(project, file, prune=prune)
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
    roots = tree.code_tree(project, document_id=document_id, coder=coder)
    if not roots:
        click.echo("no codes yet; load a codebook with 'beacon-qual codebook load FILE'")
        return
    lines = list(_tree_lines(roots, 0))
    width = max(len(label) for label, _ in lines)
    for label, counts in lines:
        click.echo(f"{label.ljust(width)}  {counts}")


def _tree_lines(nodes: list[tree.CodeNode], depth: int):
    for node in nodes:
        label = "  " * depth + node.name + ("" if node.code.codable else " [group]")
        counts = f"{node.count:>6}"
        if node.children:
            counts += f"  ({node.total} with subcodes)"
        yield label, counts
        yield from _tree_lines(node.children, depth + 1)


@codebook.command("export")
@output_options(["yaml"], "yaml", output_help="Write to this file ('-': standard output).")
def codebook_export(out: Out) -> None:
    """Export the project's codebook in the format 'codebook load' reads."""
    out.text(yamlfile.export_codebook(open_project()))


def _parent(project, ref: str | None) -> int | None:
    return None if ref is None else tree.resolve_code(project, ref)


@codebook.command("add")
@click.argument("name")
@click.option("--parent", help="Put the new code under this code (path, name or id).")
@click.option("--definition", help="What the code means.")
@click.option("--include", "inclusion", help="When to apply it.")
@click.option("--exclude", "exclusion", help="When not to apply it.")
@click.option("--example", help="A typical passage.")
@click.option("--keywords", help="Words and phrases for suggestions, separated by commas.")
@click.option("--colour", help="#RRGGBB (default: a free colour of the palette).")
@click.option("--group", is_flag=True, help="A group that only holds other codes and cannot be applied.")
@coder_option
def codebook_add(
    name: str,
    parent: str | None,
    definition: str | None,
    inclusion: str | None,
    exclusion: str | None,
    example: str | None,
    keywords: str | None,
    colour: str | None,
    group: bool,
    coder: str | None,
) -> None:
    """Add a code."""
    project = open_project()
    code = edit.add_code(
        project,
        name,
        _parent(project, parent),
        coder_id=current_coder(project, coder),
        description=definition,
        inclusion=inclusion,
        exclusion=exclusion,
        example=example,
        keywords=[k.strip() for k in (keywords or "").split(",") if k.strip()],
        colour=colour,
        codable=not group,
    )
    click.echo(f"added code {code.path} (id {code.id}){' as a group' if group else ''}")


@codebook.command("rename")
@click.argument("code")
@click.argument("new_name")
@coder_option
def codebook_rename(code: str, new_name: str, coder: str | None) -> None:
    """Rename CODE (path, name or id) to NEW_NAME; its codings stay."""
    project = open_project()
    code_id = tree.resolve_code(project, code)
    old = tree.code_path(project, code_id)
    renamed = edit.rename_code(project, code_id, new_name, coder_id=current_coder(project, coder))
    click.echo(f"renamed {old} to {renamed.path}")


@codebook.command("move")
@click.argument("code")
@click.argument("parent", required=False)
@click.option("--top", is_flag=True, help="Move CODE to the top level.")
@coder_option
def codebook_move(code: str, parent: str | None, top: bool, coder: str | None) -> None:
    """Move CODE with its subcodes under PARENT (or --top); a move under itself is refused."""
    if (parent is None) == (not top):
        raise BeaconError("give the new parent, or --top for the top level (not both)")
    project = open_project()
    moved = edit.move_code(
        project,
        tree.resolve_code(project, code),
        _parent(project, parent),
        coder_id=current_coder(project, coder),
    )
    click.echo(f"moved to {moved.path}")


@codebook.command("merge")
@click.argument("source")
@click.argument("target")
@coder_option
def codebook_merge(source: str, target: str, coder: str | None) -> None:
    """Merge SOURCE into TARGET: its codings, memos and subcodes move to TARGET and SOURCE is removed."""
    project = open_project()
    report = edit.merge_codes(
        project,
        tree.resolve_code(project, source),
        tree.resolve_code(project, target),
        coder_id=current_coder(project, coder),
    )
    click.echo(
        f"merged {report.source} into {report.target}: {report.moved} codings moved, {report.merged} merged "
        f"with the same coder's coding of the same passage, {report.subcodes} subcodes and {report.memos} memos moved"
    )


@codebook.command("delete")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@coder_option
def codebook_delete(code: str, yes: bool, coder: str | None) -> None:
    """Delete CODE, its subcodes and all their codings (after a confirmation; undo brings them back)."""
    project = open_project()
    code_id = tree.resolve_code(project, code)
    coder_id = current_coder(project, coder)
    impact = edit.delete_impact(project, code_id)
    if not yes:
        click.confirm(f"Delete {impact.describe()}?", abort=True, err=True)
    done = edit.delete_code(project, code_id, coder_id=coder_id)
    click.echo(f"deleted {done.describe()} ('beacon-qual coding undo' brings them back)")


@codebook.command("recolour")
@click.argument("code")
@click.argument("colour")
@coder_option
def codebook_recolour(code: str, colour: str, coder: str | None) -> None:
    """Give CODE the colour COLOUR (#RRGGBB)."""
    project = open_project()
    done = edit.recolour_code(
        project, tree.resolve_code(project, code), colour, coder_id=current_coder(project, coder)
    )
    click.echo(f"{done.path} is now {done.colour}")


@codebook.command("edit")
@click.argument("code")
@click.option("--definition", help='What the code means ("" clears it).')
@click.option("--include", "include", help="When to apply it.")
@click.option("--exclude", "exclude", help="When not to apply it.")
@click.option("--example", help="A typical passage.")
@click.option("--keywords", help="Words and phrases for suggestions, separated by commas (replaces them).")
@coder_option
def codebook_edit(
    code: str,
    definition: str | None,
    include: str | None,
    exclude: str | None,
    example: str | None,
    keywords: str | None,
    coder: str | None,
) -> None:
    """Edit CODE's definition, inclusion and exclusion rules, example and keywords."""
    fields = {
        k: v
        for k, v in (
            ("definition", definition),
            ("include", include),
            ("exclude", exclude),
            ("example", example),
            ("keywords", keywords),
        )
        if v is not None
    }
    if not fields:
        raise BeaconError(
            "nothing to change: give --definition, --include, --exclude, --example or --keywords"
        )
    project = open_project()
    done = edit.edit_code(
        project, tree.resolve_code(project, code), coder_id=current_coder(project, coder), **fields
    )
    click.echo(f"updated {done.path}: {', '.join(fields)}")


@codebook.command("group")
@click.argument("code")
@click.option("--off", is_flag=True, help="Make the code applicable again.")
@coder_option
def codebook_group(code: str, off: bool, coder: str | None) -> None:
    """Mark CODE as a group that holds other codes and cannot be applied (--off undoes that)."""
    project = open_project()
    done = edit.set_group(
        project, tree.resolve_code(project, code), not off, coder_id=current_coder(project, coder)
    )
    click.echo(f"{done.path} is {'a group (cannot be applied)' if not done.codable else 'applicable'}")
