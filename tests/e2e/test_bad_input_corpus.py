"""A corpus of bad input, each item sent at each kind of dialog node, over HTTP.

One test per node. The client walks there once, through the real conversation, and then
gets every item of the corpus in turn: stickers, photos, voice notes, files, locations,
contacts, empty-looking text, emoji, right-to-left script, markup, 4,096 characters, edits,
unknown commands, old buttons, double taps, a group and another bot. After each item the
bot has answered kindly (a message, or a toast under the pressed button), logged nothing at
ERROR, made no call Telegram would refuse, and either shows the same screen with its buttons
working or moved on the way that input should move it; every earlier answer is as it was.
An item that moved the dialog on is followed by the way back (⬅️ Terug, or the command that
shows the screen), so the walk is made once per node. Each item is a subtest: one
misbehaviour does not hide the others.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.flood import ChatRateLimiter
from dialogs import load_content
from dialogs.conversation import clean_text
from dialogs.engine import callbacks
from dialogs.engine.state import Dialog
from storage import (
    AnswerRepository,
    ClientRepository,
    ConversationRepository,
    Identity,
    PlanRepository,
)
from tests.e2e.harness import UPDATE_TIMEOUT, RunningBot, TelegramUser

UI = load_content().ui("nl")
GROUP = -1001234567890  # a supergroup the client adds the bot to
OTHER_BOT = 4004
MONDAY = date(2026, 11, 30)  # the clock says Friday 27 November

Message = dict[str, Any]
Stored = tuple[str, str | None, tuple[str, ...]]  # an answer's status, text and choices


@pytest.fixture(autouse=True)
def no_flood_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of updates a test: Telegram's 30 messages a second would make the limiter,
    not the bot, the slow part. Retries after a 429 stay as they are."""
    unlimited = functools.partial(
        ChatRateLimiter, per_second=0, per_group_per_minute=0, per_chat_per_second=0
    )
    monkeypatch.setattr("bot.telegram.ChatRateLimiter", unlimited)


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------


class Kind(Enum):
    CONTENT = "something that is not text"
    BLANK = "text that looks empty"
    TEXT = "text the bot can read"
    UNKNOWN_COMMAND = "a command the bot does not have"
    EDITED = "an earlier message edited"
    EARLIER_QUESTION = "a button on the message of an earlier question"
    EARLIER_FLOW = "a button on a message of an earlier flow"
    FOREIGN_BUTTON = "button data the bot never made (an older version's)"
    GROUP_ADDED = "the bot added to a group"
    GROUP_TEXT = "text in a group"
    GROUP_COMMAND = "a command in a group"
    OTHER_BOT = "a message from another bot"
    DOUBLE_TAP = "the same button pressed twice quickly"


@dataclass(frozen=True)
class Item:
    id: str
    kind: Kind
    text: str = ""
    content: Message = field(default_factory=dict)


def file(kind: str, **fields: object) -> Message:
    return {kind: {"file_id": f"{kind}-1", "file_unique_id": f"{kind}-u1", **fields}}


def long_text() -> str:
    """4,096 characters, Telegram's limit, ending in a full stop."""
    sentence = "Ik wil graag een rustige plek met een tuin, dicht bij mijn zus. "
    return (sentence * 70)[:4095].rstrip().ljust(4096, ".")


