"""List, show, edit, rename and delete documents; mark them fully coded (done)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

import click

from beacon_qual.cli.base import open_project
from beacon_qual.cli.coders import coder_option, current_coder
from beacon_qual.cli.output import Listing, Out, output_options
from beacon_qual.documents import edit as svc
from beacon_qual.documents.catalogue import COLUMNS, DocumentDetail, document_detail, list_documents
from beacon_qual.errors import BeaconError
from beacon_qual.store.lookup import resolve_document


@click.group("docs", help=__doc__)
def docs() -> None:
    pass


@docs.command("list")
@click.option("--council", default=None, help="Only this council (name, code or alias).")
@click.option("--phase", type=int, default=None, help="Only this study phase.")
@click.option("--role", default=None, help="Only this respondent role (officer, elected member, partner).")
@output_options()
def docs_list(council: str | None, phase: int | None, role: str | None, out: Out) -> None:
    """List documents with their council, phase, role and counts."""
    rows = list_documents(open_project(), council=council, phase=phase, role=role)

    def table() -> Iterator[str]:
        yield _TABLE_ROW.format("id", "name", "council", "ph", "role", "words", "turns", "sentences")
        for r in rows:
            council = (r.council or "-")[:32]
            yield _TABLE_ROW.format(
                r.id, r.name[:32], council, r.phase or "-", r.role or "-", r.words, r.turns, r.sentences
            )
        yield f"{len(rows)} documents"

    cells = [[getattr(r, c) for c in COLUMNS] for r in rows]
    out.listing(Listing(COLUMNS, cells, data=[asdict(r) for r in rows], lines=table))


_TABLE_ROW = "{:>5}  {:<32} {:<32} {:>2}  {:<14} {:>7} {:>6} {:>9}"


@docs.command("done")
@click.argument("document")
@click.option(
    "--coder",
    help="Coder name (default: BEACON_QUAL_CODER, else the coder set with 'beacon-qual coder set').",
)
def docs_done(document: str, coder: str | None) -> None:
    """Mark DOCUMENT (id or file name) as fully coded by a coder; analyses with --done-only keep only these."""
    _mark_done(document, coder, True)


@docs.command("undone")
@click.argument("document")
@click.option(
    "--coder",
    help="Coder name (default: BEACON_QUAL_CODER, else the coder set with 'beacon-qual coder set').",
)
def docs_undone(document: str, coder: str | None) -> None:
    """Take back a coder's mark that DOCUMENT is fully coded."""
    _mark_done(document, coder, False)


def _mark_done(document: str, coder: str | None, done: bool) -> None:
    from beacon_qual.coding.codings import set_done
    from beacon_qual.store.lookup import coder_name, document_name, resolve_document

    project = open_project()
    document_id = resolve_document(project, document)
    coder_id = current_coder(project, coder)
    name = document_name(project, document_id)
    who = coder_name(project, coder_id)
    changed = set_done(project, document_id, done, coder_id=coder_id)
    state = "done" if done else "not done"
    click.echo(f"{name}: {state} for {who}" + ("" if changed else " (already)"))


@docs.command("show")
@click.argument("document")
@click.option("--units", is_flag=True, help="Also list every turn and sentence with its offsets.")
def docs_show(document: str, units: bool) -> None:
    """Show a document (id or file name): metadata, counts, and its text turn by turn."""
    detail = document_detail(open_project(), document)
    _echo_metadata(detail)
    click.echo("")
    for turn in detail.turns:
        click.echo(f"[{turn.seq}] {turn.speaker or '(no speaker)'}  {turn.start}-{turn.end}")
        click.echo(detail.text[turn.start : turn.end])
        click.echo("")
    if units:
        click.echo("sentences:")
        for sentence in detail.sentences:
            excerpt = detail.text[sentence.start : sentence.end].replace("\n", " ")
            click.echo(f"  {sentence.seq:>5}  {sentence.start:>7}-{sentence.end:<7} {excerpt}")


def _echo_metadata(detail: DocumentDetail) -> None:
    r = detail.row
    fields = [
        ("document", f"{r.id}: {r.name}"),
        ("council", r.council),
        ("phase", r.phase),
        ("role", r.role),
        ("interview date", r.interview_date),
        ("interviewer", r.interviewer),
        ("respondent", r.respondent),
        ("source", f"{detail.source_path} ({r.source_format}, {detail.source_encoding or '-'})"),
        ("imported", detail.imported_at),
        ("sha256", detail.sha256),
        ("counts", f"{r.words} words, {r.turns} turns, {r.sentences} sentences"),
    ]
    for label, value in fields:
        click.echo(f"{label:<15} {value if value is not None else '-'}")


