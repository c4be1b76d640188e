"""The command table the CLI loads commands from agrees with the commands the modules define.

``beacon-qual`` imports only the module of the command it runs and lists ``--help`` from the modules'
docstrings without importing them (:mod:`beacon_qual.cli.base`); a command missing from the table could
not be run, and a row naming the wrong module would fail only when that command is used.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click

import beacon_qual.cli.commands
from beacon_qual.cli import base


def _module_name(command: str) -> str:
    """The module a command lives in: its name, '-' as '_', a Python keyword with a trailing '_'."""
    name = command.replace("-", "_")
    return f"beacon_qual.cli.commands.{name}_" if name == "import" else f"beacon_qual.cli.commands.{name}"


def _load(name: str) -> click.Command:
    module, _, obj = base.COMMANDS[name].partition(":")
    return getattr(importlib.import_module(module), obj)


def test_table_lists_exactly_the_command_modules():
    modules = sorted(
        f"beacon_qual.cli.commands.{info.name}"
        for info in pkgutil.iter_modules(beacon_qual.cli.commands.__path__)
    )
    assert sorted(_module_name(name) for name in base.COMMANDS) == modules


def test_each_row_names_the_module_named_after_the_command_and_its_help():
    for name, target in base.COMMANDS.items():
        command = _load(name)
        assert command.name == name
        assert target.partition(":")[0] == _module_name(name) == command.callback.__module__, name
        # what --help lists without importing the module is the command's own help, at any width
        for limit in (40, 80, 1000):
            listed = click.Command(name, help=base.module_doc(target)).get_short_help_str(limit)
            assert listed == command.get_short_help_str(limit), (name, limit)


def test_every_command_loads_from_its_module_alone():
    """In a fresh interpreter, asking the group for a command imports its module and finds it there."""
    script = (
        "import sys, click\n"
        "from beacon_qual.cli import base\n"
        "ctx = click.Context(base.main)\n"
        "name = sys.argv[1]\n"
        "command = base.main.get_command(ctx, name)\n"
        "assert command is not None and command.name == name, name\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('beacon_qual.cli.commands.'))\n"
        "print(name, *loaded)\n"
    )
    for name in base.COMMANDS:
        done = subprocess.run(
            [sys.executable, "-c", script, name], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.split()[0] == name
        assert _module_name(name) in done.stdout.split()[1:]


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
    export = _load("export")
    assert isinstance(export, click.Group)
    for args, group in (((), base.main), (("export",), export)):
        listed = _listed(_help(*args))
        names = group.list_commands(click.Context(group))
        assert sorted(listed) == sorted(names)
        for name in names:
            command = _load(name) if group is base.main else export.commands[name]
            short_help = " ".join((command.help or "").split("\n\n")[0].split())
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
