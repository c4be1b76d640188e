"""The transcript pane: wrapped text, coloured codings, a gutter of coding stripes, and the selection.

Rendered with Textual's line API, so only the visible lines are drawn and a long
transcript opens as fast as a short one. Offsets are code points of the stored
text, the same as the codings'.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import pairwise

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from beacon_qual.coding.codings import Coding
from beacon_qual.text.terminal import visible_controls
from beacon_qual.tui.readmodel import DocumentView
from beacon_qual.tui.selection import SelectionMode, next_word_start, previous_word_start

LANES = 4


def gutter_widths(width: int) -> tuple[int, int]:
    """(whole gutter, code-name column) for a pane ``width`` cells wide: names only where the text keeps room."""
    name = 0 if width < 60 else min(18, 9 + (width - 60) // 8)
    return 1 + LANES + (1 + name if name else 0), name


_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # exclusive; the newline is not part of the line


def wrap(text: str, width: int) -> list[Line]:
    """Greedy word wrap over offsets: each line is text[start:end]."""
    width = max(width, 8)
    lines: list[Line] = []
    pos = 0
    for para in text.split("\n"):
        start, end = pos, pos + len(para)
        while end - start > width:
            cut = text.rfind(" ", start, start + width + 1)
            if cut <= start:
                cut = start + width
                lines.append(Line(start, cut))
                start = cut
            else:
                lines.append(Line(start, cut))
                start = cut + 1
        lines.append(Line(start, end))
        pos = end + 1
    return lines


def _label_colon(text: str, start: int, end: int) -> int:
    """The colon ending a speaker label in text[start:end], skipping the colons of a timestamp such as
    ``[00:00:04] Tom Okafor:`` (a colon between two digits); -1 when there is none."""
    pos = text.find(":", start, end)
    while pos >= 0:
        if not (pos > start and text[pos - 1].isdigit() and pos + 1 < len(text) and text[pos + 1].isdigit()):
            return pos
        pos = text.find(":", pos + 1, end)
    return -1


def _tint(hex_colour: str, background: Color, amount: float = 0.45) -> Color:
    try:
        colour = Color.parse(hex_colour)
    except Exception:  # noqa: BLE001 - a bad colour in a project must not break the screen
        colour = Color.parse("#8fbcbb")
    return background.blend(colour, amount)


class _LineCodings(dict[int, list[int]]):
    """Line number -> indexes of the codings drawn on it; a line without codings gives an empty list."""

    def __missing__(self, line: int) -> list[int]:
        return []


class TranscriptView(SelectionMode, ScrollView, can_focus=True):
    """Shows one document and owns the text selection."""

    BINDINGS = [
        Binding("down,j", "sentence(1)", "Next sentence", show=False),
        Binding("up,k", "sentence(-1)", "Prev sentence", show=False),
        Binding("shift+down,J", "extend_sentence(1)", "Extend by sentence", show=False),
        Binding("shift+up,K", "extend_sentence(-1)", "Shrink by sentence", show=False),
        Binding("right_square_bracket", "turn(1)", "Next turn", show=False),
        Binding("left_square_bracket", "turn(-1)", "Prev turn", show=False),
        Binding("T", "turn(0)", "Select the whole turn", show=False),
        Binding("v", "anchor", "Selection mode: anchor at the first word", show=False),
        Binding("enter", "app.pick", "Code the selection (the picker, as c)", show=False),
        Binding("ctrl+right,w", "extend_word(1)", "Extend by word", show=False),
        Binding("ctrl+left,W", "extend_word(-1)", "Shrink by word", show=False),
        Binding("shift+right,l", "extend_char(1)", "Extend by character", show=False),
        Binding("shift+left,h", "extend_char(-1)", "Shrink by character", show=False),
        Binding("left_curly_bracket", "move_start(-1)", "Start earlier by word", show=False),
        Binding("right_curly_bracket", "move_start(1)", "Start later by word", show=False),
        Binding("H", "move_start_char(-1)", "Start earlier by character", show=False),
        Binding("L", "move_start_char(1)", "Start later by character", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home", "edge(0)", "Top", show=False),
        Binding("end", "edge(1)", "Bottom", show=False),
    ]

    DEFAULT_CSS = """
    TranscriptView { background: $surface; }
    """

    class SelectionChanged(Message):
        def __init__(self, view: TranscriptView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.doc: DocumentView | None = None
        self.codings: list[Coding] = []
        self.colours: dict[int, str] = {}
        self.names: dict[int, str] = {}
        self.selection: tuple[int, int] | None = None
        self.current_coding: int | None = None
        self.hits: list[tuple[int, int]] = []
        self.suggested: list[tuple[int, int, int]] = []  # open suggestions: (start, end, code id)
        self._lines: list[Line] = []
        self._line_starts: list[int] = []
        self._line_codings: _LineCodings = _LineCodings()
        self._lane: dict[int, int] = {}
        self._labels: list[tuple[int, int]] = []
        self._wrap_width = 0
        self._gutter, self._name_width = gutter_widths(0)
        self._drag_anchor: int | None = None

    # -- content -------------------------------------------------------------------
    def clear(self) -> None:
        """Show no document (the open one was deleted)."""
        self.doc = None
        self.selection = None
        self.current_coding = None
        self.hits = []
        self._labels = []
        self._lines = []
        self._line_starts = []
        self._line_codings = _LineCodings()
        self._wrap_width = 0
        self.virtual_size = Size(0, 0)
        self.refresh()

    def show(
        self, doc: DocumentView, codings: list[Coding], colours: dict[int, str], names: dict[int, str]
    ) -> None:
        self.doc = doc
        self.colours, self.names = colours, names
        self.selection = None
        self.current_coding = None
        self.hits = []
        self._labels = self._speaker_labels(doc)
        self._wrap_width = 0
        self.set_codings(codings)
        self.scroll_to(0, 0, animate=False)
        if doc.sentences:
            self.select(*doc.sentences[0])

    def set_codings(self, codings: list[Coding]) -> None:
        """Show these codings. Once the text is laid out, only the rows on screen whose codings (or their
        lanes) changed are drawn again."""
        before = self._visible_codings() if self._lines else None
        self.codings = sorted(codings, key=lambda c: (c.start, -c.end, c.id))
        self._assign_lanes()
        self._relayout(force=True, repaint=before is None)
        if before is None:
            return
        width = self.size.width
        for y, (old, new) in enumerate(zip(before, self._visible_codings(), strict=True)):
            if old != new:
                self.refresh(Region(0, y, width, 1))

    def replace_coding(self, coding: Coding) -> Coding | None:
        """Show ``coding`` in place of the coding with its id when both cover the same passage (a recode: the
        order, lanes and lines stay), drawing again only the rows on screen that show it. Returns the coding
        it replaced, or None (nothing changed) when there is no such coding."""
        key = (coding.start, -coding.end, coding.id)
        i = bisect_left(self.codings, key, key=lambda c: (c.start, -c.end, c.id))
        if i == len(self.codings) or self.codings[i].id != coding.id:
            return None
        old = self.codings[i]
        if (old.start, old.end) != (coding.start, coding.end):
            return None
        self.codings[i] = coding
        if old != coding and self._lines:
            top, width = self.scroll_offset.y, self.size.width
            first = max(self.line_of(coding.start), top)
            last = min(self.line_of(max(coding.end - 1, coding.start)), top + self.size.height - 1)
            if first <= last:
                self.refresh(Region(0, first - top, width, last - first + 1))
        return old

    def _visible_codings(self) -> list[tuple]:
        """For each row on screen, what of the codings it draws: each coding and its lane."""
        top = self.scroll_offset.y
        rows = []
        for index in range(top, top + self.size.height):
            on_line = self._line_codings[index] if index < len(self._lines) else ()
            rows.append(tuple((self.codings[i], self._lane.get(self.codings[i].id)) for i in on_line))
        return rows

    def _assign_lanes(self) -> None:
        lane_end: list[int] = []
        self._lane = {}
        for c in self.codings:
            for i, end in enumerate(lane_end):
                if end <= c.start:
                    lane_end[i] = c.end
                    self._lane[c.id] = i
                    break
            else:
                lane_end.append(c.end)
                self._lane[c.id] = len(lane_end) - 1

    @staticmethod
    def _speaker_labels(doc: DocumentView) -> list[tuple[int, int]]:
        labels = []
        for t in doc.turns:
            if not t.speaker:
                continue
            nl = doc.text.find("\n", t.start, t.end)
            first_end = t.end if nl < 0 else nl
            colon = _label_colon(doc.text, t.start, min(first_end, t.start + 80))
            if colon >= 0:
                labels.append((t.start, colon + 1))
            elif nl >= 0 and doc.text[t.start : first_end].strip().startswith(t.speaker.split()[0]):
                labels.append((t.start, first_end))
        return labels

    @property
    def text_width(self) -> int:
        return max(self.scrollable_content_region.width - self._gutter - 1, 10)

    def _relayout(self, force: bool = False, repaint: bool = True) -> None:
        if self.doc is None:
            self.virtual_size = Size(0, 0)
            return
        if self.scrollable_content_region.width <= gutter_widths(0)[0]:
            return  # not laid out yet: on_resize wraps the text once the width is known
        self._gutter, self._name_width = gutter_widths(self.scrollable_content_region.width)
        width = self.text_width
        rewrap = width != self._wrap_width or not self._lines
        if force or width != self._wrap_width:
            if rewrap:
                self._lines = wrap(self.doc.text, width)
                self._line_starts = [ln.start for ln in self._lines]
            self._wrap_width = width
            self._index_codings()
            self.virtual_size = Size(width + self._gutter + 1, len(self._lines))
        if repaint or rewrap:
            self.refresh()

    def _index_codings(self) -> None:
        """Which codings each line shows (indexes into ``codings``); lines without any are left out."""
        per_line: _LineCodings = _LineCodings()
        starts, get = self._line_starts, per_line.get
        for i, c in enumerate(self.codings):  # line_of, inlined: this runs after every change
            first = max(bisect_right(starts, c.start) - 1, 0)
            last = max(bisect_right(starts, max(c.end - 1, c.start)) - 1, 0)
            for y in range(first, last + 1):
                on_line = get(y)
                if on_line is None:
                    per_line[y] = [i]
                else:
                    on_line.append(i)
        self._line_codings = per_line

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def line_of(self, offset: int) -> int:
        return max(bisect_right(self._line_starts, offset) - 1, 0)

    # -- drawing ---------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if self.doc is None or index >= len(self._lines):
            return Strip.blank(width, base)
        line = self._lines[index]
        segments = self._text_segments(index, line, base)
        used = line.end - line.start
        segments.append(Segment(" " * (self._wrap_width - used + 1), base))
        segments.extend(self._gutter_segments(index, line, base))
        return Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, base)

    def _text_segments(self, index: int, line: Line, base: Style) -> list[Segment]:
        text = self.doc.text  # type: ignore[union-attr]
        background = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(30, 30, 30)
        cuts = {line.start, line.end}
        covering = [self.codings[i] for i in self._line_codings[index]]
        for c in covering:
            cuts.update(p for p in (c.start, c.end) if line.start < p < line.end)
        suggested = [(a, b, k) for a, b, k in self.suggested if a < line.end and b > line.start]
        labels, hits = list(self._labels_on(line)), self._hits_on(line)
        marks = labels + hits + [(a, b) for a, b, _ in suggested]
        for s, e in marks:
            cuts.update(p for p in (s, e) if line.start < p < line.end)
        if self.selection:
            cuts.update(p for p in self.selection if line.start < p < line.end)
        points = sorted(cuts)
        out: list[Segment] = []
        for a, b in pairwise(points):
            style = base
            inside = [c for c in covering if c.start <= a < c.end]
            if inside:
                inner = min(inside, key=lambda c: c.end - c.start)
                style += Style(
                    bgcolor=_tint(self.colours.get(inner.code_id, "#8fbcbb"), background).rich_color
                )
                if any(c.id == self.current_coding for c in inside):
                    style += Style(underline=True)
            hint = next((k for s, e, k in suggested if s <= a < e), None)
            if hint is not None:  # a suggestion: underlined in its code's colour, never filled like a coding
                style += Style(underline=True, italic=True, color=self.colours.get(hint, "#8fbcbb"))
            if any(s <= a < e for s, e in labels):  # (only those on the line can hold a point of it)
                style += Style(bold=True, color="#ebcb8b")
            if any(s <= a < e for s, e in hits):
                style += Style(bgcolor="#b48ead", color="#000000")
            if self.selection and self.selection[0] <= a < self.selection[1]:
                style += Style(reverse=True)
            out.append(Segment(visible_controls(text[a:b]), style))  # one symbol per control: columns hold
        return out

    def _labels_on(self, line: Line):
        for s, e in self._labels:
            if s < line.end and e > line.start:
                yield s, e

    def _hits_on(self, line: Line) -> list[tuple[int, int]]:
        return [(s, e) for s, e in self.hits if s < line.end and e > line.start]

    def _gutter_segments(self, index: int, line: Line, base: Style) -> list[Segment]:
        lanes = [" "] * LANES
        lane_styles = [base] * LANES
        label = ""
        label_style = base
        starting = []
        for i in self._line_codings[index]:
            c = self.codings[i]
            lane = self._lane.get(c.id, 0)
            colour = self.colours.get(c.code_id, "#8fbcbb")
            if lane < LANES:
                starts_here = line.start <= c.start < max(line.end, line.start + 1)
                lanes[lane] = ("◆" if c.memo else "┏") if starts_here else "┃"
                lane_styles[lane] = base + Style(color=colour, bold=c.id == self.current_coding)
            else:
                lanes[-1], lane_styles[-1] = "+", base + Style(color="#d8dee9")
            if line.start <= c.start < max(line.end, line.start + 1):
                starting.append(c)
        if starting:
            first = starting[0]
            label = self.names.get(first.code_id, "?")
            if len(starting) > 1:
                label = f"{label[: self._name_width - 3]}+{len(starting) - 1}"
            label_style = base + Style(color=self.colours.get(first.code_id, "#8fbcbb"))
        segs = [Segment("│", base + Style(color="#4c566a"))]
        segs += [Segment(ch, st) for ch, st in zip(lanes, lane_styles)]
        if self._name_width:
            segs.append(Segment(" ", base))
            segs.append(Segment(label[: self._name_width].ljust(self._name_width), label_style))
        return segs

    # -- selection -------------------------------------------------------------------
    def select(self, start: int, end: int, *, keep_coding: bool = False) -> None:
        if self.doc is None:
            return
        n = len(self.doc.text)
        start, end = max(0, min(start, n)), max(0, min(end, n))
        if end <= start:
            end = min(start + 1, n)
        self.selection = (start, end)
        if not keep_coding:
            self.current_coding = None
        self._scroll_into_view(start, end)
        self.refresh()
        self.post_message(self.SelectionChanged(self))

    def clear_half(self) -> str:
        """Where a dialog can open without covering the selection: 'top' or 'bottom' of the screen.

        Scrolls the selection to the top of the pane when neither half would leave it in view."""
        if not self.selection or not self._lines:
            return "bottom"
        start, end = self.selection
        top, bottom = self.line_of(start), self.line_of(max(end - 1, start))
        screen_height = self.screen.size.height
        half = screen_height // 2
        y0 = self.region.y - int(self.scroll_offset.y)
        first, last = y0 + top, y0 + bottom
        if last < half:
            return "bottom"
        if first >= screen_height - half and last < self.region.bottom:
            return "top"
        self.scroll_to(y=top, animate=False, immediate=True)
        return "bottom"

    def _scroll_into_view(self, start: int, end: int) -> None:
        if not self._lines:
            return
        top, bottom = self.line_of(start), self.line_of(max(end - 1, start))
        height = max(self.scrollable_content_region.height, 1)
        y = self.scroll_offset.y
        if top < y or bottom >= y + height:
            target = top if bottom - top >= height else max(0, top - height // 3)
            self.scroll_to(y=target, animate=False)

    def _sentence_index(self) -> int | None:
        if self.doc is None or not self.doc.sentences:
            return None
        anchor = self.selection[0] if self.selection else 0
        return self.doc.sentence_index_at(anchor)

    def action_sentence(self, step: int) -> None:
        i = self._sentence_index()
        if i is None or self.doc is None:
            return
        sents = self.doc.sentences
        if self.selection and step > 0:
            # move to the first sentence starting at or after the selection's end
            j = bisect_right([s for s, _ in sents], self.selection[1] - 1)
            i = min(j, len(sents) - 1) if self.selection[1] > sents[i][1] else min(i + 1, len(sents) - 1)
        else:
            i = max(0, min(i + step, len(sents) - 1))
        self.select(*sents[i])

    def action_extend_sentence(self, step: int) -> None:
        if self.doc is None or not self.selection or not self.doc.sentences:
            return
        start, end = self.selection
        sents = self.doc.sentences
        last = self.doc.sentence_index_at(max(end - 1, start))
        if step > 0 and last + 1 < len(sents):
            self.select(start, sents[last + 1][1], keep_coding=True)
        elif step < 0:
            first = self.doc.sentence_index_at(start)
            if last > first:
                self.select(start, sents[last - 1][1], keep_coding=True)

    def action_turn(self, step: int) -> None:
        if self.doc is None or not self.doc.turns:
            return
        anchor = self.selection[0] if self.selection else 0
        i = self.doc.turn_at(anchor)
        if i is None:
            i = 0 if step > 0 else len(self.doc.turns) - 1
        else:
            i = max(0, min(i + step, len(self.doc.turns) - 1))
        t = self.doc.turns[i]
        start = next((e for s, e in self._labels if s == t.start), t.start)
        text = self.doc.text
        while start < t.end and text[start].isspace():
            start += 1
        end = t.end
        while end > start and text[end - 1].isspace():
            end -= 1
        self.select(start, max(end, start + 1))

    def action_extend_word(self, step: int) -> None:
        if self.doc is None or not self.selection:
            return
        start, end = self.selection
        text = self.doc.text
        if step > 0:
            m = _WORD.search(text, end)
            if m:
                self.select(start, m.end(), keep_coding=True)
        else:
            pos = end
            while pos > start + 1 and text[pos - 1].isspace():
                pos -= 1
            while pos > start + 1 and not text[pos - 1].isspace():
                pos -= 1
            while pos > start + 1 and text[pos - 1].isspace():
                pos -= 1
            self.select(start, pos, keep_coding=True)

    def action_extend_char(self, step: int) -> None:
        if self.doc is None or not self.selection:
            return
        start, end = self.selection
        self.select(start, max(start + 1, min(end + step, len(self.doc.text))), keep_coding=True)

    def action_move_start(self, step: int) -> None:
        if self.doc is None or not self.selection:
            return
        start, end = self.selection
        text = self.doc.text
        if step > 0:
            pos = next_word_start(text, start)  # past the rest of this word and the spaces after it
            if pos is None:
                return
            if pos >= end:  # the start passes the end: the selection becomes that word
                m = _WORD.match(text, pos)
                end = m.end() if m else pos + 1
            self.select(pos, end, keep_coding=True)
        else:
            self.select(previous_word_start(text, start), end, keep_coding=True)

    def action_page(self, step: int) -> None:
        height = max(self.scrollable_content_region.height - 1, 1)
        self.scroll_to(y=self.scroll_offset.y + step * height, animate=False)
        if self.doc and self.doc.sentences and self._lines:
            top = self._lines[min(int(self.scroll_offset.y), len(self._lines) - 1)].start
            i = self.doc.sentence_index_at(top)
            self.select(*self.doc.sentences[i])

    def action_edge(self, bottom: int) -> None:
        if self.doc and self.doc.sentences:
            self.select(*self.doc.sentences[-1 if bottom else 0])

    # -- mouse -------------------------------------------------------------------------
    def offset_at(self, x: int, y: int) -> int | None:
        """The text offset under content coordinates (x, y), or None outside the text."""
        if self.doc is None or not self._lines:
            return None
        index = int(self.scroll_offset.y) + y
        if not 0 <= index < len(self._lines):
            return None
        line = self._lines[index]
        col = int(self.scroll_offset.x) + x
        if col > self._wrap_width:
            return None
        return min(line.start + max(col, 0), line.end)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        pos = self.offset_at(offset.x, offset.y)
        if pos is not None:
            self._drag_anchor = pos
            self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_anchor is None or not event.button:
            return
        offset = event.get_content_offset_capture(self)
        pos = self.offset_at(offset.x, offset.y)
        if pos is not None and pos != self._drag_anchor:
            a, b = sorted((self._drag_anchor, pos))
            self.select(a, b + 1)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_anchor is None:
            return
        self.release_mouse()
        offset = event.get_content_offset_capture(self)
        pos = self.offset_at(offset.x, offset.y)
        anchor, self._drag_anchor = self._drag_anchor, None
        if pos is None or self.doc is None:
            return
        if pos == anchor and self.doc.sentences:
            i = self.doc.sentence_index_at(pos)
            self.select(*self.doc.sentences[i])
        else:
            a, b = sorted((anchor, pos))
            self.select(a, b + 1)

    # -- codings under the selection -------------------------------------------------------
    def codings_at_selection(self) -> list[Coding]:
        if not self.selection:
            return []
        s, e = self.selection
        found = [c for c in self.codings if c.start < e and c.end > s]
        if self.current_coding is not None:
            found.sort(key=lambda c: c.id != self.current_coding)
        return found

    def step_coding(self, step: int) -> Coding | None:
        """Select the next (or previous) coding and make it the current one."""
        ordered = self.codings
        ids = [c.id for c in ordered]
        if self.current_coding in ids:
            i = ids.index(self.current_coding) + step
        else:
            pos = self.selection[0] if self.selection else 0
            i = bisect_left([c.start for c in ordered], pos) - (1 if step < 0 else 0)
        if not 0 <= i < len(ordered):
            return None
        target = ordered[i]
        self.select(target.start, target.end)
        self.current_coding = target.id
        self.refresh()
        return target

    def find(self, query: str) -> list[tuple[int, int]]:
        if self.doc is None or not query:
            self.hits = []
        else:
            pattern = re.compile(re.escape(query), re.IGNORECASE)
            self.hits = [(m.start(), m.end()) for m in pattern.finditer(self.doc.text)]
        self.refresh()
        return self.hits

    def next_hit(self) -> tuple[int, int] | None:
        if not self.hits:
            return None
        pos = self.selection[0] if self.selection else -1
        after = [h for h in self.hits if h[0] > pos]
        hit = after[0] if after else self.hits[0]
        self.select(*hit)
        return hit
