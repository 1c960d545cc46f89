"""/plan and the step flow, driven like a person: a goal, why, and small dated steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from dialogs import CommandName, Engine, Press
from dialogs.engine.outputs import SaveGoal, SaveStep, ScheduleReminder
from dialogs.engine.state import Goal, Screen
from tests.dialogs.chat import EngineChat, answer_step


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# How a person answers each question of the plan on the way to a later one.
ANSWERS: dict[str, Callable[[EngineChat], object]] = {
    "goal": lambda c: c.send("Werk vinden"),
    "domain": lambda c: c.press("Werk"),
    "why": lambda c: c.send("Dan heb ik geld"),
    "what": lambda c: c.send("CV maken"),
    "who": lambda c: c.press("Iemand die ik ken"),
    "who_name": lambda c: c.send("mijn zus"),
    "due": lambda c: (c.send("vrijdag"), c.press("Ja, klopt")),
    "remind_at": lambda c: (c.send("donderdag 19:00"), c.press("Ja, klopt")),
}
NODES = [*ANSWERS, "more"]


def walk_to(chat: EngineChat, node: str) -> None:
    """/plan, then answer every question before `node`."""
    chat.command(CommandName.PLAN)
    answer_until(chat, node)


def answer_until(chat: EngineChat, node: str) -> None:
    while chat.node != node:
        assert chat.node in ANSWERS, f"at {chat.node}, not on the way to {node}"
        ANSWERS[chat.node](chat)


def at_due(chat: EngineChat) -> None:
    walk_to(chat, "due")


def at_remind(chat: EngineChat) -> None:
    walk_to(chat, "remind_at")


# --- the goal ------------------------------------------------------------------------------


def test_a_wish_from_the_inventory_becomes_the_goal_with_its_domain(client: EngineChat) -> None:
    client.send("Een eigen kamer")
    client.send("Ik woon bij mijn zus")
    client.command(CommandName.PLAN)
    assert client.texts[0].startswith("We maken samen een plan.")
    assert "Wat wil je bereiken?" in client.text
    assert client.labels == ["Een eigen kamer", "⬅️ Terug", "⏸ Later verder"]
    client.press("Een eigen kamer")
    assert client.node == "why"  # the domain came with the wish
    client.send("Rust in mijn hoofd")
    assert client.of(SaveGoal) == [
        SaveGoal(Goal(1, "Een eigen kamer", "housing", "Rust in mijn hoofd"))
    ]
    assert client.node == "what"


def test_a_typed_goal_asks_the_domain(client: EngineChat) -> None:
    walk_to(client, "domain")
    assert client.text == "Bij welk deel van je leven hoort dit doel?"
    assert len(client.labels) == 8 + 4
    client.press("Werk")
    client.send("Dan heb ik geld")
    assert client.of(SaveGoal) == [SaveGoal(Goal(1, "Werk vinden", "work", "Dan heb ik geld"))]


@pytest.mark.parametrize("why", ["Overslaan", "Weet ik niet"])
def test_why_is_optional(client: EngineChat, why: str) -> None:
    walk_to(client, "why")
    client.press(why)
    assert client.of(SaveGoal)[-1].goal == Goal(1, "Werk vinden", "work", None)
    assert client.node == "what"


@pytest.mark.parametrize("node", ["goal", "what"])
@pytest.mark.parametrize("action", ["skip", "unknown"])
def test_goal_and_step_cannot_be_skipped(client: EngineChat, node: str, action: str) -> None:
    walk_to(client, node)
    assert "⏭ Overslaan" not in client.labels
    assert "🤷 Weet ik niet" not in client.labels
    client.step(Press(f"q{client.state.dialog.prompt_seq}:{action}"))
    assert client.notices == ["Deze vraag heb ik nodig. Typ je antwoord, of kies Later verder."]
    assert client.node == node
    assert not client.of(SaveStep)
    assert len(client.of(SaveGoal)) == (node == "what")


# Where "Terug" goes; at the other nodes there is nothing to go back to.
BACK_TO = {
    "domain": "goal",
    "why": "domain",
    "who": "what",
    "who_name": "who",
    "due": "who_name",
    "remind_at": "due",
}


@pytest.mark.parametrize("node", NODES)
def test_back_at_every_node_of_the_plan(client: EngineChat, node: str) -> None:
    walk_to(client, node)
    client.press("Terug")
    if node in BACK_TO:
        assert client.node == BACK_TO[node]
        assert "Je antwoord tot nu toe:" in client.text
    else:  # the first question, or the first after the goal or the step was saved
        assert client.notices == ["Dit is de eerste vraag."]
        assert client.node == node
    assert not client.now_of(SaveGoal)
    assert not client.now_of(SaveStep)


def test_back_after_a_step_never_makes_it_again(client: EngineChat) -> None:
    walk_to(client, "more")
    client.press("Terug")
    client.press("Nee, zo is het goed")
    assert len(client.of(SaveGoal)) == len(client.of(SaveStep)) == 1


def test_back_from_why_skips_the_domain_that_came_with_a_wish(client: EngineChat) -> None:
    client.send("Een eigen kamer")
    client.command(CommandName.PLAN)
    client.press("Een eigen kamer")
    client.press("Terug")
    assert client.node == "goal"
    assert "Je antwoord tot nu toe: Een eigen kamer" in client.text


def test_pause_in_the_middle_keeps_every_answer(client: EngineChat) -> None:
    walk_to(client, "due")
    client.press("Later verder")
    client.later(days=2)
    client.send("hoi")
    assert "Een stap · Wanneer" in client.text
    assert "Is dit je antwoord op deze vraag?" in client.text
    client.press("Nee")
    assert client.node == "due"
    client.send("morgen")
    client.press("Ja, klopt")
    client.press("Geen herinnering")
    [saved] = client.of(SaveStep)
    assert (saved.step.text, saved.step.who, saved.step.who_name) == (
        "CV maken",
        "network",
        "mijn zus",
    )
    assert saved.step.due == date(2026, 11, 30)  # "morgen" two days later


@pytest.mark.parametrize("node", ["domain", "why", "who", "due", "remind_at"])
def test_plan_again_half_way_carries_on(client: EngineChat, node: str) -> None:
    walk_to(client, node)
    question = client.text
    client.command(CommandName.PLAN)
    assert client.node == node
    assert client.texts == [question]  # no intro, no new goal
    client.command(CommandName.MENU)
    client.press("Verder met mijn plan")
    assert client.node == node
    answer_until(client, "more")
    assert len(client.of(SaveGoal)) == 1
    assert len(client.of(SaveStep)) == 1


def test_plan_under_another_flow_carries_on_too(client: EngineChat) -> None:
    walk_to(client, "who")
    client.command(CommandName.QUIET_HOURS)
    client.command(CommandName.PLAN)
    assert client.node == "who"
    ANSWERS["who"](client)
    assert client.node == "who_name"


def test_another_step_for_the_same_goal_starts_empty(client: EngineChat) -> None:
    client.send("Een eigen kamer")
    walk_to(client, "more")
    assert client.text == "Wil je nog een stap bedenken voor dit doel?"
    client.press("Ja, nog een stap")
    assert client.node == "what"
    assert "Je antwoord tot nu toe" not in client.text
    assert client.state.dialog.frame is not None
    assert client.state.dialog.frame.values == {"goal": "1"}
    answer_step(client, "Vacatures bekijken", who="Mijn begeleider", due=None, remind=None)
    client.press("Nee, zo is het goed")
    second = client.of(SaveStep)[-1].step
    assert (second.number, second.goal, second.text, second.who) == (
        2,
        1,
        "Vacatures bekijken",
        "counsellor",
    )
    assert (second.due, second.remind_at) == (None, None)
    assert client.texts[0].startswith("Je plan is klaar. Goed bezig!")
    # Back where the client was: the unfinished inventory question.
    assert client.node == "housing.current"
    assert client.text.startswith("Domein 1 van 8")


def test_the_plan_ends_at_the_menu_when_nothing_else_was_open(chat: EngineChat) -> None:
    chat.consent()
    chat.state = chat.state.with_dialog(stack=())  # as if the inventory were finished
    walk_to(chat, "more")
    chat.press("Nee, zo is het goed")
    assert chat.state.dialog.screen is Screen.MENU


# --- the step -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "name", "stored", "line"),
    [
        ("Ik zelf", None, ("me", None), "▫️ Stap 1: CV maken · uiterlijk"),
        ("Iemand die ik ken", "mijn zus", ("network", "mijn zus"), "CV maken · met mijn zus ·"),
        ("Mijn begeleider", None, ("counsellor", None), "CV maken · met je begeleider ·"),
        ("mijn zus", None, ("network", "mijn zus"), "CV maken · met mijn zus ·"),  # own words
    ],
)
def test_who_does_the_step(
    client: EngineChat, who: str, name: str | None, stored: tuple[str, str | None], line: str
) -> None:
    walk_to(client, "what")
    client.send("CV maken")
    assert client.text == "Wie doet deze stap?"
    answer_step(client, None, who=who, name=name)
    step = client.of(SaveStep)[0].step
    assert (step.who, step.who_name) == stored
    client.press("Nee, zo is het goed")
    client.command(CommandName.MY_PLAN)
    assert line in client.text


@pytest.mark.parametrize("node", ["who", "who_name", "due", "remind_at"])
@pytest.mark.parametrize("button", ["Overslaan", "Weet ik niet"])
def test_the_rest_of_a_step_is_optional(client: EngineChat, node: str, button: str) -> None:
    walk_to(client, node)
    client.press(button)
    answer_until(client, "more")
    step = client.of(SaveStep)[0].step
    parts = {
        "who": (step.who, step.who_name),
        "who_name": (step.who, step.who_name),
        "due": step.due,
        "remind_at": step.remind_at,
    }
    skipped = {"who": ("me", None), "who_name": ("network", None), "due": None}
    assert parts[node] == skipped.get(node)
    assert bool(client.of(ScheduleReminder)) is (node != "remind_at")


@pytest.mark.parametrize(
    ("typed", "shown", "due"),
    [
        ("vrijdag", "Vrijdag 4 december", date(2026, 12, 4)),
        ("25-12", "Vrijdag 25 december", date(2026, 12, 25)),
        ("over 3 dagen", "Maandag 30 november", date(2026, 11, 30)),
        ("Vandaag", "Vrijdag 27 november", date(2026, 11, 27)),  # the quick buttons
        ("Morgen", "Zaterdag 28 november", date(2026, 11, 28)),
        ("Over een week", "Vrijdag 4 december", date(2026, 12, 4)),
    ],
)
def test_the_due_date_is_confirmed_in_full(
    client: EngineChat, typed: str, shown: str, due: date
) -> None:
    at_due(client)
    assert client.labels[:3] == ["Vandaag", "Morgen", "Over een week"]
    if typed in client.labels:
        client.press(typed)
    else:
        client.send(typed)
    assert client.text == f"{shown}. Klopt dat?"
    assert client.labels == ["✅ Ja, klopt", "✏️ Nee, anders"]
    client.press("Ja, klopt")
    assert client.node == "remind_at"
    client.press("Geen herinnering")
    assert client.of(SaveStep)[0].step.due == due


def test_no_asks_the_date_again(client: EngineChat) -> None:
    at_due(client)
    client.send("vrijdag")
    client.press("Nee, anders")
    assert client.text == "Wanneer wil je deze stap gedaan hebben?"
    client.send("25-12")
    client.press("Ja, klopt")
    client.press("Geen herinnering")
    assert client.of(SaveStep)[0].step.due == date(2026, 12, 25)


def test_typed_yes_no_and_first_words_answer_like_the_buttons(client: EngineChat) -> None:
    walk_to(client, "domain")
    client.send("werk")  # "🛠 Werk, school en dagbesteding"
    client.send("Dan heb ik geld")
    client.send("CV maken")
    client.send("ik")  # "🙋 Ik zelf", not someone called "ik"
    client.send("vrijdag")
    client.send("nee")  # "✏️ Nee, anders"
    assert client.text == "Wanneer wil je deze stap gedaan hebben?"
    client.send("25-12")
    client.send("ja")  # "✅ Ja, klopt"
    client.press("Geen herinnering")
    client.send("nee")  # "✔️ Nee, zo is het goed"
    assert client.of(SaveGoal)[0].goal.domain == "work"
    step = client.of(SaveStep)[0].step
    assert (step.who, step.who_name, step.due) == ("me", None, date(2026, 12, 25))
    assert client.texts[0].startswith("Je plan is klaar.")


@pytest.mark.parametrize(
    ("typed", "reply"),
    [
        ("25-11-2026", "Die dag is al voorbij. Kies vandaag of een dag later."),
        ("blabla", "Die datum begrijp ik niet. Typ bijvoorbeeld: morgen, vrijdag, 25-12"),
    ],
)
def test_a_past_or_unclear_date_is_asked_again(client: EngineChat, typed: str, reply: str) -> None:
    at_due(client)
    client.send(typed)
    assert client.texts[0].startswith(reply)
    assert client.text == "Wanneer wil je deze stap gedaan hebben?"
    assert client.node == "due"
    assert client.state.dialog.frame is not None
    assert client.state.dialog.frame.pending is None
    assert not client.of(SaveStep)


@pytest.mark.parametrize(
    ("typed", "shown", "at"),
    [
        ("donderdag 19:00", "Donderdag 3 december om 19:00", utc(2026, 12, 3, 18)),
        ("morgen 10:00", "Zaterdag 28 november om 10:00", utc(2026, 11, 28, 9)),
        ("Op de dag zelf om 9:00", "Vrijdag 4 december om 09:00", utc(2026, 12, 4, 8)),
        ("De avond ervoor om 19:00", "Donderdag 3 december om 19:00", utc(2026, 12, 3, 18)),
        ("Morgen om 10:00", "Zaterdag 28 november om 10:00", utc(2026, 11, 28, 9)),
    ],
)
def test_the_reminder_moment_is_confirmed_and_scheduled(
    client: EngineChat, typed: str, shown: str, at: datetime
) -> None:
    at_remind(client)
    if typed in client.labels:
        client.press(typed)
    else:
        client.send(typed)
    assert client.text == f"{shown}. Klopt dat?"
    client.press("Ja, klopt")
    assert client.texts[0] == "Deze stap staat in je plan."
    assert client.of(SaveStep)[0].step.remind_at == at
    assert client.of(ScheduleReminder) == [ScheduleReminder(1, at)]


def test_no_reminder(client: EngineChat) -> None:
    at_remind(client)
    client.press("Geen herinnering")
    assert client.of(SaveStep)[0].step.remind_at is None
    assert not client.of(ScheduleReminder)


def test_a_reminder_in_the_quiet_hours_comes_when_they_end(client: EngineChat) -> None:
    at_remind(client)
    client.send("morgen 23:00")
    assert client.text == (
        "Zaterdag 28 november om 23:00. Klopt dat?\n\n"
        "Dat is in je rusttijd. Ik stuur de herinnering daarom op zondag 29 november om 08:00. "
        "Je rusttijd kun je aanpassen met /rusttijd."
    )
    client.press("Ja, klopt")
    assert client.of(SaveStep)[0].step.remind_at == utc(2026, 11, 28, 22)  # what was chosen
    assert client.of(ScheduleReminder) == [ScheduleReminder(1, utc(2026, 11, 29, 7))]


@pytest.mark.parametrize(
    ("typed", "reply"),
    [
        ("vandaag 9:00", "Dat moment is al voorbij. Kies een moment dat nog komt."),
        ("blabla", "Dat moment begrijp ik niet. Typ bijvoorbeeld: morgen 10:00"),
    ],
)
def test_a_past_or_unclear_moment_is_asked_again(
    client: EngineChat, typed: str, reply: str
) -> None:
    at_remind(client)
    client.send(typed)
    assert client.texts[0].startswith(reply)
    assert client.text == "Wil je een herinnering? Wanneer?"
    assert not client.of(SaveStep)


@pytest.mark.parametrize(
    ("due", "shown", "at"),
    [
        ("26-3-2027", "Vrijdag 26 maart 2027", utc(2027, 3, 26, 8)),  # winter time, UTC+1
        ("2-4-2027", "Vrijdag 2 april 2027", utc(2027, 4, 2, 7)),  # summer time, UTC+2
    ],
)
def test_a_reminder_after_the_clock_change_is_nine_local(
    client: EngineChat, due: str, shown: str, at: datetime
) -> None:
    at_due(client)
    client.send(due)
    assert client.text == f"{shown}. Klopt dat?"
    client.press("Ja, klopt")
    client.press("Op de dag zelf om 9:00")
    assert client.text == f"{shown} om 09:00. Klopt dat?"
    client.press("Ja, klopt")
    assert client.of(ScheduleReminder) == [ScheduleReminder(1, at)]


@pytest.fixture
def english(engine: Engine, now: datetime) -> EngineChat:
    """Someone who consented in English."""
    chat = EngineChat(engine, now, language="en")
    chat.send("hi")
    chat.press("Yes")
    return chat


def test_a_plan_in_english(english: EngineChat) -> None:
    chat = english
    chat.command(CommandName.PLAN)
    chat.send("Find work")
    chat.press("Work")
    chat.send("Money of my own")
    chat.send("Write my CV")
    chat.press("Me")
    chat.send("tomorrow")
    assert chat.text == "Saturday 28 November. Is that right?"
    chat.press("Yes, that's right")
    chat.send("Friday 9am")
    assert chat.text == "Friday 4 December at 09:00. Is that right?"
    chat.press("Yes, that's right")
    assert chat.texts[0] == "This step is in your plan."
    step = chat.of(SaveStep)[0].step
    assert (step.text, step.due, step.remind_at) == (
        "Write my CV",
        date(2026, 11, 28),
        utc(2026, 12, 4, 8),
    )
    chat.press("No, this is fine")
    assert chat.texts[0].startswith("Your plan is ready.")
