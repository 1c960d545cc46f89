"""Every reply goes through the outbox: a chat Telegram holds back never delays another chat's
crisis answer, a counsellor who cannot be reached is not pretended to be told, and what a
failed send left behind goes out later, in order."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from storage.models import CounsellorMessage, Outgoing
from tests.conftest import Clock
from tests.e2e.harness import RunningBot, TelegramUser
from tests.e2e.test_counsellors import ANNA, planning_client

CRISIS = "0800-0113"


def outbox(bot: RunningBot) -> list[tuple[str, str, str]]:
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        rows = session.execute(select(Outgoing.chat, Outgoing.kind, Outgoing.status))
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_chat_held_back_by_telegram_does_not_delay_a_crisis_elsewhere(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.outbox.STOP_GRACE", 0.0)  # the held chat waits for the next start
    held, other = bot.user(1001), bot.user(1002)
    bot.fake.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 30",
        retry_after=30,
        chat_id=held.user_id,
    )
    bot.fake.push_update(bot.fake.message_update(user_id=held.user_id, text="/start"))
    await bot.fake.wait_until(lambda: bool(bot.fake.injected))  # Telegram said: wait 30 s
    bot.fake.push_update(bot.fake.message_update(user_id=other.user_id, text="ik wil dood"))
    await bot.fake.wait_until(lambda: any(CRISIS in t for t in other.texts_since(0)), within=1.0)
    assert held.messages == []  # still held back: the crisis did not wait for it


async def test_a_counsellor_who_cannot_be_reached_is_not_pretended_to_be_told(
    bot: RunningBot, clock: Clock
) -> None:
    anna, jan = await planning_client(bot)
    replies = await jan.send("ik wil dood")
    crisis = next(m for m in jan.messages if CRISIS in m.get("text", ""))
    bot.fake.not_started.add(ANNA)  # Anna blocked the bot, or her phone is away
    before = len(anna.messages)
    replies = await jan.press("Laat Anna weten", on=crisis)
    assert "Ik heb Anna laten weten" in replies[0]
    # The truth follows at once: Anna could not be reached, and the help numbers again.
    assert "Het lukte me nu niet om Anna te bereiken" in replies[-1]
    assert CRISIS in replies[-1]
    assert anna.texts_since(before) == []
    assert (str(ANNA), "alert", "pending") in outbox(bot)  # tried again later
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        kept = session.execute(select(CounsellorMessage.kind, CounsellorMessage.delivered_at))
        assert list(kept) == [("crisis", None)]  # on her desk meanwhile

    bot.fake.not_started.discard(ANNA)  # she can be reached again
    clock.advance(minutes=1)
    await bot.run_reminders()  # the outbox's sweep is due
    assert anna.texts_since(before) == [
        "⚠️ Jan gaf in de bot aan dat het niet goed gaat en wil dat je dat weet. "
        "Neem contact op als je kunt."
    ]
    with bot.runtime.conversations.sessions() as session:
        delivered = session.scalar(select(CounsellorMessage.delivered_at))
        assert delivered is not None
    told = [t for t in jan.texts_since(0) if "Het lukte me nu niet" in t]
    assert len(told) == 1  # told once, not at every try


async def test_a_failed_send_goes_out_later_with_what_came_after_it_in_order(
    bot: RunningBot, ana: TelegramUser, clock: Clock
) -> None:
    twin = bot.user(1002)  # the same answers, with nothing failing: what Ana should see
    expected = []
    for person in (twin, ana):
        await person.send("/start")
        await person.press("Ja, dat mag")
    for answer in ("Een eigen kamer", "Het gaat wel"):
        expected += await twin.send(answer)
    for _ in range(4):  # the network, every try of this turn
        bot.fake.fail_next(
            "sendMessage", error_code=502, description="Bad Gateway", chat_id=ana.user_id
        )
    before = len(ana.messages)
    assert await ana.send("Een eigen kamer") == []
    assert await ana.send("Het gaat wel") == []  # waits behind the first answer's reply
    assert [row[2] for row in outbox(bot) if row[1] == "message"][-2:] == ["pending"] * 2
    clock.advance(minutes=1)
    await bot.run_reminders()  # the outbox's sweep is due
    assert ana.texts_since(before) == expected  # all of it, in the order it was decided


async def test_a_chat_waiting_for_its_database_row_does_not_hold_up_another(
    bot: RunningBot, database_url: str
) -> None:
    ana, bo = bot.user(1001), bot.user(1002)
    for person in (ana, bo):
        await person.send("/start")
        await person.press("Ja, dat mag")
    before_ana, before_bo = len(ana.messages), len(bo.messages)
    assert bot.runtime is not None
    postgres = make_url(database_url).get_backend_name() == "postgresql"
    polling = bot.fake.hold("getUpdates")  # the next poll waits: both messages in one batch
    await bot.user(1003).send("/start")  # ends the poll in progress; the next one is held
    await polling.arrived()
    bot.fake.push_update(bot.fake.message_update(user_id=ana.user_id, text="Een eigen kamer"))
    bot.fake.push_update(bot.fake.message_update(user_id=bo.user_id, text="ik wil dood"))
    with bot.runtime.database.connect() as connection, connection.begin():
        # Another process is in the middle of Ana's turn: her row is locked (on SQLite, the
        # one writer is busy: every unit of work waits its turn).
        if postgres:
            connection.execute(
                text(
                    "SELECT 1 FROM conversations WHERE client_id = "
                    "(SELECT id FROM clients WHERE external_id = '1001') FOR UPDATE"
                )
            )
        polling.release()
        if postgres:
            await bot.fake.wait_until(
                lambda: any(CRISIS in t for t in bo.texts_since(before_bo)), within=5.0
            )
            assert ana.texts_since(before_ana) == []  # still waiting for her row
    await bot.fake.wait_until(
        lambda: (
            len(ana.texts_since(before_ana)) == 1
            and any(CRISIS in t for t in bo.texts_since(before_bo))
        ),
        within=10.0,
    )
    assert "Hoe woon je nu?" in ana.texts_since(before_ana)[0]
