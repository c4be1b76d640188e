"""Commands: export frequencies, crosstab, trends, cooccurrence, quotes, joint-display.

Each command imports its analysis when it runs: importing them all would load numpy, scipy and
the survey and codebook modules for every command.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from beacon_qual.analysis.options import GROUP_FIELDS, LEVELS, QUOTE_FORMATS, TEXT_FORMATS, UNIT_KINDS, UNITS
from beacon_qual.cli.base import FILE_HASH, export, force_option, main, open_project
from beacon_qual.cli.base import output as output_target
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.speaker_roles import SPEAKER_CHOICES

if TYPE_CHECKING:
    from beacon_qual.analysis.output import Report
    from beacon_qual.analysis.selection import Filters
    from beacon_qual.text.outfile import Output


def _file_hash(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[FILE_HASH] = True


def OUTPUT(command: Callable) -> Callable:
    """``-o FILE`` (``-`` for standard output), ``--force`` and ``--file-hash``."""
    command = click.option(
        "--file-hash",
        is_flag=True,
        expose_value=False,
        callback=_file_hash,
        help="Put the SHA-256 of the project file in the provenance too (reads the whole file; the state "
        "identity is recorded either way).",
    )(command)
    command = force_option(command)
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
        help="Write to FILE instead of the screen ('-': standard output).",
    )(command)


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


def _filters(kwargs: dict, extra_codes: tuple[str, ...] = ()) -> Filters:
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


def _emit(report: Report, fmt: str, out: Output | None) -> None:
    from beacon_qual.analysis.output import render, write_report

    if out is None:
        click.echo(render(report, fmt), nl=False)
    else:
        _wrote(out, write_report(report, fmt, out))
    if fmt == "csv" and (out is None or not out.regular()):
        click.echo("provenance: " + json.dumps(report.provenance, ensure_ascii=False), err=True)
        for note in report.notes:
            click.echo(f"note: {note}", err=True)


def _wrote(out: Output, written: list[str]) -> None:
    """Say what was written (nothing when the output itself went to standard output)."""
    if not out.is_stdout:
        click.echo("wrote " + ", ".join(written))


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@export.command("frequencies")
@click.option(
    "--by", "by", multiple=True, type=click.Choice(GROUP_FIELDS), help="Group by this field (repeatable)."
)
@click.option("--rollup", is_flag=True, help="A coding also counts for each ancestor of its code.")
@filter_options()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "wide", "markdown", "json"]),
    default="csv",
    show_default=True,
    help="csv: one row per code and group; wide: councils by codes, with survey measures.",
)
@click.option("--counts", is_flag=True, help="wide: codings per council instead of presence 0/1.")
@click.option(
    "--with-survey", "survey", multiple=True, help="wide: join these measures ('all' for every one)."
)
@click.option("--wave", type=int, help="wide: the survey wave of the joined measures (default: every wave).")
@OUTPUT
@click.pass_context
def export_frequencies(
    ctx: click.Context, by, rollup, fmt, counts, survey, wave, output, force, **kwargs
) -> None:
    """Code frequencies: codings, documents and councils per code.

    CSV files get their provenance in FILE.provenance.json beside them.
    """
    from beacon_qual.analysis.frequencies import frequencies, frequency_report

    filters = _filters(kwargs)
    if fmt != "wide" and (counts or survey or wave is not None):
        raise BeaconError("--counts, --with-survey and --wave apply to --format wide")
    if fmt == "wide" and by:
        raise BeaconError("--by does not apply to --format wide (one row per council)")
    out = output_target(output, force, ctx)
    project = open_project(ctx)
    if fmt == "wide":
        from beacon_qual.analysis.wide import wide_report

        report = wide_report(project, filters, rollup=rollup, counts=counts, survey=_split(survey), wave=wave)
        _emit(report, "csv", out)
        return
    _emit(frequency_report(project, frequencies(project, filters, by=tuple(by), rollup=rollup)), fmt, out)


@main.command("crosstab")
@click.argument("code_args", metavar="[CODES]...", nargs=-1)
@click.option("--variable", required=True, help="The survey variable to cross the codes with.")
@click.option("--wave", type=int, help="Survey wave of the variable (needed when it has several).")
@click.option(
    "--unit", type=click.Choice(UNITS), default="council", show_default=True, help="What is counted."
)
@click.option("--cuts", help="Numeric variable: bin at these cut points, e.g. 10,20.")
@click.option("--quantiles", type=int, help="Numeric variable: bin into this many quantile groups.")
@click.option("--rollup", is_flag=True, help="A code is present when it or a code below it is.")
@filter_options()
@click.option("--format", "fmt", type=click.Choice(TEXT_FORMATS), default="markdown", show_default=True)
@OUTPUT
@click.pass_context
def crosstab_command(
    ctx, code_args, variable, wave, unit, cuts, quantiles, rollup, fmt, output, force, **kwargs
) -> None:
    """Codes by a survey variable: counts, percentages, chi-square, Fisher, Mann-Whitney, Spearman.

    CODES are paths or unique names; without any, every coded code is shown.
    """
    from beacon_qual.analysis.crosstab import crosstab, crosstab_report
    from beacon_qual.analysis.measures import parse_cuts

    filters = _filters(kwargs, code_args)
    if cuts and quantiles is not None:
        raise BeaconError("give either --cuts or --quantiles, not both")
    out = output_target(output, force, ctx)
    project = open_project(ctx)
    result = crosstab(
        project,
        variable,
        filters,
        unit=unit,
        wave=wave,
        cuts=parse_cuts(cuts) if cuts else (),
        quantiles=quantiles,
        rollup=rollup,
    )
    _emit(crosstab_report(project, result), fmt, out)


@main.command("trends")
@click.argument("code_args", metavar="[CODES]...", nargs=-1)
@click.option("--rollup", is_flag=True, help="A code is present when it or a code below it is.")
@filter_options()
@click.option("--format", "fmt", type=click.Choice(TEXT_FORMATS), default="markdown", show_default=True)
@OUTPUT
@click.pass_context
def trends_command(ctx, code_args, rollup, fmt, output, force, **kwargs) -> None:
    """Each code's share of documents and councils by phase, with the Cochran-Armitage trend test."""
    from beacon_qual.analysis.trends import trends, trends_report

    filters = _filters(kwargs, code_args)
    out = output_target(output, force, ctx)
    project = open_project(ctx)
    _emit(trends_report(project, trends(project, filters, rollup=rollup)), fmt, out)


