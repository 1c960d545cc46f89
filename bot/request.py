"""Reading the Bot API's answers: PTB's HTTP client without NUL characters, and an answer that
is no JSON told apart as a network error of its own."""

from __future__ import annotations

import json
from typing import Any

from telegram.error import NetworkError
from telegram.request import HTTPXRequest


class TelegramRequest(HTTPXRequest):
    """PTB's HTTP client, reading Telegram's answers without NUL characters. PostgreSQL refuses
    them in text and they mean nothing in a message, caption or name; taken out here, at the
    edge, none reaches the database and the rest of the text is kept. An answer that is no
    JSON at all (TELEGRAM_API_BASE_URL is some other server) is refused without logging it."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        try:
            parsed: dict[str, Any] = _without_nul(json.loads(payload.decode("utf-8", "replace")))
        except ValueError:  # not the Bot API; PTB would log the whole answer at ERROR
            raise NotTheBotAPIError(NOT_THE_BOT_API) from None
        return parsed


NOT_THE_BOT_API = "the server answered, but not as the Bot API (check TELEGRAM_API_BASE_URL)"


class NotTheBotAPIError(NetworkError):
    """An answer that is no JSON: a proxy's error page, or TELEGRAM_API_BASE_URL pointing at
    another server. A network error, so the poller says so in one line and tries again, as it
    does while Telegram cannot be reached."""


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value
