"""The processes under test in the throughput benchmark: the krachtwerk bot as `python -m bot
run` builds it (`build_runtime`, `build_application`, `bot.polling.Poller`), or a bare PTB echo
bot, each in a process of its own against the fake Bot API.

The process is spawned (a fresh interpreter), so the fake and the simulated clients, which run
in the benchmark's process, share neither its GIL nor its event loop. It timestamps each update
as it starts and finishes on the monotonic clock (system-wide on Linux, the same as the
fake's), counts the SQL it runs and the errors it logs, and sends that `BotReport` back over a
pipe when told to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Literal
from unittest import mock

CONSENT = "Ja, dat mag"  # the label of the consent button (the echo bot offers one too)
POLL_TIMEOUT = 10  # seconds a long poll waits

Bot = Literal["krachtwerk", "echo"]
Polling = Literal["poller", "updater"]
Limiter = Literal["shipped", "lifted"]


@dataclass(frozen=True)
class BotSpec:
    """Which bot the child process runs, against which fake and database."""

    bot: Bot
    limiter: Limiter
    polling: Polling
    base_url: str
    token: str
    database_url: str | None = None  # the krachtwerk bot only


@dataclass
class BotReport:
    """What the bot process saw while the clients walked: when it started and finished each
    update (monotonic clock), the SQL it ran, errors it logged."""

    started: dict[int, float] = field(default_factory=dict)
    finished: dict[int, float] = field(default_factory=dict)
    statements: int = 0  # cursor executions, BEGIN IMMEDIATE included (SQLite)
    commits: list[float] = field(default_factory=list)  # seconds each COMMIT took
    errors: int = 0  # log records at ERROR or above


# --------------------------------------------------------------------------------------------
# In the bot's process
# --------------------------------------------------------------------------------------------


class _Errors(logging.Handler):
    def __init__(self, report: BotReport) -> None:
        super().__init__(logging.ERROR)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        self.report.errors += 1


def _bot_process(spec: BotSpec, connection: Connection) -> None:
    """The child's entry point: run the bot until told to stop, then report."""
    report = BotReport()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().addHandler(_Errors(report))
    asyncio.run(_serve(spec, connection, report))


