"""The queries. Repositories take a session (one unit of work) and return plain values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from storage.models import AnswerVersion, Client, Conversation


@dataclass(frozen=True)
class Identity:
    """Who someone is on a channel: ("telegram", "<user id>") or ("terminal", "<name>")."""

    channel: str
    external_id: str


@dataclass(frozen=True)
class ClientRecord:
    id: int
    language: str
    timezone: str
    channel: str
    external_id: str
    quiet_start: str | None = None  # "HH:MM"; None: the organisation's default
    quiet_end: str | None = None
    unreachable_at: datetime | None = None  # since when the channel cannot reach them


@dataclass(frozen=True)
class StoredAnswer:
    key: str
    status: str
    text: str | None
    choices: tuple[str, ...]
    created_at: datetime
    superseded_at: datetime | None


class ClientRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, identity: Identity) -> ClientRecord | None:
        client = self.session.scalars(
            select(Client).where(
                Client.channel == identity.channel, Client.external_id == identity.external_id
            )
        ).one_or_none()
        return None if client is None else _record(client)

    def create(
        self, identity: Identity, *, language: str, timezone: str, now: datetime
    ) -> ClientRecord:
        """Register someone at the moment they consent."""
        client = Client(
            channel=identity.channel,
            external_id=identity.external_id,
            language=language,
            timezone=timezone,
            consented_at=now,
            created_at=now,
            last_seen_at=now,
        )
        self.session.add(client)
        self.session.flush()
        return _record(client)

    def get(self, client_id: int) -> ClientRecord | None:
        client = self.session.get(Client, client_id, populate_existing=True)
        return None if client is None else _record(client)

    def existing(self, client_ids: Iterable[int]) -> list[int]:
        """Which of these clients are still there (not erased)."""
        wanted = list(client_ids)
        return list(self.session.scalars(select(Client.id).where(Client.id.in_(wanted))))

    def touch(self, client_id: int, *, language: str, now: datetime) -> None:
        self.session.execute(
            update(Client).where(Client.id == client_id).values(language=language, last_seen_at=now)
        )

    def set_quiet_hours(self, client_id: int, start: str | None, end: str | None) -> None:
        """Quiet hours as "HH:MM" in the client's time zone; None: the organisation's default."""
        for value in (start, end):
            if value is not None and not _HH_MM.fullmatch(value):
                raise ValueError(f"not a time of day as HH:MM: {value!r}")
        self.session.execute(
            update(Client).where(Client.id == client_id).values(quiet_start=start, quiet_end=end)
        )

    def mark_unreachable(self, client_id: int, now: datetime) -> None:
        """The channel cannot reach the client; the first moment is kept until reachable again."""
        self.session.execute(
            update(Client)
            .where(Client.id == client_id, Client.unreachable_at.is_(None))
            .values(unreachable_at=now)
        )

    def mark_reachable(self, client_id: int) -> None:
        self.session.execute(
            update(Client).where(Client.id == client_id).values(unreachable_at=None)
        )


class ConversationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def load(self, client_id: int) -> dict[str, Any] | None:
        """The stored state, locked until commit so two updates of one client take turns."""
        return self.session.scalar(
            select(Conversation.state).where(Conversation.client_id == client_id).with_for_update()
        )

    def save(self, client_id: int, state: dict[str, Any], now: datetime) -> None:
        # One UPDATE, no read first: the row was read (and locked) by `load` in this unit
        # of work; only a client's first turn inserts it.
        changed = self.session.execute(
            update(Conversation)
            .where(Conversation.client_id == client_id)
            .values(state=state, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], changed).rowcount == 0:
            self.session.add(Conversation(client_id=client_id, state=state, updated_at=now))


class AnswerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def current(self, client_id: int) -> Mapping[str, StoredAnswer]:
        rows = self.session.scalars(
            select(AnswerVersion).where(
                AnswerVersion.client_id == client_id, AnswerVersion.superseded_at.is_(None)
            )
        )
        return {row.key: _answer(row) for row in rows}

    def history(self, client_id: int, key: str) -> list[StoredAnswer]:
        """Every version of one answer, oldest first."""
        rows = self.session.scalars(
            select(AnswerVersion)
            .where(AnswerVersion.client_id == client_id, AnswerVersion.key == key)
            .order_by(AnswerVersion.id)
        )
        return [_answer(row) for row in rows]

    def save(
        self,
        client_id: int,
        key: str,
        *,
        status: str,
        text: str | None,
        choices: tuple[str, ...],
        now: datetime,
    ) -> None:
        """Add a new current version; the one before it stays, marked superseded."""
        self.session.execute(
            update(AnswerVersion)
            .where(
                AnswerVersion.client_id == client_id,
                AnswerVersion.key == key,
                AnswerVersion.superseded_at.is_(None),
            )
            .values(superseded_at=now)
        )
        self.session.add(
            AnswerVersion(
                client_id=client_id,
                key=key,
                status=status,
                text=text,
                choices=list(choices),
                created_at=now,
                superseded_at=None,
            )
        )
        self.session.flush()


_HH_MM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _record(client: Client) -> ClientRecord:
    return ClientRecord(
        client.id,
        client.language,
        client.timezone,
        client.channel,
        client.external_id,
        client.quiet_start,
        client.quiet_end,
        client.unreachable_at,
    )


def _answer(row: AnswerVersion) -> StoredAnswer:
    return StoredAnswer(
        row.key, row.status, row.text, tuple(row.choices), row.created_at, row.superseded_at
    )
