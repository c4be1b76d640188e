"""Selecting part of a sentence from the keyboard: the selection mode of the transcript pane.

``v`` drops an anchor: the selection shrinks to the first word of what was selected, and the mode shows in
the status line. Then both ends move by word or by character, each motion repeatable with a count typed
first (``4}`` moves the start four words later, ``6w`` the end six words later):

=========  ==============================  =========  ==============================
``w``      end one word later               ``}``      start one word later
``W``      end one word earlier             ``{``      start one word earlier
``l``      end one character later          ``L``      start one character later
``h``      end one character earlier        ``H``      start one character earlier
=========  ==============================  =========  ==============================

Any other key leaves the mode with the selection kept and does its usual work (``c`` opens the picker,
``1``-``9`` outside the mode apply a recent code); Enter opens the picker, Esc or ``v`` just leaves.
The same motions work outside the mode, without counts.
"""

from __future__ import annotations

import re

from textual import events

WORD = re.compile(r"\S+")

# key -> (method name, step): the motions the mode repeats by a count
MOTIONS = {
    "w": ("extend_word", 1),
    "W": ("extend_word", -1),
    "l": ("extend_char", 1),
    "h": ("extend_char", -1),
    "right_curly_bracket": ("move_start", 1),
    "left_curly_bracket": ("move_start", -1),
    "L": ("move_start_char", 1),
    "H": ("move_start_char", -1),
}
MAX_COUNT = 99


def word_at(text: str, pos: int) -> tuple[int, int] | None:
    """The whole word at ``pos``, or the next word when ``pos`` is on a space."""
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    if pos >= n:
        return None
    start, end = pos, pos
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < n and not text[end].isspace():
        end += 1
    return start, end


def next_word_start(text: str, pos: int) -> int | None:
    """Where the word after the one at ``pos`` starts (None at the end of the text)."""
    n = len(text)
    while pos < n and not text[pos].isspace():
        pos += 1
    while pos < n and text[pos].isspace():
        pos += 1
    return pos if pos < n else None


def previous_word_start(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    while pos > 0 and not text[pos - 1].isspace():
        pos -= 1
    return pos


class SelectionMode:
    """Mixed into the transcript pane: the anchor key, counts and the start-moving motions."""

    selecting: bool = False
    _count: str = ""

    # provided by the transcript pane
    doc: object
    selection: tuple[int, int] | None

    def select(self, start: int, end: int, *, keep_coding: bool = False) -> None:  # pragma: no cover
        raise NotImplementedError

    def action_anchor(self) -> None:
        """Enter the selection mode at the first word of the selection (or leave it)."""
        if self.selecting:
            self.leave_mode()
            return
        if self.doc is None or not self.selection:
            return
        word = word_at(self.doc.text, self.selection[0])  # type: ignore[attr-defined]
        if word is None:
            return
        self.selecting, self._count = True, ""
        self.select(*word, keep_coding=True)
        hold_keys = getattr(self.app, "hold_keys", None)  # type: ignore[attr-defined]
        if hold_keys is not None:
            hold_keys()

    def leave_mode(self) -> None:
        if self.selecting:
            self.selecting, self._count = False, ""
            if self.selection:
                self.select(*self.selection, keep_coding=True)  # tells the status line

    def on_key(self, event: events.Key) -> None:
        # The mode's keys are handled here, as they pass the pane. Keys typed right after v passed the pane
        # before v's binding ran (bindings run when a key is back at the app), so the anchor has the app
        # hold them and pass them on again once the mode is on: a digit there is a count, not a recent code.
        if not self.selecting:
            return
        key = event.key
        if event.character and event.character.isdigit() and (self._count or event.character != "0"):
            if int(self._count + event.character) <= MAX_COUNT:
                self._count += event.character
            event.stop()
            event.prevent_default()
            return
        if key in MOTIONS:
            name, step = MOTIONS[key]
            for _ in range(int(self._count or 1)):
                getattr(self, f"action_{name}")(step)
            self._count = ""
            event.stop()
            event.prevent_default()
            return
        if key in ("escape", "v"):
            self.leave_mode()
            event.stop()
            event.prevent_default()
            return
        self.leave_mode()  # the key goes on to its binding (Enter: the picker), in the order it was typed

    def action_move_start_char(self, step: int) -> None:
        if self.doc is None or not self.selection:
            return
        start, end = self.selection
        pos = max(0, start + step)
        if pos >= end:
            end = min(pos + 1, len(self.doc.text))  # type: ignore[attr-defined]
        if pos < end:
            self.select(pos, end, keep_coding=True)
