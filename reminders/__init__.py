"""Reminders for agreed action steps: APScheduler (PTB's JobQueue) as the clock, the database
as the truth. The service knows nothing of Telegram: the bot passes in how to deliver."""

from reminders.digest import DigestService, next_digest
from reminders.service import SWEEP_JOB, Deliver, Now, ReminderService, WakeClock, job_name
from turns.reminders import Changes, Outcome

__all__ = [
    "SWEEP_JOB",
    "Changes",
    "Deliver",
    "DigestService",
    "Now",
    "Outcome",
    "ReminderService",
    "WakeClock",
    "job_name",
    "next_digest",
]
