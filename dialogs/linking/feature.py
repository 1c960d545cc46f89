"""The client's side of working with a counsellor: an invitation, sharing, messages, who looked.

A counsellor sees nothing unless the client links and chooses to share, section by section,
and the client can change or end that at any time (METHODOLOGY.md section 6).
"""

from __future__ import annotations

from dataclasses import replace

from dialogs.engine.events import DESK_COMMANDS, CodeEntered, CodeResult, CommandName, Event
from dialogs.engine.feature import CommandHandler, Confirmation, Feature, drawn_by
from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import (
    AcceptInvitation,
    DeclineInvitation,
    EndLink,
    Replace,
    Say,
    SetSharing,
)
from dialogs.engine.screens import Screens
from dialogs.engine.state import Screen
from dialogs.engine.turn import Turn
from dialogs.linking import screens
from dialogs.linking.actions import LinkAction
from dialogs.linking.casefile import LinkView, Section


def intercept_code(turn: Turn, event: Event) -> bool:
    """An invitation code typed (the store looked it up): the invitation, or why not. Before
    consent the welcome follows, and an opened invitation waits for consent."""
    if not isinstance(event, CodeEntered):
        return False
    if not turn.dialog.consented:
        if event.result is not CodeResult.OPENED:
            turn.say(_code_answer(turn, event))
        return False
    if event.result is CodeResult.OPENED and turn.state.invitation is not None:
        turn.show(Screen.INVITATION, "")
    else:
        turn.say(_code_answer(turn, event))
        turn.show_current()
    return True


def _code_answer(turn: Turn, event: CodeEntered) -> str:
    ui = turn.ui
    match event.result:
        case CodeResult.WRONG:
            return ui.code_wrong
        case CodeResult.EXPIRED:
            return ui.code_expired
        case CodeResult.SLOW_DOWN:
            return ui.code_slow_down.format(minutes=max(1, event.wait_minutes))
    return ui.code_used


def _consent_start(turn: Turn) -> bool:
    """They came through a counsellor's link: that choice first, then the inventory."""
    if turn.state.invitation is None:
        return False
    turn.show(Screen.INVITATION, "")
    return True


def _link_of(turn: Turn, arg: str) -> LinkView | None:
    number = whole_number(arg)
    return turn.state.link(number) if number is not None else None


def _section(arg: str) -> Section | None:
    return Section(arg) if arg in Section.__members__.values() else None


def _toggle_invited(turn: Turn, arg: str) -> None:
    invitation, section = turn.state.invitation, _section(arg)
    if turn.dialog.screen is not Screen.INVITATION or invitation is None or section is None:
        turn.stale()
        return
    chosen = screens.read_sections(turn.dialog.screen_arg or "") ^ {section}
    turn.update(screen_arg=screens.write_sections(chosen))
    drawn = screens.invitation(turn.screens, invitation, chosen, turn.dialog.prompt_seq)
    turn.outputs.append(Replace(drawn.text, drawn.buttons))


def _answer_invitation(turn: Turn, *, accepted: bool) -> None:
    invitation = turn.state.invitation
    if turn.dialog.screen is not Screen.INVITATION or invitation is None:
        turn.stale()
        return
    if accepted:
        chosen = screens.read_sections(turn.dialog.screen_arg or "")
        turn.outputs.append(AcceptInvitation(invitation.id, chosen))
        sections = screens.section_list(turn.screens, chosen)
        text = turn.ui.invitation_accepted.format(
            counsellor=invitation.counsellor, sections=sections
        )
    else:
        turn.outputs.append(DeclineInvitation(invitation.id))
        text = turn.ui.invitation_declined.format(counsellor=invitation.counsellor)
    turn.say(text)
    # Back to where the client was; someone new starts the inventory.
    turn.state = replace(turn.state, invitation=None)
    if turn.dialog.frame is not None:
        turn.show(Screen.QUESTION)
    elif not turn.state.answers:
        turn.start_inventory()
    else:
        turn.show(Screen.MENU)


