"""The outbox's units of work: which rows are due, and what came of sending them.

What the channel reports is written in one transaction for many rows at once (sending goes on
meanwhile), with what follows from it: a client who blocked the bot has their reminders
paused; a counsellor's alert that reached them marks the message it carried delivered; one
that could not reach them tells the client the truth at once and is tried again later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage import ChatMessageRepository, ClientRepository, LinkRepository, ReminderRepository
from storage.meetings import MeetingRepository
from storage.outbox import FailMark, NewOutgoing, OutboxRepository, SentMark
from turns.outbox import (
    Address,
    Alert,
    Deletion,
    Letter,
    Message,
    Private,
    Timer,
    outgoing,
    post,
)

# A send that failed (the network, Telegram away, the counsellor unreachable) is tried again
# after this long, then twice as long each time, up to RETRY_MAX.
RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)


@dataclass(frozen=True)
class Sent:
    letter: Letter
    message_ids: tuple[int, ...]
    uncertain: int = 0  # tries that timed out first: they may have arrived as well


@dataclass(frozen=True)
class Failed:
    """A try that did not work. `blocked`: the chat refuses the bot (it was blocked, or the
    person never started it); `lasting`: trying again cannot help (Telegram refused the call)."""

    letter: Letter
    reason: str
    blocked: bool = False
    lasting: bool = False
    uncertain: int = 0


Outcome = Sent | Failed


@dataclass
class Recorded:
    """What follows from recorded outcomes, for the channel: rows to send now (a client told
    that their counsellor could not be reached), reminders paused (their wake-ups go)."""

    letters: list[Letter] = field(default_factory=list)
    paused: list[int] = field(default_factory=list)


def retry_after(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed try a row is tried again."""
    first: timedelta = RETRY_FIRST * 2 ** max(attempts - 1, 0)
    return min(first, RETRY_MAX)


class Deliveries:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def due(self, channel: str, now: datetime, in_hand: Sequence[int]) -> list[Letter]:
        """Pending rows of `channel` whose time has come (after a restart: every one that was
        not sent), oldest first, but those already in hand."""
        with self.sessions.begin() as session:
            records = OutboxRepository(session).due(now, channel=channel, leave_out=in_hand)
        return [Letter.read(record) for record in records]

    def deletable(self, letter: Letter, payload: Deletion) -> list[int]:
        """The ids a deletion takes: those known when /wissen was asked, and the chat's
        messages that were still waiting then and went out since."""
        with self.sessions.begin() as session:
            later = OutboxRepository(session).sent_in_chat_since(
                letter.channel, letter.chat, before=letter.id, since=letter.created_at
            )
        return sorted({*payload.message_ids, *later})

    def record(self, outcomes: Sequence[Outcome], now: datetime) -> Recorded:
        """Write what came of these sends, with what follows from it, in one transaction."""
        recorded = Recorded()
        with self.sessions.begin() as session:
            outbox = OutboxRepository(session)
            sent = [o for o in outcomes if isinstance(o, Sent)]
            outbox.mark_sent([SentMark(o.letter.id, o.message_ids, o.uncertain) for o in sent], now)
            carried = [
                o.letter.payload.delivers
                for o in sent
                if isinstance(o.letter.payload, Alert) and o.letter.payload.delivers is not None
            ]
            LinkRepository(session).mark_delivered(carried, now)
            follow = [] if not sent else self._after_sent(session, sent)
            marks, told = [], []
            for failure in (o for o in outcomes if isinstance(o, Failed)):
                letter, payload = failure.letter, failure.letter.payload
                retry_at: datetime | None = now + retry_after(letter.attempts + 1)
                if isinstance(payload, Alert):
                    # A counsellor can unblock the bot or come back online: keep trying, and
                    # the first time tell the client the truth.
                    if letter.attempts == 0 and payload.if_unreachable is not None:
                        told.append(payload.if_unreachable)
                elif failure.blocked or failure.lasting:
                    retry_at = None
                    if isinstance(payload, Private):  # the group hears it did not go
                        follow.append(
                            outgoing(Address(letter.channel, payload.group), payload.failed)
                        )
                if failure.blocked and not isinstance(payload, Alert):
                    if isinstance(payload, Message) and payload.reminder is not None:
                        recorded.paused += ReminderRepository(session).not_delivered(
                            payload.reminder
                        )
                    recorded.paused += self._unreachable(session, letter.client_id, now)
                marks.append(FailMark(letter.id, failure.reason, retry_at, failure.uncertain))
            outbox.mark_failed(marks, now)
            rows = [
                outgoing(Address(f.channel, f.chat, f.client_id), Message(f.text)) for f in told
            ]
            recorded.letters = post(session, rows + follow, now)
        return recorded

    @staticmethod
    def _after_sent(session: Session, sent: Sequence[Sent]) -> list[NewOutgoing]:
        """What follows from a team meeting's sends: the timer's message remembered for its
        next edit, a group told that a private message went out."""
        follow = []
        for outcome in sent:
            letter, payload = outcome.letter, outcome.letter.payload
            if isinstance(payload, Timer) and outcome.message_ids:
                MeetingRepository(session).set_timer_message(
                    payload.meeting, outcome.message_ids[-1]
                )
            elif isinstance(payload, Private):
                follow.append(outgoing(Address(letter.channel, payload.group), payload.sent))
        return follow

    @staticmethod
    def _unreachable(session: Session, client_id: int | None, now: datetime) -> list[int]:
        """The client blocked the bot: their reminders wait until they write again."""
        if client_id is None:
            return []
        ClientRepository(session).mark_unreachable(client_id, now)
        return ReminderRepository(session).pause_client(client_id)

    def prune(self, now: datetime) -> None:
        """Forget what can no longer be deleted from a chat, and old failures."""
        with self.sessions.begin() as session:
            OutboxRepository(session).prune(now)
            ChatMessageRepository(session).prune(now)
