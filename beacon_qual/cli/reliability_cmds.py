"""Commands: revise (and revise --undo), review list|accept|set, backup, check."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from beacon_qual.cli.base import keep_backups_option, main, open_project, project_path
from beacon_qual.cli.coding_cmds import coder_option, coder_transaction
from beacon_qual.documents import revise as svc
from beacon_qual.documents.anchoring import DEFAULT_THRESHOLD
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.readers import DEFAULT_MAX_SIZE, parse_size
from beacon_qual.store import Project
from beacon_qual.store.check import check_project
from beacon_qual.store.lookup import resolve_document

PASSAGE_WIDTH = 70


def _optional_coder(project: Project, name: str | None) -> int | None:
    """The coder named or set in BEACON_QUAL_CODER, if any (a revision needs no coder)."""
    name = name or os.environ.get("BEACON_QUAL_CODER")
    return project.coder_id(name) if name else None


@main.command()
@click.argument("document")
@click.argument("new_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--undo", is_flag=True, help="Go back to the document's previous text and coding places.")
@click.option(
    "--threshold",
    type=float,
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Codings placed with a lower score (0-100) are flagged for review.",
)
@click.option(
    "--max-size",
    default=f"{DEFAULT_MAX_SIZE // 1024**2}MB",
    show_default=True,
    help="Refuse a new file larger than this.",
)
@keep_backups_option
@coder_option
def revise(
    document: str,
    new_file: Path | None,
    undo: bool,
    threshold: float,
    max_size: str,
    keep_backups: int | None,
    coder: str | None,
) -> None:
    """Replace DOCUMENT's text with the corrected transcript NEW_FILE, moving its codings onto it.

    Each coding is found again in the new text (unchanged, exact, near, or fuzzy with a score);
    a coding that cannot be placed with confidence is kept at its best guess and flagged for
    'beacon-qual review'. The old text is kept and the project is backed up beside itself
    first, so 'beacon-qual revise --undo DOCUMENT' goes back.
    """
    from beacon_qual.store.backups import keep_count

    keep = keep_count(keep_backups)  # a bad value is refused before anything is done
    project = open_project()
    coder_id = _optional_coder(project, coder)
    if undo:
        if new_file is not None:
            raise BeaconError("revise --undo takes only the document, not a new file")
        report = svc.undo_revision(project, document, coder_id=coder_id, keep_backups=keep)
        click.echo(
            f"document {report.document!r} is back at revision {report.revision}: "
            f"{report.restored} coding(s) restored"
        )
        moved = sum(report.counts.values())
        if moved:
            click.echo(f"{moved} coding(s) made on the newer text moved back: {_counts_line(report.counts)}")
    else:
        if new_file is None:
            raise BeaconError(
                "say which file holds the corrected transcript: beacon-qual revise DOCUMENT NEW_FILE"
            )
        report = svc.revise_document(
            project,
            document,
            new_file,
            threshold=threshold,
            coder_id=coder_id,
            max_size=parse_size(max_size),
            keep_backups=keep,
        )
        click.echo(
            f"document {report.document!r} is now revision {report.revision} ({report.codings} coding(s))"
        )
        click.echo(_counts_line(report.counts))
    click.echo(f"backup: {report.backups.describe() if report.backups else report.backup}")
    if report.flagged:
        click.echo(
            f"{len(report.flagged)} coding(s) need review (score below {report.threshold:g}): "
            "see 'beacon-qual review list'"
        )


def _counts_line(counts: dict[str, int]) -> str:
    labels = {
        "unchanged": "unchanged",
        "exact": "exact",
        "near": "near",
        "fuzzy": "fuzzy",
        "unplaced": "flagged",
    }
    return ", ".join(f"{labels[method]} {counts.get(method, 0)}" for method in svc.METHODS)


@main.group()
def review() -> None:
    """Codings a revision could not place with confidence: list, accept or move them."""


@review.command("list")
@click.option("--document", "document", default=None, help="Only this document (id or file name).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def review_list(document: str | None, fmt: str) -> None:
    """List codings flagged for review, with their passage before and after the revision."""
    project = open_project()
    document_id = resolve_document(project, document) if document is not None else None
    items = svc.codings_for_review(project, document_id)
    if fmt == "json":
        click.echo(json.dumps([item.as_dict() for item in items], ensure_ascii=False, indent=2))
        return
    if not items:
        click.echo("no codings need review")
        return
    for item in items:
        score = "-" if item.score is None else f"{item.score:.0f}"
        click.echo(f"coding {item.coding_id}  {item.document}  {item.code}  ({item.coder})  score {score}")
        if item.old_passage is not None:
            click.echo(
                f"  was {item.old_start}-{item.old_end} (revision {item.revision}): {_short(item.old_passage)}"
            )
        click.echo(f"  now {item.start}-{item.end}: {_short(item.passage)}")
    click.echo(
        f"{len(items)} coding(s) need review; resolve with 'review accept ID' or 'review set ID --start --end'"
    )


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


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
def backup(out: Path, force: bool) -> None:
    """Copy the project to OUT: a consistent snapshot, safe while others are coding."""
    from beacon_qual.text.outfile import check_copy_target

    project = open_project()
    if out.resolve() == project.path.resolve():
        raise BeaconError(f"{out} is the project itself; choose another file for the backup")
    check_copy_target(out, protect=(project.path,), force=force)
    project.backup(out)
    click.echo(f"backed up {project.path} to {out}")


@main.command()
@click.option(
    "--full",
    is_flag=True,
    help="Also run SQLite's integrity check, which reads every page and index (slow on a large project).",
)
@click.pass_context
def check(ctx: click.Context, full: bool) -> None:
    """Verify the project: foreign keys, offsets, orphans, text hashes, stored placements and counts, search
    index, schema version; with --full SQLite's integrity check too."""
    report = check_project(project_path(ctx), full=full)
    for problem in report.problems:
        click.echo(f"problem: {problem}")
    for line in report.summary:
        click.echo(line)
    if report.problems:
        raise BeaconError(f"{len(report.problems)} problem(s) found in {report.path}")
    click.echo(f"{report.path}: no problems found")
