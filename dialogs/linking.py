"""The client's side of working with a counsellor: an invitation, sharing, messages, who looked.

A counsellor sees nothing unless the client links and chooses to share, section by section,
and the client can change or end that at any time (METHODOLOGY.md section 6).
"""

from __future__ import annotations

from dataclasses import replace

from dialogs import link_screens
from dialogs.casefile import LinkView, Section
from dialogs.events import DESK_COMMANDS, CodeEntered, CodeResult, CommandName, Event
from dialogs.numbers import whole_number
from dialogs.outputs import (
    AcceptInvitation,
    DeclineInvitation,
    EndLink,
    Replace,
    Say,
    SetSharing,
)
from dialogs.resources import ResourceTurn
from dialogs.state import Screen


class LinkingTurn(ResourceTurn):
    """A turn that also knows the client's counsellors and the invitation they opened."""

    def draw(self, seq: int) -> Say | None:
        return link_screens.current(self.screens, seq) or super().draw(seq)

    def handle(self, event: Event) -> None:
        if isinstance(event, CodeEntered) and self.dialog.consented:
            self.handle_code(event)
        else:
            super().handle(event)

    def handle_stranger(self, event: Event) -> None:
        if isinstance(event, CodeEntered) and event.result is not CodeResult.OPENED:
            self.say(self.code_answer(event))
        super().handle_stranger(event)

    def after_consent(self) -> None:
        if self.state.invitation is not None:
            # They came through a counsellor's link: that choice first, then the inventory.
            self.show(Screen.INVITATION, "")
        else:
            super().after_consent()

    def handle_code(self, event: CodeEntered) -> None:
        if event.result is CodeResult.OPENED and self.state.invitation is not None:
            self.show(Screen.INVITATION, "")
            return
        self.say(self.code_answer(event))
        self.show_current()

    def code_answer(self, event: CodeEntered) -> str:
        ui = self.ui
        match event.result:
            case CodeResult.WRONG:
                return ui.code_wrong
            case CodeResult.EXPIRED:
                return ui.code_expired
            case CodeResult.SLOW_DOWN:
                return ui.code_slow_down.format(minutes=max(1, event.wait_minutes))
        return ui.code_used

    def handle_command(self, name: CommandName) -> None:
        links = self.state.links
        match name:
            case _ if name in DESK_COMMANDS:
                self.say(self.ui.desk_only)
                self.show_current()
            case CommandName.SHARING | CommandName.COUNSELLOR if not links:
                self.show(Screen.NO_COUNSELLOR)
            case CommandName.SHARING:
                self.show(Screen.SHARING, str(links[0].id) if len(links) == 1 else None)
            case CommandName.WHO_SAW:
                self.say(link_screens.who_saw(self.screens))
                self.show_current()
            case _:
                super().handle_command(name)

    def handle_action(self, action: str, arg: str) -> None:
        screen, invitation = self.dialog.screen, self.state.invitation
        link = _link_of(self, arg)
        section = Section(arg) if arg in Section.__members__.values() else None
        match action:
            case "itoggle" if screen is Screen.INVITATION and invitation and section:
                chosen = link_screens.read_sections(self.dialog.screen_arg or "") ^ {section}
                self.update(screen_arg=link_screens.write_sections(chosen))
                drawn = link_screens.invitation(
                    self.screens, invitation, chosen, self.dialog.prompt_seq
                )
                self.outputs.append(Replace(drawn.text, drawn.buttons))
            case "iaccept" if screen is Screen.INVITATION and invitation:
                chosen = link_screens.read_sections(self.dialog.screen_arg or "")
                self.outputs.append(AcceptInvitation(invitation.id, chosen))
                self.say(
                    self.ui.invitation_accepted.format(
                        counsellor=invitation.counsellor,
                        sections=link_screens.section_list(self.screens, chosen),
                    )
                )
                self.after_invitation()
            case "idecline" if screen is Screen.INVITATION and invitation:
                self.outputs.append(DeclineInvitation(invitation.id))
                self.say(self.ui.invitation_declined.format(counsellor=invitation.counsellor))
                self.after_invitation()
            case "stoggle" if (
                screen is Screen.SHARING
                and section
                and (shared := _link_of(self, self.dialog.screen_arg or ""))
            ):
                changed = replace(shared, sections=shared.sections ^ {section})
                self.state = replace(
                    self.state,
                    links=tuple(changed if k.id == shared.id else k for k in self.state.links),
                )
                self.outputs.append(SetSharing(changed.id, changed.sections))
                drawn = link_screens.sharing(self.screens, changed, self.dialog.prompt_seq)
                self.outputs.append(Replace(drawn.text, drawn.buttons))
            case "code" if screen is Screen.NO_COUNSELLOR:
                self.show(Screen.CODE)
            case "share" if link:
                self.show(Screen.SHARING, arg)
            case "ask" if arg.startswith("unlink/") and _link_of(self, arg.removeprefix("unlink/")):
                self.show(Screen.CONFIRM, arg)
            case "unlink" if link and self.confirming(action, arg):
                self.outputs.append(EndLink(link.id))
                self.state = replace(
                    self.state, links=tuple(k for k in self.state.links if k.id != link.id)
                )
                self.say(self.ui.unlinked.format(counsellor=link.counsellor))
                self.show(Screen.MENU)
            case _:
                super().handle_action(action, arg)

    def after_invitation(self) -> None:
        """Back to where the client was; someone new starts the inventory."""
        self.state = replace(self.state, invitation=None)
        if self.dialog.frame is not None:
            self.show(Screen.QUESTION)
        elif not self.state.answers:
            super().after_consent()
        else:
            self.show(Screen.MENU)


def _link_of(turn: LinkingTurn, arg: str) -> LinkView | None:
    number = whole_number(arg)
    return turn.state.link(number) if number is not None else None
