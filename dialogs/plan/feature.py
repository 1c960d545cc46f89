"""The action plan in conversation: /mijnplan, its goals and steps, a step done or dropped.

METHODOLOGY.md sections 2 and 3: a step not done is not a failure; it leads to a short
reflection and a smaller or different step. Nothing is dropped without "are you sure?".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from dialogs.content.flows import Flow, RecordKind
from dialogs.engine import records
from dialogs.engine.events import CommandName
from dialogs.engine.feature import ActionHandler, Confirmation, Feature, drawn_by
from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import CancelReminders, SetGoalStatus, SetStepStatus
from dialogs.engine.state import Frame, Goal, GoalStatus, Screen, Step, StepStatus
from dialogs.engine.turn import Turn
from dialogs.plan import screens
from dialogs.plan.actions import PlanAction

T = TypeVar("T")
# The flow offered after a step is done; without it the client goes back to the plan.
NEXT_STEP_FLOW = "next_step"


def open_step(turn: Turn, arg: str) -> Step | None:
    number = whole_number(arg)
    step = turn.state.step(number) if number is not None else None
    return step if step is not None and step.status is StepStatus.OPEN else None


def open_goal(turn: Turn, arg: str) -> Goal | None:
    number = whole_number(arg)
    goal = turn.state.goal(number) if number is not None else None
    return goal if goal is not None and goal.status is GoalStatus.OPEN else None


def set_step(turn: Turn, step: Step, status: StepStatus) -> None:
    done_at = turn.now if status is StepStatus.DONE else None
    changed = replace(step, status=status, done_at=done_at)
    steps = tuple(changed if s.number == step.number else s for s in turn.state.steps)
    turn.state = replace(turn.state, steps=steps)
    turn.outputs += [SetStepStatus(step.number, status), CancelReminders(step.number)]


def set_goal(turn: Turn, goal: Goal, status: GoalStatus) -> None:
    goals = tuple(replace(g, status=status) if g == goal else g for g in turn.state.goals)
    turn.state = replace(turn.state, goals=goals)
    turn.outputs.append(SetGoalStatus(goal.number, status))
    for step in turn.state.steps:
        if step.goal == goal.number and step.status is StepStatus.OPEN:
            # Its open steps need no more reminders; they stay open in the history.
            turn.outputs.append(CancelReminders(step.number))


def step_done(turn: Turn, step: Step) -> None:
    """Celebrate briefly and offer the next step for the same goal."""
    set_step(turn, step, StepStatus.DONE)
    turn.say(turn.ui.step_celebrate.format(step=step.text))
    follow = turn.content.flows.get(NEXT_STEP_FLOW)
    if open_goal(turn, str(step.goal)) and follow is not None:
        turn.start_flow(follow, {"goal": str(step.goal)})
    else:
        turn.show(Screen.PLAN)


def edit_step(turn: Turn, step: Step, node_id: str) -> None:
    flow = turn.content.record_flow(RecordKind.STEP)
    if flow is None or not flow.has_node(node_id) or node_id not in screens.CHANGEABLE:
        turn.stale()
        return
    turn.edit_values(flow, flow.node(node_id), records.step_values(step))


def _edit_end(turn: Turn, frame: Frame) -> bool:
    """A step changed: back to that step."""
    number = frame.values.get("number", "")
    if turn.content.flows[frame.flow].collects and turn.state.step(whole_number(number) or 0):
        turn.show(Screen.PLAN_STEP, number)
        return True
    return False


def _ask_help_end(turn: Turn, frame: Frame) -> None:
    """Asking for help with a goal ends at that goal."""
    goal = open_goal(turn, frame.values.get("goal", ""))
    if goal is not None:
        turn.show(Screen.PLAN_GOAL, str(goal.number))
    else:
        turn.show(Screen.MENU)


def _on(
    find: Callable[[Turn, str], T | None], act: Callable[[Turn, T, str], None]
) -> ActionHandler:
    """A button about an open step or goal (its number the argument); stale once it is
    closed."""

    def handle(turn: Turn, arg: str) -> None:
        subject = find(turn, arg)
        if subject is None:
            turn.stale()
        else:
            act(turn, subject, arg)

    return handle


def _on_step(act: Callable[[Turn, Step, str], None]) -> ActionHandler:
    return _on(open_step, act)


def _on_goal(act: Callable[[Turn, Goal, str], None]) -> ActionHandler:
    return _on(open_goal, act)


def _start(turn: Turn, flow: Flow | None, values: dict[str, str] | None = None) -> None:
    """A flow started from a plan screen; the plan's pause ends with it."""
    if flow is None:
        turn.stale()
        return
    turn.update(paused=False)
    turn.start_flow(flow, values)


