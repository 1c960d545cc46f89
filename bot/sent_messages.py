"""The ids of the bot's own messages in clients' chats, kept for /wissen without a transaction
of their own per reply.

An id is only known once Telegram accepted the message, after the update's unit of work has
committed. Writing it right then cost a second transaction (a second commit) for every update.
Instead the ids wait here and are written in the same chat's next unit of work, or by a flush
a few seconds later for everyone at once, and when the bot stops. A process killed with
kill -9 forgets at most the last FLUSH_AFTER of ids: /wissen then leaves those messages in the
chat, and nothing else is lost (the ids are the bot's messages, never what a client wrote).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from reminders import Now, WakeClock
from turns.conversation import Conversations

log = logging.getLogger(__name__)
FLUSH_AFTER = timedelta(seconds=2)
FLUSH_JOB = "keep-sent-messages"  # the wake-up that writes the ids nobody's update took


class SentMessages:
    def __init__(self, conversations: Conversations, clock: Now, wakes: WakeClock) -> None:
        self.conversations = conversations
        self.clock = clock
        self.wakes = wakes
        # chat id -> (client id, message ids, when the first of them was sent)
        self.waiting: dict[int, tuple[int, list[int], datetime]] = {}
        self.armed = False  # a flush is on the clock

    def add(self, chat_id: int, client_id: int, message_ids: list[int]) -> None:
        if not message_ids:
            return
        now = self.clock()
        _, ids, since = self.waiting.get(chat_id, (client_id, [], now))
        self.waiting[chat_id] = (client_id, ids + message_ids, since)
        if not self.armed:
            self.armed = True
            self.wakes.wake_at(now + FLUSH_AFTER, FLUSH_JOB, self.flush)

    def take(self, chat_id: int) -> tuple[list[int], int | None]:
        """The chat's waiting ids and their client, for the chat's unit of work to write;
        `put_back` if that fails."""
        waiting = self.waiting.pop(chat_id, None)
        return ([], None) if waiting is None else (waiting[1], waiting[0])

    def put_back(self, chat_id: int, client_id: int | None, message_ids: list[int]) -> None:
        if client_id is not None:
            self.add(chat_id, client_id, message_ids)

    async def flush(self) -> None:
        waiting, self.waiting, self.armed = self.waiting, {}, False
        if not waiting:
            return
        by_client = {client: (ids, since) for client, ids, since in waiting.values()}
        try:
            await asyncio.to_thread(self.conversations.remember_messages, by_client)
        except SQLAlchemyError as error:
            # Only /wissen misses these ids; every conversation itself is committed.
            log.warning(
                "ids of %d sent messages not kept: %s", len(by_client), type(error).__name__
            )
