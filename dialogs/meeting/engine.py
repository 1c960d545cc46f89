"""The team strength meeting (teamkrachtbespreking, METHODOLOGY.md section 5) as a pure engine:

    step(content, meeting, event, context, now) -> (meeting, outputs)

A counsellor starts it in the team's group; members join; earlier presenters tell what came of
their case; the chair chooses a presenter, the presenter a client (by initials only); then the
steps run, each with a timer message that is edited every minute and a nudge when time is up.
Ideas are collected one message each in the brainstorm; the presenter picks the ones to try
and names the next step; the group gets a summary, the presenter the chosen ideas privately.
No I/O here: `bot.meetings` stores the meeting and performs the outputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import Button, Keyboard, Notice, Replace, Say
from dialogs.engine.typed import clean_text
from dialogs.meeting import screens
from dialogs.meeting.content import BRAINSTORM, CHOICE, QUESTIONS, MeetingContent
from dialogs.meeting.state import (
    Context,
    EditTimer,
    GroupCommand,
    GroupEdited,
    GroupPress,
    Idea,
    Meeting,
    MeetingCommand,
    MeetingEvent,
    MeetingOutput,
    Member,
    Phase,
    ProposeSteps,
    SaveFollowUp,
    SayPrivately,
    ShowTimer,
    Tick,
    Wake,
)

MAX_IDEAS = 30  # what one meeting's choice screen can show as buttons
MAX_TEXT = 500  # characters kept of an idea, an answer or a next step
EXTRA = timedelta(minutes=2)  # "2 more minutes"
# Initials: letters each followed by a dot (A.B., A.d.V.), or a few capitals (AB).
_DOTTED = re.compile(r"(?:[^\W\d_]\.\s?){1,4}")
_CAPITALS = re.compile(r"[^\W\d_]{1,4}")


def initials(name: str) -> str:
    """A client's name as initials: "Anna de Vries" -> "A.d.V."."""
    return "".join(f"{word[0]}." for word in name.split() if word[0].isalpha()) or "?"


def read_initials(text: str) -> str | None:
    """Typed initials, tidied; None when it could be a name (only initials leave the client
    anonymous)."""
    typed = text.strip()
    if _DOTTED.fullmatch(typed):
        return typed.replace(" ", "")
    if _CAPITALS.fullmatch(typed) and typed.isupper():
        return "".join(f"{letter}." for letter in typed)
    return None


def read_minutes(arg: str, defaults: tuple[int, ...]) -> tuple[int, ...] | None:
    """`/teamoverleg 2 3 4 6 3`: a duration per step (1 to 30 minutes); None if unreadable."""
    words = arg.split()
    if not words:
        return defaults
    minutes = tuple(whole_number(word, largest=30) or 0 for word in words)
    if len(minutes) != len(defaults) or 0 in minutes:
        return None
    return minutes


def step(
    content: Mapping[str, MeetingContent],
    meeting: Meeting | None,
    event: MeetingEvent,
    context: Context,
    now: datetime,
    *,
    chat_id: int,
    key: int,
) -> tuple[Meeting | None, list[MeetingOutput]]:
    """React to one event in the group `chat_id`; `key` names a meeting this event starts.
    Deterministic: the same input always gives the same output."""
    turn = MeetingTurn(content, meeting, context, now)
    turn.handle(event, chat_id, key)
    return turn.meeting, turn.outputs


