"""Invitation codes never swallow an answer: typed text is a code only in its printed form
(K7QM-4XPN) or after the client chose "Ik heb een code"; wrong codes slow down codes only."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import CodeAttempt
from tests.conftest import Clock
from tests.e2e.harness import RunningBot, TelegramUser
from tests.e2e.test_counsellors import invite
from tests.e2e.test_inventory import stored_answers


def attempts(bot: RunningBot) -> int:
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(CodeAttempt)) or 0)


async def test_answers_of_eight_code_letters_are_answers(
    bot: RunningBot, ana: TelegramUser
) -> None:
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    # Each reduces to eight letters of the short-code alphabet.
    for answer in ("Meer rust", "geen werk", "verhuren"):
        replies = await ana.send(answer)
        assert not [r for r in replies if "code" in r], replies
    assert sorted(filter(None, stored_answers(bot, ana).values())) == [
        "Meer rust",
        "geen werk",
        "verhuren",
    ]
    replies = await ana.send("beat me up")
    assert "113" in replies[0] or "112" in replies[0], replies
    assert "Die code ken ik niet" not in "\n".join(replies)
    assert attempts(bot) == 0


async def test_wrong_codes_slow_down_codes_only(
    bot: RunningBot, ana: TelegramUser, anna: TelegramUser, clock: Clock
) -> None:
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    for _ in range(3):
        replies = await ana.send("AAAA-BBBB")
    assert "te veel verkeerde codes" in replies[0]
    # Blocked for codes, not for answers: this one is saved.
    replies = await ana.send("Een eigen kamer")
    assert "Domein 1 van 8" in replies[-1]
    assert "te veel" not in "\n".join(replies)
    assert "Een eigen kamer" in stored_answers(bot, ana).values()
    _, code = await invite(anna, "Ana")
    replies = await ana.send(code)  # right, but too soon
    assert "te veel verkeerde codes" in replies[0]
    clock.advance(minutes=2)
    replies = await ana.send(code)
    assert "Anna nodigt je uit" in replies[-1] or "wil graag met je meekijken" in replies[-1]


async def test_a_code_without_its_dash_after_i_have_a_code(
    bot: RunningBot, ana: TelegramUser, anna: TelegramUser
) -> None:
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    _, code = await invite(anna, "Ana")
    replies = await ana.send(code.replace("-", " ").lower())  # not printed form: an answer
    assert "wil graag met je meekijken" not in replies[-1]
    replies = await ana.send("/begeleider")
    assert "nog niet gekoppeld" in replies[-1]
    assert "🔑 Ik heb een code" in ana.labels()
    replies = await ana.press("🔑 Ik heb een code")
    assert "Typ de code" in replies[-1]
    replies = await ana.send("hjkm")  # a typo: a wrong code, and still asked for one
    assert "Die code ken ik niet" in replies[0]
    assert "Typ de code" in replies[-1]
    replies = await ana.send(code.replace("-", "").lower())
    assert "wil graag met je meekijken" in replies[-1]


async def test_a_crisis_while_a_code_is_asked_for(bot: RunningBot, ana: TelegramUser) -> None:
    await ana.send("/start")
    await ana.press("Ja, dat mag")
    await ana.send("/begeleider")
    await ana.press("🔑 Ik heb een code")
    replies = await ana.send("ik hou het niet meer vol")
    assert "113" in replies[0], replies
    assert "Die code ken ik niet" not in "\n".join(replies)
    assert attempts(bot) == 0
