"""Keys typed faster than screens open: held for the screen, and typing on after the picker accepted.

A terminal hands over keys typed in a burst (``c e x p Enter``) at once, and Textual passes each key on
before the one before it has done its work: the key that opens the picker is acted on only when it comes
back up from the transcript, and the picker takes its keys only once it is mounted and its input focused.
Without help the letters after ``c`` reach the transcript (``x`` removes a coding, ``p`` moves) and Enter
applies whatever code the picker shows first.

So from the moment a screen is pushed until it is mounted and focused, and every key passed on before the
push has come back, the app holds the keys that arrive, then hands them on in the order they were typed,
one at a time, each once the one before has done its work (it may have closed the picker). The anchor of
the selection mode holds keys the same way, so a digit typed right after ``v`` is a count. The picker applies a code when the typed text begins only that code's name; the rest of that
name typed on after it, and one Enter, are dropped rather than acted on by the transcript.
"""

from __future__ import annotations

import time

from textual import events
from textual.message import Message
from textual.screen import ModalScreen

HOLD_LIMIT = 5.0  # seconds: a screen that never becomes ready must not keep the keyboard


class KeysPassed(Message):
    """Posted to the app once every key passed on before it is handled, or back at the app ahead of it."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


class ScreenReady(Message):
    """The pushed screen is mounted and has asked for its focus (which the app sets before this arrives)."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


