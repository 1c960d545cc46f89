"""The team meeting's unit of work: one group update or timer tick is one transaction. Load
the group's meeting (locked), step `dialogs.meeting.engine`, store, commit; the caller sends. The
meeting row is the truth; the clock only wakes it up."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from dialogs import Content, Notice, Replace, Say
from dialogs.engine.outputs import Button, Keyboard
from dialogs.meeting.client_answers import proposal_buttons
from dialogs.meeting.engine import initials, step
from dialogs.meeting.screens import parse
from dialogs.meeting.state import (
    CaseOption,
    Context,
    EditTimer,
    FollowUp,
    GroupPress,
    Meeting,
    MeetingEvent,
    MeetingOutput,
    Phase,
    ProposeSteps,
    SaveFollowUp,
    SayPrivately,
    ShowTimer,
    Tick,
)
from storage import UpdateRepository
from storage.meetings import MeetingRepository, Proposal
from storage.outbox import NewOutgoing
from turns.outbox import (
    Acknowledge,
    Address,
    Edit,
    Letter,
    Message,
    Pressed,
    Private,
    Timer,
    outgoing,
    post,
)

log = logging.getLogger(__name__)
CASE_PHASES = frozenset({Phase.PRESENTER, Phase.CASE})
FOLLOW_UP_PHASES = frozenset({Phase.GATHERING, Phase.FOLLOW_UP})


def case_options(clients: list[tuple[int, str]]) -> tuple[CaseOption, ...]:
    """The presenter's clients by initials; the same initials twice get a number."""
    labels = [initials(name) for _, name in clients]
    options = []
    for index, ((link_id, _), label) in enumerate(zip(clients, labels, strict=True)):
        if labels.count(label) > 1:
            label = f"{label} ({labels[: index + 1].count(label)})"
        options.append(CaseOption(link_id, label))
    return tuple(options)


@dataclass
class GroupTurn:
    """What one event led to, committed, for sending."""

    meeting: Meeting | None
    timer_message: int | None  # the message the timer edited before this event
    outputs: list[MeetingOutput] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)  # proposals, to the clients' chats


