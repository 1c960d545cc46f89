"""The methodology as conversation: flows as data and a pure engine. No Telegram, SQL or clock."""

from dialogs.content.files import ContentError
from dialogs.content.load import Content, load_content
from dialogs.conversation import Engine, new_state
from dialogs.engine.events import (
    Command,
    CommandName,
    Edited,
    Event,
    Press,
    Text,
    UnknownCommand,
    Unreadable,
)
from dialogs.engine.outputs import Button, Notice, Output, Replace, SaveAnswer, Say
from dialogs.engine.state import Answer, AnswerStatus, Dialog, State

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
