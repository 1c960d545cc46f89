"""A client's answer to steps their counsellor's team proposed: only a yes puts them in the
plan, under a goal the client chooses."""

from __future__ import annotations

from dataclasses import replace

from dialogs import Press
from dialogs.engine.outputs import SaveStep
from dialogs.engine.state import Goal, GoalStatus, Step
from dialogs.meeting.client_answers import proposal_data
from dialogs.meeting.proposal import DecideProposal, PendingProposal
from tests.dialogs.chat import EngineChat

PROPOSAL = PendingProposal(9, "Anna", ("Buurtkamer op dinsdag", "Zus bellen"))
ROOM, WORK = Goal(1, "Een eigen kamer"), Goal(2, "Werk vinden")


def proposed(chat: EngineChat, *goals: Goal) -> None:
    chat.consent()
    chat.state = replace(
        chat.state, goals=goals, steps=(Step(4, 1, "Bellen"),), proposals=(PROPOSAL,)
    )


def test_yes_with_one_goal_adds_the_steps_after_the_last_one(chat: EngineChat) -> None:
    proposed(chat, ROOM, replace(WORK, status=GoalStatus.REACHED))
    chat.step(Press(proposal_data(9, "yes")))
    assert chat.now_of(SaveStep) == [
        SaveStep(Step(5, 1, "Buurtkamer op dinsdag")),
        SaveStep(Step(6, 1, "Zus bellen")),
    ]
    assert chat.now_of(DecideProposal) == [DecideProposal(9, accepted=True)]
    assert chat.texts[0] == "Ze staan in je plan. Je vindt ze bij /mijnplan."
    assert [step.number for step in chat.state.steps] == [4, 5, 6]
    assert chat.state.proposals == ()
    chat.step(Press(proposal_data(9, "yes")))  # a double tap, before the store is read again
    assert chat.notices == ["Deze knop hoort bij een eerdere vraag."]
    assert chat.now_of(SaveStep) == []


def test_with_several_goals_the_client_chooses_one(chat: EngineChat) -> None:
    proposed(chat, ROOM, WORK)
    chat.step(Press(proposal_data(9, "yes")))
    assert chat.text == "Bij welk doel horen deze stappen?"
    assert chat.labels == ["Een eigen kamer", "Werk vinden"]
    assert chat.now_of(SaveStep) == []
    chat.press("Werk vinden")
    assert [o.step.goal for o in chat.now_of(SaveStep)] == [2, 2]


def test_no_goal_yet_no_and_a_stale_answer(chat: EngineChat) -> None:
    proposed(chat)
    chat.step(Press(proposal_data(9, "yes")))
    assert chat.texts[0].startswith("Er staat nog geen doel in je plan.")
    assert chat.now_of(DecideProposal) == []  # still pending: a yes later works
    chat.step(Press(proposal_data(9, "no")))
    assert chat.now_of(DecideProposal) == [DecideProposal(9, accepted=False)]
    assert chat.now_of(SaveStep) == []
    assert chat.state.proposals == ()
    chat.step(Press(proposal_data(9, "yes")))
    assert chat.notices == ["Deze knop hoort bij een eerdere vraag."]
    assert chat.now_of(SaveStep) == []
