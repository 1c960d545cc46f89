"""A crisis over HTTP: help numbers at once wherever the client is, the counsellor alerted only
when the client asks, never with what they wrote; then the conversation goes on."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import Client
from tests.conftest import Clock
from tests.e2e.harness import RunningBot, TelegramUser
from tests.e2e.test_counsellors import planning_client
from tests.e2e.test_inventory import stored_answers


async def test_a_crisis_in_the_middle_of_a_plan(bot: RunningBot) -> None:
    anna, jan = await planning_client(bot)
    question = jan.last_text  # when: a date question
    replies = await jan.send("ik zie het niet meer zitten, ik wil dood")
    assert "0800-0113" in replies[0]
    assert "112" in replies[0]
    assert "Veilig Thuis" in replies[0]
    assert replies[-1] == question
    crisis = next(m for m in jan.messages if "0800-0113" in m.get("text", ""))

    before = len(anna.messages)
    replies = await jan.press("Laat Anna weten", on=crisis)
    assert "Wat je schreef, stuur ik niet door" in replies[0]
    assert anna.texts_since(before) == [
        "⚠️ Jan gaf in de bot aan dat het niet goed gaat en wil dat je dat weet. "
        "Neem contact op als je kunt."
    ]
    replies = await jan.send("maandag")
    assert "Klopt dat?" in replies[-1]  # the plan goes on where it was


CRISIS = "0800-0113"
NOT_SAVED = "Dit bericht heb ik niet bewaard."
FIRST = "Hoe zou je graag willen wonen?"


@pytest.fixture
async def started(ana: TelegramUser) -> TelegramUser:
    """Ana consented and sees the first question."""
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    return ana


async def test_a_photo_caption_gets_the_crisis_answer(
    bot: RunningBot, started: TelegramUser
) -> None:
    replies = await started.send_photo("ik wil dood")
    assert CRISIS in replies[0]
    assert replies[1] == NOT_SAVED
    assert replies[2].startswith("Sorry, ik kan alleen tekst lezen")
    assert FIRST in replies[-1]
    assert stored_answers(bot, started) == {}
    replies = await started.send_photo("Mijn huis")  # an ordinary caption: as before
    assert replies[0].startswith("Sorry, ik kan alleen tekst lezen")


async def test_an_edited_message_gets_the_crisis_answer(
    bot: RunningBot, started: TelegramUser
) -> None:
    await started.send("Een eigen huis")
    replies = await started.edit("ik wil dood")
    assert CRISIS in replies[0]
    assert replies[1] == NOT_SAVED
    assert "/mijnkrachten" in replies[-1]
    assert stored_answers(bot, started) == {"inventory.housing.wish": "Een eigen huis"}


@pytest.mark.parametrize(
    ("command", "then"),
    [
        ("/begeleider ik wil dood", "Je bent nog niet gekoppeld met een begeleider"),
        ("/start ik wil dood", "Welkom terug"),
    ],
)
async def test_a_command_with_a_crisis_after_it(
    bot: RunningBot, started: TelegramUser, command: str, then: str
) -> None:
    replies = await started.send(command)
    assert CRISIS in replies[0]
    assert replies[1] == NOT_SAVED
    assert then in replies[2]  # then the command as usual
    assert not [reply for reply in replies if "Die code ken ik niet" in reply]  # not a code
    assert stored_answers(bot, started) == {}


async def test_a_crisis_before_consent(bot: RunningBot, ana: TelegramUser) -> None:
    replies = await ana.send("/start i want to die")
    assert CRISIS in replies[0]
    assert "Mag ik je antwoorden bewaren?" in replies[-1]
    replies = await ana.send("ik wil dood")
    assert CRISIS in replies[0]
    assert "Mag ik je antwoorden bewaren?" in replies[-1]
    assert bot.runtime is not None
    with bot.runtime.database.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Client)) == 0


async def test_a_crisis_during_a_pause_and_saving_it_after_all(
    bot: RunningBot, started: TelegramUser
) -> None:
    await started.press("Later verder")
    replies = await started.send("ik wil dood")
    assert CRISIS in replies[0]
    assert replies[1] == NOT_SAVED
    assert "Verder waar ik was" in str(started.messages[-1]["reply_markup"])
    assert stored_answers(bot, started) == {}
    # The one button under "not saved" saves it as the answer, once.
    not_saved = next(m for m in started.messages if m.get("text") == NOT_SAVED)
    replies = await started.press("Toch bewaren als antwoord", on=not_saved)
    assert "Hoe woon je nu?" in replies[-1]
    assert stored_answers(bot, started) == {"inventory.housing.wish": "ik wil dood"}
    replies = await started.press("Toch bewaren als antwoord", on=not_saved)
    assert replies == []
    assert bot.fake.callback_answers()[-1].get("text") == "Deze knop hoort bij een eerdere vraag."
    assert stored_answers(bot, started) == {"inventory.housing.wish": "ik wil dood"}


async def test_a_crisis_after_a_long_silence(
    bot: RunningBot, started: TelegramUser, clock: Clock
) -> None:
    clock.advance(hours=13)
    replies = await started.send("ik wil dood")
    assert CRISIS in replies[0]
    assert FIRST in replies[-1]
    assert "Is dit je antwoord" not in replies[-1]
    assert stored_answers(bot, started) == {}


async def test_a_crisis_on_are_you_sure(bot: RunningBot, started: TelegramUser) -> None:
    await started.send("Een eigen huis")
    await started.send("/vergeetmij")
    replies = await started.send("ik wil dood")
    assert CRISIS in replies[0]
    assert "Weet je zeker dat ik alles van je moet wissen?" in replies[-1]
    await started.press("Nee, niet wissen")
    assert stored_answers(bot, started) == {"inventory.housing.wish": "Een eigen huis"}


async def test_text_after_a_long_silence_is_asked_about(
    bot: RunningBot, started: TelegramUser, clock: Clock
) -> None:
    clock.advance(hours=13)
    replies = await started.send("Een huis met tuin")
    assert FIRST in replies[-1]
    assert "Je schreef: “Een huis met tuin”\nIs dit je antwoord op deze vraag?" in replies[-1]
    assert stored_answers(bot, started) == {}
    replies = await started.press("Ja, bewaar het")
    assert "Hoe woon je nu?" in replies[-1]
    assert stored_answers(bot, started) == {"inventory.housing.wish": "Een huis met tuin"}
    await started.press("Later verder")
    replies = await started.send("even kijken")
    assert "Is dit je antwoord op deze vraag?" in replies[-1]
    replies = await started.press("Nee")
    assert replies[0] == "Goed, dat heb ik niet bewaard. Hier is de vraag nog een keer."
    assert "Hoe woon je nu?" in replies[-1]
    assert stored_answers(bot, started) == {"inventory.housing.wish": "Een huis met tuin"}


async def test_a_crisis_in_a_team_meeting_group_is_not_scanned(bot: RunningBot) -> None:
    """Professionals discuss cases there: no help numbers, nothing to the private chat."""
    member = bot.member(3003, -100777, "Cees")
    await member.send("/teamoverleg")
    replies = await member.send("ik wil dood")
    assert not [reply for reply in replies if CRISIS in reply]
    assert not [m for m in member.messages if CRISIS in m.get("text", "")]
    assert member.private == []
