"""What a counsellor may see of a client, and what the client sees of their links, as plain data.

The repositories fill these only with the sections the client shares (METHODOLOGY.md section
6); the summary, the digest and the export are drawn from them and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # dialogs.engine.state builds on this module
    from dialogs.engine.state import Closeness, ResourceKind


class Section(StrEnum):
    """What a client can share with a counsellor, each on its own."""

    STRENGTHS = "strengths"  # the strengths inventory
    PLAN = "plan"  # the action plan, its steps and the reminders about them
    REFLECTIONS = "reflections"  # what the client wrote after a setback
    RESOURCES = "resources"  # the people and places that can help (names of third parties)


class LookKind(StrEnum):
    """How a counsellor saw a client's data; every one is in the audit trail."""

    VIEW = "view"
    EXPORT = "export"
    DIGEST = "digest"


# --- the client's side ------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkView:
    """A counsellor the client is linked with, and what the client shares with them."""

    id: int
    counsellor: str
    team: str | None
    sections: frozenset[Section]
    since: datetime


@dataclass(frozen=True)
class InvitationView:
    """An invitation the client opened and has not yet accepted or declined."""

    id: int
    counsellor: str
    team: str | None
    expires_at: datetime
    label: str | None = None  # what the counsellor calls the client: their name on the link


@dataclass(frozen=True)
class Look:
    """One entry of the audit trail, as the client sees it (/wiezagwat)."""

    counsellor: str
    kind: LookKind
    sections: tuple[Section, ...]
    at: datetime


# --- the counsellor's side --------------------------------------------------------------------


@dataclass(frozen=True)
class ClientLine:
    """A linked client in the counsellor's list. Counts of an unshared plan are None."""

    client_id: int
    name: str
    last_activity: datetime
    open_steps: int | None
    overdue_steps: int | None
    new_messages: int


@dataclass(frozen=True)
class AnswerEntry:
    """One answer of the inventory; `at` is when this version was given."""

    key: str
    status: str  # answered | skipped | unknown
    text: str | None
    choices: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class GoalEntry:
    number: int
    text: str
    domain: str | None
    why: str | None
    status: str  # open | reached | dropped
    created_at: datetime


@dataclass(frozen=True)
class StepEntry:
    number: int
    goal: int
    text: str
    who: str  # me | network | counsellor
    who_name: str | None
    due: date | None
    remind_at: datetime | None
    status: str  # open | done | dropped
    done_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class PlanChange:
    goal: int
    step: int | None
    kind: str  # created | changed | postponed | done | dropped | reopened | reached | ...
    at: datetime


@dataclass(frozen=True)
class ReminderEntry:
    step: int
    kind: str  # step | follow_up
    due_at: datetime
    status: str  # scheduled | sending | sent | answered | missed | cancelled | paused
    sent_at: datetime | None
    answered_at: datetime | None


@dataclass(frozen=True)
class ReflectionEntry:
    number: int
    goal: int | None
    step: int | None
    answers: Mapping[str, str]
    at: datetime


@dataclass(frozen=True)
class ResourceEntry:
    """A person or place the client named as a help (hulpbron), in their words."""

    number: int
    name: str
    kind: ResourceKind
    closeness: Closeness
    goal: int | None
    domain: str | None
    help_with: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class MessageEntry:
    """A message the client sent the counsellor with /begeleider."""

    kind: str  # message | call
    text: str
    at: datetime


@dataclass(frozen=True)
class CaseFile:
    """Everything one counsellor may see of one client. Unshared sections stay empty, and
    `sections` says which are shared, so an empty shared section reads differently from an
    unshared one."""

    client_id: int
    name: str
    language: str
    timezone: str
    linked_since: datetime
    sections: frozenset[Section]
    last_look: datetime | None  # this counsellor's previous look, for "new since"
    last_activity: datetime
    answers: tuple[AnswerEntry, ...] = ()  # STRENGTHS: current versions
    goals: tuple[GoalEntry, ...] = ()  # PLAN
    steps: tuple[StepEntry, ...] = ()  # PLAN
    changes: tuple[PlanChange, ...] = ()  # PLAN, oldest first
    reminders: tuple[ReminderEntry, ...] = ()  # PLAN, oldest first
    reflections: tuple[ReflectionEntry, ...] = ()  # REFLECTIONS
    resources: tuple[ResourceEntry, ...] = ()  # RESOURCES: the active ones, by number
    messages: tuple[MessageEntry, ...] = field(default=())  # always: the client sent them
