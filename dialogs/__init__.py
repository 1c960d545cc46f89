"""The methodology as conversation: flows as data and a pure engine. No Telegram, SQL or clock."""

from dialogs.content import Content, load_content
from dialogs.content_files import ContentError
from dialogs.engine import Engine, new_state
from dialogs.events import (
    Command,
    CommandName,
    Edited,
    Event,
    Press,
    Text,
    UnknownCommand,
    Unreadable,
)
from dialogs.outputs import Button, Notice, Output, Replace, SaveAnswer, Say
from dialogs.state import Answer, AnswerStatus, Dialog, State

__all__ = [
    "Answer",
    "AnswerStatus",
    "Button",
    "Command",
    "CommandName",
    "Content",
    "ContentError",
    "Dialog",
    "Edited",
    "Engine",
    "Event",
    "Notice",
    "Output",
    "Press",
    "Replace",
    "SaveAnswer",
    "Say",
    "State",
    "Text",
    "UnknownCommand",
    "Unreadable",
    "load_content",
    "new_state",
]
