"""A fake Telegram Bot API server for end-to-end tests.

`FakeBotAPI` listens on 127.0.0.1 and answers ``/bot<token>/<method>`` like the real Bot API:
every call is decoded and validated against the machine-readable spec
(``telegram-bot-api/api.min.json``), mistakes are answered with the error Telegram would give,
and the handful of methods a bot needs for a conversation (getUpdates, sendMessage, edits,
callback answers, files, commands) keep just enough state to behave realistically.

Typical use::

    async with FakeBotAPI() as api:
        bot = telegram.Bot(api.token, base_url=f"{api.base_url}/bot")
        api.push_update(api.message_update(user_id=42, text="/start"))
        ...
        assert api.sent_messages(42)[-1]["text"] == "Welkom!"

To stop the bot at a precise moment, hold a call: it waits inside the fake, without effect,
until released (or until the bot dies, and then it never takes effect)::

    hold = api.hold("sendMessage")
    api.push_update(api.message_update(user_id=42, text="Mijn antwoord"))
    await hold.arrived()  # the bot is in the middle of sendMessage
    ...  # kill the bot here, or:
    hold.release()

A user in ``not_started`` never started the bot: a message to them is refused (403), as
Telegram refuses a bot's first word in a private chat.

To hold the bot to Telegram's flood limits (about 30 messages a second, one a second per chat),
pass ``flood_limits=FloodLimits()``: a message over a limit is answered 429 with
``retry_after``, like Telegram does, and counted in ``throttled``. Off by default.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import json
import logging
import math
import os
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiohttp import web

__all__ = [
    "ApiCall",
    "FakeBotAPI",
    "FloodLimits",
    "Hold",
    "HoldOutcome",
    "UploadedFile",
    "default_spec_path",
]

_log = logging.getLogger(__name__)

SPEC_ENV_VAR = "TELEGRAM_API_SPEC"

_MAX_TEXT_LENGTH = 4096
_MAX_CAPTION_LENGTH = 1024
_MAX_CALLBACK_ANSWER_LENGTH = 200
_MAX_CALLBACK_DATA_BYTES = 64
_MAX_COMMANDS = 100
_MAX_NESTING = 32
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
# Telegram only sends these update types when they are asked for explicitly.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# InlineKeyboardButton fields that are not the button's action (see the type's description).
_BUTTON_NON_ACTION_FIELDS = frozenset({"text", "icon_custom_emoji_id", "style"})
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_INT_RE = re.compile(r"[+-]?\d{1,20}")  # int64 range; longer is no id
_BOOL_STRINGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_CONSTANT_RE = re.compile(r"(?:must be|always) [\"“]?([a-z_]+)[\"”]?")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


# --------------------------------------------------------------------------------------------
# Public value types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart/form-data request."""

    part_name: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ApiCall:
    """One valid Bot API call, with its parameters decoded according to the spec."""

    method: str
    params: dict[str, Any]
    # Parameters the spec does not know; Telegram silently ignores them, so a typo in a
    # parameter name would otherwise go unnoticed.
    ignored: tuple[str, ...] = ()


class HoldOutcome(StrEnum):
    """How a held call ended."""

    ANSWERED = "answered"  # released, then handled like any call: its effect and its answer
    ABANDONED = "abandoned"  # its client went away (or the fake stopped) first: no effect at all


class Hold:
    """One call that the fake keeps waiting: made by `FakeBotAPI.hold`, which says what it does.

    ``arrived()`` tells when the call is held (the bot is in the middle of it), ``release()``
    lets it go on, ``ended()`` tells how it ended.
    """

    def __init__(self, method: str, where: Callable[[dict[str, Any]], bool] | None) -> None:
        self.method = method
        self.call: ApiCall | None = None  # the held call, once it arrived
        self.outcome: HoldOutcome | None = None  # once it ended
        self._where = where
        self._arrived = asyncio.Event()
        self._released = asyncio.Event()
        self._ended = asyncio.Event()

    def __repr__(self) -> str:
        state = self.outcome or ("held" if self.call else "waiting for a call")
        return f"<Hold {self.method}: {state}>"

    async def arrived(self, within: float = 5.0) -> ApiCall:
        """Wait until a call is held, and return it; TimeoutError if none came ``within``."""
        if not await _happened(self._arrived, within):
            raise TimeoutError(f"no {self.method} call to hold within {within} s")
        assert self.call is not None
        return self.call

    def release(self) -> None:
        """Let the held call go on; before one arrived, the call to come will not wait."""
        self._released.set()

    async def ended(self, within: float = 5.0) -> HoldOutcome:
        """Wait until the held call is over: answered after release, or abandoned."""
        if not await _happened(self._ended, within):
            state = "still held" if self.call else "never arrived"
            raise TimeoutError(
                f"the held {self.method} call did not end within {within} s ({state})"
            )
        assert self.outcome is not None
        return self.outcome

    def _catches(self, call: ApiCall) -> bool:
        return call.method == self.method and (self._where is None or self._where(call.params))

    def _arrive(self, call: ApiCall) -> None:
        self.call = call
        self._arrived.set()

    def _end(self, outcome: HoldOutcome) -> None:
        if self.outcome is None:
            self.outcome = outcome
            self._ended.set()


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


class _FloodGate:
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


def _counts_as_message(method: str) -> bool:
    if method in ("copyMessage", "copyMessages", "forwardMessage", "forwardMessages"):
        return True
    return method.startswith("send") and method != "sendChatAction"


async def _happened(event: asyncio.Event, within: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), within)
    return event.is_set()


