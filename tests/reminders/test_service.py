"""The reminder lifecycle with a clock moved by hand: due, moved, cancelled, missed while down,
two processes racing, a blocked client, a failed send. The database decides, never the timer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy.orm import Session, sessionmaker

from reminders import Changes, Outcome, ReminderService, job_name
from storage import (
    ClientRepository,
    Identity,
    PlanRepository,
    ReminderRecord,
    ReminderRepository,
    make_session_factory,
)
from tests.conftest import Clock
from tests.reminders.clock import ManualClock

GRACE = timedelta(hours=12)


class Postman:
    """Delivers reminders by writing them down; answers with the outcome it is told to."""

    def __init__(self) -> None:
        self.delivered: list[int] = []
        self.outcomes: list[Outcome] = []
        self.fail_with: Exception | None = None

    async def __call__(self, reminder: ReminderRecord) -> Outcome:
        if self.fail_with is not None:
            raise self.fail_with
        self.delivered.append(reminder.id)
        return self.outcomes.pop(0) if self.outcomes else Outcome.SENT


@pytest.fixture
def sessions(database: DatabaseEngine) -> sessionmaker[Session]:
    return make_session_factory(database)


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
            plans.save_step(
                client.id,
                number,
                goal=1,
                text=f"Stap {number}",
                who="me",
                who_name=None,
                due=date(2026, 12, 4),
                remind_at=None,
                now=clock(),
            )
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
    sessions: sessionmaker[Session], clock: Clock, postman: Postman
) -> tuple[ReminderService, ManualClock]:
    wakeups = ManualClock(clock)
    return ReminderService(sessions, wakeups, postman, grace=GRACE), wakeups


async def test_a_reminder_goes_out_when_due_and_only_then(
    sessions: sessionmaker[Session], client_id: int, clock: Clock
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=2)
    postman = Postman()
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
    sessions: sessionmaker[Session], client_id: int, clock: Clock
) -> None:
    old = schedule(sessions, client_id, clock, hours=1)
    postman = Postman()
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
    sessions: sessionmaker[Session], client_id: int, clock: Clock
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=1)
    postman = Postman()
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
    sessions: sessionmaker[Session], client_id: int, clock: Clock, late_hours: float, sent: bool
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=0)
    clock.advance(hours=late_hours)  # the bot was down
    postman = Postman()
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    await wakeups.run_due()
    assert postman.delivered == ([reminder] if sent else [])
    assert status(sessions, reminder) == ("sent" if sent else "missed")
    with sessions.begin() as session:
        untold = ReminderRepository(session).missed_untold(client_id)
    assert [r.id for r in untold] == ([] if sent else [reminder])


async def test_two_processes_send_a_reminder_once(
    sessions: sessionmaker[Session], client_id: int, clock: Clock
) -> None:
    reminders = [schedule(sessions, client_id, clock, hours=1) for _ in range(5)]
    postman = Postman()
    first, first_clock = service(sessions, clock, postman)
    second, second_clock = service(sessions, clock, postman)
    first.start()
    second.start()
    clock.advance(hours=1)
    await second_clock.run_due()
    await first_clock.run_due()
    assert sorted(postman.delivered) == reminders


async def test_a_blocked_client_gets_their_reminders_paused_not_retried(
    sessions: sessionmaker[Session], client_id: int, clock: Clock
) -> None:
    first = schedule(sessions, client_id, clock, hours=1)
    second = schedule(sessions, client_id, clock, hours=30, step=2)
    postman = Postman()
    postman.outcomes = [Outcome.BLOCKED]
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    clock.advance(hours=1)
    await wakeups.run_due()
    assert status(sessions, first) == "paused"
    assert status(sessions, second) == "paused"
    assert wakeups.timers == {}  # nothing left to wake
    with sessions.begin() as session:
        record = ClientRepository(session).get(client_id)
    assert record is not None
    assert record.unreachable_at == clock()


async def test_a_failed_send_is_tried_again_later(
    sessions: sessionmaker[Session], client_id: int, clock: Clock
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=1)
    postman = Postman()
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
    caplog: pytest.LogCaptureFixture,
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=0)
    postman = Postman()
    postman.fail_with = RuntimeError("boom")
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    assert await wakeups.run_due() == 1
    assert status(sessions, reminder) == "scheduled"
    assert f"reminder {reminder} (client {client_id}) could not be delivered" in caplog.text


async def test_a_reminder_left_sending_by_a_dead_process_goes_out_after_the_lease(
    sessions: sessionmaker[Session], client_id: int, clock: Clock
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=0)
    with sessions.begin() as session:
        assert ReminderRepository(session).claim(reminder, clock())  # and then the process died
    clock.advance(minutes=11)
    postman = Postman()
    reminders, wakeups = service(sessions, clock, postman)
    reminders.start()
    await wakeups.run_due()
    assert postman.delivered == [reminder]


async def test_a_reminder_resumed_long_after_its_time_is_told_not_sent(
    sessions: sessionmaker[Session], client_id: int, clock: Clock
) -> None:
    reminder = schedule(sessions, client_id, clock, hours=1)
    postman = Postman()
    reminders, wakeups = service(sessions, clock, postman)
    clock.advance(days=3)
    reminders.follow(Changes(scheduled=[(reminder, clock() - timedelta(days=3, hours=-1))]))
    await wakeups.run_due()
    assert postman.delivered == []
    assert status(sessions, reminder) == "missed"
