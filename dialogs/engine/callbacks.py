"""The data a button carries, at most 64 bytes as Telegram allows.

Buttons that answer the current screen carry its prompt number (`q<seq>:<action>`), so a press
on an older message is recognised. Two kinds are valid on any message because pressing them
twice changes nothing: a language (`lang:<code>`) and consent (`consent:<yes|no>:<code>`),
which must work before anything about the person is stored. Buttons under a reminder
(`r:<step>:<action>`) stay valid while the step is open: a reminder is often answered hours
later, after other messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.engine.numbers import whole_number

MAX_BYTES = 64
# Under a crisis answer: valid on any message, whatever came since, like a reminder's buttons.
CRISIS_ALERT = "crisis:alert"
# Under "not saved" after a crisis answer: the message saved as the open question's answer
# after all; valid while the dialog holds it (a second press finds nothing).
CRISIS_SAVE = "crisis:save"


@dataclass(frozen=True)
class Prompted:
    seq: int
    action: str
    arg: str = ""


@dataclass(frozen=True)
class ChooseLanguage:
    language: str


@dataclass(frozen=True)
class Consent:
    given: bool
    language: str


@dataclass(frozen=True)
class ReminderAction:
    """A button under a reminder: valid for as long as its step is open, whatever came since."""

    step: int
    action: str


Callback = Prompted | ChooseLanguage | Consent | ReminderAction


def prompted(seq: int, action: str, arg: str = "") -> str:
    data = f"q{seq}:{action}:{arg}" if arg else f"q{seq}:{action}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button data over {MAX_BYTES} bytes: {data!r}")
    return data


def choose_language(language: str) -> str:
    return f"lang:{language}"


def consent(given: bool, language: str) -> str:
    return f"consent:{'yes' if given else 'no'}:{language}"


def reminder(step: int, action: str) -> str:
    return f"r:{step}:{action}"


def parse(data: str) -> Callback | None:
    """Read button data; None for anything the engine did not make (old versions, forgeries)."""
    head, _, rest = data.partition(":")
    if head == "lang" and rest:
        return ChooseLanguage(rest)
    if head == "consent":
        answer, _, language = rest.partition(":")
        if answer in ("yes", "no") and language:
            return Consent(answer == "yes", language)
        return None
    if head == "r":
        step, _, action = rest.partition(":")
        number = whole_number(step)
        return ReminderAction(number, action) if number is not None and action else None
    seq = whole_number(head[1:]) if head.startswith("q") else None
    if seq is not None and rest:
        action, _, arg = rest.partition(":")
        return Prompted(seq, action, arg)
    return None