STICKER = file("sticker", type="regular", width=512, height=512, is_animated=False, is_video=False)
PHOTO = {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]}
CORPUS = (
    Item("sticker", Kind.CONTENT, content=STICKER),
    Item("photo", Kind.CONTENT, content=PHOTO),
    Item("photo with a caption", Kind.CONTENT, content={**PHOTO, "caption": "Mijn huis"}),
    Item("voice", Kind.CONTENT, content=file("voice", duration=3)),
    Item("document", Kind.CONTENT, content=file("document", file_name="cv.pdf")),
    Item("location", Kind.CONTENT, content={"location": {"latitude": 52.37, "longitude": 4.89}}),
    Item(
        "contact",
        Kind.CONTENT,
        content={"contact": {"phone_number": "+31612345678", "first_name": "Zus"}},
    ),
    Item("whitespace", Kind.BLANK, text=" \n\t \u00a0 "),
    Item("zero-width characters", Kind.BLANK, text="\u200b\u200c\u200d\u2060\ufeff"),
    Item("unknown command", Kind.UNKNOWN_COMMAND, text="/foo"),
    Item(
        "unknown command to this bot",
        Kind.UNKNOWN_COMMAND,
        text="/bestaatniet@krachtwerk_test_bot nu",
    ),
    Item("edited message", Kind.EDITED),
    Item("button from an earlier question", Kind.EARLIER_QUESTION),
    Item("button from an earlier flow", Kind.EARLIER_FLOW),
    Item("button data from an older version", Kind.FOREIGN_BUTTON, text="overslaan"),
    Item("bot added to a group", Kind.GROUP_ADDED),
    Item("text in a group", Kind.GROUP_TEXT, text="hallo allemaal"),
    Item("command in a group", Kind.GROUP_COMMAND, text="/start@krachtwerk_test_bot"),
    Item("another bot", Kind.OTHER_BOT, text="/start"),
    Item("only emoji", Kind.TEXT, text="😊👍🏽❤️‍🔥"),
    Item("right-to-left script", Kind.TEXT, text="\u200fأريد بيتًا هادئًا مع حديقة ٢٥-١٢"),
    Item("html markup", Kind.TEXT, text="<b>vet</b> <i>schuin & <a href='x'>link</a> 1 < 2"),
    Item("markdown characters", Kind.TEXT, text="*_[]()~`>#+-=|{}.! *vet* _schuin_ [x](y)"),
    Item("4,096 characters", Kind.TEXT, text=long_text()),
    Item("double tap", Kind.DOUBLE_TAP),  # last: at some nodes it leaves the node for good
)


# --------------------------------------------------------------------------------------------
# The client, what the bot did, and what is stored
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reaction:
    """What the bot did after one input, read from its Bot API calls."""

    texts: list[str]  # messages sent to the client
    toasts: list[str]  # texts shown under a pressed button
    edits: int  # messages rewritten in place
    group: list[str]  # messages sent to the group
    other_bot: list[str]  # messages sent to the other bot
    errors: list[str]  # log records at ERROR or above from the bot
    rejected: list[str]  # calls Telegram would refuse

    @property
    def answered(self) -> bool:
        return bool(self.texts or self.toasts or self.edits)


Position = tuple[object, ...]


def position(dialog: Dialog | None) -> Position:
    """Where a client is: the screen and the place in each flow, answers given there aside."""
    if dialog is None:
        return ()
    frames = tuple(
        (f.flow, f.node, f.history, f.selection, f.single, f.pending) for f in dialog.stack
    )
    return (dialog.screen, dialog.screen_arg, dialog.paused, frames)


