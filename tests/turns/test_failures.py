"""A unit of work while the database is away: tried again, and with someone to tell, waited
for as long as it takes, telling them once."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from turns.failures import DATABASE_RETRIES, unit_of_work


class Database:
    """Away for the first `away` tries, then back."""

    def __init__(self, away: int) -> None:
        self.away = away
        self.tries = 0

    def work(self, answer: str) -> str:
        self.tries += 1
        if self.tries <= self.away:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError())
        return answer


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("turns.failures.DATABASE_BACKOFF", 0.0)


async def test_a_database_away_for_long_is_waited_for_telling_the_person_once() -> None:
    database = Database(away=DATABASE_RETRIES + 20)
    told: list[str] = []

    async def waiting() -> None:
        told.append("ik antwoord zo")

    assert await unit_of_work(database.work, "klaar", waiting=waiting) == "klaar"
    assert told == ["ik antwoord zo"]
    assert database.tries == DATABASE_RETRIES + 21


async def test_briefly_away_nobody_is_told() -> None:
    database = Database(away=DATABASE_RETRIES)
    told: list[str] = []

    async def waiting() -> None:
        told.append("ik antwoord zo")

    assert await unit_of_work(database.work, "klaar", waiting=waiting) == "klaar"
    assert told == []


async def test_without_anyone_to_tell_the_failure_is_raised_after_a_few_tries() -> None:
    database = Database(away=DATABASE_RETRIES + 1)
    with pytest.raises(OperationalError):
        await unit_of_work(database.work, "klaar")
    assert database.tries == DATABASE_RETRIES + 1
