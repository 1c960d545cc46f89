"""The error answers of the Bot API, e.g. ``400 Bad Request: chat not found``."""

from __future__ import annotations

from typing import Any

from aiohttp import web


class ApiError(Exception):
    """An error answer, e.g. 400 Bad Request."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """The answer's JSON body."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body

    def response(self) -> web.Response:
        """The answer: the JSON body, with the error code as HTTP status."""
        return web.json_response(self.payload(), status=self.error_code)


def bad_request(detail: str) -> ApiError:
    """A 400 Bad Request answer."""
    return ApiError(400, f"Bad Request: {detail}")
