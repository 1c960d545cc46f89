"""Telegram glue: Updates become engine events, engine outputs become Bot API calls.

Handlers stay a few lines; every decision about the conversation is made in `dialogs`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TypeAlias, TypeVar

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.commands import command_aliases, read_command
from bot.flood import ChatRateLimiter
from bot.jobs import JobQueueClock
from bot.meetings import TeamMeetings
from bot.outbox import Postman
from bot.request import TelegramRequest
from bot.senders import (
    pressed,
    send,
)
from bot.settings import Settings
from dialogs import (
    CommandName,
    Content,
    Edited,
    Event,
    Press,
    Text,
    Unreadable,
)
from dialogs.engine.events import DESK_COMMANDS, ReminderDue
from reminders import DigestService, Now, Outcome, ReminderService, WakeClock
from storage import DigestRecord, Identity, StaffRecord
from turns.conversation import Conversations, Turn
from turns.deliveries import Deliveries
from turns.desk import CounsellorDesk
from turns.failures import Gate, log_failure
from turns.reminders import ClaimedReminder

log = logging.getLogger(__name__)
POSTMAN = "postman"  # the application's outbox sender, in bot_data (tests wait for it)
App: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
T = TypeVar("T")


class TelegramChannel:
    """The handlers of the bot, bound to the conversations, the counsellors' desk and the clock."""

    def __init__(
        self,
        settings: Settings,
        conversations: Conversations,
        desk: CounsellorDesk,
        content: Content,
        clock: Now,
        *,
        wake_clock: WakeClock,
        postman: Postman,
        meetings: TeamMeetings,
        units: Gate,
    ) -> None:
        self.conversations = conversations
        self.desk = desk
        self.content = content
        self.clock = clock
        self.postman = postman  # everything a turn sends goes through the outbox
        self.units = units  # units of work: one at a time on SQLite, a few on PostgreSQL
        self.meetings = meetings  # team meetings in groups
        self.aliases = command_aliases(content)
        self.seen_staff: set[int] = set()  # counsellors whose digest and menu are in place
        lease = timedelta(seconds=settings.reminder_lease_seconds)
        self.reminders = ReminderService(
            conversations.sessions,
            wake_clock,
            self.deliver_reminder,
            grace=timedelta(hours=settings.reminder_grace_hours),
            lease=lease,
        )
        self.digests = DigestService(
            conversations.sessions,
            wake_clock,
            self.deliver_digest,
            weekday=settings.digest_weekday,
            at=settings.digest_time,
            zone=conversations.default_timezone,
            lease=lease,
        )

    def install(self, application: App) -> None:
        private = filters.ChatType.PRIVATE
        # A team meeting's buttons (m:...) go to the meetings, wherever they are pressed: the
        # meeting checks the chat.
        application.add_handler(CallbackQueryHandler(self.on_group, pattern=r"^m:"))
        application.add_handler(CallbackQueryHandler(self.on_press))
        application.add_handler(
            MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, self.on_edit)
        )
        application.add_handler(
            MessageHandler(private & filters.UpdateType.MESSAGE, self.on_message)
        )
        # New and edited: an edited idea is answered, never read as its new text.
        application.add_handler(
            MessageHandler(filters.ChatType.GROUPS & filters.UpdateType.MESSAGES, self.on_group)
        )
        application.add_error_handler(self.on_error)

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A private message: a command, typed text, or something the bot cannot read."""
        message = update.effective_message
        if message is None or _from_bot(update):
            return
        event: Event
        if message.text is None:
            # A photo, a video or a file: its caption is read too (for a crisis, before all).
            event = Unreadable(message.caption or "")
        else:
            event = read_command(message.text, self.aliases) or Text(message.text)
        await self.handle(update, context.bot, event)

    async def on_edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message: said back kindly, answers are never rewritten silently; its new
        text is read for a crisis."""
        message = update.effective_message
        if message is not None and not _from_bot(update):
            edited = Edited(message.text or message.caption or "")
            await self.handle(update, context.bot, edited)

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button pressed, on the latest message or an old one."""
        query = update.callback_query
        if query is None or _from_bot(update):
            return
        await self.handle(update, context.bot, Press(query.data or ""), query)

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A message, command or meeting button in a group: the team meeting's (a client's
        command is answered there: the conversation is private)."""
        if not _from_bot(update):
            await self.meetings.on_update(update)

    async def tell_waiting(self, bot: Bot, chat_id: int, language_code: str | None) -> None:
        """The database is away: the person hears once that their message will be answered
        (straight to Telegram: the outbox is in the database too)."""
        text = self.content.ui(self.conversations.language_for(language_code)).waiting_for_database
        try:
            await send(bot, chat_id, text, ())
        except NetworkError as error:  # Telegram is away too: the answer comes all the same
            log.info("chat %s not told to wait: %s", chat_id, type(error).__name__)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log with enough context to fix it (never what the client wrote); calm the client."""
        chat_id = (
            update.effective_chat.id
            if isinstance(update, Update) and update.effective_chat
            else None
        )
        update_id = update.update_id if isinstance(update, Update) else None
        log_failure(f"update {update_id} in chat {chat_id}", context.error)
        if chat_id is None or isinstance(context.error, Forbidden):
            return
        user = update.effective_user if isinstance(update, Update) else None
        language = self.conversations.language_for(user.language_code if user else None)
        try:
            await context.bot.send_message(chat_id, self.content.ui(language).error)
        except Exception:  # the failure may be Telegram itself; the log above has the cause
            log.warning("could not tell chat %s about the failure", chat_id)

    async def handle(
        self, update: Update, bot: Bot, event: Event, query: CallbackQuery | None = None
    ) -> None:
        user = update.effective_user
        chat = update.effective_chat
        if user is None or chat is None:
            return
        turn = await self.units.run(
            self.conversations.handle,
            Identity("telegram", str(user.id)),
            event,
            self.clock(),
            language_hint=user.language_code,
            display_name=user.first_name,
            username=user.username,
            update_id=update.update_id,
            # The client's message, or the bot's message whose button was pressed (the
            # welcome, sent before consent, is known by its consent button).
            message_id=(update.effective_message.message_id if update.effective_message else None),
            press=pressed(query),
            waiting=functools.partial(self.tell_waiting, bot, chat.id, user.language_code),
        )
        if turn.counsellor is not None:
            await self.handle_desk(turn.counsellor, bot, event, chat.id, query, update)
            return
        self.follow(turn)
        self.postman.post(turn.letters)

    async def handle_desk(
        self,
        staff: StaffRecord,
        bot: Bot,
        event: Event,
        chat_id: int,
        query: CallbackQuery | None,
        update: Update,
    ) -> None:
        """A counsellor: their desk, never the client conversation."""
        user = update.effective_user
        language = user.language_code if user else None
        turn = await self.units.run(
            self.desk.handle,
            staff,
            event,
            self.clock(),
            language,
            update.update_id,
            pressed(query),
            waiting=functools.partial(self.tell_waiting, bot, chat_id, language),
        )
        if staff.active and staff.id not in self.seen_staff:
            self.seen_staff.add(staff.id)
            await asyncio.to_thread(self.digests.ensure, staff.id)
            await publish_desk_commands(bot, self.content, chat_id, turn.language)
        self.postman.post(turn.letters)

    async def deliver_digest(self, record: DigestRecord) -> Outcome:
        """The weekly digest goes into the outbox (marked sent with it), and out from there."""
        letters = await self.units.run(self.desk.digest, record, self.clock())
        if letters is None:
            return Outcome.SETTLED
        self.postman.post(letters)
        return Outcome.SENT

    def follow(self, turn: Turn) -> None:
        if turn.reminders:
            self.reminders.follow(turn.reminders)

    async def deliver_reminder(self, claimed: ClaimedReminder) -> Outcome:
        """Run a due reminder through the conversation, then send what it shows."""
        reminder, identity = claimed.record, claimed.identity
        if identity is None:
            return Outcome.SETTLED
        if identity.channel != "telegram":
            # Someone from the terminal chat: Telegram cannot reach them.
            return Outcome.BLOCKED
        event = ReminderDue(reminder.id, reminder.step, follow_up=reminder.kind == "follow_up")
        turn = await self.units.run(self.conversations.handle, identity, event, self.clock())
        self.follow(turn)
        if not turn.reminder_shown:
            return Outcome.SETTLED
        # In the outbox now: sent from there, whatever happens to this process.
        self.postman.post(turn.letters)
        return Outcome.SENT


def _from_bot(update: Update) -> bool:
    # Other bots (in groups, or forwarding) are no clients; answering them could loop.
    user = update.effective_user
    return user is not None and user.is_bot


def _commands(content: Content, language: str, names: Sequence[CommandName]) -> list[BotCommand]:
    texts = content.commands[language]
    return [BotCommand(texts[name].name, texts[name].description) for name in names]


async def publish_commands(application: App, content: Content, default_language: str) -> None:
    """Show the clients' command list in Telegram's menu, in each language the bot speaks."""
    clients = [name for name in CommandName if name not in DESK_COMMANDS]
    try:
        for language in content.languages:
            await application.bot.set_my_commands(
                _commands(content, language, clients), language_code=language
            )
        await application.bot.set_my_commands(_commands(content, default_language, clients))
    except NetworkError as error:  # only the menu: the commands work anyway
        log.warning("command menu not set: %s", type(error).__name__)


async def publish_desk_commands(bot: Bot, content: Content, chat_id: int, language: str) -> None:
    """A counsellor's chat shows the desk's commands instead."""
    names = [CommandName.INVITE, CommandName.CLIENTS, CommandName.EXPORT, CommandName.HELP]
    try:
        await bot.set_my_commands(
            _commands(content, language, names), scope=BotCommandScopeChat(chat_id)
        )
    except (BadRequest, NetworkError) as error:  # only the menu: the commands work anyway
        log.info("desk commands for chat %s not set: %s", chat_id, type(error).__name__)


def build_application(
    settings: Settings,
    conversations: Conversations,
    content: Content,
    clock: Now,
    *,
    reminder_clock: Callable[[App], WakeClock] | None = None,
) -> App:
    """The PTB Application, talking to TELEGRAM_API_BASE_URL through the rate limiter, with
    the reminders and the weekly digest on PTB's JobQueue (or on `reminder_clock`, for tests)."""
    token = settings.telegram_bot_token
    if token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")

    async def post_init(application: App) -> None:
        await publish_commands(application, content, conversations.default_language)
        await postman.start()
        await asyncio.to_thread(channel.reminders.start)
        await asyncio.to_thread(channel.digests.start)
        await asyncio.to_thread(meetings.rearm)

    async def post_stop(application: App) -> None:
        await postman.stop()

    application = (
        ApplicationBuilder()
        .token(token.get_secret_value())
        .request(TelegramRequest(connection_pool_size=256))  # PTB's defaults otherwise
        .get_updates_request(TelegramRequest(connection_pool_size=1))
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        .rate_limiter(ChatRateLimiter())
        .post_init(post_init)
        .post_stop(post_stop)
        .updater(None)  # bot.polling.Poller: updates confirmed only once handled
        .build()
    )
    if reminder_clock is not None:
        wake_clock = reminder_clock(application)
    elif application.job_queue is not None:
        wake_clock = JobQueueClock(application.job_queue, clock)
    else:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    units = Gate(conversations.sessions)
    postman = Postman(
        application.bot, Deliveries(conversations.sessions), content, clock, wake_clock, units
    )
    meetings = TeamMeetings(
        content,
        conversations.sessions,
        clock,
        wake_clock,
        conversations.language_for,
        postman,
        units,
    )
    desk = CounsellorDesk(
        content,
        conversations.sessions,
        default_timezone=conversations.default_timezone,
        invitation_valid=timedelta(days=settings.invitation_valid_days),
        bot_username=lambda: application.bot.username,
    )
    channel = TelegramChannel(
        settings,
        conversations,
        desk,
        content,
        clock,
        wake_clock=wake_clock,
        postman=postman,
        meetings=meetings,
        units=units,
    )
    channel.install(application)
    application.bot_data[POSTMAN] = postman
    return application
