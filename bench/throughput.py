"""(1) Updates a second and time from update to reply, through the whole stack.

The real bot (`build_runtime`, `build_application`, `bot.polling.Poller`, as `python -m bot run`
starts it) runs in a process of its own against the fake Bot API (`tests/e2e/fake_bot_api.py`,
validating every call) on loopback, on a fresh SQLite file and on a fresh PostgreSQL schema.
The fake and the simulated clients run in this process, so their work is not the bot's: the
bot talks to "Telegram" over HTTP as it would in production.

Each client walks the strengths inventory: /start, presses the consent button, then types
`ANSWERS` answers. Three kinds of run:

- *saturated*: each client sends its next update as soon as the bot answered the one before
  (a closed loop: with 1,000 clients about 1,000 updates wait at any moment); the bot, which
  handles one update at a time, never idles. This gives updates a second;
- *paced*: updates go out at `PACED_RATE` a second (two thirds of what Telegram lets a bot
  send): the time to reply a client sees when the bot keeps up. Once with the limiter as
  shipped and once lifted: the clients walk in step, so while they all press consent (two
  messages each) the bot would send 40 messages a second and the limiter rightly holds it to
  30; lifted, what remains is our own latency.

Timestamps are taken in the fake and in the bot process on the same monotonic clock
(CLOCK_MONOTONIC, system-wide on Linux):

- *update to reply* (the issue's latency): from the getUpdates answer that hands an update to
  the bot to the first sendMessage or editMessageText in that chat that follows. The bot takes
  up to 100 updates a poll and handles them in order, so when saturated this includes waiting
  behind the updates ahead of it in the same batch (about 100 x the time of one);
- *own time*: from the moment the bot starts on the update (a handler in group -1) to that
  reply: what one update costs, without the queue;
- *updates a second*: updates answered over the run (first hand-out to last reply).

The baseline, in the same run with the same clients, fake and rate limiter: a bare PTB echo bot
(one MessageHandler, one CallbackQueryHandler that answer with the text) on the same `Poller`,
and once more on PTB's own `Updater` (which fetches the next updates while handling these).

The rate limiter: the bot ships with `AIORateLimiter` (30 calls with a chat_id a second for the
whole bot, Telegram's documented limit), which caps any bot at about 30 replies a second. Both
are measured: *shipped* (fewer clients: the cap, not the clients, sets the pace) and *lifted*:
the same limiter with `overall_max_rate=0` ("no overall limit", its retry-on-429 logic kept),
put in by replacing the name `bot.telegram.AIORateLimiter` while `build_application` runs; the
echo bot gets the same limiter.

Finally a shorter saturated SQLite run (limiter lifted) is profiled with py-spy, sampling all
threads of the bot process (the units of work run in worker threads), and where the time of an
update goes is summarised in the notes. py-spy is optional: without it there is no profile.
`python -m bench --profile throughput` profiles this process (the fake and the clients) during
that run with pyinstrument, not the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal
from unittest import mock

from bench import profiling
from bench.core import Figure, Result
from tests.e2e.fake_bot_api import ApiCall, FakeBotAPI
from tests.postgres import own_schema, postgres_problem

CLIENTS = 1000  # limiter lifted: 6,000 updates
SHIPPED_CLIENTS = 60  # limiter as shipped: ~30 replies a second whoever sends them
SMOKE_CLIENTS = 5
PACED_RATE = 20.0  # updates a second: two thirds of what Telegram lets a bot send
PACED_CLIENTS = 67  # x 6 updates at 20 a second: 20 s
SMOKE_RATE = 100.0
PROFILED_CLIENTS = 200  # the profiled run (SQLite, limiter lifted): 1,200 updates
ANSWERS = 4  # typed answers a client, after /start and the consent press
CONSENT = "Ja, dat mag"  # the label of the consent button (the echo bot offers one too)
FIRST_USER_ID = 7_000_001
POLL_TIMEOUT = 10  # seconds a long poll waits
STALL_SECONDS = 60.0  # no reply for this long: the run is broken, not slow
TARGET_RATIO = 0.7
TARGET_P99_MS = 50.0
PROFILE_RATE = 200  # py-spy samples a second
PROFILE_TOP = 10
REPLIES = frozenset({"sendMessage", "editMessageText"})
# Frames every sample of a thread has (its loop, the pool's worker): not where time goes.
PROFILE_ROOTS = (
    "(threading.py)",
    "(concurrent/futures/thread.py)",
    "(asyncio/base_events.py)",
    "(asyncio/runners.py)",
    "(asyncio/events.py)",
    "(multiprocessing/spawn.py)",
    "(multiprocessing/process.py)",
    "(bench/throughput.py)",
    "(<string>)",
)
OWN_THREAD = "(multiprocessing/connection.py)"  # the bot process waiting for "stop"
HANDING_BACK = "handing results to the event loop (call_soon_threadsafe, waits for the GIL)"
# Innermost frames of a thread that waits for work.
IDLE = ("EpollSelector.select (", "_worker (", "Condition.wait (", "Event.wait (")
PATH_PREFIXES = tuple(
    sorted(
        {f"{path}/" for path in (*sys.path, str(Path(__file__).resolve().parents[1])) if path},
        key=len,
        reverse=True,
    )
)

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


@dataclass(frozen=True)
class Measured:
    """One run: a bot, a limiter, a database, the clients walking to the end."""

    label: str
    updates: int
    seconds: float
    p50_ms: float
    p99_ms: float
    own_p50_ms: float
    own_p99_ms: float
    handling_ms: float  # mean time the bot spent on one update, start to finish
    calls: dict[str, int]
    statements: int
    commits: int
    commit_ms: float  # mean time of a COMMIT
    commit_p99_ms: float
    bot_cpu: float  # share of one core used by the bot process
    driver_cpu: float  # the same for this process (the fake and the clients)
    machine_busy: float  # share of all cores busy
    errors: int
    rejected: int
    profile: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds > 0 else 0.0


# --------------------------------------------------------------------------------------------
# The bot process
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
    patch = (
        mock.patch("bot.telegram.AIORateLimiter", lifted)
        if spec.limiter == "lifted"
        else contextlib.nullcontext()
    )
    with patch:
        application = build_application(
            settings,
            runtime.conversations,
            runtime.content,
            utc_now,  # PTB's JobQueue as shipped: it flushes the sent message ids
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
# The clients
# --------------------------------------------------------------------------------------------


@dataclass
class _Client:
    user_id: int
    sent: int = 0  # updates sent so far
    waiting: int | None = None  # the update_id whose reply is awaited
    consent: dict[str, Any] | None = None  # the message with the consent button, and its data
    consent_data: str = ""


class Clients:
    """Simulated people, each walking /start, consent, `answers` typed answers. Each sends its
    next update as soon as the bot answered the one before; with `rate`, the updates of those
    ready go out at that many a second, first come first served. Watches the fake's calls."""

    def __init__(
        self, fake: FakeBotAPI, count: int, answers: int, rate: float | None = None
    ) -> None:
        self.fake = fake
        self.steps = 2 + answers
        self.rate = rate
        self.clients = {
            user_id: _Client(user_id) for user_id in range(FIRST_USER_ID, FIRST_USER_ID + count)
        }
        self.ready: deque[_Client] = deque()  # paced: waiting for their turn to send
        self.handed: dict[int, float] = {}
        self.replied: dict[int, float] = {}
        self.calls: Counter[str] = Counter()
        self.walking = count
        self.done = asyncio.Event()
        self._pacer: asyncio.Task[None] | None = None
        fake.observe(self._observe)

    def start(self) -> None:
        for client in self.clients.values():
            self._next(client)
        if self.rate is not None:
            self._pacer = asyncio.create_task(self._pace(self.rate))

    @property
    def progress(self) -> int:
        return len(self.replied)

    def _next(self, client: _Client) -> None:
        if client.sent == self.steps:
            self.walking -= 1
            if self.walking == 0:
                self.done.set()
                if self._pacer is not None:
                    self._pacer.cancel()
        elif self.rate is None:
            self._send(client)
        else:
            self.ready.append(client)

    async def _pace(self, rate: float) -> None:
        loop = asyncio.get_running_loop()
        at = loop.time()
        while not self.done.is_set():
            at += 1 / rate
            await asyncio.sleep(max(0.0, at - loop.time()))
            if self.ready:
                self._send(self.ready.popleft())

    def _send(self, client: _Client) -> None:
        if client.sent == 0:
            update = self.fake.message_update(user_id=client.user_id, text="/start")
        elif client.sent == 1:
            assert client.consent is not None
            update = self.fake.callback_update(
                user_id=client.user_id, message=client.consent, data=client.consent_data
            )
        else:
            text = f"Antwoord {client.sent - 1}: iets wat ik graag wil, in mijn eigen woorden"
            update = self.fake.message_update(user_id=client.user_id, text=text)
        client.waiting = self.fake.push_update(update)
        client.sent += 1

    def _observe(self, call: ApiCall, result: Any) -> None:
        now = time.monotonic()
        self.calls[call.method] += 1
        if call.method == "getUpdates":
            for update in result:
                self.handed.setdefault(update["update_id"], now)
            return
        if call.method not in REPLIES:
            return
        client = self.clients.get(call.params.get("chat_id", 0))
        # A later message of an update already answered (its next update not handed out yet)
        # is no reply to that next update.
        if client is None or client.waiting is None or client.waiting not in self.handed:
            return
        self.replied.setdefault(client.waiting, now)
        if client.sent == 1:  # after /start: go on once the consent button is there
            data = _button_data(result, CONSENT)
            if data is None:
                return
            client.consent, client.consent_data = result, data
        client.waiting = None
        self._next(client)


