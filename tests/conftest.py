"""Shared fixtures: content, a fixed clock, and migrated databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy.orm import Session, sessionmaker

from dialogs import Content, Engine, load_content
from storage import make_engine, make_session_factory, upgrade
from tests.postgres import own_schema, postgres_problem
from turns.conversation import Conversations

# The audit trail's pseudonym key in tests that build Conversations themselves.
AUDIT_KEY = b"a test key for the audit trail's pseudonyms"


@pytest.fixture(autouse=True)
def isolated_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the developer's .env or environment: each starts from the defaults."""
    from bot.settings import Settings

    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand: no test waits for real time."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock(now: datetime) -> Clock:
    return Clock(now)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database per test: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'krachtwerk.db'}"
        return
    problem = postgres_problem()
    if problem:
        pytest.skip(problem)
    with own_schema("test") as url:
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[DatabaseEngine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(database: DatabaseEngine) -> sessionmaker[Session]:
    return make_session_factory(database)


@pytest.fixture
def conversations(content: Content, database: DatabaseEngine) -> Conversations:
    return Conversations(
        Engine(content),
        make_session_factory(database),
        default_language="nl",
        default_timezone="Europe/Amsterdam",
        audit_key=AUDIT_KEY,
    )
