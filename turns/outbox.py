"""What leaves the bot, as data the outbox keeps: written in the unit of work that decided it,
read back by the channel that sends it (`bot/outbox.py` for Telegram, the terminal chat).

A payload says what to send, never how: Telegram's HTML, its length limits, a PDF or a picture
are made at the edge, when the row is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from dialogs import Content
from dialogs.desk.requests import opener_buttons, screens_for
from dialogs.engine.document import Document
from dialogs.engine.outputs import (
    Keyboard,
    Notice,
    Output,
    ReminderShown,
    Replace,
    Say,
    ShowNetworkMap,
)
from dialogs.linking.screens import section_list
from storage.outbox import NewOutgoing, OutboxRepository, OutgoingRecord
from turns.store import CounsellorNews


class Kind(StrEnum):
    MESSAGE = "message"
    SUMMARY = "summary"
    EXPORT = "export"
    TIMER = "timer"
    PRIVATE = "private"
    EDIT = "edit"
    ACKNOWLEDGE = "acknowledge"
    NETWORK_MAP = "network_map"
    MY_DATA = "my_data"
    DELETE = "delete"
    ALERT = "alert"


@dataclass(frozen=True)
class Message:
    text: str
    buttons: Keyboard = ()
    reminder: int | None = None  # the reminder this message shows, if it does


@dataclass(frozen=True)
class Summary:
    """A document for a counsellor (a client's summary, the weekly digest), as messages."""

    document: Document


@dataclass(frozen=True)
class Export:
    """A summary to attach to the client record, as files (Markdown and PDF)."""

    document: Document
    name: str  # the file name without extension
    caption: str


@dataclass(frozen=True)
class Timer:
    """A team meeting's step timer: a new message (`message_id` None), or that message
    rewritten (sent anew where it cannot be); the message it is now is remembered with the
    meeting, for the next minute."""

    meeting: int
    text: str
    buttons: Keyboard = ()
    message_id: int | None = None


@dataclass(frozen=True)
class Private:
    """A private message to a member of a group; the group then hears `sent`, or `failed`
    where Telegram refuses it (the person never started the bot)."""

    text: str
    group: str
    sent: Message
    failed: Message


@dataclass(frozen=True)
class Edit:
    """Rewrite the message whose button was pressed (`message_id`); sent anew where it cannot
    be edited (too old, deleted, unknown)."""

    message_id: int | None
    text: str
    buttons: Keyboard = ()


@dataclass(frozen=True)
class Acknowledge:
    """The answer to a button press: stops the channel's spinner, with a short note."""

    press_id: str | None
    text: str | None


@dataclass(frozen=True)
class MyData:
    """Everything stored about the client, sent as files (JSON and a readable PDF)."""

    data: dict[str, Any]
    language: str


@dataclass(frozen=True)
class Deletion:
    """Delete the chat's recent messages (/wissen). Messages of the chat still waiting in the
    outbox when this was decided are found and deleted when it is sent."""

    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class Fallback:
    """What a client hears when the alert to their counsellor cannot be delivered."""

    channel: str
    chat: str
    client_id: int
    text: str


@dataclass(frozen=True)
class Alert:
    """News for a counsellor. `delivers` is the stored message it carries, marked delivered once
    sent; `if_unreachable` is said to the client at once when the counsellor cannot be reached
    (the alert itself stays, to be tried again)."""

    text: str
    buttons: Keyboard = ()
    delivers: int | None = None
    if_unreachable: Fallback | None = None


Payload = (
    Message
    | Summary
    | Export
    | Timer
    | Private
    | Edit
    | Acknowledge
    | ShowNetworkMap
    | MyData
    | Deletion
    | Alert
)
_KINDS: dict[type[Any], Kind] = {
    Message: Kind.MESSAGE,
    Summary: Kind.SUMMARY,
    Export: Kind.EXPORT,
    Timer: Kind.TIMER,
    Private: Kind.PRIVATE,
    Edit: Kind.EDIT,
    Acknowledge: Kind.ACKNOWLEDGE,
    ShowNetworkMap: Kind.NETWORK_MAP,
    MyData: Kind.MY_DATA,
    Deletion: Kind.DELETE,
    Alert: Kind.ALERT,
}
_ADAPTERS: dict[Kind, TypeAdapter[Any]] = {kind: TypeAdapter(cls) for cls, kind in _KINDS.items()}


@dataclass(frozen=True)
class Letter:
    """One outbox row: where it goes, what it is, and how often it was tried."""

    id: int
    channel: str
    chat: str
    client_id: int | None
    payload: Payload
    attempts: int
    created_at: datetime

    @staticmethod
    def read(record: OutgoingRecord) -> Letter:
        payload = _ADAPTERS[Kind(record.kind)].validate_python(record.payload)
        return Letter(
            record.id,
            record.channel,
            record.chat,
            record.client_id,
            payload,
            record.attempts,
            record.created_at,
        )


@dataclass(frozen=True)
class Address:
    channel: str
    chat: str
    client_id: int | None = None


def outgoing(address: Address, payload: Payload) -> NewOutgoing:
    kind = _KINDS[type(payload)]
    return NewOutgoing(
        address.channel,
        address.chat,
        address.client_id,
        kind.value,
        _ADAPTERS[kind].dump_python(payload, mode="json"),
    )


def post(session: Session, rows: Sequence[NewOutgoing], now: datetime) -> list[Letter]:
    """Write `rows` to the outbox in this transaction; the letters, for the channel to send
    after the commit."""
    return [Letter.read(record) for record in OutboxRepository(session).add(rows, now)]


@dataclass
class Pressed:
    """The button press a turn answers: its id on the channel, and the message it is under."""

    press_id: str | None
    message_id: int | None


@dataclass
class Sending:
    """A turn's outputs in the order the client should see them."""

    address: Address
    rows: list[NewOutgoing] = field(default_factory=list)

    def add(self, payload: Payload, address: Address | None = None) -> None:
        self.rows.append(outgoing(address or self.address, payload))


def client_rows(
    address: Address,
    outputs: Sequence[Output],
    *,
    press: Pressed | None,
    hide: Sequence[int] = (),
    my_data: dict[str, Any] | None = None,
    language: str,
) -> list[NewOutgoing]:
    """What a client's turn sends to their own chat: the answer to a press first, then a
    deletion (/wissen), then every message in order, then their data as files."""
    sending = Sending(address)
    shown = next((o.reminder_id for o in outputs if isinstance(o, ReminderShown)), None)
    if press is not None:
        notices = [output.text for output in outputs if isinstance(output, Notice)]
        sending.add(Acknowledge(press.press_id, notices[-1] if notices else None))
    if hide:
        sending.add(Deletion(tuple(hide)))
    for output in outputs:
        match output:
            case Say(text=text, buttons=buttons):
                sending.add(Message(text, buttons, shown))
            case Replace(text=text, buttons=buttons):
                sending.add(Edit(press.message_id if press else None, text, buttons))
            case ShowNetworkMap():
                sending.add(output)
            case _:
                pass  # records, for the store; a notice answers the press
    if my_data is not None:
        sending.add(MyData(my_data, language))
    return sending.rows


def alert_rows(
    content: Content,
    news: Sequence[CounsellorNews],
    now: datetime,
    *,
    client: Address | None,
    language: str,
) -> list[NewOutgoing]:
    """News for counsellors, each to their own chat. A crisis alert that cannot reach the
    counsellor tells the client so at once, with the help numbers again."""
    rows = []
    for item in news:
        texts = content.desk(item.language)
        screens = screens_for(content, item.language, "UTC", now)
        text = getattr(texts, item.key).format(
            name=item.name,
            text=item.text,
            sections=section_list(screens, item.sections),
            opener=item.opener,
        )
        buttons = (
            opener_buttons(content, item.language, item.confirm_link)
            if item.confirm_link is not None
            else ()
        )
        fallback = None
        if item.key == "client_crisis" and client is not None and client.client_id is not None:
            ui = content.ui(language)
            told = ui.crisis_alert_failed.format(counsellor=item.counsellor) + "\n\n" + ui.crisis
            fallback = Fallback(client.channel, client.chat, client.client_id, told)
        counsellor = Address("telegram", str(item.telegram_id))
        rows.append(outgoing(counsellor, Alert(text, buttons, item.message_id, fallback)))
    return rows
