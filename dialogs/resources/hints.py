"""Hints for a counsellor about a client's resources, drawn from the methodology
(METHODOLOGY.md section 4): the personal network first, then the community, and professional
help as little as possible but as much as needed.

Pure and deterministic: the same case file gives the same hints in the same order. Each hint
looks only at what the client shares (goals need the plan, "what helped before" the strengths).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dialogs.engine.state import Closeness, GoalStatus, ResourceKind
from dialogs.linking.casefile import CaseFile, Section

PERSONAL = frozenset({ResourceKind.CLOSE, ResourceKind.KNOWN})


class HintKind(StrEnum):
    NO_PERSONAL = "no_personal"  # nobody from the personal network named
    ONLY_PROFESSIONAL = "only_professional"  # a goal whose only help is professional
    GOAL_NOBODY = "goal_nobody"  # an open goal with nobody named for it
    ALL_FAR = "all_far"  # everyone named is further away
    PAST_UNUSED = "past_unused"  # what helped before in a domain, with no resource there yet


@dataclass(frozen=True)
class Hint:
    kind: HintKind
    goal: int | None = None
    domain: str | None = None


def resource_hints(file: CaseFile) -> tuple[Hint, ...]:
    """What a counsellor may want to look at, most important first; nothing when the client
    does not share their resources."""
    if Section.RESOURCES not in file.sections:
        return ()
    resources = file.resources
    hints: list[Hint] = []
    if not any(r.kind in PERSONAL for r in resources):
        hints.append(Hint(HintKind.NO_PERSONAL))
    # Goals are known only when the plan is shared too; a reached or dropped one needs no help.
    closed = {g.number for g in file.goals if g.status != GoalStatus.OPEN}
    goals = sorted({r.goal for r in resources if r.goal is not None} - closed)
    for goal in goals:
        if all(r.kind is ResourceKind.PROFESSIONAL for r in resources if r.goal == goal):
            hints.append(Hint(HintKind.ONLY_PROFESSIONAL, goal=goal))
    # Someone named in a step ("ask Kees") counts as help for the goal too.
    helped = set(goals) | {s.goal for s in file.steps if s.who == "network"}
    for entry in file.goals:
        if entry.status == GoalStatus.OPEN and entry.number not in helped:
            hints.append(Hint(HintKind.GOAL_NOBODY, goal=entry.number))
    if resources and all(r.closeness is Closeness.FAR for r in resources):
        hints.append(Hint(HintKind.ALL_FAR))
    hints += (Hint(HintKind.PAST_UNUSED, domain=domain) for domain in _past_unused(file))
    return tuple(hints)


def _past_unused(file: CaseFile) -> list[str]:
    """Domains where the client told what helped before (strengths shared) while no resource
    is named for that domain and no resource's name occurs in that answer."""
    names = [r.name.casefold() for r in file.resources]
    named_domains = {r.domain for r in file.resources}
    domains = []
    for answer in file.answers:
        start, _, rest = answer.key.partition(".")
        domain, _, question = rest.partition(".")
        if (start, question) != ("inventory", "past") or answer.status != "answered":
            continue
        text = (answer.text or "").casefold()
        if text.strip() and domain not in named_domains and not any(n in text for n in names):
            domains.append(domain)
    return domains
