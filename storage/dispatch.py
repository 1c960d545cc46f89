"""Exactly-once sending of scheduled rows (reminders, digests): the database decides who sends.

A row goes scheduled -> sending (claimed by one process) -> sent, or back to scheduled when
sending failed in a way worth retrying, or to a status of its own (cancelled, skipped, ...).
`claim` is one conditional UPDATE, so when two bot processes share the database exactly one
of them wins; every later transition starts from 'sending', so it cannot undo another's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Mapped, Session


class Dispatched(Protocol):
    """A model whose rows are sent once: the columns the mechanics below rely on."""

    # ClassVar: on a model these are class-level descriptors, so that is how they match.
    id: ClassVar[Mapped[int]]
    status: ClassVar[Mapped[str]]
    due_at: ClassVar[Mapped[datetime]]
    claimed_at: ClassVar[Mapped[datetime | None]]
    sent_at: ClassVar[Mapped[datetime | None]]


def claim(session: Session, model: type[Dispatched], row_id: int, now: datetime) -> bool:
    """Take a due row for sending. True for exactly one caller, whatever the race."""
    result = session.execute(
        update(model)
        .where(model.id == row_id, model.status == "scheduled", model.due_at <= now)
        .values(status="sending", claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


def mark_sent(session: Session, model: type[Dispatched], row_id: int, now: datetime) -> None:
    settle(session, model, row_id, "sent", sent_at=now)


def release(session: Session, model: type[Dispatched], row_id: int) -> None:
    """Sending failed in a way worth retrying: the row is scheduled again."""
    settle(session, model, row_id, "scheduled", claimed_at=None)


def settle(
    session: Session, model: type[Dispatched], row_id: int, status: str, **values: Any
) -> None:
    """Move a claimed row to `status` (and set `values`); a row not being sent stays as it is."""
    session.execute(
        update(model)
        .where(model.id == row_id, model.status == "sending")
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )


class SentOnce:
    """A repository of rows sent once: `model` says which; claiming, marking sent and releasing
    are the same for every such row."""

    model: ClassVar[type[Dispatched]]

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, row_id: int, now: datetime) -> bool:
        """Take a due row for sending. True for exactly one caller, whatever the race."""
        return claim(self.session, self.model, row_id, now)

    def mark_sent(self, row_id: int, now: datetime) -> None:
        mark_sent(self.session, self.model, row_id, now)

    def release(self, row_id: int) -> None:
        """Sending failed in a way worth retrying: the row is scheduled again."""
        release(self.session, self.model, row_id)


def recover_stale(
    session: Session, model: type[Dispatched], now: datetime, lease: timedelta
) -> None:
    """At start-up: a row claimed before `now - lease` belonged to a process that died
    mid-send, so it is scheduled again."""
    session.execute(
        update(model)
        .where(model.status == "sending", model.claimed_at < now - lease)
        .values(status="scheduled", claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def scheduled(
    session: Session,
    model: type[Dispatched],
    *,
    after: datetime | None = None,
    until: datetime | None = None,
) -> list[tuple[int, datetime]]:
    """(id, due_at) of the scheduled rows due after `after` and up to `until` (each bound
    only if given), soonest first: what a clock should wake up for."""
    statement = select(model.id, model.due_at).where(model.status == "scheduled")
    if after is not None:
        statement = statement.where(model.due_at > after)
    if until is not None:
        statement = statement.where(model.due_at <= until)
    rows = session.execute(statement.order_by(model.due_at, model.id))
    return [(id_, due_at) for id_, due_at in rows]
