"""The reminder lifecycle with a clock moved by hand: due, moved, cancelled, missed while down,
two processes racing, a blocked client, a failed send; only the coming week on the clock, the
sweep bringing the rest, wake-ups due together taking turns. The database decides, never the
timer."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from reminders import SWEEP_JOB, Changes, Outcome, ReminderService, job_name
from reminders.service import Pacer
from storage import (
    ClientRepository,
    Identity,
    PlanRepository,
    ReminderRepository,
)
from storage.models import Reminder
from tests.conftest import Clock
from tests.reminders.clock import ManualClock
from tests.storage.rows import add_step
from turns.reminders import ClaimedReminder

GRACE = timedelta(hours=12)


class Postman:
    """Delivers reminders by writing them down; answers with the outcome it is told to."""

    def __init__(self) -> None:
        self.delivered: list[int] = []
        self.outcomes: list[Outcome] = []
        self.fail_with: Exception | None = None

    async def __call__(self, reminder: ClaimedReminder) -> Outcome:
        if self.fail_with is not None:
            raise self.fail_with
        self.delivered.append(reminder.id)
        return self.outcomes.pop(0) if self.outcomes else Outcome.SENT


@pytest.fixture
def postman() -> Postman:
    return Postman()


@pytest.fixture
def client_id(sessions: sessionmaker[Session], clock: Clock) -> int:
    """A client with one goal and two steps."""
    with sessions.begin() as session:
        client = ClientRepository(session).create(
            Identity("telegram", "1001"), language="nl", timezone="Europe/Amsterdam", now=clock()
        )
        plans = PlanRepository(session)
        plans.save_goal(client.id, 1, text="Een eigen kamer", domain=None, why=None, now=clock())
        for number in (1, 2):
            add_step(plans, client.id, number, clock(), due=date(2026, 12, 4))
        return client.id


def schedule(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, hours: float, step: int = 1
) -> int:
    with sessions.begin() as session:
        due = clock() + timedelta(hours=hours)
        return ReminderRepository(session).schedule(client_id, step, "step", due, clock())


def status(sessions: sessionmaker[Session], reminder_id: int) -> str:
    with sessions.begin() as session:
        record = ReminderRepository(session).get(reminder_id)
    assert record is not None
    return record.status


def service(
    sessions: sessionmaker[Session],
    clock: Clock,
    postman: Postman,
    *,
    concurrency: int = 4,
    pace: float | None = None,
) -> tuple[ReminderService, ManualClock]:
    wakeups = ManualClock(clock)
    reminders = ReminderService(
        sessions, wakeups, postman, grace=GRACE, concurrency=concurrency, pace=pace
    )
    return reminders, wakeups


async def test_a_reminder_goes_out_when_due_and_only_then(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=2)
    reminders, wakeups = service(sessions, clock, postman)
    assert reminders.start() == 1
    assert await wakeups.run_due() == 0
    clock.advance(hours=2)
    assert await wakeups.run_due() == 1
    assert postman.delivered == [reminder]
    assert status(sessions, reminder) == "sent"
    assert await wakeups.run_due() == 0  # once, and the row says so
    assert await reminders.fire(reminder) is None


async def test_a_moved_reminder_wakes_at_its_new_time(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    old = schedule(sessions, client_id, clock, hours=1)
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    with sessions.begin() as session:
        repository = ReminderRepository(session)
        cancelled = repository.cancel_for_step(client_id, 1)
        new_due = clock() + timedelta(hours=5)
        new = repository.schedule(client_id, 1, "step", new_due, clock())
    reminders.follow(Changes(scheduled=[(new, new_due)], cancelled=cancelled))
    assert wakeups.when(job_name(old)) is None
    assert wakeups.when(job_name(new)) == new_due
    clock.advance(hours=5)
    await wakeups.run_due()
    assert postman.delivered == [new]
    assert status(sessions, old) == "cancelled"


async def test_a_cancelled_reminder_is_never_sent_even_if_its_timer_fires(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=1)
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    with sessions.begin() as session:
        ReminderRepository(session).cancel_for_step(client_id, 1)
    clock.advance(hours=1)
    await wakeups.run_due()  # the timer was not told; the claim refuses
    assert postman.delivered == []
    assert status(sessions, reminder) == "cancelled"


@pytest.mark.parametrize(("late_hours", "sent"), [(1, True), (11.9, True), (12.1, False)])
async def test_missed_while_down_is_sent_within_the_grace_period_else_told(
    sessions: sessionmaker[Session],
    client_id: int,
    clock: Clock,
    postman: Postman,
    late_hours: float,
    sent: bool,
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=0)
    clock.advance(hours=late_hours)  # the bot was down
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    await wakeups.run_due()
    assert postman.delivered == ([reminder] if sent else [])
    assert status(sessions, reminder) == ("sent" if sent else "missed")
    with sessions.begin() as session:
        untold = ReminderRepository(session).missed_untold(client_id)
    assert [r.id for r in untold] == ([] if sent else [reminder])


async def test_two_processes_send_a_reminder_once(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    reminders = [schedule(sessions, client_id, clock, hours=1) for _ in range(5)]
    first, first_clock = service(sessions, clock, postman)
    second, second_clock = service(sessions, clock, postman)
    first.start()
    second.start()
    clock.advance(hours=1)
    await second_clock.run_due()
    await first_clock.run_due()
    assert sorted(postman.delivered) == reminders


async def test_a_blocked_client_gets_their_reminders_paused_not_retried(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    first = schedule(sessions, client_id, clock, hours=1)
    second = schedule(sessions, client_id, clock, hours=30, step=2)
    postman.outcomes = [Outcome.BLOCKED]
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    clock.advance(hours=1)
    await wakeups.run_due()
    assert status(sessions, first) == "paused"
    assert status(sessions, second) == "paused"
    assert set(wakeups.timers) == {SWEEP_JOB}  # nothing left to wake
    with sessions.begin() as session:
        record = ClientRepository(session).get(client_id)
    assert record is not None
    assert record.unreachable_at == clock()


async def test_a_failed_send_is_tried_again_later(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=1)
    postman.outcomes = [Outcome.FAILED]
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    clock.advance(hours=1)
    await wakeups.run_due()
    assert status(sessions, reminder) == "scheduled"
    assert wakeups.when(job_name(reminder)) == clock() + timedelta(minutes=5)
    clock.advance(minutes=5)
    await wakeups.run_due()
    assert postman.delivered == [reminder, reminder]
    assert status(sessions, reminder) == "sent"


async def test_an_exception_while_delivering_is_logged_and_retried(
    sessions: sessionmaker[Session],
    client_id: int,
    clock: Clock,
    postman: Postman,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=0)
    postman.fail_with = RuntimeError("boom")
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    assert await wakeups.run_due() == 1
    assert status(sessions, reminder) == "scheduled"
    assert f"reminder {reminder} (client {client_id}) could not be delivered" in caplog.text


async def test_a_reminder_left_sending_by_a_dead_process_goes_out_after_the_lease(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=0)
    with sessions.begin() as session:
        assert ReminderRepository(session).claim(reminder, clock())  # and then the process died
    clock.advance(minutes=11)
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    await wakeups.run_due()
    assert postman.delivered == [reminder]


async def test_a_reminder_resumed_long_after_its_time_is_told_not_sent(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=1)
    reminders, wakeups = service(sessions, clock, postman)
    clock.advance(days=3)
    reminders.follow(Changes(scheduled=[(reminder, clock() - timedelta(days=3, hours=-1))]))
    await wakeups.run_due()
    assert postman.delivered == []
    assert status(sessions, reminder) == "missed"


async def test_only_the_coming_week_is_on_the_clock_and_the_sweep_brings_the_rest_on_time(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    soon = schedule(sessions, client_id, clock, hours=6 * 24)
    later = schedule(sessions, client_id, clock, hours=20 * 24, step=2)
    reminders, wakeups = service(sessions, clock, postman)
    assert reminders.start() == 1
    assert set(wakeups.timers) == {job_name(soon), SWEEP_JOB}
    clock.advance(days=6)
    assert await wakeups.run_due() == 1
    assert wakeups.when(job_name(later)) is None  # still two weeks off: not yet on the clock
    clock.advance(days=7, hours=1)
    assert await wakeups.run_due() == 0  # swept in, not yet due
    assert wakeups.when(job_name(later)) == clock() + timedelta(days=6, hours=23)
    clock.advance(days=6, hours=22, minutes=59)
    assert await wakeups.run_due() == 0
    clock.advance(minutes=1)
    assert await wakeups.run_due() == 1
    assert postman.delivered == [soon, later]
    clock.advance(days=20)
    assert await wakeups.run_due() == 0  # nothing comes twice, however often it sweeps
    assert status(sessions, later) == "sent"


async def test_a_reminder_made_beyond_the_horizon_waits_for_the_sweep_one_within_goes_on_now(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    near = schedule(sessions, client_id, clock, hours=5 * 24)
    far = schedule(sessions, client_id, clock, hours=30 * 24, step=2)
    near_due, far_due = clock() + timedelta(days=5), clock() + timedelta(days=30)
    reminders.follow(Changes(scheduled=[(near, near_due), (far, far_due)]))
    assert wakeups.when(job_name(near)) == near_due
    assert wakeups.when(job_name(far)) is None
    for _ in range(30 * 24):  # a month, sweep after sweep
        clock.advance(hours=1)
        await wakeups.run_due()
    assert postman.delivered == [near, far]
    assert status(sessions, far) == "sent"


async def test_a_reminder_both_followed_and_swept_is_sent_once(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    # A turn commits a reminder while the sweep loads the same window: both put it on the
    # clock. Two processes sweeping one database do the same. The claim decides.
    first, first_clock = service(sessions, clock, postman)
    second, second_clock = service(sessions, clock, postman)
    first.start()
    second.start()
    reminder = schedule(sessions, client_id, clock, hours=7 * 24 + 0.5)
    due = clock() + timedelta(days=7, hours=0.5)
    clock.advance(hours=1)
    assert await first.sweep() == 1
    first.follow(Changes(scheduled=[(reminder, due)]))
    assert await second.sweep() == 1
    clock.advance(days=7)
    await first_clock.run_due()
    await second_clock.run_due()
    assert postman.delivered == [reminder]


async def test_a_cancelled_reminder_the_sweep_has_not_reached_never_goes_out(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=9 * 24)
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    with sessions.begin() as session:
        cancelled = ReminderRepository(session).cancel_for_step(client_id, 1)
    reminders.follow(Changes(cancelled=cancelled))
    clock.advance(days=10)
    await wakeups.run_due()
    assert postman.delivered == []
    assert status(sessions, reminder) == "cancelled"


async def test_a_failing_sweep_is_tried_again_and_loses_nothing(
    sessions: sessionmaker[Session],
    client_id: int,
    clock: Clock,
    postman: Postman,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=7 * 24 + 1.5)
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    load = reminders.work.due_between

    def unavailable(*args: object) -> list[tuple[int, object]]:
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    monkeypatch.setattr(reminders.work, "due_between", unavailable)
    clock.advance(hours=1)
    assert await reminders.sweep() == 0
    assert wakeups.when(SWEEP_JOB) == clock() + timedelta(hours=1)
    monkeypatch.setattr(reminders.work, "due_between", load)
    clock.advance(hours=1)
    await wakeups.run_due()
    assert wakeups.when(job_name(reminder)) is not None
    clock.advance(days=7)
    assert await wakeups.run_due() == 1
    assert postman.delivered == [reminder]


async def test_a_sweep_that_comes_too_late_tells_instead_of_sending(
    sessions: sessionmaker[Session], client_id: int, clock: Clock, postman: Postman
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=8 * 24)
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    clock.advance(days=10)  # the machine slept; the sweep wakes only now
    await wakeups.run_due()
    assert postman.delivered == []
    assert status(sessions, reminder) == "missed"


class SlowPostman(Postman):
    """Takes its time, so wake-ups due together overlap; notes how many rows were claimed."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        super().__init__()
        self.sessions = sessions
        self.in_flight = 0
        self.most_in_flight = 0
        self.most_claimed = 0

    async def __call__(self, reminder: ClaimedReminder) -> Outcome:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        with self.sessions() as session:
            claimed = session.scalar(
                select(func.count()).where(Reminder.status == "sending").select_from(Reminder)
            )
        self.most_claimed = max(self.most_claimed, claimed or 0)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        return await super().__call__(reminder)


