"""Telegram glue: Updates become engine events, engine outputs become Bot API calls.

Handlers stay a few lines; every decision about the conversation is made in `dialogs`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeAlias

from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.commands import command_aliases, read_command
from bot.conversation import Conversations, Turn
from bot.jobs import JobQueueClock
from bot.render import split_text
from bot.settings import Settings
from dialogs import (
    CommandName,
    Content,
    Edited,
    Event,
    Notice,
    Press,
    Replace,
    Say,
    Text,
    Unreadable,
)
from dialogs.events import ReminderDue
from dialogs.outputs import Keyboard
from reminders import Clock as ReminderClock
from reminders import Outcome, ReminderService
from storage import Identity, ReminderRecord

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
App: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
# Network failures (not Telegram's refusals) are retried this often, waiting longer each time;
# 429 answers are retried by PTB's AIORateLimiter with the delay Telegram asks for.
NETWORK_RETRIES = 3
NETWORK_BACKOFF = 0.5  # seconds, doubled after each failure


def keyboard_markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons]
    )


class TelegramChannel:
    """The handlers of the bot, bound to the conversations and the clock."""

    def __init__(self, conversations: Conversations, content: Content, clock: Clock) -> None:
        self.conversations = conversations
        self.content = content
        self.clock = clock
        self.aliases = command_aliases(content)
        self.reminders: ReminderService | None = None  # set once the application exists
        self.bot: Bot | None = None

    def install(self, application: App) -> None:
        private = filters.ChatType.PRIVATE
        application.add_handler(CallbackQueryHandler(self.on_press))
        application.add_handler(
            MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, self.on_edit)
        )
        application.add_handler(
            MessageHandler(private & filters.UpdateType.MESSAGE, self.on_message)
        )
        application.add_handler(
            MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, self.on_group)
        )
        application.add_error_handler(self.on_error)

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A private message: a command, typed text, or something the bot cannot read."""
        message = update.effective_message
        if message is None or _from_bot(update):
            return
        event: Event
        if message.text is None:
            event = Unreadable()
        else:
            event = read_command(message.text, self.aliases) or Text(message.text)
        await self.handle(update, context.bot, event)

    async def on_edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message: said back kindly, answers are never rewritten silently."""
        if not _from_bot(update):
            await self.handle(update, context.bot, Edited())

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button pressed, on the latest message or an old one."""
        query = update.callback_query
        if query is None or _from_bot(update):
            return
        await self.handle(update, context.bot, Press(query.data or ""), query)

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command in a group: the conversation is private, so say where to find the bot."""
        message = update.effective_message
        if message is None or _from_bot(update):
            return
        user = update.effective_user
        language = self.conversations.language_for(user.language_code if user else None)
        await message.reply_text(self.content.ui(language).private_only)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log with enough context to fix it (never what the client wrote); calm the client."""
        chat_id = (
            update.effective_chat.id
            if isinstance(update, Update) and update.effective_chat
            else None
        )
        update_id = update.update_id if isinstance(update, Update) else None
        log.error(
            "update %s in chat %s failed: %s",
            update_id,
            chat_id,
            type(context.error).__name__,
            exc_info=context.error,
        )
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
        turn = await asyncio.to_thread(
            self.conversations.handle,
            Identity("telegram", str(user.id)),
            event,
            self.clock(),
            language_hint=user.language_code,
        )
        self.follow(turn)
        await self.perform(turn, bot, chat.id, query)

    def follow(self, turn: Turn) -> None:
        if self.reminders is not None and turn.reminders:
            self.reminders.follow(turn.reminders)

    async def deliver_reminder(self, reminder: ReminderRecord) -> Outcome:
        """Run a due reminder through the conversation, then send what it shows."""
        identity = await asyncio.to_thread(self.conversations.client_identity, reminder.client_id)
        if identity is None or self.bot is None:
            return Outcome.SETTLED
        if identity.channel != "telegram":
            # Someone from the terminal chat: Telegram cannot reach them.
            return Outcome.BLOCKED
        event = ReminderDue(reminder.id, reminder.step, follow_up=reminder.kind == "follow_up")
        turn = await asyncio.to_thread(self.conversations.handle, identity, event, self.clock())
        self.follow(turn)
        if not turn.reminder_shown:
            return Outcome.SETTLED
        try:
            await self.perform(turn, self.bot, int(identity.external_id), None)
        except Forbidden:
            return Outcome.BLOCKED
        except NetworkError as error:
            log.warning("reminder %s not sent: %s", reminder.id, type(error).__name__)
            return Outcome.FAILED
        return Outcome.SENT

    async def perform(
        self, turn: Turn, bot: Bot, chat_id: int, query: CallbackQuery | None
    ) -> None:
        """Send what the engine asked for. Everything was committed before this runs."""
        if query is not None:
            notices = [o.text for o in turn.outputs if isinstance(o, Notice)]
            try:
                await query.answer(notices[-1] if notices else None)
            except BadRequest as error:
                # A press answered too late (the bot was down) can no longer be acknowledged;
                # the reply below still goes out.
                log.info("callback in chat %s not acknowledged: %s", chat_id, error.message)
        for output in turn.outputs:
            if isinstance(output, Say):
                await send(bot, chat_id, output.text, output.buttons)
            elif isinstance(output, Replace):
                await replace(bot, chat_id, output, query)


