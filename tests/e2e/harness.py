"""The real PTB Application over HTTP against the fake Bot API, and a person who uses it.

    user = harness.user(1001)
    await user.send("/start")
    await user.press("Ja, dat mag")
    assert "Domein 1 van 8" in user.last_text

`send` and `press` return when the bot has finished with that update: an extra handler in the
last group marks each update done, so no test waits on the clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.outbox import Postman
from bot.polling import Poller
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.telegram import POSTMAN, App, build_application
from tests.conftest import AUDIT_KEY
from tests.e2e.fake_bot_api import FakeBotAPI
from tests.reminders.clock import ManualClock

UPDATE_TIMEOUT = 15.0  # a safety net for a hung bot, never a wait for the expected case


class RunningBot:
    """Starts and stops the bot like `python -m bot run` does, any number of times."""

    def __init__(self, fake: FakeBotAPI, database_url: str, clock: Callable[[], datetime]) -> None:
        self.fake = fake
        self.settings = Settings(
            telegram_bot_token=fake.token,
            telegram_api_base_url=fake.base_url,
            database_url=database_url,
            audit_pseudonym_key=AUDIT_KEY.decode(),
        )
        self.clock = clock
        self.done: dict[int, asyncio.Event] = {}
        self.waiting: set[asyncio.Task[None]] = set()  # for updates' replies to be sent
        self.sender: Postman | None = None
        self.application: App | None = None
        self.poller: Poller | None = None
        self.polling: asyncio.Task[None] | None = None
        self.runtime: Runtime | None = None
        self.starts = 0
        # Reminder wake-ups live as long as the process, like the JobQueue's: new on each start.
        self.wakeups = ManualClock(clock)

    def event_for(self, update_id: int) -> asyncio.Event:
        return self.done.setdefault(update_id, asyncio.Event())

    async def _mark_done(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # What the update decided is sent from the outbox after its commit: done once sent.
        # Waited for aside, so the next update is handled meanwhile, as it is without tests.
        done = self.event_for(update.update_id)
        waiting = asyncio.create_task(self.postman.idle())
        waiting.add_done_callback(lambda _: done.set())
        self.waiting.add(waiting)
        waiting.add_done_callback(self.waiting.discard)

    @property
    def postman(self) -> Postman:
        """The outbox sender of the bot as last started (it outlives a stop, for the
        updates that were in hand)."""
        assert self.sender is not None
        return self.sender

    async def start(self) -> None:
        self.runtime = build_runtime(self.settings)
        self.wakeups = ManualClock(self.clock)
        application = build_application(
            self.settings,
            self.runtime.conversations,
            self.runtime.content,
            self.clock,
            reminder_clock=lambda _: self.wakeups,
        )
        application.add_handler(TypeHandler(Update, self._mark_done), group=99)
        self.sender = application.bot_data[POSTMAN]
        await application.initialize()
        if application.post_init:  # bot.polling.serve calls it here; so does the harness
            await application.post_init(application)
        await application.start()
        self.poller = Poller(application, timeout=5)
        self.polling = asyncio.create_task(self.poller.run())
        self.application = application
        self.starts += 1

    async def stop(self) -> None:
        application, self.application = self.application, None
        if application is None:
            return
        assert self.poller is not None
        assert self.polling is not None
        self.poller.stop()
        await self.polling
        await application.stop()
        if application.post_stop:  # as bot.polling.serve does
            await application.post_stop(application)
        await application.shutdown()
        if self.runtime is not None:
            self.runtime.database.dispose()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def deliver(self, update: dict[str, Any]) -> int:
        update_id = self.fake.push_update(update)
        await asyncio.wait_for(self.event_for(update_id).wait(), UPDATE_TIMEOUT)
        return update_id

    async def run_reminders(self) -> int:
        """Let the reminder wake-ups that are due by the test's clock run, and what they sent go
        out; how many ran."""
        ran = await self.wakeups.run_due()
        await self.postman.idle()
        return ran

    def user(self, user_id: int, **profile: Any) -> TelegramUser:
        return TelegramUser(self, user_id, **profile)

    def member(self, user_id: int, group_id: int, name: str, **profile: Any) -> GroupMember:
        return GroupMember(self, user_id, group_id, name, **profile)


class TelegramUser:
    """A person in a private chat with the bot."""

    def __init__(
        self,
        bot: RunningBot,
        user_id: int,
        *,
        language_code: str = "nl",
        first_name: str = "Test",
        username: str | None = None,
    ) -> None:
        self.bot = bot
        self.fake = bot.fake
        self.user_id = user_id
        self.language_code = language_code
        self.profile: dict[str, Any] = {"first_name": first_name, "username": username}
        self.typed: list[int] = []  # the ids of the messages this person typed, oldest first

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every message the bot sent to this chat, as it looks now (after edits)."""
        return self.fake.sent_messages(self.user_id)

    @property
    def last_text(self) -> str:
        return str(self.messages[-1]["text"])

    def texts_since(self, count: int) -> list[str]:
        return [str(m.get("text", "")) for m in self.messages[count:]]

    async def _deliver(self, update: dict[str, Any]) -> list[str]:
        before = len(self.messages)
        await self.bot.deliver(update)
        return self.texts_since(before)

    async def send(self, text: str, **extra: Any) -> list[str]:
        """Type a message; returns the texts of the bot's new messages."""
        update = self.fake.message_update(
            user_id=self.user_id,
            text=text,
            language_code=self.language_code,
            **self.profile,
            **extra,
        )
        self.typed.append(update.get("message", {}).get("message_id", 0))
        return await self._deliver(update)

    async def send_photo(self, caption: str | None = None) -> list[str]:
        """Send a photo, with a caption under it if given (checked against the Bot API spec)."""
        photo: dict[str, Any] = {
            "photo": [
                {"file_id": "photo-1", "file_unique_id": "photo-u1", "width": 90, "height": 90}
            ]
        }
        if caption is not None:
            photo["caption"] = caption
        update = self.fake.message_update(
            user_id=self.user_id,
            text=None,
            language_code=self.language_code,
            extra=photo,
            **self.profile,
        )
        return await self._deliver(self.fake.check_update(update))

    async def edit(self, text: str) -> list[str]:
        """Change the message typed last to `text`, as Telegram reports an edit (checked
        against the Bot API spec)."""
        assert self.typed, "nothing typed yet to edit"
        update = self.fake.message_update(
            user_id=self.user_id,
            text=text,
            language_code=self.language_code,
            edited=True,
            extra={"message_id": self.typed[-1]},
            **self.profile,
        )
        return await self._deliver(self.fake.check_update(update))

    async def send_content(self, content: dict[str, Any]) -> list[str]:
        """Send something that is not text: a sticker, a photo, a voice note, ..."""
        return await self._deliver(
            self.fake.message_update(
                user_id=self.user_id, text=None, language_code=self.language_code, extra=content
            )
        )

    def find_button(self, label: str) -> tuple[dict[str, Any], str]:
        """The newest message with a button whose label contains `label`, and its data."""
        for message in reversed(self.messages):
            keyboard = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for row in keyboard:
                for button in row:
                    if label in button["text"]:
                        return message, str(button["callback_data"])
        raise AssertionError(f"no button {label!r} in this chat")

    async def press(self, label: str, *, on: dict[str, Any] | None = None) -> list[str]:
        """Press a button (on the newest message that has it, or on the message `on`)."""
        message, data = self.find_button(label)
        if on is not None:
            message = on
            data = next(
                str(b["callback_data"])
                for row in on["reply_markup"]["inline_keyboard"]
                for b in row
                if label in b["text"]
            )
        return await self.press_data(message, data)

    async def press_data(self, message: dict[str, Any], data: str) -> list[str]:
        return await self._deliver(
            self.fake.callback_update(user_id=self.user_id, message=message, data=data)
        )

    def labels(self) -> list[str]:
        keyboard = (self.messages[-1].get("reply_markup") or {}).get("inline_keyboard", [])
        return [button["text"] for row in keyboard for button in row]


class GroupMember(TelegramUser):
    """A person in a group chat with the bot (a team): what they type and press is in the
    group, and `messages` are the group's; `private` are the bot's messages to them alone."""

    def __init__(
        self, bot: RunningBot, user_id: int, group_id: int, name: str, *, language_code: str = "nl"
    ) -> None:
        super().__init__(bot, user_id, language_code=language_code)
        self.group_id = group_id
        self.name = name

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.fake.sent_messages(self.group_id)

    @property
    def private(self) -> list[dict[str, Any]]:
        return self.fake.sent_messages(self.user_id)

    async def send(self, text: str, **extra: Any) -> list[str]:
        """Type a message in the group; returns the texts of the bot's new group messages."""
        return await self._deliver(
            self.fake.message_update(
                user_id=self.user_id,
                text=text,
                chat_id=self.group_id,
                chat_type="supergroup",
                first_name=self.name,
                language_code=self.language_code,
                **extra,
            )
        )

    async def press_data(self, message: dict[str, Any], data: str) -> list[str]:
        return await self._deliver(
            self.fake.callback_update(
                user_id=self.user_id, message=message, data=data, first_name=self.name
            )
        )
