from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import Clock
from tests.e2e.fake_bot_api import FakeBotAPI
from tests.e2e.harness import RunningBot, TelegramUser


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries after a network failure go at once: no test waits for real time."""
    monkeypatch.setattr("bot.telegram.NETWORK_BACKOFF", 0.0)


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
