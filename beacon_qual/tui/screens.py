"""Modal screens of the workbench: the code picker, choices, memos, confirmations, prompts and help."""

from __future__ import annotations

import inspect

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.style import Style
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import DuplicateID, Option

from beacon_qual.text.terminal import visible_controls
from beacon_qual.tui.readmodel import CodeInfo, CodePicker

NEW_CODE = "__new__"
TOP_LEVEL = "__top__"


def code_details(code: CodeInfo | None) -> Text:
    """The definition, rules and example of a code, as coders read them when deciding."""
    if code is None:
        return Text("")
    out = Text()
    out.append(visible_controls(code.path) + "\n", style=f"bold {code.colour}")
    for label, value in (
        ("Definition", code.description),
        ("Include", code.inclusion),
        ("Exclude", code.exclusion),
        ("Example", code.example),
    ):
        if value:
            out.append(f"{label}: ", style="bold")
            out.append(visible_controls(value.strip()) + "\n")
    if code.keywords:
        out.append("Keywords: ", style="bold")
        out.append(visible_controls(", ".join(code.keywords)) + "\n", style="dim")
    return out


class PickerList(OptionList):
    """The picker's list: the lines drawn for an option are kept while the options are replaced.

    OptionList forgets every drawn line when its options are set again, as the picker does on each key, and
    drawing an option's text is most of a keystroke's redraw. The picker reuses its options as a query is
    typed, so their lines are kept here (by option, style and width) and only given the option's new
    position, which a mouse click reads."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._drawn: dict[tuple[object, ...], list[Strip]] = {}

    def _get_option_render(self, option: Option, style: Style) -> list[Strip]:
        key = (option, style, self.scrollable_content_region.width)
        strips = self._drawn.get(key)
        if strips is None:
            strips = super()._get_option_render(option, style)
            if len(self._drawn) > 4096:
                self._drawn.clear()
            self._drawn[key] = strips
            return strips
        index = self._option_to_index.get(option)
        return [strip.apply_meta({"option": index}) for strip in strips]

    def show(self, options: list[Option]) -> None:
        """Show these options instead, the first highlighted and at the top, as ``set_options`` followed by
        ``highlighted = 0`` would, but drawing again only the rows on screen whose option, or its highlight,
        changed: as a query is typed the best matches often keep their places. Posts no OptionHighlighted
        (the picker shows the first option's details itself)."""
        if not self.is_mounted or not self.scrollable_content_region:
            self.set_options(options)
            if options:
                self.highlighted = 0
            return
        before = self._rows()
        self._options.clear()
        self._line_cache.clear()
        self._option_render_cache.clear()
        self._id_to_option.clear()
        self._option_to_index.clear()
        for option in options:
            self._option_to_index[option] = len(self._options)
            if option._id is not None:
                if option._id in self._id_to_option:
                    raise DuplicateID(f"Unable to add {option!r} due to duplicate ID")
                self._id_to_option[option._id] = option
            self._options.append(option)
        self.set_reactive(OptionList.highlighted, 0 if options else None)
        self.scroll_y = 0
        self._update_lines()
        width = self.scrollable_content_region.width
        for y, (old, new) in enumerate(zip(before, self._rows(), strict=True)):
            if old != new:
                self.refresh(Region(0, y, width, 1))

    def _rows(self) -> list[tuple[object, ...] | None]:
        """What each row on screen draws: the option, its index, which of its lines, and how it is styled."""
        lines, options = self._lines, self._options
        top = self.scroll_offset.y
        rows: list[tuple[object, ...] | None] = []
        for line_number in range(top, top + self.scrollable_content_region.height):
            if line_number >= len(lines):
                rows.append(None)
                continue
            index, line_offset = lines[line_number]
            option = options[index]
            rows.append(
                (
                    option,
                    index,
                    line_offset,
                    option.disabled,
                    self.highlighted == index,
                    self._mouse_hovering_over == index,
                )
            )
        return rows

    def _clear_caches(self) -> None:
        self._drawn.clear()
        super()._clear_caches()

    def notify_style_update(self) -> None:
        self._drawn.clear()
        super().notify_style_update()


class PickerInput(Input):
    """The picker's input. Input sets its virtual size to the width of its text on every key, and a virtual
    size that changes asks for a layout of the whole dialog; the input's size is fixed (its text scrolls
    within it), so here the new width only redraws the input."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class PickerScreen(ModalScreen[object]):
    """Fuzzy code picker. Returns a code id, (NEW_CODE, name), TOP_LEVEL, or None when cancelled.

    With ``accept_unique`` (the pickers that apply or change a coding), the typed text applies a code without
    Enter when it begins the name of that code and of no other (``to`` is Toolkits and publications when no
    other name starts with "to"); the app then drops the letters typed on after it and one Enter, so typing
    the whole name is harmless. A leading ``+`` types the name of a new code instead: nothing is applied until
    Enter or Ctrl+N. Every other picker (favourites, upkeep, views) waits for Enter, since a dialog often
    follows it.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("ctrl+n", "new_code", "New code"),
    ]

    # rows: on a shorter screen a picker in half of it leaves the definition out, so the list has room
    SHORT = 30

    def __init__(
        self,
        picker: CodePicker,
        *,
        title: str,
        recent: list[int] | None = None,
        suggestion: str = "",
        allow_new: bool = True,
        parent_mode: bool = False,
        codes: list[CodeInfo] | None = None,
        place: str | None = None,
        accept_unique: bool = False,
    ) -> None:
        super().__init__()
        self.parent_mode = parent_mode
        self.all_codes = codes or []
        self.shown: list[CodeInfo] = []
        # each code's line in the list while a query is typed: the list keeps what it measured of an option
        self._options: dict[int, Option] = {}
        self._take(picker, title, recent, suggestion, allow_new, place, accept_unique)

    def _take(
        self,
        picker: CodePicker,
        title: str,
        recent: list[int] | None,
        suggestion: str,
        allow_new: bool,
        place: str | None,
        accept_unique: bool,
    ) -> None:
        """What the picker is opened for: the codes, title, recent codes, new-code suggestion, where it stands."""
        self.picker = picker
        self.title_text = title
        self.recent = recent or []
        self.suggestion = suggestion
        self.allow_new = allow_new
        self.accept_unique = accept_unique
        self.set_classes(f"half {place}" if place else "")
        self._detailed: CodeInfo | None = None  # the code whose definition is shown below the list
        self.accepted: CodeInfo | None = None  # the code applied by a unique beginning of its name

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(self.title_text, id="picker-title")
            yield PickerInput(
                placeholder="type to search codes: name, path, keyword, definition (+ first: a new code)",
                id="picker-input",
            )
            yield PickerList(id="picker-list")
            yield Static(id="picker-details")

    def on_mount(self) -> None:
        self._fit(self.app.size.height)
        self._refill("")
        self.query_one(Input).focus()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        self.set_class(height < self.SHORT, "short")

    def reopen(
        self,
        picker: CodePicker,
        *,
        title: str,
        recent: list[int] | None = None,
        suggestion: str = "",
        allow_new: bool = True,
        place: str | None = None,
        accept_unique: bool = False,
    ) -> None:
        """Make a kept picker, closed before, ready to be pushed again: empty input, the recent codes first.

        Closing a picker that is kept rather than removed spares the screen beneath a layout pass, and
        opening it again spares building its widgets."""
        if picker is not self.picker:  # the codebook changed: the lines kept for its codes are stale
            self._options.clear()
        self._take(picker, title, recent, suggestion, allow_new, place, accept_unique)
        self._fit(self.app.size.height)
        self.query_one("#picker-title", Label).update(title)
        field = self.query_one(Input)
        with field.prevent(Input.Changed):
            field.value = ""
        self._refill("")
        field.focus()

    def _rank(self, query: str) -> list[CodeInfo]:
        if self.parent_mode:
            q = query.lower()
            return [c for c in self.all_codes if q in c.path.lower()][:200]
        return self.picker.rank(query, recent=self.recent, limit=40)

    def _refill(self, query: str) -> None:
        self.shown = self._rank(query)
        options: list[Option] = []
        if self.parent_mode and not query:
            options.append(Option(Text("(top level: no parent)", style="italic"), id=TOP_LEVEL))
        for code in self.shown:
            if query and code.id in self._options:
                options.append(self._options[code.id])
                continue
            label = Text()
            key = ""
            if not query and code.id in self.recent[:9]:
                key = f"{self.recent.index(code.id) + 1} "
            label.append(key, style="bold")
            label.append("● ", style=code.colour)
            label.append(visible_controls(code.name), style="bold")
            if code.path != code.name:
                label.append(visible_controls(f"  {code.path.rsplit('/', 1)[0]}"), style="dim")
            option = Option(label, id=str(code.id))
            if query:
                self._options[code.id] = option
            options.append(option)
        name = (query.removeprefix("+") or self.suggestion).strip()
        if self.allow_new and name:
            new = Option(Text(f"+ new code “{name[:50]}”…", style="italic green"), id=NEW_CODE)
            # a leading + names a new code: Enter makes it rather than applying the best match
            options.insert(0 if query.startswith("+") else len(options), new)
        # in one step: clearing first emptied the list (its scroll bar gone, a layout pass) and measured the
        # options twice
        self.query_one(PickerList).show(options)
        self._show_details()

    def dismiss(self, result: object = None) -> AwaitComplete:
        """Close, then hand the result to the code that opened the picker at once, before the screen beneath
        is drawn again: it is drawn once, with the change, instead of first without the dialog and then again
        with the change."""
        callbacks = getattr(self, "_result_callbacks", None)
        entry = callbacks[-1] if callbacks else None
        handler = getattr(entry, "callback", None)
        if (
            handler is None
            or getattr(entry, "future", None) is not None
            or inspect.iscoroutinefunction(handler)
            or self.app.screen is not self
        ):
            return super().dismiss(result)
        entry.callback = None  # type: ignore[union-attr]  # called here, not again from the app's queue
        closed = self.app.pop_screen()
        handler(result)
        return closed

    def _highlighted_code(self) -> CodeInfo | None:
        olist = self.query_one(OptionList)
        option = olist.highlighted_option
        if option is None or option.id in (NEW_CODE, TOP_LEVEL):
            return None
        return next((c for c in self.shown if str(c.id) == option.id), None)

    def _show_details(self) -> None:
        code = self._highlighted_code()
        if code is not None and code is self._detailed:
            return  # the same code still leads the list: its definition is on screen
        self._detailed = code
        self.query_one("#picker-details", Static).update(code_details(code))

    @on(Input.Changed, "#picker-input")
    def _changed(self, event: Input.Changed) -> None:
        value = event.value
        if self.accepted is not None:  # typed on after the picker applied a code: the app drops the rest
            self._typing_on(value)
            return
        if not self.parent_mode and len(value) == 1 and value in "123456789":
            n = int(value)  # a digit as the first key applies that recent code, as numbered in the list
            if n <= len(self.recent) and any(c.id == self.recent[n - 1] for c in self.picker.codes):
                self.dismiss(self.recent[n - 1])
                return
        if self.accept_unique and not self.parent_mode and not value.startswith("+"):
            code = self.picker.unique_prefix(value)
            if code is not None:
                self.accepted = code
                self._typing_on(value)
                self.dismiss(code.id)
                return
        self._refill(value)

    def _typing_on(self, value: str) -> None:
        """Tell the app what the coder may still type of the accepted name (dropped, not acted on)."""
        name = self.accepted.name if self.accepted else ""
        rest = name[len(value) :] if name.lower().startswith(value.lower()) else None
        typing_on = getattr(self.app, "drop_typing_on", None)
        if typing_on is not None:
            typing_on(rest)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._show_details()

    @on(Input.Submitted, "#picker-input")
    def _submit(self) -> None:
        self._choose(self.query_one(OptionList).highlighted_option)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option)

    def _choose(self, option: Option | None) -> None:
        if option is None or self.accepted is not None:
            return
        if option.id == NEW_CODE:
            self.action_new_code()
        elif option.id == TOP_LEVEL:
            self.dismiss(TOP_LEVEL)
        elif option.id is not None:
            self.dismiss(int(option.id))

    def action_move(self, step: int) -> None:
        olist = self.query_one(OptionList)
        if olist.option_count:
            current = olist.highlighted or 0
            olist.highlighted = max(0, min(current + step, olist.option_count - 1))

    def action_new_code(self) -> None:
        if not self.allow_new:
            return
        name = (self.query_one(Input).value.removeprefix("+") or self.suggestion).strip()
        if name and self.accepted is None:
            self.dismiss((NEW_CODE, name[:80]))

    def action_cancel(self) -> None:
        if self.accepted is None:
            self.dismiss(None)


