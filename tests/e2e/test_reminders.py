"""A plan with a reminder, over HTTP against the fake Bot API, with a restart before it is due.

The reminder clock is moved by hand (`bot.clock.advance`, then `bot.run_reminders`), so no test
waits for real time; everything else is the real PTB Application and the real database.
"""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Reminder, Step
from tests.conftest import Clock
from tests.e2e.harness import RunningBot, TelegramUser


def reminder_rows(bot: RunningBot) -> list[tuple[str, str]]:
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        rows = session.execute(select(Reminder.kind, Reminder.status).order_by(Reminder.id))
        return [(kind, status) for kind, status in rows]


async def test_a_reminder_survives_a_restart_arrives_once_and_leads_into_the_reflection(
    bot: RunningBot, planner: TelegramUser, clock: Clock
) -> None:
    assert reminder_rows(bot) == [("step", "scheduled")]
    await bot.restart()  # the bot goes down and comes back before the reminder is due
    assert await bot.run_reminders() == 0
    clock.advance(minutes=29)
    assert await bot.run_reminders() == 0
    before = len(planner.messages)
    clock.advance(minutes=1)
    assert await bot.run_reminders() == 1
    reminder = planner.texts_since(before)
    assert reminder == [
        "⏰ Je wilde dit doen:\nWoningcorporatie bellen\n\n"
        "Voor je doel: Een eigen kamer\nHoe gaat het ermee?"
    ]
    assert reminder_rows(bot) == [("step", "sent"), ("follow_up", "scheduled")]
    await bot.restart()
    assert await bot.run_reminders() == 0  # sent once, also after another restart

    replies = await planner.press("Het lukte niet")
    assert "Het lukte niet. Dat is niet erg" in replies[0]
    assert replies[-1] == "Wat is er gebeurd?"
    assert reminder_rows(bot) == [("step", "answered"), ("follow_up", "cancelled")]
    await planner.send("Ik durfde niet te bellen")
    clock.advance(days=2)
    assert await bot.run_reminders() == 0  # the follow-up was not needed any more


async def test_no_answer_gets_one_gentle_follow_up_and_never_more(
    bot: RunningBot, planner: TelegramUser, clock: Clock
) -> None:
    clock.advance(minutes=30)
    await bot.run_reminders()
    before = len(planner.messages)
    clock.advance(days=1)
    assert await bot.run_reminders() == 1
    assert planner.texts_since(before)[0].startswith("Ik vroeg je gisteren naar deze stap:")
    clock.advance(days=7)
    assert await bot.run_reminders() == 0
    replies = await planner.press("Gedaan")
    assert replies[0].startswith("Goed gedaan! 🎉")
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        assert session.scalars(select(Step.status)).all() == ["done"]


async def test_a_client_who_blocked_the_bot_is_paused_then_resumed_when_back(
    bot: RunningBot, planner: TelegramUser, clock: Clock
) -> None:
    bot.fake.fail_next("sendMessage", error_code=403, description="Forbidden: bot was blocked")
    clock.advance(minutes=30)
    assert await bot.run_reminders() == 1
    # Paused, and no follow-up to a reminder that never arrived.
    assert reminder_rows(bot) == [("step", "paused"), ("follow_up", "cancelled")]
    clock.advance(days=1)
    assert await bot.run_reminders() == 0  # not retried on our own
    await planner.send("/mijnplan")  # she unblocked the bot and wrote again
    # A day late is past the grace period: the reminder is mentioned, not sent.
    assert reminder_rows(bot)[0] == ("step", "missed")
    replies = await planner.send("/menu")
    assert replies[0].startswith("Ik kon een herinnering niet op tijd sturen")
    assert "• Woningcorporatie bellen" in replies[0]
    replies = await planner.send("/menu")
    assert not replies[0].startswith("Ik kon een herinnering")  # told once


async def test_a_429_is_retried_after_the_delay_telegram_asks(
    bot: RunningBot, planner: TelegramUser, clock: Clock
) -> None:
    bot.fake.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests", retry_after=0
    )
    clock.advance(minutes=30)
    before = len(planner.messages)
    assert await bot.run_reminders() == 1
    assert planner.texts_since(before)[0].startswith("⏰ Je wilde dit doen:")
    assert reminder_rows(bot)[0] == ("step", "sent")
