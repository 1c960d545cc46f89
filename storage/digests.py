"""Digest rows: a counsellor's periodic summary, sent exactly once, also after a restart.

A digest goes scheduled -> sending (claimed by one process) -> sent, or skipped when there
was nothing to tell; the mechanics are the reminders' (storage/dispatch.py). The row for a
counsellor and a moment is made once, however many processes plan it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from storage import dispatch
from storage.db import insert_once
from storage.models import Digest


@dataclass(frozen=True)
class DigestRecord:
    id: int
    staff_id: int
    due_at: datetime
    period_start: datetime  # the digest tells what happened since then
    status: str


class DigestRepository(dispatch.SentOnce):
    model = Digest

    def ensure(self, staff_id: int, due_at: datetime, period_start: datetime, now: datetime) -> int:
        """The id of the counsellor's digest due at `due_at`, made if it is not there yet."""
        insert_once(
            self.session,
            Digest,
            {
                "staff_id": staff_id,
                "due_at": due_at,
                "period_start": period_start,
                "status": "scheduled",
                "created_at": now,
            },
            [Digest.staff_id, Digest.due_at],
        )
        return self.session.execute(
            select(Digest.id).where(Digest.staff_id == staff_id, Digest.due_at == due_at)
        ).scalar_one()

    def get(self, digest_id: int) -> DigestRecord | None:
        row = self.session.get(Digest, digest_id, populate_existing=True)
        if row is None:
            return None
        return DigestRecord(row.id, row.staff_id, row.due_at, row.period_start, row.status)

    def skip(self, digest_id: int) -> None:
        """A claimed digest had nothing to tell: it ends without being sent."""
        dispatch.settle(self.session, Digest, digest_id, "skipped")

    def due_for_start(self, now: datetime, lease: timedelta) -> list[tuple[int, datetime]]:
        """At start-up: digests a dead process was sending go back to scheduled; then every
        scheduled digest as (id, due_at), soonest first. A late digest is still worth sending."""
        dispatch.recover_stale(self.session, Digest, now, lease)
        return dispatch.scheduled(self.session, Digest)