async def test_wake_ups_due_together_take_turns_and_claim_only_what_they_send(
    sessions: sessionmaker[Session], client_id: int, clock: Clock
) -> None:
    due = [schedule(sessions, client_id, clock, hours=0) for _ in range(7)]
    postman = SlowPostman(sessions)
    reminders, wakeups = service(sessions, clock, postman, concurrency=2)
    reminders.start()
    # As APScheduler does: every due job at once, each in its own task.
    callbacks = [callback for name, (_, callback) in wakeups.timers.items() if name != SWEEP_JOB]
    await asyncio.gather(*(callback() for callback in callbacks))
    assert sorted(postman.delivered) == due
    assert postman.most_in_flight == 2
    assert postman.most_claimed == 2


async def test_the_pacer_spaces_turns_evenly_and_does_not_save_up() -> None:
    pacer = Pacer(100)  # a turn every 10 ms
    began = time.perf_counter()
    await asyncio.gather(*(pacer.turn() for _ in range(5)))
    assert time.perf_counter() - began >= 0.04  # the first at once, then 10 ms apart
    await asyncio.sleep(0.05)  # idle time is not saved up for a burst later
    began = time.perf_counter()
    await pacer.turn()
    await pacer.turn()
    assert time.perf_counter() - began >= 0.01
    await Pacer(None).turn()  # no pace: no wait
