"""The fake's optional flood limits: over them Telegram answers 429 with retry_after, and so
does the fake; without them (the default) nothing is ever throttled."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.e2e.fake_bot_api import FakeBotAPI, FloodLimits


class Seconds:
    """Time for the fake's buckets, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


@pytest_asyncio.fixture
async def limited(seconds: Seconds) -> AsyncIterator[FakeBotAPI]:
    limits = FloodLimits(per_second=3, per_chat_per_second=1, chat_burst=2, clock=seconds)
    async with FakeBotAPI(flood_limits=limits) as api:
        yield api


async def send(api: FakeBotAPI, chat_id: int, method: str = "sendMessage") -> httpx.Response:
    params: dict[str, Any] = {"chat_id": chat_id, "text": "Hallo"}
    if method == "sendChatAction":
        params = {"chat_id": chat_id, "action": "typing"}
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with httpx.AsyncClient(base_url=f"{api.base_url}/bot{api.token}/") as client:
        return await client.post(method, data=form)


async def test_over_the_overall_rate_a_message_gets_429_and_has_no_effect(
    limited: FakeBotAPI, seconds: Seconds
) -> None:
    for chat in (1, 2, 3):
        assert (await send(limited, chat)).status_code == 200
    refused = await send(limited, 4)
    assert refused.status_code == 429
    assert refused.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert limited.throttled == [("sendMessage", 4)]
    assert limited.sent_messages(4) == []
    seconds.now += 1 / 3  # one more message's worth
    assert (await send(limited, 4)).status_code == 200
    assert (await send(limited, 5)).status_code == 429


async def test_one_chat_gets_a_short_burst_then_one_a_second(
    limited: FakeBotAPI, seconds: Seconds
) -> None:
    assert [(await send(limited, 7)).status_code for _ in range(3)] == [200, 200, 429]
    seconds.now += 0.5
    assert (await send(limited, 7)).status_code == 429  # half a message's worth
    assert (await send(limited, 8)).status_code == 200  # another chat is not held up
    seconds.now += 0.5
    assert (await send(limited, 7)).status_code == 200
    assert len(limited.sent_messages(7)) == 3


async def test_chat_actions_do_not_count(limited: FakeBotAPI) -> None:
    for _ in range(5):
        assert (await send(limited, 9, "sendChatAction")).status_code == 200
    assert limited.throttled == []


async def test_without_limits_nothing_is_throttled() -> None:
    async with FakeBotAPI() as api:
        statuses = [(await send(api, 1)).status_code for _ in range(50)]
    assert set(statuses) == {200}
    assert api.throttled == []
