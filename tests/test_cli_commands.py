"""The command table the CLI loads commands from agrees with the commands the modules define.

``beacon-qual`` imports only the module of the command it runs and lists ``--help`` from the table
in :mod:`beacon_qual.cli.base`; a command missing from the table could not be run, and a row
naming the wrong module would fail only when that command is used.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click
import pytest

import beacon_qual.cli
from beacon_qual.cli import base


def _all_modules() -> list[str]:
    """Every module of the CLI package that may define commands."""
    return sorted(
        info.name for info in pkgutil.iter_modules(beacon_qual.cli.__path__) if info.name.endswith("_cmds")
    )


def _load_all() -> None:
    for name in _all_modules():
        importlib.import_module(f"beacon_qual.cli.{name}")


GROUPS = [("beacon-qual", base.main, base.COMMANDS), ("export", base.export, base.EXPORT_COMMANDS)]


@pytest.mark.parametrize(("label", "group", "table"), GROUPS, ids=[g[0] for g in GROUPS])
def test_table_lists_exactly_the_commands_the_modules_define(label, group, table):
    _load_all()
    assert sorted(group.commands) == sorted(table), label


@pytest.mark.parametrize(("label", "group", "table"), GROUPS, ids=[g[0] for g in GROUPS])
def test_each_row_names_the_module_defining_the_command_and_its_help(label, group, table):
    _load_all()
    for name, (module, short_help) in table.items():
        command = group.commands[name]
        assert command.name == name
        assert command.callback.__module__ == f"beacon_qual.cli.{module}", name
        # what --help shows at any width comes from the same text
        for limit in (40, 80, 1000):
            listed = click.Command(name, help=short_help).get_short_help_str(limit)
            assert listed == command.get_short_help_str(limit), (name, limit)


def test_every_command_loads_from_its_module_alone():
    """In a fresh interpreter, asking the group for a command imports its module and finds it there."""
    script = (
        "import sys, click\n"
        "from beacon_qual.cli import base\n"
        "group = base.main if sys.argv[1] == 'main' else base.export\n"
        "ctx = click.Context(group)\n"
        "for name in sys.argv[2:]:\n"
        "    command = group.get_command(ctx, name)\n"
        "    assert command is not None and command.name == name, name\n"
        "    print(name)\n"
    )
    for group, table in (("main", base.COMMANDS), ("export", base.EXPORT_COMMANDS)):
        for module in sorted({module for module, _help in table.values()}):
            names = [name for name, (owner, _help) in table.items() if owner == module]
            done = subprocess.run(
                [sys.executable, "-c", script, group, *names], capture_output=True, text=True, check=False
            )
            assert done.returncode == 0, done.stderr
            assert done.stdout.split() == names


def _help(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "beacon_qual", *args, "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _listed(text: str) -> dict[str, str]:
    """Command name -> the help shown beside it (shortened to the screen, '...' removed)."""
    rows = {}
    for line in text.split("Commands:")[1].splitlines():
        if line.strip():
            name, _, shown = line.strip().partition(" ")
            rows[name] = shown.strip().removesuffix("...")
    return rows


def test_help_lists_every_command_with_its_help():
    for args, table in (((), base.COMMANDS), (("export",), base.EXPORT_COMMANDS)):
        listed = _listed(_help(*args))
        assert sorted(listed) == sorted(table)
        for name, (_module, short_help) in table.items():
            assert len(listed[name]) > 20 or listed[name] == short_help
            assert short_help.startswith(listed[name]), name


def test_unknown_command_is_one_line():
    done = subprocess.run(
        [sys.executable, "-m", "beacon_qual", "export", "frequency"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: No such command 'frequency'.") and line.endswith("export --help')")
