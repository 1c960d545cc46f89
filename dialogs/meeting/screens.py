"""What the team meeting shows in the group: the timer message of each step, the buttons,
the summary. Pure functions of the meeting, its content and the time."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import Button, Keyboard
from dialogs.meeting.content import BRAINSTORM, CHOICE, MeetingContent
from dialogs.meeting.state import FollowUp, Idea, Meeting, Member

PREFIX = "m"
MAX_LIST = 3000  # characters of ideas listed in one message (Telegram allows 4096)
MAX_LABEL = 28  # characters of an idea on its toggle button


def data(meeting: Meeting, action: str, arg: object = "") -> str:
    """A button of this meeting at its current stage: `m:<key>:<stage>:<action>[:<arg>]`."""
    head = f"{PREFIX}:{meeting.key}:{meeting.stage}:{action}"
    return f"{head}:{arg}" if arg != "" else head


def parse(data: str) -> tuple[int, int, str, str] | None:
    """(key, stage, action, arg) of a meeting button; None for anything else."""
    parts = data.split(":", 4)
    if len(parts) < 4 or parts[0] != PREFIX:
        return None
    key, stage = whole_number(parts[1]), whole_number(parts[2])
    if key is None or stage is None:
        return None
    return key, stage, parts[3], parts[4] if len(parts) == 5 else ""


def names(members: Sequence[Member]) -> str:
    return ", ".join(member.name for member in members)


def minutes_left(seconds: float) -> int:
    return max(0, math.ceil(seconds / 60))


def shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def idea_list(ideas: Sequence[Idea], content: MeetingContent, *, marks: bool = False) -> str:
    """The ideas, numbered, within what one message holds."""
    if not ideas:
        return content.texts.no_ideas
    lines: list[str] = []
    used = 0
    for idea in ideas:
        mark = ("✅ " if idea.chosen else "▫️ ") if marks else ""
        line = f"{mark}{idea.number}. {shorten(idea.text, 300)}"
        used += len(line) + 1
        if used > MAX_LIST:
            lines.append("…")
            break
        lines.append(line)
    return "\n".join(lines)


def chosen_list(meeting: Meeting, content: MeetingContent) -> str:
    chosen = [idea for idea in meeting.ideas if idea.chosen]
    return idea_list(chosen, content) if chosen else content.texts.no_ideas


def opened(meeting: Meeting, content: MeetingContent) -> tuple[str, Keyboard]:
    texts = content.texts
    durations = ", ".join(
        f"{step.title} {texts.minutes.format(minutes=minutes)}"
        for step, minutes in zip(content.steps, meeting.minutes, strict=True)
    )
    text = texts.opened.format(
        chair=meeting.chair.name, durations=durations, members=names(meeting.members)
    )
    buttons = (
        (Button(texts.join, data(meeting, "join")), Button(texts.begin, data(meeting, "begin"))),
    )
    return text, buttons


def choose_presenter(meeting: Meeting, content: MeetingContent) -> tuple[str, Keyboard]:
    buttons = [Button(m.name, data(meeting, "presenter", m.user_id)) for m in meeting.members]
    return content.texts.choose_presenter.format(chair=meeting.chair.name), pairs(buttons)


def case_name(meeting: Meeting, content: MeetingContent) -> str:
    """The case as the team sees it: its initials, or that it was removed at the client's
    request."""
    return content.texts.case_removed if meeting.case_removed else meeting.case or ""


def pairs(buttons: Sequence[Button]) -> Keyboard:
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def follow_up_ask(
    meeting: Meeting, follow_up: FollowUp, content: MeetingContent
) -> tuple[str, Keyboard]:
    texts = content.texts
    text = texts.follow_up_ask.format(
        presenter=follow_up.presenter.name,
        case=follow_up.case,
        ideas="\n".join(f"• {idea}" for idea in follow_up.chosen) or texts.no_ideas,
        next_step=follow_up.next_step or texts.not_given,
    )
    skip = Button(texts.follow_up_skip, data(meeting, "fskip", follow_up.meeting_key))
    return text, ((skip,),)


def timer(meeting: Meeting, content: MeetingContent, now: datetime) -> tuple[str, Keyboard]:
    """The step's message: where the team is, the time left, what to do; and its buttons."""
    texts = content.texts
    step = content.steps[meeting.step]
    where = {"number": meeting.step + 1, "total": len(content.steps), "title": step.title}
    if meeting.paused:
        headline = texts.timer_paused.format(minutes=minutes_left(meeting.remaining or 0), **where)
    elif meeting.deadline is None or now >= meeting.deadline:
        headline = texts.timer_up.format(**where)
    else:
        seconds = (meeting.deadline - now).total_seconds()
        headline = texts.timer.format(minutes=minutes_left(seconds), **where)
    presenter = meeting.presenter.name if meeting.presenter else ""
    case = case_name(meeting, content)
    parts = [
        headline,
        texts.case_line.format(case=case, presenter=presenter),
        step.explanation.format(presenter=presenter, case=case),
    ]
    if step.id == BRAINSTORM:
        parts.append(texts.idea_count.format(count=len(meeting.ideas)))
    rows: list[tuple[Button, ...]] = []
    if step.id == CHOICE:
        parts.append(
            texts.pick.format(
                presenter=presenter,
                case=case,
                ideas=idea_list(meeting.ideas, content, marks=True),
                next_step=meeting.next_step or texts.not_given,
            )
        )
        toggles = [
            Button(
                f"{'✅' if idea.chosen else '▫️'} {idea.number}. {shorten(idea.text, MAX_LABEL)}",
                data(meeting, "pick", idea.number),
            )
            for idea in meeting.ideas
        ]
        rows += pairs(toggles)
        rows.append((Button(texts.done, data(meeting, "done")),))
    elif not meeting.paused:
        rows.append((Button(texts.next, data(meeting, "next")),))
    control = (
        Button(texts.resume, data(meeting, "resume"))
        if meeting.paused
        else Button(texts.pause, data(meeting, "pause"))
    )
    rows.append((control,))
    return "\n\n".join(parts), tuple(rows)


