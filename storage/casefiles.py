"""What a counsellor may see of a client: the only way staff read client data.

Access is decided here, not in the handlers: every method first checks that the staff member
is an active counsellor with an active link to the client (else AccessDenied), and fills only
the sections the client shares over that link. Every look is written to the audit trail in
the same transaction as the reading, so there is no look without its entry.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from dialogs.engine.state import Closeness, ResourceKind
from dialogs.linking.casefile import (
    AnswerEntry,
    CaseFile,
    ClientLine,
    GoalEntry,
    LookKind,
    MessageEntry,
    PlanChange,
    ReflectionEntry,
    ReminderEntry,
    ResourceEntry,
    Section,
    StepEntry,
)
from storage.links import LIVE_LINK, link_sections, sections_named
from storage.models import (
    AuditEntry,
    Client,
    CounsellorMessage,
    Link,
    Reminder,
    Resource,
    Staff,
    Step,
)
from storage.plans import GoalRecord, PlanRepository, StepRecord
from storage.pseudonyms import pseudonym
from storage.repositories import AnswerRepository
from storage.staff import AccessDenied, require_counsellor

__all__ = ["AccessDenied", "AuditRecord", "AuditRepository", "CaseFileRepository"]

# The strengths inventory's answers; other flows keep theirs as records (plan, reflections),
# and anything stored as an answer later is not shared by sharing the strengths.
STRENGTHS_KEYS = "inventory."


@dataclass(frozen=True)
class AuditRecord:
    """One look at a client's data, as an administrator sees it."""

    staff_name: str
    staff_telegram_id: int
    kind: LookKind
    sections: tuple[Section, ...]
    at: datetime
    erased: bool = False  # the client was erased since: kept under the keyed hash of the id