class Visit:
    """A client at one node, and what the test expects to be stored."""

    def __init__(self, bot: RunningBot, user: TelegramUser, caplog: pytest.LogCaptureFixture):
        self.bot, self.fake, self.user, self.caplog = bot, bot.fake, user, caplog
        self.answers: dict[str, Stored] = {}  # the current answers, as they should be stored
        self.values: dict[str, str] = {}  # the node's own value in its flow, once typed
        self.kept: dict[str, tuple[Message, str]] = {}  # a message and one button's data
        self.typed: list[tuple[int, str]] = []  # the client's own messages: id and text
        self.known_id: int | None = None  # the client's id, once she consented

    # --- acting ---------------------------------------------------------------------------

    async def send(self, text: str) -> None:
        update = self.fake.message_update(user_id=self.user.user_id, text=text)
        self.typed.append((int(update["message"]["message_id"]), text))
        await self.deliver(update)

    async def press(self, label: str) -> None:
        await self.press_data(*self.user.find_button(label))

    async def press_data(self, message: Message, data: str) -> None:
        await self.deliver(self.tap(message, data))

    def tap(self, message: Message, data: str) -> Message:
        return self.fake.callback_update(user_id=self.user.user_id, message=message, data=data)

    async def deliver(self, *updates: Message) -> None:
        """Updates that arrive together, like two quick taps; returns when all are handled."""
        ids = [self.fake.push_update(update) for update in updates]
        done = (self.bot.event_for(update_id).wait() for update_id in ids)
        await asyncio.wait_for(asyncio.gather(*done), UPDATE_TIMEOUT)

    def answer(self, key: str, text: str | None, *choices: str) -> None:
        self.answers[key] = ("answered", text, choices)

    async def react(self, act: Awaitable[object]) -> Reaction:
        calls, records = len(self.fake.calls), len(self.caplog.records)
        rejected = len(self.fake.rejected)
        await act
        new = self.fake.calls[calls:]

        def texts(chat_id: int) -> list[str]:
            return [
                str(c.params["text"])
                for c in new
                if c.method == "sendMessage" and c.params["chat_id"] == chat_id
            ]

        return Reaction(
            texts=texts(self.user.user_id),
            toasts=[
                str(c.params["text"])
                for c in new
                if c.method == "answerCallbackQuery" and c.params.get("text")
            ],
            edits=sum(c.method == "editMessageText" for c in new),
            group=texts(GROUP),
            other_bot=texts(OTHER_BOT),
            errors=[
                f"{r.levelname} {r.name}: {r.getMessage()} {r.exc_info[1] if r.exc_info else ''}"
                for r in self.caplog.records[records:]
                if r.levelno >= logging.ERROR and not r.name.startswith(("tests.", "aiohttp"))
            ],
            rejected=[f"{m}: {why}" for m, _, why in self.fake.rejected[rejected:]],
        )

    # --- what is stored -------------------------------------------------------------------

    @functools.cached_property
    def sessions(self) -> sessionmaker[Session]:
        assert self.bot.runtime is not None
        return self.bot.runtime.conversations.sessions

    def client_id(self) -> int | None:
        if self.known_id is None:
            with self.sessions() as session:
                identity = Identity("telegram", str(self.user.user_id))
                client = ClientRepository(session).find(identity)
                self.known_id = None if client is None else int(client.id)
        return self.known_id

    def dialog(self) -> Dialog | None:
        client_id = self.client_id()
        if client_id is None:
            return None
        with self.sessions() as session:
            raw = ConversationRepository(session).load(client_id)
        return None if raw is None else Dialog.model_validate(raw)

    def stored_answers(self) -> dict[str, Stored]:
        client_id = self.client_id()
        if client_id is None:
            return {}
        with self.sessions() as session:
            current = AnswerRepository(session).current(client_id)
        return {key: (a.status, a.text, a.choices) for key, a in current.items()}

    def plan(self) -> tuple[list[tuple[str, str | None, str | None, str]], list[dict[str, Any]]]:
        """The goals (text, domain, why, status) and the steps, as stored."""
        client_id = self.client_id()
        assert client_id is not None
        with self.sessions() as session:
            plans = PlanRepository(session)
            goals = [(g.text, g.domain, g.why, g.status) for g in plans.goals(client_id)]
            return goals, [asdict(s) for s in plans.steps(client_id)]

    def live(self, dialog: Dialog | None) -> bool:
        """The newest message with buttons is the current screen: its buttons work."""
        keyboards = [m["reply_markup"] for m in self.user.messages if m.get("reply_markup")]
        if dialog is None or not keyboards:
            return False
        seqs = {
            parsed.seq
            for row in keyboards[-1]["inline_keyboard"]
            for button in row
            if isinstance(parsed := callbacks.parse(button["callback_data"]), callbacks.Prompted)
        }
        return seqs == {dialog.prompt_seq}


Walk = Callable[[Visit], Awaitable[None]]
Check = Callable[[Visit], None]


# --------------------------------------------------------------------------------------------
# Walking: the way to each node, back to it, and on from it
# --------------------------------------------------------------------------------------------


def then(*walks: Walk) -> Walk:
    async def walk(visit: Visit) -> None:
        for step in walks:
            await step(visit)

    return walk


def send(text: str) -> Walk:
    return lambda visit: visit.send(text)


def press(label: str) -> Walk:
    return lambda visit: visit.press(label)


def kept_if_asked(walk_on: Walk) -> Walk:
    """The way back from the next question, past "keep the answer you had?" when Overslaan or
    Weet ik niet met an answered question (the answer is kept)."""

    async def walk(visit: Visit) -> None:
        if UI.keep_answer in visit.user.labels():
            await visit.press(UI.keep_answer)
        await walk_on(visit)

    return walk


def keep(name: str, label: str) -> Walk:
    """Remember the newest message with this button, to press it when it is old."""

    async def walk(visit: Visit) -> None:
        visit.kept[name] = visit.user.find_button(label)

    return walk


