"""Numbers no database column holds, digits that are not ASCII, a due date in the year 9999 and
a NUL byte, over HTTP against the fake Bot API.

`str.isdigit()` is true for "²", and 99999999999999999999 is larger than any BIGINT: either,
read carelessly, would raise deep inside a turn (or in the database driver). Each case here
gets a kind answer, nothing is logged at ERROR, and every answer and plan the client had is
stored as it was. Each case also shows the number that does fit being read, so an assertion
that the big one was refused cannot pass for a reason that has nothing to do with it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import asdict, dataclass
from typing import Any

import pytest

from dialogs.desk.requests import export_button, view_button
from storage import AnswerRepository, ClientRepository, Identity, PlanRepository
from tests.conftest import Clock
from tests.e2e.harness import RunningBot, TelegramUser
from tests.e2e.test_counsellors import ANNA, register

HUGE = "99999999999999999999"  # 20 digits: more than INTEGER and BIGINT hold
SUPERSCRIPT = "²"  # str.isdigit() says yes, int() refuses it
ABOVE_INTEGER = str(2**31)  # one more than the largest INTEGER
ARABIC_THREE = "٣"  # a decimal digit that int() reads as 3
BAD_NUMBERS = (HUGE, SUPERSCRIPT, ABOVE_INTEGER, ARABIC_THREE)

NO_CLIENTS = "Je hebt nog geen gekoppelde cliënten. Maak een uitnodiging met /uitnodiging."
NOT_LINKED = "Die cliënt is niet (meer) met je gekoppeld. Kies opnieuw met /clienten."
WELCOME = "Hoi Anna! Je bent hier als begeleider."
OLD_BUTTON = "Deze knop hoort bij een eerdere vraag."
PLAN_OVERVIEW = "🗂 Mijn plan"
TOO_FAR = "Die dag ligt wel heel ver weg. Kies een dag in de komende 5 jaar."
DUE_QUESTION = "Wanneer wil je deze stap gedaan hebben?"
REMINDER_QUESTION = "Wil je een herinnering? Wanneer?"
FIRST_QUESTION = "Domein 1 van 8 · 🏠 Wonen"
SORRY = "Sorry, er ging iets mis"

Stored = tuple[dict[str, Any], list[Any], list[dict[str, Any]]]


@dataclass(frozen=True)
class Reaction:
    """What the bot did after one update, read from its Bot API calls."""

    texts: list[str]  # messages sent to the chat
    toasts: list[str]  # texts shown under the pressed button
    documents: int  # files sent (an export)


async def react(user: TelegramUser, act: Awaitable[object]) -> Reaction:
    calls = len(user.fake.calls)
    await act
    new = [c for c in user.fake.calls[calls:] if c.params.get("chat_id") in (None, user.user_id)]
    return Reaction(
        texts=[str(c.params["text"]) for c in new if c.method == "sendMessage"],
        toasts=[
            str(c.params["text"])
            for c in new
            if c.method == "answerCallbackQuery" and c.params.get("text")
        ],
        documents=sum(c.method == "sendDocument" for c in new),
    )


def errors(logs: pytest.LogCaptureFixture) -> list[str]:
    """Records at ERROR or above from anything but the test's own fake server."""
    return [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in logs.records
        if r.levelno >= logging.ERROR and not r.name.startswith(("tests.", "aiohttp"))
    ]


def client_id(bot: RunningBot, user: TelegramUser) -> int:
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        client = ClientRepository(session).find(Identity("telegram", str(user.user_id)))
        assert client is not None
        return int(client.id)


def stored(bot: RunningBot, user: TelegramUser) -> Stored:
    """The client's current answers, goals and steps, as the database holds them."""
    assert bot.runtime is not None
    number = client_id(bot, user)
    with bot.runtime.conversations.sessions() as session:
        answers = {
            key: (a.status, a.text, a.choices)
            for key, a in AnswerRepository(session).current(number).items()
        }
        plans = PlanRepository(session)
        goals = [(g.text, g.domain, g.why, g.status) for g in plans.goals(number)]
        return answers, goals, [asdict(s) for s in plans.steps(number)]


