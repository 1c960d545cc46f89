"""The reminder lifecycle: schedule, wake up, claim, deliver, settle.

The database row is the truth; the clock only wakes us. A wake-up claims its row with one
conditional update (scheduled -> sending), so a reminder goes out once even when two processes
share the database, or a timer fires twice. Whatever happens next is written back to the row.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from storage import ClientRepository, ReminderRecord, ReminderRepository

log = logging.getLogger(__name__)
Claimed = TypeVar("Claimed")


class Clock(Protocol):
    """What wakes the service up: PTB's JobQueue in the bot, a manual clock in tests."""

    def now(self) -> datetime: ...

    def wake_at(self, when: datetime, name: str, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` at `when`; a second call with the same name replaces the first."""

    def cancel(self, name: str) -> None: ...


class Outcome(StrEnum):
    SENT = "sent"  # the message went out
    SETTLED = "settled"  # nothing to send (the step is closed, or it moved out of quiet hours)
    BLOCKED = "blocked"  # the client blocked the bot: pause, never retry on our own
    FAILED = "failed"  # Telegram or the network failed after retries: try again later


Deliver = Callable[[ReminderRecord], Awaitable[Outcome]]


@dataclass
class Changes:
    """Reminder rows a unit of work created or cancelled, for the clock to follow."""

    scheduled: list[tuple[int, datetime]] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.scheduled or self.cancelled)


async def deliver_safely(
    deliver: Callable[[Claimed], Awaitable[Outcome]], record: Claimed, what: str
) -> Outcome:
    """Deliver a claimed row; a failure is logged (what, never content) and counts as FAILED,
    so the row is tried again instead of being lost."""
    try:
        return await deliver(record)
    except Exception:
        log.exception("%s could not be delivered", what)
        return Outcome.FAILED


def job_name(reminder_id: int) -> str:
    return f"reminder-{reminder_id}"


class Dispatcher(Generic[Claimed]):
    """What reminders and digests share: rows the clock wakes us for, claimed by one process,
    delivered, and tried again after a failure."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        deliver: Callable[[Claimed], Awaitable[Outcome]],
        *,
        lease: timedelta = timedelta(minutes=10),
        retry_after: timedelta = timedelta(minutes=5),
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.deliver = deliver
        self.lease = lease  # a claim older than this belonged to a process that died
        self.retry_after = retry_after

    def job(self, row_id: int) -> str:
        raise NotImplementedError

    async def fire(self, row_id: int) -> Outcome | None:
        raise NotImplementedError

    def _wake(self, row_id: int, due_at: datetime) -> None:
        async def fire() -> None:
            await self.fire(row_id)

        self.clock.wake_at(max(due_at, self.clock.now()), self.job(row_id), fire)


class ReminderService(Dispatcher[ReminderRecord]):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        deliver: Deliver,
        *,
        grace: timedelta,
        lease: timedelta = timedelta(minutes=10),
        retry_after: timedelta = timedelta(minutes=5),
    ) -> None:
        super().__init__(sessions, clock, deliver, lease=lease, retry_after=retry_after)
        self.grace = grace

    def job(self, row_id: int) -> str:
        return job_name(row_id)

    def start(self) -> int:
        """Schedule every pending reminder; those missed too long ago are marked missed (the
        client hears of them at their next message). Returns how many were scheduled."""
        now = self.clock.now()
        with self.sessions.begin() as session:
            pending, missed = ReminderRepository(session).due_for_start(now, self.grace, self.lease)
        for reminder_id, due_at in pending:
            self._wake(reminder_id, due_at)
        log.info("reminders: %d scheduled, %d missed while down", len(pending), len(missed))
        return len(pending)

    def follow(self, changes: Changes) -> None:
        """Make the clock match what a committed unit of work did to reminder rows."""
        for reminder_id in changes.cancelled:
            self.clock.cancel(job_name(reminder_id))
        late = [(i, due) for i, due in changes.scheduled if due < self.clock.now() - self.grace]
        if late:
            # Resumed after a long time unreachable: too late to be useful, so told instead.
            with self.sessions.begin() as session:
                ReminderRepository(session).mark_missed([i for i, _ in late])
        for reminder_id, due_at in changes.scheduled:
            if (reminder_id, due_at) not in late:
                self._wake(reminder_id, due_at)

    async def fire(self, reminder_id: int) -> Outcome | None:
        """Claim the reminder and deliver it; None if another process (or an earlier wake-up)
        has it. Never raises: a failure is logged and the reminder is tried again later."""
        now = self.clock.now()
        with self.sessions.begin() as session:
            repository = ReminderRepository(session)
            if not repository.claim(reminder_id, now):
                return None
            record = repository.get(reminder_id)
        assert record is not None
        what = f"reminder {record.id} (client {record.client_id})"
        outcome = await deliver_safely(self.deliver, record, what)
        self._settle(record, outcome)
        return outcome

    def _settle(self, record: ReminderRecord, outcome: Outcome) -> None:
        now = self.clock.now()
        paused: Iterable[int] = ()
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
        if outcome is Outcome.BLOCKED:
            log.info("client %s blocked the bot: reminders paused", record.client_id)
            for reminder_id in paused:
                self.clock.cancel(job_name(reminder_id))
        elif outcome is Outcome.FAILED:
            self._wake(record.id, now + self.retry_after)
