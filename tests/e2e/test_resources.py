"""Resources (hulpbronnen) over HTTP against the fake Bot API: naming two, asking one of them for
help with a goal as a step whose reminder then arrives, and a restart in the middle of naming.

The reminder clock is moved by hand (`clock.advance`, then `bot.run_reminders`), as in
test_reminders.py; everything else is the real PTB Application and the real database.
"""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Resource, Step
from tests.conftest import Clock
from tests.e2e.harness import RunningBot, TelegramUser


def stored(bot: RunningBot) -> list[tuple[int, str, str, str, int | None]]:
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        rows = session.execute(
            select(
                Resource.number,
                Resource.name,
                Resource.kind,
                Resource.closeness,
                Resource.goal_number,
            ).order_by(Resource.number)
        )
        return [(number, name, kind, ring, goal) for number, name, kind, ring, goal in rows]


async def test_two_resources_and_one_asked_for_help_as_a_step_with_its_reminder(
    bot: RunningBot, planner: TelegramUser, clock: Clock
) -> None:
    replies = await planner.send("/hulpbronnen")
    assert replies[0].startswith("Hulpbronnen zijn mensen en plekken")
    assert replies[-1].startswith("Wie of wat is belangrijk voor je")
    await planner.send("Mijn zus Riet")
    await planner.press("Iemand dicht bij me")
    replies = await planner.press("Dichtbij")
    assert replies[-1].startswith("Bij welk doel kan dit helpen?")
    await planner.press("Een eigen kamer")
    await planner.send("Meegaan naar afspraken")
    await planner.press("Ja, nog een")
    await planner.send("Buurthuis De Wijk")
    await planner.press("Een plek of club")
    await planner.press("Verder weg")
    await planner.press("Overslaan")  # no goal: then a part of life
    await planner.press("Vrije tijd")
    await planner.press("Overslaan")
    replies = await planner.press("Nee, zo is het goed")
    assert replies[0].startswith("Goed zo. Je ziet je hulpbronnen met /hulpbronnen")
    assert replies[-1].startswith("Domein 1 van 8")  # back to the inventory she was in
    replies = await planner.send("/hulpbronnen")
    assert replies[-1] == (
        "🤝 Mijn hulpbronnen\n\n"
        "Iemand dicht bij me\n"
        "• Mijn zus Riet · Dichtbij · doel 1 · Meegaan naar afspraken\n\n"
        "Een plek of club in de buurt\n"
        "• Buurthuis De Wijk · Verder weg · 🎨 Vrije tijd"
    )
    assert stored(bot) == [
        (1, "Mijn zus Riet", "close", "close", 1),
        (2, "Buurthuis De Wijk", "community", "far", None),
    ]

    await planner.send("/mijnplan")
    await planner.press("🎯 1")
    replies = await planner.press("Wie kan helpen?")
    assert planner.labels()[:3] == ["Mijn zus Riet", "Buurthuis De Wijk", "🆕 Iemand anders"]
    await planner.press("Mijn zus Riet")
    replies = await planner.send("De brief van de corporatie lezen")
    assert '"Vraag Mijn zus Riet om hulp bij: De brief van de corporatie lezen"' in replies[-1]
    await planner.press("Ja, maak er een stap van")
    await planner.press("Vandaag")
    await planner.press("Ja, klopt")
    replies = await planner.send("vandaag 14:00")  # the clock says 10:30 in Amsterdam
    assert replies[-1].startswith("Vrijdag 27 november om 14:00. Klopt dat?")
    replies = await planner.press("Ja, klopt")
    assert "Deze stap staat in je plan." in replies
    assert replies[-1].startswith("Domein 1 van 8")  # and on with the inventory
    replies = await planner.send("/mijnplan")
    assert (
        "Stap 2: Vraag Mijn zus Riet om hulp bij: De brief van de corporatie lezen"
        " · met Mijn zus Riet · uiterlijk vrijdag 27 november · ⏰ vrijdag 27 november om 14:00"
    ) in replies[-1]

    await bot.restart()
    clock.advance(hours=3, minutes=30)
    before = len(planner.messages)
    assert await bot.run_reminders() == 2  # the plan's first step at 11:00, and this one
    assert (
        "⏰ Je wilde dit doen:\nVraag Mijn zus Riet om hulp bij: De brief van de corporatie lezen"
        "\n\nVoor je doel: Een eigen kamer\nHoe gaat het ermee?"
    ) in planner.texts_since(before)
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        step = session.scalars(select(Step).where(Step.number == 2)).one()
        assert (step.who, step.who_name) == ("network", "Mijn zus Riet")


async def test_a_restart_in_the_middle_of_naming_loses_nothing(
    bot: RunningBot, planner: TelegramUser
) -> None:
    await planner.send("/hulpbronnen")
    await planner.send("Oom Kees")
    question = planner.messages[-1]
    await planner.press("Iemand die ik ken")
    await bot.restart()
    replies = await planner.press("Er tussenin")
    assert replies[-1].startswith("Bij welk doel kan dit helpen?")
    await bot.restart()
    await planner.press("Overslaan")
    await planner.press("Familie")
    replies = await planner.send("Klussen in huis")
    assert "Bewaard bij je hulpbronnen." in replies
    assert stored(bot) == [(1, "Oom Kees", "known", "between", None)]
    # The kind question's button, pressed again after all this, answers nothing.
    replies = await planner.press("Iemand die ik ken", on=question)
    assert stored(bot) == [(1, "Oom Kees", "known", "between", None)]
