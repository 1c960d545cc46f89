"""The client's side of a counsellor link on screen: an invitation, what is shared, who looked.

The client decides per section what a counsellor sees (METHODOLOGY.md section 6), so every
screen says plainly what is shared and how to change it.
"""

from __future__ import annotations

from dialogs.engine import callbacks
from dialogs.engine.actions import Moving
from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import Button, Say
from dialogs.engine.screens import Screens, rows
from dialogs.engine.state import Screen
from dialogs.linking.actions import LinkAction
from dialogs.linking.casefile import InvitationView, LinkView, LookKind, Section

SECTION_ORDER = (Section.STRENGTHS, Section.PLAN, Section.REFLECTIONS, Section.RESOURCES)


def read_sections(arg: str) -> frozenset[Section]:
    """Sections as carried in a screen argument ("strengths,plan"); unknown names are dropped."""
    return frozenset(
        Section(name) for name in arg.split(",") if name in Section.__members__.values()
    )


def write_sections(sections: frozenset[Section]) -> str:
    return ",".join(s.value for s in SECTION_ORDER if s in sections)


def section_name(screens: Screens, section: Section) -> str:
    ui = screens.ui
    names = {
        Section.STRENGTHS: ui.section_strengths,
        Section.PLAN: ui.section_plan,
        Section.REFLECTIONS: ui.section_reflections,
        Section.RESOURCES: ui.section_resources,
    }
    return names[section]


def section_list(screens: Screens, sections: frozenset[Section]) -> str:
    names = [section_name(screens, s) for s in SECTION_ORDER if s in sections]
    return ", ".join(names) if names else screens.ui.shares_nothing


def counsellor_name(screens: Screens, who: LinkView | InvitationView) -> str:
    return (
        screens.ui.with_team.format(name=who.counsellor, team=who.team)
        if who.team
        else who.counsellor
    )


def _toggles(screens: Screens, seq: int, action: str, sections: frozenset[Section]) -> list[Button]:
    ui = screens.ui
    return [
        Button(
            f"{ui.selected_mark if s in sections else ui.unselected_mark} "
            + section_name(screens, s),
            callbacks.prompted(seq, action, s.value),
        )
        for s in SECTION_ORDER
    ]


def invitation(
    screens: Screens, invite: InvitationView, chosen: frozenset[Section], seq: int
) -> Say:
    ui = screens.ui
    text = ui.invitation.format(counsellor=counsellor_name(screens, invite))
    buttons = [
        *_toggles(screens, seq, "itoggle", chosen),
        Button(ui.invitation_accept, callbacks.prompted(seq, LinkAction.ACCEPT)),
        Button(ui.invitation_decline, callbacks.prompted(seq, LinkAction.DECLINE)),
    ]
    return Say(text, rows(buttons, 1))


def sharing(screens: Screens, link: LinkView, seq: int) -> Say:
    ui = screens.ui
    text = ui.sharing.format(counsellor=counsellor_name(screens, link))
    buttons = [
        *_toggles(screens, seq, "stoggle", link.sections),
        Button(
            ui.sharing_end, callbacks.prompted(seq, Moving.ASK, f"{LinkAction.UNLINK}/{link.id}")
        ),
        Button(ui.done, callbacks.prompted(seq, Moving.MENU)),
    ]
    return Say(text, rows(buttons, 1))


def choose_link(screens: Screens, seq: int) -> Say:
    buttons = [
        Button(
            counsellor_name(screens, link), callbacks.prompted(seq, LinkAction.SHARE, str(link.id))
        )
        for link in screens.state.links
    ]
    return Say(screens.ui.sharing_pick, rows(buttons, 1))


def confirm_unlink(screens: Screens, link: LinkView, seq: int) -> Say:
    ui = screens.ui
    buttons = (
        Button(ui.confirm_yes, callbacks.prompted(seq, LinkAction.UNLINK, str(link.id))),
        Button(ui.confirm_no, callbacks.prompted(seq, LinkAction.SHARE, str(link.id))),
    )
    return Say(ui.confirm_unlink.format(counsellor=link.counsellor), rows(buttons, 1))


def who_saw(screens: Screens) -> str:
    """The audit trail about the client, newest first, in their own time zone."""
    ui, looks = screens.ui, screens.state.looks
    if not looks:
        return ui.who_saw_none
    kinds = {
        LookKind.VIEW: ui.look_view,
        LookKind.EXPORT: ui.look_export,
        LookKind.DIGEST: ui.look_digest,
    }
    lines = [
        ui.look_line.format(
            when=screens.moment(look.at),
            counsellor=look.counsellor,
            kind=kinds[look.kind],
            sections=section_list(screens, frozenset(look.sections)),
        )
        for look in looks
    ]
    return ui.who_saw.format(looks="\n".join(lines))


def no_counsellor(screens: Screens, seq: int) -> Say:
    ui = screens.ui
    buttons = (
        Button(ui.have_code, callbacks.prompted(seq, LinkAction.CODE)),
        Button(ui.to_menu, callbacks.prompted(seq, Moving.MENU)),
    )
    return Say(ui.no_counsellor, rows(buttons, 1))


def code_entry(screens: Screens, seq: int) -> Say:
    ui = screens.ui
    return Say(ui.code_prompt, rows((Button(ui.to_menu, callbacks.prompted(seq, Moving.MENU)),), 1))


def current(screens: Screens, seq: int) -> Say | None:
    """A link screen drawn again, or None when it is not one (or its subject is gone)."""
    state = screens.state
    dialog = state.dialog
    arg = dialog.screen_arg or ""
    match dialog.screen:
        case Screen.INVITATION if state.invitation is not None:
            return invitation(screens, state.invitation, read_sections(arg), seq)
        case Screen.SHARING if (link := state.link(whole_number(arg) or 0)) is not None:
            return sharing(screens, link, seq)
        case Screen.SHARING if len(state.links) > 1:
            return choose_link(screens, seq)
        case Screen.NO_COUNSELLOR if not state.links:
            return no_counsellor(screens, seq)
        case Screen.CODE:
            return code_entry(screens, seq)
    return None