def _toggle_shared(turn: Turn, arg: str) -> None:
    section = _section(arg)
    shared = _link_of(turn, turn.dialog.screen_arg or "")
    if turn.dialog.screen is not Screen.SHARING or section is None or shared is None:
        turn.stale()
        return
    changed = replace(shared, sections=shared.sections ^ {section})
    links = tuple(changed if k.id == shared.id else k for k in turn.state.links)
    turn.state = replace(turn.state, links=links)
    turn.outputs.append(SetSharing(changed.id, changed.sections))
    drawn = screens.sharing(turn.screens, changed, turn.dialog.prompt_seq)
    turn.outputs.append(Replace(drawn.text, drawn.buttons))


def _code(turn: Turn, _: str) -> None:
    if turn.dialog.screen is Screen.NO_COUNSELLOR:
        turn.show(Screen.CODE)
    else:
        turn.stale()


def _share(turn: Turn, arg: str) -> None:
    if _link_of(turn, arg):
        turn.show(Screen.SHARING, arg)
    else:
        turn.stale()


def _unlink(turn: Turn, arg: str) -> None:
    link = _link_of(turn, arg)
    if link is None or not turn.confirming(LinkAction.UNLINK, arg):
        turn.stale()
        return
    turn.outputs.append(EndLink(link.id))
    turn.state = replace(turn.state, links=tuple(k for k in turn.state.links if k.id != link.id))
    turn.say(turn.ui.unlinked.format(counsellor=link.counsellor))
    turn.show(Screen.MENU)


def _sharing(turn: Turn) -> None:
    links = turn.state.links
    if not links:
        turn.show(Screen.NO_COUNSELLOR)
    else:
        turn.show(Screen.SHARING, str(links[0].id) if len(links) == 1 else None)


def _counsellor(turn: Turn) -> None:
    """A message to the counsellor: its flow, once there is one to write to."""
    if turn.state.links:
        turn.command_flow(CommandName.COUNSELLOR)
    else:
        turn.show(Screen.NO_COUNSELLOR)


def _who_saw(turn: Turn) -> None:
    turn.say(screens.who_saw(turn.screens))
    turn.show_current()


def _desk_only(turn: Turn) -> None:
    """A counsellor's command in a client's chat."""
    turn.say(turn.ui.desk_only)
    turn.show_current()


def _unlink_question(drawn: Screens, number: str, seq: int) -> Say | None:
    link = drawn.state.link(whole_number(number) or 0)  # no link has id 0
    return None if link is None else screens.confirm_unlink(drawn, link, seq)


_COMMANDS: dict[CommandName, CommandHandler] = dict.fromkeys(DESK_COMMANDS, _desk_only)

FEATURE = Feature(
    name="linking",
    actions={
        LinkAction.TOGGLE_INVITED: _toggle_invited,
        LinkAction.ACCEPT: lambda turn, _: _answer_invitation(turn, accepted=True),
        LinkAction.DECLINE: lambda turn, _: _answer_invitation(turn, accepted=False),
        LinkAction.TOGGLE_SHARED: _toggle_shared,
        LinkAction.CODE: _code,
        LinkAction.SHARE: _share,
        LinkAction.UNLINK: _unlink,
    },
    commands={
        **_COMMANDS,
        CommandName.SHARING: _sharing,
        CommandName.COUNSELLOR: _counsellor,
        CommandName.WHO_SAW: _who_saw,
    },
    screens=dict.fromkeys(
        (Screen.INVITATION, Screen.SHARING, Screen.NO_COUNSELLOR, Screen.CODE),
        drawn_by(screens.current),
    ),
    confirmations={
        LinkAction.UNLINK: Confirmation(
            asks=lambda turn, number: _link_of(turn, number) is not None,
            draw=_unlink_question,
        )
    },
    consent_start=_consent_start,
)
