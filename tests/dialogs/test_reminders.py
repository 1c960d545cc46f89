"""Reminders of a step as the client meets them: shown, answered, held for the night, missed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from dialogs import AnswerStatus, CommandName, Press, SaveAnswer, Say
from dialogs.engine.events import ReminderDue
from dialogs.engine.outputs import (
    Button,
    CancelReminders,
    MissedTold,
    ReminderAnswered,
    ReminderSettled,
    ReminderShown,
    ResumeReminders,
    ScheduleReminder,
    SetQuietHours,
    SetStepStatus,
)
from dialogs.engine.state import StepStatus
from tests.dialogs.chat import EngineChat, make_plan, open_step

REMINDER = "⏰ Je wilde dit doen:\nCV maken\n\nVoor je doel: Werk vinden\nHoe gaat het ermee?"


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def planned(client: EngineChat) -> EngineChat:
    """Half-way the inventory (at "Hoe woon je nu?") with step 1 "CV maken" for goal 1,
    a reminder on Thursday 3 December at 19:00; the clock is at that moment."""
    client.send("Een eigen kamer")
    make_plan(client)
    client.now = utc(2026, 12, 3, 18)
    return client


def remind(chat: EngineChat, follow_up: bool = False) -> dict[str, Button]:
    """The reminder is due; its buttons by label."""
    chat.step(ReminderDue(reminder_id=7, step=1, follow_up=follow_up))
    return {b.label: b for b in chat.keyboard}


def test_a_reminder_asks_how_it_goes_and_follows_up_a_day_later(planned: EngineChat) -> None:
    buttons = remind(planned)
    assert planned.outputs == [
        ReminderShown(7),
        Say(REMINDER, tuple((b,) for b in buttons.values())),
        ScheduleReminder(1, utc(2026, 12, 4, 18), follow_up=True),
    ]
    assert [b.data for b in buttons.values()] == ["r:1:done", "r:1:later", "r:1:failed"]
    assert list(buttons) == ["✅ Gedaan", "⏰ Nog niet, herinner me later", "🌧 Het lukte niet"]


def test_the_follow_up_is_gentle_and_the_last(planned: EngineChat) -> None:
    planned.later(days=1)
    remind(planned, follow_up=True)
    assert planned.text == (
        "Ik vroeg je gisteren naar deze stap:\nCV maken\n\n"
        "Hoe ging het? Je mag ook later antwoorden."
    )
    assert planned.outputs[0] == ReminderShown(7)
    assert not planned.now_of(ScheduleReminder)


@pytest.mark.parametrize(
    "close",
    [
        ["Stap 1", "Gedaan", "Nee, nu niet"],
        ["Stap 1", "Laten vallen", "Ja"],
        ["🎯 1", "Stoppen met dit doel", "Ja"],
        ["🎯 1", "Doel bereikt", "Ja"],
    ],
)
def test_a_reminder_of_a_closed_step_or_goal_is_settled_silently(
    planned: EngineChat, close: list[str]
) -> None:
    planned.command(CommandName.MY_PLAN)
    for label in close:
        planned.press(label)
    planned.step(ReminderDue(reminder_id=7, step=1))
    assert planned.outputs == [ReminderSettled(7)]


@pytest.mark.parametrize("follow_up", [False, True])
def test_a_reminder_due_in_the_quiet_hours_waits_for_the_morning(
    planned: EngineChat, follow_up: bool
) -> None:
    planned.now = utc(2026, 12, 3, 22, 30)  # 23:30 in Amsterdam
    planned.step(ReminderDue(reminder_id=7, step=1, follow_up=follow_up))
    assert planned.outputs == [
        ReminderSettled(7),
        ScheduleReminder(1, utc(2026, 12, 4, 7), follow_up=follow_up),  # 08:00 local
    ]


def test_a_reminder_mid_inventory_leaves_the_question_as_it_was(planned: EngineChat) -> None:
    before = planned.state.dialog
    remind(planned)
    assert planned.state.dialog.model_copy(update={"last_event_at": None}) == before.model_copy(
        update={"last_event_at": None}
    )
    planned.send("Bij mijn zus")
    assert planned.saved[-1] == SaveAnswer(
        "inventory.housing.current", AnswerStatus.ANSWERED, "Bij mijn zus"
    )
    assert planned.node == "housing.past"


def test_done_from_the_reminder_even_after_other_messages(planned: EngineChat) -> None:
    buttons = remind(planned)
    planned.send("Bij mijn zus")
    planned.command(CommandName.MY_PLAN)
    planned.command(CommandName.MENU)
    planned.step(Press(buttons["✅ Gedaan"].data))
    assert planned.outputs[:3] == [
        ReminderAnswered(1),
        SetStepStatus(1, StepStatus.DONE),
        CancelReminders(1),
    ]
    assert planned.texts[0].startswith("Goed gedaan! 🎉")
    planned.press("Nee, nu niet")
    assert planned.node == "housing.past"  # the inventory goes on where it was


def test_later_asks_a_new_moment(planned: EngineChat) -> None:
    buttons = remind(planned)
    planned.send("Bij mijn zus")
    planned.step(Press(buttons["⏰ Nog niet, herinner me later"].data))
    assert planned.outputs[0] == ReminderAnswered(1)
    assert planned.text.startswith("Wil je een herinnering? Wanneer?")
    planned.send("morgen 19:00")
    assert planned.text == "Vrijdag 4 december om 19:00. Klopt dat?"
    planned.press("Ja, klopt")
    assert planned.now_of(ScheduleReminder) == [ScheduleReminder(1, utc(2026, 12, 4, 18))]
    assert planned.texts[0].startswith("Bewaard.")
    assert planned.text.startswith("▫️ Stap 1: CV maken")
    planned.command(CommandName.MENU)
    planned.press("Verder met mijn krachten")
    assert planned.node == "housing.past"


def test_it_did_not_work_out_starts_the_reflection(planned: EngineChat) -> None:
    buttons = remind(planned)
    planned.step(Press(buttons["🌧 Het lukte niet"].data))
    assert planned.outputs[0] == ReminderAnswered(1)
    assert planned.texts[0].startswith("Het lukte niet. Dat is niet erg")
    assert planned.text == "Wat is er gebeurd?"
    assert planned.state.dialog.frame is not None
    assert planned.state.dialog.frame.values == {"goal": "1", "step": "1"}


@pytest.mark.parametrize("action", ["done", "later", "failed"])
def test_a_reminder_button_of_a_closed_step_only_says_so(planned: EngineChat, action: str) -> None:
    buttons = remind(planned)
    planned.step(Press(buttons["✅ Gedaan"].data))
    planned.press("Nee, nu niet")
    before = planned.state
    planned.step(Press(f"r:1:{action}"))
    assert planned.notices == ["Deze stap is al afgerond."]
    assert len(planned.outputs) == 1
    assert planned.state.dialog.stack == before.dialog.stack


def test_missed_reminders_are_told_once(planned: EngineChat) -> None:
    planned.state = replace(planned.state, missed=(1,))
    planned.command(CommandName.MY_PLAN)
    assert planned.texts[0] == (
        "Ik kon een herinnering niet op tijd sturen, omdat ik even uit stond. Sorry. "
        "Het ging om:\n• CV maken\nIn /mijnplan kun je kijken wat je ermee wilt."
    )
    assert planned.now_of(MissedTold) == [MissedTold()]
    assert planned.text.startswith("🗂 Mijn plan")
    planned.command(CommandName.MENU)
    assert not planned.now_of(MissedTold)
    assert len(planned.texts) == 1


# --- quiet hours ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "hours"),
    [
        ("22:00 tot 8:00", ("22:00", "08:00")),
        ("23:00 tot 7:00", ("23:00", "07:00")),
        ("21:00 tot 9:00", ("21:00", "09:00")),
        ("0:00 tot 7:00", ("00:00", "07:00")),
        ("Geen rusttijd", ("00:00", "00:00")),
    ],
)
def test_choosing_quiet_hours(client: EngineChat, option: str, hours: tuple[str, str]) -> None:
    client.command(CommandName.QUIET_HOURS)
    assert client.text.startswith("Wanneer wil je geen herinneringen krijgen?")
    client.press(option)
    assert client.outputs[0] == SetQuietHours(*hours)
    assert client.texts[0] == "Je rusttijd is bewaard."
    assert client.node == "housing.wish"  # back where the client was


def test_quiet_hours_are_one_of_the_buttons(client: EngineChat) -> None:
    client.command(CommandName.QUIET_HOURS)
    client.send("geen idee")
    assert client.texts[0] == "Kies een van de knoppen."
    assert not client.now_of(SetQuietHours)
    assert client.node == "quiet"


@pytest.mark.parametrize(
    ("option", "shown"),
    [("Geen rusttijd", True), ("23:00 tot 7:00", True), ("22:00 tot 8:00", False)],
)
def test_reminders_follow_the_chosen_quiet_hours(
    planned: EngineChat, option: str, shown: bool
) -> None:
    planned.command(CommandName.QUIET_HOURS)
    planned.press(option)
    planned.now = utc(2026, 12, 3, 21, 30)  # 22:30 in Amsterdam
    planned.step(ReminderDue(reminder_id=7, step=1))
    assert (planned.outputs[0] == ReminderShown(7)) is shown


def test_a_new_reminder_respects_the_chosen_quiet_hours(client: EngineChat) -> None:
    client.command(CommandName.QUIET_HOURS)
    client.press("21:00 tot 9:00")
    make_plan(client, remind=None)
    open_step(client)
    client.press("Aanpassen")
    client.press("Herinnering")
    client.send("morgen 21:30")
    assert "Ik stuur de herinnering daarom op zondag 29 november om 09:00." in client.text
    client.press("Ja, klopt")
    assert client.of(ScheduleReminder) == [ScheduleReminder(1, utc(2026, 11, 29, 8))]


def test_a_reminder_button_after_its_goal_was_stopped_only_says_so(planned: EngineChat) -> None:
    buttons = remind(planned)
    planned.command(CommandName.MY_PLAN)
    planned.press("🎯 1")
    planned.press("Stoppen met dit doel")
    planned.press("Ja")
    planned.step(Press(buttons["⏰ Nog niet, herinner me later"].data))
    assert planned.notices == ["Deze stap is al afgerond."]
    assert len(planned.outputs) == 1


def test_an_unreachable_client_who_writes_gets_their_reminders_back(planned: EngineChat) -> None:
    unreachable = replace(planned.state.profile, unreachable=True)
    planned.state = replace(planned.state, profile=unreachable)
    planned.step(ReminderDue(reminder_id=7, step=1))  # the clock, not the client: still away
    assert planned.now_of(ResumeReminders) == []
    assert planned.state.profile.unreachable
    planned.send("Hoi")
    assert planned.now_of(ResumeReminders) == [ResumeReminders()]
    assert not planned.state.profile.unreachable
    planned.send("Nog een keer")
    assert planned.now_of(ResumeReminders) == []  # once
