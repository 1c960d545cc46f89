"""The client's rights over their data (AVG/GDPR): everything stored about them, and erasure.

`everything` reads every table that holds something about the client, every column of it, so
a column added later is in the export without anyone remembering to add it. `erase` deletes
the client row, which the foreign keys cascade into every table below it, and what refers to
them by their channel identity (invitations they opened, wrong-code counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, inspect, select
from sqlalchemy.orm import DeclarativeBase, Session

from storage.links import Contact, LinkRepository
from storage.models import (
    AnswerVersion,
    AuditEntry,
    ChatMessage,
    Client,
    CodeAttempt,
    Conversation,
    CounsellorMessage,
    Goal,
    Invitation,
    Link,
    PlanEventRow,
    Reflection,
    Reminder,
    Resource,
    Staff,
    Step,
    StepProposal,
)

# Tables whose rows belong to one client, by the name they have in the export.
CLIENT_TABLES: tuple[tuple[str, type[DeclarativeBase]], ...] = (
    ("conversation", Conversation),
    ("answers", AnswerVersion),
    ("goals", Goal),
    ("steps", Step),
    ("plan_history", PlanEventRow),
    ("reflections", Reflection),
    ("resources", Resource),
    ("reminders", Reminder),
    ("links", Link),
    ("messages_to_counsellors", CounsellorMessage),
    ("looks_at_your_data", AuditEntry),
    ("recent_chat_message_ids", ChatMessage),
    ("proposals_from_team_meetings", StepProposal),
)
# Reminders a scheduler may still hold a timer for.
LIVE_REMINDERS = ("scheduled", "sending", "paused")


@dataclass(frozen=True)
class Erased:
    """What the caller still has to do: drop these timers, tell these counsellors."""

    reminder_ids: list[int]
    counsellors: list[Contact]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(row: DeclarativeBase) -> dict[str, Any]:
    return {column.key: _plain(getattr(row, column.key)) for column in inspect(row).mapper.columns}


class ClientDataRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def everything(self, client_id: int, identity: str) -> dict[str, Any]:
        """Every row about the client, JSON-ready; counsellors named, not only numbered."""
        client = self.session.get_one(Client, client_id)
        data: dict[str, Any] = {"client": _row(client)}
        for name, model in CLIENT_TABLES:
            column = inspect(model).columns["client_id"]
            rows = self.session.scalars(
                select(model).where(column == client_id).order_by(*inspect(model).primary_key)
            )
            data[name] = [_row(row) for row in rows]
        names = {id_: name for id_, name in self.session.execute(select(Staff.id, Staff.name))}
        for key in ("links", "looks_at_your_data"):
            for entry in data[key]:
                entry["counsellor"] = names.get(entry["staff_id"])
        invitations = self.session.scalars(
            select(Invitation).where(Invitation.opened_by == identity).order_by(Invitation.id)
        )
        data["invitations_opened"] = [
            {
                "counsellor": names.get(row.staff_id),
                "opened_at": _plain(row.opened_at),
                "closed_at": _plain(row.closed_at),
                "outcome": row.outcome,
            }
            for row in invitations
        ]
        return data

    def erase(self, client_id: int, identity: str) -> Erased:
        """Delete everything about the client, in this transaction."""
        reminder_ids = list(
            self.session.scalars(
                select(Reminder.id).where(
                    Reminder.client_id == client_id, Reminder.status.in_(LIVE_REMINDERS)
                )
            )
        )
        links = LinkRepository(self.session)
        counsellors = [
            contact
            for link in links.for_client(client_id)
            if (contact := links.contact(client_id, link.id)) is not None
        ]
        self.session.execute(delete(Invitation).where(Invitation.opened_by == identity))
        self.session.execute(delete(CodeAttempt).where(CodeAttempt.identity == identity))
        # Core, not the ORM: the database's ON DELETE CASCADE removes every row below.
        self.session.execute(delete(Client).where(Client.id == client_id))
        return Erased(reminder_ids, counsellors)
