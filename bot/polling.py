"""Long polling that confirms an update to Telegram only after it was handled.

PTB's Updater confirms a batch as soon as it has fetched it (the next getUpdates carries the
new offset at once), so a crash before an update is handled would lose it. Here the offset
moves past an update only once its unit of work has committed: after a crash Telegram hands
out the update again, and `processed_updates` makes a second delivery of one that had already
committed do nothing. Updates are handled one at a time, in order.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError
from telegram.ext import Application

log = logging.getLogger(__name__)
BACKOFF = 1.0  # seconds after a failed getUpdates, doubled up to BACKOFF_MAX
BACKOFF_MAX = 30.0


class Poller:
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        *,
        timeout: int = 30,
        allowed_updates: Sequence[str] = Update.ALL_TYPES,
    ) -> None:
        self.application = application
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates)
        self.stopping = False
        self._fetch: asyncio.Future[tuple[Update, ...]] | None = None

    async def run(self) -> None:
        """Fetch, handle and confirm updates until `stop`; an update in hand is finished."""
        bot = self.application.bot
        offset: int | None = None
        backoff = BACKOFF
        while not self.stopping:
            self._fetch = asyncio.ensure_future(
                bot.get_updates(
                    offset=offset, timeout=self.timeout, allowed_updates=self.allowed_updates
                )
            )
            try:
                updates = await self._fetch
            except asyncio.CancelledError:
                if self.stopping:
                    break
                raise
            except InvalidToken:
                raise
            except (NetworkError, Conflict) as error:  # Telegram or the network: try again
                log.warning(
                    "getUpdates failed (%s), retrying in %.0f s", type(error).__name__, backoff
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            finally:
                self._fetch = None
            backoff = BACKOFF
            for update in updates:
                await self.application.process_update(update)
                offset = update.update_id + 1
                if self.stopping:
                    break
        if offset is not None:
            await self._confirm(offset)

    async def _confirm(self, offset: int) -> None:
        """Tell Telegram what was handled, so the next start does not fetch it again."""
        try:
            await self.application.bot.get_updates(offset=offset, timeout=0, limit=1)
        except NetworkError as error:  # the next start gets them again and skips them
            log.info("could not confirm handled updates: %s", type(error).__name__)

    def stop(self) -> None:
        """Stop after the update in hand; a long poll waiting for news is cut short."""
        if not self.stopping:
            log.info("stopping: the update in hand is finished first")
        self.stopping = True
        if self._fetch is not None:
            self._fetch.cancel()


async def serve(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Run the bot until SIGINT or SIGTERM, then stop cleanly: the update in hand finishes,
    running jobs (a reminder being sent) finish, the scheduler shuts down."""
    poller = Poller(application)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, poller.stop)
    async with application:  # initialize() ... shutdown()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            await poller.run()
        finally:
            await application.stop()
            if application.post_stop is not None:  # as PTB's run_polling does
                await application.post_stop(application)
