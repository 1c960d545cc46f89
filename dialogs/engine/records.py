"""How the answers of a flow become records of the action plan, and when a step reminds.

A flow that makes records keeps its answers in its frame (`Frame.values`, node id -> text) until
a `save` node; these functions turn those values into outputs. Dates and moments are ISO text:
a date as "2026-12-04", a moment as UTC "2026-12-03T18:00:00+00:00".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from dialogs.content.flows import RecordKind
from dialogs.content.texts import UiTexts
from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import (
    CancelReminders,
    Output,
    SaveGoal,
    SaveReflection,
    SaveResource,
    SaveStep,
    ScheduleReminder,
    SendCounsellorMessage,
    SetQuietHours,
)
from dialogs.engine.state import (
    Closeness,
    Goal,
    GoalStatus,
    Profile,
    Resource,
    ResourceKind,
    State,
    Step,
    StepStatus,
)
from dialogs.engine.when import QuietHours, local_to_utc, outside_quiet, utc_to_local

Numbered = TypeVar("Numbered", Goal, Step, Resource)
# A "weet ik niet" in a flow that makes records: kept apart from a skipped (absent) answer.
UNKNOWN_VALUE = ""
# Who does a step: the options of the step flow's "who" question.
STEP_WHO = ("me", "network", "counsellor")


def quiet_hours(profile: Profile) -> QuietHours:
    return QuietHours(
        time.fromisoformat(profile.quiet_start), time.fromisoformat(profile.quiet_end)
    )


def deliverable(moment: datetime, profile: Profile) -> datetime:
    """The moment a reminder may really go out: never inside the client's quiet hours."""
    return outside_quiet(moment, profile.timezone, quiet_hours(profile))


def step_values(step: Step) -> dict[str, str]:
    """A stored step as the values of the step flow, for changing one part of it."""
    values = {"number": str(step.number), "goal": str(step.goal), "what": step.text}
    values["who"] = step.who
    if step.who_name:
        values["who_name"] = step.who_name
    if step.due:
        values["due"] = step.due.isoformat()
    if step.remind_at:
        values["remind_at"] = step.remind_at.isoformat()
    return values


def build(
    kind: RecordKind,
    values: Mapping[str, str],
    state: State,
    answered: tuple[str, ...],
    now: datetime,
    ui: UiTexts,
) -> tuple[State, dict[str, str], list[Output]]:
    """The outputs of one save node; returns the state and values with the record's number
    (and, for a resource, what the flow goes on with: RECORD_VALUES)."""
    match kind:
        case RecordKind.GOAL:
            return _goal(values, state)
        case RecordKind.STEP:
            return _step(values, state, now)
        case RecordKind.REFLECTION:
            return _reflection(values, state, answered)
        case RecordKind.QUIET_HOURS:
            return _quiet(values, state)
        case RecordKind.COUNSELLOR_MESSAGE:
            # A call request may say when the client can be reached; the message is the text.
            text = values.get("text") or values.get("reachable") or ""
            return state, dict(values), [SendCounsellorMessage(values.get("kind", "message"), text)]
        case RecordKind.RESOURCE:
            return _resource(values, state, ui)


def _number(values: Mapping[str, str], existing: tuple[int, ...]) -> int:
    given = whole_number(values.get("number", ""))
    return given if given is not None else max(existing, default=0) + 1


def _put(items: tuple[Numbered, ...], item: Numbered) -> tuple[Numbered, ...]:
    """The items with `item` added or put in place of the one with its number, by number."""
    kept = [i for i in items if i.number != item.number]
    kept.append(item)
    return tuple(sorted(kept, key=lambda i: i.number))


def _text(values: Mapping[str, str], name: str) -> str | None:
    return values.get(name) or None


def _goal(values: Mapping[str, str], state: State) -> tuple[State, dict[str, str], list[Output]]:
    number = _number(values, tuple(g.number for g in state.goals))
    old = state.goal(number)
    goal = Goal(
        number=number,
        text=values.get("goal") or (old.text if old else ""),
        domain=_text(values, "domain"),
        why=_text(values, "why"),
        status=old.status if old else GoalStatus.OPEN,
    )
    state = replace(state, goals=_put(state.goals, goal))
    return state, {**values, "number": str(number)}, [SaveGoal(goal)]


