"""The counsellor's desk: what a counsellor asked for, and the messages that answer it.

Pure like the engine. Which client a counsellor may see is decided in the repositories (a
forged button or command argument reaches them and is refused there), never here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dialogs.content.load import Content
from dialogs.engine.events import Command, CommandName, Event, Press
from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import Button, Keyboard, Say
from dialogs.engine.screens import Screens, rows
from dialogs.engine.state import Dialog, Profile, State
from dialogs.engine.typed import clean_text
from dialogs.linking.casefile import ClientLine

# What a counsellor may call a client in an invitation (it becomes the client's name for them).
LABEL_LIMIT = 64


@dataclass(frozen=True)
class Welcome:
    """Anything the desk has no answer for: who they are here and what they can do."""


@dataclass(frozen=True)
class MakeInvitation:
    label: str | None


@dataclass(frozen=True)
class ShowClients:
    for_export: bool = False


@dataclass(frozen=True)
class ShowCaseFile:
    client_id: int


@dataclass(frozen=True)
class ExportCaseFile:
    client_id: int


@dataclass(frozen=True)
class AnswerOpener:
    """Whether whoever opened the counsellor's invitation is the client it was meant for."""

    link_id: int
    is_client: bool


DeskRequest = Welcome | MakeInvitation | ShowClients | ShowCaseFile | ExportCaseFile | AnswerOpener


def view_button(client_id: int) -> str:
    return f"d:v:{client_id}"


def opener_buttons(content: Content, language: str, link_id: int) -> Keyboard:
    """Yes or no under "<name> opened your invitation": a link shares only after a yes."""
    texts = content.desk(language)
    return rows(
        [Button(texts.opener_yes, f"d:ok:{link_id}"), Button(texts.opener_no, f"d:no:{link_id}")], 1
    )


def export_button(client_id: int) -> str:
    return f"d:x:{client_id}"


def read(event: Event) -> DeskRequest:
    match event:
        case Command(name=CommandName.INVITE, arg=arg):
            label = clean_text(arg)[:LABEL_LIMIT]
            return MakeInvitation(label or None)
        case Command(name=CommandName.CLIENTS):
            return ShowClients()
        case Command(name=CommandName.EXPORT, arg=arg):
            # Anything but a client number (a sign, "²", more than the database holds): the
            # list to pick from.
            client = whole_number(arg.strip())
            return ExportCaseFile(client) if client is not None else ShowClients(True)
        case Press(data=data):
            head, _, rest = data.partition(":")
            action, _, number = rest.partition(":")
            read_number = whole_number(number)
            if head == "d" and read_number is not None:
                match action:
                    case "v":
                        return ShowCaseFile(read_number)
                    case "x":
                        return ExportCaseFile(read_number)
                    case "ok" | "no":
                        return AnswerOpener(read_number, is_client=action == "ok")
    return Welcome()


def screens_for(content: Content, language: str, timezone: str, now: datetime) -> Screens:
    state = State(Dialog(language=language, consented=True), profile=Profile(timezone=timezone))
    return Screens(content, state, now)


def client_list(
    content: Content,
    language: str,
    timezone: str,
    lines: Sequence[ClientLine],
    now: datetime,
    *,
    for_export: bool = False,
) -> Say:
    """The counsellor's clients; a button per client opens the summary (or makes the export)."""
    texts = content.desk(language)
    if not lines:
        return Say(texts.clients_none)
    screens = screens_for(content, language, timezone, now)
    entries = []
    buttons = []
    for line in lines:
        parts = [texts.client_line.format(name=line.name, last=screens.moment(line.last_activity))]
        if line.open_steps is None or line.overdue_steps is None:
            parts.append(texts.client_plan_hidden)
        else:
            parts.append(texts.client_plan.format(open=line.open_steps, overdue=line.overdue_steps))
        if line.new_messages:
            parts.append(texts.client_messages.format(count=line.new_messages))
        entries.append("• " + " · ".join(parts))
        if for_export:
            buttons.append(
                Button(f"{texts.export_button} {line.name}", export_button(line.client_id))
            )
        else:
            buttons += [
                Button(line.name, view_button(line.client_id)),
                Button(texts.export_button, export_button(line.client_id)),
            ]
    title = texts.pick_export if for_export else texts.clients_title
    return Say(f"{title}\n\n" + "\n".join(entries), rows(buttons, 1 if for_export else 2))


def invitation_text(
    content: Content,
    language: str,
    timezone: str,
    now: datetime,
    *,
    label: str | None,
    link: str,
    code: str,
    until: datetime,
) -> str:
    texts = content.desk(language)
    return texts.invitation.format(
        label=texts.invitation_for.format(label=label) if label else "",
        link=link,
        code=code,
        until=screens_for(content, language, timezone, now).moment(until),
    )
