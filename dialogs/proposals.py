"""Steps a team meeting proposes to a client: they enter the client's plan only with the
client's yes, pressed in their own chat.

The buttons (`p:<proposal id>:yes|no`) stay valid for as long as the proposal is pending,
whatever came since, like a reminder's buttons; a second tap finds it decided and changes
nothing.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs.events import Event, Press
from dialogs.linking import LinkingTurn
from dialogs.meeting_content import MeetingTexts
from dialogs.meeting_proposal import DecideProposal, PendingProposal
from dialogs.numbers import whole_number
from dialogs.outputs import Button, SaveStep, Say
from dialogs.state import GoalStatus, Step

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


class ProposalTurn(LinkingTurn):
    """The client's answer to steps their counsellor's team proposed: only a yes puts them
    in the plan, under a goal the client has (chosen by them when there are several)."""

    def handle(self, event: Event) -> None:
        parsed = parse_proposal(event.data) if isinstance(event, Press) else None
        if parsed is not None and self.dialog.consented:
            self.answer_proposal(*parsed)
            return
        super().handle(event)

    def answer_proposal(self, proposal_id: int, answer: str) -> None:
        proposal = next((p for p in self.state.proposals if p.id == proposal_id), None)
        if proposal is None:
            self.notice(self.ui.stale_button)  # answered before, or withdrawn with the link
            return
        texts = self.meeting_texts
        goals = [goal for goal in self.state.goals if goal.status is GoalStatus.OPEN]
        if answer == "no":
            self.decide(proposal_id, accepted=False)
            self.say(texts.client_declined)
        elif answer.startswith("g") and (number := whole_number(answer[1:])) is not None:
            goal = next((g for g in goals if g.number == number), None)
            if goal is None:
                self.notice(self.ui.stale_button)
                return
            self.add_steps(proposal, goal.number)
        elif answer != "yes":
            self.notice(self.ui.stale_button)
            return
        elif len(goals) == 1:
            self.add_steps(proposal, goals[0].number)
        elif not goals:
            self.say(texts.client_no_goal)
        else:
            buttons = tuple(
                (Button(goal.text[:60], proposal_data(proposal_id, f"g{goal.number}")),)
                for goal in goals
            )
            self.outputs.append(Say(texts.client_which_goal, buttons))
            return
        self.show_current()

    def add_steps(self, proposal: PendingProposal, goal: int) -> None:
        number = max((step.number for step in self.state.steps), default=0)
        steps = tuple(
            Step(number + offset, goal, text) for offset, text in enumerate(proposal.steps, 1)
        )
        self.outputs += [SaveStep(step) for step in steps]
        # This turn's screens already show the new steps.
        self.state = replace(self.state, steps=self.state.steps + steps)
        self.decide(proposal.id, accepted=True)
        self.say(self.meeting_texts.client_added)

    def decide(self, proposal_id: int, *, accepted: bool) -> None:
        self.outputs.append(DecideProposal(proposal_id, accepted=accepted))
        pending = tuple(p for p in self.state.proposals if p.id != proposal_id)
        self.state = replace(self.state, proposals=pending)

    @property
    def meeting_texts(self) -> MeetingTexts:
        meeting = self.content.meeting
        return (meeting.get(self.dialog.language) or next(iter(meeting.values()))).texts
