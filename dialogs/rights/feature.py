"""The client's data rights: /mijngegevens, everything stored about them, as files;
/vergeetmij, erase it all after a clear "are you sure?"; /wissen, the bot's recent messages
taken out of the chat."""

from __future__ import annotations

from enum import StrEnum

from dialogs.engine import callbacks
from dialogs.engine.actions import Moving
from dialogs.engine.events import CommandName
from dialogs.engine.feature import Confirmation, Feature
from dialogs.engine.outputs import Button, ExportMyData, ForgetMe, HideChat, Say
from dialogs.engine.screens import Screens, rows
from dialogs.engine.state import Screen
from dialogs.engine.turn import Turn


class RightsAction(StrEnum):
    FORGET = "forget"  # erase everything: the confirm screen's argument is `forget/all`


EVERYTHING = "all"


def _my_data(turn: Turn) -> None:
    turn.outputs.append(ExportMyData())
    turn.say(turn.ui.my_data)
    turn.show_current()


def _forget(turn: Turn, arg: str) -> None:
    if not turn.confirming(RightsAction.FORGET, arg):
        turn.stale()
        return
    turn.outputs.append(ForgetMe())
    turn.say(turn.ui.forgotten)
    turn.update(consented=False, stack=(), screen=Screen.NONE, screen_arg=None)


def _forget_question(screens: Screens, subject: str, seq: int) -> Say | None:
    if subject != EVERYTHING:
        return None
    ui = screens.ui
    buttons = (
        Button(ui.forget_yes, callbacks.prompted(seq, RightsAction.FORGET, EVERYTHING)),
        Button(ui.forget_no, callbacks.prompted(seq, Moving.MENU)),
    )
    return Say(ui.confirm_forget, rows(buttons, 1))


FEATURE = Feature(
    name="rights",
    actions={RightsAction.FORGET: _forget},
    commands={
        CommandName.MY_DATA: _my_data,
        CommandName.FORGET_ME: lambda turn: turn.show(
            Screen.CONFIRM, f"{RightsAction.FORGET}/{EVERYTHING}"
        ),
        # Quiet on purpose: an empty chat is the answer, nothing new to be read.
        CommandName.HIDE: lambda turn: turn.outputs.append(HideChat()),
    },
    confirmations={
        RightsAction.FORGET: Confirmation(
            asks=lambda _, subject: subject == EVERYTHING, draw=_forget_question
        )
    },
)
