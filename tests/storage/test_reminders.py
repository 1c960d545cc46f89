"""Reminder rows and the client's reachability and quiet hours, on both databases."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from threading import Barrier

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from storage import ClientRecord, ClientRepository, ReminderRecord, ReminderRepository
from storage.dispatch import SentOnce
from storage.models import Client, Reminder
from tests.storage.rows import ALICE, BOB, new_client

SECOND = timedelta(seconds=1)
MICROSECOND = timedelta(microseconds=1)


def schedule(
    sessions: sessionmaker[Session],
    client_id: int,
    due_at: datetime,
    now: datetime,
    *,
    step: int = 1,
    kind: str = "step",
) -> int:
    with sessions.begin() as session:
        return ReminderRepository(session).schedule(client_id, step, kind, due_at, now)


def status(sessions: sessionmaker[Session], reminder_id: int) -> str:
    with sessions.begin() as session:
        record = ReminderRepository(session).get(reminder_id)
        assert record is not None
        return record.status


def statuses(sessions: sessionmaker[Session], *reminder_ids: int) -> list[str]:
    return [status(sessions, reminder_id) for reminder_id in reminder_ids]


def claim(sessions: sessionmaker[Session], reminder_id: int, now: datetime) -> bool:
    with sessions.begin() as session:
        return ReminderRepository(session).claim(reminder_id, now)


def assert_claimed_once(
    sessions: sessionmaker[Session], repository: type[SentOnce], row_id: int, now: datetime
) -> None:
    """Two sessions on two connections: the second claims around the first one's commit. Before
    the commit it waits on the row lock (PostgreSQL) or the write lock (SQLite); either way it
    then finds the row no longer scheduled."""

    def claim_again() -> bool:
        with sessions.begin() as session:
            return repository(session).claim(row_id, now)

    with ThreadPoolExecutor(1) as pool:
        with sessions.begin() as first:
            assert repository(first).claim(row_id, now)
            second = pool.submit(claim_again)
        assert second.result(timeout=30) is False


def test_a_scheduled_reminder_reads_back(sessions: sessionmaker[Session], now: datetime) -> None:
    client = new_client(sessions, now)
    due = now + timedelta(hours=2)
    first = schedule(sessions, client, due, now, step=3, kind="follow_up")
    second = schedule(sessions, client, due, now)
    assert second > first
    with sessions.begin() as session:
        reminders = ReminderRepository(session)
        assert reminders.get(first) == ReminderRecord(
            first, client, 3, "follow_up", due, "scheduled", None, None
        )
        assert reminders.get(second + 100) is None
        with pytest.raises(ValueError, match="kind"):
            reminders.schedule(client, 3, "nudge", due, now)


def test_a_reminder_is_claimed_once_and_only_when_due(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    reminder = schedule(sessions, client, now + SECOND, now)
    assert not claim(sessions, reminder, now)  # not due yet
    assert status(sessions, reminder) == "scheduled"
    assert claim(sessions, reminder, now + SECOND)  # due exactly now
    assert not claim(sessions, reminder, now + 2 * SECOND)  # already taken
    with sessions.begin() as session:
        record = ReminderRepository(session).get(reminder)
        assert record is not None
        assert (record.status, record.claimed_at, record.sent_at) == ("sending", now + SECOND, None)


def test_two_processes_racing_for_one_reminder_send_it_once(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    reminder = schedule(sessions, client, now, now)
    assert_claimed_once(sessions, ReminderRepository, reminder, now)
    assert status(sessions, reminder) == "sending"


def test_many_claims_from_two_threads_each_win_exactly_once(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    """Two threads, two connections, the same twenty reminders: a claim that reads and then
    writes (instead of one conditional UPDATE) lets both win some of them."""
    client = new_client(sessions, now)
    ids = [schedule(sessions, client, now, now, step=n) for n in range(20)]
    start = Barrier(2)

    def worker() -> list[int]:
        start.wait(timeout=30)
        return [reminder for reminder in ids if claim(sessions, reminder, now)]

    with ThreadPoolExecutor(2) as pool:
        results = [pool.submit(worker) for _ in range(2)]
        won = [future.result(timeout=60) for future in results]
    assert sorted(won[0] + won[1]) == ids


def test_a_claimed_reminder_is_sent_released_or_settled(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    sent, retried, cancelled, paused, untouched = (
        schedule(sessions, client, now, now) for _ in range(5)
    )
    later = now + SECOND
    with sessions.begin() as session:
        reminders = ReminderRepository(session)
        for reminder in (sent, retried, cancelled, paused):
            assert reminders.claim(reminder, now)
        reminders.mark_sent(sent, later)
        reminders.release(retried)
        reminders.settle(cancelled, "cancelled")
        reminders.settle(paused, "paused")
        # Only a reminder being sent moves: these are not.
        reminders.mark_sent(untouched, later)
        reminders.settle(untouched, "cancelled")
        reminders.release(sent)
        with pytest.raises(ValueError, match="sent"):
            reminders.settle(sent, "sent")
    with sessions.begin() as session:
        reminders = ReminderRepository(session)
        record = reminders.get(sent)
        assert record is not None
        assert (record.status, record.claimed_at, record.sent_at) == ("sent", now, later)
        record = reminders.get(retried)
        assert record is not None
        assert (record.status, record.claimed_at) == ("scheduled", None)
    assert statuses(sessions, cancelled, paused, untouched) == ["cancelled", "paused", "scheduled"]
    assert claim(sessions, retried, later)  # a released reminder can be claimed again


def test_cancelling_a_step_cancels_only_what_still_waits(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    alice, bob = new_client(sessions, now), new_client(sessions, now, BOB)
    due = now + timedelta(days=1)
    waiting = schedule(sessions, alice, due, now, step=1)
    follow_up = schedule(sessions, alice, due, now, step=1, kind="follow_up")
    paused = schedule(sessions, alice, due, now, step=1)
    sending = schedule(sessions, alice, now, now, step=1)
    other_step = schedule(sessions, alice, due, now, step=2)
    other_client = schedule(sessions, bob, due, now, step=1)
    with sessions.begin() as session:
        reminders = ReminderRepository(session)
        assert reminders.claim(sending, now)
        session.execute(update(Reminder).where(Reminder.id == paused).values(status="paused"))
        assert reminders.cancel_for_step(alice, 1) == [waiting, follow_up, paused]
        assert reminders.cancel_for_step(alice, 1) == []
    assert statuses(sessions, waiting, follow_up, paused, sending, other_step, other_client) == [
        "cancelled",
        "cancelled",
        "cancelled",
        "sending",
        "scheduled",
        "scheduled",
    ]


def test_an_answer_settles_sent_reminders_and_cancels_follow_ups(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    later, answer = now + timedelta(days=2), now + timedelta(hours=1)
    reminder = schedule(sessions, client, now, now, step=1)
    follow_up = schedule(sessions, client, later, now, step=1, kind="follow_up")
    next_reminder = schedule(sessions, client, later, now, step=1, kind="step")
    other_step = schedule(sessions, client, later, now, step=2, kind="follow_up")
    with sessions.begin() as session:
        reminders = ReminderRepository(session)
        assert reminders.claim(reminder, now)
        reminders.mark_sent(reminder, now)
        assert reminders.answered(client, 1, answer) == [follow_up]
        assert reminders.answered(client, 1, answer + SECOND) == []
    assert statuses(sessions, reminder, follow_up, next_reminder, other_step) == [
        "answered",
        "cancelled",
        "scheduled",
        "scheduled",
    ]
    with sessions.begin() as session:
        answered_at = session.scalar(select(Reminder.answered_at).where(Reminder.id == reminder))
        assert answered_at == answer  # the first answer counts


def test_an_answer_also_cancels_a_paused_follow_up(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    follow_up = schedule(sessions, client, now + SECOND, now, kind="follow_up")
    with sessions.begin() as session:
        reminders = ReminderRepository(session)
        assert reminders.pause_client(client) == [follow_up]
        assert reminders.answered(client, 1, now) == [follow_up]
        assert reminders.resume_client(client) == []
    assert status(sessions, follow_up) == "cancelled"


def test_pausing_a_client_holds_their_scheduled_reminders(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    alice, bob = new_client(sessions, now), new_client(sessions, now, BOB)
    soon, late = now + timedelta(hours=1), now + timedelta(days=1)
    later_one = schedule(sessions, alice, late, now, step=1)
    sooner_one = schedule(sessions, alice, soon, now, step=2)
    sending = schedule(sessions, alice, now, now, step=3)
    bobs = schedule(sessions, bob, soon, now)
    with sessions.begin() as session:
        reminders = ReminderRepository(session)
        assert reminders.claim(sending, now)
        assert reminders.pause_client(alice) == [later_one, sooner_one]
        assert reminders.pause_client(alice) == []
        assert not reminders.claim(sooner_one, soon)  # a paused reminder is not sent
        # Paused reminders wait for the client, not for a start-up.
        to_schedule, missed = reminders.due_for_start(
            late + timedelta(days=9), timedelta(hours=1), timedelta(days=99)
        )
        assert (to_schedule, missed) == ([], [bobs])
    with sessions.begin() as session:
        reminders = ReminderRepository(session)
        assert reminders.resume_client(alice) == [(sooner_one, soon), (later_one, late)]
        assert reminders.resume_client(alice) == []
    assert statuses(sessions, later_one, sooner_one, sending) == [
        "scheduled",
        "scheduled",
        "sending",
    ]


def test_start_up_schedules_recent_reminders_and_misses_old_ones(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    grace, lease = timedelta(hours=1), timedelta(minutes=5)
    past = now - timedelta(days=1)
    future = schedule(sessions, client, now + timedelta(days=1), past)
    just_in = schedule(sessions, client, now - grace, past)  # exactly at the edge: still on
    recent = schedule(sessions, client, now - grace + MICROSECOND, past)
    just_out = schedule(sessions, client, now - grace - MICROSECOND, past)
    old = schedule(sessions, client, past, past)
    # Claimed by a process that died mid-send, due recently / long ago; one still in its lease.
    stale_recent = schedule(sessions, client, now - timedelta(minutes=30), past)
    stale_old = schedule(sessions, client, past, past)
    leased = schedule(sessions, client, now - timedelta(minutes=30), past)
    sent = schedule(sessions, client, past, past)
    assert claim(sessions, stale_recent, now - lease - MICROSECOND)
    assert claim(sessions, stale_old, now - timedelta(hours=20))
    assert claim(sessions, leased, now - lease)  # exactly at the edge: still its sender's
    assert claim(sessions, sent, past)
    with sessions.begin() as session:
        ReminderRepository(session).mark_sent(sent, past)

    with sessions.begin() as session:
        to_schedule, missed = ReminderRepository(session).due_for_start(now, grace, lease)
    assert to_schedule == [
        (just_in, now - grace),
        (recent, now - grace + MICROSECOND),
        (stale_recent, now - timedelta(minutes=30)),
        (future, now + timedelta(days=1)),
    ]
    assert missed == [just_out, old, stale_old]
    assert statuses(sessions, leased, sent, just_out, stale_recent) == [
        "sending",
        "sent",
        "missed",
        "scheduled",
    ]
    with sessions.begin() as session:
        record = ReminderRepository(session).get(stale_recent)
        assert record is not None
        assert record.claimed_at is None
        # A second start-up finds nothing new to miss.
        assert ReminderRepository(session).due_for_start(now, grace, lease)[1] == []


def test_only_what_is_due_within_the_horizon_is_loaded_and_the_sweep_takes_the_next_window(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    week = timedelta(days=7)
    soon = schedule(sessions, client, now + timedelta(hours=1), now)
    edge = schedule(sessions, client, now + week, now)  # exactly at the horizon: loaded
    beyond = schedule(sessions, client, now + week + MICROSECOND, now)
    later = schedule(sessions, client, now + week + timedelta(hours=1), now)
    cancelled = schedule(sessions, client, now + week + timedelta(minutes=30), now, step=2)
    with sessions.begin() as session:
        repository = ReminderRepository(session)
        repository.cancel_for_step(client, 2)
        to_schedule, _ = repository.due_for_start(now, timedelta(hours=1), SECOND, now + week)
        # An hour on: the window after the last one, excluding its start, including its end.
        swept = repository.due_between(now + week, now + week + timedelta(hours=1))
    assert to_schedule == [(soon, now + timedelta(hours=1)), (edge, now + week)]
    assert swept == [
        (beyond, now + week + MICROSECOND),
        (later, now + week + timedelta(hours=1)),
    ]
    assert status(sessions, cancelled) == "cancelled"


def test_missed_reminders_are_told_once(sessions: sessionmaker[Session], now: datetime) -> None:
    alice, bob = new_client(sessions, now), new_client(sessions, now, BOB)
    past = now - timedelta(days=2)
    second = schedule(sessions, alice, past + timedelta(hours=1), past, step=2)
    first = schedule(sessions, alice, past, past, step=1)
    bobs = schedule(sessions, bob, past, past)
    with sessions.begin() as session:
        reminders = ReminderRepository(session)
        assert reminders.missed_untold(alice) == []
        assert reminders.due_for_start(now, timedelta(hours=1), timedelta(minutes=5)) == (
            [],
            [second, first, bobs],  # by id
        )
        missed = reminders.missed_untold(alice)
        assert [(r.id, r.step, r.status) for r in missed] == [
            (first, 1, "missed"),
            (second, 2, "missed"),
        ]
        reminders.mark_told([first], now)
        reminders.mark_told([], now)
    with sessions.begin() as session:
        reminders = ReminderRepository(session)
        assert [r.id for r in reminders.missed_untold(alice)] == [second]
        reminders.mark_told([first, second], now + SECOND)
        assert reminders.missed_untold(alice) == []
        assert [r.id for r in reminders.missed_untold(bob)] == [bobs]
        rows = session.execute(select(Reminder.id, Reminder.told_at))
        told = {reminder: told_at for reminder, told_at in rows}
        assert (told[first], told[second], told[bobs]) == (now, now + SECOND, None)


def test_a_client_has_quiet_hours_a_time_zone_and_reachability(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    with sessions.begin() as session:
        clients = ClientRepository(session)
        assert clients.get(client) == ClientRecord(
            client, "nl", "UTC", "telegram", "1001", None, None, None
        )
        assert clients.get(client + 1) is None
        clients.set_quiet_hours(client, "22:30", "07:00")
        session.execute(
            update(Client).where(Client.id == client).values(timezone="Europe/Amsterdam")
        )
        clients.mark_unreachable(client, now)
        clients.mark_unreachable(client, now + SECOND)  # the first moment is kept
        assert clients.get(client) == ClientRecord(
            client, "nl", "Europe/Amsterdam", "telegram", "1001", "22:30", "07:00", now
        )
    with sessions.begin() as session:
        clients = ClientRepository(session)
        assert clients.find(ALICE) == ClientRecord(
            client, "nl", "Europe/Amsterdam", "telegram", "1001", "22:30", "07:00", now
        )
        clients.mark_reachable(client)
        clients.set_quiet_hours(client, None, None)
        for start, end in (("7:00", "22:00"), ("24:00", None), (None, "22:60"), ("22:00 ", None)):
            with pytest.raises(ValueError, match="HH:MM"):
                clients.set_quiet_hours(client, start, end)
    with sessions.begin() as session:
        assert ClientRepository(session).get(client) == ClientRecord(
            client, "nl", "Europe/Amsterdam", "telegram", "1001", None, None, None
        )