async def _serve(spec: BotSpec, connection: Connection, report: BotReport) -> None:
    from telegram import Update
    from telegram.ext import ContextTypes, TypeHandler

    from bot.polling import Poller

    async def start(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        report.started[update.update_id] = time.monotonic()

    async def finish(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        report.finished[update.update_id] = time.monotonic()

    async with _application(spec, report) as application:
        application.add_handler(TypeHandler(Update, start), group=-1)
        application.add_handler(TypeHandler(Update, finish), group=99)
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        report.statements = 0  # start-up is not measured
        report.commits.clear()
        if spec.polling == "updater":
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES
            )
            connection.send("ready")
            await asyncio.to_thread(connection.recv)  # "stop"
            await application.updater.stop()
        else:
            poller = Poller(application, timeout=POLL_TIMEOUT)
            polling = asyncio.create_task(poller.run())
            connection.send("ready")
            await asyncio.to_thread(connection.recv)  # "stop"
            poller.stop()
            await polling
        await application.stop()
        await application.shutdown()
    connection.send(report)


@contextlib.asynccontextmanager
async def _application(spec: BotSpec, report: BotReport) -> AsyncIterator[Any]:
    """The krachtwerk bot as `python -m bot run` builds it, or the bare echo bot."""
    from telegram.ext import AIORateLimiter

    lifted = functools.partial(AIORateLimiter, overall_max_rate=0)
    if spec.bot == "echo":
        limiter = (lifted if spec.limiter == "lifted" else AIORateLimiter)(max_retries=3)
        yield _echo_application(spec, limiter)
        return

    from sqlalchemy import event

    from bot.runtime import build_runtime, utc_now
    from bot.settings import Settings
    from bot.telegram import build_application

    assert spec.database_url is not None
    settings = Settings(
        _env_file=None,
        telegram_bot_token=spec.token,
        telegram_api_base_url=spec.base_url,
        database_url=spec.database_url,
        audit_pseudonym_key=secrets.token_hex(32),
    )
    runtime = build_runtime(settings)

    def statement(*_: Any) -> None:
        report.statements += 1

    event.listen(runtime.database, "before_cursor_execute", statement)
    # Each COMMIT timed: on SQLite it writes the WAL and, with synchronous=FULL, syncs it.
    dialect = runtime.database.dialect
    do_commit = dialect.do_commit

    def commit(connection: Any) -> None:
        started = time.perf_counter()
        do_commit(connection)
        report.commits.append(time.perf_counter() - started)

    dialect.do_commit = commit  # type: ignore[method-assign,assignment]
    from bot.flood import ChatRateLimiter

    ours_lifted = functools.partial(
        ChatRateLimiter, per_second=0, per_group_per_minute=0, per_chat_per_second=0
    )
    patch = (
        mock.patch("bot.telegram.ChatRateLimiter", ours_lifted)
        if spec.limiter == "lifted"
        else contextlib.nullcontext()
    )
    with patch:
        application = build_application(
            settings,
            runtime.conversations,
            runtime.content,
            utc_now,  # PTB's JobQueue as shipped: it sweeps the outbox
        )
    try:
        yield application
    finally:
        runtime.database.dispose()


def _echo_application(spec: BotSpec, limiter: Any) -> Any:
    """A bare PTB bot that answers each message with its text and each press with its data;
    /start gets a consent button, so the clients walk it exactly as they walk the real bot."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import (
        ApplicationBuilder,
        CallbackQueryHandler,
        ContextTypes,
        MessageHandler,
        filters,
    )

    consent = InlineKeyboardMarkup([[InlineKeyboardButton(CONSENT, callback_data="consent")]])

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.text is None:
            return
        markup = consent if message.text == "/start" else None
        await context.bot.send_message(message.chat_id, message.text, reply_markup=markup)

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or update.effective_chat is None:
            return
        await query.answer()
        await context.bot.send_message(update.effective_chat.id, query.data or "?")

    builder = (
        ApplicationBuilder()
        .token(spec.token)
        .base_url(f"{spec.base_url}/bot{{token}}")
        .rate_limiter(limiter)
    )
    if spec.polling == "poller":
        builder = builder.updater(None)
    application = builder.build()
    application.add_handler(CallbackQueryHandler(on_press))
    application.add_handler(MessageHandler(filters.TEXT, on_message))
    return application


# --------------------------------------------------------------------------------------------
# In the benchmark's process
# --------------------------------------------------------------------------------------------


class BotProcess:
    """The running bot process, seen from the benchmark: its pid (for py-spy and the CPU
    meter), whether it is still alive, and the pipe to stop it and get its report."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def check_alive(self) -> None:
        if not self.process.is_alive():
            raise RuntimeError(f"the bot process died (exit code {self.process.exitcode})")

    async def stop(self) -> BotReport:
        self.connection.send("stop")
        report = await self.receive(60.0)
        if not isinstance(report, BotReport):
            raise RuntimeError(f"the bot process reported {report!r}")
        self.process.join(timeout=30)
        return report

    async def receive(self, within: float) -> Any:
        """What the bot process sends next, within `within` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not await asyncio.to_thread(self.connection.poll, 0.2):
            self.check_alive()
            if loop.time() > deadline:
                raise TimeoutError(f"no word from the bot process within {within:.0f} s")
        return self.connection.recv()


@contextlib.asynccontextmanager
async def running(spec: BotSpec) -> AsyncIterator[BotProcess]:
    """The bot of `spec` in a process of its own, polling the fake; killed on the way out if
    it did not stop."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_bot_process, args=(spec, theirs), daemon=True)
    process.start()
    try:
        bot = BotProcess(process, ours)
        ready = await bot.receive(120.0)
        if ready != "ready":
            raise RuntimeError(f"the bot process said {ready!r}, not ready")
        yield bot
    finally:
        if process.is_alive():
            process.kill()
