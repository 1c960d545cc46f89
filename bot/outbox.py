"""Sending the outbox to Telegram: each chat's rows strictly in order, chats side by side, so a
chat that Telegram holds back (a 429) or a slow picture never delays another chat's answer.

A turn hands its rows over right after its commit (`post`); a sweep finds the rest: at start-up
every row a crash left unsent, later those whose retry time has come. What came of each send is
written by `turns.deliveries` in one transaction for whatever finished meanwhile.

Telegram has no idempotency key. A call that timed out may have arrived: it is tried again (the
client may see it twice) and counted in the row's `uncertain`. A process killed between a
send and the write of its result sends that row again after the restart; killed between the
commit and the send, it sends it once, then.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections import deque
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.pdf import to_pdf
from bot.senders import (
    TIMEOUTS,
    edit,
    retrying,
    send,
    send_document,
    send_message,
    send_network_map,
)
from bot.telegram_html import to_telegram
from dialogs import Content
from dialogs.engine.document import to_markdown
from dialogs.engine.outputs import ShowNetworkMap
from dialogs.rights.mydata import data_document
from reminders import Now, WakeClock, job_name
from turns.deliveries import Deliveries, Failed, Outcome, Sent
from turns.failures import Gate, log_failure
from turns.outbox import (
    Acknowledge,
    Alert,
    Deletion,
    Edit,
    Export,
    Letter,
    Message,
    MyData,
    Private,
    Summary,
    Timer,
)

log = logging.getLogger(__name__)
CHANNEL = "telegram"
SWEEP_EVERY = timedelta(seconds=30)
SWEEP_JOB = "outbox-sweep"
PRUNE_EVERY = 120  # sweeps: about once an hour
DELETE_BATCH = 100  # deleteMessages takes at most this many ids
# At stop, a chat's row in the middle of being sent is given this long; one held back by
# Telegram for longer stays in the outbox for the next start.
STOP_GRACE = 5.0  # seconds
RECORD_BACKOFF = 1.0  # seconds before writing results again after a database error, doubled
RECORD_BACKOFF_MAX = 30.0


class Postman:
    def __init__(
        self,
        bot: Bot,
        deliveries: Deliveries,
        content: Content,
        clock: Now,
        wakes: WakeClock,
        units: Gate,
    ) -> None:
        self.bot = bot
        self.deliveries = deliveries
        self.content = content
        self.clock = clock
        self.wakes = wakes
        self.units = units  # its transactions take turns with the others on SQLite
        self.queues: dict[str, deque[Letter]] = {}
        self.lanes: dict[str, asyncio.Task[None]] = {}
        self.in_hand: set[int] = set()
        # Chats whose row waits to be tried again: their later rows wait in the outbox too,
        # so a chat's messages never overtake each other (the sweep hands them over).
        self.waiting: set[str] = set()
        self.outcomes: list[Outcome] = []
        self.recorder: asyncio.Task[None] | None = None
        self.sweeps = 0
        self.stopping = False

    # --- handing rows over -----------------------------------------------------------------

    def post(self, letters: list[Letter]) -> int:
        """Send these rows (committed) after whatever their chat has waiting; how many were
        taken (one already in hand, or of a chat waiting to try again, is not)."""
        taken = 0
        for letter in letters:
            if (
                letter.channel != CHANNEL
                or letter.id in self.in_hand
                or letter.chat in self.waiting
            ):
                continue
            taken += 1
            self.in_hand.add(letter.id)
            self.queues.setdefault(letter.chat, deque()).append(letter)
            if letter.chat not in self.lanes and not self.stopping:
                self.lanes[letter.chat] = asyncio.create_task(self._lane(letter.chat))
        return taken

    async def start(self) -> None:
        """Send what a crash left unsent, and keep sweeping for retries."""
        await self.sweep()

    async def sweep(self) -> None:
        """Hand over every row whose time has come and is not in hand yet."""
        now = self.clock()
        self.sweeps += 1
        try:
            due = await self.units.run(self.deliveries.due, CHANNEL, now, list(self.in_hand))
            if self.sweeps % PRUNE_EVERY == 1:
                await self.units.run(self.deliveries.prune, now)
        except Exception as error:  # the database is away: the next sweep tries again
            log.warning("outbox sweep failed: %s", type(error).__name__)
            due = []
        self.waiting -= {letter.chat for letter in due}
        # Rows committed since the query began may be in hand already: only the others count.
        if taken := self.post(due):
            log.info("outbox: %d waiting rows handed over", taken)
        if not self.stopping:
            self.wakes.wake_at(now + SWEEP_EVERY, SWEEP_JOB, self.sweep)

    async def idle(self) -> None:
        """Wait until every row in hand was tried and what came of it is written."""
        while self.lanes or self.recorder is not None:
            await asyncio.gather(*self.lanes.values(), *filter(None, [self.recorder]))

    async def stop(self) -> None:
        """Finish what is in hand (within STOP_GRACE: a chat held back by Telegram stays for
        the next start), and write what came of it."""
        self.stopping = True  # the sweep is not armed again (the clock stops before this)
        lanes = list(self.lanes.values())
        if lanes:
            _, late = await asyncio.wait(lanes, timeout=STOP_GRACE)
            for lane in late:
                lane.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self.recorder is not None:
            await self.recorder

    # --- a chat's lane ---------------------------------------------------------------------

    async def _lane(self, chat: str) -> None:
        queue = self.queues[chat]
        try:
            while queue:
                letter = queue[0]
                outcome = await self._try(letter)
                queue.popleft()
                self._record(outcome)
                if isinstance(outcome, Failed) and not (outcome.blocked or outcome.lasting):
                    # Tried again later, and the chat's later rows after it, in order.
                    self.waiting.add(chat)
                    self.cancel_queue(chat)
        finally:
            del self.lanes[chat]
            # Cancelled at stop, or after a failure: the rest stays in the outbox for a sweep.
            self.cancel_queue(chat)
            del self.queues[chat]

    def cancel_queue(self, chat: str) -> None:
        queue = self.queues.get(chat, deque())
        while queue:
            self.in_hand.discard(queue.popleft().id)

    async def _try(self, letter: Letter) -> Outcome:
        timeouts: list[str] = []
        TIMEOUTS.set(timeouts)
        try:
            ids = await self._send(letter)
        except Forbidden as error:
            return Failed(letter, _reason(error), blocked=True, uncertain=len(timeouts))
        except RetryAfter as error:  # held back longer than the limiter would wait
            return Failed(letter, _reason(error), uncertain=len(timeouts))
        except BadRequest as error:
            return Failed(letter, _reason(error), lasting=True, uncertain=len(timeouts))
        except (NetworkError, TelegramError) as error:
            return Failed(letter, _reason(error), uncertain=len(timeouts))
        except Exception as error:  # a bug (drawing a picture, say): logged, the row stays
            log_failure(f"outbox row {letter.id} to chat {letter.chat}", error)
            return Failed(letter, type(error).__name__, uncertain=len(timeouts))
        return Sent(letter, tuple(ids), len(timeouts))

    async def _send(self, letter: Letter) -> list[int]:
        """One row's Bot API calls; the ids of the messages it became."""
        chat, bot = int(letter.chat), self.bot
        match letter.payload:
            case Message(text=text, buttons=buttons) | Alert(text=text, buttons=buttons):
                return await send(bot, chat, text, buttons)
            case Summary(document=document):
                return [
                    await send_message(bot, chat, part, None, html=True)
                    for part in to_telegram(document)
                ]
            case Export(document=document, name=name, caption=caption):
                pdf = await asyncio.to_thread(to_pdf, document)  # a few tenths of a second
                markdown = to_markdown(document).encode()
                return [
                    await send_document(bot, chat, f"{name}.md", markdown, caption),
                    await send_document(bot, chat, f"{name}.pdf", pdf, None),
                ]
            case Edit(message_id=message_id, text=text, buttons=buttons):
                return await edit(bot, chat, message_id, text, buttons)
            case Timer(text=text, buttons=buttons, message_id=message_id):
                ids = await edit(bot, chat, message_id, text, buttons)
                # Edited in place, it stays the timer's message; sent anew, the new one is.
                return ids if ids or message_id is None else [message_id]
            case Private(text=text):
                return await send(bot, chat, text, ())
            case Acknowledge(press_id=press_id, text=text):
                if press_id is not None:
                    await self._acknowledge(chat, press_id, text)
                return []
            case ShowNetworkMap():
                return [await send_network_map(bot, chat, letter.payload)]
            case MyData(data=data, language=language):
                return await self._send_my_data(chat, data, language)
            case Deletion():
                await self._delete(letter, letter.payload)
                return []

    async def _acknowledge(self, chat: int, press_id: str, text: str | None) -> None:
        try:
            await retrying(
                "answerCallbackQuery", chat, lambda: self.bot.answer_callback_query(press_id, text)
            )
        except BadRequest as error:
            # A press answered too late (the bot was down) can no longer be acknowledged.
            log.info("callback in chat %s not acknowledged: %s", chat, error.message)

    async def _send_my_data(self, chat: int, data: dict[str, object], language: str) -> list[int]:
        document = data_document(self.content, language, dict(data))
        pdf = await asyncio.to_thread(to_pdf, document)  # a few tenths of a second
        exported = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode()
        name = self.content.ui(language).my_data_file
        return [
            await send_document(self.bot, chat, f"{name}.json", exported, None),
            await send_document(self.bot, chat, f"{name}.pdf", pdf, None),
        ]

    async def _delete(self, letter: Letter, deletion: Deletion) -> None:
        """Delete the chat's recent messages (Telegram allows 48 hours, 100 per call)."""
        chat = int(letter.chat)
        ids = await self.units.run(self.deliveries.deletable, letter, deletion)
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start : start + DELETE_BATCH]
            try:
                await retrying(
                    "deleteMessages", chat, functools.partial(self.bot.delete_messages, chat, batch)
                )
            except BadRequest as error:  # some were gone already: the others are deleted
                log.info("deleting messages in chat %s: %s", chat, error.message)

    # --- what came of it -------------------------------------------------------------------

    def _record(self, outcome: Outcome) -> None:
        if isinstance(outcome, Failed):
            log.warning(
                "outbox row %s to chat %s not sent (try %d): %s",
                outcome.letter.id,
                outcome.letter.chat,
                outcome.letter.attempts + 1,
                outcome.reason,
            )
        self.outcomes.append(outcome)
        if self.recorder is None:
            self.recorder = asyncio.create_task(self._write_outcomes())

    async def _write_outcomes(self) -> None:
        """Write what finished, in one transaction for all of it; whatever finishes meanwhile
        goes in the next one. A database that is away is waited for: until the results are
        written the rows stay in hand, so no sweep sends them twice."""
        backoff = RECORD_BACKOFF
        try:
            while self.outcomes:
                batch, self.outcomes = self.outcomes, []
                try:
                    recorded = await self.units.run(self.deliveries.record, batch, self.clock())
                except Exception as error:
                    if self.stopping:
                        # Left pending: the next start sends these rows again.
                        log.error("outbox results not written: %s", type(error).__name__)
                        return
                    log.warning(
                        "outbox results not written yet (%s), retrying in %.0f s",
                        type(error).__name__,
                        backoff,
                    )
                    self.outcomes = batch + self.outcomes
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, RECORD_BACKOFF_MAX)
                    continue
                backoff = RECORD_BACKOFF
                for outcome in batch:
                    self.in_hand.discard(outcome.letter.id)
                sent = sum(isinstance(outcome, Sent) for outcome in batch)
                log.info("outbox: %d sent, %d not (written)", sent, len(batch) - sent)
                for reminder_id in recorded.paused:  # a client blocked the bot
                    self.wakes.cancel(job_name(reminder_id))
                self.post(recorded.letters)
        finally:
            self.recorder = None


def _reason(error: TelegramError) -> str:
    """Why a call failed, for the row and the log: Telegram's description never quotes what
    was sent."""
    return f"{type(error).__name__}: {error.message}"[:200]
