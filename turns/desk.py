"""The counsellor's unit of work: one request, one transaction, then the caller sends.

Every read of client data goes through `CaseFileRepository`, which refuses what this counsellor
may not see and writes the audit entry in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from dialogs import Content, Event, Say
from dialogs.desk import requests
from dialogs.desk.digest import digest
from dialogs.desk.summary import summary
from dialogs.engine.document import Document, MapPicture
from dialogs.engine.outputs import ShowNetworkMap
from dialogs.linking.casefile import LookKind
from dialogs.linking.screens import section_list
from storage import (
    AccessDenied,
    CaseFileRepository,
    InvitationRepository,
    StaffRecord,
    StaffRepository,
    UpdateRepository,
)
from storage.digests import DigestRecord, DigestRepository
from storage.outbox import NewOutgoing
from turns.outbox import (
    Acknowledge,
    Address,
    Export,
    Letter,
    Message,
    Payload,
    Pressed,
    Summary,
    outgoing,
    post,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeskAnswer:
    """What the desk answers a request with, in the order the counsellor sees it."""

    messages: list[Say] = field(default_factory=list)
    summary: Document | None = None
    network_map: ShowNetworkMap | None = None  # sent as a photo after the summary
    export: Export | None = None
    to_clients: list[NewOutgoing] = field(default_factory=list)  # to clients' own chats


@dataclass(frozen=True)
class DeskTurn:
    """A request answered: the outbox rows for the caller to send after the commit."""

    language: str
    letters: list[Letter] = field(default_factory=list)


class CounsellorDesk:
    def __init__(
        self,
        content: Content,
        sessions: sessionmaker[Session],
        *,
        default_timezone: str,
        invitation_valid: timedelta,
        bot_username: Callable[[], str],
    ) -> None:
        self.content = content
        self.sessions = sessions
        self.timezone = default_timezone
        self.invitation_valid = invitation_valid
        self.bot_username = bot_username

    def digest(self, record: DigestRecord, now: datetime) -> list[Letter] | None:
        """A counsellor's weekly digest in the outbox, and marked sent, in one transaction;
        None when there is nothing to send (no longer an active counsellor, or no linked
        clients). Each client in it is an audited look."""
        with self.sessions.begin() as session:
            staff = StaffRepository(session).get(record.staff_id)
            if staff is None or not staff.active or not staff.is_counsellor:
                return None
            files = CaseFileRepository(session, staff.id)
            cases = [
                files.case_file(line.client_id, LookKind.DIGEST, now) for line in files.clients(now)
            ]
            document = digest(
                self.content, cases, staff.language, record.period_start, now, self.timezone
            )
            if document is None:
                return None
            DigestRepository(session).mark_sent(record.id, now)
            row = outgoing(_chat_of(staff), Summary(document))
            return post(session, [row], now)

    def handle(
        self,
        staff: StaffRecord,
        event: Event,
        now: datetime,
        language_hint: str | None,
        update_id: int | None = None,
        press: Pressed | None = None,
    ) -> DeskTurn:
        """One request of a counsellor, answered in one transaction: what it sends (to the
        counsellor, to a client) is written to the outbox with it."""
        code = (language_hint or "").split("-")[0].lower()
        language = code if code in self.content.languages else staff.language
        texts = self.content.desk(language)
        request = requests.read(event)
        with self.sessions.begin() as session:
            if update_id is not None and not UpdateRepository(session).first_time(update_id, now):
                return DeskTurn(language)  # delivered again: done the first time
            if not staff.active:
                answer = DeskAnswer([Say(texts.inactive)])
            else:
                if language != staff.language:
                    StaffRepository(session).set_language(staff.id, language)
                answer = self._refused_or_answered(session, staff, request, language, now)
            rows = self._rows(_chat_of(staff), answer, press)
            return DeskTurn(language, post(session, rows, now))

    def _refused_or_answered(
        self,
        session: Session,
        staff: StaffRecord,
        request: requests.DeskRequest,
        language: str,
        now: datetime,
    ) -> DeskAnswer:
        files = CaseFileRepository(session, staff.id)
        try:
            return self._answer(session, staff, files, request, language, now)
        except AccessDenied as denied:
            # A forged button or another counsellor's client id: refused, and logged.
            log.warning("counsellor %s refused: %s", staff.id, denied)
            return DeskAnswer([Say(self.content.desk(language).no_access)])

    @staticmethod
    def _rows(chat: Address, answer: DeskAnswer, press: Pressed | None) -> list[NewOutgoing]:
        """The answer as outbox rows: the button's answer first, then the messages, the
        summary, its map and the export, then what the clients hear."""
        payloads: list[Payload] = [Message(say.text, say.buttons) for say in answer.messages]
        if press is not None:
            payloads.insert(0, Acknowledge(press.press_id, None))
        if answer.summary is not None:
            payloads.append(Summary(answer.summary))
        if answer.network_map is not None:
            payloads.append(answer.network_map)
        if answer.export is not None:
            payloads.append(answer.export)
        return [outgoing(chat, payload) for payload in payloads] + answer.to_clients

    def _answer(
        self,
        session: Session,
        staff: StaffRecord,
        files: CaseFileRepository,
        request: requests.DeskRequest,
        language: str,
        now: datetime,
    ) -> DeskAnswer:
        texts = self.content.desk(language)
        match request:
            case requests.MakeInvitation(label=label):
                made = InvitationRepository(session).create(
                    staff.id, label, now, self.invitation_valid
                )
                text = requests.invitation_text(
                    self.content,
                    language,
                    self.timezone,
                    now,
                    label=label,
                    link=f"https://t.me/{self.bot_username()}?start={made.code}",
                    code=made.short_code,
                    until=made.expires_at,
                )
                log.info("counsellor %s made invitation %s", staff.id, made.id)
                return DeskAnswer([Say(text)])
            case requests.ShowClients(for_export=for_export):
                lines = files.clients(now)
                say = requests.client_list(
                    self.content, language, self.timezone, lines, now, for_export=for_export
                )
                return DeskAnswer([say])
            case requests.ShowCaseFile(client_id=client_id):
                file = files.case_file(client_id, LookKind.VIEW, now)
                document = summary(self.content, file, language, now)
                picture = next((b for b in document.blocks if isinstance(b, MapPicture)), None)
                photo = (
                    ShowNetworkMap(
                        picture.map,
                        texts.map_caption.format(name=file.name),
                        self.content.ui(language).network_map_file,
                    )
                    if picture
                    else None
                )
                return DeskAnswer(summary=document, network_map=photo)
            case requests.AnswerOpener(link_id=link_id, is_client=is_client):
                return self._answer_opener(session, staff, link_id, is_client, language, now)
            case requests.ExportCaseFile(client_id=client_id):
                file = files.case_file(client_id, LookKind.EXPORT, now)
                day = now.date().isoformat()
                export = Export(
                    summary(self.content, file, language, now),
                    f"krachtwerk-{file.client_id}-{day}",
                    texts.export_caption.format(name=file.name, date=day),
                )
                return DeskAnswer(export=export)
        return DeskAnswer([Say(texts.welcome.format(name=staff.name))])

    def _answer_opener(
        self,
        session: Session,
        staff: StaffRecord,
        link_id: int,
        is_client: bool,
        language: str,
        now: datetime,
    ) -> DeskAnswer:
        """The counsellor's yes or no to who opened their invitation; the client hears of it."""
        texts = self.content.desk(language)
        invitations = InvitationRepository(session)
        if is_client:
            notice = invitations.confirm(staff.id, link_id, now)
        else:
            notice = invitations.refuse(staff.id, link_id, now)
        if notice is None:  # pressed twice, or the client has gone since
            return DeskAnswer([Say(texts.opener_gone)])
        log.info(
            "counsellor %s %s link %s", staff.id, "confirmed" if is_client else "refused", link_id
        )
        ui = self.content.ui(notice.language)
        if is_client:
            sections = section_list(
                requests.screens_for(self.content, language, self.timezone, now), notice.sections
            )
            reply = texts.client_linked.format(name=notice.client_name, sections=sections)
            told = ui.link_confirmed.format(counsellor=notice.counsellor)
        else:
            reply = texts.opener_refused
            told = ui.link_refused.format(counsellor=notice.counsellor)
        to_client = []
        if notice.channel == "telegram":  # the terminal chat has no counsellors to link with
            chat = Address(notice.channel, notice.external_id, notice.client_id)
            to_client.append(outgoing(chat, Message(told)))
        return DeskAnswer([Say(reply)], to_clients=to_client)


def _chat_of(staff: StaffRecord) -> Address:
    """A counsellor's desk is their private chat with the bot."""
    return Address("telegram", str(staff.telegram_id))
