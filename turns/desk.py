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
from storage.outbox import OutboxRepository
from turns.outbox import Address, Letter, Message, outgoing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Export:
    """A summary to attach to the client record, as files."""

    document: Document
    name: str  # the file name without extension
    caption: str


@dataclass(frozen=True)
class Digest:
    telegram_id: int
    document: Document


@dataclass(frozen=True)
class DeskTurn:
    language: str
    messages: list[Say] = field(default_factory=list)
    summary: Document | None = None
    network_map: ShowNetworkMap | None = None  # sent as a photo after the summary
    export: Export | None = None
    letters: list[Letter] = field(default_factory=list)  # to clients' chats, in the outbox


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

    def digest(self, staff_id: int, start: datetime, now: datetime) -> Digest | None:
        """The weekly digest of a counsellor, or None when there is nothing to send (no longer
        an active counsellor, or no linked clients). Each client in it is an audited look."""
        with self.sessions.begin() as session:
            staff = StaffRepository(session).get(staff_id)
            if staff is None or not staff.active or not staff.is_counsellor:
                return None
            files = CaseFileRepository(session, staff.id)
            cases = [
                files.case_file(line.client_id, LookKind.DIGEST, now) for line in files.clients(now)
            ]
        document = digest(self.content, cases, staff.language, start, now, self.timezone)
        return None if document is None else Digest(staff.telegram_id, document)

    def handle(
        self,
        staff: StaffRecord,
        event: Event,
        now: datetime,
        language_hint: str | None,
        update_id: int | None = None,
    ) -> DeskTurn:
        code = (language_hint or "").split("-")[0].lower()
        language = code if code in self.content.languages else staff.language
        texts = self.content.desk(language)
        if not staff.active:
            return DeskTurn(language, [Say(texts.inactive)])
        request = requests.read(event)
        with self.sessions.begin() as session:
            if update_id is not None and not UpdateRepository(session).first_time(update_id, now):
                return DeskTurn(language)  # delivered again: done the first time
            if language != staff.language:
                StaffRepository(session).set_language(staff.id, language)
            files = CaseFileRepository(session, staff.id)
            try:
                return self._answer(session, staff, files, request, language, now)
            except AccessDenied as denied:
                # A forged button or another counsellor's client id: refused, and logged.
                log.warning("counsellor %s refused: %s", staff.id, denied)
                return DeskTurn(language, [Say(texts.no_access)])

    def _answer(
        self,
        session: Session,
        staff: StaffRecord,
        files: CaseFileRepository,
        request: requests.DeskRequest,
        language: str,
        now: datetime,
    ) -> DeskTurn:
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
                return DeskTurn(language, [Say(text)])
            case requests.ShowClients(for_export=for_export):
                lines = files.clients(now)
                say = requests.client_list(
                    self.content, language, self.timezone, lines, now, for_export=for_export
                )
                return DeskTurn(language, [say])
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
                return DeskTurn(language, summary=document, network_map=photo)
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
                return DeskTurn(language, export=export)
        return DeskTurn(language, [Say(texts.welcome.format(name=staff.name))])

    def _answer_opener(
        self,
        session: Session,
        staff: StaffRecord,
        link_id: int,
        is_client: bool,
        language: str,
        now: datetime,
    ) -> DeskTurn:
        """The counsellor's yes or no to who opened their invitation; the client hears of it."""
        texts = self.content.desk(language)
        invitations = InvitationRepository(session)
        if is_client:
            notice = invitations.confirm(staff.id, link_id, now)
        else:
            notice = invitations.refuse(staff.id, link_id, now)
        if notice is None:  # pressed twice, or the client has gone since
            return DeskTurn(language, [Say(texts.opener_gone)])
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
        letters = []
        if notice.channel == "telegram":  # the terminal chat has no counsellors to link with
            chat = Address(notice.channel, notice.external_id, notice.client_id)
            added = OutboxRepository(session).add([outgoing(chat, Message(told))], now)
            letters = [Letter.read(record) for record in added]
        return DeskTurn(language, [Say(reply)], letters=letters)
