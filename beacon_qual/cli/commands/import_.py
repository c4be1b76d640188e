"""Import transcripts (.txt .md .rst .docx .vtt .srt) from files and folders: all of them or none.

Metadata comes from YAML front matter or a manifest.csv beside the files
(columns file,council,phase,role,interview_date,interviewer,respondent), or from
--council, --phase and --role for every file named. The council must be a code, a name
or a known spelling; one that matches only by similarity is refused unless --accept-fuzzy
is given. A manifest row with an empty council, or --no-council, imports a file with no case.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from beacon_qual.cli.base import open_project
from beacon_qual.ingest.importer import import_paths
from beacon_qual.ingest.readers import DEFAULT_MAX_SIZE, parse_size
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


@click.command("import", help=__doc__)
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
