"""The client's data rights and safety, around every other part of the conversation.

- /mijngegevens: everything stored about them, as files; /vergeetmij: erase it all, after a
  clear "are you sure?"; /wissen: the bot's recent messages taken out of the chat.
- A message that signals a crisis gets an immediate, calm answer with help numbers, whatever
  the dialog state, and the offer to alert a linked counsellor; then the dialog goes on where
  it was. The message itself is not taken as an answer (nor stored).
"""

from __future__ import annotations

from dialogs import callbacks
from dialogs.events import CommandName, Event, Press, Text
from dialogs.linking import LinkingTurn
from dialogs.outputs import AlertCounsellor, Button, ExportMyData, ForgetMe, HideChat, Say
from dialogs.screens import rows
from dialogs.state import Screen
from dialogs.turn import clean_text

FORGET = "forget/all"  # the confirm screen's argument before everything is erased


class RightsTurn(LinkingTurn):
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
        if isinstance(event, Text) and self.crisis(event.text):
            return
        if isinstance(event, Press) and event.data == callbacks.CRISIS_ALERT:
            self.alert()
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

    def crisis(self, text: str) -> bool:
        """Answer a message that signals a crisis; False when it does not."""
        if self.content.safety.matches(clean_text(text)) is None:
            return False
        ui = self.ui
        links = self.state.links if self.dialog.consented else ()
        buttons = tuple(
            (Button(ui.crisis_alert.format(counsellor=link.counsellor), callbacks.CRISIS_ALERT),)
            for link in links[:1]
        )
        self.outputs.append(Say(ui.crisis, buttons))
        if self.dialog.consented:
            self.show_current()
        else:
            self.update(screen=Screen.WELCOME)
            self.outputs.append(self.screens.welcome())
        return True

    def alert(self) -> None:
        links = self.state.links if self.dialog.consented else ()
        if not links:
            self.notice(self.ui.stale_button)
            return
        self.outputs.append(AlertCounsellor())
        names = ", ".join(link.counsellor for link in links)
        self.say(self.ui.crisis_alerted.format(counsellor=names))
        self.show_current()
