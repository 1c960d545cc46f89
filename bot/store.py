"""What one turn of the engine produced, written to the database in the turn's transaction:
answers, the plan, reflections, settings and reminder rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from dialogs.outputs import (
    CancelReminders,
    MissedTold,
    Output,
    ReminderAnswered,
    ReminderSettled,
    SaveAnswer,
    SaveGoal,
    SaveReflection,
    SaveStep,
    ScheduleReminder,
    SetGoalStatus,
    SetQuietHours,
    SetStepStatus,
)
from dialogs.state import Goal, GoalStatus, Step, StepStatus
from reminders import Changes
from storage import (
    AnswerRepository,
    ClientRepository,
    GoalRecord,
    PlanRepository,
    ReminderRepository,
    StepRecord,
)


class TurnStore:
    def __init__(self, session: Session, client_id: int, now: datetime) -> None:
        self.client_id = client_id
        self.now = now
        self.answers = AnswerRepository(session)
        self.plans = PlanRepository(session)
        self.reminders = ReminderRepository(session)
        self.clients = ClientRepository(session)

    @staticmethod
    def goal(record: GoalRecord) -> Goal:
        return Goal(
            record.number, record.text, record.domain, record.why, GoalStatus(record.status)
        )

    @staticmethod
    def step(record: StepRecord) -> Step:
        return Step(
            number=record.number,
            goal=record.goal,
            text=record.text,
            who=record.who,
            who_name=record.who_name,
            due=record.due,
            remind_at=record.remind_at,
            status=StepStatus(record.status),
            done_at=record.done_at,
        )

    def perform(self, outputs: Iterable[Output]) -> Changes:
        """Store every output that is data; returns the reminder rows made or cancelled."""
        changes = Changes()
        client, now = self.client_id, self.now
        for output in outputs:
            match output:
                case SaveAnswer():
                    self.answers.save(
                        client,
                        output.key,
                        status=output.status.value,
                        text=output.text,
                        choices=output.choices,
                        now=now,
                    )
                case SaveGoal(goal=goal):
                    self.plans.save_goal(
                        client,
                        goal.number,
                        text=goal.text,
                        domain=goal.domain,
                        why=goal.why,
                        now=now,
                    )
                case SaveStep(step=step):
                    self.plans.save_step(
                        client,
                        step.number,
                        goal=step.goal,
                        text=step.text,
                        who=step.who,
                        who_name=step.who_name,
                        due=step.due,
                        remind_at=step.remind_at,
                        now=now,
                    )
                case SetGoalStatus(number=number, status=status):
                    self.plans.set_goal_status(client, number, status.value, now)
                case SetStepStatus(number=number, status=status):
                    self.plans.set_step_status(client, number, status.value, now)
                case SaveReflection():
                    self.plans.save_reflection(
                        client,
                        output.number,
                        goal=output.goal,
                        step=output.step,
                        answers=output.answers,
                        now=now,
                    )
                case SetQuietHours(start=start, end=end):
                    self.clients.set_quiet_hours(client, start, end)
                case ScheduleReminder(step=step_number, due_at=due_at, follow_up=follow_up):
                    if follow_up:
                        cancelled = self.reminders.cancel_follow_ups(client, step_number)
                    else:
                        cancelled = self.reminders.cancel_for_step(client, step_number)
                    changes.cancelled += cancelled
                    kind = "follow_up" if follow_up else "step"
                    new_id = self.reminders.schedule(client, step_number, kind, due_at, now)
                    changes.scheduled.append((new_id, due_at))
                case CancelReminders(step=step_number):
                    changes.cancelled += self.reminders.cancel_for_step(client, step_number)
                case ReminderAnswered(step=step_number):
                    changes.cancelled += self.reminders.answered(client, step_number, now)
                case ReminderSettled(reminder_id=reminder_id):
                    self.reminders.settle(reminder_id, "cancelled")
                case MissedTold():
                    missed = self.reminders.missed_untold(client)
                    self.reminders.mark_told([r.id for r in missed], now)
        return changes