def nudge(meeting: Meeting, content: MeetingContent) -> tuple[str, Keyboard]:
    texts = content.texts
    step = content.steps[meeting.step]
    text = texts.nudge.format(
        title=step.title,
        chair=meeting.chair.name,
        presenter=meeting.presenter.name if meeting.presenter else meeting.chair.name,
    )
    buttons = (
        (Button(texts.next, data(meeting, "next")), Button(texts.more, data(meeting, "more"))),
    )
    return text, buttons


def summary(
    meeting: Meeting, content: MeetingContent, followed: Sequence[FollowUp]
) -> tuple[str, Keyboard]:
    texts = content.texts
    presenter = meeting.presenter.name if meeting.presenter else ""
    looked_back = "\n".join(
        texts.follow_up_line.format(
            presenter=f.presenter.name, case=f.case, answer=f.answer or texts.follow_up_skipped
        )
        for f in followed
    )
    chosen = [idea for idea in meeting.ideas if idea.chosen]
    text = texts.summary.format(
        case=case_name(meeting, content),
        presenter=presenter,
        follow_ups=looked_back or texts.no_follow_ups,
        count=len(meeting.ideas),
        ideas=idea_list(meeting.ideas, content),
        chosen=", ".join(str(idea.number) for idea in chosen) or texts.no_ideas,
        next_step=meeting.next_step or texts.not_given,
    )
    buttons = [Button(texts.send_me, data(meeting, "sendme"))]
    if meeting.case_link is not None and chosen:
        buttons.append(Button(texts.propose, data(meeting, "propose")))
    return text, tuple((button,) for button in buttons)


def private(meeting: Meeting, content: MeetingContent) -> str:
    return content.texts.private.format(
        case=case_name(meeting, content),
        chosen=chosen_list(meeting, content),
        next_step=meeting.next_step or content.texts.not_given,
    )
