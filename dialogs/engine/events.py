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
    RESOURCES = "resources"  # the people and places that can help (hulpbronnen)
    NETWORK = "network"  # the network map as a picture
    QUIET_HOURS = "quiet_hours"
    SHARING = "sharing"  # what the client shares with their counsellor
    COUNSELLOR = "counsellor"  # a message or call request to the counsellor
    WHO_SAW = "who_saw"  # who looked at the client's data
    MY_DATA = "my_data"  # everything stored about the client, as files
    FORGET_ME = "forget_me"  # erase everything about the client
    HIDE = "hide"  # delete the bot's recent messages from the chat
    INVITE = "invite"  # counsellors: a new invitation
    CLIENTS = "clients"  # counsellors: their linked clients
    EXPORT = "export"  # counsellors: a summary as a file


# Commands of the counsellor's desk; a client gets a kind "this is for counsellors".
DESK_COMMANDS = frozenset({CommandName.INVITE, CommandName.CLIENTS, CommandName.EXPORT})


@dataclass(frozen=True)
class Command:
    name: CommandName
    arg: str = ""  # what followed the command: `/start <code>`, `/export 12`


@dataclass(frozen=True)
class UnknownCommand:
    """A command the bot does not have; `text` is the whole message."""

    text: str = ""


@dataclass(frozen=True)
class Unreadable:
    """Something the bot cannot read: a sticker, photo, voice note, file, location, ...;
    `caption` is what the client wrote under a photo, a video or a file."""

    caption: str = ""


@dataclass(frozen=True)
class Edited:
    """An earlier message was edited (to `text`, its new text or caption); the engine never
    rewrites answers behind the client's back."""

    text: str = ""


@dataclass(frozen=True)
class ReminderDue:
    """The clock says a reminder for a step is due (the scheduler has claimed it)."""

    reminder_id: int
    step: int
    follow_up: bool = False


class CodeResult(StrEnum):
    """What became of an invitation code the client opened or typed."""

    OPENED = "opened"
    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"
    SLOW_DOWN = "slow_down"  # too many wrong codes: wait a while


@dataclass(frozen=True)
class CodeEntered:
    """An invitation code, checked by the caller (only hashes are stored, attempts are
    counted); an opened invitation is in the state from now on."""

    result: CodeResult
    wait_minutes: int = 0


Event = Text | Press | Command | UnknownCommand | Unreadable | Edited | ReminderDue | CodeEntered


def written(event: Event) -> str:
    """What the client wrote in this event: a message, a caption, an edited text, what follows
    a command; "" for a button, a reminder or a code checked. Read for a crisis before anything."""
    match event:
        case Text(text=text) | UnknownCommand(text=text) | Unreadable(caption=text):
            return text
        case Edited(text=text) | Command(arg=text):
            return text
    return ""
