"""Commands: import, docs list, docs show."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from beacon_qual.cli.base import main, open_project
from beacon_qual.documents.catalogue import COLUMNS, DocumentDetail, document_detail, list_documents
from beacon_qual.ingest import import_paths
from beacon_qual.ingest.readers import DEFAULT_MAX_SIZE, parse_size
from beacon_qual.text.csvsafe import safe_cell
from beacon_qual.text.terminal import unwrapped

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar


class _ProgressBar:
    """A progress bar on stderr, drawn once the number of files is known, and only on a terminal."""

    def __init__(self) -> None:
        self._bar: ProgressBar[int] | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            # The bar draws on the terminal itself (carriage returns, cursor codes): beneath the escaping.
            self._bar = click.progressbar(length=total, label="importing", file=unwrapped(sys.stderr))
            self._bar.__enter__()
        self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--max-size",
    default=f"{DEFAULT_MAX_SIZE // 1024**2}MB",
    show_default=True,
    help="Refuse files larger than this (e.g. 50MB, 500KB, or bytes).",
)
@click.option(
    "--encoding",
    default=None,
    metavar="NAME",
    help="Read text files in this encoding (e.g. iso-8859-2, cp1250, cp1251) instead of detecting "
    "UTF-8, UTF-16 or Windows-1252.",
)
@click.option(
    "--accept-fuzzy",
    is_flag=True,
    help="Read a council that matches only by similarity (e.g. 'Stokport') as its closest council, "
    "with a warning, instead of refusing the import.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Use N processes, this one included, to work out turns and sentences (default: "
    "BEACON_QUAL_JOBS or one per CPU; 1 works in this process alone).",
)
@click.option(
    "--council",
    default=None,
    metavar="NAME",
    help="The council (or organisation, see 'cases add') of every file named: a code, a name or a known "
    "spelling. Fills in what front matter and manifests leave out; a file naming another is refused.",
)
@click.option("--phase", default=None, metavar="N", help="The study phase of every file named.")
@click.option(
    "--role", default=None, metavar="R", help="The respondents' role of every file named (officer, ...)."
)
@click.option(
    "--no-council",
    is_flag=True,
    help="Import files that name no council with no case at all (a national body, notes); analyses by "
    "council leave them out.",
)
def import_cmd(
    paths: tuple[Path, ...],
    max_size: str,
    encoding: str | None,
    accept_fuzzy: bool,
    jobs: int | None,
    council: str | None,
    phase: str | None,
    role: str | None,
    no_council: bool,
) -> None:
    """Import transcripts (.txt .md .rst .docx .vtt .srt) from files and folders: all of them or none.

    Metadata comes from YAML front matter or a manifest.csv beside the files
    (columns file,council,phase,role,interview_date,interviewer,respondent), or from
    --council, --phase and --role for every file named. The council must be a code, a name
    or a known spelling; one that matches only by similarity is refused unless --accept-fuzzy
    is given. A manifest row with an empty council, or --no-council, imports a file with no case.
    """
    from beacon_qual.ingest.metadata import Metadata, normalise_phase, normalise_role

    given = Metadata(
        council=" ".join(council.split()) or None if council is not None else None,
        phase=normalise_phase(phase, "--phase"),
        role=normalise_role(role, "--role"),
    )
    project = open_project()
    limit = parse_size(max_size)
    bar = _ProgressBar()
    try:
        summary = import_paths(
            project,
            paths,
            max_size=limit,
            progress=bar if sys.stderr.isatty() else None,
            encoding=encoding,
            accept_fuzzy=accept_fuzzy,
            jobs=jobs,
            given=given,
            no_council=no_council,
        )
    finally:
        bar.close()
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    for name in summary.unchanged:
        click.echo(f"already imported, unchanged: {name}")
    if not summary.imported:
        click.echo("nothing new to import")
        return
    others = "".join(
        f", {n} {what}"
        for n, what in (
            (summary.organisations, "organisation(s)"),
            (summary.no_case, "document(s) with no council"),
        )
        if n
    )
    click.echo(
        f"imported {len(summary.imported)} file(s): {summary.words:,} words, {summary.turns:,} turns, "
        f"{summary.sentences:,} sentences, {summary.councils} council(s){others}"
    )


@main.group()
def docs() -> None:
    """List, show, edit, rename and delete documents; mark them fully coded (done)."""


@docs.command("list")
@click.option("--council", default=None, help="Only this council (name, code or alias).")
@click.option("--phase", type=int, default=None, help="Only this study phase.")
@click.option("--role", default=None, help="Only this respondent role (officer, elected member, partner).")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
def docs_list(council: str | None, phase: int | None, role: str | None, fmt: str) -> None:
    """List documents with their council, phase, role and counts."""
    rows = list_documents(open_project(), council=council, phase=phase, role=role)
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([safe_cell(getattr(r, c)) for c in COLUMNS])
    else:
        click.echo(_TABLE_ROW.format("id", "name", "council", "ph", "role", "words", "turns", "sentences"))
        for r in rows:
            council = (r.council or "-")[:32]
            click.echo(
                _TABLE_ROW.format(
                    r.id, r.name[:32], council, r.phase or "-", r.role or "-", r.words, r.turns, r.sentences
                )
            )
        click.echo(f"{len(rows)} documents")


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
    from beacon_qual.cli.coding_cmds import current_coder
    from beacon_qual.coding.codings import set_done
    from beacon_qual.store.lookup import resolve_document

    project = open_project()
    document_id = resolve_document(project, document)
    coder_id = current_coder(project, coder)
    name = project.scalar("SELECT name FROM documents WHERE id = ?", (document_id,))
    who = project.scalar("SELECT name FROM coders WHERE id = ?", (coder_id,))
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


from beacon_qual.cli import docs_edit_cmds  # noqa: F401  (docs edit|rename|delete hang from the group above)
