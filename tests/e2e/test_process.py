"""`python -m bot run` as a real process, killed at the worst moments and stopped with SIGTERM.

The bot runs in a process of its own against the fake Bot API, which runs in the test's event
loop. To kill it at a precise moment, the fake holds one of its calls (`FakeBotAPI.hold`): the
bot waits in the middle of that call, the test kills it, and the call never takes effect, as
if the process had died before Telegram received it. No test waits on the clock: each waits
for a call, a line of the bot's log, or the process's exit, with a timeout as a safety net.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from bot.settings import Settings
from storage import (
    ClientRepository,
    Identity,
    PlanRepository,
    ReminderRepository,
    make_session_factory,
)
from storage.models import AnswerVersion, Client, Reminder
from tests.conftest import AUDIT_KEY
from tests.e2e.fake_bot_api import FakeBotAPI, HoldOutcome

REPO = Path(__file__).resolve().parents[2]
ANA = 1001
BO = 1002
WITHIN = 10.0  # seconds: a safety net for a hung bot, never a wait for the expected case
REMINDER = (
    "⏰ Je wilde dit doen:\nWoningcorporatie bellen\n\nVoor je doel: Een eigen kamer\n"
    "Hoe gaat het ermee?"
)


class BotProcess:
    """`python -m bot run` in a process of its own; its log is read line by line as written."""

    def __init__(self, environment: dict[str, str], cwd: Path) -> None:
        self.environment = environment
        self.cwd = cwd
        self.lines: list[str] = []
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._new_line = asyncio.Event()
        self._ended = False

    @property
    def process(self) -> asyncio.subprocess.Process:
        if self._process is None:
            raise RuntimeError("the bot process was not started")
        return self._process

    @property
    def output(self) -> str:
        """Everything the process wrote (its log goes to stderr, joined here with stdout)."""
        return "\n".join(self.lines)

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.returncode

    def problems(self) -> list[str]:
        """Lines of the log that tell of an error."""
        return [line for line in self.lines if "Traceback" in line or " ERROR " in line]

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=self.cwd,
            env=self.environment,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while line := await stream.readline():
            self.lines.append(line.decode(errors="replace").rstrip("\n"))
            self._signal()
        self._ended = True
        self._signal()

    def _signal(self) -> None:
        self._new_line.set()
        self._new_line = asyncio.Event()

    async def logged(self, *fragments: str, within: float = WITHIN, since: int = 0) -> str:
        """Wait until the bot logs a line containing every fragment (or has logged it), after
        its first `since` lines."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        checked = since
        while True:
            for line in self.lines[checked:]:
                if all(fragment in line for fragment in fragments):
                    return line
            checked = len(self.lines)
            if self._ended:
                raise AssertionError(f"the bot ended without logging {fragments}")
            try:
                await asyncio.wait_for(self._new_line.wait(), deadline - loop.time())
            except TimeoutError:
                raise TimeoutError(f"the bot did not log {fragments} within {within} s") from None

    async def started(self) -> None:
        """Wait until the bot is polling for updates and its scheduler runs."""
        await self.logged("Application started")

    def kill(self) -> None:
        """SIGKILL: the process dies at once, whatever it was doing."""
        self.process.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """SIGTERM: what a service manager sends to stop the bot."""
        self.process.send_signal(signal.SIGTERM)

    async def wait(self, within: float = WITHIN) -> int:
        """Wait until the process has exited and its output is read; its exit code."""
        code = await asyncio.wait_for(self.process.wait(), within)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, within)
        return code

    async def close(self) -> None:
        """Make sure the process is gone (after a failing test too)."""
        if self._process is None:
            return
        if self._process.returncode is None:
            self.kill()
        await self.wait()


class Launcher:
    """Starts `python -m bot run`, as often as a test needs, with one environment."""

    def __init__(self, environment: dict[str, str], cwd: Path) -> None:
        self.environment = environment
        self.cwd = cwd
        self.processes: list[BotProcess] = []

    async def __call__(self) -> BotProcess:
        """A new bot process, once it is polling for updates and its scheduler runs."""
        process = BotProcess(self.environment, self.cwd)
        self.processes.append(process)
        await process.start()
        await process.started()
        return process

    def problems(self) -> list[str]:
        """What any of the processes logged as an error."""
        return [line for process in self.processes for line in process.problems()]

    async def close(self) -> None:
        for number, process in enumerate(self.processes, start=1):
            await process.close()
            # Shown by pytest when the test failed.
            print(f"----- bot process {number} (exit {process.returncode}) -----")
            print(process.output)