@pytest.fixture
def anna(bot: RunningBot) -> TelegramUser:
    """A counsellor, linked with nobody."""
    register(bot, ANNA, "Anna", "Noord")
    return bot.user(ANNA)


@pytest.fixture
async def answered(ana: TelegramUser) -> TelegramUser:
    """Ana has consented and answered the first question of the inventory."""
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    replies = await ana.send("Een eigen kamer")
    assert FIRST_QUESTION in replies[-1]
    return ana


async def due_question(ana: TelegramUser) -> None:
    """From the inventory into /plan, up to the question by when the first step is done."""
    await ana.send("/plan")
    await ana.press("Een eigen kamer")
    await ana.send("Dan heb ik rust")
    await ana.send("Woningcorporatie bellen")
    replies = await ana.press("Ik zelf")
    assert replies[-1] == DUE_QUESTION


async def test_export_with_a_number_no_database_holds_offers_the_list(
    bot: RunningBot,
    anna: TelegramUser,
    answered: TelegramUser,
    logs_as_run: pytest.LogCaptureFixture,
) -> None:
    before = stored(bot, answered)
    await anna.send("/start")
    for number in BAD_NUMBERS:
        reaction = await react(anna, anna.send(f"/export {number}"))
        # Not a client number: the list to pick from (Anna's is empty), no export, no error.
        assert reaction.texts == [NO_CLIENTS], number
        assert reaction.documents == 0
    # A number that fits is read as a client's: Ana's, who is not Anna's client.
    reaction = await react(anna, anna.send(f"/export {client_id(bot, answered)}"))
    assert reaction.texts == [NOT_LINKED]
    assert reaction.documents == 0
    assert stored(bot, answered) == before
    assert errors(logs_as_run) == []


async def test_forged_desk_buttons_with_such_numbers_get_the_welcome(
    bot: RunningBot,
    anna: TelegramUser,
    answered: TelegramUser,
    logs_as_run: pytest.LogCaptureFixture,
) -> None:
    before = stored(bot, answered)
    await anna.send("/start")
    message = anna.messages[-1]
    real = client_id(bot, answered)
    for button in (export_button(real), view_button(real)):
        # The button data the desk makes, its client number forged.
        prefix = button.removesuffix(str(real))
        assert prefix != button
        for number in BAD_NUMBERS:
            reaction = await react(anna, anna.press_data(message, prefix + number))
            assert reaction.texts[-1].startswith(WELCOME), (button, number)
            assert reaction.documents == 0
            assert not [t for t in reaction.texts if SORRY in t]
        # The real number is a request, refused for a client who is not Anna's.
        reaction = await react(anna, anna.press_data(message, button))
        assert reaction.texts == [NOT_LINKED], button
    assert stored(bot, answered) == before
    assert errors(logs_as_run) == []


async def test_forged_plan_buttons_with_such_numbers_show_the_plan_again(
    bot: RunningBot, planner: TelegramUser, logs_as_run: pytest.LogCaptureFixture
) -> None:
    before = stored(bot, planner)
    for label, opened in (("🎯 1", "🎯 Doel 1: Een eigen kamer"), ("Stap 1", "▫️ Stap 1:")):
        for number in BAD_NUMBERS:
            await planner.send("/mijnplan")
            message, data = planner.find_button(label)
            seq, action, real = data.split(":")
            assert real == "1", data
            for forged in (f"{seq}:{action}:{number}", f"q{number}:{action}:{real}"):
                reaction = await react(planner, planner.press_data(message, forged))
                assert reaction.toasts == [OLD_BUTTON], forged
                assert reaction.texts[-1].startswith(PLAN_OVERVIEW), forged
        # The real button opens the goal or the step.
        await planner.send("/mijnplan")
        reaction = await react(planner, planner.press(label))
        assert reaction.toasts == []
        assert reaction.texts[-1].startswith(opened), label
    assert stored(bot, planner) == before
    assert errors(logs_as_run) == []


