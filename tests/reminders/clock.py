"""A clock for the reminder service that a test moves by hand: no test waits for real time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.outbox import SWEEP_JOB as OUTBOX_SWEEP
from reminders import SWEEP_JOB


class ManualClock:
    """Keeps wake-ups by name, like the JobQueue; `run_due` runs those whose time has come."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self.timers: dict[str, tuple[datetime, Callable[[], Awaitable[None]]]] = {}

    def now(self) -> datetime:
        return self._now()

    def wake_at(self, when: datetime, name: str, callback: Callable[[], Awaitable[None]]) -> None:
        self.timers[name] = (when, callback)

    def cancel(self, name: str) -> None:
        self.timers.pop(name, None)

    def when(self, name: str) -> datetime | None:
        timer = self.timers.get(name)
        return None if timer is None else timer[0]

    async def run_due(self) -> int:
        """Run every wake-up that is due, earliest first, including ones they schedule; how
        many reminders and digests woke (the housekeeping wake-ups run too but are not
        counted: the sweep, which only puts reminders on the clock, and the outbox's sweep)."""
        ran = 0
        while due := sorted(
            (when, name) for name, (when, _) in self.timers.items() if when <= self.now()
        ):
            _, name = due[0]
            _, callback = self.timers.pop(name)
            await callback()
            ran += name not in (SWEEP_JOB, OUTBOX_SWEEP)
        return ran
