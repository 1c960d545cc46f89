"""The client's data rights over HTTP: everything as files, a quick hide, and erasure that
leaves nothing in any table, no timer behind, and the counsellor only knowing they left."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.engine import make_url

from storage import ClientRepository, Identity
from storage.models import ChatMessage, Reminder
from storage.outbox import OutboxRepository
from tests.conftest import Clock
from tests.e2e.harness import RunningBot, TelegramUser
from tests.e2e.test_counsellors import planning_client
from tests.storage.test_mydata import rows_about


async def nothing() -> None:
    """A wake-up that does nothing: the test only looks whether it is cancelled."""


async def test_my_data_comes_as_json_and_a_readable_pdf(bot: RunningBot, ana: TelegramUser) -> None:
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    await ana.send("Een eigen huis")
    await ana.send("Een eigen huis met tuin", edited=False)
    before = len(bot.fake.calls)
    replies = await ana.send("/mijngegevens")
    assert "alles wat ik van je bewaar" in replies[0]
    documents = [
        c.params["document"] for c in bot.fake.calls[before:] if c.method == "sendDocument"
    ]
    assert [d.filename for d in documents] == [
        "krachtwerk-mijn-gegevens.json",
        "krachtwerk-mijn-gegevens.pdf",
    ]
    data = json.loads(documents[0].data)
    assert [a["text"] for a in data["answers"]] == ["Een eigen huis", "Een eigen huis met tuin"]
    assert data["client"]["external_id"] == str(ana.user_id)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(documents[1].data)).pages)
    assert "Een eigen huis met tuin" in text


async def test_hide_takes_the_recent_messages_out_of_the_chat(
    bot: RunningBot, ana: TelegramUser
) -> None:
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    await ana.send("Een eigen huis")
    assert len(ana.messages) >= 3
    replies = await ana.send("/wissen")
    assert replies == []
    assert ana.messages == []  # the bot's messages are gone
    deleted = [c for c in bot.fake.calls if c.method == "deleteMessages"]
    assert len(deleted) == 1
    assert len(deleted[0].params["message_ids"]) >= 5  # the bot's and the client's
    # The conversation goes on: the next message shows the open question again.
    replies = await ana.send("/start")
    assert "Hoe woon je nu?" in replies[-1] or "verder" in replies[-1].lower()


async def test_forget_me_erases_everything_and_the_counsellor_sees_only_that(
    bot: RunningBot,
) -> None:
    anna, jan = await planning_client(bot)
    await jan.send("maandag")
    await jan.press("Ja, klopt")
    await jan.send("maandag 10:00")
    await jan.press("Ja, klopt")
    await jan.press("Nee, zo is het goed")
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        jobs = {f"reminder-{id_}" for id_ in session.scalars(select(Reminder.id))}
    assert len(jobs) == 1
    bot.wakeups.wake_at(datetime.now(UTC), next(iter(jobs)), nothing)  # as if on the clock

    replies = await jan.send("/vergeetmij")
    assert "Weet je zeker" in replies[-1]
    replies = await jan.press("Ja, wis alles")
    assert "Alles is gewist" in replies[-1]
    assert anna.last_text == (
        "Jan is gestopt met de bot en heeft alle gegevens laten wissen. De koppeling is beëindigd."
    )
    assert not jobs & set(bot.wakeups.timers)
    with bot.runtime.conversations.sessions() as session:
        assert ClientRepository(session).find(Identity("telegram", str(jan.user_id))) is None
        assert rows_about(session, 1, {f"telegram:{jan.user_id}"}) == {}
    replies = await anna.send("/clienten")
    assert "nog geen gekoppelde" in replies[-1]
    replies = await jan.send("hallo")
    assert "Mag ik je antwoorden bewaren?" in replies[-1]


def kept_ids(bot: RunningBot, user: TelegramUser) -> set[int]:
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        client = ClientRepository(session).find(Identity("telegram", str(user.user_id)))
        assert client is not None
        typed = session.scalars(
            select(ChatMessage.message_id).where(ChatMessage.client_id == client.id)
        )
        sent = OutboxRepository(session).sent_ids(client.id, datetime.min.replace(tzinfo=UTC))
        return {*typed, *sent}


async def test_hide_also_takes_replies_kept_over_a_restart_and_the_reminders(
    bot: RunningBot, planner: TelegramUser, clock: Clock
) -> None:
    shown = {message["message_id"] for message in planner.messages}
    await bot.restart()
    assert shown <= kept_ids(bot, planner)
    clock.advance(minutes=30)
    assert await bot.run_reminders() == 1
    reminder = planner.messages[-1]["message_id"]
    assert reminder in kept_ids(bot, planner)  # with the outbox row it was sent from

    assert await planner.send("/wissen") == []
    assert planner.messages == []


async def test_a_reply_id_is_kept_once_it_is_sent(bot: RunningBot, ana: TelegramUser) -> None:
    await ana.send("/start")
    welcome = ana.messages[-1]["message_id"]
    await ana.press("Ja, dat mag")
    question = ana.messages[-1]["message_id"]
    assert welcome in kept_ids(bot, ana)  # known by its consent button
    assert question in kept_ids(bot, ana)  # with the outbox row it was sent from


def database_bytes(database_url: str) -> bytes:
    """Everything SQLite keeps on disk for this database: the file, its log and its index."""
    path = Path(make_url(database_url).database or "")
    companions = (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
    return b"".join(p.read_bytes() for p in companions if p.exists())


async def test_erased_words_cannot_be_read_back_from_the_database_files(
    bot: RunningBot, ana: TelegramUser, database_url: str
) -> None:
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL keeps deleted rows until VACUUM: see the README on erasure")
    words = ("Zonnebloemveld achter het station", "Mijn buurvrouw Wilhelmina")
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    for answer in words:
        await ana.send(answer)
    await ana.send(f"{words[0]} met een tuin")  # a second version of the first answer
    for answer in words:  # the control: the search finds them while they are kept
        assert answer.encode() in database_bytes(database_url), answer
    await ana.send("/vergeetmij")
    replies = await ana.press("Ja, wis alles")
    assert "Alles is gewist" in replies[-1]
    kept = database_bytes(database_url)
    for answer in words:
        assert answer.encode() not in kept, answer
        assert answer.encode("utf-16-le") not in kept, answer
