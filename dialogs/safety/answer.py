"""The answer to a crisis, read before anything else in every event the client wrote something
in (a message, a caption, an edited message, what follows a command), whatever the dialog state:
an immediate, calm answer with help numbers and the offer to alert a linked counsellor; then
the dialog goes on where it was.

The message is not taken as an answer (nor stored as one): the client hears so, and may still
save it as the answer to the open question with one button.
"""

from __future__ import annotations

from dialogs.content.load import Content
from dialogs.engine import callbacks, typed
from dialogs.engine.answering import takes_own_words
from dialogs.engine.events import Command, Event, Press, Text, UnknownCommand, written
from dialogs.engine.outputs import AlertCounsellor, Button, Keyboard, Say
from dialogs.engine.state import Screen
from dialogs.engine.turn import Turn
from dialogs.engine.typed import clean_text


def signals_crisis(content: Content, event: Event) -> bool:
    """Whether what the client wrote in this event signals a crisis."""
    text = clean_text(written(event))
    return bool(text) and content.safety.matches(text) is not None


def intercept(turn: Turn, event: Event) -> bool:
    """A crisis answered, or one of the buttons under that answer; whether nothing else may
    read the event (a command still runs, a photo still gets its kind word)."""
    if signals_crisis(turn.content, event):
        # What follows a command was meant for the command, not as an answer.
        offer_save = not isinstance(event, Command | UnknownCommand)
        _answer(turn, written(event), offer_save=offer_save)
        if isinstance(event, Text) and turn.dialog.consented:
            turn.show_current()
            return True
        return False
    if isinstance(event, Press) and event.data == callbacks.CRISIS_ALERT:
        _alert(turn)
        return True
    if isinstance(event, Press) and event.data == callbacks.CRISIS_SAVE:
        _save_message(turn)
        return True
    return False


def _answer(turn: Turn, text: str, *, offer_save: bool) -> None:
    """The help numbers (and a linked counsellor to alert); then that the message was not
    saved, with the button to save it after all when `offer_save` and a question is open
    that takes own words."""
    ui = turn.ui
    links = turn.state.links if turn.dialog.consented else ()
    buttons = tuple(
        (Button(ui.crisis_alert.format(counsellor=link.counsellor), callbacks.CRISIS_ALERT),)
        for link in links[:1]
    )
    turn.outputs.append(Say(ui.crisis, buttons))
    turn.outputs.append(Say(ui.crisis_not_saved, _hold(turn, text) if offer_save else ()))


def _hold(turn: Turn, text: str) -> Keyboard:
    """Keep the message with the open question (in the stored dialog) for the save button;
    the button, or none. Before consent nothing is kept; a question waiting for "is dit je
    antwoord?" keeps the text it asks about."""
    located = turn.frame_flow_node() if turn.dialog.consented else None
    if located is None or turn.dialog.screen is Screen.HELD:
        return ()
    frame, flow, node = located
    if not takes_own_words(flow, node):
        return ()
    turn.replace_frame(frame.model_copy(update={"held": clean_text(text)}))
    return ((Button(turn.ui.crisis_save, callbacks.CRISIS_SAVE),),)


def _save_message(turn: Turn) -> None:
    """The save button under "not saved": the message goes the way a typed answer goes. A
    second press, or one after the question was answered or left, changes nothing."""
    located = turn.frame_flow_node() if turn.dialog.consented else None
    if located is None or located[0].held is None or turn.dialog.screen is Screen.HELD:
        turn.notice(turn.ui.stale_button)
        return
    typed.settle_held(turn, located[0], take=True)


def _alert(turn: Turn) -> None:
    links = turn.state.links if turn.dialog.consented else ()
    if not links:
        turn.notice(turn.ui.stale_button)
        return
    turn.outputs.append(AlertCounsellor())
    names = ", ".join(link.counsellor for link in links)
    turn.say(turn.ui.crisis_alerted.format(counsellor=names))
    turn.show_current()
