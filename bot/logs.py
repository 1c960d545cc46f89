"""Logging set-up. Logs carry ids and causes, never what a client wrote."""

from __future__ import annotations

import logging

# httpx and httpcore log request URLs, which hold the bot token; PTB at debug level logs whole
# updates, which hold what clients wrote. However verbose our own logs, these stay quiet.
QUIET_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "telegram": logging.INFO}


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(logging.getLevelName(level), floor))
