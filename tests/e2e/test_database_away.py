"""A database that is away for a while (a restart, a fail-over) loses no update: the client
hears once that they will be answered, and they are, once it is back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from tests.e2e.harness import RunningBot, TelegramUser
from tests.e2e.test_inventory import stored_answers
from turns.failures import DATABASE_RETRIES

WAITING = (
    "Ik heb je bericht. Ik kan het nu even niet verwerken, maar ik antwoord je zodra het weer "
    "kan. Je hoeft het niet opnieuw te sturen."
)


async def test_a_database_away_for_a_while_loses_no_update(
    bot: RunningBot, ana: TelegramUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    monkeypatch.setattr("turns.failures.DATABASE_BACKOFF", 0.0)  # no test waits for real time
    assert bot.runtime is not None
    conversations = bot.runtime.conversations
    handle, tries = conversations.handle, 0

    def away_for_a_while(*args: Any, **kwargs: Any) -> Any:
        nonlocal tries
        tries += 1
        if tries <= DATABASE_RETRIES + 10:
            raise OperationalError("BEGIN", {}, ConnectionRefusedError())
        return handle(*args, **kwargs)

    monkeypatch.setattr(conversations, "handle", away_for_a_while)
    replies = await ana.send("Een eigen kamer")
    # Told once, however long it took; then answered, as if nothing had happened.
    assert replies == [WAITING, "Domein 1 van 8 · 🏠 Wonen\n\nHoe woon je nu? Wat gaat daar goed?"]
    assert stored_answers(bot, ana) == {"inventory.housing.wish": "Een eigen kamer"}