def _button_data(message: Any, label: str) -> str | None:
    if not isinstance(message, dict):
        return None
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if label in button.get("text", "") and "callback_data" in button:
                return str(button["callback_data"])
    return None


# --------------------------------------------------------------------------------------------
# One measured run
# --------------------------------------------------------------------------------------------


async def measure(
    label: str,
    bot: Bot,
    limiter: Limiter,
    clients: int,
    *,
    rate: float | None = None,
    polling: Polling = "poller",
    database_url: str | None = None,
    profile: bool = False,
) -> Measured:
    """Start the bot in a process of its own, let `clients` walk (their updates paced at
    `rate` a second, or each as soon as the one before was answered), stop it, compute."""
    context = multiprocessing.get_context("spawn")
    async with FakeBotAPI() as fake:
        spec = BotSpec(bot, limiter, polling, fake.base_url, fake.token, database_url)
        ours, theirs = context.Pipe()
        process = context.Process(target=_bot_process, args=(spec, theirs), daemon=True)
        process.start()
        try:
            ready = await _receive(ours, process, 120.0)
            if ready != "ready":
                raise RuntimeError(f"the bot process said {ready!r}, not ready")
            people = Clients(fake, clients, ANSWERS, rate)
            sampler = _start_profile(process.pid) if profile else None
            if sampler is not None:
                await asyncio.sleep(0.5)  # py-spy attaches
            cpu = _CpuMeter(process.pid)
            with profiling.measured() if profile else contextlib.nullcontext():
                people.start()
                await _until_done(people, process)
            usage = cpu.read()
            top = ["profile: py-spy not found (pip install py-spy)"] if profile else []
            if sampler is not None:
                top = _stop_profile(sampler, people.progress, usage[3])
            ours.send("stop")
            report = await _receive(ours, process, 60.0)
            if not isinstance(report, BotReport):
                raise RuntimeError(f"the bot process reported {report!r}")
            process.join(timeout=30)
        finally:
            if process.is_alive():
                process.kill()
        return _compute(label, people, report, usage, len(fake.rejected), top)


