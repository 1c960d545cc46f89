"""The counsellors' weekly digest, on the reminders' clock and with their guarantees.

One row per counsellor and week (unique), claimed with one conditional update before it is
sent, so two processes or a timer firing twice never send a digest twice; a digest whose
sending failed is tried again, one claimed by a process that died is taken back after a lease.
After each digest the next week's row is made.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session, sessionmaker

from dialogs.when import local_to_utc, utc_to_local
from reminders.service import Dispatcher, Outcome, WakeClock, deliver_safely
from storage import DigestRecord, DigestRepository, StaffRepository

log = logging.getLogger(__name__)
WEEK = timedelta(days=7)

DeliverDigest = Callable[[DigestRecord], Awaitable[Outcome]]


def next_digest(after: datetime, weekday: int, at: time, zone: str) -> datetime:
    """The first moment after `after` that is `weekday` (0 = Monday) at `at`, local time."""
    local = utc_to_local(after, zone)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    moment = local_to_utc(datetime.combine(day, at), zone)
    if moment <= after:
        moment = local_to_utc(datetime.combine(day + WEEK, at), zone)
    return moment


def digest_job(digest_id: int) -> str:
    return f"digest-{digest_id}"


class DigestService(Dispatcher[DigestRecord]):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: WakeClock,
        deliver: DeliverDigest,
        *,
        weekday: int,
        at: time,
        zone: str,
        lease: timedelta = timedelta(minutes=10),
    ) -> None:
        super().__init__(sessions, clock, deliver, lease=lease)
        self.weekday = weekday
        self.at = at
        self.zone = zone

    def job(self, row_id: int) -> str:
        return digest_job(row_id)

    def start(self) -> int:
        """Every active counsellor gets their next digest; pending ones (also those a stopped
        bot missed: late is better than never for a weekly overview) are scheduled."""
        now = self.clock.now()
        due = next_digest(now, self.weekday, self.at, self.zone)
        with self.sessions.begin() as session:
            digests = DigestRepository(session)
            for staff in StaffRepository(session).active_counsellors():
                digests.ensure(staff.id, due, due - WEEK, now)
            pending = digests.due_for_start(now, self.lease)
        for digest_id, due_at in pending:
            self._wake(digest_id, due_at)
        log.info("digests: %d scheduled", len(pending))
        return len(pending)

    def ensure(self, staff_id: int) -> None:
        """A counsellor added while the bot runs gets their digest from their first visit."""
        now = self.clock.now()
        due = next_digest(now, self.weekday, self.at, self.zone)
        with self.sessions.begin() as session:
            digest_id = DigestRepository(session).ensure(staff_id, due, due - WEEK, now)
        self._wake(digest_id, due)

    async def fire(self, digest_id: int) -> Outcome | None:
        """Claim the digest and deliver it; None if it is not ours to send."""
        record = await asyncio.to_thread(self._claim, digest_id, self.clock.now())
        if record is None:
            return None
        outcome = await deliver_safely(self.deliver, record, f"digest {digest_id}")
        now = self.clock.now()
        following = next_digest(now, self.weekday, self.at, self.zone)
        next_id = await asyncio.to_thread(self._settle, record, outcome, now, following)
        if outcome is Outcome.FAILED:
            self._wake(digest_id, now + self.retry_after)
        if next_id is not None:
            self._wake(next_id, following)
        return outcome

    def _claim(self, digest_id: int, now: datetime) -> DigestRecord | None:
        with self.sessions.begin() as session:
            digests = DigestRepository(session)
            if not digests.claim(digest_id, now):
                return None
            return digests.get(digest_id)

    def _settle(
        self, record: DigestRecord, outcome: Outcome, now: datetime, following: datetime
    ) -> int | None:
        """Write the outcome; the id of the counsellor's next digest, if they still get one."""
        with self.sessions.begin() as session:
            digests = DigestRepository(session)
            if outcome is Outcome.SENT:
                digests.mark_sent(record.id, now)
            elif outcome is Outcome.FAILED:
                digests.release(record.id)
            else:  # nothing to send (no clients, no longer a counsellor) or blocked
                digests.skip(record.id)
            staff = StaffRepository(session).get(record.staff_id)
            # After a long stop, one digest covers the whole gap: no catching up week by week.
            if staff is not None and staff.active and staff.is_counsellor:
                return digests.ensure(record.staff_id, following, record.due_at, now)
        return None