class ChoiceScreen(ModalScreen[object]):
    """Choose one of a few labelled values."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[tuple[object, Text | str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="choice"):
            yield Label(self.title_text)
            yield OptionList(*[Option(label, id=str(i)) for i, (_, label) in enumerate(self.choices)])

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(self.choices[int(event.option.id)][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self.question)
            yield Label("[b]y[/b]/Enter: yes    [b]n[/b]/Esc: no")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class MemoScreen(ModalScreen[str | None]):
    """Write a memo. Ctrl+S saves (an empty memo removes it); Esc cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save memo"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.initial = text

    def compose(self) -> ComposeResult:
        with Vertical(id="memo"):
            yield Label(self.title_text)
            yield TextArea(self.initial, id="memo-text")
            yield Label("Ctrl+S save (empty removes)   Esc cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptScreen(ModalScreen[str | None]):
    """One line of input (search text, coder name)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Label(self.title_text)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every key of the workbench, read from the bindings themselves."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        text = Text()
        for title, rows in self.sections:
            text.append(f"{title}\n", style="bold underline")
            for keys, description in rows:
                text.append(f"  {keys:<22}", style="bold #88c0d0")
                text.append(f"{description}\n")
            text.append("\n")
        text.append("Esc, q or ? closes this help.", style="dim")
        with VerticalScroll(id="help"):
            yield Static(text, id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
