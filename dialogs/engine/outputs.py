"""What the engine asks the outside world to do, as plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dialogs.engine.state import AnswerStatus, Goal, GoalStatus, Resource, Step, StepStatus
from dialogs.linking.casefile import Section
from dialogs.meeting.proposal import DecideProposal
from dialogs.resources.network import NetworkMap


@dataclass(frozen=True)
class Button:
    label: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Say:
    """Send a message, optionally with buttons under it."""

    text: str
    buttons: Keyboard = ()


@dataclass(frozen=True)
class Replace:
    """Rewrite the message whose button was pressed (a toggled choice, for instance)."""

    text: str
    buttons: Keyboard = ()


@dataclass(frozen=True)
class Notice:
    """A short note shown briefly when a button is pressed."""

    text: str


@dataclass(frozen=True)
class SaveAnswer:
    """Store a new version of an answer; earlier versions stay."""

    key: str
    status: AnswerStatus
    text: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class SaveGoal:
    """Create or change a goal of the action plan (history is kept by the store)."""

    goal: Goal


@dataclass(frozen=True)
class SaveStep:
    """Create or change a step; its reminder follows with ScheduleReminder / CancelReminders."""

    step: Step


@dataclass(frozen=True)
class SetGoalStatus:
    number: int
    status: GoalStatus


@dataclass(frozen=True)
class SetStepStatus:
    number: int
    status: StepStatus


@dataclass(frozen=True)
class SaveReflection:
    """A setback reflection: the client's answers per question, linked to a goal and step."""

    number: int
    goal: int | None
    step: int | None
    answers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SaveResource:
    """Create or change a resource (hulpbron), by its number."""

    resource: Resource


@dataclass(frozen=True)
class RemoveResource:
    """The client took a resource off their list; the row stays, marked removed."""

    number: int


@dataclass(frozen=True)
class SetQuietHours:
    start: str  # "HH:MM"
    end: str


@dataclass(frozen=True)
class ScheduleReminder:
    """Remind the client of a step at `due_at` (UTC, already outside quiet hours).

    A `step` reminder replaces the step's earlier scheduled ones; a follow-up comes on top.
    """

    step: int
    due_at: datetime
    follow_up: bool = False


@dataclass(frozen=True)
class CancelReminders:
    """The step is done, dropped or no longer wants a reminder."""

    step: int


@dataclass(frozen=True)
class ReminderShown:
    """The due reminder became a message: it counts as sent once that message goes out."""

    reminder_id: int


@dataclass(frozen=True)
class ReminderSettled:
    """The due reminder was not shown (its step is closed, or it moved out of quiet hours)."""

    reminder_id: int


@dataclass(frozen=True)
class ReminderAnswered:
    """The client reacted to a reminder of this step: no follow-up needed."""

    step: int


@dataclass(frozen=True)
class MissedTold:
    """The client has been told about the reminders that could not be sent in time."""


@dataclass(frozen=True)
class ResumeReminders:
    """The client, unreachable until now, wrote: they can be reached, their reminders resume."""


@dataclass(frozen=True)
class AcceptInvitation:
    """Link with the counsellor of the open invitation, sharing these sections."""

    invitation_id: int
    sections: frozenset[Section]


@dataclass(frozen=True)
class DeclineInvitation:
    invitation_id: int


@dataclass(frozen=True)
class SetSharing:
    """What the counsellor of this link may see from now on."""

    link_id: int
    sections: frozenset[Section]


@dataclass(frozen=True)
class EndLink:
    link_id: int


@dataclass(frozen=True)
class SendCounsellorMessage:
    """A message (or a request to be called) for every counsellor the client is linked with."""

    kind: str  # message | call
    text: str


@dataclass(frozen=True)
class ExportMyData:
    """Send the client everything stored about them (a JSON file and a readable document)."""


@dataclass(frozen=True)
class ForgetMe:
    """Erase everything about the client; the conversation ends with this turn."""


@dataclass(frozen=True)
class HideChat:
    """Delete the recent messages of this chat, where Telegram allows it."""


@dataclass(frozen=True)
class AlertCounsellor:
    """The client in a crisis asked that their counsellors know (never what they wrote)."""


@dataclass(frozen=True)
class ShowNetworkMap:
    """Send the client's network map as a picture (drawn at the edge), with a caption; as a
    file it is called `file_name` (in the reader's language, no extension)."""

    map: NetworkMap
    caption: str
    file_name: str


Record = (
    ResumeReminders
    | SaveGoal
    | SaveStep
    | SetGoalStatus
    | SetStepStatus
    | SaveReflection
    | SetQuietHours
    | SaveResource
    | RemoveResource
    | ScheduleReminder
    | CancelReminders
    | ReminderShown
    | ReminderSettled
    | ReminderAnswered
    | MissedTold
    | AcceptInvitation
    | DeclineInvitation
    | SetSharing
    | EndLink
    | SendCounsellorMessage
    | ExportMyData
    | ForgetMe
    | HideChat
    | AlertCounsellor
)
Output = Say | Replace | Notice | SaveAnswer | ShowNetworkMap | Record | DecideProposal
