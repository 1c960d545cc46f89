"""The client's place in the conversation: persisted as JSON, never kept only in memory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from dialogs.linking.casefile import InvitationView, LinkView, Look
from dialogs.meeting.proposal import PendingProposal


class AnswerStatus(StrEnum):
    ANSWERED = "answered"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"  # "weet ik niet"


@dataclass(frozen=True)
class Answer:
    """The current version of one answer."""

    status: AnswerStatus
    text: str | None = None
    choices: tuple[str, ...] = ()


class Screen(StrEnum):
    """What the last message with live buttons was; typed text is read against it."""

    NONE = "none"
    WELCOME = "welcome"
    QUESTION = "question"
    MENU = "menu"
    RESUME = "resume"
    LANGUAGE = "language"
    EDIT_TOPICS = "edit_topics"
    EDIT_QUESTIONS = "edit_questions"
    PLAN = "plan"  # /mijnplan: goals and steps
    PLAN_GOAL = "plan_goal"  # one goal and what can be done with it
    PLAN_STEP = "plan_step"  # one step and what can be done with it
    PLAN_CHANGE = "plan_change"  # which part of a step to change
    CONFIRM = "confirm"  # "are you sure?" before something is dropped
    INVITATION = "invitation"  # a counsellor's invitation: what to share, link or not
    SHARING = "sharing"  # /delen: what a linked counsellor may see
    RESOURCES = "resources"  # /hulpbronnen: the people and places that can help
    RESOURCE_PICK = "resource_pick"  # which resource to remove
    HELD = "held"  # text typed after a pause or a long silence: "is dit je antwoord?"
    REPLACE = "replace"  # "weet ik niet" or "overslaan" on an answered question: keep it?
    NO_COUNSELLOR = "no_counsellor"  # not linked yet: "Ik heb een code"
    CODE = "code"  # the client chose "Ik heb een code": what they type next is read as one


class Frame(BaseModel):
    """One flow in progress. A stack of frames lets a sub-flow return to where the client was."""

    model_config = ConfigDict(frozen=True)

    flow: str
    node: str
    history: tuple[str, ...] = ()
    selection: tuple[str, ...] = ()
    single: bool = False  # re-asking one question (an edit): the frame ends after it
    # Answers of a flow that makes records (a goal, a step): kept here, in the stored dialog,
    # until the flow's save node turns them into the record.
    values: dict[str, str] = {}
    pending: str | None = None  # a date or moment understood, waiting for "klopt dat?"
    # Typed text not taken as this question's answer (yet): after a pause or a long silence,
    # or a crisis message the client may still save. Stored with the dialog, never lost.
    held: str | None = None


class Dialog(BaseModel):
    """Everything about the conversation that is not an answer."""

    model_config = ConfigDict(frozen=True)

    language: str
    consented: bool = False
    stack: tuple[Frame, ...] = ()
    paused: bool = False
    screen: Screen = Screen.NONE
    screen_arg: str | None = None
    # Every message with buttons gets a new number; a button carries it, so a press on
    # an older message (or a second quick tap) is recognised and never answers twice.
    prompt_seq: int = 0
    last_event_at: datetime | None = None

    @property
    def frame(self) -> Frame | None:
        return self.stack[-1] if self.stack else None


class GoalStatus(StrEnum):
    OPEN = "open"
    REACHED = "reached"
    DROPPED = "dropped"


class StepStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Goal:
    """A long-term goal of the action plan, in the client's own words."""

    number: int
    text: str
    domain: str | None = None
    why: str | None = None
    status: GoalStatus = GoalStatus.OPEN


@dataclass(frozen=True)
class Step:
    """A small step towards a goal; `remind_at` is the moment the client chose (UTC)."""

    number: int
    goal: int
    text: str
    who: str = "me"  # me / network / counsellor
    who_name: str | None = None
    due: date | None = None
    remind_at: datetime | None = None
    status: StepStatus = StepStatus.OPEN
    done_at: datetime | None = None


class ResourceKind(StrEnum):
    """Who or what a resource is (METHODOLOGY.md section 4): the personal network first."""

    CLOSE = "close"  # someone close: family, partner, a good friend
    KNOWN = "known"  # someone I know: a neighbour, a peer, an experience expert
    COMMUNITY = "community"  # a place or club in the neighbourhood
    PROFESSIONAL = "professional"  # a professional service


class Closeness(StrEnum):
    """How close the client feels the person or place is: the rings of the network map."""

    CLOSE = "close"
    BETWEEN = "between"
    FAR = "far"


@dataclass(frozen=True)
class Resource:
    """A person or place that matters to the client or could help (hulpbron), in their words."""

    number: int
    name: str
    kind: ResourceKind
    closeness: Closeness = Closeness.BETWEEN
    goal: int | None = None  # the goal they could help with, if any
    domain: str | None = None  # or the life domain
    help_with: str | None = None  # with what, in the client's words


@dataclass(frozen=True)
class Profile:
    """The client's settings that decide what a time means for them."""

    timezone: str = "Europe/Amsterdam"
    quiet_start: str = "22:00"  # "HH:MM"; start == end means no quiet hours
    quiet_end: str = "08:00"
    # The channel could not reach them (they blocked the bot): their reminders wait.
    unreachable: bool = False


@dataclass(frozen=True)
class State:
    """The engine's whole input about one client: the dialog, the current answers, the plan."""

    dialog: Dialog
    answers: Mapping[str, Answer] = field(default_factory=dict)
    goals: tuple[Goal, ...] = ()
    steps: tuple[Step, ...] = ()
    reflections: int = 0  # how many there are; the next one gets the next number
    profile: Profile = field(default_factory=Profile)
    missed: tuple[int, ...] = ()  # steps whose reminder went unsent and was not yet mentioned
    links: tuple[LinkView, ...] = ()  # counsellors the client is linked with
    invitation: InvitationView | None = None  # an invitation opened, not yet answered
    looks: tuple[Look, ...] = ()  # the latest looks of counsellors at their data, newest first
    resources: tuple[Resource, ...] = ()  # the people and places that can help, by number
    # The highest resource number given so far: a removed one keeps its number (and its row).
    last_resource: int = 0
    proposals: tuple[PendingProposal, ...] = ()  # steps a team meeting proposed, to decide

    def link(self, link_id: int) -> LinkView | None:
        return next((link for link in self.links if link.id == link_id), None)

    def resource(self, number: int) -> Resource | None:
        return next((item for item in self.resources if item.number == number), None)

    def goal(self, number: int) -> Goal | None:
        return next((goal for goal in self.goals if goal.number == number), None)

    def step(self, number: int) -> Step | None:
        return next((step for step in self.steps if step.number == number), None)

    def with_dialog(self, **changes: object) -> State:
        return replace(self, dialog=self.dialog.model_copy(update=changes))
