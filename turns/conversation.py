"""One unit of work per event: load the client, step the engine, store, commit; then the
caller sends. Shared by Telegram and the terminal chat, so both behave the same."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from dialogs import (
    Answer,
    AnswerStatus,
    Dialog,
    Engine,
    Event,
    Output,
    State,
)
from dialogs import new_state as stranger_state
from dialogs.conversation import Part
from dialogs.engine.events import CodeEntered, CodeResult
from dialogs.engine.outputs import ReminderShown
from dialogs.engine.state import Profile, Screen
from storage import (
    AnswerRepository,
    ChatMessageRepository,
    ClientRecord,
    ClientRepository,
    ConversationRepository,
    Identity,
    InvitationRepository,
    LinkRepository,
    PlanRepository,
    ReminderRepository,
    StaffRecord,
    StaffRepository,
    StoredAnswer,
    UpdateRepository,
)
from storage.meetings import MeetingRepository
from storage.resources import ResourceRepository
from turns.outbox import Address, Letter, Pressed, alert_rows, client_rows, post
from turns.reminders import Changes
from turns.store import TurnStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Turn:
    """What one event led to: the outputs (already stored, with what they send in the outbox),
    the client's language, and the outbox rows for the channel to send after the commit."""

    outputs: list[Output]
    language: str
    client_id: int | None
    reminders: Changes = field(default_factory=Changes)
    letters: list[Letter] = field(default_factory=list)
    counsellor: StaffRecord | None = None  # the update is for this counsellor's desk

    @property
    def reminder_shown(self) -> bool:
        return any(isinstance(output, ReminderShown) for output in self.outputs)


