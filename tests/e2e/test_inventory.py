"""The strengths inventory over HTTP: the real PTB Application against the fake Bot API."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dialogs import load_content
from storage import AnswerRepository, ClientRepository, Identity, make_session_factory
from storage.models import Client
from tests.e2e.harness import RunningBot, TelegramUser

QUESTIONS = load_content().flows["inventory"].questions


def stored_answers(bot: RunningBot, user: TelegramUser) -> dict[str, str | None]:
    assert bot.runtime is not None
    with make_session_factory(bot.runtime.database).begin() as session:
        client = ClientRepository(session).find(Identity("telegram", str(user.user_id)))
        assert client is not None
        return {
            key: answer.text or ",".join(answer.choices) or answer.status
            for key, answer in AnswerRepository(session).current(client.id).items()
        }


async def test_the_whole_inventory_with_a_restart_halfway(
    bot: RunningBot, ana: TelegramUser, logs_as_run: pytest.LogCaptureFixture
) -> None:
    replies = await ana.send("/start")
    assert "Mag ik je antwoorden bewaren?" in replies[-1]
    replies = await ana.press("Ja, dat mag")
    assert replies[0].startswith("Fijn dat je meedoet")
    assert replies[-1].startswith("Domein 1 van 8 · 🏠 Wonen")

    expected: dict[str, str] = {}
    for number, node in enumerate(QUESTIONS, start=1):
        key = f"inventory.{node.id}"
        if node.id == "health.wish":
            # Halfway: the bot stops and starts again, like a deploy or a crash and restart.
            await bot.restart()
            replies = await ana.send("/start")
            assert "Welkom terug" in replies[-1]
            assert "Domein 5 van 8 · 💚 Gezondheid" in replies[-1]
            await ana.press("Verder waar ik was")
            assert "Hoe wil je je voelen" in ana.last_text
        if node.id == "priorities":
            await ana.press("Geld")
            await ana.press("Familie")
            assert "✅ 💶 Geld" in ana.labels()  # the same message, edited in place
            await ana.press("Klaar")
            expected[key] = "money,relations"
        elif number % 4 == 0:
            await ana.press("Weet ik niet")
            expected[key] = "unknown"
        elif number % 7 == 0:
            await ana.press("Overslaan")
            expected[key] = "skipped"
        else:
            text = f"Antwoord {number}: 😊 <b>eigen</b> woorden"
            await ana.send(text)
            expected[key] = text
    assert bot.starts == 2
    assert "Dank je wel" in "\n".join(ana.texts_since(-3))
    assert ana.last_text.startswith("Menu")
    assert stored_answers(bot, ana) == expected
    # Nothing the client wrote reaches the bot's logs (the fake server's own are not the bot's).
    logged = [
        r.getMessage() for r in logs_as_run.records if not r.name.startswith(("tests.", "aiohttp"))
    ]
    assert logged
    assert not [line for line in logged if "eigen</b> woorden" in line]


async def test_declining_consent_stores_nothing(bot: RunningBot, ana: TelegramUser) -> None:
    await ana.send("/start")
    replies = await ana.press("Nee, liever niet")
    assert "niets van je bewaard" in replies[-1]
    assert bot.runtime is not None
    with bot.runtime.database.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Client)) == 0


async def test_an_english_speaker_is_welcomed_in_english(bot: RunningBot) -> None:
    sam = bot.user(2002, language_code="en")
    replies = await sam.send("hello")
    assert "May I keep your answers?" in replies[-1]


async def test_commands_are_published_in_both_languages(bot: RunningBot) -> None:
    published = {
        call.params.get("language_code"): [c["command"] for c in call.params["commands"]]
        for call in bot.fake.calls
        if call.method == "setMyCommands"
    }
    assert published["nl"] == [
        *("start", "menu", "help", "taal", "mijnkrachten"),
        *("plan", "mijnplan", "tegenslag", "hulpbronnen", "netwerk", "rusttijd"),
        *("delen", "begeleider", "wiezagwat", "mijngegevens", "vergeetmij", "wissen"),
    ]
    assert published["en"] == [
        *("start", "menu", "help", "language", "mystrengths"),
        *("plan", "myplan", "setback", "resources", "network", "quiethours"),
        *("sharing", "counsellor", "whosaw", "mydata", "forgetme", "hide"),
    ]
    assert published[None] == published["nl"]
