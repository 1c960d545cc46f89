"""The weekly digest on a clock moved by hand: when it is due, that it goes out once even with
two processes, that a failure is retried, and that the next week follows."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from reminders import DigestService, Outcome, next_digest
from storage import DigestRecord, StaffRepository
from storage.models import Digest
from tests.conftest import Clock
from tests.reminders.clock import ManualClock

MONDAY_NINE = time(9)
ZONE = "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Friday 27 November 2026, 10:30 in Amsterdam (UTC+1): Monday 30th 09:00 = 08:00 UTC.
        (datetime(2026, 11, 27, 9, 30, tzinfo=UTC), datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        # Monday at 08:59 local: today; at 09:00 exactly: next week.
        (datetime(2026, 11, 30, 7, 59, tzinfo=UTC), datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        (datetime(2026, 11, 30, 8, 0, tzinfo=UTC), datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
        # Across the change to summer time (29 March 2026): 09:00 local is 07:00 UTC then.
        (datetime(2026, 3, 27, 12, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
    ],
)
def test_next_digest_is_the_next_monday_nine_local(after: datetime, expected: datetime) -> None:
    assert next_digest(after, 0, MONDAY_NINE, ZONE) == expected


class Courier:
    def __init__(self) -> None:
        self.delivered: list[DigestRecord] = []
        self.outcomes: list[Outcome] = []

    async def __call__(self, record: DigestRecord) -> Outcome:
        self.delivered.append(record)
        return self.outcomes.pop(0) if self.outcomes else Outcome.SENT


@pytest.fixture
def courier() -> Courier:
    return Courier()


def service(
    sessions: sessionmaker[Session], clock: Clock, courier: Courier
) -> tuple[DigestService, ManualClock]:
    wakeups = ManualClock(clock)
    digests = DigestService(sessions, wakeups, courier, weekday=0, at=MONDAY_NINE, zone=ZONE)
    return digests, wakeups


def statuses(sessions: sessionmaker[Session]) -> list[tuple[datetime, str]]:
    with sessions() as session:
        return [
            (due, status)
            for due, status in session.execute(
                select(Digest.due_at, Digest.status).order_by(Digest.due_at)
            )
        ]


@pytest.fixture
def anna(sessions: sessionmaker[Session], clock: Clock) -> int:
    with sessions.begin() as session:
        return StaffRepository(session).add_counsellor(2001, "Anna", None, "nl", clock()).id


async def test_a_digest_goes_out_once_on_monday_and_the_next_week_follows(
    sessions: sessionmaker[Session], clock: Clock, anna: int, courier: Courier
) -> None:
    first, wakeups = service(sessions, clock, courier)
    second, other = service(sessions, clock, courier)  # a second process on the same database
    assert first.start() == 1
    assert second.start() == 1
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert statuses(sessions) == [(monday, "scheduled")]

    clock.advance(days=2, hours=22, minutes=29)
    assert await wakeups.run_due() == 0
    clock.advance(minutes=1)
    assert await wakeups.run_due() == 1
    assert await other.run_due() == 1  # its timer fires too, but the row is claimed
    assert [d.staff_id for d in courier.delivered] == [anna]
    assert courier.delivered[0].period_start == monday - timedelta(days=7)
    assert statuses(sessions) == [(monday, "sent"), (monday + timedelta(days=7), "scheduled")]


async def test_a_failed_digest_is_tried_again_and_one_with_nothing_to_say_is_skipped(
    sessions: sessionmaker[Session], clock: Clock, anna: int, courier: Courier
) -> None:
    courier.outcomes = [Outcome.FAILED, Outcome.SENT, Outcome.SETTLED]
    digests, wakeups = service(sessions, clock, courier)
    digests.start()
    clock.advance(days=3)
    await wakeups.run_due()
    assert statuses(sessions)[0][1] == "scheduled"  # released for a retry
    clock.advance(minutes=5)
    await wakeups.run_due()
    assert statuses(sessions)[0][1] == "sent"
    clock.advance(days=7)
    await wakeups.run_due()
    assert [status for _, status in statuses(sessions)] == ["sent", "skipped", "scheduled"]
    assert len(courier.delivered) == 3


async def test_a_deactivated_counsellor_gets_no_further_digests(
    sessions: sessionmaker[Session], clock: Clock, anna: int, courier: Courier
) -> None:
    digests, wakeups = service(sessions, clock, courier)
    digests.start()
    with sessions.begin() as session:
        StaffRepository(session).deactivate(2001, clock())
    clock.advance(days=3)
    await wakeups.run_due()
    assert [status for _, status in statuses(sessions)] == ["sent"]  # the courier decides
    assert wakeups.timers == {}


async def test_a_digest_claimed_by_a_process_that_died_is_sent_after_the_lease(
    sessions: sessionmaker[Session], clock: Clock, anna: int, courier: Courier
) -> None:
    digests, _ = service(sessions, clock, courier)
    digests.start()
    clock.advance(days=3)
    with sessions.begin() as session:  # claimed, then the process was killed mid-send
        session.execute(update(Digest).values(status="sending", claimed_at=clock()))
    clock.advance(minutes=11)
    restarted, wakeups = service(sessions, clock, courier)
    assert restarted.start() == 2  # the one taken back, and next week's
    await wakeups.run_due()
    assert [status for _, status in statuses(sessions)] == ["sent", "scheduled"]
    assert len(courier.delivered) == 1
