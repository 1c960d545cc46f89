"""A crisis over HTTP: help numbers at once wherever the client is, the counsellor alerted only
when the client asks, never with what they wrote; then the conversation goes on."""

from __future__ import annotations

from tests.e2e.harness import RunningBot
from tests.e2e.test_counsellors import planning_client


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
