"""The updates waiting for getUpdates (long polls, offsets, allowed_updates), and the webhook
that would take its place."""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Mapping
from typing import Any

from tests.e2e.fake_bot_api.calls import Pulse
from tests.e2e.fake_bot_api.errors import ApiError

_log = logging.getLogger(__package__)  # one logger for the whole fake

# Telegram only sends these update types when they are asked for explicitly.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Updates:
    """The update queue of one bot, as getUpdates and the webhook methods see it."""

    def __init__(self) -> None:
        self.stopping = False  # the server is going away: a pending poll answers at once
        self._pending: list[dict[str, Any]] = []
        self._last_update_id = 0
        self._poll_generation = 0
        self._allowed_updates: frozenset[str] | None = None  # None: Telegram's default set
        self._webhook_url = ""
        self._changed = Pulse()

    def stamp(self, update: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``update`` with the next update_id."""
        self._last_update_id += 1
        stored = copy.deepcopy(update)
        stored["update_id"] = self._last_update_id
        return stored

    def push(self, update: dict[str, Any]) -> None:
        """Queue a stamped update for getUpdates."""
        self._pending.append(update)
        self._changed.fire()
        _log.debug("pushed update %s (%s)", update["update_id"], _update_type(update))

    def stop(self) -> None:
        """Answer every pending long poll now, and every later one at once."""
        self.stopping = True
        self._changed.fire()

    def check_polling(self) -> None:
        """Refuse getUpdates while a webhook is set, as Telegram does."""
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )

    async def poll(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The result of getUpdates: confirm by ``offset``, then wait up to ``timeout``."""
        # A newer getUpdates terminates an older pending one, as on Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self._changed.fire()
        offset = params.get("offset", 0)
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = frozenset(allowed) if allowed else None
        limit = min(max(params.get("limit", 100), 1), 100)
        timeout = max(params.get("timeout", 0), 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = [u for u in self._pending if self._is_allowed(u)][:limit]
            remaining = deadline - loop.time()
            if batch or self.stopping or remaining <= 0:
                return copy.deepcopy(batch)
            await self._changed.wait(remaining)

    def _is_allowed(self, update: Mapping[str, Any]) -> bool:
        kind = _update_type(update)
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATE_TYPES
        return kind in self._allowed_updates

    def set_webhook(self, params: dict[str, Any]) -> bool:
        """setWebhook: from now on getUpdates is refused."""
        self._webhook_url = params["url"]
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._changed.fire()
        return True

    def delete_webhook(self, params: dict[str, Any]) -> bool:
        """deleteWebhook: getUpdates works again."""
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """getWebhookInfo: the webhook, and how many updates wait."""
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }


def _update_type(update: Mapping[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")