async def send(bot: Bot, chat_id: int, text: str, buttons: Keyboard) -> None:
    """Send a text, split to Telegram's limit; the buttons go under the last part."""
    chunks = split_text(text)
    for index, chunk in enumerate(chunks):
        markup = keyboard_markup(buttons) if index == len(chunks) - 1 else None
        await send_message(bot, chat_id, chunk, markup)


async def send_message(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """One sendMessage, tried again after a network failure or a timeout."""
    for attempt in range(NETWORK_RETRIES + 1):
        try:
            await bot.send_message(chat_id, text, reply_markup=markup)
            return
        except BadRequest:
            raise  # Telegram read the request and refused it: trying again cannot help
        except NetworkError as error:
            if attempt == NETWORK_RETRIES:
                raise
            log.info("sendMessage to chat %s failed (%s), retrying", chat_id, type(error).__name__)
            await asyncio.sleep(NETWORK_BACKOFF * 2**attempt)


async def replace(bot: Bot, chat_id: int, output: Replace, query: CallbackQuery | None) -> None:
    """Rewrite the message whose button was pressed."""
    message = query.message if query else None
    if not isinstance(message, Message):
        # The pressed message is too old for Telegram to edit: send it anew instead.
        await send(bot, chat_id, output.text, output.buttons)
        return
    try:
        await message.edit_text(output.text, reply_markup=keyboard_markup(output.buttons))
    except BadRequest as error:
        # A double tap can ask for the same content twice; Telegram refuses the second edit.
        if "not modified" not in error.message.lower():
            raise


def _from_bot(update: Update) -> bool:
    # Other bots (in groups, or forwarding) are no clients; answering them could loop.
    user = update.effective_user
    return user is not None and user.is_bot


async def publish_commands(application: App, content: Content, default_language: str) -> None:
    """Show the command list in Telegram's menu, in each language the bot speaks."""

    def commands(language: str) -> Sequence[BotCommand]:
        texts = content.commands[language]
        return [BotCommand(texts[name].name, texts[name].description) for name in CommandName]

    for language in content.languages:
        await application.bot.set_my_commands(commands(language), language_code=language)
    await application.bot.set_my_commands(commands(default_language))


def build_application(
    settings: Settings,
    conversations: Conversations,
    content: Content,
    clock: Clock,
    *,
    reminder_clock: Callable[[App], ReminderClock] | None = None,
) -> App:
    """The PTB Application, talking to TELEGRAM_API_BASE_URL through the rate limiter, with
    the reminder service on PTB's JobQueue (or on `reminder_clock`, for tests)."""
    token = settings.telegram_bot_token
    if token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")

    async def post_init(application: App) -> None:
        await publish_commands(application, content, conversations.default_language)
        await asyncio.to_thread(service.start)

    application = (
        ApplicationBuilder()
        .token(token.get_secret_value())
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .build()
    )
    channel = TelegramChannel(conversations, content, clock)
    channel.install(application)
    channel.bot = application.bot
    if reminder_clock is not None:
        wake_clock = reminder_clock(application)
    elif application.job_queue is not None:
        wake_clock = JobQueueClock(application.job_queue, clock)
    else:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    service = ReminderService(
        conversations.sessions,
        wake_clock,
        channel.deliver_reminder,
        grace=timedelta(hours=settings.reminder_grace_hours),
    )
    channel.reminders = service
    return application
