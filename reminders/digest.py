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

from dialogs.engine.when import local_to_utc, utc_to_local
from reminders.service import Dispatcher, WakeClock, deliver_safely
from storage import DigestRecord
from turns.digests import WEEK, DigestWork
from turns.reminders import Outcome

log = logging.getLogger(__name__)

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
        super().__init__(clock, deliver, lease=lease)
        self.work = DigestWork(sessions)
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
        pending = self.work.for_start(now, due, self.lease)
        for digest_id, due_at in pending:
            self._wake(digest_id, due_at)
        log.info("digests: %d scheduled", len(pending))
        return len(pending)

    def ensure(self, staff_id: int) -> None:
        """A counsellor added while the bot runs gets their digest from their first visit."""
        now = self.clock.now()
        due = next_digest(now, self.weekday, self.at, self.zone)
        digest_id = self.work.ensure(staff_id, due, now)
        self._wake(digest_id, due)

    async def fire(self, digest_id: int) -> Outcome | None:
        """Claim the digest and deliver it; None if it is not ours to send."""
        record = await asyncio.to_thread(self.work.claim, digest_id, self.clock.now())
        if record is None:
            return None
        outcome = await deliver_safely(self.deliver, record, f"digest {digest_id}")
        now = self.clock.now()
        following = next_digest(now, self.weekday, self.at, self.zone)
        next_id = await asyncio.to_thread(self.work.settle, record, outcome, now, following)
        if outcome is Outcome.FAILED:
            self._wake(digest_id, now + self.retry_after)
        if next_id is not None:
            self._wake(next_id, following)
        return outcome
