"""The team strength meeting as plain data: its state, what the team does, what the bot does.

Everything here is persisted by `storage.meetings` and performed by `bot.meetings`; the engine
(`dialogs.meeting.engine`) only maps (Meeting, event, context, now) to (Meeting, outputs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from dialogs.engine.outputs import Keyboard, Notice, Replace, Say


class Phase(StrEnum):
    GATHERING = "gathering"  # members join; the chair begins
    FOLLOW_UP = "follow_up"  # earlier presenters tell what came of their case
    PRESENTER = "presenter"  # the chair chooses who brings a case
    CASE = "case"  # the presenter chooses the client, by initials only
    STEP = "step"  # the steps of the method, each with a timer
    FINISHED = "finished"  # summary given; the presenter's buttons under it still work
    STOPPED = "stopped"  # ended early; what was there is kept


ENDED = frozenset({Phase.FINISHED, Phase.STOPPED})


class MeetingCommand(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    IDEA = "idea"
    CASE = "case"


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str


@dataclass(frozen=True)
class Idea:
    number: int
    user_id: int
    text: str
    chosen: bool = False


@dataclass(frozen=True)
class CaseOption:
    """A client the presenter is linked with, shown by initials only."""

    link_id: int
    label: str


@dataclass(frozen=True)
class FollowUp:
    """An earlier case of this group, and (once told) what came of it."""

    meeting_key: int
    presenter: Member
    case: str
    chosen: tuple[str, ...]
    next_step: str | None
    answer: str | None = None  # None and not skipped: still to be asked


@dataclass(frozen=True)
class Meeting:
    """One meeting of one group. `key` names it on buttons (unique for the bot)."""

    key: int
    chat_id: int
    language: str
    chair: Member
    minutes: tuple[int, ...]
    started_at: datetime
    phase: Phase = Phase.GATHERING
    stage: int = 0  # counts the screens: a button of an earlier stage is stale
    members: tuple[Member, ...] = ()
    presenter: Member | None = None
    case: str | None = None
    case_link: int | None = None  # the presenter's link with the client, when in the bot
    case_removed: bool = False  # the client had themselves forgotten: the case is gone
    step: int = 0  # index into the steps while the phase is STEP
    deadline: datetime | None = None  # end of the current step, while it runs
    remaining: int | None = None  # seconds left in the step, while paused there
    paused: bool = False
    nudged: bool = False  # the "time is up" nudge of this step was given
    wake_at: datetime | None = None  # the next timer tick
    timer_message: int | None = None  # the message of this step that the timer edits
    ideas: tuple[Idea, ...] = ()
    next_step: str | None = None
    reminded: tuple[int, ...] = ()  # members reminded "questions only" in this step
    proposed: bool = False
    ended_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.phase not in ENDED

    def is_member(self, user_id: int) -> bool:
        return any(member.user_id == user_id for member in self.members)

    def leads(self, user_id: int) -> bool:
        """The chair or the presenter: who moves the meeting on."""
        return user_id == self.chair.user_id or (
            self.presenter is not None and user_id == self.presenter.user_id
        )


@dataclass(frozen=True)
class Context:
    """What the engine needs from outside, loaded by the edge for each event."""

    counsellors: frozenset[int] = frozenset()  # Telegram ids of active counsellors
    cases: Mapping[int, tuple[CaseOption, ...]] = field(default_factory=dict)  # per member
    follow_ups: tuple[FollowUp, ...] = ()  # earlier cases of this group still to ask about
    followed: tuple[FollowUp, ...] = ()  # asked about in this meeting


# --- events --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupText:
    """A message typed in the group (all of them with privacy mode off, else replies)."""

    user_id: int
    name: str
    text: str


@dataclass(frozen=True)
class GroupCommand:
    user_id: int
    name: str
    command: MeetingCommand
    arg: str = ""
    language: str = "nl"  # for a new meeting: the starter's language


@dataclass(frozen=True)
class GroupPress:
    """A button pressed; `chat_id` is where the button's message is."""

    user_id: int
    name: str
    chat_id: int
    data: str
    language: str = "nl"  # for an answer when the meeting is unknown


@dataclass(frozen=True)
class Tick:
    """The timer woke up for this meeting."""


@dataclass(frozen=True)
class GroupEdited:
    """A message in the group changed after it was sent: never read as its new text."""

    user_id: int
    name: str


MeetingEvent = GroupText | GroupEdited | GroupCommand | GroupPress | Tick


# --- outputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShowTimer:
    """Send the step's timer message; the timer edits it from now on."""

    text: str
    buttons: Keyboard = ()


@dataclass(frozen=True)
class EditTimer:
    """Rewrite the step's timer message (sent anew if Telegram cannot edit it)."""

    text: str
    buttons: Keyboard = ()


@dataclass(frozen=True)
class SayPrivately:
    """A private message; Telegram refuses it if the person never started the bot, and then
    `failed` is said in the group instead, `sent` when it went out."""

    user_id: int
    text: str
    sent: Say
    failed: Say


@dataclass(frozen=True)
class Wake:
    """Wake the meeting at `at` (a Tick); None: no timer."""

    at: datetime | None


@dataclass(frozen=True)
class SaveFollowUp:
    """What came of an earlier case (`answer` None: skipped), told in this meeting."""

    meeting_key: int
    answer: str | None


@dataclass(frozen=True)
class ProposeSteps:
    """Offer the chosen ideas to the client as steps; only their yes puts them in the plan."""

    link_id: int
    presenter_id: int
    steps: tuple[str, ...]


MeetingOutput = (
    Say
    | Notice
    | ShowTimer
    | EditTimer
    | Replace
    | SayPrivately
    | Wake
    | SaveFollowUp
    | ProposeSteps
)
