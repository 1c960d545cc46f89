"""What one turn of the engine produced, written to the database in the turn's transaction:
answers, the plan, reflections, resources, settings, reminder rows and the client's counsellor
links."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, assert_never

from sqlalchemy.orm import Session

from dialogs.engine.outputs import (
    AcceptInvitation,
    AlertCounsellor,
    CancelReminders,
    DeclineInvitation,
    EndLink,
    ExportMyData,
    ForgetMe,
    HideChat,
    MissedTold,
    Notice,
    Output,
    ReminderAnswered,
    ReminderSettled,
    ReminderShown,
    RemoveResource,
    Replace,
    ResumeReminders,
    SaveAnswer,
    SaveGoal,
    SaveReflection,
    SaveResource,
    SaveStep,
    Say,
    ScheduleReminder,
    SendCounsellorMessage,
    SetGoalStatus,
    SetQuietHours,
    SetSharing,
    SetStepStatus,
    ShowNetworkMap,
)
from dialogs.engine.state import (
    Closeness,
    Goal,
    GoalStatus,
    Resource,
    ResourceKind,
    Step,
    StepStatus,
)
from dialogs.linking.casefile import Section
from dialogs.meeting.proposal import DecideProposal
from storage import (
    AnswerRepository,
    ChatMessageRepository,
    ClientDataRepository,
    ClientRepository,
    Contact,
    GoalRecord,
    InvitationRepository,
    LinkRepository,
    PlanRepository,
    ReminderRepository,
    StepRecord,
)
from storage.meetings import MeetingRepository
from storage.outbox import OutboxRepository
from storage.resources import ResourceRecord, ResourceRepository
from storage.updates import DELETABLE_FOR
from turns.reminders import Changes

log = logging.getLogger(__name__)

# The outputs that change a client's links with counsellors (`TurnStore.perform_link`).
LinkOutput = AcceptInvitation | DeclineInvitation | SetSharing | EndLink | SendCounsellorMessage


@dataclass(frozen=True)
class CounsellorNews:
    """Something a counsellor hears about at once, sent after the commit. `key` names the text
    (client_opened, client_sharing, client_message, ...); `message_id` is a stored message.
    `confirm_link` asks the counsellor whether `opener` (who opened their invitation) is the
    client it was for, with a yes and a no button."""

    telegram_id: int
    language: str
    key: str
    name: str
    sections: frozenset[Section] = frozenset()
    text: str = ""
    message_id: int | None = None
    opener: str = ""
    confirm_link: int | None = None
    counsellor: str = ""  # the counsellor's own name, for the client if they cannot be reached


class TurnStore:
    def __init__(
        self,
        session: Session,
        client_id: int,
        now: datetime,
        *,
        identity: str = "",
        display_name: str | None = None,
        username: str | None = None,
        audit_key: bytes,
    ) -> None:
        self.client_id = client_id
        self.audit_key = audit_key  # for the looks at the client's data, should they go
        self.now = now
        self.identity = identity  # "telegram:<id>": whom an invitation was opened by
        self.display_name = display_name  # their name on the channel, for a new link
        self.username = username  # their @username, for the counsellor to recognise them
        self.answers = AnswerRepository(session)
        self.plans = PlanRepository(session)
        self.reminders = ReminderRepository(session)
        self.clients = ClientRepository(session)
        self.invitations = InvitationRepository(session)
        self.links = LinkRepository(session)
        self.resources = ResourceRepository(session)
        self.meetings = MeetingRepository(session)  # the team's proposals the client answers
        self.news: list[CounsellorNews] = []
        self.data = ClientDataRepository(session)
        self.chat = ChatMessageRepository(session)
        self.outbox = OutboxRepository(session)
        self.my_data: dict[str, Any] | None = None  # everything stored, asked for this turn
        self.hide: list[int] = []  # message ids to delete from the chat
        self.forgotten = False  # the client is erased: nothing more may be written

    @staticmethod
    def goal(record: GoalRecord) -> Goal:
        return Goal(
            record.number, record.text, record.domain, record.why, GoalStatus(record.status)
        )

    @staticmethod
    def step(record: StepRecord) -> Step:
        return Step(
            number=record.number,
            goal=record.goal,
            text=record.text,
            who=record.who,
            who_name=record.who_name,
            due=record.due,
            remind_at=record.remind_at,
            status=StepStatus(record.status),
            done_at=record.done_at,
        )

    @staticmethod
    def resource(record: ResourceRecord) -> Resource:
        return Resource(
            number=record.number,
            name=record.name,
            kind=ResourceKind(record.kind),
            closeness=Closeness(record.closeness),
            goal=record.goal,
            domain=record.domain,
            help_with=record.help_with,
        )

    def perform(self, outputs: Iterable[Output]) -> Changes:
        """Store every output that is data; returns the reminder rows made or cancelled."""
        changes = Changes()
        client, now = self.client_id, self.now
        for output in outputs:
            match output:
                case SaveAnswer():
                    self.answers.save(
                        client,
                        output.key,
                        status=output.status.value,
                        text=output.text,
                        choices=output.choices,
                        now=now,
                    )
                case SaveGoal(goal=goal):
                    self.plans.save_goal(
                        client,
                        goal.number,
                        text=goal.text,
                        domain=goal.domain,
                        why=goal.why,
                        now=now,
                    )
                case SaveStep(step=step):
                    self.plans.save_step(
                        client,
                        step.number,
                        goal=step.goal,
                        text=step.text,
                        who=step.who,
                        who_name=step.who_name,
                        due=step.due,
                        remind_at=step.remind_at,
                        now=now,
                    )
                case SetGoalStatus(number=number, status=status):
                    self.plans.set_goal_status(client, number, status.value, now)
                case SetStepStatus(number=number, status=status):
                    self.plans.set_step_status(client, number, status.value, now)
                case SaveReflection():
                    self.plans.save_reflection(
                        client,
                        output.number,
                        goal=output.goal,
                        step=output.step,
                        answers=output.answers,
                        now=now,
                    )
                case SetQuietHours(start=start, end=end):
                    self.clients.set_quiet_hours(client, start, end)
                case SaveResource(resource=resource):
                    self.resources.save(
                        client,
                        resource.number,
                        name=resource.name,
                        kind=resource.kind.value,
                        closeness=resource.closeness.value,
                        goal=resource.goal,
                        domain=resource.domain,
                        help_with=resource.help_with,
                        now=now,
                    )
                case RemoveResource(number=number):
                    self.resources.remove(client, number, now)
                case ScheduleReminder(step=step_number, due_at=due_at, follow_up=follow_up):
                    if follow_up:
                        cancelled = self.reminders.cancel_follow_ups(client, step_number)
                    else:
                        cancelled = self.reminders.cancel_for_step(client, step_number)
                    changes.cancelled += cancelled
                    kind = "follow_up" if follow_up else "step"
                    new_id = self.reminders.schedule(client, step_number, kind, due_at, now)
                    changes.scheduled.append((new_id, due_at))
                case CancelReminders(step=step_number):
                    changes.cancelled += self.reminders.cancel_for_step(client, step_number)
                case ReminderAnswered(step=step_number):
                    changes.cancelled += self.reminders.answered(client, step_number, now)
                case ReminderSettled(reminder_id=reminder_id):
                    self.reminders.settle(reminder_id, "cancelled")
                case ResumeReminders():
                    self.clients.mark_reachable(client)
                    changes.scheduled += self.reminders.resume_client(client)
                    log.info("client %s reachable again", client)
                case MissedTold():
                    missed = self.reminders.missed_untold(client)
                    self.reminders.mark_told([r.id for r in missed], now)
                case ExportMyData():
                    self.my_data = self.data.everything(client, self.identity)
                case HideChat():
                    # Forgotten at once: the deletion is an outbox row of this transaction,
                    # sent whatever happens, and a second /wissen need not ask again.
                    since = now - DELETABLE_FOR
                    self.hide = sorted(
                        {*self.chat.deletable(client, now), *self.outbox.sent_ids(client, since)}
                    )
                    self.chat.forget(client, self.hide)
                    self.outbox.forget_sent(client)
                case ForgetMe():
                    erased = self.data.erase(
                        client, self.identity, audit_key=self.audit_key, now=now
                    )
                    changes.cancelled += erased.reminder_ids
                    self.news = []  # nothing else of this turn is still true
                    for contact in erased.counsellors:
                        self.tell_contact(contact, "client_left")
                    self.forgotten = True
                    return changes
                case AlertCounsellor():
                    # Kept on the counsellor's desk as well: an alert that cannot be sent
                    # now is still there when they look, and is sent again.
                    for sent in self.links.add_message(client, "crisis", "", now):
                        self.news.append(
                            CounsellorNews(
                                sent.counsellor_telegram_id,
                                sent.counsellor_language,
                                "client_crisis",
                                sent.client_name,
                                message_id=sent.message_id,
                                counsellor=sent.counsellor_name,
                            )
                        )
                case DecideProposal(proposal_id=proposal_id, accepted=accepted):
                    # Its steps, on a yes, are SaveStep outputs of the same turn.
                    self.meetings.decide(proposal_id, client, accepted, now)
                case (
                    AcceptInvitation()
                    | DeclineInvitation()
                    | SetSharing()
                    | EndLink()
                    | SendCounsellorMessage()
                ):
                    self.perform_link(output)
                case ReminderShown(reminder_id=reminder_id):
                    # Its message is an outbox row of this transaction: sent whatever happens
                    # next, so a restart does not show the reminder twice.
                    self.reminders.mark_sent(reminder_id, now)
                case Say() | Replace() | Notice() | ShowNetworkMap():
                    pass  # outbox rows, for the channel to send after the commit
                case _:
                    assert_never(output)
        return changes

    def perform_link(self, output: LinkOutput) -> None:
        """The client's links with counsellors; the counsellor hears of each change."""
        client, now = self.client_id, self.now
        match output:
            case AcceptInvitation(invitation_id=invitation_id, sections=sections):
                opened = self.invitations.pending(self.identity, now)
                label = opened.label if opened and opened.id == invitation_id else None
                # Until the counsellor confirms, they know the opener by the channel's name.
                name = self.display_name or label or f"#{client}"
                accepted = self.invitations.accept(
                    invitation_id, self.identity, client, name, sections, now, self.username
                )
                if accepted is None:
                    return
                if accepted.to_confirm:
                    opener = f"{name} (@{self.username})" if self.username else name
                    self.news.append(
                        CounsellorNews(
                            accepted.counsellor.telegram_id,
                            accepted.counsellor.language,
                            "client_opened" if label else "client_opened_unnamed",
                            label or name,
                            opener=opener,
                            confirm_link=accepted.link_id,
                        )
                    )
                else:
                    self.tell_contact(accepted.counsellor, "client_sharing", sections=sections)
            case DeclineInvitation(invitation_id=invitation_id):
                contact = self.invitations.decline(invitation_id, self.identity, now)
                if contact is not None:
                    name = contact.client_name or self.display_name or f"#{client}"
                    self.tell_contact(contact, "client_declined", name=name)
            case SetSharing(link_id=link_id, sections=sections):
                if self.links.set_sharing(client, link_id, sections, now):
                    self.tell(link_id, "client_sharing", sections)
            case EndLink(link_id=link_id):
                contact = self.links.contact(client, link_id)
                if self.links.end(client, link_id, now) and contact is not None:
                    self.tell_contact(contact, "client_unlinked")
            case SendCounsellorMessage(kind=kind, text=text):
                key = "client_call" if kind == "call" else "client_message"
                for sent in self.links.add_message(client, kind, text, now):
                    self.news.append(
                        CounsellorNews(
                            sent.counsellor_telegram_id,
                            sent.counsellor_language,
                            key,
                            sent.client_name,
                            text=text,
                            message_id=sent.message_id,
                        )
                    )
            case _:
                assert_never(output)

    def tell(self, link_id: int, key: str, sections: frozenset[Section]) -> None:
        contact = self.links.contact(self.client_id, link_id)
        if contact is not None:
            self.tell_contact(contact, key, sections=sections)

    def tell_contact(
        self,
        contact: Contact,
        key: str,
        *,
        name: str | None = None,
        sections: frozenset[Section] = frozenset(),
    ) -> None:
        """News for one counsellor, about the client by the name that counsellor knows."""
        self.news.append(
            CounsellorNews(
                contact.telegram_id, contact.language, key, name or contact.client_name, sections
            )
        )