def default_spec_path() -> Path:
    """Locate ``api.min.json``: ``$TELEGRAM_API_SPEC``, else the copy beside this file
    (``telegram-bot-api/``, with its MIT licence), so a clone alone runs the tests."""
    env_value = os.environ.get(SPEC_ENV_VAR)
    if env_value:
        path = Path(env_value)
        if not path.is_file():
            raise FileNotFoundError(f"{SPEC_ENV_VAR}={env_value!r} does not point to a file")
        return path
    return Path(__file__).resolve().parent / "telegram-bot-api" / "api.min.json"


# --------------------------------------------------------------------------------------------
# The spec
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str
    types: tuple[str, ...]
    required: bool
    # Discriminator value of a subtype, e.g. BotCommandScopeChat.type == "chat".
    constant: str | None = None


@dataclass(frozen=True)
class _Method:
    name: str
    fields: Mapping[str, _Field]


@dataclass(frozen=True)
class _TypeDef:
    name: str
    fields: Mapping[str, _Field]
    subtypes: tuple[str, ...]


@dataclass(frozen=True)
class _Spec:
    version: str
    methods: Mapping[str, _Method]  # keyed by lower-case name: Telegram ignores the case
    types: Mapping[str, _TypeDef]


def _parse_fields(raw_fields: list[dict[str, Any]], *, is_subtype: bool) -> dict[str, _Field]:
    fields: dict[str, _Field] = {}
    for raw in raw_fields:
        name = str(raw["name"])
        constant = None
        if is_subtype and name in {"type", "source", "status"}:
            match = _CONSTANT_RE.search(str(raw.get("description", "")))
            constant = match.group(1) if match else None
        fields[name] = _Field(
            name=name,
            types=tuple(str(t) for t in raw["types"]),
            required=bool(raw.get("required", False)),
            constant=constant,
        )
    return fields


@functools.lru_cache(maxsize=4)
def _load_spec(path: Path) -> _Spec:
    # Cached: the file is ~650 kB and every test builds a fresh server.
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        methods = {
            str(name).lower(): _Method(
                name=str(raw["name"]),
                fields=_parse_fields(raw.get("fields", []), is_subtype=False),
            )
            for name, raw in document["methods"].items()
        }
        types = {
            str(name): _TypeDef(
                name=str(name),
                fields=_parse_fields(raw.get("fields", []), is_subtype="subtype_of" in raw),
                subtypes=tuple(raw.get("subtypes", ())),
            )
            for name, raw in document["types"].items()
        }
        return _Spec(version=str(document.get("version", "?")), methods=methods, types=types)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a usable Telegram Bot API spec: {exc}") from exc


# --------------------------------------------------------------------------------------------
# Errors and text helpers
# --------------------------------------------------------------------------------------------


class _ApiError(Exception):
    """An error answer, e.g. 400 Bad Request."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad_request(detail: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {detail}")


def _utf16_len(text: str) -> int:
    # Telegram measures text and entity offsets in UTF-16 code units.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


class _HtmlError(Exception):
    pass


@dataclass
class _OpenTag:
    tag: str
    start: int  # UTF-16 offset in the plain text
    entity: dict[str, Any] | None  # None: the tag produces no entity of its own


_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class _TelegramHtml(HTMLParser):
    """Turns Telegram-flavoured HTML into plain text plus MessageEntity dicts.

    Mirrors Telegram's rules: only its small tag set, every tag closed in order, and a
    literal '<' must be written as '&lt;'. A bare '>' or '&' is accepted, as Telegram does.
    """

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)  # keep '&lt;' apart from a literal '<'
        self._source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self._chunks: list[str] = []
        self._length = 0
        self._open: list[_OpenTag] = []
        self._entities: list[dict[str, Any]] = []

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        # html.parser silently drops "</>" and "</ >"; Telegram rejects them.
        stray_end = re.search(r"</(?![A-Za-z])", self._source)
        if stray_end:
            offset = _utf8_len(self._source[: stray_end.start()])
            raise _HtmlError(f"Unexpected end tag at byte offset {offset}")
        self.feed(self._source)
        self.close()
        if self._open:
            raise _HtmlError(
                f'Can\'t find end tag corresponding to start tag "{self._open[-1].tag}"'
            )
        self._entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self._chunks), self._entities

    def _index(self, extra: int = 0) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column + extra

    def _byte_offset(self, extra: int = 0) -> int:
        return _utf8_len(self._source[: self._index(extra)])

    def _emit(self, text: str) -> None:
        self._chunks.append(text)
        self._length += _utf16_len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        where = f"at byte offset {self._byte_offset()}"
        entity_type = _TAG_ENTITY_TYPES.get(tag)
        if entity_type is None:
            raise _HtmlError(f'Unsupported start tag "{tag}" {where}')
        entity: dict[str, Any] | None = {"type": entity_type}
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise _HtmlError(f'Tag "span" must have class "tg-spoiler" {where}')
        if tag == "a":
            href = attributes.get("href")
            entity = {"type": "text_link", "url": href} if href else None
        elif tag == "tg-emoji":
            emoji_id = attributes.get("emoji-id")
            if not emoji_id:
                raise _HtmlError(f'Tag "tg-emoji" must have attribute "emoji-id" {where}')
            entity = {"type": "custom_emoji", "custom_emoji_id": emoji_id}
        elif tag == "blockquote" and "expandable" in attributes:
            entity = {"type": "expandable_blockquote"}
        elif tag == "code" and self._open and self._open[-1].tag == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            css_class = attributes.get("class") or ""
            pre_entity = self._open[-1].entity
            if css_class.startswith("language-") and pre_entity is not None:
                pre_entity["language"] = css_class.removeprefix("language-")
                entity = None
        self._open.append(_OpenTag(tag=tag, start=self._length, entity=entity))

    def handle_endtag(self, tag: str) -> None:
        where = f"at byte offset {self._byte_offset()}"
        if not self._open:
            raise _HtmlError(f"Unexpected end tag {where}")
        top = self._open.pop()
        if top.tag != tag:
            raise _HtmlError(
                f'Unmatched end tag {where}, expected "</{top.tag}>", found "</{tag}>"'
            )
        if top.entity is not None and self._length > top.start:
            entity_type = top.entity["type"]
            extras = {key: value for key, value in top.entity.items() if key != "type"}
            self._entities.append(
                {
                    "type": entity_type,
                    "offset": top.start,
                    "length": self._length - top.start,
                    **extras,
                }
            )

    def handle_data(self, data: str) -> None:
        # html.parser passes a '<' that starts no valid tag through as text.
        position = data.find("<")
        if position >= 0:
            raise _HtmlError(
                f'Unsupported start tag "" at byte offset {self._byte_offset(position)}: '
                "write a literal '<' as '&lt;'"
            )
        self._emit(data)

    def handle_entityref(self, name: str) -> None:
        char = _HTML_ENTITIES.get(name)
        if char is not None:
            self._emit(char)
            return
        # Telegram knows only the four entities above; others stay literal text.
        end = self._index(1 + len(name))
        semicolon = ";" if self._source[end : end + 1] == ";" else ""
        self._emit(f"&{name}{semicolon}")

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in ("x", "X") else int(name)
        except ValueError:
            code = -1
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            self._emit(chr(code))
        else:
            self._emit(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        raise _HtmlError(f"Unsupported comment at byte offset {self._byte_offset()}")

    def handle_decl(self, decl: str) -> None:
        raise _HtmlError(f"Unsupported declaration at byte offset {self._byte_offset()}")

    def unknown_decl(self, data: str) -> None:
        raise _HtmlError(f"Unsupported declaration at byte offset {self._byte_offset()}")

    def handle_pi(self, data: str) -> None:
        raise _HtmlError(f"Unsupported instruction at byte offset {self._byte_offset()}")


def _strip_formatted(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    # Telegram trims surrounding whitespace and moves/clips the entities accordingly.
    left_stripped = text.lstrip()
    lead = _utf16_len(text) - _utf16_len(left_stripped)
    result = left_stripped.rstrip()
    total = _utf16_len(result)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return result, kept


def _format_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities as Telegram stores them (explicit entities win)."""
    if entities is not None:
        return _strip_formatted(text, copy.deepcopy(entities))
    if parse_mode and parse_mode.lower() == "html":
        try:
            plain, parsed = _TelegramHtml(text).parse()
        except _HtmlError as exc:
            raise _bad_request(f"can't parse entities: {exc}") from None
        return _strip_formatted(plain, parsed)
    # Markdown and MarkdownV2 are accepted but not parsed: the raw text is stored.
    return _strip_formatted(text, [])


