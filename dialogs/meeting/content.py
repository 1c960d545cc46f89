"""The team strength meeting's content: steps, default durations and texts, one file a language.

    meeting/<language>.yaml   commands, steps (id, minutes, title, explanation), texts

Loaded with the rest of the content (`dialogs.content.load.load_content`): a broken file, an unknown
placeholder, or languages that disagree on the steps stop start-up with a `ContentError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from dialogs.content.files import (
    DEFAULT_CONTENT_DIR,
    ContentError,
    check_placeholders,
    read_model,
)

Minutes = Annotated[int, Field(ge=1, le=30)]
CommandWord = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")]
NonEmpty = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MeetingCommands(_Strict):
    """The group commands, as typed in this language (every language's spelling works)."""

    start: CommandWord
    pause: CommandWord
    resume: CommandWord
    stop: CommandWord
    idea: CommandWord
    case: CommandWord


class StepSpec(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    minutes: Minutes
    title: NonEmpty
    explanation: NonEmpty


class MeetingTexts(_Strict):
    not_counsellor: NonEmpty
    already_running: NonEmpty
    bad_durations: NonEmpty
    no_meeting: NonEmpty
    opened: NonEmpty
    minutes: NonEmpty
    join: NonEmpty
    begin: NonEmpty
    joined: NonEmpty
    already_joined: NonEmpty
    only_chair: NonEmpty
    only_presenter: NonEmpty
    only_lead: NonEmpty
    stale: NonEmpty
    not_here: NonEmpty
    follow_up_ask: NonEmpty
    follow_up_skip: NonEmpty
    follow_up_thanks: NonEmpty
    choose_presenter: NonEmpty
    choose_case: NonEmpty
    case_not_initials: NonEmpty
    case_removed: NonEmpty
    timer: NonEmpty
    timer_up: NonEmpty
    timer_paused: NonEmpty
    case_line: NonEmpty
    idea_count: NonEmpty
    next: NonEmpty
    more: NonEmpty
    pause: NonEmpty
    resume: NonEmpty
    nudge: NonEmpty
    extended: NonEmpty
    questions_reminder: NonEmpty
    edited: NonEmpty
    idea_limit: NonEmpty
    pick: NonEmpty
    no_ideas: NonEmpty
    not_given: NonEmpty
    done: NonEmpty
    next_step_noted: NonEmpty
    paused: NonEmpty
    not_paused: NonEmpty
    already_paused: NonEmpty
    summary: NonEmpty
    no_follow_ups: NonEmpty
    follow_up_line: NonEmpty
    follow_up_skipped: NonEmpty
    private: NonEmpty
    private_failed: NonEmpty
    private_sent: NonEmpty
    send_me: NonEmpty
    propose: NonEmpty
    proposal_sent: NonEmpty
    proposal_again: NonEmpty
    proposal_nothing: NonEmpty
    proposal_unlinked: NonEmpty
    stopped: NonEmpty
    client_proposal: NonEmpty
    client_yes: NonEmpty
    client_no: NonEmpty
    client_added: NonEmpty
    client_declined: NonEmpty
    client_which_goal: NonEmpty
    client_no_goal: NonEmpty


class MeetingFile(_Strict):
    commands: MeetingCommands
    steps: tuple[StepSpec, ...] = Field(min_length=1, max_length=9)
    texts: MeetingTexts


CHAIR = {"chair"}
PRESENTER = {"presenter"}
STEP = {"number", "total", "title"}
# The placeholders each text may use; a text not named here may use none.
PLACEHOLDERS: Mapping[str, set[str]] = {
    "opened": {"chair", "durations", "members"},
    "minutes": {"minutes"},
    "only_chair": CHAIR,
    "only_presenter": PRESENTER,
    "only_lead": CHAIR | PRESENTER,
    "follow_up_ask": {"presenter", "case", "ideas", "next_step"},
    "follow_up_thanks": PRESENTER,
    "choose_presenter": CHAIR,
    "choose_case": PRESENTER,
    "timer": STEP | {"minutes"},
    "timer_up": STEP,
    "timer_paused": STEP | {"minutes"},
    "case_line": {"case", "presenter"},
    "idea_count": {"count"},
    "nudge": {"title", "chair", "presenter"},
    "idea_limit": {"count"},
    "edited": {"name"},
    "pick": {"presenter", "case", "ideas", "next_step"},
    "summary": {"case", "presenter", "follow_ups", "count", "ideas", "chosen", "next_step"},
    "follow_up_line": {"presenter", "case", "answer"},
    "private": {"case", "chosen", "next_step"},
    "private_failed": PRESENTER,
    "private_sent": PRESENTER,
    "proposal_sent": {"case"},
    "client_proposal": {"counsellor", "steps"},
}
EXPLANATION_PLACEHOLDERS = {"presenter", "case"}
# Steps the engine treats specially: ideas are collected in one, chosen from in the last.
BRAINSTORM = "brainstorm"
CHOICE = "choice"
QUESTIONS = "questions"  # a gentle reminder there: questions only, no advice


@dataclass(frozen=True)
class MeetingContent:
    """One language's meeting: what the bot says and the steps it leads the team through."""

    language: str
    commands: MeetingCommands
    steps: tuple[StepSpec, ...]
    texts: MeetingTexts

    @property
    def default_minutes(self) -> tuple[int, ...]:
        return tuple(step.minutes for step in self.steps)


def load_meeting(
    languages: tuple[str, ...], root: Path = DEFAULT_CONTENT_DIR
) -> Mapping[str, MeetingContent]:
    """`root/meeting/<language>.yaml` for each of `languages`, checked; a ContentError names
    the file and the key."""
    folder = root / "meeting"
    paths = [folder / f"{language}.yaml" for language in languages]
    meeting: dict[str, MeetingContent] = {}
    for path in paths:
        parsed = read_model(path, MeetingFile)
        for name, text in parsed.texts.model_dump().items():
            check_placeholders(path, f"texts.{name}", text, PLACEHOLDERS.get(name, set()))
        for step in parsed.steps:
            where = f"steps.{step.id}"
            check_placeholders(path, f"{where}.title", step.title, set())
            check_placeholders(
                path, f"{where}.explanation", step.explanation, EXPLANATION_PLACEHOLDERS
            )
        ids = [step.id for step in parsed.steps]
        if len(set(ids)) != len(ids) or BRAINSTORM not in ids or ids[-1] != CHOICE:
            raise ContentError(
                f"{path}: steps need unique ids, a {BRAINSTORM!r} step and {CHOICE!r} last"
            )
        meeting[path.stem] = MeetingContent(path.stem, parsed.commands, parsed.steps, parsed.texts)
    first_path, first = paths[0], meeting[paths[0].stem]
    shape = [(step.id, step.minutes) for step in first.steps]
    for path in paths[1:]:
        if [(step.id, step.minutes) for step in meeting[path.stem].steps] != shape:
            raise ContentError(f"{path}: steps must have the ids and minutes of {first_path}")
    return meeting