def expect_answer(key: str, text: str) -> Walk:
    async def walk(visit: Visit) -> None:
        visit.answer(key, text)

    return walk


nothing = then()
to_welcome = send("/start")
to_housing_current = then(
    send("/start"),
    keep("welcome", "Ja, dat mag"),
    press("Ja, dat mag"),
    keep("housing.wish", "Overslaan"),
    send("Een eigen huis"),
    expect_answer("inventory.housing.wish", "Een eigen huis"),
)
to_priorities = then(
    to_housing_current,
    keep("housing.current", "Weet ik niet"),
    send("/mijnkrachten"),
    press("Wat nu het belangrijkst is"),
)
to_domain = then(
    to_housing_current,
    keep("housing.current", "Overslaan"),
    send("/plan"),
    keep("plan.goal", "Een eigen huis"),  # her wish, offered back as a button
    send("Een eigen kamer"),
)
to_who = then(
    to_domain,
    press("Geld"),
    send("Dan heb ik rust"),
    keep("step.what", "Terug"),
    send("Woningcorporatie bellen"),
)
to_due = then(to_who, keep("step.who", "Iemand die ik ken"), press("Ik zelf"))
to_due_confirmation = then(to_due, keep("step.due", "Morgen"), send("maandag"))
to_remind_at = then(
    to_due_confirmation, keep("step.due confirmation", "Nee, anders"), press("Ja, klopt")
)
to_my_plan = then(
    to_remind_at,
    press("Geen herinnering"),
    keep("plan.more", "Ja, nog een stap"),
    press("Nee, zo is het goed"),
    send("/mijnplan"),
)
to_drop_confirmation = then(
    to_my_plan, keep("my plan", "Nieuw doel"), press("Stap 1"), press("Laten vallen")
)
to_menu = then(to_housing_current, keep("housing.current", "Overslaan"), send("/menu"))


def plan_is(visit: Visit, domain: str | None = "money", **step: object) -> None:
    """Her goal as stored, and (some fields of) its one step."""
    goals, steps = visit.plan()
    assert goals == [("Een eigen kamer", domain, "Dan heb ik rust", "open")], "the goal"
    if step:
        assert len(steps) == 1, f"one step, not {steps}"
        assert {name: steps[0][name] for name in step} == step, "the step"


def consented(visit: Visit) -> None:
    # The double tap on "Ja, dat mag" made her a client; nothing was stored before it.
    assert visit.client_id() is not None, "consent stores the client"


def priorities_by_button(visit: Visit) -> None:
    visit.answer("inventory.priorities", None, "money")  # what the walk on chose


def goal_with_typed_domain(visit: Visit) -> None:
    plan_is(visit, domain=visit.values.get("domain"))


def step_with_typed_who(visit: Visit) -> None:
    # Own words at "who" mean someone she knows, by that name.
    name = visit.values.get("who")
    who = {"who": "network", "who_name": name} if name else {"who": "me", "who_name": None}
    plan_is(visit, text="Woningcorporatie bellen", **who)


def step_due_monday(visit: Visit) -> None:
    plan_is(visit, text="Woningcorporatie bellen", who="me", due=MONDAY, remind_at=None)


def step_reminded_monday(visit: Visit) -> None:
    at = datetime(2026, 11, 30, 8, tzinfo=UTC)  # 9:00 in Amsterdam
    plan_is(visit, due=MONDAY, remind_at=at, status="open")


def step_open(visit: Visit) -> None:
    plan_is(visit, due=MONDAY, status="open")


def step_dropped(visit: Visit) -> None:
    plan_is(visit, status="dropped")  # by the double tap on "Ja"


def answers_only(visit: Visit) -> None:
    pass


# --------------------------------------------------------------------------------------------
# The nodes
# --------------------------------------------------------------------------------------------


class Typed(Enum):
    """What readable text does at a node."""

    WELCOME = "before consent: the welcome again, nothing stored"
    ANSWER = "stored as the answer; the next question"
    OWN_WORDS = "a choice: kept as own words (the next question), or a button asked for"
    NOT_A_DATE = "the date is not understood; the question again"
    NOT_A_MOMENT = "the moment is not understood; the question again"
    NOT_SAVED = "no question here: not saved, and the open question again"


