"""Telegram glue: Updates become engine events, engine outputs become Bot API calls.

Handlers stay a few lines; every decision about the conversation is made in `dialogs`.
"""

from __future__ import annotations

import asyncio
import functools
import json
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
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.commands import command_aliases, read_command
from bot.jobs import JobQueueClock
from bot.meetings import TeamMeetings
from bot.pdf import to_pdf
from bot.request import TelegramRequest
from bot.senders import (
    acknowledge,
    replace,
    retrying,
    send,
    send_document,
    send_message,
    send_network_map,
)
from bot.sent_messages import SentMessages
from bot.settings import Settings
from bot.telegram_html import to_telegram
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
from dialogs.desk.requests import opener_buttons, screens_for
from dialogs.engine.document import to_markdown
from dialogs.engine.events import DESK_COMMANDS, ReminderDue
from dialogs.engine.outputs import ShowNetworkMap
from dialogs.linking.screens import section_list
from dialogs.rights.mydata import data_document
from reminders import Changes, DigestService, Now, Outcome, ReminderService, WakeClock
from storage import DigestRecord, Identity, StaffRecord
from turns.conversation import Conversations, Turn
from turns.desk import CounsellorDesk, DeskTurn
from turns.failures import log_failure, unit_of_work
from turns.reminders import ClaimedReminder
from turns.store import CounsellorNews