def _connected(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


def _update_type(update: Mapping[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


@dataclass(frozen=True)
class _Failure:
    error_code: int
    description: str
    retry_after: int | None


_Handler = Callable[[dict[str, Any]], Any]

_SCALAR_CHECKS: dict[str, Callable[[Any], bool]] = {
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
    "String": lambda v: isinstance(v, str),
    "InputFile": lambda v: isinstance(v, str),  # nested files are attach:// URIs
}
_SCALAR_TYPES = frozenset(_SCALAR_CHECKS)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeBotAPI:
    """A fake Telegram Bot API server on 127.0.0.1 that validates every call against the spec."""

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        spec_path: Path | None = None,
        bot_id: int = 123456,
        bot_username: str = "krachtwerk_test_bot",
        flood_limits: FloodLimits | None = None,
    ) -> None:
        path = spec_path if spec_path is not None else default_spec_path()
        if not path.is_file():
            raise FileNotFoundError(f"Telegram Bot API spec not found: {path}")
        self._spec = _load_spec(path.resolve())
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.calls: list[ApiCall] = []
        self.rejected: list[tuple[str, dict[str, Any], str]] = []
        # Faults a test asked for with fail_next: (method, description). Not rejections: the
        # call was valid, the test wanted Telegram to fail it.
        self.injected: list[tuple[str, str]] = []
        self.internal_errors: list[BaseException] = []
        self.uploaded_files: dict[str, bytes] = {}
        # The update_id of each update in a getUpdates answer, once per answer that carried it:
        # an update handed out twice (not confirmed before a crash) appears twice.
        self.delivered: list[int] = []
        # (method, chat_id) of each message refused for going over `flood_limits` (a 429).
        self.throttled: list[tuple[str, int | str]] = []
        self._flood = None if flood_limits is None else _FloodGate(flood_limits)
        self._observers: list[Callable[[ApiCall, Any], None]] = []

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping = False
        # Replaced after every set(): waiters hold the old one, so a set() wakes each once.
        self._updates_changed = asyncio.Event()
        self._call_recorded = asyncio.Event()
        self._pending: list[dict[str, Any]] = []
        self._last_update_id = 0
        self._last_message_id = 0
        self._callback_counter = 0
        self._file_counter = 0
        self._poll_generation = 0
        self._allowed_updates: frozenset[str] | None = None  # None: Telegram's default set
        self._webhook_url = ""
        self._failures: dict[str, deque[_Failure]] = {}
        self._holds: list[Hold] = []  # waiting for their call, oldest first
        self._held: set[Hold] = set()  # holding a call now
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._bot_messages: dict[int, dict[int, dict[str, Any]]] = {}
        self._user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._callback_ids: set[str] = set()
        self._callback_answers: list[dict[str, Any]] = []
        # Users who never started the bot: Telegram refuses to open a private chat with them.
        self.not_started: set[int] = set()
        self._files: dict[str, dict[str, Any]] = {}  # file_id -> File metadata incl. file_path
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._button_actions = self._inline_button_actions()
        update_type = self._spec.types.get("Update")
        self._message_update_types = frozenset(
            f.name
            for f in (update_type.fields.values() if update_type else ())
            if f.types == ("Message",)
        ) or frozenset({"message", "edited_message", "channel_post", "edited_channel_post"})
        self._handlers: dict[str, _Handler] = {
            "getMe": self._get_me,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
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

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Start listening on a free port of 127.0.0.1."""
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI is already running")
        app = web.Application(client_max_size=64 * 1024 * 1024)  # Telegram allows 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        # handler_cancellation: a long poll whose client went away must not linger.
        runner = web.AppRunner(
            app, handle_signals=False, handler_cancellation=True, shutdown_timeout=5.0
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._stopping = False
        _log.debug("fake Bot API (%s) listening on %s", self._spec.version, self.base_url)

    async def stop(self) -> None:
        """Stop the server; pending long polls are answered with an empty list first."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._stopping = True
        self._signal_updates()
        for hold in list(self._held):
            hold._released.set()  # the call wakes up, sees the fake stopping, and is abandoned
        await runner.cleanup()
        self._port = None
        _log.debug("fake Bot API stopped")

    async def __aenter__(self) -> Self:
        """Start the server for the ``async with`` block."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server; raise if the fake itself crashed while handling a request."""
        await self.stop()
        # A crash inside the fake is a bug in the fake: make it fail the test loudly.
        if exc is None and self.internal_errors:
            raise RuntimeError(
                f"FakeBotAPI had {len(self.internal_errors)} internal error(s)"
            ) from self.internal_errors[0]

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``; the bot calls ``f"{base_url}/bot{token}/{method}"``."""
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not running")
        return f"http://127.0.0.1:{self._port}"

    # ---------------------------------------------------------------- test-facing helpers

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates, assign it the next update_id and return that id."""
        self._last_update_id += 1
        stored = copy.deepcopy(update)
        stored["update_id"] = self._last_update_id
        self._register_incoming(stored)
        self._pending.append(stored)
        self._signal_updates()
        _log.debug("pushed update %s (%s)", stored["update_id"], _update_type(stored))
        return self._last_update_id

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
        self._users[user_id] = user
        target = user_id if chat_id is None else chat_id
        chat = self._chats.get(target)
        if chat is None or chat.get("type") != chat_type:
            chat = self._new_chat(target, chat_type, first_name)
            self._chats[target] = chat
        now = int(time.time())
        message: dict[str, Any] = {
            "message_id": self._next_message_id(),
            "from": copy.deepcopy(user),
            "chat": copy.deepcopy(chat),
            "date": now,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
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
        mismatch = self._match({"update_id": 0, **update}, "Update", "update", 0)
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
        current = self._bot_messages.get(target, {}).get(int(message["message_id"]), message)
        self._callback_counter += 1
        user = self._users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": "Test",
            "language_code": "nl",
        }
        if first_name is not None:
            user = dict(user, first_name=first_name)
        return {
            "callback_query": {
                "id": str(4_000_000_000_000_000 + self._callback_counter),
                "from": copy.deepcopy(user),
                "message": copy.deepcopy(current),
                "chat_instance": str(-7_000_000_000_000 - abs(target)),
                "data": data,
            }
        }

    def sent_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in ``chat_id``, oldest first, as they are after edits/deletes."""
        return copy.deepcopy(list(self._bot_messages.get(chat_id, {}).values()))

    def callback_answers(self) -> list[dict[str, Any]]:
        """The parameters of every answerCallbackQuery call, in order."""
        return copy.deepcopy(self._callback_answers)

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` valid calls of ``method`` with this error, without effect.

        With ``error_code=429`` pass ``retry_after`` to get ``parameters.retry_after``.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        name = self._canonical_method(method)
        failure = _Failure(error_code, description, retry_after)
        self._failures.setdefault(name, deque()).extend([failure] * times)

    def hold(self, method: str, *, where: Callable[[dict[str, Any]], bool] | None = None) -> Hold:
        """Keep the next valid call of ``method`` (whose params satisfy ``where``) waiting.

        The held call has no effect and no answer yet: it is not in ``calls``, a message is not
        stored, a getUpdates offset is not confirmed, until ``hold.release()``; then it is
        handled like any call (``fail_next`` included). If its client goes away meanwhile (the
        bot was killed), it is abandoned and never takes effect. Each hold catches one call;
        several holds of a method catch the calls in the order the holds were made.
        """
        hold = Hold(self._canonical_method(method), where)
        self._holds.append(hold)
        return hold

    def add_file(
        self, content: bytes, *, file_name: str | None = None, mime_type: str | None = None
    ) -> dict[str, Any]:
        """Register a file a user "sent", for getFile/downloads; returns a Document dict."""
        return self._store_file("document", content, file_name, mime_type)

    def observe(self, observer: Callable[[ApiCall, Any], None]) -> None:
        """Call ``observer(call, result)`` as each call takes effect, just before its answer
        goes out: for getUpdates ``result`` is the list of updates handed to the bot (a
        benchmark times an update from there to the bot's reply). Held calls are observed once
        released; rejected, failed and abandoned calls are not observed."""
        self._observers.append(observer)

    async def wait_for_call(self, method: str, *, count: int = 1, within: float = 5.0) -> ApiCall:
        """Wait until ``method`` has been called validly ``count`` times; return that call."""
        name = self._canonical_method(method)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            matching = [call for call in self.calls if call.method == name]
            if len(matching) >= count:
                return matching[count - 1]
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{name} was called {len(matching)} time(s), not {count}")
            await self._wait(self._call_recorded, remaining)

    # ---------------------------------------------------------------- HTTP layer

    async def _handle_api(self, request: web.Request) -> web.Response:
        method_name = request.match_info["method"]
        logged: dict[str, Any] = {}
        try:
            body_error: _ApiError | None = None
            raw: dict[str, Any] = {}
            files: dict[str, UploadedFile] = {}
            try:
                raw, files = await self._read_params(request)
            except _ApiError as exc:
                body_error = exc
            logged = {**raw, **{name: f"<file {f.filename!r}>" for name, f in files.items()}}
            if request.match_info["token"] != self.token:
                raise _ApiError(401, "Unauthorized")
            method = self._spec.methods.get(method_name.lower())
            if method is None:
                raise _ApiError(404, "Not Found")
            method_name = method.name
            if body_error is not None:
                raise body_error
            params, ignored = self._validate(method, raw, files)
            call = ApiCall(method.name, copy.deepcopy(params), ignored)
            hold = next((hold for hold in self._holds if hold._catches(call)), None)
            if hold is not None:
                return await self._answer_held(hold, request, call, params)
            return await self._answer(request, call, params)
        except _ApiError as exc:
            transport = request.transport
            # Nobody reads the answer to a request whose client is gone (e.g. an abandoned
            # long poll), so it is not a rejection the bot saw.
            if transport is not None and not transport.is_closing():
                self.rejected.append((method_name, logged, exc.description))
            _log.debug("%s rejected: %s", method_name, exc.description)
            return web.json_response(exc.payload(), status=exc.error_code)
        except RecursionError:
            # Pathologically nested JSON is the client's fault, not a bug in the fake.
            error = _bad_request("request is nested too deeply")
            self.rejected.append((method_name, logged, error.description))
            return web.json_response(error.payload(), status=400)
        except Exception as exc:
            self.internal_errors.append(exc)
            _log.debug("internal error in %s", method_name, exc_info=True)
            return web.json_response(
                {"ok": False, "error_code": 500, "description": "Internal Server Error"},
                status=500,
            )

    async def _answer(
        self, request: web.Request, call: ApiCall, params: dict[str, Any]
    ) -> web.Response:
        """Perform a valid call: its injected failure, or its effect and its result."""
        if _counts_as_message(call.method) and params.get("chat_id") in self.not_started:
            fault = _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return web.json_response(fault.payload(), status=fault.error_code)
        queued = self._failures.get(call.method)
        if queued:
            failure = queued.popleft()
            self.injected.append((call.method, failure.description))
            fault = _ApiError(failure.error_code, failure.description, failure.retry_after)
            return web.json_response(fault.payload(), status=fault.error_code)
        if self._flood is not None and _counts_as_message(call.method):
            chat_id = params.get("chat_id", "")
            retry_after = self._flood.admit(chat_id)
            if retry_after is not None:
                self.throttled.append((call.method, chat_id))
                fault = _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
                return web.json_response(fault.payload(), status=fault.error_code)
        _log.debug("%s %s", call.method, params)
        result: Any
        if call.method == "getUpdates":
            # Recorded before it starts waiting, so tests can tell a long poll is pending.
            result = await self._get_updates(params, call)
            if not _connected(request):
                return web.json_response({"ok": True, "result": result})
            self.delivered.extend(update["update_id"] for update in result)
        else:
            handler = self._handlers.get(call.method)
            # Valid calls of methods without behaviour here succeed like a no-op.
            result = True if handler is None else handler(params)
            self._record_call(call)
        for observer in self._observers:
            observer(call, result)
        return web.json_response({"ok": True, "result": result})

    async def _answer_held(
        self, hold: Hold, request: web.Request, call: ApiCall, params: dict[str, Any]
    ) -> web.Response:
        """Wait for the test to release the call, then perform it, unless its client is gone."""
        self._holds.remove(hold)
        self._held.add(hold)
        hold._arrive(call)
        _log.debug("%s held", call.method)
        outcome = HoldOutcome.ABANDONED
        try:
            # A client that goes away cancels this wait (handler_cancellation).
            await hold._released.wait()
            if not self._stopping and _connected(request):
                outcome = HoldOutcome.ANSWERED
                return await self._answer(request, call, params)
        except asyncio.CancelledError:
            outcome = HoldOutcome.ABANDONED
            raise
        finally:
            self._held.discard(hold)
            hold._end(outcome)
            _log.debug("held %s %s", call.method, outcome.value)
        # Nobody is left to read this, or the fake is going away under a waiting client.
        gone = _ApiError(502, "Bad Gateway")
        return web.json_response(gone.payload(), status=gone.error_code)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(_ApiError(401, "Unauthorized").payload(), status=401)
        file_path = request.match_info["file_path"]
        for file_id, meta in self._files.items():
            if meta["file_path"] == file_path:
                return web.Response(body=self.uploaded_files[file_id])
        return web.json_response(_ApiError(404, "Not Found").payload(), status=404)

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return web.json_response(_ApiError(404, "Not Found").payload(), status=404)

    async def _read_params(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
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
                        raise _bad_request("JSON object expected in request body")
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
        except _ApiError:
            raise
        except web.HTTPRequestEntityTooLarge:
            raise _ApiError(413, "Request Entity Too Large") from None
        except Exception as exc:  # whatever a garbled body makes the parsers raise
            raise _bad_request(f"can't parse request body: {exc}") from None
        return raw, files

    # ---------------------------------------------------------------- validation

    def _validate(
        self, method: _Method, raw: dict[str, Any], files: dict[str, UploadedFile]
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
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
                raise _bad_request(f"{spec_field.name} is required")
        self._check_attachments(params, files)
        self._check_inline_keyboards(params)
        for name, value in params.items():
            spec_field = method.fields[name]
            if not isinstance(value, UploadedFile) and not _SCALAR_TYPES.issuperset(
                spec_field.types
            ):
                mismatch = self._match_any(value, spec_field.types, name, 0)
                if mismatch is not None:
                    raise _bad_request(f"invalid {name}: {mismatch[1]}")
        self._check_semantics(method, params)
        ignored = tuple(name for name in raw if name not in method.fields)
        return params, ignored

    def _convert(self, spec_field: _Field, value: Any, files: dict[str, UploadedFile]) -> Any:
        name, types = spec_field.name, spec_field.types
        if isinstance(value, UploadedFile):
            return value
        # A JSON body's scalars are read like form values, as the real server does.
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            value = json.dumps(value)
        if isinstance(value, dict | list):
            if not _SCALAR_TYPES.issuperset(types):
                return value
            raise _bad_request(f"invalid {name}")
        if not isinstance(value, str):
            raise _bad_request(f"invalid {name}")
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
                raise _bad_request(f"can't find attached file {part!r} for {name}")
            return files[part]
        if "String" in types or "InputFile" in types:
            return value
        if any(t not in {"Integer", "Float", "Boolean"} for t in types):
            try:
                return json.loads(value)
            except (ValueError, RecursionError):
                raise _bad_request(f"can't parse {name} JSON object") from None
        raise _bad_request(f"invalid {name}")

    def _check_attachments(self, value: Any, files: dict[str, UploadedFile]) -> None:
        # Nested media (InputMedia*.media etc.) reference their parts as attach://<name>.
        if isinstance(value, str) and value.startswith("attach://"):
            if value.removeprefix("attach://") not in files:
                raise _bad_request(f"can't find attached file {value!r}")
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
            raise _bad_request(prefix + 'Field "text" must be of type String')
        actions = sorted(name for name in self._button_actions if button.get(name) is not None)
        if not actions:
            raise _bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise _bad_request(prefix + f"exactly one action expected, got {', '.join(actions)}")
        if actions == ["callback_data"]:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= _utf8_len(data) <= _MAX_CALLBACK_DATA_BYTES:
                raise _bad_request("BUTTON_DATA_INVALID")
        if actions == ["url"]:
            url = button["url"]
            if not isinstance(url, str) or not url or any(char.isspace() for char in url):
                raise _bad_request("BUTTON_URL_INVALID")

    def _match_any(
        self, value: Any, types: tuple[str, ...], path: str, depth: int
    ) -> tuple[float, str] | None:
        mismatches: list[tuple[float, str]] = []
        for type_expr in types:
            mismatch = self._match(value, type_expr, path, depth)
            if mismatch is None:
                return None
            mismatches.append(mismatch)
        # Report the alternative that got furthest: most likely the one that was meant.
        return max(mismatches, key=lambda item: item[0]) if mismatches else None

    def _match(self, value: Any, type_expr: str, path: str, depth: int) -> tuple[float, str] | None:
        if depth > _MAX_NESTING:
            return depth, f"{path} is nested too deeply"
        if type_expr.startswith("Array of "):
            if not isinstance(value, list):
                return depth, f"{path} must be an Array"
            inner = type_expr.removeprefix("Array of ")
            for index, item in enumerate(value):
                mismatch = self._match(item, inner, f"{path}[{index}]", depth + 1)
                if mismatch is not None:
                    return mismatch
            return None
        scalar_ok = _SCALAR_CHECKS.get(type_expr)
        if scalar_ok is not None:
            return None if scalar_ok(value) else (depth, f"{path} must be {type_expr}")
        typedef = self._spec.types.get(type_expr)
        if typedef is None:
            return None
        if typedef.subtypes:
            return self._match_any(value, typedef.subtypes, path, depth)
        if not isinstance(value, dict):
            return depth, f"{path} must be a {type_expr} object"
        for spec_field in typedef.fields.values():
            item = value.get(spec_field.name)
            if item is None:
                if spec_field.required:
                    return depth, f"{path}.{spec_field.name} is required in {type_expr}"
                continue
            if spec_field.constant is not None and item != spec_field.constant:
                # Ranked below other mismatches: it only says "this is another subtype".
                return depth - 0.5, f'{path}.{spec_field.name} must be "{spec_field.constant}"'
            item_path = f"{path}.{spec_field.name}"
            mismatch = self._match_any(item, spec_field.types, item_path, depth + 1)
            if mismatch is not None:
                return mismatch
        return None

    def _check_semantics(self, method: _Method, params: dict[str, Any]) -> None:
        for name, value in params.items():
            is_parse_mode = name == "parse_mode" or name.endswith("_parse_mode")
            if is_parse_mode and value and str(value).lower() not in _PARSE_MODES:
                raise _bad_request("unsupported parse_mode")
        if method.name in ("sendMessage", "editMessageText"):
            self._message_text(params)
        if "caption" in params and "caption" in method.fields:
            self._message_caption(params)
        if method.name == "answerCallbackQuery":
            text = params.get("text")
            if isinstance(text, str) and _utf16_len(text) > _MAX_CALLBACK_ANSWER_LENGTH:
                raise _bad_request("MESSAGE_TOO_LONG")
        if method.name == "setMyCommands":
            commands = params["commands"]
            if len(commands) > _MAX_COMMANDS:
                raise _bad_request("BOT_COMMANDS_TOO_MUCH")
            for command in commands:
                description = command["description"]
                if not _COMMAND_RE.fullmatch(command["command"]) or not (
                    1 <= len(description) <= 256
                ):
                    raise _bad_request("BOT_COMMAND_INVALID")
        if method.name == "sendChatAction" and params["action"] not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")

    def _message_text(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        text, entities = _format_text(
            params["text"], params.get("parse_mode"), params.get("entities")
        )
        if not text:
            raise _bad_request("message text is empty")
        if _utf16_len(text) > _MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        return text, entities

    def _message_caption(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        caption, entities = _format_text(
            params.get("caption", ""), params.get("parse_mode"), params.get("caption_entities")
        )
        if _utf16_len(caption) > _MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return caption, entities

    # ---------------------------------------------------------------- state helpers

    def _canonical_method(self, method: str) -> str:
        found = self._spec.methods.get(method.lower())
        if found is None:
            raise ValueError(f"{method!r} is not a Bot API method")
        return found.name

    def _record_call(self, call: ApiCall) -> None:
        self.calls.append(call)
        self._call_recorded.set()
        self._call_recorded = asyncio.Event()

    def _signal_updates(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    @staticmethod
    async def _wait(event: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    def _next_message_id(self) -> int:
        # One counter for both directions, like a private chat's shared message history.
        self._last_message_id += 1
        return self._last_message_id

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Krachtwerk",
            "username": self.bot_username,
        }

    @staticmethod
    def _new_chat(chat_id: int, chat_type: str, first_name: str) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": first_name}
        return {"id": chat_id, "type": chat_type, "title": "Test chat"}

    def _chat(self, chat_id: int | str) -> dict[str, Any]:
        if isinstance(chat_id, str):
            # An @username: only chats the fake has seen with that username exist.
            for chat in self._chats.values():
                if chat.get("username") and f"@{chat['username']}" == chat_id:
                    return chat
            raise _bad_request("chat not found")
        known = self._chats.get(chat_id)
        if known is not None:
            return known
        if chat_id == 0:
            raise _bad_request("chat not found")
        if chat_id > 0:
            user = self._users.get(chat_id, {})
            chat = self._new_chat(chat_id, "private", str(user.get("first_name", "Test")))
        else:
            # -100… ids are supergroups (and channels) on Telegram.
            kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
            chat = self._new_chat(chat_id, kind, "")
        self._chats[chat_id] = chat
        return chat

    def _register_incoming(self, update: dict[str, Any]) -> None:
        """Remember what an incoming update reveals: messages, chats, users, query ids, files."""
        self._register_files(update)
        for kind, payload in update.items():
            if not isinstance(payload, dict):
                continue
            sender = payload.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                self._users.setdefault(sender["id"], copy.deepcopy(sender))
            if kind == "callback_query" and isinstance(payload.get("id"), str):
                self._callback_ids.add(payload["id"])
            if kind not in self._message_update_types:
                continue
            chat = payload.get("chat")
            message_id = payload.get("message_id")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                self._chats.setdefault(chat["id"], copy.deepcopy(chat))
                if isinstance(message_id, int):
                    self._last_message_id = max(self._last_message_id, message_id)
                    self._user_messages[(chat["id"], message_id)] = copy.deepcopy(payload)

    def _register_files(self, value: Any) -> None:
        # So that the bot may re-send or getFile a file_id a test put into an update.
        if isinstance(value, list):
            for item in value:
                self._register_files(item)
        elif isinstance(value, dict):
            file_id = value.get("file_id")
            if isinstance(file_id, str) and file_id not in self._files:
                self._file_counter += 1
                self._files[file_id] = {
                    "file_id": file_id,
                    "file_unique_id": str(value.get("file_unique_id", f"unique-{file_id}")),
                    "file_size": int(value.get("file_size", 0)),
                    "file_path": f"received/file_{self._file_counter}",
                }
                self.uploaded_files.setdefault(file_id, b"")
            for item in value.values():
                self._register_files(item)

    def _new_bot_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": self._next_message_id(),
            "from": self._bot_user(),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
        }
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            reply_chat = self._chat(reply.get("chat_id", params["chat_id"]))["id"]
            original = self._find_message(reply_chat, reply["message_id"])
            if original is not None:
                message["reply_to_message"] = {
                    k: v for k, v in copy.deepcopy(original).items() if k != "reply_to_message"
                }
            elif not reply.get("allow_sending_without_reply"):
                raise _bad_request("message to be replied not found")
        return message

    def _store_bot_message(self, message: dict[str, Any]) -> dict[str, Any]:
        chat_messages = self._bot_messages.setdefault(message["chat"]["id"], {})
        chat_messages[message["message_id"]] = message
        return copy.deepcopy(message)

    def _find_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        found = self._bot_messages.get(chat_id, {}).get(message_id)
        return found if found is not None else self._user_messages.get((chat_id, message_id))

    @staticmethod
    def _inline_markup(value: Any) -> dict[str, Any] | None:
        # Messages only carry inline keyboards; reply keyboards are not part of a Message.
        if isinstance(value, dict) and value.get("inline_keyboard"):
            return copy.deepcopy(value)
        return None

    def _editable_message(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """The stored message an edit targets; None for inline messages (not tracked)."""
        if "inline_message_id" in params and "message_id" not in params:
            return None
        if "chat_id" not in params or "message_id" not in params:
            raise _bad_request("message identifier is not specified")
        chat_id = self._chat(params["chat_id"])["id"]
        message = self._bot_messages.get(chat_id, {}).get(params["message_id"])
        if message is None:
            if (chat_id, params["message_id"]) in self._user_messages:
                raise _bad_request("message can't be edited")
            raise _bad_request("message to edit not found")
        return message

    @staticmethod
    def _apply(message: dict[str, Any], key: str, value: Any) -> None:
        if value:
            message[key] = value
        else:
            message.pop(key, None)

    def _store_file(
        self, kind: str, content: bytes, file_name: str | None, mime_type: str | None
    ) -> dict[str, Any]:
        self._file_counter += 1
        number = self._file_counter
        file_id = f"{kind}-{number}"
        suffix = Path(file_name).suffix if file_name else ""
        meta: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": f"unique-{number}",
            "file_size": len(content),
        }
        self._files[file_id] = {**meta, "file_path": f"{kind}s/file_{number}{suffix}"}
        self.uploaded_files[file_id] = content
        if file_name:
            meta["file_name"] = file_name
        if mime_type:
            meta["mime_type"] = mime_type
        return meta

    def _input_file(self, value: Any, kind: str) -> dict[str, Any]:
        """File metadata for an InputFile parameter: an upload, a known file_id or a URL."""
        if isinstance(value, UploadedFile):
            if not value.data:
                raise _bad_request("file must be non-empty")
            return self._store_file(kind, value.data, value.filename, value.content_type)
        known = self._files.get(value)
        if known is not None:
            return {k: v for k, v in known.items() if k != "file_path"}
        if re.match(r"https?://", value):
            name = value.rstrip("/").rsplit("/", 1)[-1] or None
            return self._store_file(kind, b"", name, None)
        raise _bad_request("wrong file identifier/HTTP URL specified")

    # ---------------------------------------------------------------- method handlers

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _get_updates(self, params: dict[str, Any], call: ApiCall) -> list[dict[str, Any]]:
        if self._webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._record_call(call)
        # A newer getUpdates terminates an older pending one, as on Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self._signal_updates()
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
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = [u for u in self._pending if self._is_allowed(u)][:limit]
            remaining = deadline - loop.time()
            if batch or self._stopping or remaining <= 0:
                return copy.deepcopy(batch)
            await self._wait(self._updates_changed, remaining)

    def _is_allowed(self, update: Mapping[str, Any]) -> bool:
        kind = _update_type(update)
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATE_TYPES
        return kind in self._allowed_updates

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        self._webhook_url = params["url"]
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._signal_updates()
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text, entities = self._message_text(params)
        message = self._new_bot_message(params)
        message["text"] = text
        self._apply(message, "entities", entities)
        self._apply(message, "reply_markup", self._inline_markup(params.get("reply_markup")))
        return self._store_bot_message(message)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        message = self._editable_message(params)
        if message is None:
            return True
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        text, entities = self._message_text(params)
        markup = self._inline_markup(params.get("reply_markup"))
        current = (message["text"], message.get("entities", []), message.get("reply_markup"))
        if (text, entities, markup) == current:
            raise _bad_request(_NOT_MODIFIED)
        message["text"] = text
        self._apply(message, "entities", entities)
        self._apply(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        message = self._editable_message(params)
        if message is None:
            return True
        if "text" in message:
            raise _bad_request("there is no caption in the message to edit")
        caption, entities = self._message_caption(params)
        markup = self._inline_markup(params.get("reply_markup"))
        current = (
            message.get("caption", ""),
            message.get("caption_entities", []),
            message.get("reply_markup"),
        )
        if (caption, entities, markup) == current:
            raise _bad_request(_NOT_MODIFIED)
        self._apply(message, "caption", caption)
        self._apply(message, "caption_entities", entities)
        self._apply(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        message = self._editable_message(params)
        if message is None:
            return True
        markup = self._inline_markup(params.get("reply_markup"))  # absent: remove keyboard
        if markup == message.get("reply_markup"):
            raise _bad_request(_NOT_MODIFIED)
        self._apply(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params["chat_id"])["id"]
        message_id = params["message_id"]
        if self._bot_messages.get(chat_id, {}).pop(message_id, None) is not None:
            return True
        if self._user_messages.pop((chat_id, message_id), None) is not None:
            return True
        raise _bad_request("message to delete not found")

    def _delete_messages(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params["chat_id"])["id"]
        for message_id in params["message_ids"]:
            self._bot_messages.get(chat_id, {}).pop(message_id, None)
            self._user_messages.pop((chat_id, message_id), None)
        return True

    def _media_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._new_bot_message(params)
        if "caption" in params:
            caption, entities = self._message_caption(params)
            self._apply(message, "caption", caption)
            self._apply(message, "caption_entities", entities)
        self._apply(message, "reply_markup", self._inline_markup(params.get("reply_markup")))
        return message

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._media_message(params)
        message["document"] = self._input_file(params["document"], "document")
        return self._store_bot_message(message)

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._media_message(params)
        upload = params["photo"]
        meta = self._input_file(upload, "photo")
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
        return self._store_bot_message(message)

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        meta = self._files.get(params["file_id"])
        if meta is None:
            raise _bad_request("invalid file_id")
        return dict(meta)

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        if params["callback_query_id"] not in self._callback_ids:
            raise _bad_request(_QUERY_INVALID)
        self._callback_answers.append(copy.deepcopy(params))
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

    def _set_description(self, key: str) -> _Handler:
        def handler(params: dict[str, Any]) -> bool:
            self._descriptions[(key, params.get("language_code", ""))] = params.get(key, "")
            return True

        return handler

    def _get_description(self, key: str) -> _Handler:
        def handler(params: dict[str, Any]) -> dict[str, Any]:
            return {key: self._descriptions.get((key, params.get("language_code", "")), "")}

        return handler
