"""The dialog engine: a pure function (state, event, now) -> (state, outputs).

No Telegram, no SQL, no clock: whatever drives the engine (the bot, the terminal chat, a test)
loads the state, passes the time in, stores what comes out and performs the outputs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from dialogs.content import Content
from dialogs.events import Event, ReminderDue
from dialogs.outputs import Output, ResumeReminders
from dialogs.rights import RightsTurn, signals_crisis
from dialogs.state import Dialog, State
from dialogs.turn import clean_text

__all__ = ["Engine", "clean_text", "new_state"]


def new_state(language: str) -> State:
    """The state of someone the bot has not met: nothing stored until they consent."""
    return State(Dialog(language=language))


class Engine:
    """Binds the content and the few behaviour settings; `step` is the whole engine."""

    def __init__(self, content: Content, *, resume_after: timedelta = timedelta(hours=12)):
        self.content = content
        self.resume_after = resume_after

    def step(self, state: State, event: Event, now: datetime) -> tuple[State, list[Output]]:
        """React to one event. Deterministic: the same input always gives the same output."""
        # RightsTurn is the outermost part: a crisis is answered before anything else.
        turn = RightsTurn(self.content, self._known_frames(state), now, self.resume_after)
        turn.handle(event)
        new, outputs = turn.state.with_dialog(last_event_at=now), turn.outputs
        if state.profile.unreachable and not isinstance(event, ReminderDue):
            # They wrote (the clock did not): whoever writes can be reached again.
            new = replace(new, profile=replace(new.profile, unreachable=False))
            outputs = [ResumeReminders(), *outputs]
        return new, outputs

    def signals_crisis(self, event: Event) -> bool:
        """Whether what the client wrote in `event` signals a crisis. The caller reads such a
        message as nothing else (not as an invitation code): the engine answers it first."""
        return signals_crisis(self.content, event)

    def _known_frames(self, state: State) -> State:
        # Content can change between two messages (an organisation edits its domains); a
        # frame pointing at a flow or node that is gone is dropped instead of failing.
        flows = self.content.flows
        stack = tuple(
            f for f in state.dialog.stack if f.flow in flows and flows[f.flow].has_node(f.node)
        )
        return state if stack == state.dialog.stack else state.with_dialog(stack=stack)
