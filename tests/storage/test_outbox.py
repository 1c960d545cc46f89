"""The outbox: rows in the order they were written, results recorded, a chat's rows kept in
order across retries, the ids of sent messages for /wissen, erasure and pruning."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage import ClientDataRepository, ClientRepository, Identity
from storage.models import Outgoing
from storage.outbox import (
    FAILED_KEPT,
    FailMark,
    NewOutgoing,
    OutboxRepository,
    SentMark,
)
from storage.updates import DELETABLE_FOR as SENT_KEPT
from tests.conftest import AUDIT_KEY

MINUTE = timedelta(minutes=1)


def client(session: Session, external_id: str, now: datetime) -> int:
    return (
        ClientRepository(session)
        .create(Identity("telegram", external_id), language="nl", timezone="UTC", now=now)
        .id
    )


def row(chat: str, text: str, client_id: int | None = None) -> NewOutgoing:
    return NewOutgoing("telegram", chat, client_id, "message", {"text": text, "buttons": []})


def test_rows_are_due_in_the_order_written_and_leave_when_sent(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    with sessions.begin() as session:
        ana = client(session, "1", now)
        added = OutboxRepository(session).add(
            [row("1", "een", ana), row("2", "hallo"), row("1", "twee", ana)], now
        )
    assert [r.payload["text"] for r in added] == ["een", "hallo", "twee"]
    assert [r.id for r in added] == sorted(r.id for r in added)
    with sessions.begin() as session:
        outbox = OutboxRepository(session)
        assert [r.id for r in outbox.due(now, channel="telegram")] == [r.id for r in added]
        assert outbox.due(now, channel="terminal") == []
        assert [r.id for r in outbox.due(now, channel="telegram", leave_out=[added[0].id])] == [
            added[1].id,
            added[2].id,
        ]
        outbox.mark_sent([SentMark(added[0].id, (501, 502)), SentMark(added[1].id, (7,))], now)
    with sessions.begin() as session:
        outbox = OutboxRepository(session)
        assert [r.id for r in outbox.due(now, channel="telegram")] == [added[2].id]
        # Ana's message ids stay for /wissen; a stranger's row goes once sent.
        assert outbox.sent_ids(ana, now - MINUTE) == [501, 502]
        assert session.get(Outgoing, added[1].id) is None
        sent = session.get(Outgoing, added[0].id)
        assert sent is not None
        assert (sent.status, sent.payload, sent.attempts) == ("sent", None, 1)


def test_a_failed_row_is_tried_again_later_and_its_chat_waits_with_it(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    with sessions.begin() as session:
        first, second, other = OutboxRepository(session).add(
            [row("1", "een"), row("1", "twee"), row("2", "ander")], now
        )
    with sessions.begin() as session:
        OutboxRepository(session).mark_failed(
            [FailMark(first.id, "NetworkError: timed out", now + MINUTE, uncertain=1)], now
        )
    with sessions.begin() as session:
        outbox = OutboxRepository(session)
        # "twee" waits behind "een": a chat's messages never overtake each other.
        assert [r.id for r in outbox.due(now, channel="telegram")] == [other.id]
        assert [r.id for r in outbox.due(now + MINUTE, channel="telegram")] == [
            first.id,
            second.id,
            other.id,
        ]
        failed = session.get(Outgoing, first.id)
        assert failed is not None
        assert (failed.status, failed.attempts, failed.uncertain) == ("pending", 1, 1)
        assert failed.reason == "NetworkError: timed out"
        outbox.mark_failed([FailMark(second.id, "BadRequest: chat not found", None)], now)
    with sessions.begin() as session:
        given_up = session.get(Outgoing, second.id)
        assert given_up is not None
        assert (given_up.status, given_up.reason) == ("failed", "BadRequest: chat not found")
        assert OutboxRepository(session).counts() == {"pending": 2, "failed": 1}


def test_sent_ids_are_kept_48_hours_and_failures_a_week(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    with sessions.begin() as session:
        ana = client(session, "1", now)
        old, recent, failed = OutboxRepository(session).add(
            [row("1", "oud", ana), row("1", "nieuw", ana), row("1", "mislukt", ana)], now
        )
        outbox = OutboxRepository(session)
        outbox.mark_sent([SentMark(old.id, (1,))], now - SENT_KEPT - MINUTE)
        outbox.mark_sent([SentMark(recent.id, (2,))], now)
        outbox.mark_failed([FailMark(failed.id, "Forbidden", None)], now - FAILED_KEPT + MINUTE)
    with sessions.begin() as session:
        outbox = OutboxRepository(session)
        assert outbox.sent_ids(ana, now - SENT_KEPT) == [2]
        outbox.prune(now)
        assert session.scalar(select(func.count()).select_from(Outgoing)) == 2
        outbox.prune(now + 2 * MINUTE)
        assert session.scalar(select(func.count()).select_from(Outgoing)) == 1
        outbox.forget_sent(ana)  # /wissen asked Telegram to delete them
        assert outbox.sent_ids(ana, now - SENT_KEPT) == []


def test_erasing_a_client_takes_every_row_of_their_chat(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    with sessions.begin() as session:
        ana = client(session, "1", now)
        OutboxRepository(session).add([row("1", "je antwoorden", ana), row("9", "begeleider")], now)
    with sessions.begin() as session:
        ClientDataRepository(session).erase(ana, "telegram:1", audit_key=AUDIT_KEY, now=now)
    with sessions.begin() as session:
        chats = session.scalars(select(Outgoing.chat)).all()
        assert chats == ["9"]
