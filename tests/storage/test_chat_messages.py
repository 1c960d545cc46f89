"""The ids of a chat's messages, kept for /wissen: written once each, in one statement, and
dropped when Telegram no longer lets a bot delete them; and the updates processed, forgotten
when Telegram no longer delivers them again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from storage import (
    ChatMessageRepository,
    ClientRepository,
    Identity,
    UpdateRepository,
)
from storage.models import ProcessedUpdate
from storage.updates import DELETABLE_FOR, PRUNE_EVERY, UPDATE_MEMORY


def test_ids_are_kept_once_in_one_statement_and_pruned_after_48_hours(
    database: DatabaseEngine, sessions: sessionmaker[Session], now: datetime
) -> None:
    with sessions.begin() as session:
        client = (
            ClientRepository(session)
            .create(Identity("telegram", "1"), language="nl", timezone="Europe/Amsterdam", now=now)
            .id
        )
    statements: list[str] = []
    event.listen(database, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with sessions.begin() as session:
        ChatMessageRepository(session).remember(client, [11, 12, 13], now - DELETABLE_FOR)
    assert len([s for s in statements if s.startswith("INSERT")]) == 1
    with sessions.begin() as session:
        chat = ChatMessageRepository(session)
        chat.remember(client, [13, 14], now)  # 13 again: kept once, with its first time
        chat.remember(client, [], now)
        assert chat.deletable(client, now) == [11, 12, 13, 14]
        assert chat.deletable(client, now + timedelta(seconds=1)) == [14]
        chat.prune(now + timedelta(seconds=1))
    with sessions.begin() as session:
        assert ChatMessageRepository(session).deletable(client, now) == [14]


def test_processed_updates_are_forgotten_once_too_old_to_come_again(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    old = now - UPDATE_MEMORY - timedelta(minutes=1)
    with sessions.begin() as session:
        updates = UpdateRepository(session)
        assert updates.first_time(PRUNE_EVERY - 2, old)
        assert updates.first_time(PRUNE_EVERY - 1, now - timedelta(minutes=1))
        assert not updates.first_time(PRUNE_EVERY - 2, now)  # delivered again: done before
    with sessions.begin() as session:
        assert UpdateRepository(session).first_time(PRUNE_EVERY, now)  # now and then: a prune
    with sessions.begin() as session:
        kept = session.scalars(
            select(ProcessedUpdate.update_id).order_by(ProcessedUpdate.update_id)
        )
        assert list(kept) == [PRUNE_EVERY - 1, PRUNE_EVERY]
