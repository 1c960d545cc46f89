"""Drive the pure engine the way a person uses the bot: send text, press a button by label."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

from dialogs import (
    Command,
    CommandName,
    Engine,
    Event,
    Notice,
    Output,
    Press,
    Replace,
    SaveAnswer,
    Say,
    State,
    Text,
    new_state,
)
from dialogs.engine.outputs import Button

T = TypeVar("T")


class EngineChat:
    def __init__(self, engine: Engine, now: datetime, language: str = "nl") -> None:
        self.engine = engine
        self.now = now
        self.state: State = new_state(language)
        self.outputs: list[Output] = []
        self.all: list[Output] = []  # every output of every step, for records and reminders
        self.saved: list[SaveAnswer] = []
        self.keyboard: tuple[Button, ...] = ()  # the buttons of the latest message with buttons
        self.previous_keyboard: tuple[Button, ...] = ()

    def step(self, event: Event) -> list[Output]:
        self.state, self.outputs = self.engine.step(self.state, event, self.now)
        self.all += self.outputs
        for output in self.outputs:
            if isinstance(output, SaveAnswer):
                self.saved.append(output)
            if isinstance(output, Say | Replace) and output.buttons:
                self.previous_keyboard = self.keyboard
                self.keyboard = tuple(b for row in output.buttons for b in row)
        return self.outputs

    def send(self, text: str) -> list[Output]:
        return self.step(Text(text))

    def command(self, name: CommandName) -> list[Output]:
        return self.step(Command(name))

    def button(self, label: str) -> Button:
        matches = [b for b in self.keyboard if label in b.label]
        assert matches, f"no button {label!r} in {[b.label for b in self.keyboard]}"
        return matches[0]

    def press(self, label: str) -> list[Output]:
        return self.step(Press(self.button(label).data))

    def of(self, kind: type[T]) -> list[T]:
        """Every output of this kind so far (SaveStep, ScheduleReminder, ...)."""
        return [o for o in self.all if isinstance(o, kind)]

    def now_of(self, kind: type[T]) -> list[T]:
        """The outputs of this kind of the latest step only."""
        return [o for o in self.outputs if isinstance(o, kind)]

    def later(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    @property
    def texts(self) -> list[str]:
        return [o.text for o in self.outputs if isinstance(o, Say | Replace)]

    @property
    def text(self) -> str:
        """The last message shown."""
        return self.texts[-1]

    @property
    def notices(self) -> list[str]:
        return [o.text for o in self.outputs if isinstance(o, Notice)]

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.keyboard]

    @property
    def node(self) -> str | None:
        frame = self.state.dialog.frame
        return frame.node if frame else None

    def consent(self) -> None:
        self.send("hallo")
        self.press("Ja")


# --- walking the action plan ---------------------------------------------------------------


def answer_step(
    chat: EngineChat,
    what: str | None = "CV maken",
    *,
    who: str = "Ik zelf",
    name: str | None = None,
    due: str | None = "vrijdag",
    remind: str | None = "donderdag 19:00",
) -> None:
    """Answer the step flow from its first question until the step is saved.

    `who` is a button label (or own words when `name` is None and no button matches);
    `due` and `remind` are typed and confirmed, None presses "Overslaan" / "Geen herinnering".
    """
    if what is not None:
        chat.send(what)
    if any(who in label for label in chat.labels):
        chat.press(who)
    else:
        chat.send(who)
    if name is not None:
        chat.send(name)
    if due is None:
        chat.press("Overslaan")
    else:
        chat.send(due)
        chat.press("Ja, klopt")
    if remind is None:
        chat.press("Geen herinnering")
    else:
        chat.send(remind)
        chat.press("Ja, klopt")


def change_housing_wish(chat: EngineChat) -> None:
    """From /mijnkrachten, open the answer about what the client wants in housing to change it."""
    chat.command(CommandName.STRENGTHS)
    chat.press("Wonen")
    chat.press("Wat ik wil")


def open_step(chat: EngineChat, number: int = 1) -> None:
    chat.command(CommandName.MY_PLAN)
    chat.press(f"Stap {number}")


def make_plan(
    chat: EngineChat,
    goal: str = "Werk vinden",
    *,
    what: str = "CV maken",
    due: str | None = "vrijdag",
    remind: str | None = "donderdag 19:00",
) -> None:
    """/plan with a typed goal in the work domain and one step done by the client, then done."""
    chat.command(CommandName.PLAN)
    chat.send(goal)
    chat.press("Werk")
    chat.send("Dan heb ik geld")
    answer_step(chat, what, due=due, remind=remind)
    chat.press("Nee, zo is het goed")
