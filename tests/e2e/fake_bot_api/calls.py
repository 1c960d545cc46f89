"""What a call to the fake is, and how a test keeps one waiting (`FakeBotAPI.hold`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart/form-data request."""

    part_name: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ApiCall:
    """One valid Bot API call, with its parameters decoded according to the spec."""

    method: str
    params: dict[str, Any]
    # Parameters the spec does not know; Telegram silently ignores them, so a typo in a
    # parameter name would otherwise go unnoticed.
    ignored: tuple[str, ...] = ()


class HoldOutcome(StrEnum):
    """How a held call ended."""

    ANSWERED = "answered"  # released, then handled like any call: its effect and its answer
    ABANDONED = "abandoned"  # its client went away (or the fake stopped) first: no effect at all


class Hold:
    """One call that the fake keeps waiting: made by `FakeBotAPI.hold`, which says what it does.

    ``arrived()`` tells when the call is held (the bot is in the middle of it), ``release()``
    lets it go on, ``ended()`` tells how it ended.
    """

    def __init__(self, method: str, where: Callable[[dict[str, Any]], bool] | None) -> None:
        self.method = method
        self.call: ApiCall | None = None  # the held call, once it arrived
        self.outcome: HoldOutcome | None = None  # once it ended
        self._where = where
        self._arrived = asyncio.Event()
        self._released = asyncio.Event()
        self._ended = asyncio.Event()

    def __repr__(self) -> str:
        state = self.outcome or ("held" if self.call else "waiting for a call")
        return f"<Hold {self.method}: {state}>"

    async def arrived(self, within: float = 5.0) -> ApiCall:
        """Wait until a call is held, and return it; TimeoutError if none came ``within``."""
        if not await happened(self._arrived, within):
            raise TimeoutError(f"no {self.method} call to hold within {within} s")
        assert self.call is not None
        return self.call

    def release(self) -> None:
        """Let the held call go on; before one arrived, the call to come will not wait."""
        self._released.set()

    async def ended(self, within: float = 5.0) -> HoldOutcome:
        """Wait until the held call is over: answered after release, or abandoned."""
        if not await happened(self._ended, within):
            state = "still held" if self.call else "never arrived"
            raise TimeoutError(
                f"the held {self.method} call did not end within {within} s ({state})"
            )
        assert self.outcome is not None
        return self.outcome

    def _catches(self, call: ApiCall) -> bool:
        return call.method == self.method and (self._where is None or self._where(call.params))

    def _arrive(self, call: ApiCall) -> None:
        self.call = call
        self._arrived.set()

    def _end(self, outcome: HoldOutcome) -> None:
        if self.outcome is None:
            self.outcome = outcome
            self._ended.set()


async def happened(event: asyncio.Event, within: float) -> bool:
    """Wait up to ``within`` seconds for ``event``; whether it is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), within)
    return event.is_set()


class Pulse:
    """Something that happens again and again (an update queued, a call recorded).

    Its event is replaced after every set(): waiters hold the old one, so a set() wakes each
    once.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        """Wake everyone waiting now."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, within: float) -> None:
        """Wait for the next fire(), up to ``within`` seconds."""
        await happened(self._event, within)
