"""A fake Telegram Bot API server for end-to-end tests.

`FakeBotAPI` listens on 127.0.0.1 and answers ``/bot<token>/<method>`` like the real Bot API:
every call is decoded and validated against the machine-readable spec
(``tests/e2e/telegram-bot-api/api.min.json``), mistakes are answered with the error Telegram
would give, and the handful of methods a bot needs for a conversation (getUpdates, sendMessage,
edits, callback answers, files, commands) keep just enough state to behave realistically.

Typical use::

    async with FakeBotAPI() as api:
        bot = telegram.Bot(api.token, base_url=f"{api.base_url}/bot")
        api.push_update(api.message_update(user_id=42, text="/start"))
        ...
        assert api.sent_messages(42)[-1]["text"] == "Welkom!"

To stop the bot at a precise moment, hold a call: it waits inside the fake, without effect,
until released (or until the bot dies, and then it never takes effect)::

    hold = api.hold("sendMessage")
    api.push_update(api.message_update(user_id=42, text="Mijn antwoord"))
    await hold.arrived()  # the bot is in the middle of sendMessage
    ...  # kill the bot here, or:
    hold.release()

A user in ``not_started`` never started the bot: a message to them is refused (403), as
Telegram refuses a bot's first word in a private chat.

To hold the bot to Telegram's flood limits (about 30 messages a second, one a second per chat),
pass ``flood_limits=FloodLimits()``: a message over a limit is answered 429 with
``retry_after``, like Telegram does, and counted in ``throttled``. Off by default.

The modules, from the wire in: ``server`` (HTTP, dispatch, the record of calls) and ``fake``
(what a test does with it); ``params`` and ``schema`` (reading and checking parameters against
the spec), ``formatting`` (message text and HTML entities), ``limits`` (flood limits);
``methods`` (what each method does) on ``state`` (chats, users, messages), ``files`` and
``updates`` (the getUpdates queue); ``calls`` and ``errors`` (the values they pass around).
"""

from tests.e2e.fake_bot_api.calls import ApiCall, Hold, HoldOutcome, UploadedFile
from tests.e2e.fake_bot_api.fake import FakeBotAPI
from tests.e2e.fake_bot_api.limits import FloodLimits
from tests.e2e.fake_bot_api.schema import default_spec_path

__all__ = [
    "ApiCall",
    "FakeBotAPI",
    "FloodLimits",
    "Hold",
    "HoldOutcome",
    "UploadedFile",
    "default_spec_path",
]
