"""The Click group every command hangs from, and the shared error handling.

:data:`main` is a :class:`LazyGroup`: :data:`COMMANDS` maps each command's name to
``"module:object"`` in :mod:`beacon_qual.cli.commands`, and only the module of the
command being run is imported. A command opens the project with :func:`open_project`
and raises :class:`~beacon_qual.errors.BeaconError` for anything the user got wrong;
the group turns that into one line on stderr and exit code 1. A new command needs a
row in :data:`COMMANDS`; ``tests/test_cli_commands.py`` checks the rows against the
modules.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from beacon_qual.data import DEFAULT_PROJECT
from beacon_qual.errors import BeaconError
from beacon_qual.store import SCHEMA_VERSION, Project
from beacon_qual.text.terminal import escaping_output

# command name -> "module:object": the module (named after the command) and the Click command in it
COMMANDS: dict[str, str] = {
    "agreement": "beacon_qual.cli.commands.agreement:agreement",
    "backup": "beacon_qual.cli.commands.backup:backup",
    "cases": "beacon_qual.cli.commands.cases:cases",
    "check": "beacon_qual.cli.commands.check:check",
    "clone": "beacon_qual.cli.commands.clone:clone",
    "code": "beacon_qual.cli.commands.code:code",
    "codebook": "beacon_qual.cli.commands.codebook:codebook",
    "coder": "beacon_qual.cli.commands.coder:coder_group",
    "coding": "beacon_qual.cli.commands.coding:coding",
    "cooccurrence": "beacon_qual.cli.commands.cooccurrence:cooccurrence_command",
    "crosstab": "beacon_qual.cli.commands.crosstab:crosstab_command",
    "demo": "beacon_qual.cli.commands.demo:demo",
    "disagreements": "beacon_qual.cli.commands.disagreements:disagreements",
    "docs": "beacon_qual.cli.commands.docs:docs",
    "export": "beacon_qual.cli.commands.export:export",
    "figure": "beacon_qual.cli.commands.figure:figure",
    "import": "beacon_qual.cli.commands.import_:import_cmd",
    "import-qdc": "beacon_qual.cli.commands.import_qdc:import_qdc",
    "import-qdpx": "beacon_qual.cli.commands.import_qdpx:import_qdpx",
    "init": "beacon_qual.cli.commands.init:init",
    "joint-display": "beacon_qual.cli.commands.joint_display:joint_display_command",
    "merge": "beacon_qual.cli.commands.merge:merge",
    "pseudonymise": "beacon_qual.cli.commands.pseudonymise:pseudonymise_command",
    "quotes": "beacon_qual.cli.commands.quotes:quotes_command",
    "reindex": "beacon_qual.cli.commands.reindex:reindex_cmd",
    "report": "beacon_qual.cli.commands.report:report_command",
    "review": "beacon_qual.cli.commands.review:review",
    "revise": "beacon_qual.cli.commands.revise:revise",
    "search": "beacon_qual.cli.commands.search:search_cmd",
    "status": "beacon_qual.cli.commands.status:status",
    "suggest": "beacon_qual.cli.commands.suggest:suggest_group",
    "survey": "beacon_qual.cli.commands.survey:survey",
    "trends": "beacon_qual.cli.commands.trends:trends_command",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is asked for, as Click's
    documentation shows ("Lazily Loading Subcommands"); ``lazy`` maps a name to ``"module:object"``.

    ``--help`` lists the commands without importing them: a command's help is its module's docstring
    (``@click.command(help=__doc__)``), read from the top of the file."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, _, name = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), name)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a Click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Like Click's, but a command not imported yet is listed with its module's docstring."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=module_doc(self.lazy[name]))
            if not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _command in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in rows])


def module_doc(target: str) -> str | None:
    """The docstring of the module of ``"module:object"``, read from the top of its file without importing
    it (or None when the file does not start with one)."""
    import ast
    import inspect

    package, _, name = target.partition(":")[0].rpartition(".")
    folder = Path(str(importlib.import_module(package).__file__)).parent
    source = (folder / f"{name}.py").read_text(encoding="utf-8")
    quote = source[:3]
    end = source.find(quote, 3) if quote in ('"""', "'''") else -1
    return inspect.cleandoc(ast.literal_eval(source[: end + 3])) if end > 0 else None


class BeaconGroup(LazyGroup):
    """A group that reports BeaconError (and any other failure) as one line."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
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