@dataclass(frozen=True)
class Node:
    id: str
    reach: Walk
    shows: str  # a piece of the node's own message
    typed: Typed
    key: str = ""  # where typed text goes: an answer's key, or a value of the flow
    moves_to: str = ""  # a piece of the message that typed text leads to
    come_back: Walk = nothing  # from wherever an input of the corpus led
    earlier_question: str = ""  # kept messages whose buttons are pressed once old
    earlier_flow: str = ""
    double_tap: str = ""  # the button pressed twice
    double_tap_to: str = ""  # a piece of the message the first tap leads to; "": a toggle
    double_tap_ends: bool = False  # the first tap leaves the node for good
    walk_on: Walk = nothing  # after the corpus: a plain way on, which must still work
    check: Check = answers_only  # and then what must be stored

    def __str__(self) -> str:
        return self.id


NOT_SAVED_TO = "Hoe woon je nu?"  # the inventory is still open: its question is the way on
NODES = (
    Node(
        "welcome before consent", to_welcome, "Mag ik je antwoorden bewaren?", Typed.WELCOME,
        double_tap="Ja, dat mag", double_tap_to="Domein 1 van 8", double_tap_ends=True,
        check=consented,
    ),
    Node(
        "text question", to_housing_current, "Hoe woon je nu?", Typed.ANSWER,
        key="inventory.housing.current", moves_to="Was er een tijd",
        come_back=kept_if_asked(press("Terug")),
        earlier_question="housing.wish", earlier_flow="welcome",
        # By now the question has an answer: Overslaan first asks whether to keep it.
        double_tap="Overslaan", double_tap_to="Bij deze vraag had je al een antwoord",
    ),
    Node(
        "multiple choice", to_priorities, "Wat is nu het belangrijkst voor jou?", Typed.ANSWER,
        key="inventory.priorities", moves_to=UI.edit_pick_topic,
        come_back=press("Wat nu het belangrijkst is"),
        earlier_question="housing.current", earlier_flow="welcome", double_tap="Geld",
        walk_on=then(press("Geld"), press("Klaar")), check=priorities_by_button,
    ),
    Node(
        "choice (domain)", to_domain, "Bij welk deel van je leven", Typed.OWN_WORDS,
        key="domain", moves_to="Waarom is dit belangrijk", come_back=press("Terug"),
        earlier_question="plan.goal", earlier_flow="housing.current",
        double_tap="Overslaan", double_tap_to="Waarom is dit belangrijk",
        # Overslaan keeps the domain she typed last.
        walk_on=then(press("Overslaan"), send("Dan heb ik rust")), check=goal_with_typed_domain,
    ),
    Node(
        "choice (who)", to_who, "Wie doet deze stap?", Typed.OWN_WORDS,
        key="who", moves_to="Wanneer wil je deze stap", come_back=press("Terug"),
        earlier_question="step.what", earlier_flow="housing.current",
        double_tap="Overslaan", double_tap_to="Wanneer wil je deze stap",
        walk_on=then(press("Overslaan"), press("Overslaan"), press("Geen herinnering")),
        check=step_with_typed_who,
    ),
    Node(
        "date", to_due, "Wanneer wil je deze stap gedaan hebben?", Typed.NOT_A_DATE,
        key="due", come_back=press("Nee, anders"),
        earlier_question="step.who", earlier_flow="housing.current",
        double_tap="Morgen", double_tap_to="Zaterdag 28 november. Klopt dat?",
        walk_on=then(send("maandag"), press("Ja, klopt"), press("Geen herinnering")),
        check=step_due_monday,
    ),
    Node(
        "date confirmation", to_due_confirmation, "Maandag 30 november. Klopt dat?",
        Typed.NOT_A_DATE, key="due", come_back=then(press("Terug"), send("maandag")),
        earlier_question="step.due", earlier_flow="housing.current",
        double_tap="Ja, klopt", double_tap_to="Wil je een herinnering?",
        walk_on=then(press("Ja, klopt"), press("Geen herinnering")), check=step_due_monday,
    ),
    Node(
        "moment", to_remind_at, "Wil je een herinnering? Wanneer?", Typed.NOT_A_MOMENT,
        key="remind_at", come_back=press("Nee, anders"),
        earlier_question="step.due confirmation", earlier_flow="housing.current",
        double_tap="Morgen om 10:00", double_tap_to="Zaterdag 28 november om 10:00. Klopt dat?",
        walk_on=then(send("maandag 9:00"), press("Ja, klopt")), check=step_reminded_monday,
    ),
    Node(
        "my plan", to_my_plan, "🎯 Doel 1: Een eigen kamer", Typed.NOT_SAVED,
        moves_to=NOT_SAVED_TO, come_back=send("/mijnplan"),
        earlier_question="plan.more", earlier_flow="housing.current",
        double_tap="Stap 1", double_tap_to="▫️ Stap 1: Woningcorporatie bellen",
        check=step_open,
    ),
    Node(
        "drop confirmation", to_drop_confirmation, "Wil je deze stap laten vallen?",
        Typed.NOT_SAVED, moves_to=NOT_SAVED_TO,
        come_back=then(send("/mijnplan"), press("Stap 1"), press("Laten vallen")),
        earlier_question="my plan", earlier_flow="housing.current",
        double_tap="Ja", double_tap_to="Stap 1 staat niet meer open", double_tap_ends=True,
        check=step_dropped,
    ),
    Node(
        "menu", to_menu, "Waar je bent:", Typed.NOT_SAVED,
        moves_to=NOT_SAVED_TO, come_back=send("/menu"),
        earlier_question="housing.current", earlier_flow="welcome",
        double_tap="Mijn plan", double_tap_to=UI.plan_empty,
    ),
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# One item at one node
# --------------------------------------------------------------------------------------------


class Run:
    """Sends one item at the node and checks what became of it."""

    def __init__(self, visit: Visit, node: Node, item: Item, before: Dialog | None) -> None:
        self.visit, self.node, self.item, self.before = visit, node, item, before
        self.where = f"{node.id} / {item.id}"
        self.after: Dialog | None = None

    async def __call__(self) -> None:
        """Send the item and check the bot's reaction."""
        visit, item = self.visit, self.item
        reaction = await visit.react(self.send())
        self.after = visit.dialog()
        assert not reaction.errors, f"{self.where}: logged {reaction.errors}"
        assert not reaction.rejected, f"{self.where}: Telegram would refuse {reaction.rejected}"
        match item.kind:
            case Kind.CONTENT | Kind.BLANK:
                self.shown_again(reaction, UI.unreadable)
            case Kind.UNKNOWN_COMMAND:
                self.shown_again(reaction, UI.unknown_command)
            case Kind.EDITED:
                self.edited(reaction)
            case Kind.EARLIER_QUESTION | Kind.EARLIER_FLOW | Kind.FOREIGN_BUTTON:
                self.old_button(reaction)
            case Kind.GROUP_ADDED | Kind.GROUP_TEXT | Kind.GROUP_COMMAND:
                self.in_group(reaction, pointer=item.kind is Kind.GROUP_COMMAND)
            case Kind.OTHER_BOT:
                self.ignored(reaction)
            case Kind.TEXT:
                self.typed_text(reaction)
            case Kind.DOUBLE_TAP:
                self.double_tap(reaction)
        assert visit.stored_answers() == visit.answers, f"{self.where}: the stored answers"

    async def send(self) -> None:
        visit, node, item = self.visit, self.node, self.item
        user, fake = visit.user, visit.fake
        match item.kind:
            case Kind.CONTENT:
                update = fake.message_update(user_id=user.user_id, extra=item.content)
                await visit.deliver(update)
            case Kind.BLANK | Kind.UNKNOWN_COMMAND | Kind.TEXT:
                await visit.send(item.text)
            case Kind.EDITED:  # the last message she typed, changed afterwards
                message_id, text = visit.typed[-1]
                await visit.deliver(
                    fake.message_update(
                        user_id=user.user_id,
                        text=f"{text} (aangepast)",
                        edited=True,
                        extra={"message_id": message_id},
                    )
                )
            case Kind.EARLIER_QUESTION:
                await visit.press_data(*visit.kept[node.earlier_question])
            case Kind.EARLIER_FLOW:
                await visit.press_data(*visit.kept[node.earlier_flow])
            case Kind.FOREIGN_BUTTON:
                await visit.press_data(user.messages[-1], item.text)
            case Kind.GROUP_ADDED:
                await visit.deliver(*self.added_to_group())
            case Kind.GROUP_TEXT | Kind.GROUP_COMMAND:
                await visit.deliver(
                    fake.message_update(
                        user_id=user.user_id, chat_id=GROUP, chat_type="supergroup", text=item.text
                    )
                )
            case Kind.OTHER_BOT:  # privately, and in the group
                await visit.deliver(
                    fake.message_update(user_id=OTHER_BOT, text=item.text, is_bot=True),
                    fake.message_update(
                        user_id=OTHER_BOT,
                        chat_id=GROUP,
                        chat_type="supergroup",
                        text=item.text,
                        is_bot=True,
                    ),
                )
            case Kind.DOUBLE_TAP:
                message, data = user.find_button(node.double_tap)
                await visit.deliver(visit.tap(message, data), visit.tap(message, data))

    def added_to_group(self) -> list[Message]:
        """What Telegram sends when she adds the bot to a group: a member update, a message."""
        fake, user = self.visit.fake, self.visit.user
        me = {"id": fake.bot_id, "is_bot": True, "first_name": "Krachtwerk"}
        me["username"] = fake.bot_username
        added = fake.message_update(
            user_id=user.user_id,
            chat_id=GROUP,
            chat_type="supergroup",
            extra={"new_chat_members": [me]},
        )
        change = {
            "chat": added["message"]["chat"],
            "from": added["message"]["from"],
            "date": int(time.time()),
            "old_chat_member": {"status": "left", "user": me},
            "new_chat_member": {"status": "member", "user": me},
        }
        return [{"my_chat_member": change}, added]

    # --- expectations ---------------------------------------------------------------------

    def unchanged(self) -> None:
        before, after = position(self.before), position(self.after)
        assert after == before, f"{self.where}: the dialog moved from {before} to {after}"

    def welcome_again(self, reaction: Reaction) -> None:
        assert reaction.texts[-1:] == [UI.welcome], f"{self.where}: {reaction.texts}"
        assert self.visit.client_id() is None, f"{self.where}: stored before consent"

    def shown_again(self, reaction: Reaction, first: str) -> None:
        """A kind answer, then the same screen again; nothing else changed."""
        if self.node.typed is Typed.WELCOME:
            self.welcome_again(reaction)
            return
        assert reaction.texts[:1] == [first], f"{self.where}: answered {reaction.texts}"
        shown = "\n".join(reaction.texts[1:])
        assert self.node.shows in shown, f"{self.where}: the screen is not shown again: {shown}"
        assert self.visit.live(self.after), f"{self.where}: the newest buttons do not work"
        self.unchanged()

    def edited(self, reaction: Reaction) -> None:
        if self.node.typed is Typed.WELCOME:
            self.welcome_again(reaction)
            return
        assert reaction.texts == [UI.edited], f"{self.where}: answered {reaction.texts}"
        assert self.visit.live(self.after), f"{self.where}: the screen's buttons do not work"
        self.unchanged()

    def old_button(self, reaction: Reaction) -> None:
        """A toast says the button is old (or that consent was given); nothing changes."""
        if self.node.typed is Typed.WELCOME:
            self.welcome_again(reaction)
            return
        toasts = ([UI.stale_button], [UI.already_consented])
        assert reaction.toasts in toasts, f"{self.where}: toasts {reaction.toasts}"
        shown = "\n".join(reaction.texts)
        assert not shown or self.node.shows in shown, f"{self.where}: showed {shown}"
        assert self.visit.live(self.after), f"{self.where}: the screen's buttons do not work"
        self.unchanged()

    def in_group(self, reaction: Reaction, *, pointer: bool) -> None:
        """The group hears where to go, for a command only; the private chat hears nothing."""
        assert not reaction.answered, f"{self.where}: the private chat got {reaction.texts}"
        expected = [UI.private_only] if pointer else []
        assert reaction.group == expected, f"{self.where}: the group got {reaction.group}"
        self.unchanged()

    def ignored(self, reaction: Reaction) -> None:
        assert not reaction.answered, f"{self.where}: the client's chat got {reaction.texts}"
        assert reaction.other_bot == [], f"{self.where}: the bot got {reaction.other_bot}"
        assert reaction.group == [], f"{self.where}: the group got {reaction.group}"
        self.unchanged()

    def typed_text(self, reaction: Reaction) -> None:
        node, visit, text = self.node, self.visit, clean_text(self.item.text)
        last = reaction.texts[-1] if reaction.texts else ""
        match node.typed:
            case Typed.WELCOME:
                self.welcome_again(reaction)
            case Typed.NOT_A_DATE:
                self.shown_again(reaction, UI.date_not_understood)
            case Typed.NOT_A_MOMENT:
                self.shown_again(reaction, UI.moment_not_understood)
            case Typed.OWN_WORDS if reaction.texts[:1] == [UI.choose_button]:
                self.shown_again(reaction, UI.choose_button)
            case Typed.NOT_SAVED:
                assert reaction.texts[:1] == [UI.text_not_saved], f"{self.where}: {reaction.texts}"
                assert node.moves_to in last, f"{self.where}: {reaction.texts}"
            case Typed.ANSWER:
                assert node.moves_to in last, f"{self.where}: {reaction.texts}"
                visit.answer(node.key, text)
            case Typed.OWN_WORDS:
                assert node.moves_to in last, f"{self.where}: {reaction.texts}"
                visit.values[node.key] = text
                assert self.after is not None
                kept = [f.values[node.key] for f in self.after.stack if node.key in f.values]
                assert kept == [text], f"{self.where}: kept {kept}"

    def double_tap(self, reaction: Reaction) -> None:
        """The first tap does its work, once; the second is told it came too late."""
        node = self.node
        if not node.double_tap_to:  # a toggle: on, and off again
            assert (reaction.edits, reaction.texts) == (2, []), f"{self.where}: {reaction}"
            self.unchanged()
            return
        arrived = [text for text in reaction.texts if node.double_tap_to in text]
        assert len(arrived) == 1, f"{self.where}: the first tap's work: {reaction.texts}"
        assert len(reaction.toasts) == 1, f"{self.where}: toasts {reaction.toasts}"


def earlier_values(dialog: Dialog | None, node: Node) -> dict[str, dict[str, str]]:
    """What each flow under way holds, but for the node's own value."""
    frames = dialog.stack if dialog else ()
    return {f.flow: {k: v for k, v in f.values.items() if k != node.key} for f in frames}


def items_for(node: Node) -> list[Item]:
    """The corpus, less the old buttons a node has none of (a stranger has no earlier one)."""
    absent = {Kind.EARLIER_QUESTION: node.earlier_question, Kind.EARLIER_FLOW: node.earlier_flow}
    return [item for item in CORPUS if absent.get(item.kind, "-")]


@pytest.mark.parametrize("node", NODES, ids=str)
async def test_every_bad_input_at_every_kind_of_node(
    bot: RunningBot,
    ana: TelegramUser,
    caplog: pytest.LogCaptureFixture,
    subtests: pytest.Subtests,
    node: Node,
) -> None:
    visit = Visit(bot, ana, caplog)
    await node.reach(visit)
    assert node.shows in "\n".join(ana.texts_since(-3)), f"{node.id}: not reached"
    arrival = dialog = visit.dialog()
    earlier = earlier_values(arrival, node)

    for item in items_for(node):
        with subtests.test(msg=f"{node.id} / {item.id}"):
            await Run(visit, node, item, dialog)()
        if item.kind is Kind.DOUBLE_TAP and node.double_tap_ends:
            break
        dialog = visit.dialog()
        if position(dialog) != position(arrival):  # moved on: back the way a client would
            await node.come_back(visit)
            dialog = visit.dialog()
            assert position(dialog) == position(arrival), f"{node.id} / {item.id}: lost"
        now = earlier_values(dialog, node)
        assert now == earlier, f"{node.id} / {item.id}: the answers given earlier in the flow"

    with subtests.test(msg=f"{node.id} / walk on"):
        reaction = await visit.react(node.walk_on(visit))
        assert not reaction.errors, f"{node.id} / walk on: logged {reaction.errors}"
        assert not reaction.rejected, f"{node.id} / walk on: refused {reaction.rejected}"
        node.check(visit)
        assert visit.stored_answers() == visit.answers, f"{node.id}: the stored answers"
