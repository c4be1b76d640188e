"""Favourite codes on fixed keys: F1-F9 (or ``f`` then a digit, for terminals that keep the F keys),
assigned with ``+``, shown in a bar above the status line.

Favourites are kept in the project, per coder (meta ``favourites:<coder id>``): a code belongs to one
project's codebook, so a per-user list would point at codes other projects do not have, and each coder
of a shared project keeps a list of their own across restarts.
"""

from __future__ import annotations

import json

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from beacon_qual.store import Project
from beacon_qual.store import workbench as store
from beacon_qual.tui.readmodel import CodeInfo

SLOTS = 9

FAVOURITE_BINDINGS = [
    *[
        Binding(f"f{i}", f"apply_favourite({i})", f"Apply favourite code {i}", show=False)
        for i in range(1, 10)
    ],
    Binding("f", "favourite_prefix", "Then 1-9: apply that favourite (same as F1-F9)", show=False),
    Binding("plus", "assign_favourite", "Put a code on a favourite key (F1-F9)", show=False),
]


def load_favourites(project: Project, coder_id: int) -> list[int | None]:
    """The code on each favourite key F1..F9 (None where there is none), dropping deleted codes."""
    raw = project.get_meta(f"favourites:{coder_id}")
    try:
        slots = json.loads(raw) if raw else []
    except ValueError:
        slots = []
    slots = [s if isinstance(s, int) else None for s in slots][:SLOTS]
    slots += [None] * (SLOTS - len(slots))
    live = store.codable_code_ids(project)
    return [s if s in live else None for s in slots]


def set_favourite(project: Project, coder_id: int, slot: int, code_id: int | None) -> list[int | None]:
    """Put ``code_id`` on key F``slot`` (1-9), taking it off any other key; returns the new list."""
    slots = load_favourites(project, coder_id)
    slots = [None if s == code_id else s for s in slots]
    slots[slot - 1] = code_id
    with project.transaction():
        project.set_meta(f"favourites:{coder_id}", json.dumps(slots))
    return slots


def bar_text(slots: list[int | None], codes: dict[int, CodeInfo]) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    shown = False
    for i, code_id in enumerate(slots, start=1):
        code = codes.get(code_id) if code_id is not None else None
        if code is None:
            continue
        out.append(f" F{i}", style="bold")
        out.append(" ● ", style=code.colour)
        out.append(code.name[:22])
        shown = True
    if not shown:
        out.append(" Favourite keys F1-F9 are empty: + puts a code on one", style="dim")
    return out


class FavouritesBar(Static):
    """One line: each favourite key with its code."""

    DEFAULT_CSS = "FavouritesBar { height: 1; background: $boost; }"


class FavouriteActions:
    """Mixed into the workbench app: apply and assign favourites."""

    favourites: list[int | None]
    _favourite_pending: bool = False

    def _show_favourites(self) -> None:
        """Draw the bar (the app's watcher of ``favourites`` calls this)."""
        self.query_one(FavouritesBar).update(bar_text(self.favourites, self.code_by_id))  # type: ignore[attr-defined]

    def _load_favourites(self) -> None:
        self.favourites = load_favourites(self.project, self.coder_id)  # type: ignore[attr-defined]

    def action_favourite_prefix(self) -> None:
        self._favourite_pending = True
        self.notify("Favourite: press 1-9", timeout=1.5)  # type: ignore[attr-defined]

    def take_favourite_chord(self, n: int) -> bool:
        """True (and the favourite applied) when ``f`` came just before the digit ``n``."""
        if not self._favourite_pending:
            return False
        self._favourite_pending = False
        self.action_apply_favourite(n)
        return True

    def action_apply_favourite(self, n: int) -> None:
        self._favourite_pending = False
        code_id = self.favourites[n - 1] if 1 <= n <= SLOTS else None
        if code_id is None:
            self.notify(f"F{n} has no code yet: + puts one on it.", severity="warning")  # type: ignore[attr-defined]
            return
        self.apply_code(code_id)  # type: ignore[attr-defined]

    def action_assign_favourite(self) -> None:
        from beacon_qual.tui.screens import ChoiceScreen

        def slot_chosen(code_id: int, slot: object) -> None:
            if not isinstance(slot, int):
                return
            self.favourites = set_favourite(self.project, self.coder_id, slot, code_id)  # type: ignore[attr-defined]
            self.notify(f"F{slot}: {self.code_by_id[code_id].name}")  # type: ignore[attr-defined]

        def code_chosen(result: object) -> None:
            if not isinstance(result, int):
                return
            choices: list[tuple[object, Text | str]] = []
            for i, current in enumerate(self.favourites, start=1):
                code = self.code_by_id.get(current) if current is not None else None  # type: ignore[attr-defined]
                choices.append((i, f"F{i}  {code.name if code else '(empty)'}"))
            name = self.code_by_id[result].name  # type: ignore[attr-defined]
            self.push_screen(  # type: ignore[attr-defined]
                ChoiceScreen(f"Which key for {name}?", choices), lambda slot: slot_chosen(result, slot)
            )

        self.push_screen(  # type: ignore[attr-defined]
            self.code_picker(title="Code for a favourite key", recent=self.recent, allow_new=False),  # type: ignore[attr-defined]
            code_chosen,
        )