@main.command("cooccurrence")
@click.argument("code_args", metavar="[CODES]...", nargs=-1)
@click.option("--within", type=click.Choice(LEVELS), default="sentence", show_default=True)
@click.option(
    "--min-count", type=click.IntRange(min=1), default=1, show_default=True, help="Smallest n_ab shown."
)
@filter_options()
@click.option("--format", "fmt", type=click.Choice(TEXT_FORMATS), default="markdown", show_default=True)
@OUTPUT
@click.pass_context
def cooccurrence_command(ctx, code_args, within, min_count, fmt, output, force, **kwargs) -> None:
    """Pairs of codes found together, with counts and the c-coefficient n12 / (n1 + n2 - n12)."""
    from beacon_qual.analysis.cooccurrence import cooccurrence, cooccurrence_report

    filters = _filters(kwargs, code_args)
    out = output_target(output, force, ctx)
    project = open_project(ctx)
    result = cooccurrence(project, filters, within=within, min_count=min_count)
    _emit(cooccurrence_report(project, result), fmt, out)


@main.command("quotes")
@click.argument("codes", nargs=-1, required=True)
@click.option("--context", type=click.IntRange(min=0), default=0, help="Characters of context on each side.")
@click.option(
    "--context-units", type=click.IntRange(min=0), help="Units of context on each side (0: whole units)."
)
@click.option("--unit-kind", type=click.Choice(UNIT_KINDS), default="sentence", show_default=True)
@click.option("--rollup", is_flag=True, help="Include codings of the codes below each code.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many quotes per code.")
@filter_options(codes=False, speaker="respondent")
@click.option("--format", "fmt", type=click.Choice(QUOTE_FORMATS), default="markdown", show_default=True)
@OUTPUT
@click.pass_context
def quotes_command(
    ctx, codes, context, context_units, unit_kind, rollup, limit, fmt, output, force, **kwargs
) -> None:
    """Coded passages of CODES with council, phase, role, coder and context."""
    from beacon_qual.analysis.output import write_output
    from beacon_qual.analysis.quotes import quotes, render_quotes

    filters = _filters(kwargs)
    if fmt == "docx" and output is None:
        raise BeaconError("--format docx needs a file: add -o FILE.docx ('-o -' for standard output)")
    out = output_target(output, force, ctx, binary=fmt == "docx")
    project = open_project(ctx)
    result = quotes(
        project,
        codes,
        filters,
        context=context,
        context_units=context_units,
        unit_kind=unit_kind,
        rollup=rollup,
        limit=limit,
    )
    report, data = render_quotes(project, result, fmt)
    if out is None:
        click.echo(data, nl=False)
    else:
        _wrote(out, write_output(out, data, report.provenance if fmt == "csv" else None))
    if fmt == "csv" and (out is None or not out.regular()):
        click.echo("provenance: " + json.dumps(report.provenance, ensure_ascii=False), err=True)