class Conversations:
    def __init__(
        self,
        engine: Engine,
        sessions: sessionmaker[Session],
        *,
        default_language: str,
        default_timezone: str,
        default_quiet: tuple[str, str] = ("22:00", "08:00"),
        audit_key: bytes,
    ) -> None:
        self.engine = engine
        self.sessions = sessions
        self.default_language = default_language
        self.default_timezone = default_timezone
        self.default_quiet = default_quiet
        self.audit_key = audit_key  # an erased client's looks are kept under its hash

    def language_for(self, hint: str | None) -> str:
        """The language to greet a stranger in: theirs if we speak it, else the default."""
        code = (hint or "").split("-")[0].lower()
        return code if code in self.engine.content.languages else self.default_language

    def handle(
        self,
        identity: Identity,
        event: Event,
        now: datetime,
        *,
        language_hint: str | None = None,
        display_name: str | None = None,
        username: str | None = None,
        update_id: int | None = None,
        message_id: int | None = None,
        press: Pressed | None = None,
    ) -> Turn:
        """Step the engine for one event and commit everything it produced before returning:
        its records, and what it sends (to the client, to counsellors) as outbox rows.

        The reminder rows it changed are in the turn, for the clock to follow after the commit.
        `display_name` and `username` are the person's name and @username on the channel, shown
        to a counsellor whose invitation they opened. An update (`update_id`) delivered a
        second time has no effect at all. `message_id` is the id of the client's message in
        the chat, kept (never its text) so /wissen can delete it; `press` is the button press
        the event came from, to answer.
        """
        who = identity_key(identity)
        with self.sessions.begin() as session:
            staff = self._counsellor(session, identity)
            if staff is not None:
                # Their chat is the counsellor's desk: the caller hands the update over there
                # (which records it as processed), nothing of a client conversation happens.
                return Turn([], staff.language, None, counsellor=staff)
            if update_id is not None and not UpdateRepository(session).first_time(update_id, now):
                log.info("update %s was processed before: skipped", update_id)
                return Turn([], self.language_for(language_hint), None)
            clients = ClientRepository(session)
            record = clients.find(identity)
            if record is None:
                state = stranger_state(self.language_for(language_hint))
            else:
                state = self._state(session, record, event)
            code = self.engine.code_in(state, event)
            if code is not None:
                event = self._open_code(session, who, code, now)
            if _shows_invitation(state, event):
                state = replace(state, invitation=InvitationRepository(session).pending(who, now))

            new, outputs = self.engine.step(state, event, now)
            chat = Address(identity.channel, identity.external_id)
            if record is None and not new.dialog.consented:
                # Without consent nothing about the person is stored (the outbox row goes
                # once it is sent).
                rows = client_rows(chat, outputs, press=press, language=new.dialog.language)
                return Turn(outputs, new.dialog.language, None, letters=post(session, rows, now))
            if record is None:
                record = clients.create(
                    identity, language=new.dialog.language, timezone=self.default_timezone, now=now
                )
                log.info("client %s consented", record.id)
            # Kept before the outputs are performed, so /wissen deletes it too.
            if message_id is not None:
                ChatMessageRepository(session).remember(record.id, [message_id], now)
            store = TurnStore(
                session,
                record.id,
                now,
                identity=who,
                display_name=display_name,
                username=username,
                audit_key=self.audit_key,
            )
            changes = store.perform(outputs)
            language = new.dialog.language
            if store.forgotten:
                log.info("client %s erased at their request", record.id)
            else:
                chat = replace(chat, client_id=record.id)
                ConversationRepository(session).save(
                    record.id, new.dialog.model_dump(mode="json"), now
                )
                clients.touch(record.id, language=language, now=now)
            rows = client_rows(
                chat,
                outputs,
                press=press,
                hide=store.hide,
                my_data=store.my_data,
                language=language,
            )
            rows += alert_rows(self.engine.content, store.news, now, client=chat, language=language)
            letters = post(session, rows, now)
            client_id = None if store.forgotten else record.id
            return Turn(outputs, language, client_id, changes, letters)

    @staticmethod
    def _counsellor(session: Session, identity: Identity) -> StaffRecord | None:
        """The counsellor behind a Telegram account, active or not (the desk tells the
        inactive ones so); looked up in the update's own transaction."""
        if identity.channel != "telegram" or not identity.external_id.isdigit():
            return None
        staff = StaffRepository(session).find(int(identity.external_id))
        return staff if staff is not None and staff.is_counsellor else None

    def _open_code(self, session: Session, who: str, code: str, now: datetime) -> CodeEntered:
        """An invitation code checked against the stored hashes, attempts counted; the engine
        hears only how it went."""
        opened = InvitationRepository(session).open(code, who, now)
        wait = 0
        if opened.retry_at is not None:
            wait = max(1, math.ceil((opened.retry_at - now).total_seconds() / 60))
        log.info("invitation code by %s: %s", who.partition(":")[0], opened.status.value)
        return CodeEntered(CodeResult(opened.status.value), wait)

    def _state(self, session: Session, record: ClientRecord, event: Event) -> State:
        """What the engine needs to know about a client for this event (`Engine.needs`),
        read in this transaction."""
        raw = ConversationRepository(session).load(record.id)
        dialog = self._dialog(record.id, raw, record.language)
        quiet_start, quiet_end = self.default_quiet
        profile = Profile(
            timezone=record.timezone,
            quiet_start=record.quiet_start or quiet_start,
            quiet_end=record.quiet_end or quiet_end,
            unreachable=record.unreachable_at is not None,
        )
        missed = ReminderRepository(session).missed_untold(record.id)
        state = State(
            dialog,
            _answers(AnswerRepository(session).current(record.id)),
            profile=profile,
            missed=tuple(dict.fromkeys(reminder.step for reminder in missed)),
        )
        needs = self.engine.needs(dialog, event)
        if Part.PLAN in needs:
            plans = PlanRepository(session)
            state = replace(
                state,
                goals=tuple(map(TurnStore.goal, plans.goals(record.id))),
                steps=tuple(map(TurnStore.step, plans.steps(record.id))),
                reflections=plans.reflection_count(record.id),
            )
        if Part.LINKS in needs:
            links = LinkRepository(session)
            state = replace(
                state,
                links=tuple(links.for_client(record.id)),
                looks=tuple(links.looks(record.id)),
            )
        if Part.RESOURCES in needs:
            resources = ResourceRepository(session).all(record.id)
            state = replace(
                state,
                resources=tuple(TurnStore.resource(r) for r in resources if r.active),
                last_resource=max((r.number for r in resources), default=0),
            )
        if Part.PROPOSALS in needs:
            state = replace(state, proposals=MeetingRepository(session).pending(record.id))
        return state

    def _dialog(self, client_id: int, raw: Mapping[str, object] | None, language: str) -> Dialog:
        if raw is not None:
            try:
                return Dialog.model_validate(raw)
            except ValidationError:
                # A state written by an older version: keep the answers, restart the dialog.
                log.warning("client %s: stored dialog state unreadable, starting fresh", client_id)
        return Dialog(language=language, consented=True)


def _shows_invitation(state: State, event: Event) -> bool:
    """Whether this update may show or answer an opened invitation: to a stranger, after a
    code, on the invitation screen. Every other update skips looking for one."""
    dialog = state.dialog
    return (
        not dialog.consented or isinstance(event, CodeEntered) or dialog.screen is Screen.INVITATION
    )


def identity_key(identity: Identity) -> str:
    """One string for whom an invitation was opened by, e.g. "telegram:12345"."""
    return f"{identity.channel}:{identity.external_id}"


def _answers(stored: Mapping[str, StoredAnswer]) -> dict[str, Answer]:
    return {
        key: Answer(AnswerStatus(row.status), row.text, row.choices) for key, row in stored.items()
    }
