"""Telegram's flood limits (about 30 messages a second, one a second per chat), as token
buckets, for a fake that enforces them."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's flood limits, for a fake that enforces them (by default it does not).

    Telegram lets a bot send about 30 messages a second overall and about one a second in a
    chat, allowing short bursts; beyond that it answers ``429 Too Many Requests`` with
    ``parameters.retry_after`` (whole seconds). Modelled as token buckets: overall ``burst``
    messages at once (one second's worth unless given), refilled at ``per_second``; in each chat
    ``chat_burst`` at once, refilled at ``per_chat_per_second``. Sent messages count (the
    ``send*`` methods but ``sendChatAction``, ``copyMessage``, ``forwardMessage``); edits,
    callback answers and getUpdates do not. A refused message has no effect and uses nothing.
    """

    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    burst: float | None = None
    chat_burst: float = 3.0
    clock: Callable[[], float] = time.monotonic  # seconds; a test may pass its own


class _Bucket:
    """A token bucket: `capacity` tokens at most, `rate` new ones a second."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        """Seconds until a token is there (0: one is there now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class FloodGate:
    """Admits a message or says how long to wait: FloodLimits at work."""

    def __init__(self, limits: FloodLimits) -> None:
        self.limits = limits
        now = limits.clock()
        burst = limits.burst if limits.burst is not None else limits.per_second
        self.overall = _Bucket(limits.per_second, max(burst, 1.0), now)
        self.chats: dict[int | str, _Bucket] = {}

    def admit(self, chat_id: int | str) -> int | None:
        """None if the message may go (its tokens are taken), else retry_after in seconds."""
        now = self.limits.clock()
        chat = self.chats.get(chat_id)
        if chat is None:
            capacity = max(self.limits.chat_burst, 1.0)
            chat = self.chats[chat_id] = _Bucket(self.limits.per_chat_per_second, capacity, now)
        wait = max(self.overall.wait(now), chat.wait(now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self.overall.tokens -= 1
        chat.tokens -= 1
        return None


def counts_as_message(method: str) -> bool:
    """Whether a call of ``method`` sends a message: what flood limits count, and what a user
    who never started the bot refuses."""
    if method in ("copyMessage", "copyMessages", "forwardMessage", "forwardMessages"):
        return True
    return method.startswith("send") and method != "sendChatAction"
