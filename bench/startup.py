"""Benchmark 4: start-up with 100,000 pending reminders.

The bot runs as `python -m bot run`, a process of its own, against the fake Bot API in this
process (TELEGRAM_API_BASE_URL), on a database seeded beforehand with bulk inserts: 20,000
clients with five open steps each and, for each step, a reminder due somewhere in the next
eight weeks (daytime, whole minutes). One update is waiting before the process starts; the
clock runs from the start of the process until the reply reaches the fake. Peak memory is the
process's high-water mark (VmHWM), read once the reply is there. The baseline is the same
database without reminders. A first, unmeasured start compiles the byte-code (into a cache of
the benchmark's own, as an installed bot has it), and a separate run is sampled with py-spy to
show where start-up time goes.

`BENCH_DATABASE=postgresql` runs it on PostgreSQL instead of a SQLite file (bench.reminders).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import re
import signal
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete

from bench.core import Figure, Result
from bench.reminders import (
    FIRST_CHAT,
    Profile,
    bench_database,
    database_kind,
    launch_bot,
    machine,
    py_spy_record,
    seed,
    stop,
)
from bot.runtime import utc_now
from storage import make_engine
from storage.models import Base, ProcessedUpdate, Reminder
from tests.e2e.fake_bot_api import FakeBotAPI

REMINDERS = 100_000
SMOKE_REMINDERS = 1_000
PER_CLIENT = 5  # open steps, each with a reminder
SPREAD = timedelta(weeks=8)
TARGET_SECONDS = 5.0
TARGET_MB = 300.0
STRANGER = FIRST_CHAT - 7  # who writes to the bot as it starts
REPEATS = 3  # starts measured each way; the median is the figure
GIVE_UP = 120.0  # seconds: a start-up that takes longer is reported as not finished


@dataclass(frozen=True)
class Start:
    seconds: float | None  # process start to the reply at the fake; None: no reply
    peak_mb: float  # VmHWM once the reply was there
    on_clock: str  # what the bot logged about its reminders at start-up


def run(smoke: bool) -> Result:
    """Start the bot on REMINDERS (SMOKE_REMINDERS) pending reminders and on none."""
    if smoke:
        return asyncio.run(_run(SMOKE_REMINDERS, repeats=1))
    return asyncio.run(_run(REMINDERS, repeats=REPEATS))


async def _run(count: int, repeats: int) -> Result:
    clients = count // PER_CLIENT
    with bench_database() as url:
        now = utc_now().replace(second=0, microsecond=0)
        await asyncio.to_thread(seed, url, clients, PER_CLIENT, _spread(now), now)
        await _start(url)  # unmeasured: compiles the byte-code, warms the file cache
        starts = [await _start(url) for _ in range(repeats)]
        profile = await _profile(url)
        await asyncio.to_thread(_delete, url, Reminder)
        baseline = [await _start(url) for _ in range(repeats)]
        kind = database_kind(url)
    with_reminders, without = _median(starts), _median(baseline)
    figures = [
        Figure(
            f"time to the first answer, {count:,} reminders pending",
            _rounded(with_reminders.seconds),
            "s",
            baseline=_rounded(without.seconds),
            target=f"< {TARGET_SECONDS:.0f} s",
            met=with_reminders.seconds is not None and with_reminders.seconds < TARGET_SECONDS,
        ),
        Figure(
            f"peak memory, {count:,} reminders pending",
            round(with_reminders.peak_mb, 1),
            "MB",
            baseline=round(without.peak_mb, 1),
            target=f"< {TARGET_MB:.0f} MB",
            met=with_reminders.peak_mb < TARGET_MB,
        ),
    ]
    notes = [
        f"{count:,} reminders for {clients:,} clients ({PER_CLIENT} open steps each), due over "
        f"the next {SPREAD.days // 7} weeks; baseline: the same clients and steps, no "
        f"reminders; {kind}; {machine()}",
        "`python -m bot run` as its own process, one update waiting as it starts; time from "
        "the process's start (interpreter, imports with byte-code cached, migrations check, "
        "post_init) to the reply at the fake; memory is VmHWM",
        f"median of {repeats} starts each; with reminders {_seconds(starts)}, "
        f"{_megabytes(starts)}; without {_seconds(baseline)}, {_megabytes(baseline)}",
        f"at start-up, with reminders: {with_reminders.on_clock}; without: {without.on_clock}",
        "profile of a start-up with reminders (py-spy, self time): " + "; ".join(profile.top()),
        "profile (our innermost frames): " + "; ".join(profile.top_ours()),
    ]
    return Result("start-up", figures, notes)


def _spread(now: datetime) -> Callable[[int, int], datetime]:
    """Due moments over the next SPREAD, at whole minutes between 08:00 and 21:00 UTC."""
    rng = random.Random(4)
    days = SPREAD.days

    def due(_client: int, _step: int) -> datetime:
        day = now.replace(hour=0, minute=0) + timedelta(days=rng.randrange(1, days + 1))
        return day + timedelta(minutes=rng.randrange(8 * 60, 21 * 60))

    return due


def _delete(url: str, *models: type[Base]) -> None:
    """Delete every row of these tables."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for model in models:
                connection.execute(delete(model))
    finally:
        engine.dispose()


