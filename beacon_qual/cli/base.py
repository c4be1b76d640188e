"""The Click group every command hangs from, and the shared error handling.

Commands live in the modules of this package, one per area; each imports
:data:`main` and adds itself with ``@main.command()`` or ``@main.group()``.
A command opens the project with :func:`open_project` and raises
:class:`~beacon_qual.errors.BeaconError` for anything the user got wrong; the
group turns that into one line on stderr and exit code 1.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import traceback
from pathlib import Path

import click

from ..errors import BeaconError
from ..paths import DEFAULT_PROJECT
from ..store import Project


class BeaconGroup(click.Group):
    """A group that reports BeaconError (and any other failure) as one line."""

    def main(self, *args, **kwargs):
        """Click's own usage errors (a bad option, a path that is a folder) as one line too."""
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


@click.group(cls=BeaconGroup)
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


def open_project(ctx: click.Context | None = None, *, create: bool = False) -> Project:
    """Open the project named by --project / BEACON_QUAL_PROJECT, closing it when the command ends."""
    ctx = ctx or click.get_current_context()
    project = Project.open(project_path(ctx), create=create)
    ctx.call_on_close(project.close)
    return project


@main.group()
def export() -> None:
    """Export the project: code frequencies, the codebook, the whole project (REFI-QDA)."""
