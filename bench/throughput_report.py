"""What the throughput benchmark reports: its figures, each against the echo bot measured in
the same run and with its target, and a note a run with everything measured (rates,
latencies, calls and SQL an update, CPU of the bot, of the fake and clients, of the rest).
"""

from __future__ import annotations

import os

from bench.core import Figure
from bench.run_statistics import Measured

# Updates a second with Telegram's limit lifted, and CPU per update, against the echo bot in
# the same run: the targets of "Every reply delivered once" (a bot that stores every answer
# before it replies, and writes what it sends, cannot be as cheap as one that echoes).
TARGET_RATIO = 0.4
TARGET_CPU_RATIO = 3.0
TARGET_P99_MS = 50.0


def figures_for(
    measured: Measured, echo: Measured, name: str, label: str, rate: float | None
) -> list[Figure]:
    """The figures of a run of the krachtwerk bot on database `name`, against the echo bot's
    run with the same limiter and clients."""
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
        Figure(
            f"{prefix} CPU per update",
            measured.cpu_per_update_ms,
            "ms",
            echo.cpu_per_update_ms,
            f"<= {TARGET_CPU_RATIO} x baseline",
            measured.cpu_per_update_ms <= TARGET_CPU_RATIO * echo.cpu_per_update_ms,
        ),
    ]


def describe(measured: Measured) -> str:
    """A run in one note, with what the figures leave out."""
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
