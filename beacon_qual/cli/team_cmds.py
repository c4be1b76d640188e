"""Commands: agreement, disagreements, clone, merge."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from beacon_qual.cli.base import keep_backups_option, main, open_project
from beacon_qual.text.csvsafe import safe_cell

FORMATS = click.Choice(["table", "csv", "json"])


class SpreadCommand(click.Command):
    """A command whose list options take several values after one flag: ``--coders A B C``.

    ``--coders A B`` is read as ``--coders A --coders B``; values may also be given
    separated by commas or by repeating the flag.
    """

    spread = ("--coders", "--documents", "--codes")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rewritten: list[str] = []
        current: str | None = None
        rest = list(args)
        while rest:
            token = rest.pop(0)
            if token == "--":
                rewritten += [token, *rest]
                break
            if current is not None and not token.startswith("-"):
                rewritten += [current, token]
                continue
            if current is not None and rewritten[-2:-1] != [current]:
                rewritten.append(current)
            current = token if token in self.spread else None
            if current is None:
                rewritten.append(token)
        if current is not None and rewritten[-2:-1] != [current]:
            rewritten.append(current)
        return super().parse_args(ctx, rewritten)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _print_table(headers: list[str], rows: list[list[str]], left: int = 1) -> None:
    """Aligned columns: the first ``left`` columns and the last one to the left, the rest to the right."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    last = len(widths) - 1
    for line in [headers, ["-" * w for w in widths]] + rows:
        cells = [
            str(cell).ljust(w) if i < left or (i == last and left > 1) else str(cell).rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths))
        ]
        click.echo("  ".join(cells).rstrip())


def _write_csv(headers: list[str], rows: list[list]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])


# -- agreement ----------------------------------------------------------------------------------------------
@main.command(cls=SpreadCommand)
@click.option("--coders", multiple=True, required=True, help="Two or more coders: --coders A B [C ...].")
@click.option(
    "--documents",
    multiple=True,
    help="Documents (ids or names); default: every document a chosen coder coded.",
)
@click.option(
    "--codes", multiple=True, help="Codes (paths or unique names); default: every code a chosen coder used."
)
@click.option(
    "--unit",
    type=click.Choice(["sentence", "turn"]),
    default="sentence",
    show_default=True,
    help="Unit for unit-level agreement and alpha.",
)
@click.option(
    "--min-share",
    type=float,
    default=0.5,
    show_default=True,
    help="A unit counts as coded when codings of the code cover at least this share of it.",
)
@click.option(
    "--overlap",
    type=float,
    default=90.0,
    show_default=True,
    help="Segment agreement: least overlap, in percent of the two codings' union.",
)
@click.option("--explain", is_flag=True, help="Say for each figure its unit, number of units and formula.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def agreement(
    ctx: click.Context,
    coders: tuple[str, ...],
    documents: tuple[str, ...],
    codes: tuple[str, ...],
    unit: str,
    min_share: float,
    overlap: float,
    explain: bool,
    fmt: str,
) -> None:
    """Intercoder agreement per code and overall: percent, kappa, alpha, unitized alphas, segments."""
    from beacon_qual.agreement.report import MEASURES, agreement_table, explain_lines, summary_lines
    from beacon_qual.agreement.report import agreement as measure

    project = open_project(ctx)
    report = measure(
        project,
        _split(coders),
        documents=_split(documents),
        codes=_split(codes),
        unit=unit,
        min_share=min_share,
        overlap=overlap,
    )
    if report.without_codings:
        click.echo(
            f"warning: {', '.join(report.without_codings)} coded nothing in the "
            f"{len(report.documents)} chosen document(s){' with these codes' if codes else ''}; "
            "all of that text counts as not coded by them",
            err=True,
        )
    if fmt == "json":
        data = {
            "coders": report.coders,
            "documents": report.documents,
            "characters": report.characters,
            "codes": report.codes,
            "unit": report.unit_kind,
            "units": report.units,
            "min_share": report.min_share,
            "overlap": report.overlap,
            "figures": [f.as_dict() for f in report.figures],
        }
        if explain:
            data["explain"] = explain_lines(report)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        headers = ["measure", "code", "coders", "value", "n", "unit", "matched", "unmatched", "note"]
        if explain:
            headers.append("formula")
        rows = []
        for f in report.figures:
            row = [
                f.measure,
                f.code,
                ";".join(f.coders),
                f.value,
                f.n,
                f.unit,
                f.matched,
                f.unmatched,
                f.note,
            ]
            rows.append(row + [MEASURES[f.measure].formula] if explain else row)
        _write_csv(headers, rows)
    else:
        headers, table = agreement_table(report)
        _print_table(headers, table)
        click.echo()
        for line in summary_lines(report):
            click.echo(line)
        if explain:
            click.echo()
            for line in explain_lines(report):
                click.echo(line)


