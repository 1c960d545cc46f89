"""What the methods with behaviour do: send, edit and delete messages, files, callback answers,
commands and descriptions. A valid call of any other method succeeds like a no-op."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from typing import Any

from tests.e2e.fake_bot_api.calls import UploadedFile
from tests.e2e.fake_bot_api.errors import bad_request
from tests.e2e.fake_bot_api.files import Files
from tests.e2e.fake_bot_api.formatting import message_caption, message_text
from tests.e2e.fake_bot_api.state import State
from tests.e2e.fake_bot_api.updates import Updates

Handler = Callable[[dict[str, Any]], Any]

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
# What an edit compares a field with when the message has none.
_ABSENT: dict[str, Any] = {
    "text": "",
    "entities": [],
    "caption": "",
    "caption_entities": [],
    "reply_markup": None,
}


class Methods:
    """The handlers of the methods with behaviour: params in, result out (or an ApiError)."""

    def __init__(self, state: State, files: Files, updates: Updates) -> None:
        self._state = state
        self._files = files
        self._updates = updates
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}

    def handlers(self) -> dict[str, Handler]:
        """The handler of each method, by name."""
        return {
            "getMe": self._get_me,
            "setWebhook": self._updates.set_webhook,
            "deleteWebhook": self._updates.delete_webhook,
            "getWebhookInfo": self._updates.get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._set_description("description"),
            "getMyDescription": self._get_description("description"),
            "setMyShortDescription": self._set_description("short_description"),
            "getMyShortDescription": self._get_description("short_description"),
        }

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._state.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text, entities = message_text(params)
        message = self._state.new_bot_message(params)
        message["text"] = text
        _apply(message, "entities", entities)
        _apply(message, "reply_markup", _inline_markup(params.get("reply_markup")))
        return self._state.store_bot_message(message)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        message = self._state.editable_message(params)
        if message is None:
            return True
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = message_text(params)
        markup = _inline_markup(params.get("reply_markup"))
        return _edit(message, {"text": text, "entities": entities, "reply_markup": markup})

    def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        message = self._state.editable_message(params)
        if message is None:
            return True
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = message_caption(params)
        markup = _inline_markup(params.get("reply_markup"))
        content = {"caption": caption, "caption_entities": entities, "reply_markup": markup}
        return _edit(message, content)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        message = self._state.editable_message(params)
        if message is None:
            return True
        markup = _inline_markup(params.get("reply_markup"))  # absent: remove keyboard
        return _edit(message, {"reply_markup": markup})

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id = self._state.chat(params["chat_id"])["id"]
        message_id = params["message_id"]
        if self._state.bot_messages.get(chat_id, {}).pop(message_id, None) is not None:
            return True
        if self._state.user_messages.pop((chat_id, message_id), None) is not None:
            return True
        raise bad_request("message to delete not found")

    def _delete_messages(self, params: dict[str, Any]) -> bool:
        chat_id = self._state.chat(params["chat_id"])["id"]
        for message_id in params["message_ids"]:
            self._state.bot_messages.get(chat_id, {}).pop(message_id, None)
            self._state.user_messages.pop((chat_id, message_id), None)
        return True

    def _media_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._state.new_bot_message(params)
        if "caption" in params:
            caption, entities = message_caption(params)
            _apply(message, "caption", caption)
            _apply(message, "caption_entities", entities)
        _apply(message, "reply_markup", _inline_markup(params.get("reply_markup")))
        return message

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._media_message(params)
        message["document"] = self._files.input_file(params["document"], "document")
        return self._state.store_bot_message(message)

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._media_message(params)
        upload = params["photo"]
        meta = self._files.input_file(upload, "photo")
        size = _png_size(upload.data) if isinstance(upload, UploadedFile) else None
        width, height = size or (1280, 720)  # placeholder when the format is not parsed
        message["photo"] = [
            {
                "file_id": meta["file_id"],
                "file_unique_id": meta["file_unique_id"],
                "file_size": meta["file_size"],
                "width": width,
                "height": height,
            }
        ]
        return self._state.store_bot_message(message)

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        meta = self._files.get(params["file_id"])
        if meta is None:
            raise bad_request("invalid file_id")
        return dict(meta)

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        if params["callback_query_id"] not in self._state.callback_ids:
            raise bad_request(_QUERY_INVALID)
        self._state.callback_answers.append(copy.deepcopy(params))
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code", "")

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands[self._commands_key(params)] = copy.deepcopy(params["commands"])
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _set_description(self, key: str) -> Handler:
        def handler(params: dict[str, Any]) -> bool:
            self._descriptions[(key, params.get("language_code", ""))] = params.get(key, "")
            return True

        return handler

    def _get_description(self, key: str) -> Handler:
        def handler(params: dict[str, Any]) -> dict[str, Any]:
            return {key: self._descriptions.get((key, params.get("language_code", "")), "")}

        return handler


def _inline_markup(value: Any) -> dict[str, Any] | None:
    # Messages only carry inline keyboards; reply keyboards are not part of a Message.
    if isinstance(value, dict) and value.get("inline_keyboard"):
        return copy.deepcopy(value)
    return None


def _apply(message: dict[str, Any], key: str, value: Any) -> None:
    # Telegram leaves empty fields out of a Message.
    if value:
        message[key] = value
    else:
        message.pop(key, None)


def _edit(message: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    """Change a stored message; Telegram refuses an edit that changes nothing."""
    if all(value == message.get(key, _ABSENT[key]) for key, value in content.items()):
        raise bad_request(_NOT_MODIFIED)
    for key, value in content.items():
        _apply(message, key, value)
    message["edit_date"] = int(time.time())
    return copy.deepcopy(message)


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None
