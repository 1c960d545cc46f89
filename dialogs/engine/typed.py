"""Typed text, read the way people answer: a button's label typed instead of pressed ("ja",
"weet ik niet", "later verder"), text after a pause held for "is dit je antwoord?", and
otherwise the answer to the question on screen."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from dialogs.content.flows import NodeKind
from dialogs.engine import answering, callbacks
from dialogs.engine.actions import Answering, Moving
from dialogs.engine.outputs import Button, Notice, Say
from dialogs.engine.screens import normalise_label
from dialogs.engine.state import Frame, Screen

# Invisible characters that make a message look empty (zero-width space, joiners, BOM).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))


def clean_text(text: str) -> str:
    """The text without invisible characters and surrounding space."""
    return unicodedata.normalize("NFC", text.translate(_INVISIBLE)).strip()


if TYPE_CHECKING:  # the turn reads typed text with these; only the type is needed here
    from dialogs.engine.turn import Turn


def typed_welcome_button(turn: Turn, text: str) -> str | None:
    """A welcome button typed instead of pressed: its label, or the label's first word
    ("ja", "nee", "English"), as people answer "Mag ik je antwoorden bewaren?"."""
    typed = normalise_label(text)
    for row in turn.screens.welcome().buttons:
        for button in row:
            label = normalise_label(button.label)
            if typed and typed in (label, label.split(" ")[0]):
                return button.data
    return None


def handle_text(turn: Turn, raw: str) -> None:
    text = clean_text(raw)
    if not text:
        turn.say(turn.ui.unreadable)
        turn.show_current()
        return
    if typed_press(turn, text):
        return
    last = turn.dialog.last_event_at
    away = last is not None and turn.now - last > turn.resume_after
    located = turn.frame_flow_node()
    screen = turn.dialog.screen
    if located and (turn.dialog.paused or away or screen in (Screen.HELD, Screen.REPLACE)):
        # After a pause or a long silence the client may not remember the question, and
        # on a yes/no about an answer the text may be meant otherwise: it is kept, and
        # they say whether it is the answer.
        turn.replace_frame(located[0].model_copy(update={"held": text}))
        turn.show(Screen.HELD)
    elif located and screen is Screen.QUESTION:
        answering.answer_text(turn, text, *located)
    elif located:
        turn.say(turn.ui.text_not_saved)
        turn.show(Screen.QUESTION)
    else:
        turn.say(turn.ui.text_no_question)
        turn.show(Screen.MENU)


def typed_press(turn: Turn, text: str) -> bool:
    """A typed label ("weet ik niet", "later verder") counts as pressing that button, and
    so do the typed ways to say "don't know" ("geen idee"); whether it was one."""
    typed = normalise_label(text)
    current = turn.draw(turn.dialog.prompt_seq)
    buttons = [button for row in (current.buttons if current else ()) for button in row]
    pressed = next((b for b in buttons if typed and normalise_label(b.label) == typed), None)
    data = pressed.data if pressed else answer_button(turn, typed, buttons)
    if data is None:
        data = dont_know(turn, typed)
    if data is None:
        return False
    start = len(turn.outputs)
    turn.handle_press(data)
    # A typed message has no button to show a short note under: the note is said.
    turn.outputs[start:] = [
        Say(output.text) if isinstance(output, Notice) else output
        for output in turn.outputs[start:]
    ]
    return True


def answer_button(turn: Turn, word: str, buttons: list[Button]) -> str | None:
    """At a single choice, a "klopt dat?" or another yes/no, the one answer whose label
    starts with the one word typed ("ja", "nee", "ik"). Read as a date, a name or own
    words instead, "ja" would be "not understood", someone called "ik", or a silent no."""
    located = turn.frame_flow_node()
    if not word or " " in word or located is None:
        return None
    frame, _, node = located
    screen = turn.dialog.screen
    if screen is Screen.HELD:
        actions: tuple[str, ...] = (Moving.TAKE, Moving.LEAVE)
    elif screen is Screen.REPLACE:
        actions = (Moving.KEEP, Moving.REPLACE)
    elif screen is not Screen.QUESTION:
        return None
    elif frame.pending is not None:
        actions = (Answering.YES, Answering.NO)
    elif node.kind is NodeKind.CHOICE:
        actions = (Answering.OPTION,)
    else:
        return None
    found = [
        button.data
        for button in buttons
        if isinstance(parsed := callbacks.parse(button.data), callbacks.Prompted)
        and parsed.action in actions
        and normalise_label(button.label).split()[:1] == [word]
    ]
    return found[0] if len(found) == 1 else None


def dont_know(turn: Turn, typed: str) -> str | None:
    """The "weet ik niet" of the question on screen, when that is what was typed, in any
    language the bot speaks. A required question says it needs an answer, unless its
    answer is one of the buttons: then the client hears to choose one."""
    located = turn.frame_flow_node()
    if located is None or turn.dialog.screen is not Screen.QUESTION or located[0].pending:
        return None
    _, flow, node = located
    if node.required and not answering.takes_own_words(flow, node):
        return None
    words = {
        normalise_label(phrase)
        for language in turn.content.languages
        for phrase in turn.content.ui(language).dont_know_typed
    }
    return callbacks.prompted(turn.dialog.prompt_seq, Answering.UNKNOWN) if typed in words else None


def settle_held(turn: Turn, frame: Frame, *, take: bool) -> None:
    """Held text taken as typed at its question (the answer, or the button it names), or
    left unsaved."""
    assert frame.held is not None
    turn.replace_frame(frame.model_copy(update={"held": None}))
    if not take:
        turn.say(turn.ui.held_left)
        turn.show(Screen.QUESTION)
        return
    turn.update(screen=Screen.QUESTION)
    if not typed_press(turn, frame.held):
        located = turn.frame_flow_node()
        assert located is not None
        answering.answer_text(turn, frame.held, *located)