log = logging.getLogger(__name__)
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
        bot: Bot,
        wake_clock: WakeClock,
        sent: SentMessages,
        meetings: TeamMeetings,
    ) -> None:
        self.conversations = conversations
        self.desk = desk
        self.content = content
        self.clock = clock
        self.bot = bot  # for what no update brings: reminders, digests
        self.sent = sent  # ids of replies, kept for /wissen
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
            await self.meetings.on_update(update, context.bot)

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
        earlier, client_id = self.sent.take(chat.id)
        try:
            turn = await unit_of_work(
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
                message_id=(
                    update.effective_message.message_id if update.effective_message else None
                ),
                earlier_messages=earlier,
            )
        except BaseException:
            self.sent.put_back(chat.id, client_id, earlier)
            raise
        if turn.counsellor is not None:
            await self.handle_desk(turn.counsellor, bot, event, chat.id, query, update)
            return
        self.follow(turn)
        try:
            sent = await self.perform(turn, bot, chat.id, query)
        except Forbidden:
            # The client blocked the bot between writing and our answer: their reminders wait.
            if turn.client_id is not None:
                paused = await asyncio.to_thread(
                    self.conversations.unreachable, turn.client_id, self.clock()
                )
                self.follow(Turn([], turn.language, turn.client_id, Changes(cancelled=paused)))
            raise
        if turn.client_id is not None:
            self.sent.add(chat.id, turn.client_id, sent)
        await self.tell_counsellors(bot, turn.news)

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
        turn = await unit_of_work(
            self.desk.handle,
            staff,
            event,
            self.clock(),
            user.language_code if user else None,
            update.update_id,
        )
        if query is not None:
            await acknowledge(query, None, chat_id)
        if staff.active and staff.id not in self.seen_staff:
            self.seen_staff.add(staff.id)
            await asyncio.to_thread(self.digests.ensure, staff.id)
            await publish_desk_commands(bot, self.content, chat_id, turn.language)
        await self.perform_desk(turn, bot, chat_id)

    async def perform_desk(self, turn: DeskTurn, bot: Bot, chat_id: int) -> None:
        for say in turn.messages:
            await send(bot, chat_id, say.text, say.buttons)
        if turn.summary is not None:
            for part in to_telegram(turn.summary):
                await send_message(bot, chat_id, part, None, html=True)
        if turn.network_map is not None:
            await send_network_map(bot, chat_id, turn.network_map)
        if turn.export is not None:
            export = turn.export
            # Drawing a PDF takes a few tenths of a second: not on the event loop.
            pdf = await asyncio.to_thread(to_pdf, export.document)
            await send_document(
                bot,
                chat_id,
                f"{export.name}.md",
                to_markdown(export.document).encode(),
                export.caption,
            )
            await send_document(bot, chat_id, f"{export.name}.pdf", pdf, None)
        for notice in turn.to_clients:
            if notice.channel != "telegram":
                continue  # the terminal chat has no counsellors to link with
            chat_id = int(notice.external_id)
            try:
                # Kept like any reply to the client, so /wissen deletes it too.
                self.sent.add(chat_id, notice.client_id, await send(bot, chat_id, notice.text, ()))
            except (Forbidden, NetworkError) as error:
                log.warning(
                    "notice for client chat %s not sent: %s",
                    notice.external_id,
                    type(error).__name__,
                )

    async def tell_counsellors(self, bot: Bot, news: Sequence[CounsellorNews]) -> None:
        """News for counsellors, after the client's own reply. A message that cannot be sent
        stays stored as new: the counsellor sees it in /clienten and the digest."""
        delivered: list[int] = []
        for item in news:
            texts = self.content.desk(item.language)
            screens = screens_for(self.content, item.language, "UTC", self.clock())
            text = getattr(texts, item.key).format(
                name=item.name,
                text=item.text,
                sections=section_list(screens, item.sections),
                opener=item.opener,
            )
            buttons = (
                opener_buttons(self.content, item.language, item.confirm_link)
                if item.confirm_link is not None
                else ()
            )
            try:
                await send(bot, item.telegram_id, text, buttons)
            except (Forbidden, NetworkError) as error:
                log.warning(
                    "news for counsellor chat %s not sent: %s",
                    item.telegram_id,
                    type(error).__name__,
                )
                continue
            if item.message_id is not None:
                delivered.append(item.message_id)
        if delivered:
            await asyncio.to_thread(self.conversations.mark_delivered, delivered, self.clock())

    async def deliver_digest(self, record: DigestRecord) -> Outcome:
        made = await asyncio.to_thread(
            self.desk.digest, record.staff_id, record.period_start, self.clock()
        )
        if made is None:
            return Outcome.SETTLED
        try:
            for part in to_telegram(made.document):
                await send_message(self.bot, made.telegram_id, part, None, html=True)
        except Forbidden:
            return Outcome.BLOCKED
        except NetworkError as error:
            log.warning("digest %s not sent: %s", record.id, type(error).__name__)
            return Outcome.FAILED
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
        turn = await asyncio.to_thread(self.conversations.handle, identity, event, self.clock())
        self.follow(turn)
        if not turn.reminder_shown:
            return Outcome.SETTLED
        chat_id = int(identity.external_id)
        try:
            self.sent.add(
                chat_id, reminder.client_id, await self.perform(turn, self.bot, chat_id, None)
            )
        except Forbidden:
            return Outcome.BLOCKED
        except NetworkError as error:
            log.warning("reminder %s not sent: %s", reminder.id, type(error).__name__)
            return Outcome.FAILED
        return Outcome.SENT

    async def perform(
        self, turn: Turn, bot: Bot, chat_id: int, query: CallbackQuery | None
    ) -> list[int]:
        """Send what the engine asked for; the ids of the messages sent. Everything was
        committed before this runs."""
        if query is not None:
            notices = [o.text for o in turn.outputs if isinstance(o, Notice)]
            await acknowledge(query, notices[-1] if notices else None, chat_id)
        if turn.hide:
            await self.hide(bot, chat_id, turn)
        sent: list[int] = []
        for output in turn.outputs:
            if isinstance(output, Say):
                sent += await send(bot, chat_id, output.text, output.buttons)
            elif isinstance(output, Replace):
                sent += await replace(bot, chat_id, output, query)
            elif isinstance(output, ShowNetworkMap):
                sent.append(await send_network_map(bot, chat_id, output))
        if turn.my_data is not None:
            sent += await self.send_my_data(bot, chat_id, turn.language, turn.my_data)
        return sent

    async def send_my_data(
        self, bot: Bot, chat_id: int, language: str, data: dict[str, Any]
    ) -> list[int]:
        document = data_document(self.content, language, data)
        pdf = await asyncio.to_thread(to_pdf, document)
        exported = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode()
        name = self.content.ui(language).my_data_file
        return [
            await send_document(bot, chat_id, f"{name}.json", exported, None),
            await send_document(bot, chat_id, f"{name}.pdf", pdf, None),
        ]

    async def hide(self, bot: Bot, chat_id: int, turn: Turn) -> None:
        """Delete the chat's recent messages (Telegram allows 48 hours, 100 per call)."""
        for start in range(0, len(turn.hide), 100):
            batch = turn.hide[start : start + 100]
            try:
                await retrying(
                    "deleteMessages",
                    chat_id,
                    functools.partial(bot.delete_messages, chat_id, batch),
                )
            except BadRequest as error:  # some were gone already: the others are deleted
                log.info("deleting messages in chat %s: %s", chat_id, error.message)
        if turn.client_id is not None:
            await asyncio.to_thread(self.conversations.forget_messages, turn.client_id, turn.hide)


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
        await asyncio.to_thread(channel.reminders.start)
        await asyncio.to_thread(channel.digests.start)
        await asyncio.to_thread(meetings.rearm)

    async def post_stop(application: App) -> None:
        await sent.flush()

    application = (
        ApplicationBuilder()
        .token(token.get_secret_value())
        .request(TelegramRequest(connection_pool_size=256))  # PTB's defaults otherwise
        .get_updates_request(TelegramRequest(connection_pool_size=1))
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
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
    sent = SentMessages(conversations, clock, wake_clock)
    meetings = TeamMeetings(
        content,
        conversations.sessions,
        clock,
        wake_clock,
        conversations.language_for,
        sent,
        application.bot,
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
        bot=application.bot,
        wake_clock=wake_clock,
        sent=sent,
        meetings=meetings,
    )
    channel.install(application)
    return application
