"""Team strength meetings: each one's whole state, its members and ideas, what came of its
case, and the steps it proposed to a client. One running meeting per group (a partial unique
index); rows are locked for the unit of work of an update, so two updates of one group take
turns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from dialogs.meeting.proposal import PendingProposal
from dialogs.meeting.state import FollowUp, Idea, Meeting, Member, Phase
from storage.db import take_turns
from storage.links import LIVE_LINK
from storage.models import (
    Client,
    Link,
    MeetingIdea,
    MeetingMember,
    Staff,
    StepProposal,
    TeamMeeting,
)
from storage.staff import ACTIVE_COUNSELLOR


@dataclass(frozen=True)
class Proposal:
    """Steps proposed to a client, with where to reach them."""

    id: int
    client_id: int
    channel: str
    external_id: str
    language: str
    counsellor: str
    steps: tuple[str, ...]


class MeetingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- the meeting -----------------------------------------------------------------------

    def running(self, chat_id: int) -> Meeting | None:
        """The group's running meeting, locked for this unit of work; the group too, so two
        /teamoverleg at the same moment take turns and the second finds the first running."""
        take_turns(self.session, chat_id)
        return self._meeting(TeamMeeting.chat_id == chat_id, TeamMeeting.ended_at.is_(None))

    def by_key(self, key: int) -> Meeting | None:
        """A meeting by the key on its buttons (also one that ended), locked."""
        return self._meeting(TeamMeeting.key == key)

    def save(self, meeting: Meeting) -> None:
        """Store the meeting as it is now: new members and ideas added, changed ones updated."""
        row = self._row(meeting.key)
        if row is None:
            row = TeamMeeting(key=meeting.key, chat_id=meeting.chat_id)
            self.session.add(row)
        row.language = meeting.language
        row.chair_id, row.chair_name = meeting.chair.user_id, meeting.chair.name
        row.minutes = list(meeting.minutes)
        row.phase = meeting.phase.value
        row.stage = meeting.stage
        row.presenter_id = meeting.presenter.user_id if meeting.presenter else None
        row.presenter_name = meeting.presenter.name if meeting.presenter else None
        row.case_label, row.case_link_id = meeting.case, meeting.case_link
        row.step = meeting.step
        row.deadline, row.remaining = meeting.deadline, meeting.remaining
        row.paused, row.nudged, row.wake_at = meeting.paused, meeting.nudged, meeting.wake_at
        row.timer_message_id = meeting.timer_message
        row.next_step = meeting.next_step
        row.reminded = list(meeting.reminded)
        row.proposed = meeting.proposed
        row.started_at, row.ended_at = meeting.started_at, meeting.ended_at
        self.session.flush()
        self._save_members(row.id, meeting.members)
        self._save_ideas(row.id, meeting.ideas)

    def set_timer_message(self, key: int, message_id: int) -> None:
        """The message the timer edits, known once it was sent."""
        self.session.execute(
            update(TeamMeeting).where(TeamMeeting.key == key).values(timer_message_id=message_id)
        )

    def waking(self) -> list[tuple[int, datetime]]:
        """(key, when) of every running meeting whose timer is set: re-armed at start-up."""
        rows = self.session.execute(
            select(TeamMeeting.key, TeamMeeting.wake_at).where(
                TeamMeeting.ended_at.is_(None), TeamMeeting.wake_at.is_not(None)
            )
        )
        return [(key, at) for key, at in rows if at is not None]

    # --- follow-up -------------------------------------------------------------------------

    def follow_ups(self, chat_id: int, current: int | None) -> tuple[FollowUp, ...]:
        """Earlier cases of this group whose presenter has not yet told what came of them
        (none whose client asked to be forgotten)."""
        rows = self.session.scalars(
            select(TeamMeeting)
            .where(
                TeamMeeting.chat_id == chat_id,
                TeamMeeting.phase == Phase.FINISHED.value,
                TeamMeeting.follow_up_status.is_(None),
                TeamMeeting.case_removed_at.is_(None),
                TeamMeeting.key != (current or 0),
            )
            .order_by(TeamMeeting.started_at, TeamMeeting.id)
        )
        return tuple(self._follow_up(row) for row in rows)

    def followed(self, key: int) -> tuple[FollowUp, ...]:
        """The earlier cases told about (or skipped) in the meeting `key`; a case removed at
        the client's request since is left out."""
        rows = self.session.scalars(
            select(TeamMeeting)
            .where(TeamMeeting.follow_up_in == key, TeamMeeting.case_removed_at.is_(None))
            .order_by(TeamMeeting.follow_up_at, TeamMeeting.id)
        )
        return tuple(self._follow_up(row) for row in rows)

    def save_follow_up(self, key: int, answer: str | None, told_in: int, now: datetime) -> None:
        self.session.execute(
            update(TeamMeeting)
            .where(TeamMeeting.key == key, TeamMeeting.follow_up_status.is_(None))
            .values(
                follow_up=answer,
                follow_up_status="skipped" if answer is None else "answered",
                follow_up_in=told_in,
                follow_up_at=now,
            )
        )

    # --- who is who ------------------------------------------------------------------------

    def counsellors(self, telegram_ids: Iterable[int]) -> frozenset[int]:
        """Which of these Telegram users are active counsellors."""
        found = self.session.scalars(
            select(Staff.telegram_id).where(
                Staff.telegram_id.in_(set(telegram_ids)), ACTIVE_COUNSELLOR
            )
        )
        return frozenset(found)

    def linked_clients(self, telegram_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """Per counsellor (Telegram id): (link id, client name) of their active links, oldest
        first. The names stay on the server: the caller shows initials."""
        rows = self.session.execute(
            select(Staff.telegram_id, Link.id, Link.client_name)
            .join(Link, Link.staff_id == Staff.id)
            .where(
                Staff.telegram_id.in_(set(telegram_ids)),
                ACTIVE_COUNSELLOR,
                LIVE_LINK,
            )
            .order_by(Link.created_at, Link.id)
        )
        clients: dict[int, list[tuple[int, str]]] = {}
        for telegram_id, link_id, name in rows:
            clients.setdefault(telegram_id, []).append((link_id, name))
        return clients

    # --- proposals to a client -------------------------------------------------------------

    def propose(
        self, meeting_key: int, link_id: int, presenter_id: int, steps: Iterable[str], now: datetime
    ) -> Proposal | None:
        """Store steps proposed over the presenter's active link; None if the link is not
        (or no longer) theirs."""
        found = self.session.execute(
            select(Link, Staff, Client)
            .join(Staff, Link.staff_id == Staff.id)
            .join(Client, Link.client_id == Client.id)
            .where(
                Link.id == link_id,
                LIVE_LINK,
                Staff.telegram_id == presenter_id,
                ACTIVE_COUNSELLOR,
            )
        ).first()
        meeting = self._row(meeting_key)
        if found is None or meeting is None:
            return None
        link, staff, client = found
        row = StepProposal(
            client_id=client.id,
            link_id=link.id,
            meeting_id=meeting.id,
            steps=list(steps),
            status="pending",
            created_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return Proposal(
            row.id,
            client.id,
            client.channel,
            client.external_id,
            client.language,
            staff.name,
            tuple(row.steps),
        )

    def pending(self, client_id: int) -> tuple[PendingProposal, ...]:
        """The client's proposals still waiting for their answer, oldest first."""
        rows = self.session.execute(
            select(StepProposal.id, Staff.name, StepProposal.steps)
            .join(Link, StepProposal.link_id == Link.id)
            .join(Staff, Link.staff_id == Staff.id)
            .where(StepProposal.client_id == client_id, StepProposal.status == "pending")
            .order_by(StepProposal.id)
        )
        return tuple(PendingProposal(id_, name, tuple(steps)) for id_, name, steps in rows)

    def decide(self, proposal_id: int, client_id: int, accepted: bool, now: datetime) -> bool:
        """The client's answer to a pending proposal; False if it was not pending (or not
        theirs): a second tap changes nothing."""
        result = self.session.execute(
            update(StepProposal)
            .where(
                StepProposal.id == proposal_id,
                StepProposal.client_id == client_id,
                StepProposal.status == "pending",
            )
            .values(status="accepted" if accepted else "declined", decided_at=now)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    # --- rows ------------------------------------------------------------------------------

    def _row(self, key: int) -> TeamMeeting | None:
        return self.session.scalars(
            select(TeamMeeting)
            .where(TeamMeeting.key == key)
            .execution_options(populate_existing=True)
        ).one_or_none()

    def _meeting(self, *where: ColumnElement[bool]) -> Meeting | None:
        row = self.session.scalars(
            select(TeamMeeting)
            .where(*where)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
        return None if row is None else self._to_meeting(row)

    def _to_meeting(self, row: TeamMeeting) -> Meeting:
        members = self.session.scalars(
            select(MeetingMember)
            .where(MeetingMember.meeting_id == row.id)
            .order_by(MeetingMember.position)
        )
        ideas = self.session.scalars(
            select(MeetingIdea).where(MeetingIdea.meeting_id == row.id).order_by(MeetingIdea.number)
        )
        presenter = (
            Member(row.presenter_id, row.presenter_name or "")
            if row.presenter_id is not None
            else None
        )
        return Meeting(
            key=row.key,
            chat_id=row.chat_id,
            language=row.language,
            chair=Member(row.chair_id, row.chair_name),
            minutes=tuple(row.minutes),
            started_at=row.started_at,
            phase=Phase(row.phase),
            stage=row.stage,
            members=tuple(Member(m.user_id, m.name) for m in members),
            presenter=presenter,
            case=row.case_label,
            case_link=row.case_link_id,
            case_removed=row.case_removed_at is not None,
            step=row.step,
            deadline=row.deadline,
            remaining=row.remaining,
            paused=row.paused,
            nudged=row.nudged,
            wake_at=row.wake_at,
            timer_message=row.timer_message_id,
            ideas=tuple(Idea(i.number, i.user_id, i.text, i.chosen) for i in ideas),
            next_step=row.next_step,
            reminded=tuple(row.reminded),
            proposed=row.proposed,
            ended_at=row.ended_at,
        )

    def _save_members(self, meeting_id: int, members: tuple[Member, ...]) -> None:
        stored = {
            m.user_id: m
            for m in self.session.scalars(
                select(MeetingMember).where(MeetingMember.meeting_id == meeting_id)
            )
        }
        for position, member in enumerate(members):
            row = stored.get(member.user_id)
            if row is None:
                self.session.add(
                    MeetingMember(
                        meeting_id=meeting_id,
                        position=position,
                        user_id=member.user_id,
                        name=member.name,
                    )
                )
            else:
                row.position, row.name = position, member.name

    def _save_ideas(self, meeting_id: int, ideas: tuple[Idea, ...]) -> None:
        stored = {
            i.number: i
            for i in self.session.scalars(
                select(MeetingIdea).where(MeetingIdea.meeting_id == meeting_id)
            )
        }
        for idea in ideas:
            row = stored.get(idea.number)
            if row is None:
                self.session.add(
                    MeetingIdea(
                        meeting_id=meeting_id,
                        number=idea.number,
                        user_id=idea.user_id,
                        text=idea.text,
                        chosen=idea.chosen,
                    )
                )
            else:
                row.chosen = idea.chosen

    def _follow_up(self, row: TeamMeeting) -> FollowUp:
        chosen = self.session.scalars(
            select(MeetingIdea.text)
            .where(MeetingIdea.meeting_id == row.id, MeetingIdea.chosen)
            .order_by(MeetingIdea.number)
        )
        answer = row.follow_up
        return FollowUp(
            row.key,
            Member(row.presenter_id or 0, row.presenter_name or ""),
            row.case_label or "",
            tuple(chosen),
            row.next_step,
            answer,
        )
