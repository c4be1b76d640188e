"""What the workbench's analysis views share: the filter line, the export to CSV, shading and opening a passage.

The views (councils x themes, coded segments, theme by measure) call the analysis services the CLI calls;
this module only turns what a user types into :class:`~beacon_qual.analysis.selection.Filters` and writes
what a view shows as a report (CSV with its provenance beside it, as ``export`` writes it).
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.binding import Binding
from textual.widgets import Static

from beacon_qual.analysis.output import Report, write_report
from beacon_qual.analysis.selection import Filters
from beacon_qual.errors import BeaconError
from beacon_qual.ingest.speaker_roles import SPEAKER_CHOICES
from beacon_qual.text.outfile import output_for
from beacon_qual.tui.screens import PromptScreen

if TYPE_CHECKING:
    from textual.widget import Widget

FILTER_HELP = "phase:2 role:officer coder:alice speaker:respondent council:hull done  (empty: none)"


def parse_filters(text: str, base: Filters | None = None) -> Filters:
    """Filters from words such as ``phase:2 role:officer coder:alice speaker:respondent done``.

    Values with spaces are quoted (``role:'chief executive'``); a key may be repeated. Anything else is
    refused with a one-line message naming the keys.
    """
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise BeaconError(f"cannot read the filter: {exc}") from None
    phases: list[int] = []
    roles: list[str] = []
    coders: list[str] = []
    councils: list[str] = []
    speaker: str | None = None
    done = False
    for token in tokens:
        key, sep, value = token.partition(":")
        key = key.casefold()
        if not sep and key in ("done", "done-only"):
            done = True
        elif key == "phase" and value.isdigit():
            phases.append(int(value))
        elif key == "role" and value:
            roles.append(value)
        elif key == "coder" and value:
            coders.append(value)
        elif key == "council" and value:
            councils.append(value)
        elif key == "speaker" and value.casefold() in SPEAKER_CHOICES:
            speaker = None if value.casefold() == "any" else value.casefold()
        else:
            raise BeaconError(f"cannot read {token!r} in the filter; write e.g. {FILTER_HELP}")
    base = base or Filters()
    return replace(
        base,
        phases=tuple(phases),
        roles=tuple(roles),
        coders=tuple(coders),
        councils=tuple(councils),
        speaker=speaker,
        done_only=done,
    )


def filter_text(filters: Filters) -> str:
    """The filter line that gives ``filters`` back (what the prompt starts with)."""
    words = [f"phase:{p}" for p in filters.phases]
    words += [f"role:{shlex.quote(r)}" for r in filters.roles]
    words += [f"coder:{shlex.quote(c)}" for c in filters.coders]
    words += [f"council:{shlex.quote(c)}" for c in filters.councils]
    if filters.speaker:
        words.append(f"speaker:{filters.speaker}")
    if filters.done_only:
        words.append("done")
    return " ".join(words)


def export_report(screen: Widget, report: Report, default_name: str) -> None:
    """Ask for a file name and write the report as CSV with its provenance beside it, as ``export`` does
    (``screen``: the view asking, a screen or a widget in one)."""
    app = screen.app

    def chosen(name: str | None) -> None:
        if not name or not name.strip():
            return
        try:
            written = write_report(report, "csv", output_for(name.strip()))
        except BeaconError as exc:
            app.notify(str(exc), severity="error")
            return
        app.notify("Wrote " + ", ".join(written), timeout=4)

    app.push_screen(
        PromptScreen("Export what this view shows to CSV (with provenance) — file name", default_name), chosen
    )


SHADES = ("#2e3440", "#1f4f5f", "#236f7f", "#2a8f9f", "#3fb0bf")


_SHADE_STYLES = [Style(bold=True, bgcolor=colour) for colour in SHADES]
_ZERO = ("0", Style(dim=True), "right")


def shaded_cell(value: int, top: int) -> tuple[str, Style, str]:
    """As :func:`shaded`, as the (text, style, justify) a grid draws from: no Text built per cell."""
    if value <= 0 or top <= 0:
        return _ZERO
    level = 1 + min(len(SHADES) - 2, int((len(SHADES) - 1) * value / (top + 1)))
    return str(value), _SHADE_STYLES[level], "right"


def shaded(value: int, top: int) -> Text:
    """A count as a cell, its background darker to lighter as it nears the column's largest value."""
    if value <= 0 or top <= 0:
        return Text("0", style="dim", justify="right")
    level = 1 + min(len(SHADES) - 2, int((len(SHADES) - 1) * value / (top + 1)))
    return Text(str(value), style=f"bold on {SHADES[level]}", justify="right")


def open_passage(app: App, document_id: int, start: int, end: int) -> None:
    """Back to the transcript, with this document open and the passage selected."""
    from beacon_qual.tui.transcript import TranscriptView

    while len(app.screen_stack) > 1:
        app.pop_screen()
    opener = getattr(app, "open_document", None)
    if opener is None:
        return
    opener(document_id)
    view = app.query_one(TranscriptView)
    if end > start:  # a memo on a whole document opens it at the top
        view.select(start, end)
    view.focus()


def ask_search(screen: Any, prompt: str) -> None:
    """Ask for the words a list view keeps to (``screen.search``), then fill the list again."""

    def given(text: str | None) -> None:
        if text is not None:
            screen.search = text.strip()
            screen.fill()

    screen.app.push_screen(PromptScreen(prompt, screen.search), given)


class KeyLine(Static):
    """The keys of a view on one line at the bottom, as Textual's Footer shows them, drawn once as text.

    The Footer builds a widget per key and builds them again whenever the focus or the bindings change,
    which costs more than the rest of a view's screen; a view's keys do not change, so one line of text does.
    """

    DEFAULT_CSS = """
    KeyLine { dock: bottom; height: 1; background: $footer-background; }
    """

    def __init__(self, bindings: list[Binding | tuple], **kwargs) -> None:
        super().__init__(**kwargs)
        self.bindings = self._shown(bindings)

    @staticmethod
    def _shown(bindings: list[Binding | tuple]) -> list[Binding]:
        return [b for b in bindings if isinstance(b, Binding) and b.show]

    def show_keys(self, bindings: list[Binding | tuple]) -> None:
        """Show these keys instead (a view showing another part of itself)."""
        self.bindings = self._shown(bindings)
        self.on_mount()

    def on_mount(self) -> None:
        key_style = Style(bold=True, color=self.app.current_theme.accent or None)
        line = Text(no_wrap=True, overflow="ellipsis")
        app_keys = [  # the application's keys that work here too (help, quit), after the view's own
            b
            for b in self.app.BINDINGS
            if isinstance(b, Binding) and b.show and self.app.check_action(b.action, ())
        ]
        for binding in [*self.bindings, *app_keys]:
            first = replace(
                binding, key=binding.key.split(",")[0].strip()
            )  # as the Footer: one key of several
            line.append(f" {self.app.get_key_display(first)}", style=key_style)
            line.append(f" {binding.description} ")
        self.update(line)
