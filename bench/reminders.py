"""Benchmark 3: 10,000 reminders due in the same minute, for 10,000 clients, sent through
Telegram's rate limit.

The real bot, `python -m bot run` (PTB Application with its ChatRateLimiter, reminders on PTB's
JobQueue, i.e. APScheduler), runs as a process of its own against the fake Bot API in this
process, which enforces Telegram's flood limits (30 messages a second overall, one a second per
chat, short bursts) and counts its 429 answers. Its own process, because a fake in the bot's
process would take its CPU and its GIL. The reminders are seeded with bulk inserts (not
measured), all due at one moment half a minute ahead; the bot starts meanwhile and puts them
on its clock. The clock runs from that moment until every reminder is 'sent' in the database
and has reached its chat, exactly once. The bound is what the rate limit allows at best:
count / 30 per second, 333 s for 10,000, so the full run takes about six minutes (a run with
the limit raised would measure our throughput instead, a different question). A client who
writes halfway through is timed too: their answer shares the rate limit with the reminders.
py-spy samples the bot's process meanwhile (all threads; it runs without py-spy too).

`BENCH_DATABASE=postgresql` runs it on PostgreSQL (`TEST_POSTGRES_URL`, else
127.0.0.1:5432/test as postgres, in a schema of its own) instead of a SQLite file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.engine import make_url

from bench import profiling
from bench.core import Figure, Result
from bot.runtime import utc_now
from storage import make_engine, upgrade
from storage.models import Client, Goal, Reminder, Step
from tests.e2e.fake_bot_api import ApiCall, FakeBotAPI, FloodLimits
from tests.postgres import own_schema

COUNT = 10_000
SMOKE_COUNT = 20
LEAD = 30.0  # seconds from seeding to the reminders' due moment: the bot starts meanwhile
SMOKE_LEAD = 6.0
RATE = 30.0  # Telegram's limit for a bot, messages a second: the fake's and PTB's
TOLERANCE = 0.10  # the target: within 10% of the bound
FIRST_CHAT = 100_000  # chat (and Telegram user) id of the first seeded client
REMINDER_MARK = "⏰"  # how a reminder message starts (dialogs/content texts)
REPOSITORY = Path(__file__).resolve().parent.parent
OUR_PACKAGES = ("bot", "dialogs", "storage", "reminders")


# ------------------------------------------------------------------------------- databases


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file in a temporary folder, or with
    BENCH_DATABASE=postgresql a PostgreSQL schema of its own, dropped afterwards."""
    if os.environ.get("BENCH_DATABASE", "sqlite") != "postgresql":
        with tempfile.TemporaryDirectory(prefix="krachtwerk-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    with own_schema("bench") as url:
        yield url


def database_kind(url: str) -> str:
    return make_url(url).get_backend_name()


def seed(
    url: str,
    clients: int,
    reminders_per_client: int,
    due: Callable[[int, int], datetime],
    now: datetime,
) -> None:
    """Migrate, then bulk-insert `clients` consented clients (chat ids from FIRST_CHAT), each
    with one goal and `reminders_per_client` open steps, each step with a scheduled reminder
    due at `due(client_index, step_index)`. No quiet hours, so nothing is moved."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.begin() as connection:
            for start in range(0, clients, 5_000):
                batch = range(start, min(start + 5_000, clients))
                connection.execute(insert(Client), [_client(i, now) for i in batch])
                connection.execute(insert(Goal), [_goal(i, now) for i in batch])
                steps = [(i, s) for i in batch for s in range(reminders_per_client)]
                connection.execute(insert(Step), [_step(i, s, now) for i, s in steps])
                connection.execute(
                    insert(Reminder), [_reminder(i, s, due(i, s), now) for i, s in steps]
                )
        _advance_sequences(engine)
    finally:
        engine.dispose()


def _client(index: int, now: datetime) -> dict[str, Any]:
    return {
        "id": index + 1,
        "channel": "telegram",
        "external_id": str(FIRST_CHAT + index),
        "language": "nl",
        "timezone": "Europe/Amsterdam",
        "consented_at": now,
        "created_at": now,
        "last_seen_at": now,
        "quiet_start": "00:00",  # start == end: no quiet hours
        "quiet_end": "00:00",
    }


def _goal(index: int, now: datetime) -> dict[str, Any]:
    return {
        "id": index + 1,
        "client_id": index + 1,
        "number": 1,
        "text": "Een eigen kamer",
        "status": "open",
        "created_at": now,
    }


def _step(index: int, step: int, now: datetime) -> dict[str, Any]:
    return {
        "client_id": index + 1,
        "number": step + 1,
        "goal_id": index + 1,
        "text": "Woningcorporatie bellen",
        "who": "me",
        "status": "open",
        "created_at": now,
        "updated_at": now,
    }


def _reminder(index: int, step: int, due_at: datetime, now: datetime) -> dict[str, Any]:
    return {
        "client_id": index + 1,
        "step_number": step + 1,
        "kind": "step",
        "due_at": due_at,
        "status": "scheduled",
        "created_at": now,
    }


def _advance_sequences(engine: Engine) -> None:
    # Ids given explicitly do not move PostgreSQL's sequences; the bot's own inserts would
    # collide with them.
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in ("clients", "goals"):
            connection.execute(
                text(
                    f"select setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(select max(id) from {table}))"
                )
            )


# ------------------------------------------------------------------------------- profiling


# Where library frames come from: shown relative to these.
_LIBRARIES = tuple(
    f"{Path(path)}/"
    for path in sorted({sysconfig.get_path("purelib"), sysconfig.get_path("stdlib")})
)


class Profile:
    """Stacks sampled by py-spy (``--format raw``): where a process spent its time."""

    def __init__(self) -> None:
        self.samples: Counter[tuple[str, ...]] = Counter()

    def read(self, path: Path) -> None:
        with contextlib.suppress(OSError):
            for line in path.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                if stack and count.isdigit():
                    frames = tuple(f for f in stack.split(";") if not _is_marker(f))
                    self.samples[frames] += int(count)

    def busy(self) -> Counter[tuple[str, ...]]:
        """The samples of threads at work: not an event loop waiting for news, not a worker
        thread waiting for a job (py-spy cannot always tell these are idle)."""
        return Counter(
            {frames: n for frames, n in self.samples.items() if frames and not _waits(frames[-1])}
        )

    def top(self, count: int = 6) -> list[str]:
        """The frames the process spent most busy samples in (self time), with their share."""
        busy = self.busy()
        total = sum(busy.values())
        if not total:
            return ["no samples (py-spy missing or not permitted)"]
        own: Counter[str] = Counter()
        for frames, n in busy.items():
            own[_short(frames[-1])] += n
        return [f"{n / total:.1%} {frame}" for frame, n in own.most_common(count)]

    def top_ours(self, count: int = 6) -> list[str]:
        """The innermost frames of our own code (bot, dialogs, storage, reminders) on the
        busy stacks, with the share of busy samples under them."""
        busy = self.busy()
        total = sum(busy.values()) or 1
        ours: Counter[str] = Counter()
        for frames, n in busy.items():
            inner = next((f for f in reversed(frames) if _is_ours(f)), None)
            if inner is not None:
                ours[_short(inner)] += n
        return [f"{n / total:.1%} {frame}" for frame, n in ours.most_common(count)]

    def report(self, title: str) -> None:
        """Hand the profile to `python -m bench --profile` (nothing without it)."""
        if profiling.enabled():
            lines = [f"=== {title} (py-spy, all threads, busy samples) ===", "Self time:"]
            lines += self.top(25)
            lines += ["", "Our innermost frames:", *self.top_ours(25)]
            profiling.report("\n".join(lines))


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def py_spy_record(output: Path, rate: int) -> list[str]:
    """The py-spy command line that records raw stacks of all threads (not idle ones)."""
    executable = py_spy()
    if executable is None:
        return []
    return [
        executable,
        "record",
        "--rate",
        str(rate),
        "--format",
        "raw",
        "--full-filenames",
        "--nonblocking",
        "--output",
        str(output),
    ]


class Sampler(Profile):
    """py-spy attached to a running process while the block runs. Nothing happens where
    py-spy is not installed."""

    def __init__(self, pid: int, rate: int = 50) -> None:
        super().__init__()
        self.pid = pid
        self.rate = rate
        self.output = Path(tempfile.mkstemp(prefix="bench-profile-", suffix=".txt")[1])
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Sampler:
        command = py_spy_record(self.output, self.rate)
        if command:
            self.process = subprocess.Popen(
                [*command, "--pid", str(self.pid)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.3)  # attached before the measured part begins
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.read(self.output)
        self.output.unlink(missing_ok=True)


def _is_marker(frame: str) -> bool:
    # With --threads or --subprocesses, py-spy puts these at the root of a stack.
    return frame.startswith(("process ", "thread ("))


def _waits(frame: str) -> bool:
    name, _, where = frame.partition(" (")
    return (
        ("/selectors.py:" in where and name.endswith(".select"))
        or ("/concurrent/futures/thread.py:" in where and name == "_worker")
        or ("/threading.py:" in where and name.endswith(".wait"))
    )


def _is_ours(frame: str) -> bool:
    _, _, where = frame.partition(" (")
    return any(where.startswith(f"{REPOSITORY / package}/") for package in OUR_PACKAGES)


def _short(frame: str) -> str:
    """ "fire (/work/main/reminders/service.py:165)" -> "fire (reminders/service.py:165)" """
    name, _, where = frame.partition(" (")
    where = where.removesuffix(")")
    for root in (*_LIBRARIES, f"{REPOSITORY}/"):
        if where.startswith(root):
            return f"{name} ({where.removeprefix(root)})"
    return f"{name} ({'/'.join(Path(where).parts[-2:])})"


def machine() -> str:
    """The machine, and how busy it was (other work skews timings on few CPUs)."""
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )


# ------------------------------------------------------------------------------- the bot


BYTECODE = Path(tempfile.gettempdir()) / "krachtwerk-bench-bytecode"


def bot_environment(fake: FakeBotAPI, url: str) -> dict[str, str]:
    """`python -m bot run` against the fake, on `url`, logging at INFO (the default)."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **environment,
        # Byte-code cached, as for an installed bot, in a folder of its own (no __pycache__
        # folders in the repository or the virtual environment).
        "PYTHONPYCACHEPREFIX": str(BYTECODE),
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": url,
        "LOG_LEVEL": "INFO",
    }


