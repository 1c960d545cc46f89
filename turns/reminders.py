"""The units of work of the reminder clock: which reminders go on the clock, claiming one just
before it goes out, and writing back how it went. The clock (`reminders/`) only wakes up and
paces; every transaction it needs is here, next to the other units of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from storage import ClientRepository, Identity, ReminderRecord, ReminderRepository


class Outcome(StrEnum):
    SENT = "sent"  # the message went out
    SETTLED = "settled"  # nothing to send (the step is closed, or it moved out of quiet hours)
    BLOCKED = "blocked"  # the client blocked the bot: pause, never retry on our own
    FAILED = "failed"  # Telegram or the network failed after retries: try again later


@dataclass
class Changes:
    """Reminder rows a unit of work created or cancelled, for the clock to follow."""

    scheduled: list[tuple[int, datetime]] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.scheduled or self.cancelled)


@dataclass(frozen=True)
class ClaimedReminder:
    """A reminder claimed to go out, and whom it is for on their channel (None: the client
    was erased), both read in the claim's own transaction."""

    record: ReminderRecord
    identity: Identity | None

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def client_id(self) -> int:
        return self.record.client_id


class ReminderWork:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def for_start(
        self, now: datetime, grace: timedelta, lease: timedelta, until: datetime
    ) -> tuple[list[tuple[int, datetime]], list[int]]:
        """At start-up: the reminders due by `until` (with those a dead process claimed), and
        those missed too long ago, marked missed."""
        with self.sessions.begin() as session:
            return ReminderRepository(session).due_for_start(now, grace, lease, until)

    def due_between(
        self, after: datetime, until: datetime, now: datetime, grace: timedelta
    ) -> list[tuple[int, datetime]]:
        """The reminders due in (after, until]; those already too late are marked missed."""
        with self.sessions.begin() as session:
            repository = ReminderRepository(session)
            due = repository.due_between(after, until)
            # Only when the sweep itself came very late (a suspended machine).
            late = [i for i, due_at in due if due_at < now - grace]
            if late:
                repository.mark_missed(late)
        return [(i, due_at) for i, due_at in due if due_at >= now - grace]

    def mark_missed(self, reminder_ids: list[int]) -> None:
        with self.sessions.begin() as session:
            ReminderRepository(session).mark_missed(reminder_ids)

    def claim(self, reminder_id: int, now: datetime) -> ClaimedReminder | None:
        """The reminder, now ours to send; None if another process (or wake-up) has it."""
        with self.sessions.begin() as session:
            repository = ReminderRepository(session)
            if not repository.claim(reminder_id, now):
                return None
            record = repository.get(reminder_id)
            if record is None:
                return None
            client = ClientRepository(session).get(record.client_id)
            identity = None if client is None else Identity(client.channel, client.external_id)
            return ClaimedReminder(record, identity)

    def settle(self, claimed: ClaimedReminder, outcome: Outcome, now: datetime) -> list[int]:
        """Write the outcome to the row; the ids of reminders paused with it (blocked)."""
        record = claimed.record
        paused: list[int] = []
        with self.sessions.begin() as session:
            repository = ReminderRepository(session)
            match outcome:
                case Outcome.SENT:
                    repository.mark_sent(record.id, now)
                case Outcome.BLOCKED:
                    repository.settle(record.id, "paused")
                    # A follow-up to a reminder that never arrived would make no sense.
                    cancelled = repository.cancel_follow_ups(record.client_id, record.step)
                    paused = [*repository.pause_client(record.client_id), *cancelled]
                    ClientRepository(session).mark_unreachable(record.client_id, now)
                case Outcome.FAILED:
                    repository.release(record.id)
                case Outcome.SETTLED:
                    pass
        return paused
