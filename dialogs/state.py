"""The client's place in the conversation: persisted as JSON, never kept only in memory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


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


class Frame(BaseModel):
    """One flow in progress. A stack of frames lets a sub-flow return to where the client was."""

    model_config = ConfigDict(frozen=True)

    flow: str
    node: str
    history: tuple[str, ...] = ()
    selection: tuple[str, ...] = ()
    single: bool = False  # re-asking one question (an edit): the frame ends after it


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


@dataclass(frozen=True)
class State:
    """The engine's whole input about one client: the dialog and the current answers."""

    dialog: Dialog
    answers: Mapping[str, Answer] = field(default_factory=dict)

    def with_dialog(self, **changes: object) -> State:
        return replace(self, dialog=self.dialog.model_copy(update=changes))
