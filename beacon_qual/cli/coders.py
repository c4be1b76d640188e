"""Who is acting: the ``--coder`` option of the commands that change codings, codes and documents."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import click

from beacon_qual.coding.userconfig import remembered_coder
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project

coder_option = click.option(
    "--coder",
    help="Coder name (default: BEACON_QUAL_CODER, else the coder set with 'beacon-qual coder set').",
)


def current_coder(project: Project, name: str | None) -> int:
    """The coder named on the command line, else BEACON_QUAL_CODER, else the coder remembered for this user.

    Naming a coder here remembers nothing: a script's ``--coder bob`` does not change who the workbench
    opens as (only ``beacon-qual coder set`` and the workbench's own choice do).
    """
    name = name or os.environ.get("BEACON_QUAL_CODER") or remembered_coder()
    if not name:
        raise BeaconError(
            "say who is coding: --coder NAME, BEACON_QUAL_CODER, or once for good: beacon-qual coder set NAME"
        )
    return project.coder_id(name)


def optional_coder(project: Project, name: str | None) -> int | None:
    """The coder named or set in BEACON_QUAL_CODER, if any (a revision needs no coder)."""
    name = name or os.environ.get("BEACON_QUAL_CODER")
    return project.coder_id(name) if name else None


@contextmanager
def coder_transaction(project: Project, name: str | None) -> Iterator[int]:
    """One transaction for a coder's change: the coder's row (on first use), ``last_coder`` and the change
    itself are written together or, when the change is refused, not at all."""
    with project.transaction():
        yield current_coder(project, name)


def resolve_code(project: Project, ref: str) -> int:
    from beacon_qual.codebook.tree import resolve_code as resolve

    return resolve(project, ref)
