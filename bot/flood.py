"""Telegram's flood limits for every Bot API call the bot makes, with a 429 holding back only
the chat it was about.

Telegram allows a bot about 30 messages a second, 20 a minute in one group, and about one a
second in one chat with short bursts; beyond that it answers 429 with a `retry_after`. PTB's
own AIORateLimiter waits out a 429 by pausing every request of the bot, so one chat held back
would delay a crisis answer in another; this limiter holds back only that chat. The buckets
are aiolimiter's (what AIORateLimiter uses too).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]

RETRIES = 3  # a 429 is waited out this often before the call counts as failed
LIMITERS_KEPT = 1024  # idle chat buckets beyond this many are dropped


def counts_as_message(endpoint: str) -> bool:
    """Telegram's limits are about messages: sending and editing them. Answering a button,
    deleting, or asking for updates does not count."""
    return endpoint.startswith(("send", "edit", "copy", "forward"))


class ChatRateLimiter(BaseRateLimiter[int]):
    """Telegram's limits (0 lifts one: tests that are not about pacing)."""

    def __init__(
        self,
        *,
        per_second: float = 30,  # the whole bot
        per_group_per_minute: float = 20,
        per_chat_per_second: float = 1,  # a private chat, after a burst of `chat_burst`
        chat_burst: float = 3,
        retries: int = RETRIES,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.overall = AsyncLimiter(per_second, 1) if per_second else None
        self.per_group_per_minute = per_group_per_minute
        self.per_chat_per_second = per_chat_per_second
        self.chat_burst = chat_burst
        self.retries = retries
        self.sleep = sleep  # tests pass their own: none waits for real time
        self.chats: dict[int | str, AsyncLimiter] = {}
        self.held_until: dict[int | str, float] = {}  # chat -> loop time a 429 lets it go on

    async def initialize(self) -> None:
        """Nothing to set up: the buckets fill as chats appear."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def _bucket(self, chat: int | str) -> AsyncLimiter | None:
        if len(self.chats) > LIMITERS_KEPT:
            for key, limiter in list(self.chats.items()):
                if key != chat and limiter.has_capacity(limiter.max_rate):
                    del self.chats[key]
        bucket = self.chats.get(chat)
        if bucket is None:
            if isinstance(chat, str) or chat < 0:  # a group or a channel
                if not self.per_group_per_minute:
                    return None
                bucket = AsyncLimiter(self.per_group_per_minute, 60)
            else:
                if not self.per_chat_per_second:
                    return None
                bucket = AsyncLimiter(self.chat_burst, self.chat_burst / self.per_chat_per_second)
            self.chats[chat] = bucket
        return bucket

    async def _held(self, chat: int | str | None) -> None:
        """Wait while Telegram asked this chat to (a 429), and only this chat."""
        if chat is None:
            return
        until = self.held_until.get(chat)
        if until is not None:
            # A later 429 while waiting moves `until` on: the next try waits again.
            await self.sleep(max(0.0, until - asyncio.get_running_loop().time()))
            if self.held_until.get(chat, 0.0) <= asyncio.get_running_loop().time():
                self.held_until.pop(chat, None)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        chat: int | str | None = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat = int(chat)  # type: ignore[arg-type]
        limited = chat is not None and counts_as_message(endpoint)
        retries = self.retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            await self._held(chat)
            try:
                if not limited or chat is None:
                    return await callback(*args, **kwargs)
                async with _within(self._bucket(chat)), _within(self.overall):
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == retries or chat is None:
                    raise
                # Read as PTB's own AIORateLimiter reads it: `retry_after` warns until PTB 23.
                seconds = error._retry_after.total_seconds()
                log.info("chat %s held back by Telegram for %s s (%s)", chat, seconds, endpoint)
                loop = asyncio.get_running_loop()
                self.held_until[chat] = max(
                    self.held_until.get(chat, 0.0), loop.time() + seconds + 0.1
                )
        raise AssertionError("unreachable")


def _within(limiter: AsyncLimiter | None) -> contextlib.AbstractAsyncContextManager[Any]:
    return limiter if limiter is not None else contextlib.nullcontext()