async def _receive(connection: Connection, process: Any, within: float) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await asyncio.to_thread(connection.poll, 0.2):
        if not process.is_alive():
            raise RuntimeError(f"the bot process died (exit code {process.exitcode})")
        if loop.time() > deadline:
            raise TimeoutError(f"no word from the bot process within {within:.0f} s")
    return connection.recv()


async def _until_done(people: Clients, process: Any) -> None:
    loop = asyncio.get_running_loop()
    seen, since = -1, loop.time()
    while not people.done.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(people.done.wait(), 1.0)
        if not process.is_alive():
            raise RuntimeError(f"the bot process died (exit code {process.exitcode})")
        if people.progress != seen:
            seen, since = people.progress, loop.time()
        elif loop.time() - since > STALL_SECONDS:
            raise TimeoutError(
                f"no reply for {STALL_SECONDS:.0f} s ({seen} updates answered, "
                f"{people.walking} clients still walking)"
            )


def _compute(
    label: str,
    people: Clients,
    report: BotReport,
    usage: tuple[float, float, float, float],
    rejected: int,
    top: list[str],
) -> Measured:
    replied = people.replied
    to_reply = [(replied[u] - people.handed[u]) * 1000 for u in replied]
    own = [(replied[u] - report.started[u]) * 1000 for u in replied if u in report.started]
    handling = [
        (report.finished[u] - report.started[u]) * 1000
        for u in report.finished
        if u in report.started
    ]
    seconds = max(replied.values()) - min(people.handed.values())
    return Measured(
        label=label,
        updates=len(replied),
        seconds=seconds,
        p50_ms=_percentile(to_reply, 50),
        p99_ms=_percentile(to_reply, 99),
        own_p50_ms=_percentile(own, 50),
        own_p99_ms=_percentile(own, 99),
        handling_ms=sum(handling) / len(handling) if handling else 0.0,
        calls=dict(people.calls),
        statements=report.statements,
        commits=len(report.commits),
        commit_ms=1000 * sum(report.commits) / max(len(report.commits), 1),
        commit_p99_ms=1000 * _percentile(report.commits, 99),
        bot_cpu=usage[0],
        driver_cpu=usage[1],
        machine_busy=usage[2],
        errors=report.errors,
        rejected=rejected,
        profile=top,
    )


