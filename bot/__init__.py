"""Telegram glue, the terminal chat and the command line (`python -m bot`)."""