class KeySettled(Message):
    """A key handed on is back at the app, its binding run."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


class KeyFlow:
    """Mixed into the workbench app (before ``App``)."""

    _held: list[events.Key] | None = None
    _hold_generation = 0
    _hold_waiting: frozenset[str] = frozenset()
    _key_order = 0
    _typing_on: str | None = None  # what may still be typed of the name the picker accepted
    _hold_since = 0.0
    _watchdog: object | None = None

    def push_screen(self, screen, *args, **kwargs):  # type: ignore[no-untyped-def]
        before = self.focused or self.screen  # type: ignore[attr-defined]
        generation = self._hold_keys({"passed", "ready"})
        result = super().push_screen(screen, *args, **kwargs)  # type: ignore[misc]
        if not before.call_later(self._follow_keys_passed, before, generation):
            self._release(generation, "passed")
        # the new screen's queue runs this once the screen is mounted and resumed (its focus asked for,
        # through the app's queue, which the ready message then follows)
        if isinstance(screen, str) or not screen.call_later(self.post_message, ScreenReady(generation)):
            self._release(generation, "ready")
        return result

    def hold_keys(self) -> None:
        """Hold the keys typed after the one being handled until those already passed on to the focused
        widget are back, then pass them all on again in order: for a key that changes how the next keys
        are read (the selection mode's anchor: a digit after it is a count, not a recent code)."""
        before = self.focused or self.screen  # type: ignore[attr-defined]
        generation = self._hold_keys({"passed"})
        if not before.call_later(self._follow_keys_passed, before, generation):
            self._release(generation, "passed")

    def drop_typing_on(self, rest: str | None) -> None:
        """The picker accepted a code: ``rest`` of its name (and an Enter) typed on is dropped."""
        self._typing_on = rest

    # -- holding -----------------------------------------------------------------------------------
    def _hold_keys(self, waiting: set[str]) -> int:
        if self._held is None:
            self._held = []  # (keys still to be handed on from an earlier hold stay, in front)
        self._hold_generation += 1
        self._hold_waiting = frozenset(waiting)
        self._hold_since = time.monotonic()
        if self._watchdog is None:  # one check for the app's life, not a timer per key
            self._watchdog = self.set_interval(HOLD_LIMIT / 4, self._watch_hold)  # type: ignore[attr-defined]
        return self._hold_generation

    def _watch_hold(self) -> None:
        if self._held is not None and time.monotonic() - self._hold_since > HOLD_LIMIT:
            self._release(self._hold_generation, everything=True)

    def _follow_keys_passed(self, node, generation: int) -> None:  # type: ignore[no-untyped-def]
        """Keys already passed on to ``node`` are handled, or back at the app, before KeysPassed arrives:
        a callback runs from each queue between ``node`` and its screen in turn, behind them."""
        from textual.screen import Screen

        if generation != self._hold_generation:
            return
        parent = node.parent
        if (
            isinstance(node, Screen)
            or parent is None
            or not parent.call_later(self._follow_keys_passed, parent, generation)
        ):
            self.post_message(KeysPassed(generation))  # type: ignore[attr-defined]

    def on_keys_passed(self, message: KeysPassed) -> None:
        self._release(message.generation, "passed")

    def on_screen_ready(self, message: ScreenReady) -> None:
        self._release(message.generation, "ready")

    def _release(self, generation: int, what: str = "", *, everything: bool = False) -> None:
        if generation != self._hold_generation or self._held is None:
            return
        self._hold_waiting = frozenset() if everything else self._hold_waiting - {what}
        if self._hold_waiting:
            return
        held = sorted(self._held, key=lambda e: getattr(e, "_bq_order", 0))
        self._held = None
        if everything:  # a screen that never got ready, or a key that never came back: all at once
            for event in held:
                self._hand_on(event)
            return
        if held:
            # one at a time, each after the one before has done its work (it may close the picker), while
            # keys that come in meanwhile are held behind them
            self._held = held
            self._hold_waiting = frozenset({"replayed"})
            self._hold_since = time.monotonic()
            self._hand_on(self._held.pop(0))

    def _hand_on(self, event: events.Key) -> None:
        again = events.Key(event.key, event.character)
        again._bq_order = getattr(event, "_bq_order", 0)  # type: ignore[attr-defined]
        again._bq_replay = self._hold_generation  # type: ignore[attr-defined]
        again.set_sender(self)  # type: ignore[arg-type]  # as the driver's keys: they bubble up to the app
        self.post_message(again)  # type: ignore[attr-defined]

    def _settled(self, node, generation: int, rounds: int = 2) -> None:  # type: ignore[no-untyped-def]
        """Run from each queue between the focus and its screen in turn (behind the key and whatever it made
        each widget post), then from the app's queue (behind the key's binding, if it came back up), then
        once more from the focus up (behind what the binding posted: Enter's submit closes the picker);
        then hand on the next held key."""
        from textual.screen import Screen

        if generation != self._hold_generation:
            return
        if isinstance(node, Screen) or node.parent is None:
            if rounds > 1:
                self.post_message(KeySettled(generation))  # type: ignore[attr-defined]
            elif self._held:
                self._hand_on(self._held.pop(0))
            else:
                self._release(generation, "replayed")
            return
        if not node.parent.call_later(self._settled, node.parent, generation, rounds):
            self._settled(node.parent, generation, rounds)

    def _settle(self, generation: int, rounds: int) -> None:
        node = self.focused or self.screen  # type: ignore[attr-defined]
        if not node.call_later(self._settled, node, generation, rounds):
            self._settled(node, generation, rounds)

    def on_key_settled(self, message: KeySettled) -> None:
        self._settle(message.generation, 1)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            if event.is_forwarded:  # back up from the focus, unhandled: passed on before the hold began
                if self._held is not None and "passed" in self._hold_waiting:
                    self._held.append(event)
                    return
                if event.key == "enter" and self._typing_on is not None:
                    self._typing_on = None  # back from the picker that had already applied its code
                    return
            else:
                replay = getattr(event, "_bq_replay", 0) == self._hold_generation
                event._bq_replay = 0  # type: ignore[attr-defined]
                if not hasattr(event, "_bq_order"):
                    self._key_order += 1
                    event._bq_order = self._key_order  # type: ignore[attr-defined]
                if self._held is not None and not replay:
                    self._held.append(event)
                    return
                if not replay and isinstance(self.screen, ModalScreen) and self._keys_waiting():  # type: ignore[attr-defined]
                    # typed at once into a modal: one key at a time, so the keys after an Enter do not go
                    # into the input that Enter is about to close
                    self._hold_keys({"replayed"})
                    replay = True
                generation = self._hold_generation
                if self._drop_typed_on(event):
                    if replay:
                        self._settled(self.screen, generation, 1)  # type: ignore[attr-defined]
                    return
                if replay:
                    await super().on_event(event)  # type: ignore[misc]
                    self._settle(generation, 2)
                    return
        await super().on_event(event)  # type: ignore[misc]

    def _keys_waiting(self) -> bool:
        """Whether more keys wait in the app's queue (typed in the same burst as the one being handled)."""
        queue = getattr(getattr(self, "_message_queue", None), "_queue", None)
        if queue is None:
            return True
        waiting = [getattr(self, "_pending_message", None), *queue]
        return any(isinstance(m, events.Key) for m in waiting)

    def _drop_typed_on(self, event: events.Key) -> bool:
        rest = self._typing_on
        if rest is None:
            return False
        if event.key == "enter":
            self._typing_on = None
            return True
        if rest and event.character and event.character.lower() == rest[0].lower():
            self._typing_on = rest[1:]
            return True
        self._typing_on = None
        return False
