"""The simulated clients of the throughput benchmark: people walking the strengths inventory
(/start, the consent button, typed answers) through the fake Bot API, and when the bot
answered each of their updates.

An update counts as handed to the bot when a getUpdates answer contains it, and as answered at
the first sendMessage or editMessageText in its chat after that, both as the fake sees them on
the monotonic clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

from bench.bot_process import CONSENT, BotProcess
from tests.e2e.fake_bot_api import ApiCall, FakeBotAPI

FIRST_USER_ID = 7_000_001
REPLIES = frozenset({"sendMessage", "editMessageText"})
STALL_SECONDS = 60.0  # no reply for this long: the run is broken, not slow


@dataclass
class _Client:
    user_id: int
    sent: int = 0  # updates sent so far
    waiting: int | None = None  # the update_id whose reply is awaited
    consent: dict[str, Any] | None = None  # the message with the consent button, and its data
    consent_data: str = ""


class Clients:
    """Simulated people, each walking /start, consent, `answers` typed answers. Each sends its
    next update as soon as the bot answered the one before; with `rate`, the updates of those
    ready go out at that many a second, first come first served. Watches the fake's calls."""

    def __init__(
        self, fake: FakeBotAPI, count: int, answers: int, rate: float | None = None
    ) -> None:
        self.fake = fake
        self.steps = 2 + answers
        self.rate = rate
        self.clients = {
            user_id: _Client(user_id) for user_id in range(FIRST_USER_ID, FIRST_USER_ID + count)
        }
        self.ready: deque[_Client] = deque()  # paced: waiting for their turn to send
        self.handed: dict[int, float] = {}
        self.replied: dict[int, float] = {}
        self.calls: Counter[str] = Counter()
        self.walking = count
        self.done = asyncio.Event()
        self._pacer: asyncio.Task[None] | None = None
        fake.observe(self._observe)

    def start(self) -> None:
        for client in self.clients.values():
            self._next(client)
        if self.rate is not None:
            self._pacer = asyncio.create_task(self._pace(self.rate))

    @property
    def progress(self) -> int:
        return len(self.replied)

    async def until_done(self, bot: BotProcess) -> None:
        """Until every client walked to the end; raises when the bot process dies or nothing
        is answered for `STALL_SECONDS`."""
        loop = asyncio.get_running_loop()
        seen, since = -1, loop.time()
        while not self.done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.done.wait(), 1.0)
            bot.check_alive()
            if self.progress != seen:
                seen, since = self.progress, loop.time()
            elif loop.time() - since > STALL_SECONDS:
                raise TimeoutError(
                    f"no reply for {STALL_SECONDS:.0f} s ({seen} updates answered, "
                    f"{self.walking} clients still walking)"
                )

    def _next(self, client: _Client) -> None:
        if client.sent == self.steps:
            self.walking -= 1
            if self.walking == 0:
                self.done.set()
                if self._pacer is not None:
                    self._pacer.cancel()
        elif self.rate is None:
            self._send(client)
        else:
            self.ready.append(client)

    async def _pace(self, rate: float) -> None:
        loop = asyncio.get_running_loop()
        at = loop.time()
        while not self.done.is_set():
            at += 1 / rate
            await asyncio.sleep(max(0.0, at - loop.time()))
            if self.ready:
                self._send(self.ready.popleft())

    def _send(self, client: _Client) -> None:
        if client.sent == 0:
            update = self.fake.message_update(user_id=client.user_id, text="/start")
        elif client.sent == 1:
            assert client.consent is not None
            update = self.fake.callback_update(
                user_id=client.user_id, message=client.consent, data=client.consent_data
            )
        else:
            text = f"Antwoord {client.sent - 1}: iets wat ik graag wil, in mijn eigen woorden"
            update = self.fake.message_update(user_id=client.user_id, text=text)
        client.waiting = self.fake.push_update(update)
        client.sent += 1

    def _observe(self, call: ApiCall, result: Any) -> None:
        now = time.monotonic()
        self.calls[call.method] += 1
        if call.method == "getUpdates":
            for update in result:
                self.handed.setdefault(update["update_id"], now)
            return
        if call.method not in REPLIES:
            return
        client = self.clients.get(call.params.get("chat_id", 0))
        # A later message of an update already answered (its next update not handed out yet)
        # is no reply to that next update.
        if client is None or client.waiting is None or client.waiting not in self.handed:
            return
        self.replied.setdefault(client.waiting, now)
        if client.sent == 1:  # after /start: go on once the consent button is there
            data = _button_data(result, CONSENT)
            if data is None:
                return
            client.consent, client.consent_data = result, data
        client.waiting = None
        self._next(client)


def _button_data(message: Any, label: str) -> str | None:
    if not isinstance(message, dict):
        return None
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if label in button.get("text", "") and "callback_data" in button:
                return str(button["callback_data"])
    return None
