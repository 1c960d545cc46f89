"""Looking back on a setback (/tegenslag, or "het lukte niet" under a reminder)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs import CommandName, Press
from dialogs.engine.events import ReminderDue
from dialogs.engine.outputs import SaveReflection, SaveStep
from dialogs.engine.records import UNKNOWN_VALUE
from tests.dialogs.chat import EngineChat, answer_step, make_plan

QUESTIONS = ["happened", "felt", "did", "helped_before", "who_helps", "next_step"]
PROMPTS = {
    "happened": "Wat is er gebeurd?",
    "felt": "Hoe voelde je je daarbij?",
    "did": "Wat heb je toen gedaan?",
    "helped_before": "Wat hielp je eerder in zo'n moment?",
    "who_helps": "Wie zou je hierbij kunnen helpen?",
    "next_step": "Wat is een volgende stap die wel haalbaar voelt? Hij mag klein zijn.",
}
ANSWERS = {
    "happened": "Ik kwam niet uit bed",
    "felt": "Moe en boos",
    "did": "Niets",
    "helped_before": "Een wandeling",
    "who_helps": "Mijn zus",
    "next_step": "Morgen om 9 uur de wekker zetten",
}


def answer_all(chat: EngineChat, until: str | None = None) -> None:
    """Answer the reflection's questions in order, up to (not including) `until`."""
    for node in QUESTIONS:
        if node == until:
            return
        assert chat.node == node
        chat.send(ANSWERS[node])


@pytest.fixture
def planned(client: EngineChat) -> EngineChat:
    """Half-way the inventory, with goal 1 "Werk vinden" and its step 1 "CV maken"."""
    make_plan(client)
    return client


def test_setback_asks_kindly_and_keeps_every_answer(client: EngineChat) -> None:
    client.command(CommandName.SETBACK)
    assert client.texts[0] == (
        "Het lukte niet. Dat is niet erg: dat hoort erbij. We kijken er even samen naar, "
        "in een paar korte vragen.\nElke vraag mag je overslaan."
    )
    for node in QUESTIONS:
        assert client.text.startswith(PROMPTS[node])
        assert "⏭ Overslaan" in client.labels
        assert "🤷 Weet ik niet" in client.labels
        client.send(ANSWERS[node])
    assert client.of(SaveReflection) == [SaveReflection(1, None, None, ANSWERS)]
    assert client.text == "Wil je deze stap in je plan zetten?"
    client.press("Nee, liever niet")
    assert client.texts[0] == (
        "Dank je wel. Je antwoorden zijn bewaard. Goed dat je hierover nadacht."
    )
    assert client.node == "housing.wish"  # back where the client was
    assert not client.of(SaveStep)


@pytest.mark.parametrize("node", QUESTIONS)
@pytest.mark.parametrize(("button", "kept"), [("Overslaan", None), ("Weet ik niet", UNKNOWN_VALUE)])
def test_every_question_is_optional(
    client: EngineChat, node: str, button: str, kept: str | None
) -> None:
    client.command(CommandName.SETBACK)
    answer_all(client, until=node)
    client.press(button)
    for rest in QUESTIONS[QUESTIONS.index(node) + 1 :]:
        client.send(ANSWERS[rest])
    expected = {name: text for name, text in ANSWERS.items() if name != node}
    if kept is not None:
        expected[node] = kept
    assert client.of(SaveReflection)[0].answers == expected


def test_back_in_the_reflection(client: EngineChat) -> None:
    client.command(CommandName.SETBACK)
    client.press("Terug")
    assert client.notices == ["Dit is de eerste vraag."]
    answer_all(client, until="did")
    client.press("Terug")
    assert client.node == "felt"
    assert "Je antwoord tot nu toe: Moe en boos" in client.text
    client.send("Verdrietig")
    for node in QUESTIONS[2:]:
        client.send(ANSWERS[node])
    client.press("Terug")  # from "in my plan?" to the doable step: the same reflection again
    assert client.node == "next_step"
    client.send("De wekker zetten")
    saved = client.of(SaveReflection)
    assert [s.number for s in saved] == [1, 1]
    assert saved[-1].answers["felt"] == "Verdrietig"
    assert saved[-1].answers["next_step"] == "De wekker zetten"


