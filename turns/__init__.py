"""Turns: the unit of work of every channel. Load what a turn needs, step the engine, store what
it decided, commit, and hand the outputs to the channel that sends them.

Telegram (bot/), the terminal chat, the reminder clock, the counsellor's desk and the team
meeting all go through here; none of them opens a transaction of its own. The engine
(dialogs/) stays pure, the repositories (storage/) know no engine, and the clock (reminders/)
only wakes a turn up.
"""
