"""Codings a revision could not place with confidence: list, accept or move them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import fields

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.coders import coder_option, coder_transaction
from beacon_qual.cli.output import Listing, Out, output_options
from beacon_qual.documents import revise as svc
from beacon_qual.store.lookup import resolve_document

PASSAGE_WIDTH = 70


@click.group("review", help=__doc__)
def review() -> None:
    pass


@review.command("list")
@click.option("--document", "document", default=None, help="Only this document (id or file name).")
@output_options(["text", "csv", "json", "markdown"], "text")
def review_list(document: str | None, out: Out) -> None:
    """List codings flagged for review, with their passage before and after the revision."""
    project = open_project()
    document_id = resolve_document(project, document) if document is not None else None
    items = svc.codings_for_review(project, document_id)

    def table() -> Iterator[str]:
        if not items:
            yield "no codings need review"
            return
        for item in items:
            score = "-" if item.score is None else f"{item.score:.0f}"
            yield f"coding {item.coding_id}  {item.document}  {item.code}  ({item.coder})  score {score}"
            if item.old_passage is not None:
                yield f"  was {item.old_start}-{item.old_end} (revision {item.revision}): {_short(item.old_passage)}"
            yield f"  now {item.start}-{item.end}: {_short(item.passage)}"
        yield f"{len(items)} coding(s) need review; resolve with 'review accept ID' or 'review set ID --start --end'"

    columns = [f.name for f in fields(svc.ReviewItem)]
    rows = [[getattr(item, c) for c in columns] for item in items]
    out.listing(Listing(columns, rows, data=[item.as_dict() for item in items], lines=table))


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return json.dumps(
        flat if len(flat) <= PASSAGE_WIDTH else flat[: PASSAGE_WIDTH - 1] + "…", ensure_ascii=False
    )


@review.command("accept")
@click.argument("coding_id", type=int)
@coder_option
def review_accept(coding_id: int, coder: str | None) -> None:
    """Accept a flagged coding where it is now."""
    project = open_project()
    with coder_transaction(project, coder) as coder_id:
        coding = svc.accept_placement(project, coding_id, coder_id=coder_id)
    click.echo(f"coding {coding_id} accepted at {coding['start']}-{coding['end']}")


@review.command("set")
@click.argument("coding_id", type=int)
@click.option("--start", type=int, required=True, help="Start offset (code points, inclusive).")
@click.option("--end", type=int, required=True, help="End offset (code points, exclusive).")
@coder_option
def review_set(coding_id: int, start: int, end: int, coder: str | None) -> None:
    """Move a flagged coding to text[START:END] and clear its flag."""
    project = open_project()
    with coder_transaction(project, coder) as coder_id:
        coding = svc.set_placement(project, coding_id, start, end, coder_id=coder_id)
    click.echo(f"coding {coding_id} now covers {coding['start']}-{coding['end']}")