@docs.command("speakers")
@click.argument("document")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="LABEL=ROLE",
    help="Set the role of a speaker label in this document: interviewer, respondent, front (front matter, "
    "not speech) or inferred (the role its label gives). Repeatable.",
)
def docs_speakers(document: str, assignments: tuple[str, ...]) -> None:
    """List a document's speaker labels with their roles (interviewer or respondent); set them with --set.

    Roles are inferred from the labels: Interviewer, Q, I, Researcher, Facilitator, Moderator and the
    names in the document's interviewer field are the interviewer; every other label is a respondent;
    text before the first label is front matter.
    """
    from beacon_qual.ingest.speaker_roles import document_speakers, set_speaker_roles

    project = open_project()
    if assignments:
        for label, role in set_speaker_roles(project, document, list(assignments)):
            click.echo(f"set {label}: {role}")
    _document_id, name, speakers = document_speakers(project, document)
    click.echo(f"speakers in {name}:")
    width = max([len(s.label) for s in speakers] + [5])
    click.echo(f"  {'label':<{width}}  {'role':<12} {'turns':>5} {'words':>7}")
    for s in speakers:
        role = "front matter" if s.role == "front" else s.role
        how = "set" if s.set else "inferred"
        click.echo(f"  {s.label:<{width}}  {role:<12} {s.turns:>5} {s.words:>7}  ({how})")


def _shown(value: object) -> str:
    return "-" if value is None else str(value)


@docs.command("edit")
@click.argument("document")
@click.option("--council", help="Council name, code or alias (matched as the import matches it).")
@click.option("--phase", help="Study phase: 1, 2, 3 ... ('-' clears it).")
@click.option("--role", help="officer, elected member or partner ('-' clears it).")
@click.option("--date", "date", help="Interview date, YYYY-MM-DD or DD/MM/YYYY ('-' clears it).")
@click.option("--interviewer", help="Who interviewed ('-' clears it).")
@click.option("--respondent", help="Who was interviewed ('-' clears it).")
@click.option("--accept-fuzzy", is_flag=True, help="Accept a council matched only by similarity.")
@coder_option
def docs_edit(
    document: str,
    council: str | None,
    phase: str | None,
    role: str | None,
    date: str | None,
    interviewer: str | None,
    respondent: str | None,
    accept_fuzzy: bool,
    coder: str | None,
) -> None:
    """Correct DOCUMENT's council, phase, role, interview date, interviewer or respondent."""
    fields = {
        k: v
        for k, v in (
            ("council", council),
            ("phase", phase),
            ("role", role),
            ("date", date),
            ("interviewer", interviewer),
            ("respondent", respondent),
        )
        if v is not None
    }
    if not fields:
        raise BeaconError(
            "nothing to change: give --council, --phase, --role, --date, --interviewer or --respondent"
        )
    project = open_project()
    document_id = resolve_document(project, document)
    report = svc.edit_document(
        project, document_id, coder_id=current_coder(project, coder), accept_fuzzy=accept_fuzzy, **fields
    )
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if not report.changed:
        click.echo(f"{report.document}: nothing changed")
    for name, (before, after) in report.changed.items():
        click.echo(f"{report.document}: {name} {_shown(before)} -> {_shown(after)}")


@docs.command("rename")
@click.argument("document")
@click.argument("new_name")
@coder_option
def docs_rename(document: str, new_name: str, coder: str | None) -> None:
    """Give DOCUMENT the name NEW_NAME (its text and codings stay)."""
    project = open_project()
    document_id = resolve_document(project, document)
    report = svc.rename_document(project, document_id, new_name, coder_id=current_coder(project, coder))
    click.echo(f"renamed {report.document} to {new_name.strip()}")


@docs.command("delete")
@click.argument("document")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@coder_option
def docs_delete(document: str, yes: bool, coder: str | None) -> None:
    """Delete DOCUMENT with its codings and memos, after a backup (undo brings it back)."""
    project = open_project()
    document_id = resolve_document(project, document)
    coder_id = current_coder(project, coder)
    impact = svc.delete_impact(project, document_id)
    if not yes:
        click.confirm(f"Delete {impact.describe()}? A backup is written first.", abort=True, err=True)
    done = svc.delete_document(project, document_id, coder_id=coder_id)
    click.echo(f"deleted {done.describe()}")
    click.echo(f"backup: {done.backup}")
    click.echo("'beacon-qual coding undo' brings it back")
