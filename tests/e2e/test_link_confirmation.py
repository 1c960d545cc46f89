"""Who opened an invitation is confirmed by the counsellor before anything is shared: a
stranger who got hold of the code first is refused, and the real client can be invited again."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Invitation, Link
from tests.e2e.harness import RunningBot, TelegramUser
from tests.e2e.test_counsellors import invite


def links(bot: RunningBot) -> int:
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Link)) or 0)


async def accept(client: TelegramUser, deep_link: str) -> list[str]:
    """The client opens the link, consents and links, sharing their strengths."""
    await client.send(f"/start {deep_link}")
    await client.press("Ja, dat mag")
    await client.press("Krachten")
    return await client.press("Koppelen")


async def test_a_stranger_who_opened_the_invitation_first_is_refused(
    bot: RunningBot, anna: TelegramUser
) -> None:
    deep_link, _ = await invite(anna, "Jan")
    kim = bot.user(1005, first_name="Kim", username="kim99")
    before = len(anna.messages)
    replies = await accept(kim, deep_link)
    assert "Anna krijgt nu de vraag of jij het bent" in replies[0]
    await kim.send("Ik woon in een caravan")  # an answer to the first question, shared with no one
    [question] = anna.texts_since(before)
    assert question.startswith("🔔 Kim (@kim99) heeft je uitnodiging voor Jan geopend")
    opened = anna.messages[-1]

    # Unconfirmed, nothing is shared: not in the list, no case file, no messages, no alert.
    assert "nog geen gekoppelde" in (await anna.send("/clienten"))[-1]
    replies = await kim.send("/begeleider")
    assert "nog niet gekoppeld" in replies[-1]
    before = len(anna.messages)
    replies = await kim.send("ik wil dood")
    assert "113" in replies[0]
    assert anna.texts_since(before) == []

    replies = await anna.press("Nee, ken ik niet", on=opened)
    assert replies == [
        "Goed, er is niets gekoppeld en niets gedeeld. Maak met /uitnodiging een nieuwe "
        "uitnodiging voor je cliënt."
    ]
    assert kim.last_text.startswith("Anna heeft de koppeling niet bevestigd. Er is niets gedeeld.")
    assert links(bot) == 0
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        assert session.scalars(select(Invitation.outcome)).all() == ["refused"]
    # The old question, answered again (or by a double tap): nothing changes.
    replies = await anna.press("Ja, dat is mijn cliënt", on=opened)
    assert replies == ["Deze vraag is al beantwoord, of de uitnodiging is ingetrokken."]
    assert links(bot) == 0
    # The stranger cannot use the code again.
    replies = await kim.send(f"/start {deep_link}")
    assert "al gebruikt" in replies[0]

    # Invited again, the real client links, and Anna sees him by the name she gave.
    deep_link, _ = await invite(anna, "Jan")
    jan = bot.user(1001, first_name="Jantje")
    await accept(jan, deep_link)
    assert anna.last_text.startswith("🔔 Jantje heeft je uitnodiging voor Jan geopend")
    replies = await anna.press("Ja, dat is mijn cliënt")
    assert replies == ["Gekoppeld met Jan, die deelt: Krachten. Kijk mee met /clienten."]
    assert jan.last_text.startswith("✅ Anna heeft bevestigd dat jij het bent.")
    replies = await anna.send("/clienten")
    assert "Jan" in replies[-1]
    assert "Kim" not in replies[-1]
    assert links(bot) == 1


async def test_a_forged_confirmation_confirms_nothing(bot: RunningBot, anna: TelegramUser) -> None:
    deep_link, _ = await invite(anna, "Jan")
    await accept(bot.user(1001, first_name="Jan"), deep_link)
    opened = anna.messages[-1]
    data = opened["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    number = data.rsplit(":", 1)[1]
    replies = await anna.press_data(opened, f"d:ok:{int(number) + 1}")  # no such link
    assert replies == ["Deze vraag is al beantwoord, of de uitnodiging is ingetrokken."]
    for forged in ("d:ok:99999999999999999999", "d:ok:²"):  # not a number: the desk's welcome
        replies = await anna.press_data(opened, forged)
        assert replies[-1].startswith("Hoi Anna"), replies
    assert links(bot) == 1
    assert "nog geen gekoppelde" in (await anna.send("/clienten"))[-1]