def test_what_helped_before_offers_the_clients_own_words(client: EngineChat) -> None:
    for answer in ("Een eigen kamer", "Bij mijn zus", "Mijn moeder hielp met zoeken"):
        client.send(answer)
    client.send("Rondkomen")
    client.send("Lastig")
    client.send("Een budgetcoach")
    client.command(CommandName.SETBACK)
    answer_all(client, until="helped_before")
    assert client.labels[:2] == ["Mijn moeder hielp met zoeken", "Een budgetcoach"]
    client.press("Een budgetcoach")
    assert client.node == "who_helps"
    for node in QUESTIONS[4:]:
        client.send(ANSWERS[node])
    assert client.of(SaveReflection)[0].answers["helped_before"] == "Een budgetcoach"


def test_from_a_reminder_the_doable_step_goes_into_the_plan(planned: EngineChat) -> None:
    planned.now = datetime(2026, 12, 3, 18, tzinfo=UTC)
    planned.step(ReminderDue(reminder_id=7, step=1))
    planned.press("Het lukte niet")
    answer_all(planned)
    assert planned.of(SaveReflection) == [SaveReflection(1, 1, 1, ANSWERS)]
    planned.send("ja")  # typed, for the button "Ja, in mijn plan"
    assert planned.text == "Wie doet deze stap?"  # goal and what are known already
    answer_step(planned, None, due="maandag", remind=None)
    step = planned.of(SaveStep)[-1].step
    assert (step.number, step.goal, step.text) == (2, 1, ANSWERS["next_step"])
    assert planned.texts[-2:] == [
        "Dank je wel. Je antwoorden zijn bewaard. Goed dat je hierover nadacht.",
        planned.text,
    ]
    assert planned.node == "housing.wish"


def test_setback_without_a_step_asks_which_goal(planned: EngineChat) -> None:
    planned.command(CommandName.SETBACK)
    answer_all(planned)
    assert planned.of(SaveReflection)[0].goal is None
    planned.press("Ja, in mijn plan")
    assert planned.text == "Voor welk doel is deze stap?"
    planned.send("voor mijn werk")
    assert planned.texts[0] == "Kies een van de knoppen."
    planned.press("Werk vinden")
    assert planned.node == "who"
    answer_step(planned, None, due=None, remind=None)
    assert planned.of(SaveStep)[-1].step.goal == 1


def test_setback_without_any_goal_says_how_to_make_one(client: EngineChat) -> None:
    client.command(CommandName.SETBACK)
    answer_all(client)
    client.press("Ja, in mijn plan")
    assert client.texts == [
        "Je hebt nog geen doel. Met /plan maak je er een.",
        "Dank je wel. Je antwoorden zijn bewaard. Goed dat je hierover nadacht.",
        client.text,
    ]
    assert client.node == "housing.wish"
    assert not client.of(SaveStep)


@pytest.mark.parametrize("button", ["Overslaan", "Weet ik niet"])
def test_without_a_doable_step_the_step_is_asked(planned: EngineChat, button: str) -> None:
    planned.step(Press("r:1:failed"))
    answer_all(planned, until="next_step")
    planned.press(button)
    planned.press("Ja, in mijn plan")
    assert planned.node == "what"
    planned.send("Iemand bellen")
    answer_step(planned, None, due=None, remind=None)
    assert planned.of(SaveStep)[-1].step.text == "Iemand bellen"


def test_setback_again_half_way_carries_on_and_numbers_go_up(client: EngineChat) -> None:
    client.command(CommandName.SETBACK)
    answer_all(client, until="did")
    client.command(CommandName.SETBACK)
    assert client.node == "did"
    for node in QUESTIONS[2:]:
        client.send(ANSWERS[node])
    client.press("Nee, liever niet")
    client.command(CommandName.SETBACK)
    for _ in QUESTIONS:
        client.press("Overslaan")
    assert [s.number for s in client.of(SaveReflection)] == [1, 2]
    assert client.of(SaveReflection)[1].answers == {}
