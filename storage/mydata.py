"""The client's rights over their data (AVG/GDPR): everything stored about them, and erasure.

`everything` reads every table that holds something about the client, every column of it, so
a column added later is in the export without anyone remembering to add it, and the team
meetings where they were the case. `erase` deletes the client row, which the foreign keys
cascade into every table below it, what refers to them by their channel identity (invitations
they opened, wrong-code counts) and their case in team meetings (the meeting stays, its case
marked removed). The audit trail stays, pseudonymised (storage.pseudonyms).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, inspect, select, update
from sqlalchemy.orm import DeclarativeBase, Session

from storage.db import compact_after_commit
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
    MeetingIdea,
    Outgoing,
    PlanEventRow,
    Reflection,
    Reminder,
    Resource,
    Staff,
    Step,
    StepProposal,
    TeamMeeting,
)
from storage.pseudonyms import pseudonym

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
    ("messages_from_the_bot", Outgoing),
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
        data["team_meetings"] = self._meetings(client_id)
        return data

    def _meetings(self, client_id: int) -> list[dict[str, Any]]:
        """The team meetings where the client was the case (chosen over their link)."""
        meetings = self.session.scalars(
            select(TeamMeeting)
            .join(Link, TeamMeeting.case_link_id == Link.id)
            .where(Link.client_id == client_id)
            .order_by(TeamMeeting.started_at, TeamMeeting.id)
        )
        found = []
        for meeting in meetings:
            ideas = list(
                self.session.scalars(
                    select(MeetingIdea)
                    .where(MeetingIdea.meeting_id == meeting.id)
                    .order_by(MeetingIdea.number)
                )
            )
            proposals = self.session.scalars(
                select(StepProposal.steps)
                .where(StepProposal.meeting_id == meeting.id, StepProposal.client_id == client_id)
                .order_by(StepProposal.id)
            )
            found.append(
                {
                    "started_at": _plain(meeting.started_at),
                    "case": meeting.case_label,
                    "presenter": meeting.presenter_name,
                    "ideas": [idea.text for idea in ideas],
                    "ideas_chosen": [idea.text for idea in ideas if idea.chosen],
                    "next_step": meeting.next_step,
                    "what_came_of_it": meeting.follow_up,
                    "proposed_steps": [step for steps in proposals for step in steps],
                }
            )
        return found

    def erase(self, client_id: int, identity: str, *, audit_key: bytes, now: datetime) -> Erased:
        """Delete everything about the client, in this transaction; the looks at their data
        stay under the keyed hash of their account (`audit_key`)."""
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
        self._remove_cases(client_id, now)
        self.session.execute(
            update(AuditEntry)
            .where(AuditEntry.client_id == client_id)
            .values(client_id=None, client_pseudonym=pseudonym(audit_key, identity))
        )
        # Core, not the ORM: the database's ON DELETE CASCADE removes every row below.
        self.session.execute(delete(Client).where(Client.id == client_id))
        compact_after_commit(self.session)
        return Erased(reminder_ids, counsellors)

    def _remove_cases(self, client_id: int, now: datetime) -> None:
        """Their case in team meetings: label, ideas, next step and what came of it. The
        meetings come first: a meeting's update holding one commits before this goes on."""
        removed = self.session.scalars(
            update(TeamMeeting)
            .where(TeamMeeting.case_link_id.in_(select(Link.id).where(Link.client_id == client_id)))
            .values(
                case_label=None,
                case_link_id=None,
                next_step=None,
                follow_up=None,
                case_removed_at=now,
            )
            .returning(TeamMeeting.id)
        ).all()
        if removed:
            self.session.execute(delete(MeetingIdea).where(MeetingIdea.meeting_id.in_(removed)))
