"""The Bot API calls the bot makes: messages (split to Telegram's limit), edits, photos,
documents and callback answers, each tried again after a network failure."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.network_map import render as render_network_map
from bot.render import split_text
from dialogs.engine.outputs import Keyboard, ShowNetworkMap
from turns.outbox import Pressed

log = logging.getLogger(__name__)
T = TypeVar("T")
# Network failures (not Telegram's refusals) are retried this often, waiting longer each time;
# 429 answers are retried by PTB's AIORateLimiter with the delay Telegram asks for.
NETWORK_RETRIES = 3
NETWORK_BACKOFF = 0.5  # seconds, doubled after each failure
# sendPhoto refuses a photo whose width and height add up to more, or that is more elongated.
PHOTO_MAX_SIDES = 10_000
PHOTO_MAX_RATIO = 20
# The calls that timed out in this task, where someone counts them (the outbox, per row): a
# timed-out call may have reached Telegram, and trying again may deliver it twice.
TIMEOUTS: ContextVar[list[str] | None] = ContextVar("timeouts", default=None)


def keyboard_markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons]
    )


async def send(bot: Bot, chat_id: int, text: str, buttons: Keyboard) -> list[int]:
    """Send a text, split to Telegram's limit; the buttons go under the last part."""
    chunks = split_text(text)
    sent = []
    for index, chunk in enumerate(chunks):
        markup = keyboard_markup(buttons) if index == len(chunks) - 1 else None
        sent.append(await send_message(bot, chat_id, chunk, markup))
    return sent


async def send_message(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, *, html: bool = False
) -> int:
    """One sendMessage (HTML for summaries, whose text is escaped); the new message's id."""
    message = await retrying(
        "sendMessage",
        chat_id,
        lambda: bot.send_message(
            chat_id, text, reply_markup=markup, parse_mode=ParseMode.HTML if html else None
        ),
    )
    return message.message_id


async def send_network_map(bot: Bot, chat_id: int, output: ShowNetworkMap) -> int:
    """Draw the map in a worker thread (a few tenths of a second), then send it as a photo; a
    map too tall for a photo (hundreds of names) goes as a file, so no name is lost."""
    png = await asyncio.to_thread(render_network_map, output.map)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    name = f"{output.file_name}.png"
    if width + height > PHOTO_MAX_SIDES or height > PHOTO_MAX_RATIO * width:
        return await send_document(bot, chat_id, name, png, output.caption)
    message = await retrying(
        "sendPhoto",
        chat_id,
        lambda: bot.send_photo(chat_id, InputFile(png, filename=name), caption=output.caption),
    )
    return message.message_id


async def send_document(bot: Bot, chat_id: int, name: str, data: bytes, caption: str | None) -> int:
    message = await retrying(
        "sendDocument",
        chat_id,
        lambda: bot.send_document(chat_id, InputFile(data, filename=name), caption=caption),
    )
    return message.message_id


async def retrying(method: str, chat_id: int, call: Callable[[], Awaitable[T]]) -> T:
    """A Bot API call, tried again after a network failure, a timeout or a 5xx, waiting longer
    each time (a 429 is waited out by PTB's rate limiter). Telegram's refusals (400, 403) are
    not retried: trying again cannot help."""
    for attempt in range(NETWORK_RETRIES + 1):
        try:
            return await call()
        except BadRequest:
            raise
        except NetworkError as error:
            if isinstance(error, TimedOut) and (counted := TIMEOUTS.get()) is not None:
                counted.append(method)  # it may have arrived all the same
            if attempt == NETWORK_RETRIES:
                raise
            log.info("%s to chat %s failed (%s), retrying", method, chat_id, type(error).__name__)
            await asyncio.sleep(NETWORK_BACKOFF * 2**attempt)
    raise AssertionError("unreachable")


def pressed(query: CallbackQuery | None) -> Pressed | None:
    """The button press an update answers, if it is one: its id, and the message it is under."""
    return None if query is None else Pressed(query.id, pressed_message(query))


def pressed_message(query: CallbackQuery | None) -> int | None:
    """The id of the message whose button was pressed, if Telegram still lets us edit it."""
    message = query.message if query else None
    return message.message_id if isinstance(message, Message) else None


async def edit(
    bot: Bot, chat_id: int, message_id: int | None, text: str, buttons: Keyboard
) -> list[int]:
    """Rewrite the message whose button was pressed; the ids of messages sent instead."""
    if message_id is None or len(split_text(text)) > 1:
        # Too old for Telegram to edit, or no longer fitting one message: send it anew.
        return await send(bot, chat_id, text, buttons)
    markup = keyboard_markup(buttons)
    try:
        await retrying(
            "editMessageText",
            chat_id,
            lambda: bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            ),
        )
    except BadRequest as error:
        reason = error.message.lower()
        if "not modified" in reason:
            return []  # a double tap asked for the same content twice: it is there
        if "not found" in reason or "can't be edited" in reason:
            # Deleted (by /wissen, or by the client) or too old: send it anew.
            return await send(bot, chat_id, text, buttons)
        raise
    return []
