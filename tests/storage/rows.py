"""What the storage tests start from, written through the repositories as the bot writes it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from storage import AnswerRepository, ClientRepository, Identity, PlanRepository

ALICE = Identity("telegram", "1001")
BOB = Identity("telegram", "1002")


def new_client(sessions: sessionmaker[Session], now: datetime, who: Identity = ALICE) -> int:
    with sessions.begin() as session:
        return ClientRepository(session).create(who, language="nl", timezone="UTC", now=now).id


def add_answer(
    answers: AnswerRepository,
    client_id: int,
    key: str,
    text: str | None,
    now: datetime,
    choices: tuple[str, ...] = (),
) -> None:
    answers.save(client_id, key, status="answered", text=text, choices=choices, now=now)


def add_goal(plans: PlanRepository, client_id: int, number: int, now: datetime) -> None:
    plans.save_goal(client_id, number, text=f"Doel {number}", domain=None, why=None, now=now)


def add_step(
    plans: PlanRepository,
    client_id: int,
    number: int,
    now: datetime,
    *,
    goal: int = 1,
    text: str | None = None,
    who: str = "me",
    who_name: str | None = None,
    due: date | None = None,
    remind_at: datetime | None = None,
) -> None:
    """A step of the client's own, "Stap <number>", unless the test says otherwise."""
    plans.save_step(
        client_id,
        number,
        goal=goal,
        text=f"Stap {number}" if text is None else text,
        who=who,
        who_name=who_name,
        due=due,
        remind_at=remind_at,
        now=now,
    )