class MeetingWork:
    """The meetings' transactions, for whichever channel runs the groups."""

    def __init__(self, content: Content, sessions: sessionmaker[Session]) -> None:
        self.content = content
        self.sessions = sessions

    def waking(self) -> list[tuple[int, datetime]]:
        """Every running meeting's next tick, to put back on the clock at start-up."""
        with self.sessions.begin() as session:
            return MeetingRepository(session).waking()

    def handle(
        self,
        chat_id: int | None,
        event: MeetingEvent,
        update_id: int | None,
        now: datetime,
        key: int | None,
        press: Pressed | None = None,
    ) -> GroupTurn:
        """One unit of work: step the group's meeting and commit what came of it, with what
        it sends (to the group, to members, to clients) in the outbox."""
        with self.sessions.begin() as session:
            if update_id is not None and not UpdateRepository(session).first_time(update_id, now):
                log.info("update %s was processed before: skipped", update_id)
                return GroupTurn(None, None)
            meetings = MeetingRepository(session)
            meeting = self.load(meetings, chat_id, event, key)
            group = meeting.chat_id if meeting is not None else chat_id
            if group is None:
                return GroupTurn(None, None)
            context = self.context(meetings, meeting, event, group)
            new, outputs = step(
                self.content.meeting,
                meeting,
                event,
                context,
                now,
                chat_id=group,
                key=update_id or 0,
            )
            turn = GroupTurn(new, meeting.timer_message if meeting else None, outputs)
            rows = self.group_rows(str(group), turn, press)
            if new is not None and new != meeting:
                meetings.save(new)
            for output in outputs:
                if isinstance(output, SaveFollowUp) and new is not None:
                    meetings.save_follow_up(output.meeting_key, output.answer, new.key, now)
                elif isinstance(output, ProposeSteps) and new is not None:
                    proposal = meetings.propose(
                        new.key, output.link_id, output.presenter_id, output.steps, now
                    )
                    if proposal is not None and proposal.channel == "telegram":
                        # The terminal chat shows it when the client comes back.
                        rows.append(self.offer(proposal))
            turn.letters = post(session, rows, now)
            return turn

    @staticmethod
    def group_rows(group: str, turn: GroupTurn, press: Pressed | None) -> list[NewOutgoing]:
        """What the meeting says, in order: the answer to a press, then its messages, the
        step's timer, private messages to members."""
        chat = Address("telegram", group)
        rows = []
        if press is not None:
            notices = [o.text for o in turn.outputs if isinstance(o, Notice)]
            rows.append(
                outgoing(chat, Acknowledge(press.press_id, notices[-1] if notices else None))
            )
        key = turn.meeting.key if turn.meeting is not None else None
        for output in turn.outputs:
            match output:
                case Say(text=text, buttons=buttons):
                    rows.append(outgoing(chat, Message(text, buttons)))
                case Replace(text=text, buttons=buttons):
                    message_id = press.message_id if press is not None else None
                    rows.append(outgoing(chat, Edit(message_id, text, buttons)))
                case ShowTimer(text=text, buttons=buttons) if key is not None:
                    rows.append(outgoing(chat, Timer(key, text, buttons)))
                case EditTimer(text=text, buttons=buttons) if key is not None:
                    rows.append(outgoing(chat, Timer(key, text, buttons, turn.timer_message)))
                case SayPrivately(user_id=user_id, text=text, sent=sent, failed=failed):
                    private = Private(
                        text,
                        group,
                        Message(sent.text, sent.buttons),
                        Message(failed.text, failed.buttons),
                    )
                    rows.append(outgoing(Address("telegram", str(user_id)), private))
                case _:
                    pass  # records, the clock, a notice (it answers the press)
        return rows

    def offer(self, proposal: Proposal) -> NewOutgoing:
        """The client hears of the proposal in their own chat and decides there."""
        meeting = self.content.meeting.get(proposal.language) or next(
            iter(self.content.meeting.values())
        )
        texts = meeting.texts
        text = texts.client_proposal.format(
            counsellor=proposal.counsellor,
            steps="\n".join(f"• {step_text}" for step_text in proposal.steps),
        )
        buttons: Keyboard = tuple(
            (Button(label, data),)
            for label, data in proposal_buttons(proposal.id, texts.client_yes, texts.client_no)
        )
        chat = Address(proposal.channel, proposal.external_id, proposal.client_id)
        return outgoing(chat, Message(text, buttons))

    @staticmethod
    def load(
        meetings: MeetingRepository, chat_id: int | None, event: MeetingEvent, key: int | None
    ) -> Meeting | None:
        if key is not None:
            return meetings.by_key(key)
        if isinstance(event, GroupPress):
            parsed = parse(event.data)
            return meetings.by_key(parsed[0]) if parsed is not None else None
        return meetings.running(chat_id) if chat_id is not None else None

    @staticmethod
    def context(
        meetings: MeetingRepository, meeting: Meeting | None, event: MeetingEvent, chat_id: int
    ) -> Context:
        people = {m.user_id for m in meeting.members} if meeting is not None else set()
        if not isinstance(event, Tick):
            people.add(event.user_id)
        phase = meeting.phase if meeting is not None else None
        cases: dict[int, tuple[CaseOption, ...]] = {}
        if phase in CASE_PHASES:
            cases = {
                user: case_options(clients)
                for user, clients in meetings.linked_clients(people).items()
            }
        follow_ups: tuple[FollowUp, ...] = ()
        if phase is None or phase in FOLLOW_UP_PHASES:
            follow_ups = meetings.follow_ups(chat_id, meeting.key if meeting else None)
        followed = meetings.followed(meeting.key) if phase is Phase.STEP and meeting else ()
        return Context(meetings.counsellors(people), cases, follow_ups, followed)
