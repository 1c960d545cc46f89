"""The action plan on screen (/mijnplan), one goal, one step, and the reminder message.

Short lines that read well on a phone: one block per goal, one line per step.
"""

from __future__ import annotations

from dialogs.content.flows import RecordKind
from dialogs.engine import callbacks
from dialogs.engine.actions import Moving
from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import Button, Say
from dialogs.engine.records import deliverable
from dialogs.engine.screens import Screens, rows
from dialogs.engine.state import Goal, GoalStatus, Screen, Step, StepStatus
from dialogs.plan.actions import PlanAction

_STEP_MARKS = {StepStatus.OPEN: "▫️", StepStatus.DONE: "✅", StepStatus.DROPPED: "🚫"}
# The parts of a step the client can change, as nodes of the step flow.
CHANGEABLE = ("what", "who", "due", "remind_at")
# "Who could help?" from a goal: one of the client's resources, and perhaps a step to ask them.
ASK_HELP_FLOW = "ask_help"


def _goal_title(screens: Screens, goal: Goal) -> str:
    ui = screens.ui
    title = ui.plan_goal.format(number=goal.number, text=goal.text)
    if goal.status is GoalStatus.REACHED:
        title += f" · {ui.goal_status_reached}"
    elif goal.status is GoalStatus.DROPPED:
        title += f" · {ui.goal_status_dropped}"
    return title


def step_line(screens: Screens, step: Step) -> str:
    ui = screens.ui
    parts = [
        f"{_STEP_MARKS[step.status]} " + ui.plan_step.format(number=step.number, text=step.text)
    ]
    if step.who == "network" and step.who_name:
        parts.append(ui.plan_step_with.format(name=step.who_name))
    elif step.who == "counsellor":
        parts.append(ui.plan_step_counsellor)
    if step.status is StepStatus.DONE and step.done_at:
        parts.append(ui.plan_step_done_on.format(date=screens.day(step.done_at.date())))
    elif step.status is StepStatus.OPEN and step.due:
        parts.append(ui.plan_step_due.format(date=screens.day(step.due)))
    if step.status is StepStatus.OPEN and step.remind_at:
        # When it will really come: a moment chosen in the quiet hours waits for their end.
        parts.append("⏰ " + screens.moment(deliverable(step.remind_at, screens.state.profile)))
    return " · ".join(parts)


def overview(screens: Screens, seq: int) -> Say:
    state, ui = screens.state, screens.ui
    if not state.goals:
        empty = (
            Button(ui.plan_new_goal, callbacks.prompted(seq, PlanAction.NEW_GOAL)),
            Button(ui.to_menu, callbacks.prompted(seq, Moving.MENU)),
        )
        return Say(ui.plan_empty, rows(empty, 1))
    blocks = [ui.plan_title]
    goal_buttons: list[Button] = []
    for goal in state.goals:
        lines = [_goal_title(screens, goal)]
        if goal.why:
            lines.append(ui.plan_why.format(why=goal.why))
        lines += [step_line(screens, s) for s in state.steps if s.goal == goal.number]
        blocks.append("\n".join(lines))
        if goal.status is GoalStatus.OPEN:
            goal_buttons.append(
                Button(
                    f"🎯 {goal.number}", callbacks.prompted(seq, PlanAction.GOAL, str(goal.number))
                )
            )
    open_goals = {g.number for g in state.goals if g.status is GoalStatus.OPEN}
    open_steps = [s for s in state.steps if s.status is StepStatus.OPEN and s.goal in open_goals]
    step_buttons = [
        Button(
            ui.plan_step_button.format(number=s.number),
            callbacks.prompted(seq, PlanAction.STEP, str(s.number)),
        )
        for s in open_steps
    ]
    keyboard = (
        *rows(goal_buttons, 4),
        *rows(step_buttons, 3),
        (Button(ui.plan_new_goal, callbacks.prompted(seq, PlanAction.NEW_GOAL)),),
        (Button(ui.to_menu, callbacks.prompted(seq, Moving.MENU)),),
    )
    return Say("\n\n".join(blocks), keyboard)


