"""Reminders for agreed action steps: APScheduler as the clock, the database as the truth.

Arrives with the action plan; the strengths inventory sends no reminders.
"""
