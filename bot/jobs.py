"""PTB's JobQueue (APScheduler underneath) as the reminders' clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram.ext import CallbackContext, Job, JobQueue

from reminders import Now


class JobQueueClock:
    """Wakes the reminder service; keeps its jobs by name so moving one is cheap."""

    def __init__(self, job_queue: JobQueue[Any], now: Now) -> None:
        self.job_queue = job_queue
        self._now = now
        self.jobs: dict[str, Job[Any]] = {}

    def now(self) -> datetime:
        return self._now()

    def wake_at(self, when: datetime, name: str, callback: Callable[[], Awaitable[None]]) -> None:
        self.cancel(name)

        async def run(context: CallbackContext[Any, Any, Any, Any]) -> None:
            self.jobs.pop(name, None)
            await callback()

        # No misfire limit: a job that wakes late (a busy loop, a suspended laptop) still runs;
        # the reminder service decides what late means.
        self.jobs[name] = self.job_queue.run_once(
            run, when=when, name=name, job_kwargs={"misfire_grace_time": None}
        )

    def cancel(self, name: str) -> None:
        job = self.jobs.pop(name, None)
        if job is not None:
            job.schedule_removal()
