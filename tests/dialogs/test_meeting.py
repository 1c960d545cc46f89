"""The team strength meeting engine: pure, so every path runs in microseconds."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dialogs import Content, ContentError, load_content
from dialogs.engine.outputs import Keyboard, Notice, Replace, Say
from dialogs.meeting.engine import initials, read_initials, step
from dialogs.meeting.state import (
    CaseOption,
    Context,
    EditTimer,
    FollowUp,
    GroupCommand,
    GroupEdited,
    GroupPress,
    GroupText,
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

GROUP = -100123
CHAIR, PRESENTER, MEMBER = Member(1, "Bram"), Member(2, "Anna"), Member(3, "Cees")
CASES = {PRESENTER.user_id: (CaseOption(41, "J.d.V."),)}


class Team:
    """A group and its meeting: each call is one event through the engine."""

    def __init__(self, content: Content, now: datetime) -> None:
        self.content = content.meeting
        self.now = now
        self.meeting: Meeting | None = None
        self.context = Context(
            counsellors=frozenset({CHAIR.user_id, PRESENTER.user_id}), cases=CASES
        )
        self.outputs: list[MeetingOutput] = []
        self.keyboards: list[Keyboard] = []  # of every message with buttons, newest last
        self.key = 500

    def event(self, event: MeetingEvent, chat_id: int = GROUP) -> list[MeetingOutput]:
        self.key += 1
        self.meeting, self.outputs = step(
            self.content, self.meeting, event, self.context, self.now, chat_id=chat_id, key=self.key
        )
        self.keyboards += [o.buttons for o in self.outputs if hasattr(o, "buttons") and o.buttons]
        return self.outputs

    def command(self, who: Member, command: MeetingCommand, arg: str = "") -> list[str]:
        self.event(GroupCommand(who.user_id, who.name, command, arg, "nl"))
        return self.said()

    def type(self, who: Member, text: str) -> list[str]:
        self.event(GroupText(who.user_id, who.name, text))
        return self.said()

    def edit(self, who: Member) -> list[str]:
        self.event(GroupEdited(who.user_id, who.name))
        return self.said()

    def data(self, label: str) -> str:
        for keyboard in reversed(self.keyboards):
            for row in keyboard:
                for button in row:
                    if label in button.label:
                        return button.data
        raise AssertionError(f"no button {label!r}")

    def press(self, who: Member, label: str, chat_id: int = GROUP) -> str | None:
        """Press the newest button with this label; the notice shown, if any."""
        return self.press_data(who, self.data(label), chat_id)

    def press_data(self, who: Member, data: str, chat_id: int = GROUP) -> str | None:
        self.event(GroupPress(who.user_id, who.name, chat_id, data), chat_id)
        notices = [o.text for o in self.outputs if isinstance(o, Notice)]
        return notices[-1] if notices else None

    def said(self) -> list[str]:
        return [o.text for o in self.outputs if isinstance(o, Say)]

    def timer_text(self) -> str:
        shown = [o.text for o in self.outputs if isinstance(o, ShowTimer | EditTimer)]
        return shown[-1]

    def wakes(self) -> list[datetime | None]:
        return [o.at for o in self.outputs if isinstance(o, Wake)]

    def tick(self, **delta: float) -> list[MeetingOutput]:
        self.now += timedelta(**delta)
        return self.event(Tick())

    def live(self) -> Meeting:
        assert self.meeting is not None
        return self.meeting


@pytest.fixture
def team(content: Content, now: datetime) -> Team:
    return Team(content, now)


def in_step_one(team: Team, minutes: str = "") -> None:
    team.command(CHAIR, MeetingCommand.START, minutes)
    team.press(PRESENTER, "Ik doe mee")
    team.press(MEMBER, "Ik doe mee")
    team.press(CHAIR, "Beginnen")
    team.press(CHAIR, "Anna")
    team.press(PRESENTER, "J.d.V.")


def test_a_counsellor_starts_others_hear_who_can(team: Team) -> None:
    assert team.command(MEMBER, MeetingCommand.START) == [team.content["nl"].texts.not_counsellor]
    assert team.meeting is None
    assert team.command(CHAIR, MeetingCommand.START, "2 3 banana") == [
        team.content["nl"].texts.bad_durations
    ]
    said = team.command(CHAIR, MeetingCommand.START, "2 3 4 6 3")
    assert "gestart door Bram" in said[0]
    assert team.live().minutes == (2, 3, 4, 6, 3)
    assert team.command(PRESENTER, MeetingCommand.START) == [
        team.content["nl"].texts.already_running
    ]


def test_the_steps_run_in_order_with_a_timer_and_a_nudge(team: Team, now: datetime) -> None:
    in_step_one(team, "2 3 4 6 3")
    assert team.timer_text().startswith("⏱ Stap 1 van 5 · Successen eerst · nog 2 min")
    assert team.wakes() == [now + timedelta(minutes=1)]
    team.tick(seconds=30)  # woken early (a timer moved meanwhile): nothing happens
    assert team.outputs == []
    team.tick(seconds=30)
    assert team.timer_text().startswith("⏱ Stap 1 van 5 · Successen eerst · nog 1 min")
    assert team.wakes() == [now + timedelta(minutes=2)]
    team.tick(minutes=1)
    assert team.timer_text().startswith("⏱ Stap 1 van 5 · Successen eerst · de tijd is om")
    assert team.said()[0].startswith("⏰ De tijd voor 'Successen eerst' is om.")
    assert team.wakes() == [None]

    assert team.press(MEMBER, "Nog 2 minuten") == "Dat doet Bram (voorzitter) of Anna (inbrenger)."
    assert team.press(PRESENTER, "Nog 2 minuten") == "Nog 2 minuten erbij."
    assert team.timer_text().startswith("⏱ Stap 1 van 5 · Successen eerst · nog 2 min")
    titles = []
    for _ in range(4):
        team.press(CHAIR, "Volgende stap")
        titles.append(team.timer_text().split(" · ")[1])
    assert titles == ["Inbreng", "Verhelderende vragen", "Brainstorm", "Keuze en volgende stap"]


def test_questions_only_a_gentle_reminder_once_per_member(team: Team) -> None:
    in_step_one(team)
    team.press(CHAIR, "Volgende stap")
    team.press(CHAIR, "Volgende stap")
    reminder = team.content["nl"].texts.questions_reminder
    assert team.type(MEMBER, "Ze moet naar de buurtkamer") == [reminder]
    assert team.type(MEMBER, "En een maatje") == []
    assert team.type(MEMBER, "Wat doet ze graag?") == []
    assert team.type(PRESENTER, "Ze kookt graag") == []  # the presenter answers


def test_ideas_are_collected_one_per_message_and_only_the_presenter_picks(team: Team) -> None:
    in_step_one(team)
    for _ in range(3):
        team.press(CHAIR, "Volgende stap")
    assert team.type(MEMBER, "Buurtkamer") == []
    assert team.type(CHAIR, "Maatje") == []
    team.command(MEMBER, MeetingCommand.IDEA, "Samen koken")
    assert "💡 Ideeën tot nu toe: 3" in team.timer_text()
    assert team.command(CHAIR, MeetingCommand.CASE, "X.Y.") == []  # not an idea either
    assert [idea.text for idea in team.live().ideas] == ["Buurtkamer", "Maatje", "Samen koken"]
    team.press(CHAIR, "Volgende stap")

    assert team.press(MEMBER, "1. Buurtkamer") == "Dat doet Anna, de inbrenger."
    assert team.press(CHAIR, "3. Samen") == "Dat doet Anna, de inbrenger."
    team.press(PRESENTER, "1. Buurtkamer")
    team.press(PRESENTER, "3. Samen")
    team.press(PRESENTER, "3. Samen")
    team.press(PRESENTER, "2. Maatje")
    team.type(PRESENTER, "Ik bel haar maandag")
    team.type(MEMBER, "Dat is een goed plan")  # not the presenter: not the next step
    assert [idea.chosen for idea in team.live().ideas] == [True, True, False]
    assert team.live().next_step == "Ik bel haar maandag"
    assert team.press(CHAIR, "Klaar") == "Dat doet Anna, de inbrenger."

    team.press(PRESENTER, "Klaar")
    summary = team.said()[0]
    assert "Casus: J.d.V. (ingebracht door Anna)" in summary
    assert "Gekozen: 1, 2\nVolgende stap: Ik bel haar maandag" in summary
    private = next(o for o in team.outputs if isinstance(o, SayPrivately))
    assert private.user_id == PRESENTER.user_id
    assert "1. Buurtkamer\n2. Maatje" in private.text
    assert team.live().phase is Phase.FINISHED
    assert team.live().ended_at is not None

    assert team.press(MEMBER, "Voorstel aan de cliënt") == "Dat doet Anna, de inbrenger."
    team.press(PRESENTER, "Voorstel aan de cliënt")
    assert ProposeSteps(41, PRESENTER.user_id, ("Buurtkamer", "Maatje")) in team.outputs
    assert team.press(PRESENTER, "Voorstel aan de cliënt") == "Het voorstel is al gestuurd."


def test_pause_keeps_the_remaining_time(team: Team, now: datetime) -> None:
    in_step_one(team, "5 3 4 5 3")
    team.tick(minutes=1)
    team.now += timedelta(seconds=30)  # 3.5 minutes left
    assert team.command(PRESENTER, MeetingCommand.PAUSE) == [team.content["nl"].texts.paused]
    assert team.wakes() == [None]
    assert team.live().remaining == 210
    assert team.timer_text().startswith("⏸ Stap 1 van 5 · Successen eerst · gepauzeerd, nog 4 min")
    assert team.command(MEMBER, MeetingCommand.RESUME) == [
        "Dat doet Bram (voorzitter) of Anna (inbrenger)."
    ]
    team.tick(hours=1)
    assert team.outputs == []  # paused: the clock does nothing
    assert team.press(CHAIR, "Volgende stap") == team.content["nl"].texts.paused
    team.press(CHAIR, "Verder")
    assert team.live().deadline == team.now + timedelta(seconds=210)
    assert team.wakes() == [team.now + timedelta(seconds=30)]
    assert team.timer_text().startswith("⏱ Stap 1 van 5 · Successen eerst · nog 4 min")


def test_stale_buttons_and_another_chats_buttons_change_nothing(team: Team) -> None:
    team.command(CHAIR, MeetingCommand.START)
    join = team.data("Ik doe mee")
    team.press(CHAIR, "Beginnen")
    before = team.live()
    assert team.press_data(MEMBER, join) == "Deze knop hoort bij een eerdere stap."
    assert team.press(CHAIR, "Bram", chat_id=-100999) == "Deze knop hoort bij een ander gesprek."
    assert team.press_data(CHAIR, "m:1:1:presenter:1") == "Deze knop hoort bij een ander gesprek."
    assert team.press_data(CHAIR, "q3:menu") == "Deze knop hoort bij een ander gesprek."
    assert team.meeting == before
    assert team.press(PRESENTER, "Bram") == "Dat doet Bram, de voorzitter."
    assert team.meeting == before


def test_the_case_is_initials_only(team: Team) -> None:
    team.command(CHAIR, MeetingCommand.START)
    team.press(CHAIR, "Beginnen")
    team.press(CHAIR, "Bram")  # Bram has no linked clients: he types initials
    assert team.type(CHAIR, "Anna de Vries") == [team.content["nl"].texts.case_not_initials]
    assert team.live().case is None
    team.type(MEMBER, "K.L.")  # not the presenter
    assert team.live().case is None
    team.command(CHAIR, MeetingCommand.CASE, "KL")
    assert team.live().case == "K.L."
    assert team.live().case_link is None


def test_earlier_presenters_are_asked_first(team: Team) -> None:
    asked = FollowUp(77, PRESENTER, "J.", ("Buurtkamer",), "Bellen")
    skipped = FollowUp(78, MEMBER, "P.", (), None)
    team.context = replace(team.context, follow_ups=(asked, skipped))
    team.command(CHAIR, MeetingCommand.START)
    team.press(CHAIR, "Beginnen")
    assert team.said()[0].startswith("🔁 Terugblik. Vorige keer bracht Anna de casus J. in.")
    assert team.type(MEMBER, "Ging goed") == []  # not Anna's case
    said = team.type(PRESENTER, "Hij gaat elke dinsdag")
    assert SaveFollowUp(77, "Hij gaat elke dinsdag") in team.outputs
    assert said[0] == "Dank je, Anna. Dat staat in de samenvatting."
    assert said[1].startswith("🔁 Terugblik. Vorige keer bracht Cees de casus P. in.")
    team.context = replace(team.context, follow_ups=(skipped,))  # as the store now has it
    team.press(CHAIR, "Overslaan")
    assert SaveFollowUp(78, None) in team.outputs
    assert team.said() == ["Wie brengt vandaag een casus in? Bram kiest."]
    assert any(isinstance(o, Replace) for o in team.outputs)


def test_stop_ends_the_meeting_and_a_new_one_can_start(team: Team) -> None:
    in_step_one(team)
    assert team.command(MEMBER, MeetingCommand.STOP) == ["Dat doet Bram, de voorzitter."]
    assert team.command(CHAIR, MeetingCommand.STOP) == [team.content["nl"].texts.stopped]
    assert team.wakes() == [None]
    assert team.live().phase is Phase.STOPPED
    assert team.command(MEMBER, MeetingCommand.PAUSE) == [team.content["nl"].texts.no_meeting]
    assert "gestart door Anna" in team.command(PRESENTER, MeetingCommand.START)[0]


def test_initials() -> None:
    assert initials("Anna de Vries") == "A.d.V."
    assert initials("jan") == "j."
    assert read_initials(" A.B. ") == "A.B."
    assert read_initials("A. d. V.") == "A.d.V."
    assert read_initials("AB") == "A.B."
    assert read_initials("Anna") is None
    assert read_initials("Jo") is None
    assert read_initials("A.B. woont in Zwolle") is None


def test_a_broken_meeting_file_stops_start_up(tmp_path: Path) -> None:
    import shutil

    from dialogs.content.files import DEFAULT_CONTENT_DIR

    shutil.copytree(DEFAULT_CONTENT_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "meeting" / "en.yaml"
    path.write_text(path.read_text().replace("{minutes} min left", "{minuts} min left"))
    with pytest.raises(ContentError, match=r"en\.yaml.*texts\.timer"):
        load_content(tmp_path)
    # Every language must lead through the same steps, just as long.
    path.write_text(
        (tmp_path / "meeting" / "nl.yaml").read_text().replace("minutes: 5", "minutes: 6")
    )
    with pytest.raises(ContentError, match="must have the ids and minutes"):
        load_content(tmp_path)


def test_an_edited_message_is_answered_where_it_would_count_and_never_read(team: Team) -> None:
    in_step_one(team)
    assert team.edit(MEMBER) == []  # successes: the team's own talk
    for _ in range(3):
        team.press(CHAIR, "Volgende stap")
    team.type(MEMBER, "Buurtkamer")
    assert team.edit(MEMBER) == [
        "✏️ Cees, een aangepast bericht lees ik niet. Stuur het opnieuw als nieuw bericht, dan "
        "neem ik het mee."
    ]
    assert [idea.text for idea in team.live().ideas] == ["Buurtkamer"]
    team.press(CHAIR, "Volgende stap")
    assert team.edit(MEMBER) == []  # the choice: only the presenter's next step counts
    assert len(team.edit(PRESENTER)) == 1