def _percentile(values: list[float], percent: float) -> float:
    """Nearest rank: the smallest value with at least `percent` % of the values at or below."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


class _CpuMeter:
    """CPU time of the bot process, of this one and of the machine, from /proc (Linux)."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.start = (time.monotonic(), self._bot(), time.process_time(), *self._machine())

    def read(self) -> tuple[float, float, float, float]:
        """(bot process, this process) as shares of one core, the machine as share of all,
        and the seconds since the start."""
        wall0, bot0, own0, busy0, total0 = self.start
        wall = max(time.monotonic() - wall0, 1e-9)
        busy, total = self._machine()
        return (
            (self._bot() - bot0) / wall,
            (time.process_time() - own0) / wall,
            (busy - busy0) / max(total - total0, 1e-9),
            wall,
        )

    def _bot(self) -> float:
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _machine() -> tuple[float, float]:
        try:
            line = Path("/proc/stat").read_text().splitlines()[0]
        except OSError:
            return 0.0, 0.0
        ticks = [int(value) for value in line.split()[1:]]
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
        return float(sum(ticks) - idle), float(sum(ticks))


# --------------------------------------------------------------------------------------------
# The profile
# --------------------------------------------------------------------------------------------


@dataclass
class _Sampler:
    process: subprocess.Popen[bytes]
    output: Path


