"""Show or set who is coding on this computer (remembered per user, not per project).

The workbench opens as this coder, and coding commands without --coder act as this coder.
A command's --coder applies to that command only; it never changes the remembered coder.
"""

from __future__ import annotations

import click

from beacon_qual.coding.userconfig import config_path, remember_coder, remembered_coder


@click.group("coder", invoke_without_command=True, help=__doc__)
@click.pass_context
def coder_group(ctx: click.Context) -> None:
    if ctx.invoked_subcommand is None:
        ctx.invoke(coder_show)


@coder_group.command("show")
def coder_show() -> None:
    """Print the remembered coder and the settings file it is kept in."""
    name = remembered_coder()
    click.echo(f"coder: {name or '(none yet)'}")
    click.echo(f"settings: {config_path()}")


@coder_group.command("set")
@click.argument("name")
def coder_set(name: str) -> None:
    """Remember NAME as the coder on this computer (for every project)."""
    click.echo(f"coder: {remember_coder(name)} (in {config_path()})")
