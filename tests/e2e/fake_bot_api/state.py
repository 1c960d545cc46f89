"""What the fake's Telegram knows: chats, users, messages (the bot's and the users'), and the
callback queries it handed out and their answers."""

from __future__ import annotations

import copy
import time
from typing import Any

from tests.e2e.fake_bot_api.errors import bad_request
from tests.e2e.fake_bot_api.files import Files
from tests.e2e.fake_bot_api.schema import Spec


class State:
    """The chats, users and messages behind the Bot API, as the bot and the test left them."""

    def __init__(self, spec: Spec, files: Files, *, bot_id: int, bot_username: str) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.chats: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.bot_messages: dict[int, dict[int, dict[str, Any]]] = {}
        self.user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.callback_ids: set[str] = set()
        self.callback_answers: list[dict[str, Any]] = []
        self._files = files
        self._last_message_id = 0
        self._callback_counter = 0
        update_type = spec.types.get("Update")
        self._message_update_types = frozenset(
            f.name
            for f in (update_type.fields.values() if update_type else ())
            if f.types == ("Message",)
        ) or frozenset({"message", "edited_message", "channel_post", "edited_channel_post"})

    def next_message_id(self) -> int:
        """A new message_id."""
        # One counter for both directions, like a private chat's shared message history.
        self._last_message_id += 1
        return self._last_message_id

    def bot_user(self) -> dict[str, Any]:
        """The bot, as a User."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Krachtwerk",
            "username": self.bot_username,
        }

    def next_callback_query_id(self) -> str:
        """A new CallbackQuery id."""
        self._callback_counter += 1
        return str(4_000_000_000_000_000 + self._callback_counter)

    @staticmethod
    def new_chat(chat_id: int, chat_type: str, first_name: str) -> dict[str, Any]:
        """A Chat of ``chat_type``: a private one with ``first_name``, else a titled one."""
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": first_name}
        return {"id": chat_id, "type": chat_type, "title": "Test chat"}

    def chat(self, chat_id: int | str) -> dict[str, Any]:
        """The chat a ``chat_id`` parameter names, made on first use as Telegram has it."""
        if isinstance(chat_id, str):
            # An @username: only chats the fake has seen with that username exist.
            for chat in self.chats.values():
                if chat.get("username") and f"@{chat['username']}" == chat_id:
                    return chat
            raise bad_request("chat not found")
        known = self.chats.get(chat_id)
        if known is not None:
            return known
        if chat_id == 0:
            raise bad_request("chat not found")
        if chat_id > 0:
            user = self.users.get(chat_id, {})
            chat = self.new_chat(chat_id, "private", str(user.get("first_name", "Test")))
        else:
            # -100… ids are supergroups (and channels) on Telegram.
            kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
            chat = self.new_chat(chat_id, kind, "")
        self.chats[chat_id] = chat
        return chat

    def register_incoming(self, update: dict[str, Any]) -> None:
        """Remember what an incoming update reveals: messages, chats, users, query ids, files."""
        self._files.register(update)
        for kind, payload in update.items():
            if not isinstance(payload, dict):
                continue
            sender = payload.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                self.users.setdefault(sender["id"], copy.deepcopy(sender))
            if kind == "callback_query" and isinstance(payload.get("id"), str):
                self.callback_ids.add(payload["id"])
            if kind not in self._message_update_types:
                continue
            chat = payload.get("chat")
            message_id = payload.get("message_id")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                self.chats.setdefault(chat["id"], copy.deepcopy(chat))
                if isinstance(message_id, int):
                    self._last_message_id = max(self._last_message_id, message_id)
                    self.user_messages[(chat["id"], message_id)] = copy.deepcopy(payload)

    def new_bot_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """A Message from the bot to the chat in ``params`` (a reply, if asked), not stored."""
        chat = self.chat(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": self.next_message_id(),
            "from": self.bot_user(),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
        }
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            reply_chat = self.chat(reply.get("chat_id", params["chat_id"]))["id"]
            original = self.find_message(reply_chat, reply["message_id"])
            if original is not None:
                message["reply_to_message"] = {
                    k: v for k, v in copy.deepcopy(original).items() if k != "reply_to_message"
                }
            elif not reply.get("allow_sending_without_reply"):
                raise bad_request("message to be replied not found")
        return message

    def store_bot_message(self, message: dict[str, Any]) -> dict[str, Any]:
        """Keep the bot's ``message`` in its chat; a copy for the answer."""
        chat_messages = self.bot_messages.setdefault(message["chat"]["id"], {})
        chat_messages[message["message_id"]] = message
        return copy.deepcopy(message)

    def find_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message in the chat, the bot's or a user's."""
        found = self.bot_messages.get(chat_id, {}).get(message_id)
        return found if found is not None else self.user_messages.get((chat_id, message_id))

    def editable_message(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """The stored message an edit targets; None for inline messages (not tracked)."""
        if "inline_message_id" in params and "message_id" not in params:
            return None
        if "chat_id" not in params or "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat_id = self.chat(params["chat_id"])["id"]
        message = self.bot_messages.get(chat_id, {}).get(params["message_id"])
        if message is None:
            if (chat_id, params["message_id"]) in self.user_messages:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return message
