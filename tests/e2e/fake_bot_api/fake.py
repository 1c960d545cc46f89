"""`FakeBotAPI`: the server, and what a test does with it: push updates (as a user would cause
them), look at the bot's messages, make calls fail, hold them, wait for them."""

from __future__ import annotations

import asyncio
import copy
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from tests.e2e.fake_bot_api.calls import ApiCall, Hold
from tests.e2e.fake_bot_api.formatting import utf16_len
from tests.e2e.fake_bot_api.server import Failure, Server


class FakeBotAPI(Server):
    """A fake Telegram Bot API server on 127.0.0.1 that validates every call against the spec."""

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates, assign it the next update_id and return that id."""
        stored = self._updates.stamp(update)
        self._state.register_incoming(stored)
        self._updates.push(stored)
        return int(stored["update_id"])

    def message_update(
        self,
        *,
        user_id: int,
        text: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = "nl",
        is_bot: bool = False,
        extra: dict[str, Any] | None = None,
        edited: bool = False,
    ) -> dict[str, Any]:
        """Build an Update (without update_id) for a message a user sends to the bot.

        ``extra`` is merged into the message (e.g. ``{"sticker": {...}}`` with ``text=None``,
        or ``{"message_id": 7}`` to edit an earlier message with ``edited=True``).
        """
        user: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._state.users[user_id] = user
        target = user_id if chat_id is None else chat_id
        chat = self._state.chats.get(target)
        if chat is None or chat.get("type") != chat_type:
            chat = self._state.new_chat(target, chat_type, first_name)
            self._state.chats[target] = chat
        now = int(time.time())
        message: dict[str, Any] = {
            "message_id": self._state.next_message_id(),
            "from": copy.deepcopy(user),
            "chat": copy.deepcopy(chat),
            "date": now,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
                ]
        if extra:
            message.update(copy.deepcopy(extra))
        if edited:
            message["edit_date"] = now
            return {"edited_message": message}
        return {"message": message}

    def check_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """The update as given, if Telegram could send it by the spec (its update_id aside);
        a ValueError naming what is wrong otherwise."""
        mismatch = self._spec.match({"update_id": 0, **update}, "Update", "update", 0)
        if mismatch is not None:
            raise ValueError(f"not an update Telegram sends: {mismatch[1]}")
        return update

    def callback_update(
        self,
        *,
        user_id: int,
        message: dict[str, Any],
        data: str,
        chat_id: int | None = None,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        """Build an Update (without update_id) for a user pressing a button on ``message``
        (as ``first_name``, if given: a person's name in a group)."""
        target = chat_id if chat_id is not None else int(message["chat"]["id"])
        # The callback carries the message as it is now, including later edits.
        current = self._state.bot_messages.get(target, {}).get(int(message["message_id"]), message)
        query_id = self._state.next_callback_query_id()
        user = self._state.users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": "Test",
            "language_code": "nl",
        }
        if first_name is not None:
            user = dict(user, first_name=first_name)
        return {
            "callback_query": {
                "id": query_id,
                "from": copy.deepcopy(user),
                "message": copy.deepcopy(current),
                "chat_instance": str(-7_000_000_000_000 - abs(target)),
                "data": data,
            }
        }

    def sent_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in ``chat_id``, oldest first, as they are after edits/deletes."""
        return copy.deepcopy(list(self._state.bot_messages.get(chat_id, {}).values()))

    def callback_answers(self) -> list[dict[str, Any]]:
        """The parameters of every answerCallbackQuery call, in order."""
        return copy.deepcopy(self._state.callback_answers)

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next ``times`` valid calls of ``method`` (about ``chat_id``, if given)
        with this error, without effect.

        With ``error_code=429`` pass ``retry_after`` to get ``parameters.retry_after``.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        name = self._spec.canonical(method)
        failure = Failure(error_code, description, retry_after, chat_id)
        self._failures.setdefault(name, deque()).extend([failure] * times)

    def hold(self, method: str, *, where: Callable[[dict[str, Any]], bool] | None = None) -> Hold:
        """Keep the next valid call of ``method`` (whose params satisfy ``where``) waiting.

        The held call has no effect and no answer yet: it is not in ``calls``, a message is not
        stored, a getUpdates offset is not confirmed, until ``hold.release()``; then it is
        handled like any call (``fail_next`` included). If its client goes away meanwhile (the
        bot was killed), it is abandoned and never takes effect. Each hold catches one call;
        several holds of a method catch the calls in the order the holds were made.
        """
        hold = Hold(self._spec.canonical(method), where)
        self._holds.append(hold)
        return hold

    def add_file(
        self, content: bytes, *, file_name: str | None = None, mime_type: str | None = None
    ) -> dict[str, Any]:
        """Register a file a user "sent", for getFile/downloads; returns a Document dict."""
        return self._files.store("document", content, file_name, mime_type)

    def observe(self, observer: Callable[[ApiCall, Any], None]) -> None:
        """Call ``observer(call, result)`` as each call takes effect, just before its answer
        goes out: for getUpdates ``result`` is the list of updates handed to the bot (a
        benchmark times an update from there to the bot's reply). Held calls are observed once
        released; rejected, failed and abandoned calls are not observed."""
        self._observers.append(observer)

    async def wait_until(self, condition: Callable[[], bool], *, within: float = 5.0) -> None:
        """Wait until ``condition()`` holds, checked after each call the bot makes (refused
        ones included); TimeoutError if it does not ``within`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError("the condition did not hold in time")
            await self._call_recorded.wait(remaining)

    async def wait_for_call(self, method: str, *, count: int = 1, within: float = 5.0) -> ApiCall:
        """Wait until ``method`` has been called validly ``count`` times; return that call."""
        name = self._spec.canonical(method)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            matching = [call for call in self.calls if call.method == name]
            if len(matching) >= count:
                return matching[count - 1]
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{name} was called {len(matching)} time(s), not {count}")
            await self._call_recorded.wait(remaining)
