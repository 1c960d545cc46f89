"""What the engine asks the outside world to do, as plain data."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.state import AnswerStatus


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


Output = Say | Replace | Notice | SaveAnswer
