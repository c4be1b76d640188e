"""The council beside the transcript: the open document's council, its survey measures by wave and its
other documents. Toggled with P; it follows the document the workbench has open."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from beacon_qual.analysis.council_matrix import CouncilProfile, council_profile
from beacon_qual.store import Project
from beacon_qual.store.lookup import council_of_document


def profile_text(profile: CouncilProfile, current: int | None) -> Table | Text:
    """The profile as a small table of measures by wave, then the documents (the open one marked)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold")
    for wave in profile.waves:
        grid.add_column(justify="right", header=f"w{wave}")
    grid.add_row(Text(f"{profile.label} {profile.name}", style="bold underline"))
    if profile.measures:
        grid.add_row("survey", *(Text(f"wave {w}", style="dim") for w in profile.waves))
        for name, values in profile.measures:
            grid.add_row(Text(name, style=""), *(_value(values.get(w)) for w in profile.waves))
    else:
        grid.add_row(Text("no survey values", style="dim"))
    grid.add_row("")
    grid.add_row(f"documents ({len(profile.documents)})")
    for doc_id, name, phase, role in profile.documents:
        mark = "▶ " if doc_id == current else "  "
        grid.add_row(
            Text(f"{mark}{name} · ph {phase or '-'} · {role or '-'}", style="bold" if mark.strip() else "")
        )
    return grid


def _value(value: float | str | None) -> Text:
    if value is None:
        return Text("-", style="dim")
    if isinstance(value, float) and value.is_integer():
        return Text(str(int(value)))
    if isinstance(value, float):
        return Text(f"{value:.4g}")
    return Text(str(value))


class CouncilPanel(VerticalScroll):
    """Shows the council of the document open in the workbench (checked twice a second: a cheap id test)."""

    DEFAULT_CSS = """
    CouncilPanel { width: 38; border-left: solid $primary; padding: 0 1; }
    """

    def __init__(self, project: Project, **kwargs) -> None:
        super().__init__(**kwargs)
        self.project = project
        self.shown: tuple[int | None, int | None] = (None, None)  # (document id, case id) shown

    def compose(self):
        yield Static(id="council-panel-text")

    def on_mount(self) -> None:
        self.follow()
        self.set_interval(0.5, self.follow)

    def follow(self) -> None:
        doc = getattr(self.app, "doc", None)
        doc_id = doc.id if doc is not None else None
        if doc_id == self.shown[0] and doc_id is not None:
            return
        case_id = council_of_document(self.project, doc_id) if doc_id is not None else None
        if (doc_id, case_id) == self.shown:
            return
        self.shown = (doc_id, case_id)
        text = self.query_one("#council-panel-text", Static)
        if case_id is None:
            text.update(
                Text("The open document has no council." if doc_id else "Open a document.", style="dim")
            )
        else:
            text.update(profile_text(council_profile(self.project, case_id), doc_id))
