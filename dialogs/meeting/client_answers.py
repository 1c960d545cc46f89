"""Steps a team meeting proposes to a client: they enter the client's plan only with the
client's yes, pressed in their own chat.

The buttons (`p:<proposal id>:yes|no`) stay valid for as long as the proposal is pending,
whatever came since, like a reminder's buttons; a second tap finds it decided and changes
nothing.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs.engine.events import Event, Press
from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import Button, SaveStep, Say
from dialogs.engine.state import GoalStatus, Step
from dialogs.engine.turn import Turn
from dialogs.meeting.content import MeetingTexts
from dialogs.meeting.proposal import DecideProposal, PendingProposal

PREFIX = "p"


def proposal_data(proposal_id: int, answer: str) -> str:
    return f"{PREFIX}:{proposal_id}:{answer}"


def proposal_buttons(proposal_id: int, yes: str, no: str) -> tuple[tuple[str, str], ...]:
    """(label, data) of the client's two answers."""
    return ((yes, proposal_data(proposal_id, "yes")), (no, proposal_data(proposal_id, "no")))


def parse_proposal(data: str) -> tuple[int, str] | None:
    """(proposal id, answer) of a proposal's button; None for any other button."""
    head, _, rest = data.partition(":")
    number, _, answer = rest.partition(":")
    proposal = whole_number(number)
    if head != PREFIX or proposal is None or not answer:
        return None
    return proposal, answer


def intercept(turn: Turn, event: Event) -> bool:
    """The client's answer to steps their counsellor's team proposed: only a yes puts them
    in the plan, under a goal the client has (chosen by them when there are several)."""
    parsed = parse_proposal(event.data) if isinstance(event, Press) else None
    if parsed is None or not turn.dialog.consented:
        return False
    _answer(turn, *parsed)
    return True


def _answer(turn: Turn, proposal_id: int, answer: str) -> None:
    proposal = next((p for p in turn.state.proposals if p.id == proposal_id), None)
    if proposal is None:
        turn.notice(turn.ui.stale_button)  # answered before, or withdrawn with the link
        return
    texts = _texts(turn)
    goals = [goal for goal in turn.state.goals if goal.status is GoalStatus.OPEN]
    if answer == "no":
        _decide(turn, proposal_id, accepted=False)
        turn.say(texts.client_declined)
    elif answer.startswith("g") and (number := whole_number(answer[1:])) is not None:
        goal = next((g for g in goals if g.number == number), None)
        if goal is None:
            turn.notice(turn.ui.stale_button)
            return
        _add_steps(turn, proposal, goal.number)
    elif answer != "yes":
        turn.notice(turn.ui.stale_button)
        return
    elif len(goals) == 1:
        _add_steps(turn, proposal, goals[0].number)
    elif not goals:
        turn.say(texts.client_no_goal)
    else:
        buttons = tuple(
            (Button(goal.text[:60], proposal_data(proposal_id, f"g{goal.number}")),)
            for goal in goals
        )
        turn.outputs.append(Say(texts.client_which_goal, buttons))
        return
    turn.show_current()


def _add_steps(turn: Turn, proposal: PendingProposal, goal: int) -> None:
    number = max((step.number for step in turn.state.steps), default=0)
    steps = tuple(
        Step(number + offset, goal, text) for offset, text in enumerate(proposal.steps, 1)
    )
    turn.outputs += [SaveStep(step) for step in steps]
    # This turn's screens already show the new steps.
    turn.state = replace(turn.state, steps=turn.state.steps + steps)
    _decide(turn, proposal.id, accepted=True)
    turn.say(_texts(turn).client_added)


def _decide(turn: Turn, proposal_id: int, *, accepted: bool) -> None:
    turn.outputs.append(DecideProposal(proposal_id, accepted=accepted))
    pending = tuple(p for p in turn.state.proposals if p.id != proposal_id)
    turn.state = replace(turn.state, proposals=pending)


def _texts(turn: Turn) -> MeetingTexts:
    meeting = turn.content.meeting
    return (meeting.get(turn.dialog.language) or next(iter(meeting.values()))).texts
