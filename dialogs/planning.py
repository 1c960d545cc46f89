"""The action plan in conversation: /mijnplan, a step done or dropped, and reminders.

METHODOLOGY.md sections 2 and 3: a step not done is not a failure; it leads to a short
reflection and a smaller or different step. Nothing is dropped without "are you sure?".
"""

from __future__ import annotations

from dataclasses import replace

from dialogs import callbacks, plan_screens, records
from dialogs.content import RecordKind
from dialogs.events import CommandName, Event, ReminderDue
from dialogs.numbers import whole_number
from dialogs.outputs import (
    CancelReminders,
    MissedTold,
    ReminderAnswered,
    ReminderSettled,
    ReminderShown,
    Say,
    ScheduleReminder,
    SetGoalStatus,
    SetStepStatus,
)
from dialogs.state import Frame, Goal, GoalStatus, Screen, Step, StepStatus
from dialogs.turn import Turn

# The flow offered after a step is done; without it the client goes back to the plan.
NEXT_STEP_FLOW = "next_step"


class PlanningTurn(Turn):
    """A turn that also knows the client's goals, steps and reminders."""

    def handle(self, event: Event) -> None:
        if isinstance(event, ReminderDue):
            if self.dialog.consented:
                self.handle_reminder(event)
            return
        if self.dialog.consented and self.state.missed:
            self.tell_missed()
        super().handle(event)

    def handle_command(self, name: CommandName) -> None:
        if name is CommandName.MY_PLAN:
            self.show(Screen.PLAN)
        else:
            super().handle_command(name)

    def draw(self, seq: int) -> Say | None:
        return plan_screens.current(self.screens, seq) or super().draw(seq)

    # --- helpers --------------------------------------------------------------------------

    def open_step(self, arg: str) -> Step | None:
        number = whole_number(arg)
        step = self.state.step(number) if number is not None else None
        return step if step is not None and step.status is StepStatus.OPEN else None

    def open_goal(self, arg: str) -> Goal | None:
        number = whole_number(arg)
        goal = self.state.goal(number) if number is not None else None
        return goal if goal is not None and goal.status is GoalStatus.OPEN else None

    def confirming(self, action: str, arg: str) -> bool:
        """Whether "are you sure?" was asked about exactly this (not just any confirm screen)."""
        return self.dialog.screen is Screen.CONFIRM and self.dialog.screen_arg == f"{action}/{arg}"

    def set_step(self, step: Step, status: StepStatus) -> None:
        changed = replace(
            step, status=status, done_at=self.now if status is StepStatus.DONE else None
        )
        steps = tuple(changed if s.number == step.number else s for s in self.state.steps)
        self.state = replace(self.state, steps=steps)
        self.outputs += [SetStepStatus(step.number, status), CancelReminders(step.number)]

    def set_goal(self, goal: Goal, status: GoalStatus) -> None:
        goals = tuple(replace(g, status=status) if g == goal else g for g in self.state.goals)
        self.state = replace(self.state, goals=goals)
        self.outputs.append(SetGoalStatus(goal.number, status))
        for step in self.state.steps:
            if step.goal == goal.number and step.status is StepStatus.OPEN:
                # Its open steps need no more reminders; they stay open in the history.
                self.outputs.append(CancelReminders(step.number))

    def step_done(self, step: Step) -> None:
        """Celebrate briefly and offer the next step for the same goal."""
        self.set_step(step, StepStatus.DONE)
        self.say(self.ui.step_celebrate.format(step=step.text))
        follow = self.content.flows.get(NEXT_STEP_FLOW)
        if self.open_goal(str(step.goal)) and follow is not None:
            self.start_flow(follow, {"goal": str(step.goal)})
        else:
            self.show(Screen.PLAN)

    def edit_step(self, step: Step, node_id: str) -> None:
        flow = self.content.record_flow(RecordKind.STEP)
        if flow is None or not flow.has_node(node_id) or node_id not in plan_screens.CHANGEABLE:
            self.notice(self.ui.stale_button)
            self.show_current()
            return
        self.edit_values(flow, flow.node(node_id), records.step_values(step))

    def after_edit(self, frame: Frame) -> None:
        number = frame.values.get("number", "")
        if self.content.flows[frame.flow].collects and self.state.step(whole_number(number) or 0):
            self.show(Screen.PLAN_STEP, number)
        else:
            super().after_edit(frame)

    # --- the plan screens -------------------------------------------------------------------

    def handle_action(self, action: str, arg: str) -> None:
        step, goal = self.open_step(arg), self.open_goal(arg)
        question, _, number = arg.partition("/")
        match action:
            case "plan":
                self.show(Screen.PLAN)
            case "newgoal" if (flow := self.content.command_flow(CommandName.PLAN)) is not None:
                self.update(paused=False)
                self.start_flow(flow)
            case "goal" if goal:
                self.show(Screen.PLAN_GOAL, arg)
            case "step" if step:
                self.show(Screen.PLAN_STEP, arg)
            case "schange" if step:
                self.show(Screen.PLAN_CHANGE, arg)
            case "field" if (chosen := self.open_step(question)) is not None:
                self.edit_step(chosen, number)
            case "sdone" if step:
                self.step_done(step)
            case "gstep" if goal and (flow := self.content.record_flow(RecordKind.STEP)):
                self.start_flow(flow, {"goal": arg})
            case "ghelp" if goal and (flow := self.content.flows.get(plan_screens.ASK_HELP_FLOW)):
                self.update(paused=False)
                self.start_flow(flow, {"goal": arg})
            case "ask" if (question == "sdrop" and self.open_step(number)) or (
                question in ("gdrop", "greach") and self.open_goal(number)
            ):
                self.show(Screen.CONFIRM, arg)
            case "sdrop" if step and self.confirming(action, arg):
                self.set_step(step, StepStatus.DROPPED)
                self.say(self.ui.step_dropped.format(number=step.number))
                self.show(Screen.PLAN)
            case "gdrop" | "greach" if goal and self.confirming(action, arg):
                reached = action == "greach"
                self.set_goal(goal, GoalStatus.REACHED if reached else GoalStatus.DROPPED)
                done_text = self.ui.goal_marked_reached if reached else self.ui.goal_dropped
                self.say(done_text.format(number=goal.number))
                self.show(Screen.PLAN)
            case "back_to" if question == "sdrop" and self.open_step(number):
                self.show(Screen.PLAN_STEP, number)
            case "back_to" if self.open_goal(number):
                self.show(Screen.PLAN_GOAL, number)
            case _:
                super().handle_action(action, arg)

    # --- reminders --------------------------------------------------------------------------

    def handle_reminder(self, event: ReminderDue) -> None:
        step = self.open_step(str(event.step))
        if step is None or self.open_goal(str(step.goal)) is None:
            self.outputs.append(ReminderSettled(event.reminder_id))
            return
        profile = self.state.profile
        allowed = records.deliverable(self.now, profile)
        if allowed != self.now:
            # Due in the quiet hours (sent late after a restart, for instance): wait for morning.
            later = ScheduleReminder(step.number, allowed, event.follow_up)
            self.outputs += [ReminderSettled(event.reminder_id), later]
            return
        self.outputs.append(ReminderShown(event.reminder_id))
        self.outputs.append(plan_screens.reminder(self.screens, step, follow_up=event.follow_up))
        if not event.follow_up:
            at = records.follow_up_at(self.now, profile)
            self.outputs.append(ScheduleReminder(step.number, at, follow_up=True))

    def handle_reminder_action(self, action: callbacks.ReminderAction) -> None:
        step = self.open_step(str(action.step))
        if step is None or self.open_goal(str(step.goal)) is None:
            # Done, dropped, or its goal was reached or stopped since the reminder came.
            self.notice(self.ui.step_closed)
            return
        reflection = self.content.command_flow(CommandName.SETBACK)
        match action.action:
            case "done":
                self.outputs.append(ReminderAnswered(step.number))
                self.update(paused=False)
                self.step_done(step)
            case "later":
                self.outputs.append(ReminderAnswered(step.number))
                self.update(paused=False)
                self.edit_step(step, "remind_at")
            case "failed" if reflection is not None:
                self.outputs.append(ReminderAnswered(step.number))
                self.update(paused=False)
                self.start_flow(reflection, {"goal": str(step.goal), "step": str(step.number)})
            case _:
                self.notice(self.ui.stale_button)

    def tell_missed(self) -> None:
        """Reminders that could not go out in time are mentioned, never silently dropped."""
        lines = [
            f"• {step.text}"
            for number in self.state.missed
            if (step := self.state.step(number)) is not None
        ]
        if lines:
            self.say(self.ui.reminders_missed.format(steps="\n".join(lines)))
        self.state = replace(self.state, missed=())
        self.outputs.append(MissedTold())
