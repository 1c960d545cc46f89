"""Telegram's flood limits: a 429 holds back only its own chat, and only messages count."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.flood import ChatRateLimiter, counts_as_message


class Telegram:
    """Answers calls; the first call about a chat in `refuse` gets a 429."""

    def __init__(self, refuse: dict[int, int]) -> None:
        self.refuse = dict(refuse)  # chat -> retry_after
        self.done: list[int] = []

    async def call(self, chat: int) -> dict[str, Any]:
        if (wait := self.refuse.pop(chat, None)) is not None:
            raise RetryAfter(timedelta(seconds=wait))
        self.done.append(chat)
        return {"ok": True}


async def send(limiter: ChatRateLimiter, telegram: Telegram, chat: int) -> Any:
    return await limiter.process_request(
        telegram.call, (chat,), {}, "sendMessage", {"chat_id": chat}, None
    )


async def test_a_chat_held_back_waits_alone() -> None:
    slept: list[float] = []
    waiting, released = asyncio.Event(), asyncio.Event()

    async def held_sleep(seconds: float) -> None:
        slept.append(seconds)
        waiting.set()
        await released.wait()  # the held chat waits until the test lets it go on

    limiter = ChatRateLimiter(per_chat_per_second=0, sleep=held_sleep)
    telegram = Telegram({1: 6})
    held = asyncio.create_task(send(limiter, telegram, 1))
    await waiting.wait()  # chat 1 waits out its 429
    assert slept[0] == pytest.approx(6.1)
    await send(limiter, telegram, 2)  # another chat goes through at once
    await send(limiter, telegram, 3)
    assert telegram.done == [2, 3]
    released.set()
    await held
    assert telegram.done == [2, 3, 1]


async def test_a_429_that_keeps_coming_is_raised_after_the_retries() -> None:
    limiter = ChatRateLimiter(retries=0)
    with pytest.raises(RetryAfter):
        await send(limiter, Telegram({1: 1}), 1)


@pytest.mark.parametrize(
    ("endpoint", "counts"),
    [
        ("sendMessage", True),
        ("sendPhoto", True),
        ("editMessageText", True),
        ("answerCallbackQuery", False),
        ("deleteMessages", False),
        ("getUpdates", False),
    ],
)
def test_only_messages_count_against_the_limits(endpoint: str, counts: bool) -> None:
    assert counts_as_message(endpoint) is counts