@main.command("joint-display")
@click.option("--by", "by", type=click.Choice(["council"]), help="One row per council (the default).")
@click.option("--group-by", help="One row per category of this survey variable instead.")
@click.option("--measures", multiple=True, help="Survey measures to show (comma-separated or repeated).")
@click.option(
    "--codes", "code_refs", multiple=True, required=True, help="Codes to show (comma-separated or repeated)."
)
@click.option("--wave", type=int, help="Survey wave of the measures (needed when they have several).")
@click.option("--cuts", help="Numeric --group-by variable: bin at these cut points.")
@click.option(
    "--quantiles", type=int, help="Numeric --group-by variable: bin into this many quantile groups."
)
@click.option("--rollup", is_flag=True, help="Count codings of the codes below each code too.")
@click.option("--quote-chars", type=click.IntRange(min=20), default=300, show_default=True)
@filter_options(codes=False, speaker="quote")
@click.option("--format", "fmt", type=click.Choice(TEXT_FORMATS), default="markdown", show_default=True)
@OUTPUT
@click.pass_context
def joint_display_command(
    ctx,
    by,
    group_by,
    measures,
    code_refs,
    wave,
    cuts,
    quantiles,
    rollup,
    quote_chars,
    fmt,
    output,
    force,
    **kwargs,
) -> None:
    """Survey measures side by side with code counts and one representative quote per code."""
    from beacon_qual.analysis.joint import joint_display, joint_report
    from beacon_qual.analysis.measures import parse_cuts

    quote_speaker = kwargs["speaker"] or "respondent"
    filters = _filters(kwargs)
    if by and group_by:
        raise BeaconError("give either --by council or --group-by VARIABLE, not both")
    if cuts and quantiles is not None:
        raise BeaconError("give either --cuts or --quantiles, not both")
    out = output_target(output, force, ctx)
    project = open_project(ctx)
    result = joint_display(
        project,
        measures=list(measures),
        codes=list(code_refs),
        filters=filters,
        group_by=group_by,
        wave=wave,
        cuts=parse_cuts(cuts) if cuts else (),
        quantiles=quantiles,
        rollup=rollup,
        quote_chars=quote_chars,
        quote_speaker=None if quote_speaker == "any" else quote_speaker,
    )
    _emit(joint_report(project, result), fmt, out)
