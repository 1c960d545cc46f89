"""(1) Updates a second and time from update to reply, through the whole stack.

The real bot (`build_runtime`, `build_application`, `bot.polling.Poller`, as `python -m bot run`
starts it) runs in a process of its own against the fake Bot API (`tests/e2e/fake_bot_api/`,
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

The rate limiter: the bot ships with `bot.flood.ChatRateLimiter` (Telegram's documented limits:
30 messages a second for the whole bot, 20 a minute in a group, one a second in a chat after a
burst of three), which caps any bot at about 30 replies a second; the echo bot gets PTB's
`AIORateLimiter` (30 a second). Both are measured: *shipped* (fewer clients: the cap, not the
clients, sets the pace) and *lifted*: every limit off, the retry-on-429 logic kept, put in by
replacing the name `bot.telegram.ChatRateLimiter` while `build_application` runs (the echo
bot: `AIORateLimiter(overall_max_rate=0)`).

Finally a shorter saturated SQLite run (limiter lifted) is profiled with py-spy, sampling all
threads of the bot process (the units of work run in worker threads), and where the time of an
update goes is summarised in the notes. py-spy is optional: without it there is no profile.
`python -m bench --profile throughput` profiles this process (the fake and the clients) during
that run with pyinstrument, not the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import profiling
from bench.bot_process import Bot, BotSpec, Limiter, Polling, running
from bench.bot_profile import start_profile, stop_profile
from bench.core import Figure, Result
from bench.run_statistics import CpuMeter, Measured, compute_measured
from bench.simulated_clients import Clients
from bench.throughput_report import describe, figures_for
from tests.e2e.fake_bot_api import FakeBotAPI
from tests.postgres import own_schema, postgres_problem

CLIENTS = 1000  # limiter lifted: 6,000 updates
SHIPPED_CLIENTS = 60  # limiter as shipped: ~30 replies a second whoever sends them
SMOKE_CLIENTS = 5
PACED_RATE = 20.0  # updates a second: two thirds of what Telegram lets a bot send
PACED_CLIENTS = 67  # x 6 updates at 20 a second: 20 s
SMOKE_RATE = 100.0
PROFILED_CLIENTS = 200  # the profiled run (SQLite, limiter lifted): 1,200 updates
ANSWERS = 4  # typed answers a client, after /start and the consent press


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
    async with FakeBotAPI() as fake:
        spec = BotSpec(bot, limiter, polling, fake.base_url, fake.token, database_url)
        async with running(spec) as process:
            people = Clients(fake, clients, ANSWERS, rate)
            sampler = start_profile(process.pid) if profile else None
            if sampler is not None:
                await asyncio.sleep(0.5)  # py-spy attaches
            cpu = CpuMeter(process.pid)
            with profiling.measured() if profile else contextlib.nullcontext():
                people.start()
                await people.until_done(process)
            usage = cpu.read()
            top = ["profile: py-spy not found (pip install py-spy)"] if profile else []
            if sampler is not None:
                top = stop_profile(sampler, people.progress, usage[3])
            report = await process.stop()
        return compute_measured(label, people, report, usage, len(fake.rejected), top)


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
                figures.extend(figures_for(measured, runs[echo_at], name, label, how.get("rate")))

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
    notes += [describe(measured) for measured in runs]
    for measured in runs:
        notes += measured.profile
    return Result("throughput", figures, notes)