def _start_profile(pid: int | None) -> _Sampler | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if pid is None or not Path(spy).exists():
        return None
    output = Path(tempfile.mkdtemp(prefix="throughput-profile-")) / "bot.txt"
    command = [spy, "record", "--pid", str(pid), "--rate", str(PROFILE_RATE)]
    command += ["--format", "raw", "--nonblocking", "--idle", "--threads", "--output", str(output)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return _Sampler(process, output)


def _stop_profile(sampler: _Sampler, updates: int, seconds: float) -> list[str]:
    sampler.process.send_signal(signal.SIGINT)
    try:
        sampler.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        sampler.process.kill()
        return ["profile: py-spy did not finish"]
    try:
        lines = sampler.output.read_text().splitlines()
    except OSError:
        return ["profile: py-spy wrote nothing (no permission to attach?)"]
    finally:
        shutil.rmtree(sampler.output.parent, ignore_errors=True)
    return summarise(lines, updates, seconds)


def summarise(collapsed: list[str], updates: int, seconds: float) -> list[str]:
    """Where the bot's time goes, from py-spy's collapsed stacks (`--idle --threads`).

    The bot handles one update at a time, so shares of the wall time (the event loop
    thread's samples) are shares of the time of an update (`seconds` / `updates`). A sample
    is busy unless its thread waits for work: the event loop in select(), a worker thread for
    its next job. Cumulative: a frame counts once a busy sample (the roots every sample of a
    thread has are left out); self: the innermost frame, also summed by layer."""
    wall = loop_busy = 0
    cumulative: Counter[str] = Counter()
    ours: Counter[str] = Counter()  # cumulative, frames of our own packages only
    own: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    work: Counter[str] = Counter()  # busy worker samples by what the thread was given
    for line in collapsed:
        stack, _, count_text = line.rpartition(" ")
        thread, _, rest = stack.partition(";")
        if not rest or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame(frame) for frame in rest.split(";")]
        is_loop = "MainThread" in thread
        wall += count if is_loop else 0
        if frames[-1].startswith(IDLE) or any(f.endswith(OWN_THREAD) for f in frames):
            continue  # waiting for work, or this benchmark's own thread
        if is_loop:
            loop_busy += count
        else:
            jobs = [f for f in frames if not f.endswith(PROFILE_ROOTS)]
            job = jobs[0] if jobs else frames[-1]
            work[HANDING_BACK if job.endswith("(concurrent/futures/_base.py)") else job] += count
        for frame in {f for f in frames if not f.endswith(PROFILE_ROOTS)}:
            cumulative[frame] += count
            if _layer(frame).endswith("/"):
                ours[frame] += count
        own[frames[-1]] += count
        layers[_layer(frames[-1])] += count
    if not wall or not updates:
        return ["profile: no samples"]
    per_update = seconds / updates * 1000  # ms of wall time an update

    def share(count: int) -> str:
        return f"{100 * count / wall:4.1f}% {count / wall * per_update:5.2f} ms"

    lines = [
        f"profile (py-spy {PROFILE_RATE} Hz, all threads, {seconds:.0f} s, {updates} updates, "
        f"{per_update:.1f} ms of wall time an update; shares of it and ms an update): "
        f"event loop busy {share(loop_busy)}, waiting {share(wall - loop_busy)}; "
        "worker threads busy with "
        + ", ".join(f"{job} {share(n)}" for job, n in work.most_common(4)),
        f"top {PROFILE_TOP} frames, cumulative (busy samples of all threads):",
    ]
    lines += [f"  {share(n)} {frame}" for frame, n in cumulative.most_common(PROFILE_TOP)]
    lines += [f"top {PROFILE_TOP} frames of our own code (bot/, dialogs/, storage/), cumulative:"]
    lines += [f"  {share(n)} {frame}" for frame, n in ours.most_common(PROFILE_TOP)]
    lines += [f"top {PROFILE_TOP} frames, self:"]
    lines += [f"  {share(n)} {frame}" for frame, n in own.most_common(PROFILE_TOP)]
    lines += [
        "self time by layer: " + ", ".join(f"{k} {share(n)}" for k, n in layers.most_common())
    ]
    return lines


def _frame(raw: str) -> str:
    """'function (/path/to/package/file.py:123)' -> 'function (package/file.py)'."""
    name, _, where = raw.partition(" (")
    path = where.removesuffix(")")
    path = path.rpartition(":")[0] or path
    for prefix in PATH_PREFIXES:
        if path.startswith(prefix):
            path = path.removeprefix(prefix)
            break
    return f"{name} ({path})"


