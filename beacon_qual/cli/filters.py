"""The options that choose what a command works on: the analyses' filters, and list options that take
several values after one flag (``--coders A B``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from beacon_qual.ingest.speaker_roles import SPEAKER_CHOICES

if TYPE_CHECKING:
    from beacon_qual.analysis.selection import Filters


class SpreadCommand(click.Command):
    """A command whose list options take several values after one flag: ``--coders A B C``.

    ``--coders A B`` is read as ``--coders A --coders B``; values may also be given
    separated by commas or by repeating the flag.
    """

    spread = ("--coders", "--documents", "--codes")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rewritten: list[str] = []
        current: str | None = None
        rest = list(args)
        while rest:
            token = rest.pop(0)
            if token == "--":
                rewritten += [token, *rest]
                break
            if current is not None and not token.startswith("-"):
                rewritten += [current, token]
                continue
            if current is not None and rewritten[-2:-1] != [current]:
                rewritten.append(current)
            current = token if token in self.spread else None
            if current is None:
                rewritten.append(token)
        if current is not None and rewritten[-2:-1] != [current]:
            rewritten.append(current)
        return super().parse_args(ctx, rewritten)


def split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


SPEAKER_HELP = {
    "any": "Only codings in this side's speech: respondent (codings overlapping a respondent's turn), "
    "interviewer, or any (the default).",
    "respondent": "Only codings in this side's speech: respondent (the default: codings overlapping a "
    "respondent's turn), interviewer, or any.",
    "quote": "Only codings in this side's speech: respondent, interviewer or any. Default: counts take every "
    "coding, and the quote is chosen from codings overlapping a respondent's turn.",
}


def filter_options(*, codes: bool = True, speaker: str = "any") -> Callable:
    """The filters every analysis takes; ``--code`` is left out where codes are arguments. ``speaker`` names
    the default of ``--speaker`` (its help in :data:`SPEAKER_HELP`)."""
    options = [
        click.option(
            "--phase", "phases", type=int, multiple=True, help="Only this study phase (repeatable)."
        ),
        click.option("--role", "roles", multiple=True, help="Only this respondent role (repeatable)."),
        click.option("--coder", "coders", multiple=True, help="Only this coder's codings (repeatable)."),
        click.option(
            "--council", "councils", multiple=True, help="Only this council: code, GSS code or name."
        ),
        click.option(
            "--doc-wave",
            "doc_waves",
            type=int,
            multiple=True,
            help="Only documents whose phase falls in this survey wave (repeatable).",
        ),
        click.option(
            "--done-only",
            is_flag=True,
            help="Only documents marked fully coded ('docs done') by the chosen coders (any coder without --coder).",
        ),
        click.option(
            "--speaker",
            type=click.Choice(SPEAKER_CHOICES),
            default=None if speaker == "quote" else speaker,
            show_default=speaker != "quote",
            help=SPEAKER_HELP[speaker],
        ),
    ]
    if codes:
        options.append(click.option("--code", "codes", multiple=True, help="Only this code: path or name."))

    def decorate(command: Callable) -> Callable:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def filters(kwargs: dict, extra_codes: tuple[str, ...] = ()) -> Filters:
    from beacon_qual.analysis.selection import Filters

    return Filters(
        phases=tuple(kwargs.pop("phases")),
        roles=tuple(kwargs.pop("roles")),
        coders=tuple(kwargs.pop("coders")),
        councils=tuple(kwargs.pop("councils")),
        codes=tuple(kwargs.pop("codes", ())) + tuple(extra_codes),
        waves=tuple(kwargs.pop("doc_waves")),
        done_only=kwargs.pop("done_only"),
        speaker=_speaker(kwargs.pop("speaker")),
    )


def _speaker(value: str | None) -> str | None:
    return None if value in (None, "any") else value
