"""What one run of the throughput benchmark comes to: update-to-reply and own-time
percentiles from the timestamps of the fake and of the bot process, SQL and commits an update,
and CPU shares of the bot, of this process and of the machine (from /proc, Linux).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.bot_process import BotReport
from bench.simulated_clients import Clients


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

    @property
    def cpu_per_update_ms(self) -> float:
        """CPU time of the bot process for one update, in milliseconds."""
        return 1000 * self.bot_cpu * self.seconds / self.updates if self.updates else 0.0


def compute_measured(
    label: str,
    people: Clients,
    report: BotReport,
    usage: tuple[float, float, float, float],
    rejected: int,
    top: list[str],
) -> Measured:
    """A run from the clients' timestamps and the bot's report; `usage` is what
    `CpuMeter.read` returned, `top` the profile's lines."""
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
        p50_ms=percentile(to_reply, 50),
        p99_ms=percentile(to_reply, 99),
        own_p50_ms=percentile(own, 50),
        own_p99_ms=percentile(own, 99),
        handling_ms=sum(handling) / len(handling) if handling else 0.0,
        calls=dict(people.calls),
        statements=report.statements,
        commits=len(report.commits),
        commit_ms=1000 * sum(report.commits) / max(len(report.commits), 1),
        commit_p99_ms=1000 * percentile(report.commits, 99),
        bot_cpu=usage[0],
        driver_cpu=usage[1],
        machine_busy=usage[2],
        errors=report.errors,
        rejected=rejected,
        profile=top,
    )


def percentile(values: list[float], percent: float) -> float:
    """Nearest rank: the smallest value with at least `percent` % of the values at or below."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


class CpuMeter:
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
