"""The client's data rights and safety, around every other part of the conversation.

- /mijngegevens: everything stored about them, as files; /vergeetmij: erase it all, after a
  clear "are you sure?"; /wissen: the bot's recent messages taken out of the chat.
- A message that signals a crisis gets an immediate, calm answer with help numbers, whatever
  the dialog state, and the offer to alert a linked counsellor; then the dialog goes on where
  it was. That is checked first, in every event the client wrote something in (a message, a
  caption, an edited message, what follows a command), before anything else reads it. The
  message is not taken as an answer (nor stored as one): the client hears so, and may still
  save it as the answer to the open question with one button.
"""

from __future__ import annotations

from dialogs import callbacks
from dialogs.content import Content
from dialogs.events import Command, CommandName, Event, Press, Text, UnknownCommand, written
from dialogs.outputs import AlertCounsellor, Button, ExportMyData, ForgetMe, HideChat, Keyboard, Say
from dialogs.proposals import ProposalTurn
from dialogs.screens import rows
from dialogs.state import Screen
from dialogs.turn import clean_text, takes_own_words

FORGET = "forget/all"  # the confirm screen's argument before everything is erased


def signals_crisis(content: Content, event: Event) -> bool:
    """Whether what the client wrote in this event signals a crisis."""
    text = clean_text(written(event))
    return bool(text) and content.safety.matches(text) is not None


class RightsTurn(ProposalTurn):
    """The outermost turn: a crisis is answered before any other part reads the event."""

    def draw(self, seq: int) -> Say | None:
        dialog, ui = self.dialog, self.ui
        if dialog.screen is Screen.CONFIRM and dialog.screen_arg == FORGET:
            buttons = (
                Button(ui.forget_yes, callbacks.prompted(seq, "forget", "all")),
                Button(ui.forget_no, callbacks.prompted(seq, "menu")),
            )
            return Say(ui.confirm_forget, rows(buttons, 1))
        return super().draw(seq)

    def handle(self, event: Event) -> None:
        if signals_crisis(self.content, event):
            # What follows a command was meant for the command, not as an answer.
            self.crisis(written(event), offer_save=not isinstance(event, Command | UnknownCommand))
            if isinstance(event, Text) and self.dialog.consented:
                self.show_current()
            else:  # the command as usual, the kind word for a photo or an edit, the welcome
                super().handle(event)
            return
        if isinstance(event, Press) and event.data == callbacks.CRISIS_ALERT:
            self.alert()
            return
        if isinstance(event, Press) and event.data == callbacks.CRISIS_SAVE:
            self.save_crisis_message()
            return
        super().handle(event)

    def handle_command(self, name: CommandName) -> None:
        match name:
            case CommandName.MY_DATA:
                self.outputs.append(ExportMyData())
                self.say(self.ui.my_data)
                self.show_current()
            case CommandName.FORGET_ME:
                self.show(Screen.CONFIRM, FORGET)
            case CommandName.HIDE:
                # Quiet on purpose: an empty chat is the answer, nothing new to be read.
                self.outputs.append(HideChat())
            case _:
                super().handle_command(name)

    def handle_action(self, action: str, arg: str) -> None:
        if action == "forget" and self.confirming(action, arg):
            self.outputs.append(ForgetMe())
            self.say(self.ui.forgotten)
            self.update(consented=False, stack=(), screen=Screen.NONE, screen_arg=None)
        else:
            super().handle_action(action, arg)

    def crisis(self, text: str, *, offer_save: bool) -> None:
        """The help numbers (and a linked counsellor to alert); then that the message was not
        saved, with the button to save it after all when `offer_save` and a question is open
        that takes own words."""
        ui = self.ui
        links = self.state.links if self.dialog.consented else ()
        buttons = tuple(
            (Button(ui.crisis_alert.format(counsellor=link.counsellor), callbacks.CRISIS_ALERT),)
            for link in links[:1]
        )
        self.outputs.append(Say(ui.crisis, buttons))
        self.outputs.append(Say(ui.crisis_not_saved, self.hold(text) if offer_save else ()))

    def hold(self, text: str) -> Keyboard:
        """Keep the message with the open question (in the stored dialog) for the save button;
        the button, or none. Before consent nothing is kept; a question waiting for "is dit je
        antwoord?" keeps the text it asks about."""
        located = self.frame_flow_node() if self.dialog.consented else None
        if located is None or self.dialog.screen is Screen.HELD:
            return ()
        frame, flow, node = located
        if not takes_own_words(flow, node):
            return ()
        self.replace_frame(frame.model_copy(update={"held": clean_text(text)}))
        return ((Button(self.ui.crisis_save, callbacks.CRISIS_SAVE),),)

    def save_crisis_message(self) -> None:
        """The save button under "not saved": the message goes the way a typed answer goes. A
        second press, or one after the question was answered or left, changes nothing."""
        located = self.frame_flow_node() if self.dialog.consented else None
        if located is None or located[0].held is None or self.dialog.screen is Screen.HELD:
            self.notice(self.ui.stale_button)
            return
        self.settle_held(located[0], take=True)

    def alert(self) -> None:
        links = self.state.links if self.dialog.consented else ()
        if not links:
            self.notice(self.ui.stale_button)
            return
        self.outputs.append(AlertCounsellor())
        names = ", ".join(link.counsellor for link in links)
        self.say(self.ui.crisis_alerted.format(counsellor=names))
        self.show_current()
