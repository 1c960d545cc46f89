"""Team strength meetings in Telegram groups: reading group updates into meeting events, the
sending, and the timers on the clock. Each update or tick is one unit of work
(`turns.meetings`), committed before anything is sent; at start-up every running meeting's
timer is put back on the clock from its row.

Privacy mode: a bot in a group sees commands and replies to its own messages; plain messages
only when privacy mode is off (BotFather /setprivacy) or it is an administrator. Ideas work
either way: a plain message, a reply to the step's message, or /idee <idea>.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker
from telegram import CallbackQuery, Update

from bot.commands import command_aliases, read_command, split_command
from bot.outbox import Postman
from bot.senders import pressed
from dialogs import Command, Content
from dialogs.meeting.state import (
    GroupCommand,
    GroupEdited,
    GroupPress,
    GroupText,
    MeetingCommand,
    MeetingEvent,
    Tick,
    Wake,
)
from reminders import Now, WakeClock
from turns.failures import Gate, log_failure
from turns.meetings import MeetingWork

log = logging.getLogger(__name__)


def job_name(key: int) -> str:
    return f"meeting-{key}"


class TeamMeetings:
    """The meetings of every group the bot is in, each with its own timer."""

    def __init__(
        self,
        content: Content,
        sessions: sessionmaker[Session],
        now: Now,
        wakeups: WakeClock,
        language_for: Callable[[str | None], str],
        postman: Postman,
        units: Gate,
    ) -> None:
        self.content = content
        self.work = MeetingWork(content, sessions)
        self.postman = postman  # what a meeting sends a client goes through the outbox
        self.units = units  # a meeting's unit of work takes turns with the others on SQLite
        self.now = now
        self.wakeups = wakeups
        self.language_for = language_for
        self.commands = {
            getattr(meeting.commands, command.value): command
            for meeting in content.meeting.values()
            for command in MeetingCommand
        }
        self.client_aliases = command_aliases(content)

    # --- start-up --------------------------------------------------------------------------

    def rearm(self) -> int:
        """Put every running meeting's next tick back on the clock; how many."""
        waking = self.work.waking()
        for key, at in waking:
            self.wake(key, at)
        return len(waking)

    def wake(self, key: int, at: datetime | None) -> None:
        if at is None:
            self.wakeups.cancel(job_name(key))
            return

        async def tick() -> None:
            await self.tick(key)

        self.wakeups.wake_at(max(at, self.wakeups.now()), job_name(key), tick)

    # --- updates ---------------------------------------------------------------------------

    async def on_update(self, update: Update) -> None:
        """A message, command or button in a group (or a meeting's button anywhere)."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or user.is_bot:
            return
        language = self.language_for(user.language_code)
        query = update.callback_query
        if query is not None:
            where = query.message.chat.id if query.message is not None else chat.id
            press = GroupPress(user.id, user.first_name, where, query.data or "", language)
            await self.run(where, press, update.update_id, query)
            return
        message = update.effective_message
        if message is None or message.text is None:
            return  # stickers, photos, members joining: nothing for the meeting
        if update.edited_message is not None:
            await self.run(chat.id, GroupEdited(user.id, user.first_name), update.update_id, None)
            return
        split = split_command(message.text)
        event: MeetingEvent
        if split is None:
            event = GroupText(user.id, user.first_name, message.text)
        elif (command := self.commands.get(split[0])) is not None:
            event = GroupCommand(user.id, user.first_name, command, split[1], language)
        elif isinstance(read_command(message.text, self.client_aliases), Command):
            # A client's command in the group: their conversation is private.
            await message.reply_text(self.content.ui(language).private_only)
            return
        else:
            return  # another bot's command: neither an idea nor ours to answer
        await self.run(chat.id, event, update.update_id, None)

    async def tick(self, key: int) -> None:
        """The timer of meeting `key` woke up."""
        try:
            await self.run(None, Tick(), None, None, key=key)
        except Exception as error:  # logged (never what was typed); the next event carries on
            log_failure(f"timer of meeting {key}", error)

    async def run(
        self,
        chat_id: int | None,
        event: MeetingEvent,
        update_id: int | None,
        query: CallbackQuery | None,
        *,
        key: int | None = None,
    ) -> None:
        press = pressed(query)
        turn = await self.units.run(
            self.work.handle, chat_id, event, update_id, self.now(), key, press
        )
        for output in turn.outputs:
            if isinstance(output, Wake) and turn.meeting is not None:
                self.wake(turn.meeting.key, output.at)
        # Committed with the turn: the group's messages, the timer, private messages and
        # proposals to clients go out from the outbox, in order.
        self.postman.post(turn.letters)
