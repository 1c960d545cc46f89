"""PTB's JobQueue as the reminders' clock: wake-ups land at the right time, by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram.ext import ApplicationBuilder

from bot.jobs import JobQueueClock


async def nothing() -> None:
    """A wake-up that does nothing; these tests only look at when it is due."""


async def test_a_wake_up_is_a_job_at_that_moment_and_a_second_replaces_it() -> None:
    application = ApplicationBuilder().token("123:test").build()
    job_queue = application.job_queue
    assert job_queue is not None
    await job_queue.start()
    try:
        soon = datetime.now(UTC) + timedelta(hours=1)
        clock = JobQueueClock(job_queue, lambda: soon - timedelta(hours=1))
        clock.wake_at(soon, "reminder-1", nothing)
        (job,) = job_queue.get_jobs_by_name("reminder-1")
        assert job.next_t == soon
        clock.wake_at(soon + timedelta(days=1), "reminder-1", nothing)  # moved
        (job,) = job_queue.get_jobs_by_name("reminder-1")
        assert job.next_t == soon + timedelta(days=1)
        clock.cancel("reminder-1")
        clock.cancel("reminder-1")  # cancelling twice is harmless
        assert job_queue.get_jobs_by_name("reminder-1") == ()
    finally:
        await job_queue.stop()