class MeetingTurn:
    def __init__(
        self,
        content: Mapping[str, MeetingContent],
        meeting: Meeting | None,
        context: Context,
        now: datetime,
    ) -> None:
        self.all_content = content
        self.meeting = meeting
        self.context = context
        self.now = now
        self.outputs: list[MeetingOutput] = []

    # --- helpers ---------------------------------------------------------------------------

    def content_for(self, language: str) -> MeetingContent:
        return self.all_content.get(language) or next(iter(self.all_content.values()))

    @property
    def live(self) -> Meeting:
        assert self.meeting is not None
        return self.meeting

    @property
    def content(self) -> MeetingContent:
        return self.content_for(self.live.language)

    def update(self, **changes: Any) -> Meeting:
        self.meeting = replace(self.live, **changes)
        return self.meeting

    def say(self, text: str, buttons: Keyboard = ()) -> None:
        self.outputs.append(Say(text, buttons))

    def notice(self, text: str) -> None:
        self.outputs.append(Notice(text))

    def next_screen(self, phase: Phase) -> None:
        """A new screen: buttons of the screens before it go stale."""
        self.update(phase=phase, stage=self.live.stage + 1)

    # --- events ----------------------------------------------------------------------------

    def handle(self, event: MeetingEvent, chat_id: int, key: int) -> None:
        if isinstance(event, GroupPress):
            self.press(event)
            return
        meeting = self.meeting
        if isinstance(event, Tick):
            if meeting is not None and meeting.active:
                self.tick()
            return
        if isinstance(event, GroupCommand) and event.command is MeetingCommand.START:
            self.start(event, chat_id, key)
            return
        if meeting is None or not meeting.active:
            if isinstance(event, GroupCommand):
                self.say(self.content_for(event.language).texts.no_meeting)
            return  # the group talks among themselves: not for the bot
        if isinstance(event, GroupCommand):
            self.command(event)
        elif isinstance(event, GroupEdited):
            if self.reads_text_of(event.user_id):
                # Said, not silently rewritten: a changed idea is sent again as a new one.
                self.say(self.content.texts.edited.format(name=event.name))
        else:
            self.text(event.user_id, event.name, clean_text(event.text))

    def start(self, event: GroupCommand, chat_id: int, key: int) -> None:
        content = self.content_for(event.language)
        if self.meeting is not None and self.meeting.active:
            self.say(self.content.texts.already_running)
            return
        if event.user_id not in self.context.counsellors:
            self.say(content.texts.not_counsellor)
            return
        minutes = read_minutes(event.arg, content.default_minutes)
        if minutes is None:
            self.say(content.texts.bad_durations)
            return
        chair = Member(event.user_id, event.name)
        language = event.language if event.language in self.all_content else content.language
        self.meeting = Meeting(key, chat_id, language, chair, minutes, self.now, members=(chair,))
        self.say(*screens.opened(self.live, self.content))

    def command(self, event: GroupCommand) -> None:
        texts = self.content.texts
        match event.command:
            case MeetingCommand.PAUSE:
                if self.may_lead(event.user_id, reply=True):
                    self.pause()
            case MeetingCommand.RESUME:
                if self.may_lead(event.user_id, reply=True):
                    self.resume(reply=True)
            case MeetingCommand.STOP:
                if event.user_id == self.live.chair.user_id or (
                    event.user_id in self.context.counsellors
                ):
                    self.stop()
                else:
                    self.say(texts.only_chair.format(chair=self.live.chair.name))
            case MeetingCommand.IDEA if self.live.phase is Phase.STEP:
                self.text(event.user_id, event.name, clean_text(event.arg))
            case MeetingCommand.CASE if self.live.phase is Phase.CASE:
                self.text(event.user_id, event.name, clean_text(event.arg))
            case _:
                pass  # /idee before the steps, /casus after the case: nothing to take

    def text(self, user_id: int, name: str, text: str) -> None:
        meeting = self.live
        if not text:
            return
        match meeting.phase:
            case Phase.FOLLOW_UP:
                asked = self.context.follow_ups[0] if self.context.follow_ups else None
                if asked is not None and asked.presenter.user_id == user_id:
                    self.follow_up_told(asked.meeting_key, text[:MAX_TEXT])
            case Phase.CASE if meeting.presenter and meeting.presenter.user_id == user_id:
                case = read_initials(text)
                if case is None:
                    self.say(self.content.texts.case_not_initials)
                else:
                    self.case_chosen(case, None)
            case Phase.STEP:
                self.step_text(user_id, name, text)
            case _:
                pass  # talk among the team: not for the bot

    def reads_text_of(self, user_id: int) -> bool:
        """Whether a message of this member would be taken in now (an idea, an answer, the
        case, the next step); the team's other talk is not the bot's."""
        meeting = self.live
        match meeting.phase:
            case Phase.FOLLOW_UP:
                asked = self.context.follow_ups[0] if self.context.follow_ups else None
                return asked is not None and asked.presenter.user_id == user_id
            case Phase.CASE:
                return meeting.presenter is not None and meeting.presenter.user_id == user_id
            case Phase.STEP:
                step_id = self.content.steps[meeting.step].id
                presenter = meeting.presenter is not None and meeting.presenter.user_id == user_id
                return step_id == BRAINSTORM or (step_id == CHOICE and presenter)
            case _:
                return False

    def step_text(self, user_id: int, name: str, text: str) -> None:
        meeting, texts = self.live, self.content.texts
        step_id = self.content.steps[meeting.step].id
        if step_id == BRAINSTORM:
            if len(meeting.ideas) >= MAX_IDEAS:
                self.say(texts.idea_limit.format(count=len(meeting.ideas)))
                return
            idea = Idea(len(meeting.ideas) + 1, user_id, text[:MAX_TEXT])
            members = meeting.members
            if not meeting.is_member(user_id):
                members += (Member(user_id, name),)
            self.update(ideas=(*meeting.ideas, idea), members=members)
            self.outputs.append(EditTimer(*screens.timer(self.live, self.content, self.now)))
        elif step_id == CHOICE and meeting.presenter and user_id == meeting.presenter.user_id:
            self.update(next_step=text[:MAX_TEXT])
            self.outputs.append(EditTimer(*screens.timer(self.live, self.content, self.now)))
        elif (
            step_id == QUESTIONS
            and "?" not in text
            and not meeting.leads(user_id)
            and user_id not in meeting.reminded
        ):
            self.update(reminded=(*meeting.reminded, user_id))
            self.say(texts.questions_reminder)

    # --- buttons ---------------------------------------------------------------------------

    def press(self, event: GroupPress) -> None:
        parsed = screens.parse(event.data)
        meeting = self.meeting
        if parsed is None or meeting is None or meeting.chat_id != event.chat_id:
            self.notice(self.content_for(event.language).texts.not_here)
            return
        key, stage, action, arg = parsed
        texts = self.content.texts
        if key != meeting.key:
            self.notice(texts.not_here)
            return
        if stage != meeting.stage:
            self.notice(texts.stale)
            return
        if meeting.paused and action != "resume":
            self.notice(texts.paused)
            return
        user = event.user_id
        match action:
            case "join" if meeting.phase is Phase.GATHERING:
                self.join(event)
            case "begin" if meeting.phase is Phase.GATHERING:
                if self.may_chair(user):
                    self.begin()
            case "fskip" if meeting.phase is Phase.FOLLOW_UP:
                self.follow_up_skip(user, arg)
            case "presenter" if meeting.phase is Phase.PRESENTER:
                if self.may_chair(user):
                    self.presenter_chosen(arg)
            case "case" if meeting.phase is Phase.CASE:
                if self.may_present(user):
                    self.case_from_link(arg)
            case "next" if meeting.phase is Phase.STEP:
                if self.may_lead(user):
                    self.next_step()
            case "more" if meeting.phase is Phase.STEP:
                if self.may_lead(user):
                    self.more_time()
            case "pause" if meeting.phase is Phase.STEP:
                if self.may_lead(user):
                    self.pause()
            case "resume" if meeting.active:
                if self.may_lead(user):
                    self.resume(reply=False)
            case "pick" if self.choosing():
                if self.may_present(user):
                    self.toggle(arg)
            case "done" if self.choosing():
                if self.may_present(user):
                    self.finish()
            case "sendme" if meeting.phase is Phase.FINISHED:
                if self.may_present(user):
                    self.send_privately()
            case "propose" if meeting.phase is Phase.FINISHED:
                if self.may_present(user):
                    self.propose()
            case _:
                self.notice(texts.stale)

    def may_chair(self, user_id: int) -> bool:
        if user_id == self.live.chair.user_id:
            return True
        self.notice(self.content.texts.only_chair.format(chair=self.live.chair.name))
        return False

    def may_present(self, user_id: int) -> bool:
        presenter = self.live.presenter
        if presenter is not None and user_id == presenter.user_id:
            return True
        name = presenter.name if presenter else self.live.chair.name
        self.notice(self.content.texts.only_presenter.format(presenter=name))
        return False

    def may_lead(self, user_id: int, *, reply: bool = False) -> bool:
        """The chair or the presenter; anyone else hears who can (a notice under a button,
        a message after a command)."""
        meeting = self.live
        if meeting.leads(user_id):
            return True
        presenter = meeting.presenter.name if meeting.presenter else meeting.chair.name
        text = self.content.texts.only_lead.format(chair=meeting.chair.name, presenter=presenter)
        if reply:
            self.say(text)
        else:
            self.notice(text)
        return False

    def choosing(self) -> bool:
        meeting = self.live
        return meeting.phase is Phase.STEP and self.content.steps[meeting.step].id == CHOICE

    # --- the phases ------------------------------------------------------------------------

    def join(self, event: GroupPress) -> None:
        texts = self.content.texts
        if self.live.is_member(event.user_id):
            self.notice(texts.already_joined)
            return
        self.update(members=(*self.live.members, Member(event.user_id, event.name)))
        self.notice(texts.joined)
        self.outputs.append(Replace(*screens.opened(self.live, self.content)))

    def begin(self) -> None:
        self.outputs.append(Replace(screens.opened(self.live, self.content)[0]))
        if self.context.follow_ups:
            self.ask_follow_up(0)
        else:
            self.ask_presenter()

    def ask_follow_up(self, index: int) -> None:
        self.next_screen(Phase.FOLLOW_UP)
        follow_up = self.context.follow_ups[index]
        self.say(*screens.follow_up_ask(self.live, follow_up, self.content))

    def follow_up_told(self, meeting_key: int, answer: str | None) -> None:
        asked = self.context.follow_ups[0]
        self.outputs.append(SaveFollowUp(meeting_key, answer))
        if answer is not None:
            self.say(self.content.texts.follow_up_thanks.format(presenter=asked.presenter.name))
        # The context still lists the one just told: the next to ask is after it.
        if len(self.context.follow_ups) > 1:
            self.context = replace(self.context, follow_ups=self.context.follow_ups[1:])
            self.ask_follow_up(0)
        else:
            self.ask_presenter()

    def follow_up_skip(self, user_id: int, arg: str) -> None:
        asked = self.context.follow_ups[0] if self.context.follow_ups else None
        if asked is None or str(asked.meeting_key) != arg:
            self.notice(self.content.texts.stale)
            return
        if user_id != asked.presenter.user_id and not self.may_chair(user_id):
            return
        self.outputs.append(Replace(screens.follow_up_ask(self.live, asked, self.content)[0]))
        self.follow_up_told(asked.meeting_key, None)

    def ask_presenter(self) -> None:
        self.next_screen(Phase.PRESENTER)
        self.say(*screens.choose_presenter(self.live, self.content))

    def presenter_chosen(self, arg: str) -> None:
        chosen = next((m for m in self.live.members if str(m.user_id) == arg), None)
        if chosen is None:
            self.notice(self.content.texts.stale)
            return
        self.outputs.append(Replace(screens.choose_presenter(self.live, self.content)[0]))
        self.next_screen(Phase.CASE)
        self.update(presenter=chosen)
        options = self.context.cases.get(chosen.user_id, ())
        buttons = screens.pairs(
            [Button(o.label, screens.data(self.live, "case", o.link_id)) for o in options]
        )
        self.say(self.content.texts.choose_case.format(presenter=chosen.name), buttons)

    def case_from_link(self, arg: str) -> None:
        presenter = self.live.presenter
        options = self.context.cases.get(presenter.user_id, ()) if presenter else ()
        option = next((o for o in options if str(o.link_id) == arg), None)
        if option is None or presenter is None:
            self.notice(self.content.texts.stale)
            return
        asked = self.content.texts.choose_case.format(presenter=presenter.name)
        self.outputs.append(Replace(asked))  # the other clients' initials go
        self.case_chosen(option.label, option.link_id)

    def case_chosen(self, case: str, link_id: int | None) -> None:
        self.update(case=case, case_link=link_id)
        self.enter_step(0)

    def enter_step(self, index: int) -> None:
        self.next_screen(Phase.STEP)
        minutes = self.live.minutes[index]
        self.update(
            step=index,
            deadline=self.now + timedelta(minutes=minutes),
            nudged=False,
            reminded=(),
            timer_message=None,
        )
        self.outputs.append(ShowTimer(*screens.timer(self.live, self.content, self.now)))
        self.wake()

    def wake(self) -> None:
        """The next tick: when the minutes shown change, or the deadline itself."""
        meeting = self.live
        at = None
        if meeting.deadline is not None and not meeting.paused and not meeting.nudged:
            left = (meeting.deadline - self.now).total_seconds()
            shown = screens.minutes_left(left)
            at = meeting.deadline - timedelta(minutes=max(shown - 1, 0))
        self.update(wake_at=at)
        self.outputs.append(Wake(at))

    def tick(self) -> None:
        meeting = self.live
        if (
            meeting.phase is not Phase.STEP
            or meeting.paused
            or meeting.wake_at is None
            or self.now < meeting.wake_at
        ):
            return  # a tick of a timer that was moved or stopped meanwhile
        self.outputs.append(EditTimer(*screens.timer(meeting, self.content, self.now)))
        if meeting.deadline is not None and self.now >= meeting.deadline:
            self.update(nudged=True)
            self.say(*screens.nudge(self.live, self.content))
        self.wake()

    def next_step(self) -> None:
        meeting = self.live
        if meeting.step + 1 >= len(self.content.steps):
            self.finish()
            return
        self.close_timer()
        self.enter_step(meeting.step + 1)

    def close_timer(self) -> None:
        """The finished step's message keeps its text but loses its buttons."""
        self.outputs.append(EditTimer(screens.timer(self.live, self.content, self.now)[0]))

    def more_time(self) -> None:
        meeting = self.live
        base = max(meeting.deadline or self.now, self.now)
        self.update(deadline=base + EXTRA, nudged=False)
        self.notice(self.content.texts.extended)
        self.outputs.append(EditTimer(*screens.timer(self.live, self.content, self.now)))
        self.wake()

    def pause(self) -> None:
        meeting, texts = self.live, self.content.texts
        if meeting.paused:
            self.say(texts.already_paused)
            return
        remaining = None
        if meeting.phase is Phase.STEP and meeting.deadline is not None:
            remaining = max(0, int((meeting.deadline - self.now).total_seconds()))
        self.update(paused=True, remaining=remaining, deadline=None)
        if meeting.phase is Phase.STEP:
            self.outputs.append(EditTimer(*screens.timer(self.live, self.content, self.now)))
        self.say(texts.paused, ((Button(texts.resume, screens.data(self.live, "resume")),),))
        self.wake()

    def resume(self, *, reply: bool) -> None:
        meeting = self.live
        if not meeting.paused:
            if reply:
                self.say(self.content.texts.not_paused)
            else:
                self.notice(self.content.texts.not_paused)
            return
        deadline = None
        if meeting.remaining is not None:
            deadline = self.now + timedelta(seconds=meeting.remaining)
        self.update(paused=False, remaining=None, deadline=deadline)
        if meeting.phase is Phase.STEP:
            self.outputs.append(EditTimer(*screens.timer(self.live, self.content, self.now)))
            self.wake()

    def toggle(self, arg: str) -> None:
        ideas = tuple(
            replace(idea, chosen=not idea.chosen) if str(idea.number) == arg else idea
            for idea in self.live.ideas
        )
        self.update(ideas=ideas)
        self.outputs.append(EditTimer(*screens.timer(self.live, self.content, self.now)))

    def finish(self) -> None:
        self.close_timer()
        self.next_screen(Phase.FINISHED)
        self.update(deadline=None, ended_at=self.now)
        self.wake()
        self.say(*screens.summary(self.live, self.content, self.context.followed))
        self.send_privately()

    def send_privately(self) -> None:
        meeting, texts = self.live, self.content.texts
        presenter = meeting.presenter
        assert presenter is not None
        resend = ((Button(texts.send_me, screens.data(meeting, "sendme")),),)
        self.outputs.append(
            SayPrivately(
                presenter.user_id,
                screens.private(meeting, self.content),
                sent=Say(texts.private_sent.format(presenter=presenter.name)),
                failed=Say(texts.private_failed.format(presenter=presenter.name), resend),
            )
        )

    def propose(self) -> None:
        meeting, texts = self.live, self.content.texts
        chosen = tuple(idea.text for idea in meeting.ideas if idea.chosen)
        if meeting.case_link is None or meeting.presenter is None:
            self.notice(texts.proposal_unlinked)
        elif not chosen:
            self.notice(texts.proposal_nothing)
        elif meeting.proposed:
            self.notice(texts.proposal_again)
        else:
            self.update(proposed=True)
            self.outputs.append(ProposeSteps(meeting.case_link, meeting.presenter.user_id, chosen))
            self.say(texts.proposal_sent.format(case=meeting.case))

    def stop(self) -> None:
        self.next_screen(Phase.STOPPED)
        self.update(deadline=None, paused=False, remaining=None, ended_at=self.now)
        self.wake()
        self.say(self.content.texts.stopped)
