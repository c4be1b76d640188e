"""List the passages two coders coded differently, with both coders' codes."""

from __future__ import annotations

from collections.abc import Iterator

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.filters import SpreadCommand, split
from beacon_qual.cli.output import Listing, Out, output_options


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@click.command("disagreements", cls=SpreadCommand, help=__doc__)
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
@output_options()
@click.pass_context
def disagreements(
    ctx: click.Context,
    coders: tuple[str, ...],
    documents: tuple[str, ...],
    codes: tuple[str, ...],
    min_length: int,
    out: Out,
) -> None:
    from beacon_qual.agreement.disagreements import disagreements as find
    from beacon_qual.errors import BeaconError

    names = split(coders)
    if len(names) != 2:
        raise BeaconError(f"disagreements compares exactly two coders (got {len(names)}): --coders A B")
    project = open_project(ctx)
    found = find(
        project, names[0], names[1], documents=split(documents), codes=split(codes), min_length=min_length
    )
    columns = ["document_id", "document", "start", "end", f"codes_{names[0]}", f"codes_{names[1]}", "text"]
    rows = [
        [d.document_id, d.document, d.start, d.end, "; ".join(d.codes_a), "; ".join(d.codes_b), d.text]
        for d in found
    ]

    def table() -> Iterator[str]:
        if not found:
            yield f"{names[0]} and {names[1]} coded the chosen text alike: no disagreements"
            return
        width = max(len(n) for n in names) + 1
        for d in found:  # one block per passage: long code paths stay readable
            yield f"{d.document} {d.start}-{d.end}"
            yield f"  {(names[0] + ':').ljust(width)} {'; '.join(d.codes_a) or '-'}"
            yield f"  {(names[1] + ':').ljust(width)} {'; '.join(d.codes_b) or '-'}"
            yield f"  “{_short(d.text)}”\n"
        yield f"{len(found)} disputed passages"

    out.listing(Listing(columns, rows, data=[d.as_dict() for d in found], lines=table))
