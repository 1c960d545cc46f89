"""The outbox: what the bot sends, as rows written in the unit of work that decided it.

A row is `pending` until the channel reports how its send went: `sent` (with the ids of the
messages it became, its payload emptied) or `failed` (with the reason, payload kept). A send
that failed for now stays `pending` with its reason and a later `next_try_at`. Plain Core
statements: this runs for every reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from storage.models import Outgoing
from storage.updates import DELETABLE_FOR as SENT_KEPT  # ids stay as long as they can be deleted

FAILED_KEPT = timedelta(days=7)  # for an administrator to see what did not go out, and why
# The table, not the mapped class: many rows updated at once by id is a Core executemany.
OUTBOX: Table = Outgoing.__table__  # type: ignore[assignment]


class Status(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class NewOutgoing:
    channel: str
    chat: str
    client_id: int | None
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class OutgoingRecord:
    id: int
    channel: str
    chat: str
    client_id: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class SentMark:
    """A row that went out, as the messages `message_ids`; `uncertain` tries before it timed out
    (those may have arrived too: Telegram has no idempotency key)."""

    id: int
    message_ids: tuple[int, ...]
    uncertain: int = 0


@dataclass(frozen=True)
class FailMark:
    """A try that failed: `retry_at` None gives up for good, else it is tried again then."""

    id: int
    reason: str
    retry_at: datetime | None
    uncertain: int = 0


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, rows: Sequence[NewOutgoing], now: datetime) -> list[OutgoingRecord]:
        """Write `rows` in this order (a chat's rows are sent in id order); the records."""
        if not rows:
            return []
        values = [
            {
                "channel": row.channel,
                "chat": row.chat,
                "client_id": row.client_id,
                "kind": row.kind,
                "payload": row.payload,
                "status": Status.PENDING.value,
                "attempts": 0,
                "uncertain": 0,
                "created_at": now,
                "next_try_at": now,
            }
            for row in rows
        ]
        ids = self.session.scalars(
            insert(OUTBOX).returning(OUTBOX.c.id, sort_by_parameter_order=True), values
        ).all()
        return [
            OutgoingRecord(id, row.channel, row.chat, row.client_id, row.kind, row.payload, 0, now)
            for id, row in zip(ids, rows, strict=True)
        ]

    def mark_sent(self, marks: Sequence[SentMark], now: datetime) -> None:
        if not marks:
            return
        # Rows of nobody's chat (a stranger before consent, a counsellor) go once sent: no
        # /wissen will ask for them, and before consent nothing of a person is kept.
        self.session.execute(
            delete(OUTBOX).where(
                OUTBOX.c.id.in_([mark.id for mark in marks]), OUTBOX.c.client_id.is_(None)
            )
        )
        columns = OUTBOX.c
        self.session.execute(
            update(OUTBOX)
            .where(columns.id == bindparam("row_id"))
            .values(
                status=Status.SENT.value,
                payload=None,
                message_ids=bindparam("message_ids"),
                sent_at=now,
                attempts=columns.attempts + 1,
                uncertain=columns.uncertain + bindparam("more_uncertain"),
                reason=None,
            ),
            [
                {"row_id": m.id, "message_ids": list(m.message_ids), "more_uncertain": m.uncertain}
                for m in marks
            ],
        )

    def mark_failed(self, marks: Sequence[FailMark], now: datetime) -> None:
        for mark in marks:
            values: dict[str, Any] = {
                "attempts": Outgoing.attempts + 1,
                "uncertain": Outgoing.uncertain + mark.uncertain,
                "reason": mark.reason[:200],
            }
            if mark.retry_at is None:
                values |= {"status": Status.FAILED.value, "sent_at": now}
            else:
                values["next_try_at"] = mark.retry_at
            self.session.execute(update(Outgoing).where(Outgoing.id == mark.id).values(values))

    def due(
        self, now: datetime, *, channel: str, leave_out: Sequence[int] = (), limit: int = 500
    ) -> list[OutgoingRecord]:
        """Pending rows whose time has come, oldest first (but those in `leave_out`: in hand).
        A chat whose older row waits to be tried again waits with it: its rows stay in order."""
        earlier = OUTBOX.alias("earlier")
        waiting_before = (
            select(earlier.c.id)
            .where(
                earlier.c.channel == Outgoing.channel,
                earlier.c.chat == Outgoing.chat,
                earlier.c.status == Status.PENDING.value,
                earlier.c.id < Outgoing.id,
                earlier.c.next_try_at > now,
            )
            .exists()
        )
        query = (
            select(
                Outgoing.id,
                Outgoing.channel,
                Outgoing.chat,
                Outgoing.client_id,
                Outgoing.kind,
                Outgoing.payload,
                Outgoing.attempts,
                Outgoing.created_at,
            )
            .where(
                Outgoing.status == Status.PENDING.value,
                Outgoing.channel == channel,
                Outgoing.next_try_at <= now,
                ~waiting_before,
            )
            .order_by(Outgoing.id)
            .limit(limit)
        )
        if leave_out:
            query = query.where(Outgoing.id.not_in(list(leave_out)))
        return [OutgoingRecord(*row) for row in self.session.execute(query)]

    def sent_ids(self, client_id: int, since: datetime) -> list[int]:
        """The ids of the bot's messages in the client's chat sent since `since`."""
        rows = self.session.scalars(
            select(Outgoing.message_ids).where(
                Outgoing.client_id == client_id,
                Outgoing.status == Status.SENT.value,
                Outgoing.sent_at >= since,
                Outgoing.message_ids.is_not(None),
            )
        )
        return sorted(message for ids in rows for message in ids or ())

    def sent_in_chat_since(
        self, channel: str, chat: str, *, before: int, since: datetime
    ) -> list[int]:
        """Message ids of a chat's rows older than row `before` that went out after `since`: a
        deletion decided while they were still waiting takes them too."""
        rows = self.session.scalars(
            select(Outgoing.message_ids).where(
                Outgoing.channel == channel,
                Outgoing.chat == chat,
                Outgoing.id < before,
                Outgoing.status == Status.SENT.value,
                Outgoing.sent_at >= since,
            )
        )
        return sorted(message for ids in rows for message in ids or ())

    def forget_sent(self, client_id: int) -> None:
        """The client's chat was emptied (/wissen): no message of it needs deleting again."""
        self.session.execute(
            update(Outgoing)
            .where(Outgoing.client_id == client_id, Outgoing.status == Status.SENT.value)
            .values(message_ids=None)
        )

    def prune(self, now: datetime) -> None:
        """Sent rows too old for their messages to be deleted, failed ones after a week."""
        self.session.execute(
            delete(Outgoing).where(
                ((Outgoing.status == Status.SENT.value) & (Outgoing.sent_at < now - SENT_KEPT))
                | (
                    (Outgoing.status == Status.FAILED.value)
                    & (Outgoing.sent_at < now - FAILED_KEPT)
                )
            )
        )

    def counts(self) -> dict[str, int]:
        """How many rows there are of each status (for the health of the outbox)."""
        rows = self.session.execute(select(Outgoing.status, func.count()).group_by(Outgoing.status))
        return {status: count for status, count in rows}