def goal_screen(screens: Screens, goal: Goal, seq: int) -> Say:
    ui = screens.ui
    lines = [_goal_title(screens, goal)]
    if goal.why:
        lines.append(ui.plan_why.format(why=goal.why))
    lines += [step_line(screens, s) for s in screens.state.steps if s.goal == goal.number]
    arg = str(goal.number)
    buttons = [Button(ui.goal_new_step, callbacks.prompted(seq, PlanAction.GOAL_STEP, arg))]
    if ASK_HELP_FLOW in screens.content.flows:
        buttons.append(Button(ui.goal_ask_help, callbacks.prompted(seq, PlanAction.GOAL_HELP, arg)))
    buttons += [
        Button(
            ui.goal_reached, callbacks.prompted(seq, Moving.ASK, f"{PlanAction.REACH_GOAL}/{arg}")
        ),
        Button(ui.goal_drop, callbacks.prompted(seq, Moving.ASK, f"{PlanAction.DROP_GOAL}/{arg}")),
        Button(ui.to_plan, callbacks.prompted(seq, PlanAction.PLAN)),
    ]
    return Say("\n".join(lines), rows(buttons, 1))


def step_screen(screens: Screens, step: Step, seq: int) -> Say:
    ui = screens.ui
    arg = str(step.number)
    buttons = (
        Button(ui.step_done, callbacks.prompted(seq, PlanAction.STEP_DONE, arg)),
        Button(ui.step_change, callbacks.prompted(seq, PlanAction.CHANGE_STEP, arg)),
        Button(ui.step_postpone, callbacks.prompted(seq, PlanAction.FIELD, f"{arg}/due")),
        Button(ui.step_drop, callbacks.prompted(seq, Moving.ASK, f"{PlanAction.DROP_STEP}/{arg}")),
        Button(ui.to_plan, callbacks.prompted(seq, PlanAction.PLAN)),
    )
    return Say(step_line(screens, step), rows(buttons, 1))


def change_screen(screens: Screens, step: Step, seq: int) -> Say:
    ui = screens.ui
    flow = screens.content.record_flow(RecordKind.STEP)
    arg = str(step.number)
    buttons = [
        Button(
            screens.text(node.label_key or node.prompt_key),
            callbacks.prompted(seq, PlanAction.FIELD, f"{arg}/{node.id}"),
        )
        for node in (flow.nodes if flow else ())
        if node.id in CHANGEABLE
    ]
    buttons.append(Button(ui.back, callbacks.prompted(seq, PlanAction.STEP, arg)))
    return Say(ui.change_pick.format(step=step.text), rows(buttons, 1))


def confirm(screens: Screens, action: PlanAction, number: str, seq: int) -> Say | None:
    """ "Are you sure?" before a step is dropped or a goal reached or stopped; None if that
    step or goal is gone."""
    ui, state = screens.ui, screens.state
    texts = {
        PlanAction.DROP_STEP: ui.confirm_drop_step,
        PlanAction.DROP_GOAL: ui.confirm_drop_goal,
        PlanAction.REACH_GOAL: ui.confirm_reach_goal,
    }
    which = whole_number(number)
    if which is None or action not in texts:
        return None
    subject = state.step(which) if action is PlanAction.DROP_STEP else state.goal(which)
    if subject is None:
        return None
    buttons = (
        Button(ui.confirm_yes, callbacks.prompted(seq, action, number)),
        Button(ui.confirm_no, callbacks.prompted(seq, PlanAction.BACK_TO, f"{action}/{number}")),
    )
    return Say(texts[action].format(number=number, text=subject.text), rows(buttons, 1))


def reminder(screens: Screens, step: Step, *, follow_up: bool) -> Say:
    """The reminder of a step. Its buttons work as long as the step is open."""
    ui = screens.ui
    goal = screens.state.goal(step.goal)
    template = ui.reminder_follow_up if follow_up else ui.reminder
    text = template.format(step=step.text, goal=goal.text if goal else "")
    buttons = (
        Button(ui.reminder_done, callbacks.reminder(step.number, "done")),
        Button(ui.reminder_later, callbacks.reminder(step.number, "later")),
        Button(ui.reminder_failed, callbacks.reminder(step.number, "failed")),
    )
    return Say(text, rows(buttons, 1))


def current(screens: Screens, seq: int) -> Say | None:
    """A plan screen drawn again, or None when it is not one (or its subject is gone)."""
    dialog, state = screens.state.dialog, screens.state
    arg = dialog.screen_arg or ""
    number = whole_number(arg) or 0  # no record has number 0
    match dialog.screen:
        case Screen.PLAN:
            return overview(screens, seq)
        case Screen.PLAN_GOAL if (goal := state.goal(number)) is not None:
            return goal_screen(screens, goal, seq)
        case Screen.PLAN_STEP if (step := state.step(number)) is not None:
            return step_screen(screens, step, seq)
        case Screen.PLAN_CHANGE if (step := state.step(number)) is not None:
            return change_screen(screens, step, seq)
    return None
