"""The units of work of the counsellors' weekly digest: one row per counsellor and week,
claimed before it is sent, settled after, and the next week's row made."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage import DigestRecord, DigestRepository, StaffRepository
from turns.reminders import Outcome

WEEK = timedelta(days=7)


class DigestWork:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def for_start(
        self, now: datetime, due: datetime, lease: timedelta
    ) -> list[tuple[int, datetime]]:
        """Every active counsellor gets their next digest (due at `due`); the pending ones,
        also those a stopped bot missed: late is better than never for a weekly overview."""
        with self.sessions.begin() as session:
            digests = DigestRepository(session)
            for staff in StaffRepository(session).active_counsellors():
                digests.ensure(staff.id, due, due - WEEK, now)
            return digests.due_for_start(now, lease)

    def ensure(self, staff_id: int, due: datetime, now: datetime) -> int:
        """The id of a counsellor's digest due at `due`, made if there is none."""
        with self.sessions.begin() as session:
            return DigestRepository(session).ensure(staff_id, due, due - WEEK, now)

    def claim(self, digest_id: int, now: datetime) -> DigestRecord | None:
        with self.sessions.begin() as session:
            digests = DigestRepository(session)
            if not digests.claim(digest_id, now):
                return None
            return digests.get(digest_id)

    def settle(
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
