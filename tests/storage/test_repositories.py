"""Repositories and migrations, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage import (
    AnswerRepository,
    ClientRepository,
    ConversationRepository,
    Identity,
)
from storage.migrate import alembic_config
from storage.models import Base
from tests.storage.rows import ALICE, add_answer


def test_migrations_create_exactly_the_models(database: DatabaseEngine) -> None:
    with database.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_migrations_go_down_and_up_again(database: DatabaseEngine) -> None:
    from alembic import command

    command.downgrade(alembic_config(database), "base")
    assert set(inspect(database).get_table_names()) == {"alembic_version"}
    command.upgrade(alembic_config(database), "head")
    assert {"clients", "conversations", "answers"} <= set(inspect(database).get_table_names())


def test_a_client_is_found_by_channel_and_id(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    with sessions.begin() as session:
        created = ClientRepository(session).create(
            ALICE, language="nl", timezone="Europe/Amsterdam", now=now
        )
    with sessions.begin() as session:
        clients = ClientRepository(session)
        assert clients.find(ALICE) == created
        assert clients.find(Identity("terminal", "1001")) is None


def test_one_client_per_identity(sessions: sessionmaker[Session], now: datetime) -> None:
    with sessions.begin() as session:
        ClientRepository(session).create(ALICE, language="nl", timezone="UTC", now=now)
    with pytest.raises(IntegrityError), sessions.begin() as session:
        ClientRepository(session).create(ALICE, language="en", timezone="UTC", now=now)


def test_answers_keep_every_version_with_its_date(
    sessions: sessionmaker[Session], now: datetime
) -> None:
    with sessions.begin() as session:
        client = ClientRepository(session).create(ALICE, language="nl", timezone="UTC", now=now)
        answers = AnswerRepository(session)
        add_answer(answers, client.id, "inventory.housing.wish", "Een huis", now)
        later = now + timedelta(days=30)
        add_answer(answers, client.id, "inventory.housing.wish", "Een huis met tuin", later)
        add_answer(answers, client.id, "inventory.priorities", None, later, ("money", "work"))
    with sessions.begin() as session:
        answers = AnswerRepository(session)
        current = answers.current(client.id)
        assert current["inventory.housing.wish"].text == "Een huis met tuin"
        assert current["inventory.priorities"].choices == ("money", "work")
        history = answers.history(client.id, "inventory.housing.wish")
        assert [(v.text, v.created_at, v.superseded_at) for v in history] == [
            ("Een huis", now, later),
            ("Een huis met tuin", later, None),
        ]


def test_text_is_stored_exactly(sessions: sessionmaker[Session], now: datetime) -> None:
    text = "👩‍👧 مرحبا <b>*_[]_*</b> \u200b" + "é" * 5000
    with sessions.begin() as session:
        client = ClientRepository(session).create(ALICE, language="nl", timezone="UTC", now=now)
        add_answer(AnswerRepository(session), client.id, "k", text, now)
    with sessions.begin() as session:
        assert AnswerRepository(session).current(client.id)["k"].text == text


def test_conversation_state_round_trips(sessions: sessionmaker[Session], now: datetime) -> None:
    state = {"language": "nl", "stack": [{"flow": "inventory", "node": "money.wish"}]}
    with sessions.begin() as session:
        client = ClientRepository(session).create(ALICE, language="nl", timezone="UTC", now=now)
        conversations = ConversationRepository(session)
        assert conversations.load(client.id) is None
        conversations.save(client.id, state, now)
    with sessions.begin() as session:
        conversations = ConversationRepository(session)
        assert conversations.load(client.id) == state
        conversations.save(client.id, {**state, "paused": True}, now)
    with sessions.begin() as session:
        assert ConversationRepository(session).load(client.id) == {**state, "paused": True}


def test_database_errors_never_show_what_was_written(
    database: DatabaseEngine, sessions: sessionmaker[Session], now: datetime
) -> None:
    """The parameters of a failed statement are what clients wrote: never in an error."""
    secret = "geheim-woord-van-de-client"
    with sessions.begin() as session:
        ClientRepository(session).create(
            Identity("telegram", secret), language="nl", timezone="UTC", now=now
        )
    with pytest.raises(IntegrityError) as raised, sessions.begin() as session:
        ClientRepository(session).create(
            Identity("telegram", secret), language="nl", timezone="UTC", now=now
        )
    # The statement's parameters are hidden (PostgreSQL's own detail may still quote a key:
    # the bot logs database errors without their message, see bot.telegram.log_failure).
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(raised.value)
    assert f"'{secret}'" not in str(raised.value)
