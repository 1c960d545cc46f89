"""Whatever arrives gets a kind answer, over HTTP, and nothing earlier is lost."""

from __future__ import annotations

import pytest

from bot.senders import NETWORK_RETRIES
from tests.conftest import Clock
from tests.e2e.harness import RunningBot, TelegramUser

STICKER = {
    "sticker": {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
}
PHOTO = {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]}
VOICE = {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 3}}
LOCATION = {"location": {"latitude": 52.37, "longitude": 4.89}}


@pytest.fixture
async def started(ana: TelegramUser) -> TelegramUser:
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    await ana.send("Een eigen huis")
    return ana


@pytest.mark.parametrize(
    "content", [STICKER, PHOTO, VOICE, LOCATION], ids=["sticker", "photo", "voice", "location"]
)
async def test_something_not_text_gets_a_kind_answer_and_the_question_again(
    started: TelegramUser, content: dict[str, object]
) -> None:
    replies = await started.send_content(content)
    assert replies[0] == "Sorry, ik kan alleen tekst lezen. Typ je antwoord, of kies een knop."
    assert "Hoe woon je nu?" in replies[-1]
    replies = await started.send("Goed, met mijn hond")
    assert "Was er een tijd" in replies[-1]


async def test_an_edited_message_is_answered(started: TelegramUser) -> None:
    replies = await started.send("Een eigen huis met tuin", edited=True)
    assert "/mijnkrachten" in replies[-1]


async def test_a_long_message_and_an_overview_beyond_telegrams_limit(started: TelegramUser) -> None:
    long_answer = "Ik wil " + "heel graag " * 370 + "een plek."  # about 4,090 characters
    assert len(long_answer) <= 4096
    await started.send(long_answer)
    await started.send(long_answer)
    replies = await started.send("/mijnkrachten")
    # The overview no longer fits one message: split cleanly, each part accepted by Telegram.
    assert len(replies) >= 3
    assert "".join(replies).count("heel graag") == 2 * 370
    assert replies[-1] == "Wil je iets aanpassen? Kies een onderwerp."


async def test_old_buttons_and_double_taps_answer_once(
    bot: RunningBot, started: TelegramUser
) -> None:
    message, data = started.find_button("Overslaan")
    await started.press_data(message, data)
    replies = await started.press_data(message, data)  # the second tap
    assert replies == []
    assert bot.fake.callback_answers()[-1].get("text") == "Deze knop hoort bij een eerdere vraag."
    assert "Was er een tijd" in started.last_text
    # Every press was answered, so no phone keeps spinning.
    presses = [c for c in bot.fake.calls if c.method == "answerCallbackQuery"]
    assert len(presses) == 3


async def test_a_press_too_old_to_acknowledge_still_gets_its_reply(
    bot: RunningBot, started: TelegramUser
) -> None:
    bot.fake.fail_next(
        "answerCallbackQuery",
        error_code=400,
        description="Bad Request: query is too old and response timeout expired",
    )
    replies = await started.press("Weet ik niet")
    assert "Was er een tijd" in replies[-1]


async def test_a_command_mid_flow_keeps_the_place(started: TelegramUser) -> None:
    await started.send("/help")
    assert "Hoe woon je nu?" in started.last_text
    await started.send("/foo")
    assert "Hoe woon je nu?" in started.last_text
    await started.send("Prima")
    assert "Was er een tijd" in started.last_text


async def test_in_a_group_the_bot_points_to_a_private_chat(bot: RunningBot) -> None:
    group = -100123
    await bot.deliver(
        bot.fake.message_update(user_id=3003, chat_id=group, chat_type="supergroup", text="/start")
    )
    await bot.deliver(
        bot.fake.message_update(
            user_id=3003, chat_id=group, chat_type="supergroup", text="hallo allemaal"
        )
    )
    texts = [m["text"] for m in bot.fake.sent_messages(group)]
    assert texts == ["Ik werk alleen in een privégesprek. Stuur me een persoonlijk bericht."]


async def test_another_bot_is_ignored(bot: RunningBot) -> None:
    await bot.deliver(bot.fake.message_update(user_id=4004, text="/start", is_bot=True))
    assert bot.fake.sent_messages(4004) == []


async def test_a_failed_send_is_retried(bot: RunningBot, started: TelegramUser) -> None:
    bot.fake.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=2)
    replies = await started.send("Goed, met mijn hond")
    assert "Was er een tijd" in replies[-1]


async def test_an_answer_is_committed_before_the_reply_so_a_failed_send_loses_nothing(
    bot: RunningBot, started: TelegramUser, clock: Clock
) -> None:
    # Every try of this turn fails (the first and each retry): Telegram cannot be reached.
    attempts = NETWORK_RETRIES + 1
    bot.fake.fail_next(
        "sendMessage", error_code=500, description="Internal Server Error", times=attempts
    )
    assert await started.send("Goed, met mijn hond") == []
    # The question waits in the outbox and goes out when it is tried again.
    clock.advance(minutes=1)
    await bot.run_reminders()
    assert "Was er een tijd" in started.last_text  # the answer was stored, the flow moved on
    await started.press("Terug")
    assert "Je antwoord tot nu toe: Goed, met mijn hond" in started.last_text
