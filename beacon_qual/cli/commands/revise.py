"""Replace DOCUMENT's text with the corrected transcript NEW_FILE, moving its codings onto it.

Each coding is found again in the new text (unchanged, exact, near, or fuzzy with a score);
a coding that cannot be placed with confidence is kept at its best guess and flagged for
'beacon-qual review'. The old text is kept and the project is backed up beside itself
first, so 'beacon-qual revise --undo DOCUMENT' goes back.
"""

from __future__ import annotations

from pathlib import Path

import click

from beacon_qual.cli.base import keep_backups_option, open_project
from beacon_qual.cli.coders import coder_option, optional_coder
from beacon_qual.documents import revise as svc
from beacon_qual.documents.anchoring import DEFAULT_THRESHOLD
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.readers import DEFAULT_MAX_SIZE, parse_size


@click.command("revise", help=__doc__)
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
    from beacon_qual.store.backups import keep_count

    keep = keep_count(keep_backups)  # a bad value is refused before anything is done
    project = open_project()
    coder_id = optional_coder(project, coder)
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
