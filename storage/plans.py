"""The client's action plan (goals and steps, with their history) and setback reflections.

Goals and steps are numbered per client ("doel 1", "stap 3"). The caller picks the number;
nothing here deletes a goal or a step, so a number, once used, stays taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Goal, PlanEventRow, Reflection, Step

GOAL_STATUSES = ("open", "reached", "dropped")
STEP_STATUSES = ("open", "done", "dropped")
STEP_WHO = ("me", "network", "counsellor")
EVENT_KINDS = ("created", "changed", "postponed", "done", "dropped", "reopened", "reached")

_GOAL_EVENT = {"open": "reopened", "reached": "reached", "dropped": "dropped"}
_STEP_EVENT = {"open": "reopened", "done": "done", "dropped": "dropped"}


@dataclass(frozen=True)
class GoalRecord:
    number: int
    text: str
    domain: str | None
    why: str | None
    status: str
    created_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class StepRecord:
    number: int
    goal: int
    text: str
    who: str
    who_name: str | None
    due: date | None
    remind_at: datetime | None
    status: str
    done_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PlanEvent:
    """One change: `detail` is {"field": {"from": old, "to": new}} for changed/postponed."""

    goal: int
    step: int | None
    kind: str
    detail: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class ReflectionRecord:
    number: int
    goal: int | None
    step: int | None
    answers: dict[str, str]
    created_at: datetime


class PlanRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def goals(self, client_id: int) -> list[GoalRecord]:
        rows = self.session.scalars(
            select(Goal).where(Goal.client_id == client_id).order_by(Goal.number)
        )
        return [_goal(row) for row in rows]

    def steps(self, client_id: int) -> list[StepRecord]:
        rows = self.session.execute(
            select(Step, Goal.number)
            .join(Goal, Step.goal_id == Goal.id)
            .where(Step.client_id == client_id)
            .order_by(Step.number)
        )
        return [_step(step, goal) for step, goal in rows]

    def save_goal(
        self,
        client_id: int,
        number: int,
        *,
        text: str,
        domain: str | None,
        why: str | None,
        now: datetime,
    ) -> None:
        """Add goal `number`, or change the fields that differ (recorded as 'changed')."""
        goal = self._goal_row(client_id, number)
        if goal is None:
            self.session.add(
                Goal(
                    client_id=client_id,
                    number=number,
                    text=text,
                    domain=domain,
                    why=why,
                    status="open",
                    created_at=now,
                    closed_at=None,
                )
            )
            self._event(client_id, number, None, "created", {}, now)
            return
        detail = _changes(goal, {"text": text, "domain": domain, "why": why})
        if detail:
            self._event(client_id, number, None, "changed", detail, now)

    def set_goal_status(self, client_id: int, number: int, status: str, now: datetime) -> None:
        """'reached' and 'dropped' close the goal, 'open' reopens it; the same status: nothing."""
        if status not in GOAL_STATUSES:
            raise ValueError(f"unknown goal status: {status!r}")
        goal = self._existing_goal(client_id, number)
        if goal.status == status:
            return
        goal.status = status
        goal.closed_at = None if status == "open" else now
        self._event(client_id, number, None, _GOAL_EVENT[status], {}, now)

    def save_step(
        self,
        client_id: int,
        number: int,
        *,
        goal: int,
        text: str,
        who: str,
        who_name: str | None,
        due: date | None,
        remind_at: datetime | None,
        now: datetime,
    ) -> None:
        """Add step `number`, or change the fields that differ.

        A change of `due` (and with it `remind_at`) is 'postponed', any other change 'changed'.
        """
        if who not in STEP_WHO:
            raise ValueError(f"unknown 'who' of a step: {who!r}")
        if remind_at is not None and remind_at.tzinfo is None:
            raise ValueError("naive remind_at: pass an aware time")
        goal_row = self._existing_goal(client_id, goal)
        step = self._step_row(client_id, number)
        if step is None:
            self.session.add(
                Step(
                    client_id=client_id,
                    number=number,
                    goal_id=goal_row.id,
                    text=text,
                    who=who,
                    who_name=who_name,
                    due=due,
                    remind_at=remind_at,
                    status="open",
                    done_at=None,
                    created_at=now,
                    updated_at=now,
                )
            )
            self._event(client_id, goal, number, "created", {}, now)
            return
        detail: dict[str, Any] = {}
        old_goal = self._goal_number(step.goal_id)
        if old_goal != goal:
            detail["goal"] = {"from": old_goal, "to": goal}
            step.goal_id = goal_row.id
        detail |= _changes(
            step,
            {
                "text": text,
                "who": who,
                "who_name": who_name,
                "due": due,
                "remind_at": remind_at,
            },
        )
        if detail:
            step.updated_at = now
            # Postponing moves the date, and the reminder with it.
            kind = (
                "postponed"
                if detail.keys() <= {"due", "remind_at"} and "due" in detail
                else "changed"
            )
            self._event(client_id, goal, number, kind, detail, now)

    def set_step_status(self, client_id: int, number: int, status: str, now: datetime) -> None:
        """'done' sets done_at; 'dropped' and 'open' clear it; the same status: nothing."""
        if status not in STEP_STATUSES:
            raise ValueError(f"unknown step status: {status!r}")
        step = self._step_row(client_id, number)
        if step is None:
            raise KeyError(f"client {client_id} has no step {number}")
        if step.status == status:
            return
        step.status = status
        step.done_at = now if status == "done" else None
        step.updated_at = now
        goal = self._goal_number(step.goal_id)
        self._event(client_id, goal, number, _STEP_EVENT[status], {}, now)

    def history(self, client_id: int) -> list[PlanEvent]:
        """Every change to the plan, oldest first."""
        rows = self.session.scalars(
            select(PlanEventRow)
            .where(PlanEventRow.client_id == client_id)
            .order_by(PlanEventRow.at, PlanEventRow.id)
        )
        return [
            PlanEvent(row.goal_number, row.step_number, row.kind, row.detail, row.at)
            for row in rows
        ]

    def save_reflection(
        self,
        client_id: int,
        number: int,
        *,
        goal: int | None,
        step: int | None,
        answers: Mapping[str, str],
        now: datetime,
    ) -> None:
        """Add reflection `number`, or replace its answers (and what it is about)."""
        row = self.session.scalars(
            select(Reflection).where(Reflection.client_id == client_id, Reflection.number == number)
        ).one_or_none()
        if row is None:
            self.session.add(
                Reflection(
                    client_id=client_id,
                    number=number,
                    goal_number=goal,
                    step_number=step,
                    answers=dict(answers),
                    created_at=now,
                    updated_at=now,
                )
            )
        else:
            row.goal_number = goal
            row.step_number = step
            row.answers = dict(answers)
            row.updated_at = now
        self.session.flush()

    def reflection_count(self, client_id: int) -> int:
        return (
            self.session.scalar(
                select(func.count())
                .select_from(Reflection)
                .where(Reflection.client_id == client_id)
            )
            or 0
        )

    def reflections(self, client_id: int) -> list[ReflectionRecord]:
        rows = self.session.scalars(
            select(Reflection).where(Reflection.client_id == client_id).order_by(Reflection.number)
        )
        return [
            ReflectionRecord(
                row.number, row.goal_number, row.step_number, dict(row.answers), row.created_at
            )
            for row in rows
        ]

    def _goal_row(self, client_id: int, number: int) -> Goal | None:
        return self.session.scalars(
            select(Goal).where(Goal.client_id == client_id, Goal.number == number)
        ).one_or_none()

    def _existing_goal(self, client_id: int, number: int) -> Goal:
        goal = self._goal_row(client_id, number)
        if goal is None:
            raise KeyError(f"client {client_id} has no goal {number}")
        return goal

    def _goal_number(self, goal_id: int) -> int:
        return self.session.execute(select(Goal.number).where(Goal.id == goal_id)).scalar_one()

    def _step_row(self, client_id: int, number: int) -> Step | None:
        return self.session.scalars(
            select(Step).where(Step.client_id == client_id, Step.number == number)
        ).one_or_none()

    def _event(
        self,
        client_id: int,
        goal: int,
        step: int | None,
        kind: str,
        detail: dict[str, Any],
        now: datetime,
    ) -> None:
        self.session.add(
            PlanEventRow(
                client_id=client_id,
                goal_number=goal,
                step_number=step,
                kind=kind,
                detail=detail,
                at=now,
            )
        )
        self.session.flush()


def _changes(row: Goal | Step, values: Mapping[str, Any]) -> dict[str, Any]:
    """Set the fields of `row` that differ; {"field": {"from": old, "to": new}} of each."""
    detail: dict[str, Any] = {}
    for field, new in values.items():
        old = getattr(row, field)
        if old != new:
            detail[field] = {"from": _plain(old), "to": _plain(new)}
            setattr(row, field, new)
    return detail


def _plain(value: Any) -> Any:
    """A value JSON can hold: dates and times as ISO strings (times in UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _goal(row: Goal) -> GoalRecord:
    return GoalRecord(
        row.number, row.text, row.domain, row.why, row.status, row.created_at, row.closed_at
    )


def _step(row: Step, goal: int) -> StepRecord:
    return StepRecord(
        row.number,
        goal,
        row.text,
        row.who,
        row.who_name,
        row.due,
        row.remind_at,
        row.status,
        row.done_at,
        row.created_at,
        row.updated_at,
    )