async def test_forged_reminder_buttons_with_such_numbers_leave_the_step_open(
    bot: RunningBot, planner: TelegramUser, clock: Clock, logs_as_run: pytest.LogCaptureFixture
) -> None:
    clock.advance(minutes=30)
    assert await bot.run_reminders() == 1
    message, data = planner.find_button("Gedaan")
    head, real, action = data.split(":")
    assert (head, real, action) == ("r", "1", "done"), data
    before = stored(bot, planner)
    for number in BAD_NUMBERS:
        reaction = await react(planner, planner.press_data(message, f"r:{number}:{action}"))
        assert reaction.toasts == [OLD_BUTTON], number
        assert stored(bot, planner) == before
    # The real button marks the step done.
    reaction = await react(planner, planner.press_data(message, data))
    assert reaction.texts[0].startswith("Goed gedaan! 🎉")
    steps = stored(bot, planner)[2]
    assert [s["status"] for s in steps] == ["done"]
    assert errors(logs_as_run) == []


@pytest.mark.parametrize("typed", ["1-1-9999", "31 december 9999", "31-12-9999", "1/1/9999"])
async def test_a_due_date_in_the_year_9999_is_too_far(
    bot: RunningBot, answered: TelegramUser, typed: str, logs_as_run: pytest.LogCaptureFixture
) -> None:
    await due_question(answered)
    before = stored(bot, answered)
    reaction = await react(answered, answered.send(typed))
    assert reaction.texts == [TOO_FAR, DUE_QUESTION]
    assert stored(bot, answered) == before
    # The question still takes a date in reach.
    reaction = await react(answered, answered.send("maandag"))
    assert reaction.texts == ["Maandag 30 november. Klopt dat?"]
    assert errors(logs_as_run) == []


async def test_a_reminder_in_the_year_9999_is_too_far(
    bot: RunningBot, answered: TelegramUser, logs_as_run: pytest.LogCaptureFixture
) -> None:
    await due_question(answered)
    await answered.send("maandag")
    replies = await answered.press("Ja, klopt")
    assert replies[-1] == REMINDER_QUESTION
    before = stored(bot, answered)
    for typed in ("31-12-9999 23:59", "1 januari 9999 om 10:00", "31 december 9999"):
        reaction = await react(answered, answered.send(typed))
        assert reaction.texts == [TOO_FAR, REMINDER_QUESTION], typed
    assert stored(bot, answered) == before
    reaction = await react(answered, answered.send("vandaag 11:00"))
    assert reaction.texts[-1].startswith("Vrijdag 27 november om 11:00. Klopt dat?")
    assert errors(logs_as_run) == []


async def test_a_nul_byte_in_an_answer_is_dropped_and_the_answer_stored(
    bot: RunningBot, ana: TelegramUser, logs_as_run: pytest.LogCaptureFixture
) -> None:
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    reaction = await react(ana, ana.send("een\x00huis"))
    # Taken as the answer: the inventory goes on to the next question.
    assert reaction.texts == ["Domein 1 van 8 · 🏠 Wonen\n\nHoe woon je nu? Wat gaat daar goed?"]
    answers, _, _ = stored(bot, ana)
    # bot.telegram drops NUL as the Bot API's JSON is read (PostgreSQL text cannot hold it).
    assert [text for _, text, _ in answers.values()] == ["eenhuis"]
    # In a plan too: a goal and a step in the client's own words.
    await ana.send("/plan")
    await ana.send("Een\x00 eigen kamer")
    await ana.press("Wonen")  # a goal typed, not picked from the wishes: which life domain
    await ana.send("Dan\x00 heb ik rust")
    await ana.send("\x00Woningcorporatie bellen\x00")
    await ana.press("Ik zelf")
    await ana.send("maandag")
    await ana.press("Ja, klopt")
    await ana.press("Geen herinnering")
    _, goals, steps = stored(bot, ana)
    assert [(text, why) for text, _, why, _ in goals] == [("Een eigen kamer", "Dan heb ik rust")]
    assert [step["text"] for step in steps] == ["Woningcorporatie bellen"]
    assert not [t for t in ana.texts_since(0) if SORRY in t]
    assert errors(logs_as_run) == []
