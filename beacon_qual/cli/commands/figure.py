"""Draw one chart of the report alone, for a manuscript: SVG, PNG or PDF."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from beacon_qual.cli.base import force_option, open_project
from beacon_qual.cli.filters import filter_options, filters
from beacon_qual.cli.output import checked, output_option


def figure_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        output_option(required=True, dash=False, help="The figure file: .svg, .png or .pdf."),
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

    out = checked(output, style_kwargs.pop("force"), ctx, binary=output.suffix.lower() != ".svg")
    assert out is not None
    fmt = figure_format(output)
    dpi = style_kwargs.pop("dpi")
    style = Style(**style_kwargs)
    project = open_project(ctx)
    fig = draw(project, kind, style=style, **args)
    save(fig, out, fmt, dpi=dpi)
    click.echo(f"wrote {out}")


@click.group("figure", help=__doc__)
def figure() -> None:
    pass


@figure.command("frequencies")
@click.option("--by", "by", type=click.Choice(["phase", "role"]), help="One bar per phase or role.")
@filter_options()
@figure_options
@click.pass_context
def figure_frequencies(ctx, by, output, force, width, height, font_size, dpi, **kwargs) -> None:
    """Documents coded with each code (by phase or role), as export frequencies counts them."""
    style = {"width": width, "height": height, "font_size": font_size, "dpi": dpi, "force": force}
    _draw(ctx, "frequencies", output, style, filters=filters(kwargs), by=by)


@figure.command("matrix")
@filter_options()
@figure_options
@click.pass_context
def figure_matrix(ctx, output, force, width, height, font_size, dpi, **kwargs) -> None:
    """Heatmap of codings per council and code."""
    style = {"width": width, "height": height, "font_size": font_size, "dpi": dpi, "force": force}
    _draw(ctx, "matrix", output, style, filters=filters(kwargs))


@figure.command("trends")
@click.argument("code_args", metavar="[CODES]...", nargs=-1)
@filter_options()
@figure_options
@click.pass_context
def figure_trends(ctx, code_args, output, force, width, height, font_size, dpi, **kwargs) -> None:
    """Each code's share of coded documents by phase (the trends command's numbers)."""
    style = {"width": width, "height": height, "font_size": font_size, "dpi": dpi, "force": force}
    _draw(ctx, "trends", output, style, filters=filters(kwargs, code_args))


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
    _draw(ctx, "measure", output, style, filters=filters(kwargs, code_args), variable=variable, wave=wave)
