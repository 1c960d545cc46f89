"""The reminder lifecycle: schedule, wake up, claim, deliver, settle.

The database row is the truth; the clock only wakes us. A wake-up claims its row with one
conditional update (scheduled -> sending), so a reminder goes out once even when two processes
share the database, or a timer fires twice. Whatever happens next is written back to the row.

Only reminders due within a horizon (the coming week) are on the clock: a sweep every hour puts
the next ones on it as the horizon moves on, so start-up time and memory do not grow with every
reminder planned for the months ahead. Wake-ups that come due together (everyone's reminder at
09:00) take turns: a few at a time claim, deliver and settle, paced a little under Telegram's
limit. So a row is claimed only just before it can go out (a crash leaves a few rows to take
back, not thousands), a client who writes meanwhile is not queued behind every reminder, and
Telegram never answers 429. The database is used from worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from turns.reminders import Changes, ClaimedReminder, Outcome, ReminderWork

log = logging.getLogger(__name__)
Claimed = TypeVar("Claimed")
SWEEP_JOB = "sweep-reminders"  # the wake-up that puts the next reminders on the clock
HORIZON = timedelta(days=7)  # reminders due within this are on the clock
SWEEP_EVERY = timedelta(hours=1)  # well within the horizon: on the clock days before they are due
CONCURRENCY = 4  # wake-ups that claim and deliver at the same time
# Deliveries a second at most. Telegram takes about 30 messages a second from a bot: reminders
# leave some of that to the replies for clients who write meanwhile, and never push Telegram to
# its limit, where a message that comes a moment early is refused (429) and everything waits.
PACE = 28.0


# What time it is: `utc_now` in the bot, a clock the test moves by hand in tests.
Now = Callable[[], datetime]


class WakeClock(Protocol):
    """What wakes a service up: PTB's JobQueue in the bot, a manual clock in tests."""

    def now(self) -> datetime: ...

    def wake_at(self, when: datetime, name: str, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` at `when`; a second call with the same name replaces the first."""

    def cancel(self, name: str) -> None: ...


Deliver = Callable[[ClaimedReminder], Awaitable[Outcome]]


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


def _span(length: timedelta) -> str:
    days, rest = divmod(length, timedelta(days=1))
    return f"{days} days" if not rest else str(length)


def job_name(reminder_id: int) -> str:
    return f"reminder-{reminder_id}"


class Pacer:
    """Evenly spaced turns: at most `rate` a second (None: no limit). Real time, not the
    clock's: it is about how fast messages go out, not when they are due."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1 / rate if rate else 0.0
        self.next_turn = 0.0

    async def turn(self) -> None:
        if not self.interval:
            return
        now = asyncio.get_running_loop().time()
        turn = max(now, self.next_turn)
        self.next_turn = turn + self.interval
        if turn > now:
            await asyncio.sleep(turn - now)


class Dispatcher(Generic[Claimed]):
    """What reminders and digests share: rows the clock wakes us for, claimed by one process,
    delivered, and tried again after a failure."""

    def __init__(
        self,
        clock: WakeClock,
        deliver: Callable[[Claimed], Awaitable[Outcome]],
        *,
        lease: timedelta = timedelta(minutes=10),
        retry_after: timedelta = timedelta(minutes=5),
        concurrency: int = CONCURRENCY,
        pace: float | None = None,
    ) -> None:
        self.clock = clock
        self.deliver = deliver
        self.lease = lease  # a claim older than this belonged to a process that died
        self.retry_after = retry_after
        # Wake-ups due together wait for one of these before they claim their row.
        self.slots = asyncio.Semaphore(concurrency)
        self.pacer = Pacer(pace)

    def job(self, row_id: int) -> str:
        raise NotImplementedError

    async def fire(self, row_id: int) -> Outcome | None:
        raise NotImplementedError

    def _wake(self, row_id: int, due_at: datetime) -> None:
        async def fire() -> None:
            async with self.slots:
                await self.pacer.turn()
                await self.fire(row_id)

        self.clock.wake_at(max(due_at, self.clock.now()), self.job(row_id), fire)


class ReminderService(Dispatcher[ClaimedReminder]):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: WakeClock,
        deliver: Deliver,
        *,
        grace: timedelta,
        lease: timedelta = timedelta(minutes=10),
        retry_after: timedelta = timedelta(minutes=5),
        horizon: timedelta = HORIZON,
        sweep_every: timedelta = SWEEP_EVERY,
        concurrency: int = CONCURRENCY,
        pace: float | None = PACE,
    ) -> None:
        super().__init__(
            clock,
            deliver,
            lease=lease,
            retry_after=retry_after,
            concurrency=concurrency,
            pace=pace,
        )
        self.work = ReminderWork(sessions)
        if sweep_every >= horizon:
            raise ValueError("the sweep must come more often than the horizon is long")
        self.grace = grace
        self.horizon = horizon
        self.sweep_every = sweep_every
        # Every scheduled reminder due by this moment is on the clock (save those another
        # process made after our sweep: they are on its clock); None before start: all are.
        self.loaded_until: datetime | None = None

    def job(self, row_id: int) -> str:
        return job_name(row_id)

    def start(self) -> int:
        """Put the pending reminders due within the horizon on the clock, and the sweep that
        brings the later ones; those missed too long ago are marked missed (the client hears
        of them at their next message). Returns how many were put on the clock."""
        now = self.clock.now()
        self.loaded_until = until = now + self.horizon
        pending, missed = self.work.for_start(now, self.grace, self.lease, until)
        for reminder_id, due_at in pending:
            self._wake(reminder_id, due_at)
        self.clock.wake_at(now + self.sweep_every, SWEEP_JOB, self._sweep_job)
        log.info(
            "reminders: %d scheduled, %d missed while down (on the clock: those due within %s;"
            " later ones come with the sweep)",
            len(pending),
            len(missed),
            _span(self.horizon),
        )
        return len(pending)

    async def _sweep_job(self) -> None:
        await self.sweep()

    async def sweep(self) -> int:
        """Put the reminders that came within the horizon since the last sweep on the clock;
        how many. The next sweep is set first, so a failing one is tried again."""
        now = self.clock.now()
        self.clock.wake_at(now + self.sweep_every, SWEEP_JOB, self._sweep_job)
        after = self.loaded_until if self.loaded_until is not None else now
        until = now + self.horizon
        if until <= after:
            return 0
        # Moved on before the query: a reminder committed meanwhile, which the query may not
        # see, is then put on the clock by `follow` (at worst both do it: the same wake-up).
        self.loaded_until = until
        try:
            due = await asyncio.to_thread(self.work.due_between, after, until, now, self.grace)
        except SQLAlchemyError as error:
            self.loaded_until = after
            log.warning("reminder sweep failed (%s); trying again", type(error).__name__)
            return 0
        for reminder_id, due_at in due:
            self._wake(reminder_id, due_at)
        return len(due)

    def follow(self, changes: Changes) -> None:
        """Make the clock match what a committed unit of work did to reminder rows: those
        due within the horizon go on it now, later ones come with the sweep."""
        for reminder_id in changes.cancelled:
            self.clock.cancel(job_name(reminder_id))
        late = [(i, due) for i, due in changes.scheduled if due < self.clock.now() - self.grace]
        if late:
            # Resumed after a long time unreachable: too late to be useful, so told instead.
            self.work.mark_missed([i for i, _ in late])
        for reminder_id, due_at in changes.scheduled:
            if (reminder_id, due_at) not in late and self._within_horizon(due_at):
                self._wake(reminder_id, due_at)

    def _within_horizon(self, due_at: datetime) -> bool:
        return self.loaded_until is None or due_at <= self.loaded_until

    async def fire(self, reminder_id: int) -> Outcome | None:
        """Claim the reminder and deliver it; None if another process (or an earlier wake-up)
        has it. Never raises: a failure is logged and the reminder is tried again later."""
        now = self.clock.now()
        try:
            record = await asyncio.to_thread(self.work.claim, reminder_id, now)
        except SQLAlchemyError as error:
            log.warning("reminder %s not claimed (%s): later", reminder_id, type(error).__name__)
            self._wake(reminder_id, now + self.retry_after)
            return None
        if record is None:
            return None
        what = f"reminder {record.id} (client {record.client_id})"
        outcome = await deliver_safely(self.deliver, record, what)
        try:
            paused = await asyncio.to_thread(self.work.settle, record, outcome, self.clock.now())
        except SQLAlchemyError:
            # The row stays 'sending'; after the lease a restart takes it back.
            log.exception("%s: outcome %s not stored", what, outcome.value)
            return outcome
        if outcome is Outcome.BLOCKED:
            log.info("client %s blocked the bot: reminders paused", record.client_id)
            for paused_id in paused:
                self.clock.cancel(job_name(paused_id))
        elif outcome is Outcome.FAILED:
            self._wake(record.id, self.clock.now() + self.retry_after)
        return outcome