@pytest.fixture
def environment(fake_api: FakeBotAPI, database_url: str) -> dict[str, str]:
    """The bot's environment: the fake's URL and token, this test's database, a single process."""
    settings = {name.upper() for name in Settings.model_fields}
    inherited = {k: v for k, v in os.environ.items() if k.upper() not in settings}
    return {
        **inherited,
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        "TELEGRAM_BOT_TOKEN": fake_api.token,
        "TELEGRAM_API_BASE_URL": fake_api.base_url,
        "DATABASE_URL": database_url,
        "AUDIT_PSEUDONYM_KEY": AUDIT_KEY.decode(),
        # A single process owns every claim: what it had claimed when killed is free at once.
        "REMINDER_LEASE_SECONDS": "0",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
async def launch(environment: dict[str, str], tmp_path: Path) -> AsyncIterator[Launcher]:
    """Start the bot; every process is gone when the test ends, whatever happened."""
    launcher = Launcher(environment, tmp_path)
    try:
        yield launcher
    finally:
        await launcher.close()


class Person:
    """Someone in a private chat with the bot process, seeing what they would see in Telegram."""

    def __init__(self, fake: FakeBotAPI, user_id: int) -> None:
        self.fake = fake
        self.user_id = user_id

    @property
    def texts(self) -> list[str]:
        return [str(m.get("text", "")) for m in self.fake.sent_messages(self.user_id)]

    def type(self, text: str) -> int:
        """Send a message without waiting for the bot; the update's id."""
        return self.fake.push_update(self.fake.message_update(user_id=self.user_id, text=text))

    async def send(self, text: str, *, expect: str) -> list[str]:
        """Send a message and wait until the bot says `expect`; the bot's new messages."""
        before = len(self.texts)
        self.type(text)
        return await self.sees(expect, since=before)

    async def press(self, label: str, *, expect: str) -> list[str]:
        """Press a button on the newest message that has it; wait until the bot says `expect`."""
        before = len(self.texts)
        message, data = self.button(label)
        self.fake.push_update(
            self.fake.callback_update(user_id=self.user_id, message=message, data=data)
        )
        return await self.sees(expect, since=before)

    def button(self, label: str) -> tuple[dict[str, Any], str]:
        for message in reversed(self.fake.sent_messages(self.user_id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label in button["text"]:
                        return message, str(button["callback_data"])
        raise AssertionError(f"no button {label!r} in the chat: {self.texts}")

    async def sees(self, expect: str, *, since: int, within: float = WITHIN) -> list[str]:
        """Wait until a message of the bot after the first `since` contains `expect`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not any(expect in text for text in self.texts[since:]):
            sent = sum(call.method == "sendMessage" for call in self.fake.calls)
            try:
                await self.fake.wait_for_call(
                    "sendMessage", count=sent + 1, within=deadline - loop.time()
                )
            except TimeoutError:
                raise AssertionError(
                    f"the bot did not say {expect!r}; it said {self.texts[since:]}"
                ) from None
        return self.texts[since:]


async def confirmed(fake: FakeBotAPI, update_id: int) -> None:
    """Wait until the bot has asked for the updates after `update_id`, which confirms it."""

    def asked() -> int:
        return sum(
            call.method == "getUpdates" and call.params.get("offset", 0) > update_id
            for call in fake.calls
        )

    polls = sum(call.method == "getUpdates" for call in fake.calls)
    while not asked():
        polls += 1
        await fake.wait_for_call("getUpdates", count=polls, within=WITHIN)


async def handed_out(fake: FakeBotAPI, update_id: int) -> None:
    """Wait until a getUpdates answer has handed `update_id` to the bot."""
    await fake.wait_until(lambda: update_id in fake.delivered, within=WITHIN)


def to(chat_id: int) -> Callable[[dict[str, Any]], bool]:
    """Calls to this chat, for `FakeBotAPI.hold`."""
    return lambda params: params.get("chat_id") == chat_id


def answers(database: Engine) -> dict[str, list[str | None]]:
    """Every stored version of every answer of Ana's, oldest first, by question."""
    stored: dict[str, list[str | None]] = {}
    with database.connect() as connection:
        rows = connection.execute(
            select(AnswerVersion.key, AnswerVersion.text)
            .join(Client, Client.id == AnswerVersion.client_id)
            .where(Client.external_id == str(ANA))
            .order_by(AnswerVersion.id)
        )
        for key, answer in rows:
            stored.setdefault(key, []).append(answer)
    return stored


def current_answers(database: Engine) -> dict[str, str | None]:
    with database.connect() as connection:
        rows = connection.execute(
            select(AnswerVersion.key, AnswerVersion.text)
            .join(Client, Client.id == AnswerVersion.client_id)
            .where(Client.external_id == str(ANA), AnswerVersion.superseded_at.is_(None))
        )
        return {key: answer for key, answer in rows}


@contextmanager
def writes_blocked(database: Engine) -> Iterator[None]:
    """Keep the bot from writing, hence from committing, until the block ends (rolled back)."""
    with database.connect() as connection, connection.begin() as transaction:
        # SQLite: the engine begins with BEGIN IMMEDIATE, which takes the one write lock.
        if database.dialect.name == "postgresql":
            connection.execute(text("LOCK TABLE processed_updates IN EXCLUSIVE MODE"))
        yield
        transaction.rollback()


# ------------------------------------------------------------------ a conversation


async def test_killed_while_idle_and_between_commit_and_send_every_reply_arrives_once(
    fake_api: FakeBotAPI, launch: Launcher, database: Engine
) -> None:
    ana = Person(fake_api, ANA)
    bot = await launch()
    await ana.send("/start", expect="Mag ik je antwoorden bewaren?")
    await ana.press("Ja, dat mag", expect="Hoe zou je graag willen wonen?")
    before = len(ana.texts)
    written = len(bot.lines)
    update_id = ana.type("Een eigen kamer")
    await ana.sees("Hoe woon je nu?", since=before)
    await confirmed(fake_api, update_id)
    await bot.logged("outbox: 1 sent", since=written)  # nothing left to do: the bot is idle

    bot.kill()  # idle, in the middle of a long poll
    assert await bot.wait() == -signal.SIGKILL
    bot = await launch()
    await ana.send("Bij mijn zus, dat is fijn", expect="Was er een tijd dat het wonen goed ging?")

    # The third answer is committed, with the next question in the outbox, before the bot
    # sends it; the bot is killed while that message is on its way, before it confirmed the
    # update to Telegram. It confirms an update only by asking for the next ones.
    reply = fake_api.hold("sendMessage")
    ana.type("Toen ik bij oma woonde")
    assert "Wat wil je bereiken met geld?" in (await reply.arrived()).params["text"]
    bot.kill()
    assert await bot.wait() == -signal.SIGKILL
    assert await reply.ended() is HoldOutcome.ABANDONED
    assert not any("bereiken met geld" in text for text in ana.texts)  # never got there

    bot = await launch()
    # The question waited in the outbox: it goes out after the restart, without her asking.
    # (Whether Telegram hands the update out again depends on whether the bot had asked for
    # the next ones, which confirms it; handed out again, it is skipped: processed before.)
    await ana.sees("Wat wil je bereiken met geld?", since=0)
    assert answers(database) == {
        "inventory.housing.wish": ["Een eigen kamer"],
        "inventory.housing.current": ["Bij mijn zus, dat is fijn"],
        "inventory.housing.past": ["Toen ik bij oma woonde"],
    }
    await ana.send("Rondkomen zonder zorgen", expect="Hoe gaat het nu met je geld?")
    assert sum("Wat wil je bereiken met geld?" in text for text in ana.texts) == 1  # once
    assert current_answers(database) == {
        "inventory.housing.wish": "Een eigen kamer",
        "inventory.housing.current": "Bij mijn zus, dat is fijn",
        "inventory.housing.past": "Toen ik bij oma woonde",
        "inventory.money.wish": "Rondkomen zonder zorgen",
    }
    assert len(answers(database)["inventory.money.wish"]) == 1
    assert fake_api.rejected == []
    assert launch.problems() == []


async def test_killed_before_the_answer_was_committed_the_answer_is_not_lost(
    fake_api: FakeBotAPI, launch: Launcher, database: Engine
) -> None:
    ana = Person(fake_api, ANA)
    bot = await launch()
    await ana.send("/start", expect="Mag ik je antwoorden bewaren?")
    await ana.press("Ja, dat mag", expect="Hoe zou je graag willen wonen?")

    with writes_blocked(database):
        # The bot has taken the update but cannot commit its unit of work: killed now, the
        # answer is not stored yet, and the update not confirmed to Telegram.
        update_id = ana.type("Een eigen kamer")
        await handed_out(fake_api, update_id)
        bot.kill()
        assert await bot.wait() == -signal.SIGKILL
    assert answers(database) == {}

    bot = await launch()
    # After the restart the answer must be there, and the conversation go on from it.
    try:
        await ana.sees("Hoe woon je nu?", since=0)
    except AssertionError as error:
        times = fake_api.delivered.count(update_id)
        raise AssertionError(f"{error}; the update was handed out {times} time(s)") from None
    assert answers(database) == {"inventory.housing.wish": ["Een eigen kamer"]}
    assert launch.problems() == []


# ------------------------------------------------------------------ a reminder


def schedule_due_reminder(database: Engine, user_id: int) -> int:
    """A client with a step whose reminder was due a minute ago, stored while the bot is down:
    it goes out at start-up. The reminder's id."""
    now = datetime.now(UTC)
    with make_session_factory(database).begin() as session:
        client = ClientRepository(session).create(
            Identity("telegram", str(user_id)), language="nl", timezone="Europe/Amsterdam", now=now
        )
        ClientRepository(session).set_quiet_hours(client.id, "00:00", "00:00")  # none at all
        plans = PlanRepository(session)
        plans.save_goal(client.id, 1, text="Een eigen kamer", domain="housing", why=None, now=now)
        due = now - timedelta(minutes=1)
        plans.save_step(
            client.id,
            1,
            goal=1,
            text="Woningcorporatie bellen",
            who="me",
            who_name=None,
            due=due.date(),
            remind_at=due,
            now=now,
        )
        return ReminderRepository(session).schedule(client.id, 1, "step", due, now)


def reminders(database: Engine) -> list[tuple[str, str]]:
    """(kind, status) of every reminder, oldest first."""
    with database.connect() as connection:
        rows = connection.execute(select(Reminder.kind, Reminder.status).order_by(Reminder.id))
        return [(kind, status) for kind, status in rows]


def follow_ups(database: Engine) -> list[datetime]:
    """When the follow-ups still to come are due."""
    with database.connect() as connection:
        return list(
            connection.scalars(
                select(Reminder.due_at).where(
                    Reminder.kind == "follow_up", Reminder.status == "scheduled"
                )
            )
        )


async def test_a_reminder_killed_mid_send_goes_out_once_and_once_sent_never_again(
    fake_api: FakeBotAPI, launch: Launcher, database: Engine
) -> None:
    due_reminder = schedule_due_reminder(database, ANA)
    ana = Person(fake_api, ANA)
    sending = fake_api.hold("sendMessage")
    bot = await launch()
    assert (await sending.arrived()).params["text"] == REMINDER
    await bot.logged(f'Job "reminder-{due_reminder} (', "executed successfully")
    bot.kill()  # Telegram never got the message
    assert await bot.wait() == -signal.SIGKILL
    assert await sending.ended() is HoldOutcome.ABANDONED
    # Its message is in the outbox, committed with the reminder's turn: sent, as far as the
    # reminder goes, and never shown a second time.
    assert reminders(database)[0] == ("step", "sent")
    assert ana.texts == []

    bot = await launch()  # the outbox sends what the killed process had not
    await ana.sees(REMINDER, since=0)
    await bot.logged("outbox: 1 sent")
    bot.kill()  # right after the reminder went out and the outbox wrote so
    assert await bot.wait() == -signal.SIGKILL
    assert reminders(database)[0] == ("step", "sent")

    bot = await launch()
    # Only the follow-up, due tomorrow, is waiting: the reminder is not sent again.
    await bot.logged("reminders: 1 scheduled, 0 missed while down")
    assert ana.texts == [REMINDER]
    assert reminders(database)[0] == ("step", "sent")
    (follow_up,) = follow_ups(database)  # one, however often the reminder was started
    assert follow_up > datetime.now(UTC) + timedelta(hours=12)
    assert fake_api.rejected == []
    assert launch.problems() == []


# ------------------------------------------------------------------ SIGTERM


async def test_sigterm_lets_the_update_and_the_reminder_in_flight_finish_then_exits_cleanly(
    fake_api: FakeBotAPI, launch: Launcher, database: Engine
) -> None:
    schedule_due_reminder(database, BO)
    ana = Person(fake_api, ANA)
    reminder = fake_api.hold("sendMessage", where=to(BO))
    bot = await launch()
    await reminder.arrived()  # the scheduler is in the middle of sending Bo his reminder
    await ana.send("/start", expect="Mag ik je antwoorden bewaren?")
    await ana.press("Ja, dat mag", expect="Hoe zou je graag willen wonen?")
    reply = fake_api.hold("sendMessage", where=to(ANA))
    ana.type("Een eigen kamer")
    await reply.arrived()  # and the bot in the middle of answering Ana

    bot.terminate()
    await bot.logged("stopping: the update in hand is finished first")
    reply.release()
    assert await reply.ended() is HoldOutcome.ANSWERED
    reminder.release()

    assert await bot.wait() == 0
    assert await reminder.ended() is HoldOutcome.ANSWERED
    assert "Hoe woon je nu?" in ana.texts[-1]
    assert answers(database) == {"inventory.housing.wish": ["Een eigen kamer"]}
    assert Person(fake_api, BO).texts == [REMINDER]
    assert reminders(database)[0] == ("step", "sent")
    assert "Scheduler has been shut down" in bot.output
    assert "Application.stop() complete" in bot.output
    assert fake_api.rejected == []
    assert launch.problems() == []