async def _start(url: str) -> Start:
    """Start `python -m bot run` with one update waiting; time and memory until the reply."""
    # Each fake numbers its updates from 1: the bot would take this one for one it had.
    await asyncio.to_thread(_delete, url, ProcessedUpdate)
    with tempfile.TemporaryDirectory(prefix="krachtwerk-start-") as folder:
        log_path = Path(folder) / "bot.log"
        async with FakeBotAPI() as fake:
            fake.push_update(fake.message_update(user_id=STRANGER, text="/start"))
            with log_path.open("wb") as log:
                began = time.perf_counter()
                process = await launch_bot(fake, url, Path(folder), log)
                try:
                    seconds: float | None = None
                    with contextlib.suppress(TimeoutError):
                        await fake.wait_for_call("sendMessage", within=GIVE_UP)
                        seconds = time.perf_counter() - began
                    peak = _peak_mb(process.pid)
                finally:
                    await stop(process)
        return Start(seconds, peak, _on_clock(log_path.read_text(errors="replace")))


async def _profile(url: str) -> Profile:
    """The same start-up, launched by py-spy, which samples it from the first instruction."""
    await asyncio.to_thread(_delete, url, ProcessedUpdate)
    profile = Profile()
    with tempfile.TemporaryDirectory(prefix="krachtwerk-profile-") as folder:
        output = Path(folder) / "profile.txt"
        command = py_spy_record(output, rate=250)
        if not command:
            return profile
        async with FakeBotAPI() as fake:
            fake.push_update(fake.message_update(user_id=STRANGER, text="/start"))
            with (Path(folder) / "bot.log").open("wb") as log:
                recorder = await launch_bot(fake, url, Path(folder), log, *command, "--")
                try:
                    with contextlib.suppress(TimeoutError):
                        await fake.wait_for_call("sendMessage", within=GIVE_UP)
                finally:
                    for child in _children(recorder.pid):
                        os.kill(child, signal.SIGTERM)  # the bot stops; py-spy writes its output
                    await stop(recorder, signal.SIGINT, grace=30)
        profile.read(output)
    profile.report("the bot's process, from its start to its first answer")
    return profile


def _peak_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children += [int(c) for c in (task / "children").read_text().split()]
    return children


def _on_clock(log: str) -> str:
    found = re.search(r"reminders: [^\n]*", log)
    return found.group(0) if found else "(nothing logged about reminders)"


def _median(starts: list[Start]) -> Start:
    """The start with the median time (no answer counts as slowest), with the median peak."""
    ordered = sorted(starts, key=lambda s: math.inf if s.seconds is None else s.seconds)
    middle = ordered[len(ordered) // 2]
    peak = statistics.median(start.peak_mb for start in starts)
    return Start(middle.seconds, peak, middle.on_clock)


def _seconds(starts: list[Start]) -> str:
    return " s, ".join(f"{_rounded(start.seconds)}" for start in starts) + " s"


def _megabytes(starts: list[Start]) -> str:
    return " MB, ".join(f"{start.peak_mb:.1f}" for start in starts) + " MB"


def _rounded(seconds: float | None) -> float:
    return float("nan") if seconds is None else round(seconds, 2)