class CaseFileRepository:
    """One counsellor's reading of the clients linked with them."""

    def __init__(self, session: Session, staff_id: int) -> None:
        self.session = session
        self.staff_id = staff_id

    def clients(self, now: datetime) -> list[ClientLine]:
        """The counsellor's linked clients by name; step counts only where the plan is shared."""
        require_counsellor(self.session, self.staff_id)
        rows = self.session.execute(
            select(Link, Client)
            .join(Client, Link.client_id == Client.id)
            .where(Link.staff_id == self.staff_id, LIVE_LINK)
            .order_by(Link.client_name, Link.id)
            .execution_options(populate_existing=True)
        ).all()
        plan_shared = [client for link, client in rows if Section.PLAN in link_sections(link)]
        steps = self._open_steps(plan_shared, now)
        messages = self._new_messages([link.id for link, _ in rows])
        lines = []
        for link, client in rows:
            open_steps, overdue_steps = steps.get(client.id, (None, None))
            lines.append(
                ClientLine(
                    client.id,
                    link.client_name,
                    client.last_seen_at,
                    open_steps,
                    overdue_steps,
                    messages[link.id],
                )
            )
        return lines

    def case_file(self, client_id: int, kind: LookKind, now: datetime) -> CaseFile:
        """What the client shares with this counsellor, and their messages to them; the look
        is audited, and a view or a digest moves the counsellor's "last look" to `now`."""
        link = self._link(client_id)
        client = self.session.get_one(Client, client_id)
        sections = link_sections(link)
        if kind is LookKind.DIGEST:
            last_look, link.last_digest_at = link.last_digest_at, now
        elif kind is LookKind.VIEW:
            last_look, link.last_viewed_at = link.last_viewed_at, now
        else:  # an export is no reading: what is new stays new
            last_look = link.last_viewed_at
        self.session.add(
            AuditEntry(
                staff_id=self.staff_id,
                client_id=client_id,
                kind=kind.value,
                sections=sorted(section.value for section in sections),
                at=now,
            )
        )
        self.session.flush()
        # Start from what every look shows, then add each shared section and nothing else.
        case_file = CaseFile(
            client_id=client_id,
            name=link.client_name,
            language=client.language,
            timezone=client.timezone,
            linked_since=link.created_at,
            sections=sections,
            last_look=last_look,
            last_activity=client.last_seen_at,
            messages=self._messages(link.id),
        )
        plans = PlanRepository(self.session)
        if Section.STRENGTHS in sections:
            case_file = replace(case_file, answers=self._answers(client_id))
        if Section.PLAN in sections:
            case_file = replace(
                case_file,
                goals=tuple(_goal(goal) for goal in plans.goals(client_id)),
                steps=tuple(_step(step) for step in plans.steps(client_id)),
                changes=tuple(
                    PlanChange(event.goal, event.step, event.kind, event.at)
                    for event in plans.history(client_id)
                ),
                reminders=self._reminders(client_id),
            )
        if Section.REFLECTIONS in sections:
            case_file = replace(
                case_file,
                reflections=tuple(
                    ReflectionEntry(r.number, r.goal, r.step, r.answers, r.created_at)
                    for r in plans.reflections(client_id)
                ),
            )
        if Section.RESOURCES in sections:
            case_file = replace(case_file, resources=self._resources(client_id))
        return case_file

    def _link(self, client_id: int) -> Link:
        require_counsellor(self.session, self.staff_id)
        link = self.session.scalars(
            select(Link)
            .where(
                Link.staff_id == self.staff_id,
                Link.client_id == client_id,
                LIVE_LINK,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
        if link is None:
            raise AccessDenied(f"staff {self.staff_id} has no active link with client {client_id}")
        return link

    def _open_steps(self, clients: list[Client], now: datetime) -> dict[int, tuple[int, int]]:
        """(open, overdue) steps per client; overdue: due before today where the client is."""
        today = {c.id: now.astimezone(ZoneInfo(c.timezone)).date() for c in clients}
        rows = self.session.execute(
            select(Step.client_id, Step.due).where(
                Step.client_id.in_(list(today)), Step.status == "open"
            )
        )
        counts = {client_id: (0, 0) for client_id in today}
        for client_id, due in rows:
            open_steps, overdue_steps = counts[client_id]
            overdue = due is not None and due < today[client_id]
            counts[client_id] = (open_steps + 1, overdue_steps + overdue)
        return counts

    def _new_messages(self, link_ids: list[int]) -> Counter[int]:
        """Messages per link since the counsellor's last view (all of them before a first)."""
        rows = self.session.execute(
            select(CounsellorMessage.link_id, func.count())
            .join(Link, CounsellorMessage.link_id == Link.id)
            .where(
                Link.id.in_(link_ids),
                or_(
                    Link.last_viewed_at.is_(None),
                    CounsellorMessage.created_at > Link.last_viewed_at,
                ),
            )
            .group_by(CounsellorMessage.link_id)
        )
        return Counter({link_id: count for link_id, count in rows})

    def _answers(self, client_id: int) -> tuple[AnswerEntry, ...]:
        current = AnswerRepository(self.session).current(client_id)
        return tuple(
            AnswerEntry(a.key, a.status, a.text, a.choices, a.created_at)
            for key, a in sorted(current.items())
            if key.startswith(STRENGTHS_KEYS)
        )

    def _reminders(self, client_id: int) -> tuple[ReminderEntry, ...]:
        rows = self.session.scalars(
            select(Reminder)
            .where(Reminder.client_id == client_id)
            .order_by(Reminder.due_at, Reminder.id)
            .execution_options(populate_existing=True)
        )
        return tuple(
            ReminderEntry(r.step_number, r.kind, r.due_at, r.status, r.sent_at, r.answered_at)
            for r in rows
        )

    def _resources(self, client_id: int) -> tuple[ResourceEntry, ...]:
        """The client's resources, without the ones they took off their list."""
        rows = self.session.scalars(
            select(Resource)
            .where(Resource.client_id == client_id, Resource.removed_at.is_(None))
            .order_by(Resource.number)
        )
        return tuple(
            ResourceEntry(
                r.number,
                r.name,
                ResourceKind(r.kind),
                Closeness(r.closeness),
                r.goal_number,
                r.domain,
                r.help_with,
                r.created_at,
                r.updated_at,
            )
            for r in rows
        )

    def _messages(self, link_id: int) -> tuple[MessageEntry, ...]:
        rows = self.session.scalars(
            select(CounsellorMessage)
            .where(CounsellorMessage.link_id == link_id)
            .order_by(CounsellorMessage.created_at, CounsellorMessage.id)
        )
        return tuple(MessageEntry(m.kind, m.text, m.created_at) for m in rows)


class AuditRepository:
    """The audit trail of one client, for administrators."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def for_client(self, client_id: int) -> list[AuditRecord]:
        """Every look at the data of this client (not erased), oldest first."""
        return self._looks(AuditEntry.client_id == client_id)

    def for_account(self, identity: str, audit_key: bytes) -> list[AuditRecord]:
        """Every look at the data of the client with this account (telegram:1001), oldest
        first, also of an erased one: found by the keyed hash of the account."""
        channel, _, external_id = identity.partition(":")
        client = select(Client.id).where(
            Client.channel == channel, Client.external_id == external_id
        )
        return self._looks(
            or_(
                AuditEntry.client_id.in_(client.scalar_subquery()),
                AuditEntry.client_pseudonym == pseudonym(audit_key, identity),
            )
        )

    def _looks(self, which: ColumnElement[bool]) -> list[AuditRecord]:
        rows = self.session.execute(
            select(AuditEntry, Staff)
            .join(Staff, AuditEntry.staff_id == Staff.id)
            .where(which)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        return [
            AuditRecord(
                staff.name,
                staff.telegram_id,
                LookKind(entry.kind),
                sections_named(entry.sections),
                entry.at,
                erased=entry.client_id is None,
            )
            for entry, staff in rows
        ]


def _goal(goal: GoalRecord) -> GoalEntry:
    return GoalEntry(goal.number, goal.text, goal.domain, goal.why, goal.status, goal.created_at)


def _step(step: StepRecord) -> StepEntry:
    return StepEntry(
        step.number,
        step.goal,
        step.text,
        step.who,
        step.who_name,
        step.due,
        step.remind_at,
        step.status,
        step.done_at,
        step.created_at,
    )
