"""Reminder rows: the database is the truth, a scheduler only wakes the bot up.

A reminder goes: scheduled -> sending (claimed by one process) -> sent -> answered, or ends
as missed, cancelled or paused (and back). Claiming and what follows are storage/dispatch.py's,
so when two bot processes share the database, exactly one of them sends a reminder.

Writes that hand ids back use UPDATE ... RETURNING (PostgreSQL, SQLite >= 3.35), so what is
returned is exactly what changed, even with another process at work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Update, select, update

from storage import dispatch
from storage.models import Reminder

REMINDER_KINDS = ("step", "follow_up")
REMINDER_STATUSES = (
    "scheduled",
    "sending",
    "sent",
    "answered",
    "missed",
    "cancelled",
    "paused",
)
# Where a claimed reminder can end up besides 'sent' (mark_sent) and 'scheduled' (release).
SETTLED_STATUSES = ("cancelled", "paused", "missed")


@dataclass(frozen=True)
class ReminderRecord:
    id: int
    client_id: int
    step: int
    kind: str
    due_at: datetime
    status: str
    claimed_at: datetime | None
    sent_at: datetime | None


class ReminderRepository(dispatch.SentOnce):
    model = Reminder

    def get(self, reminder_id: int) -> ReminderRecord | None:
        row = self.session.get(Reminder, reminder_id, populate_existing=True)
        return None if row is None else _record(row)

    def schedule(
        self, client_id: int, step: int, kind: str, due_at: datetime, now: datetime
    ) -> int:
        if kind not in REMINDER_KINDS:
            raise ValueError(f"unknown reminder kind: {kind!r}")
        row = Reminder(
            client_id=client_id,
            step_number=step,
            kind=kind,
            due_at=due_at,
            status="scheduled",
            created_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def cancel_for_step(self, client_id: int, step: int) -> list[int]:
        """Cancel the step's scheduled and paused reminders; their ids, to drop the timers."""
        return self._cancel_waiting(client_id, step)

    def cancel_follow_ups(self, client_id: int, step: int) -> list[int]:
        """Cancel the step's waiting follow-ups (a new one replaces them: never two)."""
        return self._cancel_waiting(client_id, step, Reminder.kind == "follow_up")

    def mark_missed(self, reminder_ids: Sequence[int]) -> None:
        """Scheduled reminders found too late to be useful: the client is told instead."""
        self.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(reminder_ids), Reminder.status == "scheduled")
            .values(status="missed")
            .execution_options(synchronize_session=False)
        )

    def settle(self, reminder_id: int, status: str) -> None:
        """End a claimed reminder without sending it: 'cancelled', 'paused' or 'missed'."""
        if status not in SETTLED_STATUSES:
            raise ValueError(f"a claimed reminder cannot become {status!r}")
        dispatch.settle(self.session, Reminder, reminder_id, status)

    def answered(self, client_id: int, step: int, now: datetime) -> list[int]:
        """The client answered about this step: sent reminders become 'answered', and the
        follow-ups still waiting (scheduled or paused) are cancelled; their ids are returned."""
        self.session.execute(
            update(Reminder)
            .where(
                Reminder.client_id == client_id,
                Reminder.step_number == step,
                Reminder.status == "sent",
            )
            .values(status="answered", answered_at=now)
            .execution_options(synchronize_session=False)
        )
        return self.cancel_follow_ups(client_id, step)

    def not_delivered(self, reminder_id: int) -> list[int]:
        """A reminder counted as sent whose message the client's chat refused (they blocked
        the bot): paused like their others, and no follow-up to a reminder that never came.
        The follow-ups cancelled."""
        record = self.get(reminder_id)
        if record is None or record.status != "sent":
            return []
        self.session.execute(
            update(Reminder)
            .where(Reminder.id == reminder_id)
            .values(status="paused", sent_at=None)
            .execution_options(synchronize_session=False)
        )
        return self.cancel_follow_ups(record.client_id, record.step)

    def pause_client(self, client_id: int) -> list[int]:
        return self._ids(
            update(Reminder)
            .where(Reminder.client_id == client_id, Reminder.status == "scheduled")
            .values(status="paused")
        )

    def resume_client(self, client_id: int) -> list[tuple[int, datetime]]:
        """Paused reminders are scheduled again: (id, due_at) of each, soonest first."""
        return self._ids_due(
            update(Reminder)
            .where(Reminder.client_id == client_id, Reminder.status == "paused")
            .values(status="scheduled")
        )

    def due_for_start(
        self, now: datetime, grace: timedelta, lease: timedelta, until: datetime | None = None
    ) -> tuple[list[tuple[int, datetime]], list[int]]:
        """At start-up: (to schedule, missed).

        A 'sending' reminder claimed before `now - lease` belonged to a process that died
        mid-send: it is scheduled again. Then every scheduled reminder due before
        `now - grace` becomes 'missed'; the others due by `until` (all, without it) are
        returned to schedule, soonest first.
        """
        dispatch.recover_stale(self.session, Reminder, now, lease)
        missed = self._ids(
            update(Reminder)
            .where(Reminder.status == "scheduled", Reminder.due_at < now - grace)
            .values(status="missed")
        )
        return dispatch.scheduled(self.session, Reminder, until=until), missed

    def due_between(self, after: datetime, until: datetime) -> list[tuple[int, datetime]]:
        """Scheduled reminders due after `after` and up to `until`: (id, due_at), soonest
        first. What the sweep puts on the clock as the horizon moves on."""
        return dispatch.scheduled(self.session, Reminder, after=after, until=until)

    def missed_untold(self, client_id: int) -> list[ReminderRecord]:
        """Missed reminders the client has not been told about, oldest first."""
        rows = self.session.scalars(
            select(Reminder)
            .where(
                Reminder.client_id == client_id,
                Reminder.status == "missed",
                Reminder.told_at.is_(None),
            )
            .order_by(Reminder.due_at, Reminder.id)
            .execution_options(populate_existing=True)
        )
        return [_record(row) for row in rows]

    def mark_told(self, reminder_ids: Sequence[int], now: datetime) -> None:
        """The client was told about these missed reminders (the first telling counts)."""
        if not reminder_ids:
            return
        self.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(list(reminder_ids)), Reminder.told_at.is_(None))
            .values(told_at=now)
            .execution_options(synchronize_session=False)
        )

    def _cancel_waiting(self, client_id: int, step: int, *only: ColumnElement[bool]) -> list[int]:
        """Cancel the step's reminders still waiting (scheduled or paused) that match `only`."""
        return self._ids(
            update(Reminder)
            .where(
                Reminder.client_id == client_id,
                Reminder.step_number == step,
                Reminder.status.in_(("scheduled", "paused")),
                *only,
            )
            .values(status="cancelled")
        )

    def _ids(self, statement: Update) -> list[int]:
        """Run an UPDATE; the ids of the rows it changed, in order."""
        rows = self.session.scalars(
            statement.returning(Reminder.id).execution_options(synchronize_session=False)
        )
        return sorted(rows)

    def _ids_due(self, statement: Update) -> list[tuple[int, datetime]]:
        rows = self.session.execute(
            statement.returning(Reminder.id, Reminder.due_at).execution_options(
                synchronize_session=False
            )
        )
        return sorted(((id_, due_at) for id_, due_at in rows), key=lambda r: (r[1], r[0]))


def _record(row: Reminder) -> ReminderRecord:
    return ReminderRecord(
        row.id,
        row.client_id,
        row.step_number,
        row.kind,
        row.due_at,
        row.status,
        row.claimed_at,
        row.sent_at,
    )
