"""Telegram failing on any call: retried with backoff (5xx, timeouts), 403 pauses the client,
400s that mean "already so" or "gone" are handled; the answer given is never lost."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Client
from tests.e2e.harness import RunningBot, TelegramUser


async def consented(ana: TelegramUser) -> None:
    await ana.send("/start")
    await ana.press("Ja, dat mag")


async def test_server_errors_on_any_call_are_retried(bot: RunningBot, ana: TelegramUser) -> None:
    await consented(ana)
    for method in ("sendMessage", "answerCallbackQuery", "editMessageText", "sendDocument"):
        bot.fake.fail_next(method, error_code=502, description="Bad Gateway", times=2)
    replies = await ana.send("Een eigen huis")
    assert "Hoe woon je nu?" in replies[-1]
    await ana.send("/rusttijd")
    await ana.press("23:00 tot 7:00")  # a press: answerCallbackQuery, retried
    answers = bot.fake.callback_answers()
    assert answers, "the press was acknowledged in the end"
    before = len(bot.fake.calls)
    await ana.send("/mijngegevens")
    sent = [c for c in bot.fake.calls[before:] if c.method == "sendDocument"]
    assert len(sent) == 2


async def test_an_edit_of_a_deleted_message_sends_it_anew(
    bot: RunningBot, ana: TelegramUser
) -> None:
    await consented(ana)
    while not any("Wonen" in label for label in ana.labels()):
        await ana.press("Overslaan")  # on to the priorities: a multiple choice, edited on a press
    bot.fake.fail_next(
        "editMessageText", error_code=400, description="Bad Request: message to edit not found"
    )
    before = len(ana.messages)
    await ana.press("Wonen")
    assert len(ana.messages) == before + 1  # sent anew instead of edited
    assert "✅" in " ".join(ana.labels())


async def test_a_client_who_blocked_the_bot_is_paused(bot: RunningBot, ana: TelegramUser) -> None:
    await consented(ana)
    bot.fake.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
    )
    await ana.send("Een eigen huis")
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        assert session.scalar(select(Client.unreachable_at)) is not None
    replies = await ana.send("Goed")  # they unblocked and wrote: reachable again, nothing lost
    assert "Was er een tijd" in replies[-1]
    with bot.runtime.conversations.sessions() as session:
        assert session.scalar(select(Client.unreachable_at)) is None
