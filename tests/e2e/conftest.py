from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator

import pytest

from bot.flood import ChatRateLimiter
from bot.logs import QUIET_LOGGERS
from tests.conftest import Clock
from tests.e2e.fake_bot_api import FakeBotAPI
from tests.e2e.harness import RunningBot, TelegramUser
from tests.e2e.test_counsellors import ANNA, register


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries after a network failure go at once: no test waits for real time."""
    monkeypatch.setattr("bot.senders.NETWORK_BACKOFF", 0.0)


@pytest.fixture(autouse=True)
def no_chat_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A person in these tests answers faster than anyone types: Telegram's one message a
    second in a chat would make them wait in real time. The fake does not enforce it either,
    unless a test asks (those about pacing use the limiter as shipped)."""
    monkeypatch.setattr(
        "bot.telegram.ChatRateLimiter", functools.partial(ChatRateLimiter, per_chat_per_second=0)
    )


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake
    assert not fake.internal_errors


@pytest.fixture
async def bot(fake_api: FakeBotAPI, database_url: str, clock: Clock) -> AsyncIterator[RunningBot]:
    running = RunningBot(fake_api, database_url, clock)
    await running.start()
    yield running
    await running.stop()
    # Every call the bot made was one Telegram would accept.
    assert fake_api.rejected == []


@pytest.fixture
def ana(bot: RunningBot) -> TelegramUser:
    return bot.user(1001)


@pytest.fixture
async def planner(bot: RunningBot) -> TelegramUser:
    """Ana has consented and made a plan: one step with a reminder at 11:00 today."""
    ana = bot.user(1001)
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    await ana.send("Een eigen kamer")
    await ana.send("/plan")
    await ana.press("Een eigen kamer")  # her own wish from the inventory, offered back
    await ana.send("Dan heb ik rust")
    await ana.send("Woningcorporatie bellen")
    await ana.press("Ik zelf")
    await ana.send("maandag")
    replies = await ana.press("Ja, klopt")
    assert "herinnering" in replies[-1]
    replies = await ana.send("vandaag 11:00")  # the clock says 10:30 in Amsterdam
    assert replies[-1].startswith("Vrijdag 27 november om 11:00. Klopt dat?")
    replies = await ana.press("Ja, klopt")
    assert "Deze stap staat in je plan." in replies
    await ana.press("Nee, zo is het goed")
    return ana


@pytest.fixture
def logs_as_run(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog at DEBUG with the libraries as quiet as `python -m bot run` makes them."""
    for name, level in QUIET_LOGGERS.items():
        caplog.set_level(level, logger=name)
    # Last: set_level also sets the capturing handler's level, for every logger.
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def anna(bot: RunningBot) -> TelegramUser:
    """Anna, a counsellor in team Noord."""
    register(bot, ANNA, "Anna", "Noord")
    return bot.user(ANNA)