def _field(turn: Turn, arg: str) -> None:
    """`<step>/<node>`: that part of an open step asked again."""
    number, _, node_id = arg.partition("/")
    step = open_step(turn, number)
    if step is None:
        turn.stale()
    else:
        edit_step(turn, step, node_id)


def _goal_step(turn: Turn, _: Goal, arg: str) -> None:
    flow = turn.content.record_flow(RecordKind.STEP)
    if flow is None:
        turn.stale()
    else:
        turn.start_flow(flow, {"goal": arg})


def _drop_step(turn: Turn, step: Step, arg: str) -> None:
    if not turn.confirming(PlanAction.DROP_STEP, arg):
        turn.stale()
        return
    set_step(turn, step, StepStatus.DROPPED)
    turn.say(turn.ui.step_dropped.format(number=step.number))
    turn.show(Screen.PLAN)


def _close_goal(action: PlanAction, status: GoalStatus) -> ActionHandler:
    def close(turn: Turn, goal: Goal, arg: str) -> None:
        if not turn.confirming(action, arg):
            turn.stale()
            return
        set_goal(turn, goal, status)
        reached = status is GoalStatus.REACHED
        done_text = turn.ui.goal_marked_reached if reached else turn.ui.goal_dropped
        turn.say(done_text.format(number=goal.number))
        turn.show(Screen.PLAN)

    return _on_goal(close)


def _back_to(turn: Turn, arg: str) -> None:
    question, _, number = arg.partition("/")
    if question == PlanAction.DROP_STEP and open_step(turn, number):
        turn.show(Screen.PLAN_STEP, number)
    elif open_goal(turn, number):
        turn.show(Screen.PLAN_GOAL, number)
    else:
        turn.stale()


def _confirmation(action: PlanAction, subject: Callable[[Turn, str], object]) -> Confirmation:
    return Confirmation(
        asks=lambda turn, number: subject(turn, number) is not None,
        draw=lambda drawn, number, seq: screens.confirm(drawn, action, number, seq),
    )


FEATURE = Feature(
    name="plan",
    actions={
        PlanAction.PLAN: lambda turn, _: turn.show(Screen.PLAN),
        PlanAction.NEW_GOAL: lambda turn, _: _start(
            turn, turn.content.command_flow(CommandName.PLAN)
        ),
        PlanAction.GOAL: _on_goal(lambda turn, _, arg: turn.show(Screen.PLAN_GOAL, arg)),
        PlanAction.STEP: _on_step(lambda turn, _, arg: turn.show(Screen.PLAN_STEP, arg)),
        PlanAction.CHANGE_STEP: _on_step(lambda turn, _, arg: turn.show(Screen.PLAN_CHANGE, arg)),
        PlanAction.FIELD: _field,
        PlanAction.STEP_DONE: _on_step(lambda turn, step, _: step_done(turn, step)),
        PlanAction.GOAL_STEP: _on_goal(_goal_step),
        PlanAction.GOAL_HELP: _on_goal(
            lambda turn, _, arg: _start(
                turn, turn.content.flows.get(screens.ASK_HELP_FLOW), {"goal": arg}
            )
        ),
        PlanAction.DROP_STEP: _on_step(_drop_step),
        PlanAction.DROP_GOAL: _close_goal(PlanAction.DROP_GOAL, GoalStatus.DROPPED),
        PlanAction.REACH_GOAL: _close_goal(PlanAction.REACH_GOAL, GoalStatus.REACHED),
        PlanAction.BACK_TO: _back_to,
    },
    commands={CommandName.MY_PLAN: lambda turn: turn.show(Screen.PLAN)},
    screens=dict.fromkeys(
        (Screen.PLAN, Screen.PLAN_GOAL, Screen.PLAN_STEP, Screen.PLAN_CHANGE),
        drawn_by(screens.current),
    ),
    confirmations={
        PlanAction.DROP_STEP: _confirmation(PlanAction.DROP_STEP, open_step),
        PlanAction.DROP_GOAL: _confirmation(PlanAction.DROP_GOAL, open_goal),
        PlanAction.REACH_GOAL: _confirmation(PlanAction.REACH_GOAL, open_goal),
    },
    flow_ends={screens.ASK_HELP_FLOW: _ask_help_end},
    edit_end=_edit_end,
)
