"""A call's parameters: read from the HTTP request, then converted and checked against the
spec, and against the rules the spec only describes in words, as Telegram does."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from aiohttp import web

from tests.e2e.fake_bot_api.calls import UploadedFile
from tests.e2e.fake_bot_api.errors import ApiError, bad_request
from tests.e2e.fake_bot_api.formatting import message_caption, message_text, utf8_len, utf16_len
from tests.e2e.fake_bot_api.schema import SCALAR_TYPES, Field, Method, Spec

_MAX_CALLBACK_ANSWER_LENGTH = 200
_MAX_CALLBACK_DATA_BYTES = 64
_MAX_COMMANDS = 100
_PARSE_MODES = frozenset({"html", "markdown", "markdownv2"})
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# InlineKeyboardButton fields that are not the button's action (see the type's description).
_BUTTON_NON_ACTION_FIELDS = frozenset({"text", "icon_custom_emoji_id", "style"})
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_INT_RE = re.compile(r"[+-]?\d{1,20}")  # int64 range; longer is no id
_BOOL_STRINGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """The raw parameters (query string and body) and the uploaded files of a request."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return raw, files
    try:
        if request.content_type == "application/json":
            text = await request.text()
            if text.strip():
                body = json.loads(text)
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected in request body")
                raw.update(body)
        elif request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    files[key] = UploadedFile(key, value.filename, value.content_type, data)
                elif isinstance(value, bytes | bytearray):
                    raw[key] = bytes(value).decode("utf-8")
                else:
                    raw[key] = value
    except ApiError:
        raise
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    except Exception as exc:  # whatever a garbled body makes the parsers raise
        raise bad_request(f"can't parse request body: {exc}") from None
    return raw, files


class Validator:
    """Turns raw parameters into the ones a method takes, or refuses them as Telegram would."""

    def __init__(self, spec: Spec) -> None:
        self._spec = spec
        self._button_actions = self._inline_button_actions()

    def validate(
        self, method: Method, raw: dict[str, Any], files: dict[str, UploadedFile]
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The decoded parameters, and the names of those the method does not know."""
        params: dict[str, Any] = {}
        for spec_field in method.fields.values():
            value: Any = raw.get(spec_field.name)
            if "InputFile" in spec_field.types and spec_field.name in files:
                value = files[spec_field.name]
            if value is None:
                continue
            params[spec_field.name] = self._convert(spec_field, value, files)
        for spec_field in method.fields.values():
            if spec_field.required and spec_field.name not in params:
                raise bad_request(f"{spec_field.name} is required")
        self._check_attachments(params, files)
        self._check_inline_keyboards(params)
        for name, value in params.items():
            spec_field = method.fields[name]
            if not isinstance(value, UploadedFile) and not SCALAR_TYPES.issuperset(
                spec_field.types
            ):
                mismatch = self._spec.match_any(value, spec_field.types, name, 0)
                if mismatch is not None:
                    raise bad_request(f"invalid {name}: {mismatch[1]}")
        self._check_semantics(method, params)
        ignored = tuple(name for name in raw if name not in method.fields)
        return params, ignored

    def _convert(self, spec_field: Field, value: Any, files: dict[str, UploadedFile]) -> Any:
        name, types = spec_field.name, spec_field.types
        if isinstance(value, UploadedFile):
            return value
        # A JSON body's scalars are read like form values, as the real server does.
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            value = json.dumps(value)
        if isinstance(value, dict | list):
            if not SCALAR_TYPES.issuperset(types):
                return value
            raise bad_request(f"invalid {name}")
        if not isinstance(value, str):
            raise bad_request(f"invalid {name}")
        if "Integer" in types and _INT_RE.fullmatch(value):
            return int(value)
        if "Float" in types:
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if math.isfinite(number):
                return number
        if "Boolean" in types and value.lower() in _BOOL_STRINGS:
            return _BOOL_STRINGS[value.lower()]
        if "InputFile" in types and value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if part not in files:
                raise bad_request(f"can't find attached file {part!r} for {name}")
            return files[part]
        if "String" in types or "InputFile" in types:
            return value
        if any(t not in {"Integer", "Float", "Boolean"} for t in types):
            try:
                return json.loads(value)
            except (ValueError, RecursionError):
                raise bad_request(f"can't parse {name} JSON object") from None
        raise bad_request(f"invalid {name}")

    def _check_attachments(self, value: Any, files: dict[str, UploadedFile]) -> None:
        # Nested media (InputMedia*.media etc.) reference their parts as attach://<name>.
        if isinstance(value, str) and value.startswith("attach://"):
            if value.removeprefix("attach://") not in files:
                raise bad_request(f"can't find attached file {value!r}")
        elif isinstance(value, dict):
            for item in value.values():
                self._check_attachments(item, files)
        elif isinstance(value, list):
            for item in value:
                self._check_attachments(item, files)

    def _inline_button_actions(self) -> frozenset[str]:
        button = self._spec.types.get("InlineKeyboardButton")
        if button is None:
            return frozenset({"url", "callback_data", "web_app", "login_url", "pay"})
        return frozenset(button.fields) - _BUTTON_NON_ACTION_FIELDS

    def _check_inline_keyboards(self, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                self._check_inline_keyboards(item)
            return
        if not isinstance(value, dict):
            return
        keyboard = value.get("inline_keyboard")
        if isinstance(keyboard, list):
            for row in keyboard:
                for button in row if isinstance(row, list) else ():
                    if isinstance(button, dict):
                        self._check_button(button)
        for item in value.values():
            self._check_inline_keyboards(item)

    def _check_button(self, button: dict[str, Any]) -> None:
        prefix = "can't parse inline keyboard button: "
        if not isinstance(button.get("text"), str):
            raise bad_request(prefix + 'Field "text" must be of type String')
        actions = sorted(name for name in self._button_actions if button.get(name) is not None)
        if not actions:
            raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise bad_request(prefix + f"exactly one action expected, got {', '.join(actions)}")
        if actions == ["callback_data"]:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= utf8_len(data) <= _MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
        if actions == ["url"]:
            url = button["url"]
            if not isinstance(url, str) or not url or any(char.isspace() for char in url):
                raise bad_request("BUTTON_URL_INVALID")

    def _check_semantics(self, method: Method, params: dict[str, Any]) -> None:
        # The rules the spec only describes in words.
        for name, value in params.items():
            is_parse_mode = name == "parse_mode" or name.endswith("_parse_mode")
            if is_parse_mode and value and str(value).lower() not in _PARSE_MODES:
                raise bad_request("unsupported parse_mode")
        if method.name in ("sendMessage", "editMessageText"):
            message_text(params)
        if "caption" in params and "caption" in method.fields:
            message_caption(params)
        if method.name == "answerCallbackQuery":
            text = params.get("text")
            if isinstance(text, str) and utf16_len(text) > _MAX_CALLBACK_ANSWER_LENGTH:
                raise bad_request("MESSAGE_TOO_LONG")
        if method.name == "setMyCommands":
            commands = params["commands"]
            if len(commands) > _MAX_COMMANDS:
                raise bad_request("BOT_COMMANDS_TOO_MUCH")
            for command in commands:
                description = command["description"]
                if not _COMMAND_RE.fullmatch(command["command"]) or not (
                    1 <= len(description) <= 256
                ):
                    raise bad_request("BOT_COMMAND_INVALID")
        if method.name == "sendChatAction" and params["action"] not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
