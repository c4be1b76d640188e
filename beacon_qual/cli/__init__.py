"""Command-line interface: ``beacon-qual``.

Each ``*_cmds`` module adds the commands of one area to :data:`main`; a command's
module is imported only when that command runs (see :mod:`.base`).

May import: any part.
"""

from beacon_qual.cli.base import main

__all__ = ["main"]
