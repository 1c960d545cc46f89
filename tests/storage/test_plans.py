"""The action plan (goals, steps, history), reflections and migration 0002, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy import delete, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from storage import (
    AnswerRepository,
    ClientRepository,
    ConversationRepository,
    GoalRecord,
    PlanEvent,
    PlanRepository,
    ReflectionRecord,
    ReminderRepository,
    StepRecord,
)
from storage.migrate import alembic_config
from storage.models import Client, Goal, PlanEventRow, Reflection, Reminder, Step
from tests.storage.rows import BOB, add_answer, add_goal, add_step, new_client


def test_goals_are_numbered_per_client(sessions: sessionmaker[Session], now: datetime) -> None:
    alice, bob = new_client(sessions, now), new_client(sessions, now, BOB)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        plans.save_goal(alice, 2, text="Werk", domain="work", why="Geld", now=now)
        plans.save_goal(alice, 1, text="Een huis", domain="housing", why=None, now=now)
        plans.save_goal(bob, 1, text="Rust", domain=None, why=None, now=now)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        assert plans.goals(alice) == [
            GoalRecord(1, "Een huis", "housing", None, "open", now, None),
            GoalRecord(2, "Werk", "work", "Geld", "open", now, None),
        ]
        assert [goal.text for goal in plans.goals(bob)] == ["Rust"]
        assert plans.history(alice) == [
            PlanEvent(2, None, "created", {}, now),
            PlanEvent(1, None, "created", {}, now),
        ]


def test_a_goal_change_records_what_changed(sessions: sessionmaker[Session], now: datetime) -> None:
    client = new_client(sessions, now)
    later = now + timedelta(days=1)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        plans.save_goal(client, 1, text="Een huis", domain="housing", why=None, now=now)
        plans.save_goal(client, 1, text="Een huis", domain="housing", why=None, now=later)
        plans.save_goal(
            client, 1, text="Een huis met tuin", domain="housing", why="Kids", now=later
        )
    with sessions.begin() as session:
        plans = PlanRepository(session)
        assert plans.goals(client) == [
            GoalRecord(1, "Een huis met tuin", "housing", "Kids", "open", now, None)
        ]
        assert plans.history(client) == [
            PlanEvent(1, None, "created", {}, now),
            PlanEvent(
                1,
                None,
                "changed",
                {
                    "text": {"from": "Een huis", "to": "Een huis met tuin"},
                    "why": {"from": None, "to": "Kids"},
                },
                later,
            ),
        ]


def test_goal_status_closes_and_reopens(sessions: sessionmaker[Session], now: datetime) -> None:
    client = new_client(sessions, now)
    t1, t2, t3 = (now + timedelta(hours=n) for n in (1, 2, 3))
    with sessions.begin() as session:
        plans = PlanRepository(session)
        add_goal(plans, client, 1, now)
        plans.set_goal_status(client, 1, "open", now)  # unchanged: no event
        plans.set_goal_status(client, 1, "reached", t1)
        assert (plans.goals(client)[0].status, plans.goals(client)[0].closed_at) == ("reached", t1)
        plans.set_goal_status(client, 1, "reached", t2)  # unchanged: closed_at stays
        assert plans.goals(client)[0].closed_at == t1
        plans.set_goal_status(client, 1, "open", t2)
        assert (plans.goals(client)[0].status, plans.goals(client)[0].closed_at) == ("open", None)
        plans.set_goal_status(client, 1, "dropped", t3)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        assert (plans.goals(client)[0].status, plans.goals(client)[0].closed_at) == ("dropped", t3)
        assert [(e.kind, e.at) for e in plans.history(client)] == [
            ("created", now),
            ("reached", t1),
            ("reopened", t2),
            ("dropped", t3),
        ]


def test_unknown_goals_steps_and_statuses_are_errors(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        with pytest.raises(KeyError):
            plans.set_goal_status(client, 1, "reached", now)
        with pytest.raises(KeyError):
            add_step(plans, client, 1, now, goal=1)
        with pytest.raises(KeyError):
            plans.set_step_status(client, 1, "done", now)
        add_goal(plans, client, 1, now)
        add_step(plans, client, 1, now)
        with pytest.raises(ValueError, match="goal status"):
            plans.set_goal_status(client, 1, "done", now)
        with pytest.raises(ValueError, match="step status"):
            plans.set_step_status(client, 1, "reached", now)
        with pytest.raises(ValueError, match="who"):
            add_step(plans, client, 2, now, text="x", who="mum")
        with pytest.raises(ValueError, match="naive"):
            add_step(plans, client, 2, now, text="x", remind_at=datetime(2026, 12, 1, 9, 0))
        assert [step.number for step in plans.steps(client)] == [1]


def test_steps_are_numbered_per_client_across_goals(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    alice, bob = new_client(sessions, now), new_client(sessions, now, BOB)
    remind = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        add_goal(plans, alice, 1, now)
        add_goal(plans, alice, 2, now)
        add_goal(plans, bob, 1, now)
        add_step(
            plans,
            alice,
            3,
            now,
            goal=2,
            text="Bel de woningcorporatie",
            who="network",
            who_name="Oom Kees",
            due=date(2026, 12, 1),
            remind_at=remind,
        )
        add_step(plans, alice, 1, now, goal=1)
        add_step(plans, alice, 2, now, goal=2)
        add_step(plans, bob, 1, now, goal=1)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        steps = plans.steps(alice)
        assert [(step.number, step.goal) for step in steps] == [(1, 1), (2, 2), (3, 2)]
        assert steps[2] == StepRecord(
            3,
            2,
            "Bel de woningcorporatie",
            "network",
            "Oom Kees",
            date(2026, 12, 1),
            remind,
            "open",
            None,
            now,
            now,
        )
        assert [step.number for step in plans.steps(bob)] == [1]
        assert [(e.goal, e.step, e.kind) for e in plans.history(alice)][2:] == [
            (2, 3, "created"),
            (1, 1, "created"),
            (2, 2, "created"),
        ]


def test_a_later_due_date_alone_is_a_postponement(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    later = now + timedelta(days=2)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        add_goal(plans, client, 1, now)
        add_step(plans, client, 1, now, text="Bellen", due=date(2026, 12, 1))
        add_step(plans, client, 1, later, text="Bellen", due=date(2026, 12, 8))
    with sessions.begin() as session:
        plans = PlanRepository(session)
        step = plans.steps(client)[0]
        assert (step.due, step.created_at, step.updated_at) == (date(2026, 12, 8), now, later)
        assert plans.history(client)[-1] == PlanEvent(
            1, 1, "postponed", {"due": {"from": "2026-12-01", "to": "2026-12-08"}}, later
        )


def test_other_step_changes_record_each_field(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    later = now + timedelta(days=1)
    amsterdam = ZoneInfo("Europe/Amsterdam")
    with sessions.begin() as session:
        plans = PlanRepository(session)
        add_goal(plans, client, 1, now)
        add_goal(plans, client, 2, now)
        add_step(plans, client, 1, now, goal=1)
        # The same values again: nothing happens, not even updated_at.
        add_step(plans, client, 1, later, goal=1)
        assert plans.steps(client)[0].updated_at == now
        add_step(
            plans,
            client,
            1,
            later,
            goal=2,
            who="counsellor",
            who_name="Sanne",
            due=date(2026, 12, 3),
            remind_at=datetime(2026, 12, 3, 9, 0, tzinfo=amsterdam),
        )
    with sessions.begin() as session:
        plans = PlanRepository(session)
        step = plans.steps(client)[0]
        # The moment is kept, in UTC, on both databases.
        assert step.remind_at == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
        assert step.remind_at.tzinfo == UTC
        assert (step.goal, step.who, step.who_name, step.updated_at) == (
            2,
            "counsellor",
            "Sanne",
            later,
        )
        assert plans.history(client)[-1] == PlanEvent(
            2,
            1,
            "changed",
            {
                "goal": {"from": 1, "to": 2},
                "who": {"from": "me", "to": "counsellor"},
                "who_name": {"from": None, "to": "Sanne"},
                "due": {"from": None, "to": "2026-12-03"},
                "remind_at": {"from": None, "to": "2026-12-03T08:00:00+00:00"},
            },
            later,
        )
        assert len(plans.history(client)) == 4


def test_a_due_date_moved_with_its_reminder_is_postponed(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    client = new_client(sessions, now)
    first = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        add_goal(plans, client, 1, now)
        add_step(plans, client, 1, now, text="Bellen", due=date(2026, 12, 1), remind_at=first)
        add_step(
            plans,
            client,
            1,
            now,
            text="Bellen",
            due=date(2026, 12, 2),
            remind_at=first + timedelta(days=1),
        )
        assert plans.history(client)[-1].kind == "postponed"
        assert plans.history(client)[-1].detail == {
            "due": {"from": "2026-12-01", "to": "2026-12-02"},
            "remind_at": {"from": "2026-12-01T08:00:00+00:00", "to": "2026-12-02T08:00:00+00:00"},
        }


def test_step_status_done_dropped_reopened(sessions: sessionmaker[Session], now: datetime) -> None:
    client = new_client(sessions, now)
    t1, t2, t3 = (now + timedelta(hours=n) for n in (1, 2, 3))
    with sessions.begin() as session:
        plans = PlanRepository(session)
        add_goal(plans, client, 1, now)
        add_step(plans, client, 1, now)
        plans.set_step_status(client, 1, "open", t1)  # unchanged: nothing
        assert plans.steps(client)[0].updated_at == now
        plans.set_step_status(client, 1, "done", t1)
        plans.set_step_status(client, 1, "done", t2)  # unchanged: done_at stays
        step = plans.steps(client)[0]
        assert (step.status, step.done_at, step.updated_at) == ("done", t1, t1)
        plans.set_step_status(client, 1, "open", t2)
        step = plans.steps(client)[0]
        assert (step.status, step.done_at, step.updated_at) == ("open", None, t2)
        plans.set_step_status(client, 1, "dropped", t3)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        step = plans.steps(client)[0]
        assert (step.status, step.done_at, step.updated_at) == ("dropped", None, t3)
        assert [(e.goal, e.step, e.kind, e.at) for e in plans.history(client)] == [
            (1, None, "created", now),
            (1, 1, "created", now),
            (1, 1, "done", t1),
            (1, 1, "reopened", t2),
            (1, 1, "dropped", t3),
        ]


def test_history_is_in_time_order(sessions: sessionmaker[Session], now: datetime) -> None:
    client = new_client(sessions, now)
    earlier = now - timedelta(days=1)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        add_goal(plans, client, 1, now)
        add_goal(plans, client, 2, earlier)  # recorded later, happened earlier
        add_goal(plans, client, 3, now)
    with sessions.begin() as session:
        history = PlanRepository(session).history(client)
        assert [(e.goal, e.at) for e in history] == [(2, earlier), (1, now), (3, now)]


def test_reflections_are_saved_and_replaced(sessions: sessionmaker[Session], now: datetime) -> None:
    alice, bob = new_client(sessions, now), new_client(sessions, now, BOB)
    later = now + timedelta(hours=1)
    with sessions.begin() as session:
        plans = PlanRepository(session)
        plans.save_reflection(alice, 2, goal=None, step=None, answers={"what": "Ziek"}, now=now)
        plans.save_reflection(
            alice, 1, goal=1, step=3, answers={"what": "Vergeten", "next": "Wekker"}, now=now
        )
        plans.save_reflection(bob, 1, goal=None, step=None, answers={}, now=now)
        plans.save_reflection(
            alice, 1, goal=1, step=4, answers={"what": "Vergeten 👀", "help": "Oom"}, now=later
        )
    with sessions.begin() as session:
        plans = PlanRepository(session)
        assert plans.reflections(alice) == [
            ReflectionRecord(1, 1, 4, {"what": "Vergeten 👀", "help": "Oom"}, now),
            ReflectionRecord(2, None, None, {"what": "Ziek"}, now),
        ]
        assert plans.reflections(bob) == [ReflectionRecord(1, None, None, {}, now)]
        assert (plans.reflection_count(alice), plans.reflection_count(bob)) == (2, 1)
        updated = session.scalars(select(Reflection.updated_at).where(Reflection.number == 1))
        assert sorted(updated) == [now, later]


def test_deleting_a_client_deletes_their_plan_and_reminders(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    alice, bob = new_client(sessions, now), new_client(sessions, now, BOB)
    with sessions.begin() as session:
        plans, reminders = PlanRepository(session), ReminderRepository(session)
        for client in (alice, bob):
            add_goal(plans, client, 1, now)
            add_step(plans, client, 1, now)
            plans.save_reflection(client, 1, goal=1, step=1, answers={"a": "b"}, now=now)
            reminders.schedule(client, 1, "step", now, now)
    with sessions.begin() as session:
        session.execute(delete(Client).where(Client.id == alice))
    with sessions.begin() as session:
        for model in (Goal, Step, PlanEventRow, Reflection, Reminder):
            owners = session.scalars(select(model.client_id)).all()
            assert len(owners) >= 1, model.__tablename__
            assert set(owners) == {bob}, model.__tablename__
        assert PlanRepository(session).goals(alice) == []


def test_migration_0002_goes_down_and_up_keeping_what_was_there(
    database: DatabaseEngine, sessions: sessionmaker[Session], now: datetime
) -> None:
    """Down to 0001 drops only what 0002 added: the clients and their answers stay."""
    client = new_client(sessions, now)
    with sessions.begin() as session:
        add_answer(AnswerRepository(session), client, "k", "Een huis", now)
        ConversationRepository(session).save(client, {"stack": []}, now)
        ClientRepository(session).set_quiet_hours(client, "22:00", "08:00")
        add_goal(PlanRepository(session), client, 1, now)

    command.downgrade(alembic_config(database), "0001")
    tables = set(inspect(database).get_table_names())
    assert tables == {"alembic_version", "clients", "conversations", "answers"}
    columns = {column["name"] for column in inspect(database).get_columns("clients")}
    assert not columns & {"quiet_start", "quiet_end", "unreachable_at"}
    with database.connect() as connection:
        for table in ("clients", "conversations", "answers"):
            count = connection.execute(
                select(func.count()).select_from(Client.metadata.tables[table])
            )
            assert count.scalar_one() == 1, table

    command.upgrade(alembic_config(database), "head")
    with sessions.begin() as session:
        record = ClientRepository(session).get(client)
        assert record is not None
        assert (record.quiet_start, record.quiet_end, record.unreachable_at) == (None, None, None)
        assert AnswerRepository(session).current(client)["k"].text == "Een huis"
        assert PlanRepository(session).goals(client) == []
