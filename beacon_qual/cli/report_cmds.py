"""Commands: report (HTML), figure (one chart for a paper), pseudonymise, export datasette-metadata.

matplotlib is imported only by the report and figure commands, when they run.
"""

from __future__ import annotations

from pathlib import Path

import click

from beacon_qual.cli.analysis_cmds import _filters, _split, filter_options
from beacon_qual.cli.base import export, force_option, main, open_project
from beacon_qual.cli.base import output as output_target
from beacon_qual.errors import BeaconError


@main.command("report")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    required=True,
    help="The HTML file to write ('-': standard output).",
)
@force_option
@filter_options()
@click.option(
    "--measures", multiple=True, help="Survey measures to chart codes by (comma-separated or repeated)."
)
@click.option("--wave", type=int, help="Survey wave of the measures (needed when they have several).")
@click.option(
    "--quotes",
    "quotes_per_code",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Quotes per code.",
)
@click.option("--title", default="Study report", show_default=True, help="The report's title.")
@click.pass_context
def report_command(ctx, output, force, measures, wave, quotes_per_code, title, **kwargs) -> None:
    """Write the study report: one self-contained HTML file with tables and charts."""
    from beacon_qual.report.html import ReportOptions, build_report

    options = ReportOptions(
        filters=_filters(kwargs),
        measures=_split(measures),
        wave=wave,
        quotes_per_code=quotes_per_code,
        title=title,
    )
    out = output_target(output, force, ctx)
    assert out is not None
    if not out.is_stdout and output.suffix.lower() not in (".html", ".htm"):
        raise BeaconError(f"{output.name!r}: the file name should end in .html or .htm")
    project = open_project(ctx)
    out.write(build_report(project, options))
    if not out.is_stdout:
        click.echo(f"wrote {out}")


# -- figures -----------------------------------------------------------------------------------------------
def figure_options(command):
    options = [
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, path_type=Path),
            required=True,
            help="The figure file: .svg, .png or .pdf.",
        ),
        force_option,
        click.option(
            "--width",
            type=click.FloatRange(min=1, max=40),
            default=7.0,
            show_default=True,
            help="Width in inches.",
        ),
        click.option(
            "--height",
            type=click.FloatRange(min=1, max=80),
            help="Height in inches (default: from the number of rows).",
        ),
        click.option(
            "--font-size",
            type=click.FloatRange(min=4, max=40),
            default=9.0,
            show_default=True,
            help="Font size in points.",
        ),
        click.option(
            "--dpi",
            type=click.IntRange(min=50, max=1200),
            default=300,
            show_default=True,
            help="Resolution of a PNG.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _draw(ctx: click.Context, kind: str, output: Path, style_kwargs: dict, **args) -> None:
    from beacon_qual.report.charts import Style, figure_format, save
    from beacon_qual.report.figures import draw

    out = output_target(output, style_kwargs.pop("force"), ctx, binary=output.suffix.lower() != ".svg")
    assert out is not None
    fmt = figure_format(output)
    dpi = style_kwargs.pop("dpi")
    style = Style(**style_kwargs)
    project = open_project(ctx)
    fig = draw(project, kind, style=style, **args)
    save(fig, out, fmt, dpi=dpi)
    click.echo(f"wrote {out}")


@main.group("figure")
def figure() -> None:
    """Draw one chart of the report alone, for a manuscript: SVG, PNG or PDF."""


@figure.command("frequencies")
@click.option("--by", "by", type=click.Choice(["phase", "role"]), help="One bar per phase or role.")
@filter_options()
@figure_options
@click.pass_context
def figure_frequencies(ctx, by, output, force, width, height, font_size, dpi, **kwargs) -> None:
    """Documents coded with each code (by phase or role), as export frequencies counts them."""
    style = {"width": width, "height": height, "font_size": font_size, "dpi": dpi, "force": force}
    _draw(ctx, "frequencies", output, style, filters=_filters(kwargs), by=by)


@figure.command("matrix")
@filter_options()
@figure_options
@click.pass_context
def figure_matrix(ctx, output, force, width, height, font_size, dpi, **kwargs) -> None:
    """Heatmap of codings per council and code."""
    style = {"width": width, "height": height, "font_size": font_size, "dpi": dpi, "force": force}
    _draw(ctx, "matrix", output, style, filters=_filters(kwargs))


@figure.command("trends")
@click.argument("code_args", metavar="[CODES]...", nargs=-1)
@filter_options()
@figure_options
@click.pass_context
def figure_trends(ctx, code_args, output, force, width, height, font_size, dpi, **kwargs) -> None:
    """Each code's share of coded documents by phase (the trends command's numbers)."""
    style = {"width": width, "height": height, "font_size": font_size, "dpi": dpi, "force": force}
    _draw(ctx, "trends", output, style, filters=_filters(kwargs, code_args))


@figure.command("measure")
@click.argument("code_args", metavar="[CODES]...", nargs=-1)
@click.option("--variable", required=True, help="The survey measure to set the codes against.")
@click.option("--wave", type=int, help="Survey wave of the measure (needed when it has several).")
@filter_options()
@figure_options
@click.pass_context
def figure_measure(
    ctx, code_args, variable, wave, output, force, width, height, font_size, dpi, **kwargs
) -> None:
    """Share of councils with each code by category of a survey measure (the crosstab's numbers)."""
    style = {"width": width, "height": height, "font_size": font_size, "dpi": dpi, "force": force}
    _draw(ctx, "measure", output, style, filters=_filters(kwargs, code_args), variable=variable, wave=wave)


# -- Datasette -------------------------------------------------------------------------------------------
@export.command("datasette-metadata")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    help="Write to FILE (e.g. metadata.json) instead of the screen.",
)
@force_option
@click.option("--database", help="The database name Datasette shows (default: the project file's stem).")
@click.pass_context
def export_datasette_metadata(ctx, output, force, database) -> None:
    """Write a Datasette metadata file: table and column descriptions, canned queries.

    Browse the project read-only with: datasette study.db --immutable study.db -m metadata.json
    """
    import json

    from beacon_qual.report.datasette import datasette_metadata

    out = output_target(output, force, ctx)
    project = open_project(ctx)
    text = json.dumps(datasette_metadata(project, database), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    out.write(text)
    if not out.is_stdout:
        click.echo(f"wrote {out}")


# -- pseudonymise ----------------------------------------------------------------------------------------
@main.command("pseudonymise")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--names",
    "names_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of further names to replace: a 'name' column, optionally 'replacement'.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(min=0, max=100, min_open=True),
    help="Least score (0-100) for a coding's new place to be taken without review.",
)
@click.pass_context
def pseudonymise_command(ctx, out, names_file, threshold) -> None:
    """Write a copy of the project with people's names replaced, codings moved onto the new text.

    Names come from the documents' interviewer and respondent metadata, speaker labels that look like
    names, and --names. The project itself is not changed. Capitalised words left in the copy that may
    be names are listed in OUT.names-review.csv.
    """
    from beacon_qual.exchange.pseudonymise import pseudonymise

    project = open_project(ctx)
    report = pseudonymise(project, out, names_file, threshold=threshold)
    click.echo(
        f"wrote {report.out}: {len(report.replacements)} names replaced in {report.changed_documents} of "
        f"{report.documents} documents; {report.codings} codings, {len(report.flagged)} flagged for review"
    )
    click.echo(
        f"{report.review_words} capitalised words that may be names are listed in {report.review_file}"
    )
