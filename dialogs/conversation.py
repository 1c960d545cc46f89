"""The client's conversation: what it is made of, in order, and the engine that runs it.

The engine is a pure function (state, event, now) -> (state, outputs). No Telegram, no SQL,
no clock: whatever drives it (the turn layer in `turns/`, a test) loads the state, passes the
time in, stores what comes out and performs the outputs.

Reading order for an event: the interceptors, in this order, each of which may answer it and
stop there; then, for someone who consented, the command, the button or the text, each
command, button action and screen owned by exactly one feature.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum

from dialogs.content.flows import DYNAMIC_SUGGESTIONS, Flow, NodeKind
from dialogs.content.load import Content
from dialogs.engine import basics, callbacks
from dialogs.engine.events import Event, Press, ReminderDue
from dialogs.engine.feature import Features
from dialogs.engine.outputs import Output, ResumeReminders
from dialogs.engine.state import Dialog, Screen, State
from dialogs.engine.turn import Turn
from dialogs.engine.typed import clean_text
from dialogs.linking import feature as linking
from dialogs.linking.codes import typed_code
from dialogs.meeting import client_answers
from dialogs.plan import feature as plan
from dialogs.plan import reminders
from dialogs.resources import feature as resources
from dialogs.rights import feature as rights
from dialogs.safety import answer as crisis

__all__ = ["EVERYTHING", "FEATURES", "Engine", "Part", "clean_text", "new_state"]

FEATURES = Features(
    interceptors=(
        crisis.intercept,  # safety first: a crisis is answered before anything reads the event
        client_answers.intercept,  # yes or no to steps a team meeting proposed
        linking.intercept_code,  # an invitation code the client typed
        reminders.intercept,  # a reminder due, its buttons, reminders that were missed
    ),
    features=(basics.FEATURE, plan.FEATURE, resources.FEATURE, linking.FEATURE, rights.FEATURE),
)


class Part(StrEnum):
    """A part of a client's state that a turn may not need loaded. The dialog, the answers,
    the profile and the reminders missed are always there."""

    PLAN = "plan"  # goals, steps, how many reflections
    RESOURCES = "resources"
    LINKS = "links"  # counsellors, their looks, an invitation
    PROPOSALS = "proposals"  # steps a team meeting proposed


EVERYTHING = frozenset(Part)


def _reads_only_answers(flow: Flow) -> bool:
    """Whether answering this flow's questions reads nothing but the answers: no records
    made, no options or suggestions from the plan or the resources, no flow run inside."""
    return not flow.collects and all(
        node.kind not in (NodeKind.SAVE, NodeKind.SUBFLOW)
        and not node.dynamic_options
        and node.suggest not in DYNAMIC_SUGGESTIONS
        for node in flow.nodes
    )


def new_state(language: str) -> State:
    """The state of someone the bot has not met: nothing stored until they consent."""
    return State(Dialog(language=language))


class Engine:
    """Binds the content, the features and the few behaviour settings; `step` is the engine."""

    def __init__(
        self,
        content: Content,
        *,
        resume_after: timedelta = timedelta(hours=12),
        features: Features = FEATURES,
    ):
        self.content = content
        self.resume_after = resume_after
        self.features = features

    def step(self, state: State, event: Event, now: datetime) -> tuple[State, list[Output]]:
        """React to one event. Deterministic: the same input always gives the same output."""
        turn = Turn(self.content, self.features, self._known_frames(state), now, self.resume_after)
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
        return crisis.signals_crisis(self.content, event)

    def needs(self, dialog: Dialog, event: Event) -> frozenset[Part]:
        """What the step of `event` reads of the client's state beyond the dialog, the answers
        and the profile, so the caller loads no more. A button of the question on screen in
        a flow that reads only answers (the inventory, the most frequent press) needs nothing
        else; anything else may go anywhere and gets everything."""
        parsed = callbacks.parse(event.data) if isinstance(event, Press) else None
        if (
            not dialog.consented
            or not isinstance(parsed, callbacks.Prompted)
            or parsed.seq != dialog.prompt_seq
            or dialog.screen is not Screen.QUESTION
            or len(dialog.stack) != 1
        ):
            return EVERYTHING
        flow = self.content.flows.get(dialog.stack[0].flow)
        return frozenset() if flow is not None and _reads_only_answers(flow) else EVERYTHING

    def code_in(self, state: State, event: Event) -> str | None:
        """The invitation code in `event`, for the caller to check before the step (the
        engine then hears `CodeEntered`). A crisis message is read as nothing else first,
        not even as a code: the engine answers it (and a wrong "code" would slow down the
        real one)."""
        return None if self.signals_crisis(event) else typed_code(state, event)

    def _known_frames(self, state: State) -> State:
        # Content can change between two messages (an organisation edits its domains); a
        # frame pointing at a flow or node that is gone is dropped instead of failing.
        flows = self.content.flows
        stack = tuple(
            f for f in state.dialog.stack if f.flow in flows and flows[f.flow].has_node(f.node)
        )
        return state if stack == state.dialog.stack else state.with_dialog(stack=stack)
