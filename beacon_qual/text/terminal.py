"""Text on its way to a terminal: control characters shown, never obeyed.

A file name, a code name, a memo or a transcript can hold terminal control characters (ESC starting a
colour, a cursor move or an OSC title or hyperlink sequence; BEL; the 8-bit C1 controls U+0080-U+009F;
carriage returns that overwrite a line). Printed raw, they would act on the reader's terminal.

:func:`escape_controls` writes each of them as ``\\u001b`` (tab and newline stay): the same notation JSON
uses, so a JSON document printed through it stays valid JSON with the same value. Every command's
standard output and standard error go through :class:`EscapingStream`, installed by the CLI's group
(``cli/base.py``) for the whole run, so each command's echo is covered, its error lines (which repeat
what the user typed or a file held) included. Output written to files with ``-o`` is not changed.

The CLI's own highlighting (search hits on a terminal) is written as :data:`HIGHLIGHT` marks, private-use
characters that the stream turns into colour only when it writes to a terminal. The workbench draws
control characters as visible symbols of one character each (:func:`visible_controls`), so offsets and
columns stay in step.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

# C0 controls except tab and newline, DEL, and the C1 controls.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HIGHLIGHT = ("\ue000", "\ue001")  # start and end of a highlighted stretch, for EscapingStream to colour
_COLOURS = {"\ue000": "\x1b[1;33m", "\ue001": "\x1b[0m"}
_HIGHLIGHT_RE = re.compile("[\ue000\ue001]")


def escape_controls(text: str) -> str:
    """``text`` with each control character but tab and newline written as ``\\uXXXX``."""
    if CONTROLS.search(text) is None:
        return text
    return CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def visible_controls(text: str) -> str:
    """``text`` with each control character but tab and newline drawn as one visible character (same length).

    C0 controls become their Unicode control pictures (ESC is ␛), DEL is ␡, a C1 control is �."""
    if CONTROLS.search(text) is None:
        return text

    def picture(match: re.Match[str]) -> str:
        code = ord(match.group())
        if code < 0x20:
            return chr(0x2400 + code)
        return "\u2421" if code == 0x7F else "\ufffd"

    return CONTROLS.sub(picture, text)


class EscapingStream:
    """A text stream that writes control characters escaped, and HIGHLIGHT marks as colour on a terminal."""

    def __init__(self, stream: IO[str]):
        self._stream = stream
        try:
            self._tty = stream.isatty()
        except (AttributeError, ValueError):
            self._tty = False

    @property
    def wrapped(self) -> IO[str]:
        return self._stream

    def write(self, text: str) -> int:
        out = escape_controls(text)
        if "\ue000" in out or "\ue001" in out:
            out = _HIGHLIGHT_RE.sub(lambda m: _COLOURS[m.group()] if self._tty else "", out)
        self._stream.write(out)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def isatty(self) -> bool:
        return self._tty

    def __getattr__(self, name: str) -> Any:  # flush, fileno, encoding, errors, buffer, ...
        return getattr(self._stream, name)


def unwrapped(stream: Any) -> Any:
    """The stream beneath an EscapingStream (for output that draws on the terminal itself: a progress bar)."""
    return stream.wrapped if isinstance(stream, EscapingStream) else stream


@contextmanager
def escaping_output() -> Iterator[None]:
    """Standard output and standard error escape control characters until the block ends."""
    saved = sys.stdout, sys.stderr
    sys.stdout = EscapingStream(sys.stdout)  # type: ignore[assignment]
    sys.stderr = EscapingStream(sys.stderr)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


_GUARDED = False


def guard_strips() -> None:
    """Make the workbench drop any control character left in the text it draws (a safety net).

    Textual turns each line of the screen into terminal output in ``Strip.render``; a segment's text that
    still holds a control character there (one that no widget drew as a symbol) would reach the terminal
    raw. It is dropped instead: the layout already counted it as taking no cell. Styles, and Textual's
    own cursor and colour sequences, are not segment text and pass unchanged."""
    global _GUARDED
    if _GUARDED:
        return
    from rich.segment import Segment
    from textual.strip import Strip

    original = Strip.render

    def render(self: Strip, console: Any) -> str:
        if self._render_cache is None and any(CONTROLS.search(text) for text, _, _ in self._segments):
            clean = Strip(
                [Segment(CONTROLS.sub("", text), style, control) for text, style, control in self._segments],
                self.cell_length,
            )
            self._render_cache = original(clean, console)
        return original(self, console)

    Strip.render = render  # type: ignore[method-assign]
    _GUARDED = True
