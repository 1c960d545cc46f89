"""Reminders in conversation: one comes due, its buttons are pressed (often hours later), and
reminders that could not go out in time are mentioned. Read before any feature: a reminder's
buttons stay valid while its step is open, whatever the client did since."""

from __future__ import annotations

from dataclasses import replace

from dialogs.engine import callbacks, records
from dialogs.engine.events import CommandName, Event, Press, ReminderDue
from dialogs.engine.outputs import (
    MissedTold,
    ReminderAnswered,
    ReminderSettled,
    ReminderShown,
    ScheduleReminder,
)
from dialogs.engine.turn import Turn
from dialogs.plan import screens
from dialogs.plan.feature import edit_step, open_goal, open_step, step_done


def intercept(turn: Turn, event: Event) -> bool:
    """A reminder due or answered; whether it was one. Before consent there are none."""
    if not turn.dialog.consented:
        return isinstance(event, ReminderDue)
    if isinstance(event, ReminderDue):
        _due(turn, event)
        return True
    if turn.state.missed:
        _tell_missed(turn)
    parsed = callbacks.parse(event.data) if isinstance(event, Press) else None
    if isinstance(parsed, callbacks.ReminderAction):
        _answer(turn, parsed)
        return True
    return False


def _due(turn: Turn, event: ReminderDue) -> None:
    step = open_step(turn, str(event.step))
    if step is None or open_goal(turn, str(step.goal)) is None:
        turn.outputs.append(ReminderSettled(event.reminder_id))
        return
    profile = turn.state.profile
    allowed = records.deliverable(turn.now, profile)
    if allowed != turn.now:
        # Due in the quiet hours (sent late after a restart, for instance): wait for morning.
        later = ScheduleReminder(step.number, allowed, event.follow_up)
        turn.outputs += [ReminderSettled(event.reminder_id), later]
        return
    turn.outputs.append(ReminderShown(event.reminder_id))
    turn.outputs.append(screens.reminder(turn.screens, step, follow_up=event.follow_up))
    if not event.follow_up:
        at = records.follow_up_at(turn.now, profile, turn.content.times.follow_up_after)
        turn.outputs.append(ScheduleReminder(step.number, at, follow_up=True))


def _answer(turn: Turn, action: callbacks.ReminderAction) -> None:
    step = open_step(turn, str(action.step))
    if step is None or open_goal(turn, str(step.goal)) is None:
        # Done, dropped, or its goal was reached or stopped since the reminder came.
        turn.notice(turn.ui.step_closed)
        return
    reflection = turn.content.command_flow(CommandName.SETBACK)
    match action.action:
        case "done":
            turn.outputs.append(ReminderAnswered(step.number))
            turn.update(paused=False)
            step_done(turn, step)
        case "later":
            turn.outputs.append(ReminderAnswered(step.number))
            turn.update(paused=False)
            edit_step(turn, step, "remind_at")
        case "failed" if reflection is not None:
            turn.outputs.append(ReminderAnswered(step.number))
            turn.update(paused=False)
            turn.start_flow(reflection, {"goal": str(step.goal), "step": str(step.number)})
        case _:
            turn.notice(turn.ui.stale_button)


def _tell_missed(turn: Turn) -> None:
    """Reminders that could not go out in time are mentioned, never silently dropped."""
    lines = [
        f"• {step.text}"
        for number in turn.state.missed
        if (step := turn.state.step(number)) is not None
    ]
    if lines:
        turn.say(turn.ui.reminders_missed.format(steps="\n".join(lines)))
    turn.state = replace(turn.state, missed=())
    turn.outputs.append(MissedTold())
