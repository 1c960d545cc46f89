"""The link between a client and a counsellor once it exists: what the client shares, the
messages, the looks, and the end of it. Everything is scoped by the client's id, so a client
never touches a link of someone else. How a link comes to be is in `storage/invitations.py`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Select,
    Update,
    and_,
    select,
    update,
)
from sqlalchemy.orm import Session

from dialogs.linking.casefile import LinkView, Look, LookKind, Section
from storage.models import (
    AuditEntry,
    CounsellorMessage,
    Link,
    Staff,
)
from storage.staff import ACTIVE_COUNSELLOR

# A crisis alert carries no text: what the client wrote is never passed on.
MESSAGE_KINDS = ("message", "call", "crisis")

# A link that shares: not ended, and confirmed by the counsellor. Every read of a link for
# sharing, messages, alerts, case files and team meetings goes through this.
LIVE_LINK = and_(Link.ended_at.is_(None), Link.confirmed_at.is_not(None))

# Which column of a link says a section is shared.
_SHARED_BY = {
    Section.STRENGTHS: Link.share_strengths,
    Section.PLAN: Link.share_plan,
    Section.REFLECTIONS: Link.share_reflections,
    Section.RESOURCES: Link.share_resources,
}


@dataclass(frozen=True)
class Contact:
    """The counsellor to tell about what a client did with a link."""

    telegram_id: int
    language: str
    client_name: str  # what the counsellor calls the client


@dataclass(frozen=True)
class Delivery:
    """A client's message, stored for one counsellor, to send to them."""

    message_id: int
    counsellor_telegram_id: int
    counsellor_language: str
    client_name: str
    counsellor_name: str


def link_sections(link: Link) -> frozenset[Section]:
    """What the client shares over this link."""
    return frozenset(section for section, column in _SHARED_BY.items() if getattr(link, column.key))


def sections_named(names: Iterable[str]) -> tuple[Section, ...]:
    """The sections an audit entry lists."""
    return tuple(Section(name) for name in names)


class LinkRepository:
    """The client's side of their links."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def for_client(self, client_id: int) -> list[LinkView]:
        """The client's links with a counsellor who still works here, oldest first."""
        return [
            LinkView(link.id, staff.name, staff.team, link_sections(link), link.created_at)
            for link, staff in self.session.execute(self._active(client_id))
        ]

    def set_sharing(
        self, client_id: int, link_id: int, sections: frozenset[Section], now: datetime
    ) -> bool:
        """Share exactly `sections` over the client's link; False if it is not theirs or ended."""
        return changed_one(
            self.session,
            update(Link)
            .where(Link.id == link_id, Link.client_id == client_id, Link.ended_at.is_(None))
            .values(sharing(sections, now)),
        )

    def end(self, client_id: int, link_id: int, now: datetime, by: str = "client") -> bool:
        """End the client's link; False if it is not theirs or ended already."""
        return changed_one(
            self.session,
            update(Link)
            .where(Link.id == link_id, Link.client_id == client_id, Link.ended_at.is_(None))
            .values(ended_at=now, ended_by=by),
        )

    def contact(self, client_id: int, link_id: int) -> Contact | None:
        """The counsellor of the client's active link, while they work here."""
        found = self.session.execute(self._active(client_id).where(Link.id == link_id)).first()
        if found is None:
            return None
        link, staff = found
        return Contact(staff.telegram_id, staff.language, link.client_name)

    def add_message(self, client_id: int, kind: str, text: str, now: datetime) -> list[Delivery]:
        """Store a message (or a request to call) for each counsellor the client is linked
        with; what to send to whom."""
        if kind not in MESSAGE_KINDS:
            raise ValueError(f"unknown message kind: {kind!r}")
        stored = []
        for link, staff in self.session.execute(self._active(client_id)).all():
            message = CounsellorMessage(
                link_id=link.id, client_id=client_id, kind=kind, text=text, created_at=now
            )
            self.session.add(message)
            stored.append((message, staff, link.client_name))
        self.session.flush()
        return [
            Delivery(message.id, staff.telegram_id, staff.language, name, staff.name)
            for message, staff, name in stored
        ]

    def mark_delivered(self, message_ids: Sequence[int], now: datetime) -> None:
        """These messages reached their counsellor (the first delivery counts)."""
        if not message_ids:
            return
        self.session.execute(
            update(CounsellorMessage)
            .where(
                CounsellorMessage.id.in_(list(message_ids)),
                CounsellorMessage.delivered_at.is_(None),
            )
            .values(delivered_at=now)
            .execution_options(synchronize_session=False)
        )

    def looks(self, client_id: int, limit: int = 20) -> list[Look]:
        """Who looked at the client's data, newest first."""
        rows = self.session.execute(
            select(AuditEntry, Staff.name)
            .join(Staff, AuditEntry.staff_id == Staff.id)
            .where(AuditEntry.client_id == client_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
        return [
            Look(name, LookKind(entry.kind), sections_named(entry.sections), entry.at)
            for entry, name in rows
        ]

    def _active(self, client_id: int) -> Select[Link, Staff]:
        return (
            select(Link, Staff)
            .join(Staff, Link.staff_id == Staff.id)
            .where(Link.client_id == client_id, LIVE_LINK, ACTIVE_COUNSELLOR)
            .order_by(Link.created_at, Link.id)
            .execution_options(populate_existing=True)
        )


def sharing(sections: frozenset[Section], now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {
        column.key: section in sections for section, column in _SHARED_BY.items()
    }
    return values | {"sharing_changed_at": now}


def changed_one(session: Session, statement: Update) -> bool:
    result = session.execute(statement.execution_options(synchronize_session=False))
    return cast(CursorResult[Any], result).rowcount == 1