def _layer(frame: str) -> str:
    path = frame.rpartition(" (")[2]
    top = path.split("/", 1)[0]
    groups = {
        "telegram": "PTB",
        "httpx": "httpx/httpcore",
        "httpcore": "httpx/httpcore",
        "h11": "httpx/httpcore",
        "anyio": "httpx/httpcore",
        "sqlalchemy": "SQLAlchemy",
        "psycopg": "database driver",
        "sqlite3": "database driver",
        "pydantic": "pydantic",
        "pydantic_core": "pydantic",
        "bot": "bot/",
        "dialogs": "dialogs/",
        "storage": "storage/",
        "reminders": "reminders/",
        "asyncio": "asyncio",
        "json": "json",
    }
    return groups.get(top, "other")


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str | None]:
    """A fresh, empty database: a SQLite file in `folder`, or a PostgreSQL schema of its own
    (dropped afterwards); None when no PostgreSQL answers."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'throughput-{uuid.uuid4().hex[:8]}.db'}"
    elif postgres_problem():
        yield None
    else:
        with own_schema("bench") as url:
            yield url


# --------------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------------

DATABASES = (("sqlite", "SQLite"), ("postgresql", "PostgreSQL"))


@dataclass(frozen=True)
class Plan:
    """How many clients each kind of run has."""

    lifted: int  # saturated, the limiter lifted
    shipped: int  # saturated, the limiter as shipped (0: not run)
    paced: int  # updates paced at `rate`, the limiter as shipped and lifted
    profiled: int  # 0: no profile
    rate: float = PACED_RATE


def plan(smoke: bool) -> Plan:
    if smoke:
        # The saturated run with the limiter as shipped has no code path of its own.
        return Plan(SMOKE_CLIENTS, 0, SMOKE_CLIENTS, 0, SMOKE_RATE)
    return Plan(CLIENTS, SHIPPED_CLIENTS, PACED_CLIENTS, PROFILED_CLIENTS)


def run(smoke: bool) -> Result:
    return asyncio.run(_run(plan(smoke)))


async def _run(sizes: Plan) -> Result:
    figures: list[Figure] = []
    runs: list[Measured] = []
    notes = [
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; the bot in a process of "
        "its own, the fake Bot API and the clients in this one, on loopback",
        f"each client: /start, consent, {ANSWERS} typed answers ({2 + ANSWERS} updates). "
        f"Saturated: {sizes.lifted} clients with the limiter lifted, {sizes.shipped} as shipped,"
        f" each sending as soon as answered; paced: {sizes.paced} clients, {sizes.rate:.0f} "
        "updates a second, limiter as shipped and lifted",
        "update to reply: from the getUpdates answer that hands the update to the bot to its "
        "first sendMessage/editMessageText; saturated, this includes waiting behind the updates "
        "ahead of it in the same batch (up to 100). Own time: from the bot starting on the "
        "update to that reply",
    ]
    with tempfile.TemporaryDirectory(prefix="throughput-") as folder:

        async def each_database(label: str, limiter: Limiter, clients: int, **how: Any) -> None:
            for kind, name in DATABASES:
                with database(kind, Path(folder)) as url:
                    if url is None:
                        if not any("skipped" in note for note in notes):
                            notes.append(f"{name}: skipped, {postgres_problem()}")
                        continue
                    measured = await measure(
                        f"{name}, {label}", "krachtwerk", limiter, clients, database_url=url, **how
                    )
                runs.append(measured)
                figures.extend(_figures(measured, runs[echo_at], name, label, how.get("rate")))

        saturated: tuple[tuple[Limiter, int], ...] = (
            ("lifted", sizes.lifted),
            ("shipped", sizes.shipped),
        )
        for limiter, clients in [(limiter, n) for limiter, n in saturated if n]:
            label = f"limiter {limiter}"
            echo = await measure(f"echo bot, {label}", "echo", limiter, clients)
            echo_at = len(runs)
            runs.append(echo)
            figures.append(Figure(f"echo bot, {label}: updates/s", echo.rate, "updates/s"))
            if limiter == "lifted":
                updater = await measure(
                    f"echo bot on PTB's Updater, {label}",
                    "echo",
                    limiter,
                    clients,
                    polling="updater",
                )
                runs.append(updater)
                figures.append(
                    Figure(updater.label + ": updates/s", updater.rate, "updates/s", echo.rate)
                )
            await each_database(label, limiter, clients)
        # Paced as shipped, and with the limiter lifted: our own latency apart from the
        # waits Telegram's 30 messages a second imposes when the clients' replies bunch up.
        for limiter in ("shipped", "lifted"):
            label = f"{sizes.rate:.0f} updates/s, limiter {limiter}"
            echo_at = len(runs)
            runs.append(
                await measure(f"echo bot, {label}", "echo", limiter, sizes.paced, rate=sizes.rate)
            )
            await each_database(label, limiter, sizes.paced, rate=sizes.rate)
        if sizes.profiled:
            with database("sqlite", Path(folder)) as url:
                runs.append(
                    await measure(
                        "SQLite, limiter lifted, profiled",
                        "krachtwerk",
                        "lifted",
                        sizes.profiled,
                        database_url=url,
                        profile=True,
                    )
                )
    notes += [_describe(measured) for measured in runs]
    for measured in runs:
        notes += measured.profile
    return Result("throughput", figures, notes)


def _figures(
    measured: Measured, echo: Measured, name: str, label: str, rate: float | None
) -> list[Figure]:
    prefix = f"{name}, {label}:"
    latency = f"< {TARGET_P99_MS:.0f} ms"
    p50 = Figure(f"{prefix} p50 update to reply", measured.p50_ms, "ms", echo.p50_ms)
    p99 = Figure(
        f"{prefix} p99 update to reply",
        measured.p99_ms,
        "ms",
        echo.p99_ms,
        latency,
        measured.p99_ms < TARGET_P99_MS,
    )
    if rate is not None:  # paced: the rate is given, only the latency tells
        return [p50, p99]
    return [
        Figure(
            f"{prefix} updates/s",
            measured.rate,
            "updates/s",
            echo.rate,
            f">= {TARGET_RATIO} x baseline",
            measured.rate >= TARGET_RATIO * echo.rate,
        ),
        p50,
        p99,
        Figure(
            f"{prefix} p99 own time",
            measured.own_p99_ms,
            "ms",
            echo.own_p99_ms,
            latency,
            measured.own_p99_ms < TARGET_P99_MS,
        ),
    ]


def _describe(measured: Measured) -> str:
    updates = max(measured.updates, 1)
    per_update = ", ".join(
        f"{method} {count / updates:.2f}"
        for method, count in sorted(measured.calls.items())
        if method != "getUpdates"
    )
    polls = measured.calls.get("getUpdates", 0)
    sql = ""
    if measured.statements:
        sql = (
            f"; SQL an update: {measured.statements / updates:.1f} statements, "
            f"{measured.commits / updates:.1f} commits of {measured.commit_ms:.2f} ms "
            f"(p99 {measured.commit_p99_ms:.1f} ms)"
        )
    trouble = ""
    if measured.errors or measured.rejected:
        trouble = f"; {measured.errors} errors logged, {measured.rejected} calls rejected"
    others = max(0.0, measured.machine_busy * (os.cpu_count() or 1) - measured.bot_cpu)
    others = max(0.0, others - measured.driver_cpu)
    return (
        f"{measured.label}: {measured.updates} updates in {measured.seconds:.1f} s "
        f"= {measured.rate:.0f}/s; update to reply p50 {measured.p50_ms:.1f} ms, "
        f"p99 {measured.p99_ms:.1f} ms; own time p50 {measured.own_p50_ms:.1f} ms, "
        f"p99 {measured.own_p99_ms:.1f} ms; the bot on an update {measured.handling_ms:.2f} ms "
        f"(mean); calls an update: {per_update}; {updates / max(polls, 1):.0f} updates a poll"
        f"{sql}; CPU, in cores: bot {measured.bot_cpu:.2f}, fake and clients "
        f"{measured.driver_cpu:.2f}, everything else (database server, other processes) "
        f"{others:.2f}{trouble}"
    )
