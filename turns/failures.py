"""Running a unit of work off the event loop, with a few more tries while the database is
briefly away, and logging a failure with enough to fix it and nothing a client wrote."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError, SQLAlchemyError

log = logging.getLogger(__name__)
T = TypeVar("T")
DATABASE_RETRIES = 3
DATABASE_BACKOFF = 1.0  # seconds, doubled after each failure


async def unit_of_work(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a unit of work in a worker thread; a database that is briefly unavailable (locked,
    a connection dropped) gets a few more tries before the update counts as failed. Until
    then the update is not confirmed to Telegram, so even a crash meanwhile loses nothing."""
    for attempt in range(DATABASE_RETRIES + 1):
        try:
            return await asyncio.to_thread(work, *args, **kwargs)
        except OperationalError as error:
            if attempt == DATABASE_RETRIES:
                raise
            log.warning("database unavailable (%s), retrying", type(error.orig).__name__)
            await asyncio.sleep(DATABASE_BACKOFF * 2**attempt)
    raise AssertionError("unreachable")


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
