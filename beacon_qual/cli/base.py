"""The Click group every command hangs from, and the shared error handling.

Commands live in the modules of this package, one per area; each imports
:data:`main` and adds itself with ``@main.command()`` or ``@main.group()``.
A command opens the project with :func:`open_project` and raises
:class:`~beacon_qual.errors.BeaconError` for anything the user got wrong; the
group turns that into one line on stderr and exit code 1.

Only the module of the command being run is imported: :data:`COMMANDS` (and
:data:`EXPORT_COMMANDS` for the subcommands of ``export``) names each command's
module and its one-line help, which ``--help`` lists without importing anything.
A new command needs a row there; ``tests/test_cli_commands.py`` checks the rows
against the commands the modules define.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, overload

import click

from beacon_qual.data import DEFAULT_PROJECT
from beacon_qual.errors import BeaconError
from beacon_qual.store import SCHEMA_VERSION, Project
from beacon_qual.text.terminal import escaping_output

if TYPE_CHECKING:
    from beacon_qual.text.outfile import Output

# command name -> (module of this package that defines it, its one-line help as --help lists it)
COMMANDS: dict[str, tuple[str, str]] = {
    "agreement": (
        "team_cmds",
        "Intercoder agreement per code and overall: percent, kappa, alpha, unitized alphas, segments.",
    ),
    "backup": (
        "reliability_cmds",
        "Copy the project to OUT: a consistent snapshot, safe while others are coding.",
    ),
    "cases": (
        "cases_cmds",
        "Councils (cases): seed the 2008 register, list and show them, test how names match.",
    ),
    "check": (
        "reliability_cmds",
        (
            "Verify the project: foreign keys, offsets, orphans, text hashes, stored placements and counts, "
            "search index, schema version; with --full SQLite's integrity check too."
        ),
    ),
    "clone": (
        "team_cmds",
        "Make a coder's copy of the project (same documents, codebook and identities) in OUT.",
    ),
    "code": ("workbench_cmds", "Open the coding workbench."),
    "coder": (
        "coding_cmds",
        "Show or set who is coding on this computer (remembered per user, not per project).",
    ),
    "codebook": ("codebook_cmds", "Load, show, export and edit the codebook (the tree of codes)."),
    "coding": ("coding_cmds", "Apply, change, list and undo codings (the same actions as the workbench)."),
    "cooccurrence": (
        "analysis_cmds",
        "Pairs of codes found together, with counts and the c-coefficient n12 / (n1 + n2 - n12).",
    ),
    "crosstab": (
        "analysis_cmds",
        "Codes by a survey variable: counts, percentages, chi-square, Fisher, Mann-Whitney, Spearman.",
    ),
    "demo": ("workbench_cmds", "Build the demo project from transcripts_example/ and print its status."),
    "disagreements": (
        "team_cmds",
        "List the passages two coders coded differently, with both coders' codes.",
    ),
    "docs": ("import_cmds", "List, show, edit, rename and delete documents; mark them fully coded (done)."),
    "export": (
        "base",
        "Export the project: code frequencies, the codebook, the whole project (REFI-QDA).",
    ),
    "figure": (
        "report_cmds",
        "Draw one chart of the report alone, for a manuscript: SVG, PNG or PDF.",
    ),
    "import": (
        "import_cmds",
        "Import transcripts (.txt .md .rst .docx .vtt .srt) from files and folders: all of them or none.",
    ),
    "import-qdc": (
        "exchange_cmds",
        "Import the codes of a REFI-QDA codebook (.qdc); a new --project is created.",
    ),
    "import-qdpx": (
        "exchange_cmds",
        "Import a REFI-QDA project (.qdpx) into the project; a new --project is created.",
    ),
    "init": ("project_cmds", "Create a new, empty project file."),
    "joint-display": (
        "analysis_cmds",
        "Survey measures side by side with code counts and one representative quote per code.",
    ),
    "merge": (
        "team_cmds",
        "Bring coders' work back from their copies (OTHER.db ...): adds, never overwrites or deletes.",
    ),
    "quotes": ("analysis_cmds", "Coded passages of CODES with council, phase, role, coder and context."),
    "pseudonymise": (
        "report_cmds",
        "Write a copy of the project with people's names replaced, codings moved onto the new text.",
    ),
    "reindex": (
        "search_cmds",
        "Rebuild the full-text search index, each coding's sentences and turns, and the counts of codings.",
    ),
    "report": (
        "report_cmds",
        "Write the study report: one self-contained HTML file with tables and charts.",
    ),
    "review": (
        "reliability_cmds",
        "Codings a revision could not place with confidence: list, accept or move them.",
    ),
    "revise": (
        "reliability_cmds",
        "Replace DOCUMENT's text with the corrected transcript NEW_FILE, moving its codings onto it.",
    ),
    "search": ("search_cmds", "Find sentences in the transcripts, in document order or by relevance."),
    "status": (
        "project_cmds",
        "Summarise the project: cases, documents, codes, codings, coders, survey variables.",
    ),
    "suggest": (
        "search_cmds",
        "Suggest sentences for codes from their keywords; list, review and evaluate the suggestions.",
    ),
    "survey": ("survey_cmds", "Import survey measures per council and wave; list and summarise them."),
    "trends": (
        "analysis_cmds",
        "Each code's share of documents and councils by phase, with the Cochran-Armitage trend test.",
    ),
}
EXPORT_COMMANDS: dict[str, tuple[str, str]] = {
    "datasette-metadata": (
        "report_cmds",
        "Write a Datasette metadata file: table and column descriptions, canned queries.",
    ),
    "frequencies": ("analysis_cmds", "Code frequencies: codings, documents and councils per code."),
    "qdc": ("exchange_cmds", "Write the codebook as a REFI-QDA codebook (.qdc) for other QDA tools."),
    "qdpx": ("exchange_cmds", "Write the whole project as a REFI-QDA project (.qdpx) for other QDA tools."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported from their module (``lazy``) when first asked for."""

    def __init__(self, *args, lazy: dict[str, tuple[str, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            # Importing the module adds its commands to this group.
            importlib.import_module(f"{__package__}.{self.lazy[cmd_name][0]}")
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Like Click's, but a command not imported yet is listed with its help from the table."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=self.lazy[name][1])
            if not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _command in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in rows])


class BeaconGroup(LazyGroup):
    """A group that reports BeaconError (and any other failure) as one line."""

    def main(self, *args, **kwargs):
        """Click's own usage errors (a bad option, a path that is a folder) as one line too.

        Everything the command writes to standard output and standard error, its errors included, has its
        control characters escaped (:mod:`beacon_qual.text.terminal`)."""
        with escaping_output():
            return self._main(*args, **kwargs)

    def _main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as exc:
            where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _fail(exc.format_message() + where, [], exc.exit_code)
        except click.ClickException as exc:
            _fail(exc.format_message(), [], exc.exit_code)
        except click.Abort:
            _fail("aborted; nothing half-written was kept", [], 1)
        if isinstance(result, int) and result:
            sys.exit(result)
        return result

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_exit()  # the reader went away (`... | head`): not an error
        except BeaconError as exc:
            _fail(exc.message, exc.details, exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            _fail("interrupted; nothing half-written was kept", [], 130)
        except sqlite3.OperationalError as exc:
            _fail(f"database error: {exc}", [], 1)
        except OSError as exc:
            name = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            _fail(f"cannot use{name}: {exc.strerror or exc}", [], 1)
        except Exception as exc:  # noqa: BLE001 - last line of defence: no tracebacks for users
            if os.environ.get("BEACON_QUAL_DEBUG"):
                import traceback

                traceback.print_exc()
            _fail(
                f"internal error: {type(exc).__name__}: {exc} (set BEACON_QUAL_DEBUG=1 for details)", [], 70
            )


def _quiet_exit() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(0)


def _fail(message: str, details: list[str], code: int) -> None:
    click.echo(f"error: {message}", err=True)
    for line in details:
        click.echo(f"  {line}", err=True)
    sys.exit(code)


@click.group(cls=BeaconGroup, lazy=COMMANDS)
@click.option(
    "--project",
    "-p",
    "project_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="BEACON_QUAL_PROJECT",
    default=DEFAULT_PROJECT,
    show_default=True,
    help="Project file (or set BEACON_QUAL_PROJECT).",
)
@click.version_option(package_name="beacon-qual")
@click.pass_context
def main(ctx: click.Context, project_path: Path) -> None:
    """beacon-qual: code interview transcripts in the terminal, link them to survey measures."""
    ctx.ensure_object(dict)
    ctx.obj["project_path"] = project_path


def project_path(ctx: click.Context | None = None) -> Path:
    ctx = ctx or click.get_current_context()
    return ctx.find_root().obj["project_path"]


@overload
def output(
    target: Path | str, force: bool = False, ctx: click.Context | None = None, *, binary: bool = False
) -> Output: ...
@overload
def output(
    target: Path | str | None, force: bool = False, ctx: click.Context | None = None, *, binary: bool = False
) -> Output | None: ...
def output(
    target: Path | str | None, force: bool = False, ctx: click.Context | None = None, *, binary: bool = False
) -> Output | None:
    """The output a command was asked to write (``-o``/FILE), guarded against the open project;
    refused at once when it cannot be written, before any work is done."""
    if target is None:
        return None
    from beacon_qual.text.outfile import Output

    out = Output(target, force=force, protect=(project_path(ctx),))
    out.check(binary=binary)
    return out


keep_backups_option = click.option(
    "--keep-backups",
    type=int,
    metavar="N",
    help="Keep the newest N backups of this kind beside the project (default: BEACON_QUAL_KEEP_BACKUPS, else 3).",
)

force_option = click.option(
    "--force", is_flag=True, help="Replace the output file even if beacon-qual did not write it."
)


# ctx.meta key set by the analyses' --file-hash.
FILE_HASH = "beacon_qual.file_hash"


def open_project(ctx: click.Context | None = None, *, create: bool = False) -> Project:
    """Open the project named by --project / BEACON_QUAL_PROJECT, closing it when the command ends."""
    ctx = ctx or click.get_current_context()
    project = Project.open(project_path(ctx), create=create)
    ctx.call_on_close(project.close)
    project.provenance_file_hash = bool(ctx.meta.get(FILE_HASH))
    if project.migration_backup is not None:
        click.echo(
            f"updated {project.path} to schema version {SCHEMA_VERSION}; "
            f"backup: {project.migration_backup.describe()}",
            err=True,
        )
    return project


@main.group(cls=LazyGroup, lazy=EXPORT_COMMANDS)
def export() -> None:
    """Export the project: code frequencies, the codebook, the whole project (REFI-QDA)."""