# -- disagreements ---------------------------------------------------------------------------------------------
def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@main.command(cls=SpreadCommand)
@click.option("--coders", multiple=True, required=True, help="Exactly two coders: --coders A B.")
@click.option("--document", "documents", multiple=True, help="Only this document (id or name); may repeat.")
@click.option(
    "--codes", multiple=True, help="Codes (paths or unique names); default: every code either used."
)
@click.option(
    "--min-length",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Leave out passages shorter than this many characters.",
)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def disagreements(
    ctx: click.Context,
    coders: tuple[str, ...],
    documents: tuple[str, ...],
    codes: tuple[str, ...],
    min_length: int,
    fmt: str,
) -> None:
    """List the passages two coders coded differently, with both coders' codes."""
    from beacon_qual.agreement.disagreements import disagreements as find
    from beacon_qual.errors import BeaconError

    names = _split(coders)
    if len(names) != 2:
        raise BeaconError(f"disagreements compares exactly two coders (got {len(names)}): --coders A B")
    project = open_project(ctx)
    found = find(
        project, names[0], names[1], documents=_split(documents), codes=_split(codes), min_length=min_length
    )
    if fmt == "json":
        click.echo(json.dumps([d.as_dict() for d in found], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        _write_csv(
            ["document_id", "document", "start", "end", f"codes_{names[0]}", f"codes_{names[1]}", "text"],
            [
                [
                    d.document_id,
                    d.document,
                    d.start,
                    d.end,
                    "; ".join(d.codes_a),
                    "; ".join(d.codes_b),
                    d.text,
                ]
                for d in found
            ],
        )
        return
    if not found:
        click.echo(f"{names[0]} and {names[1]} coded the chosen text alike: no disagreements")
        return
    width = max(len(n) for n in names) + 1
    for d in found:  # one block per passage: long code paths stay readable
        click.echo(f"{d.document} {d.start}-{d.end}")
        click.echo(f"  {(names[0] + ':').ljust(width)} {'; '.join(d.codes_a) or '-'}")
        click.echo(f"  {(names[1] + ':').ljust(width)} {'; '.join(d.codes_b) or '-'}")
        click.echo(f"  “{_short(d.text)}”\n")
    click.echo(f"{len(found)} disputed passages")


# -- team copies ---------------------------------------------------------------------------------------------
@main.command()
@click.option("--for-coder", "coder", required=True, help="The coder who will work in the copy.")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def clone(ctx: click.Context, coder: str, out: Path) -> None:
    """Make a coder's copy of the project (same documents, codebook and identities) in OUT."""
    from beacon_qual.team.copies import clone_for_coder

    project = open_project(ctx)
    copy = clone_for_coder(project, coder, out)
    click.echo(
        f"made {copy.path} for coder {copy.coder!r}; merge it back with 'beacon-qual merge {copy.path}'"
    )


@main.command()
@click.argument("others", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@keep_backups_option
@click.pass_context
def merge(ctx: click.Context, others: tuple[Path, ...], keep_backups: int | None) -> None:
    """Bring coders' work back from their copies (OTHER.db ...): adds, never overwrites or deletes."""
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