def _step(
    values: Mapping[str, str], state: State, now: datetime
) -> tuple[State, dict[str, str], list[Output]]:
    number = _number(values, tuple(s.number for s in state.steps))
    old = state.step(number)
    due = date.fromisoformat(values["due"]) if values.get("due") else None
    remind_at = datetime.fromisoformat(values["remind_at"]) if values.get("remind_at") else None
    if old and old.due and due and old.remind_at and remind_at == old.remind_at:
        # Postponing a step moves its reminder by as many days, at the same local time.
        local = utc_to_local(old.remind_at, state.profile.timezone) + (due - old.due)
        remind_at = local_to_utc(local.replace(tzinfo=None), state.profile.timezone)
    who = values.get("who") or "me"
    who_name = _text(values, "who_name") if who == "network" else None
    if who not in STEP_WHO:
        # Own words at "who" ("mijn zus"): someone the client knows, by that name.
        who, who_name = "network", who
    step = Step(
        number=number,
        goal=int(values["goal"]),
        text=values.get("what") or (old.text if old else ""),
        who=who,
        who_name=who_name,
        due=due,
        remind_at=remind_at,
        status=old.status if old else StepStatus.OPEN,
        done_at=old.done_at if old else None,
    )
    state = replace(state, steps=_put(state.steps, step))
    outputs: list[Output] = [SaveStep(step)]
    if remind_at is None and old is not None and old.remind_at is not None:
        outputs.append(CancelReminders(number))
    elif remind_at is not None and (old is None or old.remind_at != remind_at) and remind_at > now:
        outputs.append(ScheduleReminder(number, deliverable(remind_at, state.profile)))
    new_values = {**values, "number": str(number)}
    if remind_at:
        new_values["remind_at"] = remind_at.isoformat()
    return state, new_values, outputs


def _reflection(
    values: Mapping[str, str], state: State, answered: tuple[str, ...]
) -> tuple[State, dict[str, str], list[Output]]:
    number = whole_number(values.get("number", ""))
    if number is None:
        number = state.reflections + 1
        state = replace(state, reflections=number)
    record = SaveReflection(
        number=number,
        goal=whole_number(values.get("goal", "")),
        step=whole_number(values.get("step", "")),
        answers={name: values[name] for name in answered if name in values},
    )
    return state, {**values, "number": str(number)}, [record]


def _resource(
    values: Mapping[str, str], state: State, ui: UiTexts
) -> tuple[State, dict[str, str], list[Output]]:
    """A new resource, or one of the client's own picked to help with a goal (`resource`).

    A picked one keeps what the client said about it before; only what was still empty is
    filled in. The values go on with who it is and the step of asking them for help."""
    picked = whole_number(values.get("resource", ""))
    old = state.resource(picked) if picked is not None else None
    goal = whole_number(values.get("goal", ""))
    help_with = _text(values, "help_with")
    if picked is not None and old is None:
        # Taken off the list since it was picked: nothing to save; a step asks who it is.
        return state, {**values, "who": "network", "help_step": help_with or ""}, []
    if old is not None:
        unplaced = old.goal is None and old.domain is None
        resource = replace(
            old, goal=goal if unplaced else old.goal, help_with=old.help_with or help_with
        )
    else:
        given = whole_number(values.get("number", ""))
        number = given if given is not None else state.last_resource + 1
        resource = Resource(
            number=number,
            name=values.get("name") or "",
            kind=ResourceKind(values["kind"]),
            closeness=Closeness(values.get("closeness") or Closeness.BETWEEN),
            goal=goal,
            domain=_text(values, "domain"),
            help_with=help_with,
        )
        state = replace(state, last_resource=max(state.last_resource, number))
    outputs: list[Output] = []
    if resource != old:
        state = replace(state, resources=_put(state.resources, resource))
        outputs.append(SaveResource(resource))
    step = ui.ask_help_step.format(name=resource.name, help=help_with or "")
    new_values = {**values, "who": "network", "who_name": resource.name, "help_step": step}
    if old is None:
        # Saved again after going back (a changed answer): the same new resource, not another.
        new_values["number"] = str(resource.number)
    return state, new_values, outputs


def _quiet(values: Mapping[str, str], state: State) -> tuple[State, dict[str, str], list[Output]]:
    choice = values.get("quiet", "")
    # Options are named like "h22_08": quiet from 22:00 to 08:00; "none" means never quiet.
    if choice.startswith("h") and len(choice) == 6:
        start, end = f"{choice[1:3]}:00", f"{choice[4:6]}:00"
    else:
        start = end = "00:00"
    profile = replace(state.profile, quiet_start=start, quiet_end=end)
    return replace(state, profile=profile), dict(values), [SetQuietHours(start, end)]


def follow_up_at(now: datetime, profile: Profile, after: timedelta) -> datetime:
    """One gentle follow-up `after` an unanswered reminder, outside quiet hours."""
    return deliverable(now + after, profile)
