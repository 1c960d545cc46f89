"""What arrived and what was said, by id only: updates processed (each at most once), and the
message ids of a client's chat that Telegram still lets the bot delete (/wissen)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import insert_all_once, insert_once
from storage.models import ChatMessage, ProcessedUpdate

# Telegram delivers an unconfirmed update again for up to a day; bots may delete messages in a
# private chat for 48 hours.
UPDATE_MEMORY = timedelta(days=2)
DELETABLE_FOR = timedelta(hours=48)
PRUNE_EVERY = 1000  # updates; ids are consecutive, so this is now and then, in one process


class UpdateRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def first_time(self, update_id: int, now: datetime) -> bool:
        """Record an update; False when it was processed before (its effects are committed).
        Every `PRUNE_EVERY`th update also forgets those too old to be delivered again."""
        first = insert_once(
            self.session,
            ProcessedUpdate,
            {"update_id": update_id, "at": now},
            [ProcessedUpdate.update_id],
        )
        if first and update_id % PRUNE_EVERY == 0:
            self.session.execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.at < now - UPDATE_MEMORY)
            )
        return first


class ChatMessageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def remember(self, client_id: int, message_ids: Sequence[int], now: datetime) -> None:
        """Keep the ids of messages in the client's chat (one statement, in the update's own
        unit of work); `prune` drops the ones too old to delete, now and then."""
        rows = [{"client_id": client_id, "message_id": m, "at": now} for m in message_ids]
        insert_all_once(
            self.session, ChatMessage, rows, [ChatMessage.client_id, ChatMessage.message_id]
        )

    def prune(self, now: datetime) -> None:
        self.session.execute(delete(ChatMessage).where(ChatMessage.at < now - DELETABLE_FOR))

    def deletable(self, client_id: int, now: datetime) -> list[int]:
        rows = self.session.scalars(
            select(ChatMessage.message_id)
            .where(ChatMessage.client_id == client_id, ChatMessage.at >= now - DELETABLE_FOR)
            .order_by(ChatMessage.message_id)
        )
        return list(rows)

    def forget(self, client_id: int, message_ids: Iterable[int]) -> None:
        self.session.execute(
            delete(ChatMessage).where(
                ChatMessage.client_id == client_id, ChatMessage.message_id.in_(list(message_ids))
            )
        )
