"""Charts for the HTML report and for ``beacon-qual figure``, drawn by matplotlib.

Each ``*_chart`` function takes numbers an analysis service already computed (never the project) and returns
a matplotlib Figure; :func:`svg_text` turns one into SVG to inline in HTML and :func:`save` writes it as SVG,
PNG or PDF. matplotlib is imported here only, with the Agg backend (no display), so other commands never pay
for it. Text stays text in SVG (``svg.fonttype: none``) and matplotlib escapes it as XML; ``text.parse_math``
is off so a ``$`` in a code name is shown as written, not read as mathematics.

Colours: the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies), replaced by a
code's own colour from the codebook where it has one; heatmaps use the viridis scale.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beacon_qual.errors import BeaconError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from beacon_qual.text.outfile import Output

# Okabe & Ito (2008), "Color Universal Design": black last, as it reads as text.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
FORMATS = ("svg", "png", "pdf")


@dataclass
class Style:
    """Size in inches and the base font size in points."""

    width: float = 7.0
    height: float | None = None  # None: chosen from the number of rows
    font_size: float = 9.0


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",
            "text.parse_math": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "beacon-qual",
        }
    )
    import matplotlib.pyplot as plt

    return plt


def colours(names: Sequence[str], own: dict[str, str | None] | None = None) -> list[str]:
    """A colour per name: its codebook colour when it has one, else the next Okabe-Ito colour."""
    own = own or {}
    out: list[str] = []
    spare = 0
    for name in names:
        colour = own.get(name)
        if colour:
            out.append(colour)
        else:
            out.append(OKABE_ITO[spare % len(OKABE_ITO)])
            spare += 1
    return out


def _figure(
    style: Style, rows: float, per_row: float = 0.28, least: float = 2.6, base: float = 1.2
) -> tuple[Any, Any]:
    plt = _pyplot()
    height = style.height if style.height else max(least, base + per_row * rows)
    fig, ax = plt.subplots(figsize=(style.width, height), layout="constrained")
    for item in (ax.title, ax.xaxis.label, ax.yaxis.label):
        item.set_fontsize(style.font_size + 1)
    ax.tick_params(labelsize=style.font_size)
    return fig, ax


def short(label: str, limit: int = 48) -> str:
    """Long labels keep their end, which names the code."""
    return label if len(label) <= limit else "…" + label[-(limit - 1) :]


def _title(fig: Any, ax: Any, title: str, style: Style) -> None:
    """The title over the whole figure, left-aligned: a long one is not cut at the axes' edge."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=style.font_size + 2)


def _legend(ax: Any, style: Style) -> None:
    ax.legend(fontsize=style.font_size, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))


def grouped_bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    xlabel: str,
    style: Style | None = None,
    own_colours: dict[str, str | None] | None = None,
    percent: bool = False,
    labels: Sequence[str] | None = None,
) -> Figure:
    """Horizontal bars: one group per category (a code), one bar per series (a phase, a role)."""
    style = style or Style()
    n_series = max(1, len(series))
    fig, ax = _figure(style, len(categories) * max(1, n_series * 0.6))
    height = 0.8 / n_series
    palette: list[Any] = list(colours([name for name, _ in series], own_colours))
    positions = list(range(len(categories)))
    if len(series) == 1 and own_colours:  # one bar per code: each in its codebook colour, where it has one
        palette = [colours(categories, own_colours)]
    for i, ((name, values), colour) in enumerate(zip(series, palette)):
        offsets = [p - 0.4 + height * (i + 0.5) for p in positions]
        ax.barh(
            offsets, list(values), height=height, label=name, color=colour, edgecolor="#333333", linewidth=0.3
        )
    ax.set_yticks(positions, [short(c) for c in labels or categories])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    _title(fig, ax, title, style)
    if percent:
        ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}%")
    if len(series) > 1:
        _legend(ax, style)
    return fig


def heatmap(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    label: str,
    style: Style | None = None,
    column_labels: Sequence[str] | None = None,
) -> Figure:
    """A matrix of counts (councils by codes) on the viridis scale, with a colour bar."""
    style = style or Style()
    fig, ax = _figure(style, len(rows), per_row=0.2, least=4.0, base=2.6)
    image = ax.imshow(values, aspect="auto", cmap="viridis", interpolation="none")
    ax.set_yticks(range(len(rows)), [short(r, 48) for r in rows], fontsize=max(5.0, style.font_size - 1))
    ax.set_xticks(
        range(len(columns)), [short(c, 32) for c in column_labels or columns], rotation=60, ha="right"
    )
    ax.tick_params(axis="x", labelsize=max(5.0, style.font_size - 1))
    ax.spines[:].set_visible(False)
    _title(fig, ax, title, style)
    bar = fig.colorbar(image, ax=ax, shrink=0.6)
    bar.set_label(label, fontsize=style.font_size)
    return fig


def lines(
    title: str,
    xs: Sequence[int],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    xlabel: str,
    ylabel: str,
    style: Style | None = None,
    own_colours: dict[str, str | None] | None = None,
    labels: Sequence[str] | None = None,
) -> Figure:
    """One line per series (a code's share by phase), in percent."""
    style = style or Style()
    fig, ax = _figure(style, 0, least=3.6)
    palette = colours([name for name, _ in series], own_colours)
    markers = "osD^v<>p"
    labels = [short(name, 40) for name in labels or [name for name, _ in series]]
    for i, ((name, values), colour) in enumerate(zip(series, palette)):
        ys = [float("nan") if v is None else v for v in values]
        ax.plot(
            list(xs),
            ys,
            marker=markers[i % len(markers)],
            label=labels[i],
            color=colour,
            linewidth=2,
            markeredgecolor="#333333",
        )
    ax.set_xticks(list(xs), [str(x) for x in xs])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}%")
    ax.set_ylim(bottom=0)
    _title(fig, ax, title, style)
    if series:
        _legend(ax, style)
    return fig


# -- output --------------------------------------------------------------------------------------------
_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)  # RDF about the file, not needed inline


def svg_text(fig: Figure, salt: str = "") -> str:
    """The figure as an ``<svg>`` element to inline in HTML (no XML prologue, no creation date)."""
    plt = _pyplot()
    if salt:
        plt.rcParams["svg.hashsalt"] = f"beacon-qual-{salt}"
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "beacon-qual"})
    plt.close(fig)
    return _METADATA.sub("", _PROLOGUE.sub("", buffer.getvalue(), count=1), count=1)


def figure_format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise BeaconError(f"cannot tell the figure's format from {path.name!r}: end it in .svg, .png or .pdf")
    return fmt


def save(fig: Figure, out: Output, fmt: str, dpi: int = 300) -> None:
    """Write the figure whole or not at all (beacon_qual.text.outfile), in the format ``fmt``."""
    plt = _pyplot()
    buffer = io.BytesIO()
    metadata: dict[str, Any] = {"Creator": "beacon-qual"}
    if fmt == "svg":
        metadata["Date"] = None
    elif fmt == "pdf":
        metadata["CreationDate"] = None
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    plt.close(fig)
    out.write(buffer.getvalue())
