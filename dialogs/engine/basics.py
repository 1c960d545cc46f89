"""What every conversation has, whatever else it does: answering the question on screen, the
menu, help, pausing, the language, changing an earlier answer, and "are you sure?"."""

from __future__ import annotations

from collections.abc import Callable

from dialogs.content.flows import Flow
from dialogs.engine import answering, typed
from dialogs.engine.actions import Answering, Moving
from dialogs.engine.events import CommandName
from dialogs.engine.feature import ActionHandler, Feature, drawn_by
from dialogs.engine.screens import Screens
from dialogs.engine.state import Screen
from dialogs.engine.turn import Turn


def _answering(action: Answering) -> ActionHandler:
    return lambda turn, arg: answering.question_action(turn, action, arg)


def _settle_held(turn: Turn, *, take: bool) -> None:
    held = turn.frame_flow_node() if turn.dialog.screen is Screen.HELD else None
    if held is None:
        turn.stale()
    else:
        typed.settle_held(turn, held[0], take=take)


def _settle_replace(turn: Turn, *, replacing: bool) -> None:
    answered = turn.frame_flow_node() if turn.dialog.screen is Screen.REPLACE else None
    if answered is None:
        turn.stale()
    else:
        answering.settle_replace(turn, *answered, replacing=replacing)


def _on_flow(act: Callable[[Turn, Flow], None]) -> ActionHandler:
    """A button about a flow (its id the argument); stale if the content has no such flow."""

    def handle(turn: Turn, arg: str) -> None:
        flow = turn.content.flows.get(arg.partition("/")[0])
        if flow is None:
            turn.stale()
        else:
            act(turn, flow)

    return handle


def _topic(turn: Turn, arg: str) -> None:
    """A topic to change: one question, or the questions of a group (a life domain)."""
    flow_id, _, rest = arg.partition("/")
    flow = turn.content.flows.get(flow_id)
    if flow is not None and flow.has_node(rest):
        turn.edit(flow, flow.node(rest))
    elif flow is not None and any(node.group == rest for node in flow.questions):
        turn.show(Screen.EDIT_QUESTIONS, arg)
    else:
        turn.stale()


def _edit(turn: Turn, arg: str) -> None:
    flow_id, _, rest = arg.partition("/")
    flow = turn.content.flows.get(flow_id)
    if flow is not None and flow.has_node(rest) and flow.node(rest).is_question:
        turn.edit(flow, flow.node(rest))
    else:
        turn.stale()


def _ask(turn: Turn, arg: str) -> None:
    action, _, subject = arg.partition("/")
    confirmation = turn.features.confirmation(action)
    if confirmation is not None and confirmation.asks(turn, subject):
        turn.show(Screen.CONFIRM, arg)
    else:
        turn.stale()


def _start(turn: Turn) -> None:
    """/start: the way back into what was under way, or the menu."""
    frame = turn.dialog.frame
    if frame is None:
        turn.show(Screen.MENU)
    else:
        text = turn.ui.welcome_back.format(where=turn.screens.where(frame))
        turn.show(Screen.RESUME, text=text)


def _help(turn: Turn) -> None:
    turn.say(turn.ui.help)
    turn.show_current()


FEATURE = Feature(
    name="basics",
    actions={
        **{action: _answering(action) for action in Answering},
        Moving.PAUSE: lambda turn, _: turn.show(Screen.RESUME),
        Moving.RESUME: lambda turn, _: turn.show(
            Screen.QUESTION if turn.dialog.frame else Screen.MENU
        ),
        Moving.TAKE: lambda turn, _: _settle_held(turn, take=True),
        Moving.LEAVE: lambda turn, _: _settle_held(turn, take=False),
        Moving.KEEP: lambda turn, _: _settle_replace(turn, replacing=False),
        Moving.REPLACE: lambda turn, _: _settle_replace(turn, replacing=True),
        Moving.MENU: lambda turn, _: turn.show(Screen.MENU),
        Moving.HELP: lambda turn, _: _help(turn),
        Moving.LANGUAGE: lambda turn, _: turn.show(Screen.LANGUAGE),
        Moving.FLOW: _on_flow(lambda turn, flow: turn.start_flow(flow)),
        Moving.OVERVIEW: _on_flow(Turn.show_overview),
        Moving.TOPICS: _on_flow(lambda turn, flow: turn.show(Screen.EDIT_TOPICS, flow.id)),
        Moving.TOPIC: _topic,
        Moving.EDIT: _edit,
        Moving.ASK: _ask,
    },
    commands={
        CommandName.START: _start,
        CommandName.MENU: lambda turn: turn.show(Screen.MENU),
        CommandName.HELP: _help,
        CommandName.LANGUAGE: lambda turn: turn.show(Screen.LANGUAGE),
    },
    screens={
        **{
            screen: drawn_by(Screens.current)
            for screen in (
                Screen.NONE,
                Screen.WELCOME,
                Screen.QUESTION,
                Screen.HELD,
                Screen.REPLACE,
                Screen.MENU,
                Screen.RESUME,
                Screen.LANGUAGE,
                Screen.EDIT_TOPICS,
                Screen.EDIT_QUESTIONS,
            )
        },
        Screen.CONFIRM: Turn.draw_confirmation,
    },
)
