"""The HTTP server: answers ``/bot<token>/<method>`` and file downloads on 127.0.0.1, and
records every call; `FakeBotAPI` adds what a test does with it."""

from __future__ import annotations

import asyncio
import copy
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from tests.e2e.fake_bot_api.calls import ApiCall, Hold, HoldOutcome, Pulse, UploadedFile
from tests.e2e.fake_bot_api.errors import ApiError, bad_request
from tests.e2e.fake_bot_api.files import Files
from tests.e2e.fake_bot_api.limits import FloodGate, FloodLimits, counts_as_message
from tests.e2e.fake_bot_api.methods import Handler, Methods
from tests.e2e.fake_bot_api.params import Validator, read_params
from tests.e2e.fake_bot_api.schema import default_spec_path, load_spec
from tests.e2e.fake_bot_api.state import State
from tests.e2e.fake_bot_api.updates import Updates

_log = logging.getLogger(__package__)  # one logger for the whole fake


@dataclass(frozen=True)
class Failure:
    """An error a test asked for (`FakeBotAPI.fail_next`)."""

    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | None = None  # only for calls about this chat

    def applies(self, params: dict[str, Any]) -> bool:
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)


class Server:
    """The serving half of `FakeBotAPI`: its lifecycle, the HTTP layer, the dispatch of calls
    to their handlers, and the record of what the bot did."""

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
        self._spec = load_spec(path.resolve())
        self.token = token
        self.calls: list[ApiCall] = []
        self.rejected: list[tuple[str, dict[str, Any], str]] = []
        # Faults a test asked for with fail_next: (method, description). Not rejections: the
        # call was valid, the test wanted Telegram to fail it.
        self.injected: list[tuple[str, str]] = []
        self.internal_errors: list[BaseException] = []
        # The update_id of each update in a getUpdates answer, once per answer that carried it:
        # an update handed out twice (not confirmed before a crash) appears twice.
        self.delivered: list[int] = []
        # (method, chat_id) of each message refused for going over `flood_limits` (a 429).
        self.throttled: list[tuple[str, int | str]] = []
        # Users who never started the bot: Telegram refuses to open a private chat with them.
        self.not_started: set[int] = set()
        self._flood = None if flood_limits is None else FloodGate(flood_limits)
        self._observers: list[Callable[[ApiCall, Any], None]] = []

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._call_recorded = Pulse()
        self._failures: dict[str, deque[Failure]] = {}
        self._holds: list[Hold] = []  # waiting for their call, oldest first
        self._held: set[Hold] = set()  # holding a call now
        self._validator = Validator(self._spec)
        self._files = Files()
        self._state = State(self._spec, self._files, bot_id=bot_id, bot_username=bot_username)
        self._updates = Updates()
        self._handlers: dict[str, Handler] = Methods(
            self._state, self._files, self._updates
        ).handlers()

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
        self._updates.stopping = False
        _log.debug("fake Bot API (%s) listening on %s", self._spec.version, self.base_url)

    async def stop(self) -> None:
        """Stop the server; pending long polls are answered with an empty list first."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._updates.stop()
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

    @property
    def bot_id(self) -> int:
        """The bot's user id (getMe, and the sender of its messages)."""
        return self._state.bot_id

    @property
    def bot_username(self) -> str:
        """The bot's username."""
        return self._state.bot_username

    @property
    def uploaded_files(self) -> dict[str, bytes]:
        """The content of every file the fake knows, by file_id."""
        return self._files.uploaded_files

    # ---------------------------------------------------------------- HTTP layer

    async def _handle_api(self, request: web.Request) -> web.Response:
        method_name = request.match_info["method"]
        logged: dict[str, Any] = {}
        try:
            body_error: ApiError | None = None
            raw: dict[str, Any] = {}
            files: dict[str, UploadedFile] = {}
            try:
                raw, files = await read_params(request)
            except ApiError as exc:
                body_error = exc
            logged = {**raw, **{name: f"<file {f.filename!r}>" for name, f in files.items()}}
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            method = self._spec.methods.get(method_name.lower())
            if method is None:
                raise ApiError(404, "Not Found")
            method_name = method.name
            if body_error is not None:
                raise body_error
            params, ignored = self._validator.validate(method, raw, files)
            call = ApiCall(method.name, copy.deepcopy(params), ignored)
            hold = next((hold for hold in self._holds if hold._catches(call)), None)
            if hold is not None:
                return await self._answer_held(hold, request, call, params)
            return await self._answer(request, call, params)
        except ApiError as exc:
            # Nobody reads the answer to a request whose client is gone (e.g. an abandoned
            # long poll), so it is not a rejection the bot saw.
            if _connected(request):
                self.rejected.append((method_name, logged, exc.description))
            _log.debug("%s rejected: %s", method_name, exc.description)
            return exc.response()
        except RecursionError:
            # Pathologically nested JSON is the client's fault, not a bug in the fake.
            error = bad_request("request is nested too deeply")
            self.rejected.append((method_name, logged, error.description))
            return error.response()
        except Exception as exc:
            self.internal_errors.append(exc)
            _log.debug("internal error in %s", method_name, exc_info=True)
            return ApiError(500, "Internal Server Error").response()

    async def _answer(
        self, request: web.Request, call: ApiCall, params: dict[str, Any]
    ) -> web.Response:
        """Perform a valid call: its injected failure, or its effect and its result."""
        if counts_as_message(call.method) and params.get("chat_id") in self.not_started:
            fault = ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            self._call_recorded.fire()  # a refusal is news too, for whoever waits
            return fault.response()
        queued = self._failures.get(call.method, deque())
        failure = next((f for f in queued if f.applies(params)), None)
        if failure is not None:
            queued.remove(failure)
            self.injected.append((call.method, failure.description))
            self._call_recorded.fire()
            fault = ApiError(failure.error_code, failure.description, failure.retry_after)
            return fault.response()
        if self._flood is not None and counts_as_message(call.method):
            chat_id = params.get("chat_id", "")
            retry_after = self._flood.admit(chat_id)
            if retry_after is not None:
                self.throttled.append((call.method, chat_id))
                fault = ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
                return fault.response()
        _log.debug("%s %s", call.method, params)
        result: Any
        if call.method == "getUpdates":
            self._updates.check_polling()
            # Recorded before it starts waiting, so tests can tell a long poll is pending.
            self._record_call(call)
            result = await self._updates.poll(params)
            if not _connected(request):
                return web.json_response({"ok": True, "result": result})
            self.delivered.extend(update["update_id"] for update in result)
            self._call_recorded.fire()  # handed out: news for whoever waits
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
            if not self._updates.stopping and _connected(request):
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
        return ApiError(502, "Bad Gateway").response()

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        content = self._files.content(request.match_info["file_path"])
        if content is not None:
            return web.Response(body=content)
        return ApiError(404, "Not Found").response()

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return ApiError(404, "Not Found").response()

    def _record_call(self, call: ApiCall) -> None:
        self.calls.append(call)
        self._call_recorded.fire()


def _connected(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()
