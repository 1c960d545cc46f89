"""Running units of work off the event loop: side by side where the database allows it, tried
again while the database is away, and a failure logged with enough to fix it and nothing a
client wrote."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")
DATABASE_RETRIES = 3  # quick tries before the update counts as waiting for the database
DATABASE_BACKOFF = 1.0  # seconds, doubled after each failure
DATABASE_BACKOFF_MAX = 30.0
# Units of work at once on PostgreSQL: two, so that one waiting for a locked row (another
# process in that client's turn) does not hold up the rest. More do not pay while one process
# works under one GIL: saturated with 600 clients on 2 cores, 1 gave 59 updates/s (p99 2.0 s),
# 2 gave 52/s (p99 2.8 s), 4 gave 44/s with a p99 of 18.7 s (bench/README.md).
SIDE_BY_SIDE = 2
Waiting = Callable[[], Awaitable[None]]


async def unit_of_work(
    work: Callable[..., T], *args: Any, waiting: Waiting | None = None, **kwargs: Any
) -> T:
    """Run a unit of work in a worker thread; a database that is briefly unavailable (locked,
    a connection dropped) gets a few more tries. With `waiting`, a database that stays away is
    waited for as long as it takes: `waiting` is called once (to tell the person), and the
    update stays unconfirmed to Telegram until its unit of work has committed. Without it,
    the failure is raised after the few tries."""
    backoff = DATABASE_BACKOFF
    for attempt in range(DATABASE_RETRIES + 1):
        try:
            return await asyncio.to_thread(work, *args, **kwargs)
        except OperationalError as error:
            if attempt == DATABASE_RETRIES and waiting is None:
                raise
            log.warning("database unavailable (%s), retrying", type(error.orig).__name__)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, DATABASE_BACKOFF_MAX)
    assert waiting is not None
    await waiting()
    while True:
        try:
            return await asyncio.to_thread(work, *args, **kwargs)
        except OperationalError as error:
            log.warning(
                "database still unavailable (%s), retrying in %.0f s",
                type(error.orig).__name__,
                backoff,
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, DATABASE_BACKOFF_MAX)


class Gate:
    """How many units of work run at once: one on SQLite, which has one writer (the others
    would wait inside SQLite, polling for its lock), SIDE_BY_SIDE on PostgreSQL, whose row
    locks keep each client's turns in order."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        bind = sessions.kw.get("bind")
        sqlite = isinstance(bind, Engine) and bind.dialect.name == "sqlite"
        self.semaphore = asyncio.Semaphore(1 if sqlite else SIDE_BY_SIDE)

    async def run(
        self, work: Callable[..., T], *args: Any, waiting: Waiting | None = None, **kwargs: Any
    ) -> T:
        async with self.semaphore:
            return await unit_of_work(work, *args, waiting=waiting, **kwargs)


def log_failure(what: str, error: BaseException | None) -> None:
    """Log a failure with enough to fix it. A database error's message can quote what a
    client wrote (PostgreSQL names the values of a violated key), so for those only the
    error's type, its SQLSTATE and where it happened are logged."""
    if not isinstance(error, SQLAlchemyError):
        log.error("%s failed: %s", what, type(error).__name__, exc_info=error)
        return
    cause = getattr(error, "orig", None)
    where = "".join(traceback.format_tb(error.__traceback__)) if error.__traceback__ else ""
    log.error(
        "%s failed: %s (%s, SQLSTATE %s)\n%s",
        what,
        type(error).__name__,
        type(cause).__name__,
        getattr(cause, "sqlstate", None),
        where,
    )
