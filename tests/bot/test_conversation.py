"""The unit of work: what is stored, and when, for each event. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

import pytest
from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy import func, select, text
from sqlalchemy.event import listen, remove

from dialogs import Command, CommandName, Press, Say, Text
from storage import AnswerRepository, ClientRepository, Identity, make_session_factory
from storage.models import AnswerVersion, Base, Client, Conversation
from tests.conftest import Clock
from turns.conversation import Conversations

BOB = Identity("telegram", "2002")


def count(database: DatabaseEngine, model: type[Base]) -> int:
    with database.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model)) or 0


def buttons(turn_outputs: Sequence[object]) -> dict[str, str]:
    return {
        b.label: b.data
        for o in turn_outputs
        if isinstance(o, Say)
        for row in o.buttons
        for b in row
    }


def test_nothing_is_stored_before_consent(
    conversations: Conversations, database: DatabaseEngine, clock: Clock
) -> None:
    turn = conversations.handle(BOB, Command(CommandName.START), clock())
    conversations.handle(BOB, Text("mijn naam is Bob"), clock())
    conversations.handle(BOB, Press(buttons(turn.outputs)["Nee, liever niet"]), clock())
    assert turn.client_id is None
    assert count(database, Client) == count(database, Conversation) == 0


def test_the_telegram_language_greets_a_stranger(
    conversations: Conversations, clock: Clock
) -> None:
    assert conversations.handle(BOB, Text("hi"), clock(), language_hint="en-GB").language == "en"
    assert conversations.handle(BOB, Text("hi"), clock(), language_hint="ar").language == "nl"


def test_consent_stores_the_client_and_every_answer_is_committed(
    conversations: Conversations, database: DatabaseEngine, clock: Clock
) -> None:
    welcome = conversations.handle(BOB, Command(CommandName.START), clock(), language_hint="en")
    consent = conversations.handle(
        BOB, Press(buttons(welcome.outputs)["✅ Yes, that's fine"]), clock()
    )
    assert consent.client_id is not None
    assert consent.language == "en"
    clock.advance(minutes=1)
    conversations.handle(BOB, Text("A flat of my own"), clock())
    # A new session (as after a restart) sees the answer and the place in the flow.
    with make_session_factory(database).begin() as session:
        stored = AnswerRepository(session).current(consent.client_id)
        assert stored["inventory.housing.wish"].text == "A flat of my own"
        assert stored["inventory.housing.wish"].created_at == clock()
        raw = session.execute(text("select state from conversations")).scalar_one()
    assert "housing.current" in str(raw)


def test_an_unreadable_stored_state_restarts_the_dialog_but_keeps_answers(
    conversations: Conversations, database: DatabaseEngine, clock: Clock
) -> None:
    welcome = conversations.handle(BOB, Command(CommandName.START), clock())
    conversations.handle(BOB, Press(buttons(welcome.outputs)["✅ Ja, dat mag"]), clock())
    conversations.handle(BOB, Text("Een huis"), clock())
    with database.begin() as connection:
        connection.execute(text("update conversations set state = '{\"stack\": 5}'"))
    turn = conversations.handle(BOB, Command(CommandName.MENU), clock())
    assert any(isinstance(o, Say) and o.text.startswith("Menu") for o in turn.outputs)
    assert count(database, AnswerVersion) == 1


def test_a_failed_unit_of_work_stores_nothing(
    conversations: Conversations,
    database: DatabaseEngine,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    welcome = conversations.handle(BOB, Command(CommandName.START), clock())
    conversations.handle(BOB, Press(buttons(welcome.outputs)["✅ Ja, dat mag"]), clock())
    with monkeypatch.context() as patch:
        patch.setattr(conversations.engine, "step", _fail)
        with pytest.raises(RuntimeError):
            conversations.handle(BOB, Text("Een huis"), clock())
    assert count(database, AnswerVersion) == 0
    conversations.handle(BOB, Text("Een huis"), clock())
    assert count(database, AnswerVersion) == 1


def _fail(*_: object) -> object:
    raise RuntimeError("engine failure")


def test_two_updates_of_one_client_at_once_never_interleave(
    conversations: Conversations, now: datetime
) -> None:
    """Both answers land on consecutive questions, whichever runs first: never both on one."""
    ana = Identity("telegram", "7001")
    start = conversations.handle(ana, Text("hallo"), now)
    conversations.handle(ana, Press(buttons(start.outputs)["✅ Ja, dat mag"]), now)
    barrier = threading.Barrier(2)

    def answer(text: str) -> None:
        barrier.wait()
        conversations.handle(ana, Text(text), now)

    threads = [threading.Thread(target=answer, args=(text,)) for text in ("Eén", "Twee")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with conversations.sessions() as session:
        record = ClientRepository(session).find(ana)
        assert record is not None
        stored = AnswerRepository(session).current(record.id)
    assert sorted(a.text or "" for a in stored.values()) == ["Eén", "Twee"]
    assert set(stored) == {"inventory.housing.wish", "inventory.housing.current"}


def test_an_update_delivered_twice_has_no_second_effect(
    conversations: Conversations, now: datetime
) -> None:
    ana = Identity("telegram", "7002")
    start = conversations.handle(ana, Text("hallo"), now, update_id=1)
    conversations.handle(ana, Press(buttons(start.outputs)["✅ Ja, dat mag"]), now, update_id=2)
    first = conversations.handle(ana, Text("Een huis"), now, update_id=3)
    again = conversations.handle(ana, Text("Een huis"), now, update_id=3)
    assert first.outputs
    assert again.outputs == []
    with conversations.sessions() as session:
        record = ClientRepository(session).find(ana)
        assert record is not None
        assert [a.text for a in AnswerRepository(session).current(record.id).values()] == [
            "Een huis"
        ]


def test_a_button_of_an_inventory_question_reads_only_what_it_needs(
    conversations: Conversations, database: DatabaseEngine, clock: Clock
) -> None:
    """The most frequent press loads the dialog, the answers and the profile, not the plan,
    the links, the resources or a team's proposals; a command loads everything."""
    welcome = conversations.handle(BOB, Command(CommandName.START), clock())
    first = conversations.handle(BOB, Press(buttons(welcome.outputs)["✅ Ja, dat mag"]), clock())
    read: list[str] = []

    def tables(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            read.append(statement)

    listen(database, "before_cursor_execute", tables)
    try:
        answered = conversations.handle(
            BOB, Press(buttons(first.outputs)["🤷 Weet ik niet"]), clock()
        )
        on_press = [s for s in read if any(t in s for t in ("goals", "links", "resources"))]
        read.clear()
        conversations.handle(BOB, Command(CommandName.MY_PLAN), clock())
        on_command = [s for s in read if any(t in s for t in ("goals", "links", "resources"))]
    finally:
        remove(database, "before_cursor_execute", tables)
    assert any(isinstance(o, Say) for o in answered.outputs)  # the next question came
    assert on_press == []
    assert len(on_command) >= 3
