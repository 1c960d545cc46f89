"""Digest rows: planned once, sent once, recovered after a crash; on both databases."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage import DigestRecord, DigestRepository
from storage.models import Digest
from tests.storage.test_counsellors import BERT, new_counsellor
from tests.storage.test_reminders import assert_claimed_once

WEEK = timedelta(days=7)
MICROSECOND = timedelta(microseconds=1)


def ensure(sessions: sessionmaker[Session], staff_id: int, due_at: datetime, now: datetime) -> int:
    with sessions.begin() as session:
        return DigestRepository(session).ensure(staff_id, due_at, due_at - WEEK, now)


def claim(sessions: sessionmaker[Session], digest_id: int, now: datetime) -> bool:
    with sessions.begin() as session:
        return DigestRepository(session).claim(digest_id, now)


def status(sessions: sessionmaker[Session], digest_id: int) -> str:
    with sessions.begin() as session:
        record = DigestRepository(session).get(digest_id)
        assert record is not None
        return record.status


def test_a_digest_is_planned_once(sessions: sessionmaker[Session], now: datetime) -> None:
    anna, bert = new_counsellor(sessions, now), new_counsellor(sessions, now, BERT, "Bert")
    due = now + WEEK
    first = ensure(sessions, anna, due, now)
    assert ensure(sessions, anna, due, now + MICROSECOND) == first
    others = {ensure(sessions, anna, due + WEEK, now), ensure(sessions, bert, due, now)}
    assert first not in others
    assert len(others) == 2
    with sessions.begin() as session:
        digests = DigestRepository(session)
        assert digests.get(first) == DigestRecord(first, anna, due, due - WEEK, "scheduled")
        assert digests.get(max(others) + 1) is None


def test_two_processes_planning_one_digest_make_one_row(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    """The second plans it around the first one's commit, and finds the first one's row."""
    anna = new_counsellor(sessions, now)
    due = now + WEEK
    with ThreadPoolExecutor(1) as pool:
        with sessions.begin() as first:
            made = DigestRepository(first).ensure(anna, due, due - WEEK, now)
            second = pool.submit(ensure, sessions, anna, due, now)
        assert second.result(timeout=30) == made
    with sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(Digest)) == 1


def test_a_digest_is_claimed_once_and_only_when_due(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    digest = ensure(sessions, new_counsellor(sessions, now), now, now - WEEK)
    assert not claim(sessions, digest, now - MICROSECOND)
    assert_claimed_once(sessions, DigestRepository, digest, now)
    assert status(sessions, digest) == "sending"


def test_a_claimed_digest_is_sent_released_or_skipped(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna = new_counsellor(sessions, now)
    sent, retried, skipped, untouched = (
        ensure(sessions, anna, now - WEEK * n, now) for n in range(4)
    )
    later = now + MICROSECOND
    with sessions.begin() as session:
        digests = DigestRepository(session)
        for digest in (sent, retried, skipped):
            assert digests.claim(digest, now)
        digests.mark_sent(sent, later)
        digests.release(retried)
        digests.skip(skipped)
        # Only a digest being sent moves.
        digests.mark_sent(untouched, later)
        digests.skip(untouched)
        digests.release(sent)
        assert session.get_one(Digest, sent).sent_at == later
        assert session.get_one(Digest, untouched).sent_at is None
    assert [status(sessions, d) for d in (sent, retried, skipped, untouched)] == [
        "sent",
        "scheduled",
        "skipped",
        "scheduled",
    ]
    assert claim(sessions, retried, later)  # a released digest can be claimed again


def test_start_up_recovers_digests_of_a_dead_process(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    anna = new_counsellor(sessions, now)
    lease = timedelta(minutes=5)
    late, soon = now - WEEK, now + WEEK
    stale = ensure(sessions, anna, now - 2 * WEEK, now - 3 * WEEK)
    leased = ensure(sessions, anna, now - 3 * WEEK, now - 3 * WEEK)
    waiting = [ensure(sessions, anna, due, now - 3 * WEEK) for due in (soon, late)]
    assert claim(sessions, stale, now - lease - MICROSECOND)
    assert claim(sessions, leased, now - lease)  # exactly at the edge: still its sender's
    with sessions.begin() as session:
        assert DigestRepository(session).due_for_start(now, lease) == [
            (stale, now - 2 * WEEK),
            (waiting[1], late),
            (waiting[0], soon),
        ]
    assert [status(sessions, d) for d in (stale, leased)] == ["scheduled", "sending"]