async def launch_bot(
    fake: FakeBotAPI, url: str, folder: Path, log: IO[bytes], *prefix: str
) -> asyncio.subprocess.Process:
    """`[prefix...] python -m bot run` in `folder` (no developer's .env there), its output
    to `log`."""
    return await asyncio.create_subprocess_exec(
        *prefix,
        sys.executable,
        "-m",
        "bot",
        "run",
        env=bot_environment(fake, url),
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def stop(
    process: asyncio.subprocess.Process, how: signal.Signals = signal.SIGTERM, grace: float = 0
) -> None:
    """Wait `grace` seconds for the process to end by itself, then send `how` (SIGTERM, as a
    service manager would); one that still does not stop is killed."""
    for signum in (None, how, signal.SIGKILL):
        if signum is not None and process.returncode is None:
            process.send_signal(signum)
        try:
            await asyncio.wait_for(process.wait(), grace if signum is None else 30)
            return
        except TimeoutError:
            continue


# ------------------------------------------------------------------------------- the run


@dataclass
class Progress:
    """What the watcher saw while the reminders went out (perf_counter times)."""

    launched: float = 0.0  # the bot's process started
    ready: float | None = None  # its first getUpdates: reminders on the clock, polling
    due: float = 0.0  # the moment the reminders were due
    first: float | None = None  # the first reminder at the fake
    done: float | None = None  # all sent in the database and received
    received: int = 0  # reminders the fake received
    most_in_flight: int = 0  # most rows 'sending' at once (claimed, not yet settled)
    reply: float | None = None  # seconds for a client's answer halfway through


def run(smoke: bool) -> Result:
    """Send COUNT (SMOKE_COUNT) reminders due at once; time against count / 30 s."""
    count = SMOKE_COUNT if smoke else COUNT
    return asyncio.run(_run(count, lead=SMOKE_LEAD if smoke else LEAD))


async def _run(count: int, lead: float) -> Result:
    with bench_database() as url, tempfile.TemporaryDirectory(prefix="krachtwerk-") as folder:
        now = utc_now().replace(microsecond=0)
        due = now + timedelta(seconds=lead)  # all in the same second, once the bot is up
        await asyncio.to_thread(seed, url, count, 1, lambda _i, _s: due, now - timedelta(days=1))
        due_in = (due - utc_now()).total_seconds()
        async with FakeBotAPI(flood_limits=FloodLimits(per_second=RATE)) as fake:
            log_path = Path(folder) / "bot.log"
            with log_path.open("wb") as log:
                progress, profile = await _dispatch(fake, url, count, due_in, Path(folder), log)
            exactly_once, sent_rows = await asyncio.to_thread(_tally, fake, url, count)
            throttled = len(fake.throttled)
            problems = _problems(log_path.read_text(errors="replace"))
    bound = count / RATE
    took = (progress.done or time.perf_counter()) - progress.due
    figures = [
        Figure(
            "time to send all reminders",
            round(took, 2),
            "s",
            baseline=round(bound, 2),
            target=f"<= {1 + TOLERANCE:.1f} x bound (count / {RATE:.0f} per s)",
            met=progress.done is not None and took <= bound * (1 + TOLERANCE),
        ),
        Figure(
            "reminders sent exactly once",
            exactly_once,
            "reminders",
            baseline=count,
            target="all",
            met=exactly_once == count,
        ),
        Figure("429 answers", throttled, "answers", target="0", met=throttled == 0),
    ]
    if progress.reply is not None:
        figures.append(Figure("a client's answer during the dispatch", progress.reply, "s"))
    notes = [
        f"{count:,} reminders for {count:,} clients, all due at {due:%H:%M:%S} UTC; "
        f"{database_kind(url)}; {machine()}",
        f"`python -m bot run` as its own process (its ChatRateLimiter at its defaults, 30/s), "
        f"against the fake in the benchmark's process, which enforces {RATE:.0f} messages/s "
        f"(bursts of {RATE:.0f}) and 1/s per chat (bursts of 3); timed from the moment the "
        f"reminders were due until every row was 'sent' and every chat had its reminder",
        f"bot ready (polling, reminders on the clock) {_after(progress.ready, progress.launched)}"
        f" after its start, {_after(progress.due, progress.ready)} before they were due; first "
        f"reminder at the fake {_after(progress.first, progress.due)} after; rows 'sent': "
        f"{sent_rows:,}; most rows claimed at once: {progress.most_in_flight}; "
        f"problems logged: {problems}",
        "profile of the bot (py-spy, all threads, self time): " + "; ".join(profile.top()),
        "profile (our innermost frames): " + "; ".join(profile.top_ours()),
    ]
    if progress.done is None:
        notes.append(
            f"NOT FINISHED: gave up waiting with {progress.received:,} reminders received; "
            "the figures above are what was reached"
        )
    return Result("reminders", figures, notes)


async def _dispatch(
    fake: FakeBotAPI, url: str, count: int, due_in: float, folder: Path, log: IO[bytes]
) -> tuple[Progress, Profile]:
    """Start the bot, wait until every reminder is sent and received; stop the bot."""
    loop = asyncio.get_running_loop()
    progress = Progress(launched=time.perf_counter())
    progress.due = progress.launched + due_in
    process = await launch_bot(fake, url, folder, log)
    database = make_engine(url)
    reply: asyncio.Task[float] | None = None
    seen = 0  # fake.calls looked at so far
    try:
        with contextlib.suppress(TimeoutError):
            await fake.wait_for_call("getUpdates", within=max(due_in, 60))
            progress.ready = time.perf_counter()
        with Sampler(process.pid) as profile:
            await asyncio.sleep(max(0.0, progress.due - time.perf_counter()))
            deadline = progress.due + 3 * count / RATE + 120
            while time.perf_counter() < deadline and process.returncode is None:
                calls = fake.calls[seen:]
                seen += len(calls)
                progress.received += sum(1 for call in calls if _is_reminder(call))
                if progress.received and progress.first is None:
                    progress.first = time.perf_counter()
                if reply is None and progress.received >= count // 2:
                    reply = loop.create_task(_time_a_reply(fake))
                sending, sent = await asyncio.to_thread(_row_counts, database)
                progress.most_in_flight = max(progress.most_in_flight, sending)
                if progress.received >= count and sent >= count:
                    progress.done = time.perf_counter()
                    break
                await asyncio.sleep(0.1)
            if reply is not None:
                progress.reply = round(await asyncio.wait_for(reply, 60), 2)
    finally:
        await stop(process)
        database.dispose()
    profile.report("the bot's process while the reminders went out")
    return progress, profile


def _is_reminder(call: ApiCall) -> bool:
    text = str(call.params.get("text", ""))
    return call.method == "sendMessage" and text.startswith(REMINDER_MARK)


def _row_counts(database: Engine) -> tuple[int, int]:
    """Rows being sent, rows sent (of the seeded step reminders)."""
    with database.connect() as connection:
        rows = dict(
            connection.execute(
                select(Reminder.status, func.count())
                .where(Reminder.kind == "step")
                .group_by(Reminder.status)
            ).all()
        )
    return rows.get("sending", 0), rows.get("sent", 0)


async def _time_a_reply(fake: FakeBotAPI) -> float:
    """A new client says /start while the reminders go out: seconds until the welcome."""
    user = FIRST_CHAT - 1
    begun = time.perf_counter()
    fake.push_update(fake.message_update(user_id=user, text="/start"))
    while True:
        if fake.sent_messages(user):
            return time.perf_counter() - begun
        await asyncio.sleep(0.01)


def _tally(fake: FakeBotAPI, url: str, count: int) -> tuple[int, int]:
    """(clients whose chat got exactly one reminder and whose row is 'sent', rows 'sent')."""
    per_chat = Counter(int(call.params["chat_id"]) for call in fake.calls if _is_reminder(call))
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            sent = {
                int(external_id)
                for (external_id,) in connection.execute(
                    select(Client.external_id)
                    .join(Reminder, Reminder.client_id == Client.id)
                    .where(Reminder.kind == "step", Reminder.status == "sent")
                )
            }
    finally:
        engine.dispose()
    once = sum(1 for i in range(count) if per_chat[FIRST_CHAT + i] == 1 and FIRST_CHAT + i in sent)
    return once, len(sent)


def _problems(log: str) -> str:
    """Warnings and errors in the bot's log, counted by logger (none is the expected case)."""
    found = Counter(
        match.group(2) for match in re.finditer(r" (WARNING|ERROR|CRITICAL) ([\w.]+):", log)
    )
    return ", ".join(f"{n} from {name}" for name, n in found.most_common()) or "none"


def _after(later: float | None, earlier: float | None) -> str:
    if later is None or earlier is None:
        return "(never)"
    return f"{later - earlier:.2f} s"
