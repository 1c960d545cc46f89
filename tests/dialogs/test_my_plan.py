"""/mijnplan: the plan on screen, a step done, changed, postponed or dropped, a goal closed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dialogs import CommandName, Press
from dialogs.engine.outputs import (
    CancelReminders,
    Output,
    SaveGoal,
    SaveStep,
    ScheduleReminder,
    SetGoalStatus,
    SetStepStatus,
)
from dialogs.engine.state import GoalStatus, Screen, StepStatus
from tests.dialogs.chat import EngineChat, answer_step, make_plan, open_step

PLUS = "\N{HEAVY PLUS SIGN}"
NEW_GOAL = f"{PLUS} Nieuw doel"
RECORDS = (SaveGoal, SaveStep, SetGoalStatus, SetStepStatus, ScheduleReminder, CancelReminders)
STEP_BUTTONS = ["✅ Gedaan", "✏️ Aanpassen", "📅 Uitstellen", "🗑 Laten vallen", "⬅️ Naar mijn plan"]


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def records(outputs: list[Output]) -> list[Output]:
    return [o for o in outputs if isinstance(o, RECORDS)]


@pytest.fixture
def planned(client: EngineChat) -> EngineChat:
    """A client half-way the inventory with goal 1 "Werk vinden" and step 1 "CV maken":
    due Friday 4 December, a reminder on Thursday 3 December at 19:00."""
    make_plan(client)
    return client


def test_an_empty_plan_invites_a_goal(client: EngineChat) -> None:
    client.command(CommandName.MY_PLAN)
    assert client.text.startswith("Je hebt nog geen plan.")
    assert client.labels == [NEW_GOAL, "📋 Menu"]
    client.press("Nieuw doel")
    assert client.texts[0].startswith("We maken samen een plan.")
    assert client.node == "goal"


def test_the_plan_lists_goals_and_steps(planned: EngineChat) -> None:
    planned.command(CommandName.PLAN)
    planned.send("Een eigen kamer")
    planned.press("Wonen")
    planned.press("Overslaan")
    answer_step(planned, "Bellen met de corporatie", who="Mijn begeleider", due=None, remind=None)
    planned.press("Ja, nog een stap")
    answer_step(planned, "Formulier halen", who="Iemand", name="Sam", due="25-12", remind=None)
    planned.press("Nee, zo is het goed")
    planned.command(CommandName.MY_PLAN)
    assert planned.text == (
        "🗂 Mijn plan\n\n"
        "🎯 Doel 1: Werk vinden\n"
        "Waarom: Dan heb ik geld\n"
        "▫️ Stap 1: CV maken · uiterlijk vrijdag 4 december · ⏰ donderdag 3 december om 19:00\n\n"
        "🎯 Doel 2: Een eigen kamer\n"
        "▫️ Stap 2: Bellen met de corporatie · met je begeleider\n"
        "▫️ Stap 3: Formulier halen · met Sam · uiterlijk vrijdag 25 december"
    )
    assert planned.labels == [
        "🎯 1",
        "🎯 2",
        "Stap 1",
        "Stap 2",
        "Stap 3",
        NEW_GOAL,
        "📋 Menu",
    ]


def test_a_goal_and_a_step_on_their_own(planned: EngineChat) -> None:
    planned.command(CommandName.MY_PLAN)
    planned.press("🎯 1")
    assert planned.text.startswith("🎯 Doel 1: Werk vinden\nWaarom: Dan heb ik geld\n▫️ Stap 1")
    assert planned.labels == [
        f"{PLUS} Nieuwe stap",
        "🤝 Wie kan helpen?",
        "🏁 Doel bereikt",
        "🗑 Stoppen met dit doel",
        "⬅️ Naar mijn plan",
    ]
    planned.press("Nieuwe stap")
    assert planned.node == "what"  # the goal is known
    answer_step(planned, "Vacatures lezen", due=None, remind=None)
    assert planned.of(SaveStep)[-1].step.goal == 1
    open_step(planned)
    assert planned.text.startswith("▫️ Stap 1: CV maken · uiterlijk vrijdag 4 december")
    assert planned.labels == STEP_BUTTONS
    planned.press("Naar mijn plan")
    assert planned.text.startswith("🗂 Mijn plan")


def test_a_step_done_is_celebrated_and_the_next_one_offered(planned: EngineChat) -> None:
    open_step(planned)
    planned.press("Gedaan")
    assert records(planned.outputs) == [SetStepStatus(1, StepStatus.DONE), CancelReminders(1)]
    assert planned.texts[0] == "Goed gedaan! 🎉 Je hebt gedaan wat je wilde: CV maken"
    assert planned.text == "Wil je meteen een volgende stap bedenken voor dit doel?"
    planned.press("Ja")
    assert planned.node == "what"
    answer_step(planned, "Sollicitatiebrief schrijven", due=None, remind=None)
    step = planned.of(SaveStep)[-1].step
    assert (step.number, step.goal, step.text) == (2, 1, "Sollicitatiebrief schrijven")
    planned.command(CommandName.MY_PLAN)
    assert "✅ Stap 1: CV maken · gedaan op vrijdag 27 november" in planned.text
    assert "Stap 1" not in planned.labels


def test_no_next_step_ends_where_the_client_was(planned: EngineChat) -> None:
    open_step(planned)
    planned.press("Gedaan")
    planned.press("Nee, nu niet")
    assert not planned.now_of(SaveStep)
    assert planned.node == "housing.wish"
    assert "Hoe zou je graag willen wonen?" in planned.text


@pytest.mark.parametrize(
    ("part", "answer", "changed", "reminder"),
    [
        ("Wat ik ga doen", ["CV afmaken"], {"text": "CV afmaken"}, None),
        ("Wie het doet", ["Mijn begeleider"], {"who": "counsellor"}, None),
        ("Wie het doet", ["Iemand die ik ken", "Sam"], {"who": "network", "who_name": "Sam"}, None),
        # A new date moves the reminder along, as postponing does.
        (
            "Wanneer",
            ["25-12", "Ja, klopt"],
            {"due": date(2026, 12, 25), "remind_at": utc(2026, 12, 24, 18)},
            ScheduleReminder(1, utc(2026, 12, 24, 18)),
        ),
        (
            "Herinnering",
            ["morgen 10:00", "Ja, klopt"],
            {"remind_at": utc(2026, 11, 28, 9)},
            ScheduleReminder(1, utc(2026, 11, 28, 9)),
        ),
        ("Herinnering", ["Geen herinnering"], {"remind_at": None}, CancelReminders(1)),
    ],
)
def test_change_one_part_of_a_step(
    planned: EngineChat,
    part: str,
    answer: list[str],
    changed: dict[str, object],
    reminder: Output | None,
) -> None:
    before = planned.of(SaveStep)[0].step
    open_step(planned)
    planned.press("Aanpassen")
    assert planned.text == "CV maken\nWat wil je aanpassen?"
    assert planned.labels == [
        "Wat ik ga doen",
        "Wie het doet",
        "Wanneer",
        "Herinnering",
        "⬅️ Terug",
    ]
    planned.press(part)
    for typed in answer:
        if any(typed in label for label in planned.labels):
            planned.press(typed)
        else:
            planned.send(typed)
    after = planned.of(SaveStep)[-1].step
    assert {name: getattr(after, name) for name in changed} == changed
    assert (after.number, after.goal) == (1, 1)
    assert after.remind_at == changed.get("remind_at", before.remind_at)
    assert planned.texts[0].startswith("Bewaard.")
    assert planned.state.dialog.screen is Screen.PLAN_STEP
    reminders = planned.now_of(ScheduleReminder) + planned.now_of(CancelReminders)
    assert reminders == ([reminder] if reminder else [])


def test_back_while_changing_keeps_the_step(planned: EngineChat) -> None:
    open_step(planned)
    planned.press("Aanpassen")
    planned.press("Wanneer")
    assert "Je antwoord tot nu toe: vrijdag 4 december" in planned.text
    planned.press("Terug")
    assert planned.state.dialog.screen is Screen.PLAN_STEP
    assert len(planned.of(SaveStep)) == 1
    planned.press("Aanpassen")
    planned.press("Terug")
    assert planned.labels == STEP_BUTTONS


@pytest.mark.parametrize(
    ("due", "remind", "later", "moved"),
    [
        ("vrijdag", "donderdag 19:00", "25-12", utc(2026, 12, 24, 18)),
        # Over the clock change: still 9:00 on the day itself, now an hour earlier in UTC.
        ("26-3-2027", "Op de dag zelf om 9:00", "2-4-2027", utc(2027, 4, 2, 7)),
    ],
)
def test_postponing_moves_the_reminder_as_many_days(
    client: EngineChat, due: str, remind: str, later: str, moved: datetime
) -> None:
    make_plan(client, due=due, remind=remind)
    open_step(client)
    client.press("Uitstellen")
    assert client.text.startswith("Wanneer wil je deze stap gedaan hebben?")
    client.send(later)
    client.press("Ja, klopt")
    assert client.now_of(ScheduleReminder) == [ScheduleReminder(1, moved)]
    assert client.of(SaveStep)[-1].step.remind_at == moved


def test_dropping_a_step_asks_first(planned: EngineChat) -> None:
    open_step(planned)
    planned.press("Laten vallen")
    assert planned.text == (
        "Stap 1: CV maken\n"
        "Wil je deze stap laten vallen? Dat is niet erg. Hij blijft in je geschiedenis staan."
    )
    assert planned.labels == ["Ja", "Nee, toch niet"]
    planned.press("Nee, toch niet")
    assert planned.labels == STEP_BUTTONS
    assert not records(planned.outputs)
    planned.press("Laten vallen")
    planned.press("Ja")
    assert records(planned.outputs) == [SetStepStatus(1, StepStatus.DROPPED), CancelReminders(1)]
    assert planned.texts[0] == (
        "Stap 1 staat niet meer open. Je kunt altijd een nieuwe stap maken."
    )
    assert "🚫 Stap 1: CV maken" in planned.text
    assert "Stap 1" not in planned.labels


@pytest.mark.parametrize(
    ("button", "status", "said", "mark"),
    [
        ("Doel bereikt", GoalStatus.REACHED, "Gefeliciteerd! Doel 1 is bereikt. 🎉", "bereikt 🏁"),
        (
            "Stoppen",
            GoalStatus.DROPPED,
            "Je bent gestopt met doel 1. Dat is jouw keuze.",
            "gestopt",
        ),
    ],
)
def test_closing_a_goal_asks_first(
    planned: EngineChat, button: str, status: GoalStatus, said: str, mark: str
) -> None:
    planned.command(CommandName.MY_PLAN)
    planned.press("🎯 1")
    planned.press(button)
    assert planned.text.startswith("Doel 1: Werk vinden\n")
    planned.press("Nee, toch niet")
    assert planned.text.startswith("🎯 Doel 1: Werk vinden")
    assert not records(planned.outputs)
    planned.press(button)
    planned.press("Ja")
    # Its open step stays open in the history, but needs no more reminders.
    assert records(planned.outputs) == [SetGoalStatus(1, status), CancelReminders(1)]
    assert planned.texts[0] == said
    assert f"🎯 Doel 1: Werk vinden · {mark}" in planned.text
    assert planned.labels == [NEW_GOAL, "📋 Menu"]


def test_buttons_of_an_older_plan_message_do_no_harm(planned: EngineChat) -> None:
    open_step(planned)
    old_step = {b.label: b for b in planned.keyboard}
    planned.press("Laten vallen")
    old_confirm = planned.button("Ja")
    planned.press("Nee, toch niet")
    planned.command(CommandName.MY_PLAN)
    for stale in (old_step["✅ Gedaan"], old_confirm, old_step["📅 Uitstellen"]):
        planned.step(Press(stale.data))
        assert planned.notices == ["Deze knop hoort bij een eerdere vraag."]
        assert not records(planned.outputs)
        assert planned.text.startswith("🗂 Mijn plan")  # the current screen again
    assert planned.state.steps[0].status is StepStatus.OPEN


@pytest.mark.parametrize(
    ("screen", "forged"),
    [
        ("plan", "sdone:99"),
        ("plan", "sdrop:1"),  # without "are you sure?"
        ("plan", "gdrop:1"),
        ("plan", "greach:1"),
        ("plan", "field:1/goal"),
        ("plan", "field:1/who_name"),
        ("plan", "field:99/what"),
        ("plan", "ask:sdrop/99"),
        ("plan", "ask:gdrop/x"),
        ("plan", "ask:other/1"),
        ("plan", "step:99"),
        ("plan", "goal:abc"),
        ("plan", "gstep:99"),
        ("confirm", "gdrop:1"),  # "are you sure?" was asked about step 1, not goal 1
        ("confirm", "greach:1"),
        ("confirm", "sdrop:2"),
    ],
)
def test_forged_plan_buttons_change_nothing(planned: EngineChat, screen: str, forged: str) -> None:
    planned.command(CommandName.MY_PLAN)
    planned.press("🎯 1")
    planned.press("Nieuwe stap")
    answer_step(planned, "Vacatures lezen", due=None, remind=None)
    open_step(planned)
    if screen == "confirm":
        planned.press("Laten vallen")
    before = planned.state
    planned.step(Press(f"q{planned.state.dialog.prompt_seq}:{forged}"))
    assert planned.notices == ["Deze knop hoort bij een eerdere vraag."]
    assert not records(planned.outputs)
    assert (planned.state.goals, planned.state.steps) == (before.goals, before.steps)
    assert planned.state.dialog.stack == before.dialog.stack
