"""Long polling that confirms an update to Telegram only after it was handled.

PTB's Updater confirms a batch as soon as it has fetched it (the next getUpdates carries the
new offset at once), so a crash before an update is handled would lose it. Here the offset
moves past an update only once it and every update before it were handled (their units of
work committed): after a crash Telegram hands out the rest again, and `processed_updates`
makes a second delivery of one that had already committed do nothing.

The updates of a batch are handled side by side, each chat's strictly in order: one chat
waiting (for its database row, for the database itself) does not hold up the others in the
batch. What a turn sends goes through the outbox, so no update waits for Telegram.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError
from telegram.ext import Application

log = logging.getLogger(__name__)
BACKOFF = 1.0  # seconds after Telegram could not be reached, doubled up to BACKOFF_MAX
BACKOFF_MAX = 30.0
BATCH_GRACE = 10.0  # seconds the updates in hand get to finish after a stop
REASON_MAX = 200  # characters of a failure's description in the log (a wrong server's page)
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class Poller:
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        *,
        timeout: int = 30,
        allowed_updates: Sequence[str] = Update.ALL_TYPES,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.application = application
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates)
        self.sleep = sleep  # between tries; tests pass their own, so none waits for real time
        self.stopping = False
        self._waiting: asyncio.Future[Any] | None = None
        self._batch: asyncio.Future[Any] | None = None  # the updates in hand

    async def connect(self) -> bool:
        """Initialize the application (its first call to Telegram, getMe), trying again with
        backoff while Telegram cannot be reached; False when stopped before it could."""
        backoff = BACKOFF
        while not self.stopping:
            try:
                await self._cut_short(self.application.initialize())
                return True
            except asyncio.CancelledError:
                if self.stopping:
                    return False
                raise
            except NetworkError as error:
                _unreachable(error, backoff)
            if not await self._rest(backoff):
                return False
            backoff = min(backoff * 2, BACKOFF_MAX)
        return False

    async def run(self) -> None:
        """Fetch, handle and confirm updates until `stop`; an update in hand is finished."""
        bot = self.application.bot
        offset: int | None = None
        backoff = BACKOFF
        while not self.stopping:
            try:
                updates = await self._cut_short(
                    bot.get_updates(
                        offset=offset, timeout=self.timeout, allowed_updates=self.allowed_updates
                    )
                )
            except asyncio.CancelledError:
                if self.stopping:
                    break
                raise
            except InvalidToken:
                raise
            except (NetworkError, Conflict) as error:  # Telegram or the network: try again
                if isinstance(error, NetworkError):
                    _unreachable(error, backoff)
                else:  # another process polls with this token
                    log.warning("getUpdates refused (Conflict), retrying in %.0f s", backoff)
                if not await self._rest(backoff):
                    break
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            backoff = BACKOFF
            offset = await self._handle(updates) or offset
        if offset is not None:
            await self._confirm(offset)

    async def _handle(self, updates: Sequence[Update]) -> int | None:
        """Handle a batch, each chat's updates in order, chats side by side; the offset that
        confirms what was handled: up to the first update that was not (stopped meanwhile)."""
        chains: dict[object, asyncio.Task[None]] = {}
        tasks = []
        for update in updates:
            key = _chat_of(update)
            task = asyncio.create_task(self._after(chains.get(key), update))
            chains[key] = task
            tasks.append(task)
        batch = asyncio.gather(*tasks)
        self._batch = batch
        try:
            await batch
        except asyncio.CancelledError:
            # Stopped while an update waits (for a database that is away): the rest of its
            # chat, and what comes after it, is handed out again at the next start.
            await asyncio.gather(*tasks, return_exceptions=True)
            if not self.stopping:
                raise
        finally:
            self._batch = None
        handled = None
        for update, task in zip(updates, tasks, strict=True):
            if task.cancelled():
                break
            handled = update.update_id + 1
        return handled

    async def _after(self, before: asyncio.Task[None] | None, update: Update) -> None:
        if before is not None:
            await asyncio.wait([before])  # the chat's update before this one, however it ended
            if before.cancelled():
                raise asyncio.CancelledError
        await self.application.process_update(update)

    async def _cut_short(self, awaitable: Awaitable[T]) -> T:
        """Await something `stop` cancels (a long poll, a pause before trying again)."""
        waiting: asyncio.Future[T] = asyncio.ensure_future(awaitable)
        self._waiting = waiting
        try:
            return await waiting
        finally:
            self._waiting = None

    async def _rest(self, seconds: float) -> bool:
        """Wait before trying again; False when stopped meanwhile."""
        try:
            await self._cut_short(self.sleep(seconds))
        except asyncio.CancelledError:
            if self.stopping:
                return False
            raise
        return not self.stopping

    async def _confirm(self, offset: int) -> None:
        """Tell Telegram what was handled, so the next start does not fetch it again."""
        try:
            await self.application.bot.get_updates(offset=offset, timeout=0, limit=1)
        except NetworkError as error:  # the next start gets them again and skips them
            log.info("could not confirm handled updates: %s", type(error).__name__)

    def stop(self) -> None:
        """Stop after the updates in hand (given BATCH_GRACE: one waiting for a database that
        is away is left for the next start); a long poll or a pause before a retry is cut
        short."""
        if not self.stopping:
            log.info("stopping: the update in hand is finished first")
        self.stopping = True
        if self._waiting is not None:
            self._waiting.cancel()
        if self._batch is not None:
            asyncio.get_running_loop().call_later(BATCH_GRACE, self._batch.cancel)


def _chat_of(update: Update) -> object:
    """Which updates must be handled in order: those of one chat (or one person, where an
    update has no chat)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None:
        return ("chat", chat.id)
    return ("user", user.id) if user is not None else ("update", update.update_id)


def _unreachable(error: NetworkError, backoff: float) -> None:
    """One line, no traceback: the network or Telegram is down, and the bot keeps trying."""
    reason = error.message if len(error.message) <= REASON_MAX else error.message[:REASON_MAX] + "…"
    log.warning("Telegram is not reachable (%s); retrying in %.0f s", reason, backoff)


async def serve(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Run the bot until SIGINT or SIGTERM, then stop cleanly: the update in hand finishes,
    running jobs (a reminder being sent) finish, the scheduler shuts down."""
    poller = Poller(application)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, poller.stop)
    try:
        if not await poller.connect():
            return  # stopped while Telegram could not be reached
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            await poller.run()
        finally:
            await application.stop()
            if application.post_stop is not None:  # as PTB's run_polling does
                await application.post_stop(application)
    finally:
        await application.shutdown()
        # Never initialized (stopped while unreachable), the application leaves the bot's
        # connections open; closing them twice is harmless.
        await application.bot.shutdown()
