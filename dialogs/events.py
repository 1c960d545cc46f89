"""What a person did, as plain data: the engine's only input besides state and time."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Text:
    """A typed message."""

    text: str


@dataclass(frozen=True)
class Press:
    """A button pressed; `data` is what the engine put on the button."""

    data: str


class CommandName(StrEnum):
    """Commands the engine knows; the channel maps its own spellings (/taal, /language)."""

    START = "start"
    MENU = "menu"
    HELP = "help"
    LANGUAGE = "language"
    STRENGTHS = "strengths"
    PLAN = "plan"
    MY_PLAN = "my_plan"
    SETBACK = "setback"
    QUIET_HOURS = "quiet_hours"


@dataclass(frozen=True)
class Command:
    name: CommandName


@dataclass(frozen=True)
class UnknownCommand:
    """A command the bot does not have."""


@dataclass(frozen=True)
class Unreadable:
    """Something the bot cannot read: a sticker, photo, voice note, file, location, ..."""


@dataclass(frozen=True)
class Edited:
    """An earlier message was edited; the engine never rewrites answers behind the client's back."""


@dataclass(frozen=True)
class ReminderDue:
    """The clock says a reminder for a step is due (the scheduler has claimed it)."""

    reminder_id: int
    step: int
    follow_up: bool = False


Event = Text | Press | Command | UnknownCommand | Unreadable | Edited | ReminderDue
