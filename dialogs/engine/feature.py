"""What a part of the client's conversation declares to the engine: its commands, its button
actions, its screens, its "are you sure?" questions and where its flows end.

The parts are listed, in order, in `dialogs/conversation.py`, with the interceptors that read
an event before any part does. `Features` checks when it is built that no two parts claim the
same action, command or screen: a clash is an error at start-up, never a button that silently
does something else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from dialogs.engine.events import CommandName, Event
from dialogs.engine.outputs import Say
from dialogs.engine.state import Frame, Screen

if TYPE_CHECKING:  # the turn runs the features; a feature only calls into it
    from dialogs.engine.screens import Screens
    from dialogs.engine.turn import Turn

# Reads an event before any feature; True when it answered it and nothing else may read it.
Interceptor = Callable[["Turn", Event], bool]
# A button pressed on the current screen, with the argument the button carries.
ActionHandler = Callable[["Turn", str], None]
CommandHandler = Callable[["Turn"], None]
# Draws a screen again from the state (a typed label is read against it); None when what it
# showed is gone.
Drawer = Callable[["Turn", int], Say | None]
# Where the client goes when one of the feature's flows ends on its own (not as a sub-flow).
FlowEnd = Callable[["Turn", Frame], None]
# After a record of the feature was changed (a step's date): whether it showed where to go.
EditEnd = Callable[["Turn", Frame], bool]
# Right after consent: whether the feature showed something first (an invitation).
ConsentStart = Callable[["Turn"], bool]


T = TypeVar("T")


def drawn_by(current: Callable[[Screens, int], Say | None]) -> Drawer:
    """A drawer from a function of the screens (most screens need nothing of the turn)."""
    return lambda turn, seq: current(turn.screens, seq)


class FeatureClashError(ValueError):
    """Two features claim the same action, command, screen, question or flow."""


@dataclass(frozen=True)
class Confirmation:
    """An "are you sure?" about an action and its subject (`<action>/<subject>`), asked on
    `Screen.CONFIRM` before something is dropped or erased."""

    asks: Callable[[Turn, str], bool]  # whether the subject is there to ask about
    draw: Callable[[Screens, str, int], Say | None]  # the question; None if the subject is gone


@dataclass(frozen=True)
class Feature:
    name: str
    actions: Mapping[StrEnum, ActionHandler]
    commands: Mapping[CommandName, CommandHandler] = field(default_factory=dict)
    screens: Mapping[Screen, Drawer] = field(default_factory=dict)
    confirmations: Mapping[StrEnum, Confirmation] = field(default_factory=dict)
    flow_ends: Mapping[str, FlowEnd] = field(default_factory=dict)
    edit_end: EditEnd | None = None
    consent_start: ConsentStart | None = None


def _claimed(
    features: Iterable[Feature], what: str, entries: Callable[[Feature], Mapping[Any, T]]
) -> dict[str, tuple[str, T]]:
    """Key -> (the feature's name, its entry), refusing a key two features claim."""
    owners: dict[str, tuple[str, T]] = {}
    for feature in features:
        for key, entry in entries(feature).items():
            if str(key) in owners:
                raise FeatureClashError(f"{what} {key!s}: {owners[str(key)][0]} and {feature.name}")
            owners[str(key)] = (feature.name, entry)
    return owners


class Features:
    """The interceptors in order and the features, each action, command, screen, question and
    flow end owned by exactly one feature."""

    def __init__(self, interceptors: tuple[Interceptor, ...], features: tuple[Feature, ...]):
        self.interceptors = interceptors
        self.features = features
        self._actions = _claimed(features, "action", lambda f: f.actions)
        self._commands = _claimed(features, "command", lambda f: f.commands)
        self._screens = _claimed(features, "screen", lambda f: f.screens)
        self._confirmations = _claimed(features, "question", lambda f: f.confirmations)
        self._flow_ends = _claimed(features, "flow end", lambda f: f.flow_ends)
        missing = [screen.value for screen in Screen if screen.value not in self._screens]
        if missing:
            raise FeatureClashError(f"screens no feature draws: {', '.join(missing)}")

    def action(self, action: str) -> ActionHandler | None:
        return _entry(self._actions, action)

    def command(self, name: CommandName) -> CommandHandler | None:
        return _entry(self._commands, name.value)

    def drawer(self, screen: Screen) -> Drawer:
        return self._screens[screen.value][1]

    def confirmation(self, action: str) -> Confirmation | None:
        return _entry(self._confirmations, action)

    def flow_end(self, flow_id: str) -> FlowEnd | None:
        return _entry(self._flow_ends, flow_id)

    @property
    def commands(self) -> frozenset[CommandName]:
        return frozenset(CommandName(name) for name in self._commands)


def _entry(owners: Mapping[str, tuple[str, T]], key: str) -> T | None:
    found = owners.get(key)
    return None if found is None else found[1]
