"""Invitation codes as a client types them: what the engine reads as a code, and the form a
code is printed in. The store checks a code against its hashes; the engine only decides
which text is one, and hears how it went (`CodeEntered`)."""

from __future__ import annotations

import re

from dialogs.engine.events import Command, CommandName, Event, Text
from dialogs.engine.state import Screen, State

# No 0/O, 1/I/L: a code read aloud or copied from paper is typed right.
SHORT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SHORT_CODE_LENGTH = 8
# As the invitation prints it: two halves with a dash (spaces around it forgiven).
_HALF = f"[{SHORT_CODE_ALPHABET}]{{{SHORT_CODE_LENGTH // 2}}}"
_PRINTED_CODE = re.compile(rf"{_HALF}\s*-\s*{_HALF}", re.IGNORECASE)


def is_printed_code(text: str) -> bool:
    """Whether `text` is a short code in the form the invitation prints it (K7QM-4XPN), dash
    included. Only that form is read as a code unasked: without the dash, plain words are
    codes too ("verhuren", "geen werk"), and the client's answer would be lost."""
    return _PRINTED_CODE.fullmatch(text.strip()) is not None


def normalise_code(text: str) -> str:
    """A short code as stored: upper case, without dashes and white space."""
    return re.sub(r"[\s-]", "", text).upper()


def typed_code(state: State, event: Event) -> str | None:
    """The invitation code in this event, to be checked before the engine steps: `/start
    <code>` (the counsellor's link), the short code typed as printed (K7QM-4XPN), or anything
    typed after the client chose "Ik heb een code"."""
    if isinstance(event, Command) and event.name is CommandName.START and event.arg:
        return event.arg
    if isinstance(event, Text) and (
        state.dialog.screen is Screen.CODE or is_printed_code(event.text)
    ):
        return event.text
    return None
