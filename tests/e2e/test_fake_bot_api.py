"""The fake Bot API must answer like Telegram, or the end-to-end tests prove nothing.

Two angles: raw HTTP calls check the wire format and Telegram's error answers; a real
python-telegram-bot ``Bot`` checks that the library accepts every answer the fake gives.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import telegram
from telegram.error import BadRequest, RetryAfter

from tests.e2e.fake_bot_api import (
    ApiCall,
    FakeBotAPI,
    HoldOutcome,
    UploadedFile,
    default_spec_path,
)

CHAT_ID = 4242
BUTTON = {"text": "Ja", "callback_data": "yes"}


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest_asyncio.fixture
async def client(fake: FakeBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{fake.base_url}/bot{fake.token}/", timeout=10) as c:
        yield c


@pytest_asyncio.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[telegram.Bot]:
    tg_bot = telegram.Bot(
        fake.token,
        base_url=f"{fake.base_url}/bot",
        base_file_url=f"{fake.base_url}/file/bot",
    )
    await tg_bot.initialize()
    yield tg_bot
    await tg_bot.shutdown()


async def call(client: httpx.AsyncClient, method: str, **params: Any) -> httpx.Response:
    """POST like python-telegram-bot does: form-encoded, non-strings JSON-encoded."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return await client.post(method, data=form)


def error_of(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False
    assert body["error_code"] == response.status_code
    return response.status_code, str(body["description"])


async def send_text(client: httpx.AsyncClient, text: str, **params: Any) -> httpx.Response:
    return await call(client, "sendMessage", chat_id=CHAT_ID, text=text, **params)


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


# ------------------------------------------------------------------ raw HTTP


async def test_unknown_method_is_404(fake: FakeBotAPI, client: httpx.AsyncClient) -> None:
    response = await call(client, "sendTelepathy", chat_id=1)

    assert error_of(response) == (404, "Not Found")
    assert fake.rejected == [("sendTelepathy", {"chat_id": "1"}, "Not Found")]
    assert fake.calls == []


async def test_wrong_token_is_401(fake: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as raw:
        response = await raw.post(f"{fake.base_url}/bot999:WRONG/getMe")

    assert error_of(response) == (401, "Unauthorized")


async def test_unknown_path_is_404_json(fake: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as raw:
        response = await raw.get(f"{fake.base_url}/favicon.ico")

    assert error_of(response) == (404, "Not Found")


async def test_method_names_are_case_insensitive(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    response = await call(client, "SENDMESSAGE", chat_id=CHAT_ID, text="hoi")

    assert response.json()["ok"] is True
    assert fake.calls[-1].method == "sendMessage"


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"text": "hoi"}, "Bad Request: chat_id is required"),
        ({"chat_id": CHAT_ID}, "Bad Request: text is required"),
        ({"chat_id": "not a number", "text": "hoi"}, "Bad Request: chat not found"),
        ({"chat_id": "12.5", "text": "hoi"}, "Bad Request: chat not found"),
        ({"chat_id": CHAT_ID, "text": "   \n"}, "Bad Request: message text is empty"),
        (
            {"chat_id": CHAT_ID, "text": "hoi", "disable_notification": "maybe"},
            "Bad Request: invalid disable_notification",
        ),
        (
            {"chat_id": CHAT_ID, "text": "hoi", "reply_markup": "{not json"},
            "Bad Request: can't parse reply_markup JSON object",
        ),
        (
            {"chat_id": CHAT_ID, "text": "hoi", "parse_mode": "BBCode"},
            "Bad Request: unsupported parse_mode",
        ),
    ],
)
async def test_send_message_rejects_bad_parameters(
    fake: FakeBotAPI, client: httpx.AsyncClient, params: dict[str, Any], description: str
) -> None:
    response = await client.post("sendMessage", data=params)

    assert error_of(response) == (400, description)
    assert fake.rejected[-1][0] == "sendMessage"
    assert fake.rejected[-1][2] == description
    assert fake.calls == []


async def test_text_limit_is_4096(fake: FakeBotAPI, client: httpx.AsyncClient) -> None:
    assert (await send_text(client, "x" * 4096)).json()["ok"] is True

    response = await send_text(client, "x" * 4097)

    assert error_of(response) == (400, "Bad Request: message is too long")
    assert len(fake.sent_messages(CHAT_ID)) == 1


async def test_text_length_counts_utf16_code_units(client: httpx.AsyncClient) -> None:
    # An emoji outside the BMP is two UTF-16 code units: 2048 of them fill the limit.
    assert (await send_text(client, "\U0001f4aa" * 2048)).json()["ok"] is True

    response = await send_text(client, "\U0001f4aa" * 2048 + "!")  # only 2049 code points

    assert error_of(response) == (400, "Bad Request: message is too long")


async def test_text_length_is_measured_after_html_parsing(client: httpx.AsyncClient) -> None:
    response = await send_text(client, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")

    assert response.json()["ok"] is True


@pytest.mark.parametrize(
    ("data", "accepted"),
    [
        ("d" * 64, True),
        ("d" * 65, False),
        ("é" * 32, True),  # 64 bytes in UTF-8
        ("é" * 33, False),  # 33 characters, but 66 bytes
        ("", False),
    ],
)
async def test_callback_data_is_limited_to_64_bytes(
    client: httpx.AsyncClient, data: str, accepted: bool
) -> None:
    markup = keyboard({"text": "Kies", "callback_data": data})

    response = await send_text(client, "Kies maar", reply_markup=markup)

    if accepted:
        assert response.json()["result"]["reply_markup"] == markup
    else:
        assert error_of(response) == (400, "Bad Request: BUTTON_DATA_INVALID")


@pytest.mark.parametrize(
    ("button", "detail"),
    [
        ({"text": "Niets"}, "Text buttons are unallowed in the inline keyboard"),
        ({"callback_data": "x"}, 'Field "text" must be of type String'),
        ({"text": "Twee", "callback_data": "x", "url": "https://example.org"}, "exactly one"),
    ],
)
async def test_inline_buttons_need_text_and_one_action(
    client: httpx.AsyncClient, button: dict[str, Any], detail: str
) -> None:
    response = await send_text(client, "Kies", reply_markup=keyboard(button))

    status, description = error_of(response)
    assert status == 400
    assert description.startswith("Bad Request: can't parse inline keyboard button: ")
    assert detail in description


async def test_nested_objects_are_checked_against_the_spec(client: httpx.AsyncClient) -> None:
    response = await send_text(client, "hoi", reply_parameters={"chat_id": CHAT_ID})

    assert error_of(response) == (
        400,
        "Bad Request: invalid reply_parameters: "
        "reply_parameters.message_id is required in ReplyParameters",
    )


@pytest.mark.parametrize(
    "html",
    [
        "<b>vet",  # unclosed
        "<b>vet</i>",  # mismatched
        "regel<br>regel",  # not in Telegram's tag set
        "3 < 4",  # stray '<'
        '<span class="rood">x</span>',  # span is only for spoilers
        "</b>",
    ],
)
async def test_malformed_html_is_rejected(client: httpx.AsyncClient, html: str) -> None:
    response = await send_text(client, html, parse_mode="HTML")

    status, description = error_of(response)
    assert status == 400
    assert description.startswith("Bad Request: can't parse entities: ")


async def test_html_becomes_text_and_entities(client: httpx.AsyncClient) -> None:
    html = (
        '\U0001f4aa <b>Sterk</b> &amp; <i>moedig</i> &lt;3 > <a href="https://k.nl/?a=1&amp;b=2">'
        'link</a>\n<pre><code class="language-python">x = 1</code></pre>'
    )

    response = await send_text(client, html, parse_mode="HTML")

    message = response.json()["result"]
    assert message["text"] == "\U0001f4aa Sterk & moedig <3 > link\nx = 1"
    assert message["entities"] == [
        {"type": "bold", "offset": 3, "length": 5},
        {"type": "italic", "offset": 11, "length": 6},
        {"type": "text_link", "offset": 23, "length": 4, "url": "https://k.nl/?a=1&b=2"},
        {"type": "pre", "offset": 28, "length": 5, "language": "python"},
    ]


async def test_set_my_commands_validates_names(fake: FakeBotAPI, client: httpx.AsyncClient) -> None:
    bad = [{"command": "Bad-Name", "description": "Nope"}]
    good = [
        {"command": "start", "description": "Begin"},
        {"command": "help_me", "description": "?"},
    ]

    assert error_of(await call(client, "setMyCommands", commands=bad)) == (
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
    assert (await call(client, "setMyCommands", commands=good)).json()["result"] is True
    assert (await call(client, "getMyCommands")).json()["result"] == good
    assert fake.calls[0].params == {"commands": good}


async def test_edit_message_text_not_modified_and_not_found(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    sent = (await send_text(client, "Vraag 1", reply_markup=keyboard(BUTTON))).json()["result"]
    message_id = sent["message_id"]

    same = await call(
        client,
        "editMessageText",
        chat_id=CHAT_ID,
        message_id=message_id,
        text="Vraag 1",
        reply_markup=keyboard(BUTTON),
    )
    missing = await call(
        client, "editMessageText", chat_id=CHAT_ID, message_id=message_id + 100, text="x"
    )
    changed = await call(
        client, "editMessageText", chat_id=CHAT_ID, message_id=message_id, text="Vraag 2"
    )

    status, description = error_of(same)
    assert status == 400
    assert description.startswith("Bad Request: message is not modified")
    assert error_of(missing) == (400, "Bad Request: message to edit not found")
    edited = changed.json()["result"]
    assert edited["text"] == "Vraag 2"
    assert "reply_markup" not in edited  # an edit without reply_markup drops the keyboard
    assert "edit_date" in edited
    assert fake.sent_messages(CHAT_ID) == [edited]


async def test_reply_markup_edit_and_delete_are_reflected(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    first = (await send_text(client, "Een", reply_markup=keyboard(BUTTON))).json()["result"]
    second = (await send_text(client, "Twee")).json()["result"]

    removed = await call(
        client, "editMessageReplyMarkup", chat_id=CHAT_ID, message_id=first["message_id"]
    )
    again = await call(
        client, "editMessageReplyMarkup", chat_id=CHAT_ID, message_id=first["message_id"]
    )
    deleted = await call(client, "deleteMessage", chat_id=CHAT_ID, message_id=second["message_id"])
    twice = await call(client, "deleteMessage", chat_id=CHAT_ID, message_id=second["message_id"])

    assert "reply_markup" not in removed.json()["result"]
    assert error_of(again)[1].startswith("Bad Request: message is not modified")
    assert deleted.json()["result"] is True
    assert error_of(twice) == (400, "Bad Request: message to delete not found")
    assert [m["text"] for m in fake.sent_messages(CHAT_ID)] == ["Een"]
    assert "reply_markup" not in fake.sent_messages(CHAT_ID)[0]


async def test_fail_next_answers_429_with_retry_after(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    fake.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 3", retry_after=3
    )

    throttled = await send_text(client, "hoi")
    passed = await send_text(client, "hoi")

    assert throttled.status_code == 429
    assert throttled.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert passed.json()["ok"] is True
    assert len(fake.sent_messages(CHAT_ID)) == 1  # the failed call had no effect
    assert [c.method for c in fake.calls] == ["sendMessage"]


async def test_parameters_are_decoded_from_every_encoding(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    await call(
        client,
        "sendMessage",
        chat_id=str(CHAT_ID),
        text="form",
        disable_notification=True,
        reply_markup=keyboard(BUTTON),
        no_such_parameter="ignored like Telegram does",
    )
    await client.post(
        "sendMessage", json={"chat_id": CHAT_ID, "text": "json", "protect_content": 1}
    )
    await client.get("sendMessage", params={"chat_id": "-100123", "text": "query"})

    form, body, query = fake.calls
    assert form == ApiCall(
        "sendMessage",
        {
            "chat_id": CHAT_ID,
            "text": "form",
            "disable_notification": True,
            "reply_markup": keyboard(BUTTON),
        },
        ignored=("no_such_parameter",),
    )
    assert body.params == {"chat_id": CHAT_ID, "text": "json", "protect_content": True}
    assert query.params == {"chat_id": -100123, "text": "query"}
    assert fake.sent_messages(-100123)[0]["chat"]["type"] == "group"


async def test_garbage_bodies_get_400_not_500(fake: FakeBotAPI, client: httpx.AsyncClient) -> None:
    broken_json = await client.post(
        "sendMessage", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    broken_multipart = await client.post(
        "sendMessage",
        content=b"--xyz\r\nnonsense",
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    lone_surrogate = await client.post(
        "sendMessage",
        content=b'{"chat_id": 1, "text": "\\ud800"}',
        headers={"Content-Type": "application/json"},
    )

    assert error_of(broken_json)[0] == 400
    assert error_of(broken_multipart)[0] == 400
    assert lone_surrogate.json()["ok"] is True
    assert fake.internal_errors == []


async def test_internal_errors_are_500_and_kept(
    fake: FakeBotAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(params: dict[str, Any]) -> Any:
        raise ZeroDivisionError("bug in the fake")

    monkeypatch.setitem(fake._handlers, "getMe", explode)

    response = await call(client, "getMe")

    assert error_of(response) == (500, "Internal Server Error")
    assert isinstance(fake.internal_errors[0], ZeroDivisionError)
    fake.internal_errors.clear()  # otherwise leaving the fixture's `async with` raises


async def test_answer_callback_query_limits_text(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    message = (await send_text(client, "Kies", reply_markup=keyboard(BUTTON))).json()["result"]
    update = fake.callback_update(user_id=CHAT_ID, message=message, data="yes")
    fake.push_update(update)
    query_id = update["callback_query"]["id"]

    too_long = await call(client, "answerCallbackQuery", callback_query_id=query_id, text="x" * 201)
    unknown = await call(client, "answerCallbackQuery", callback_query_id="nope")
    fine = await call(client, "answerCallbackQuery", callback_query_id=query_id, text="x" * 200)

    assert error_of(too_long) == (400, "Bad Request: MESSAGE_TOO_LONG")
    assert error_of(unknown)[1].startswith("Bad Request: query is too old")
    assert fine.json()["result"] is True
    assert fake.callback_answers() == [{"callback_query_id": query_id, "text": "x" * 200}]


async def test_get_updates_offset_limit_and_allowed_updates(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    ids = [fake.push_update(fake.message_update(user_id=7, text=f"m{i}")) for i in range(3)]
    reaction = {"message_reaction": {"chat": {"id": 7, "type": "private"}, "message_id": 1}}
    reaction_id = fake.push_update(reaction)

    async def update_ids(**params: Any) -> list[int]:
        response = await call(client, "getUpdates", **params)
        return [u["update_id"] for u in response.json()["result"]]

    assert ids == [1, 2, 3]
    assert await update_ids(limit=2) == [1, 2]
    assert await update_ids() == [1, 2, 3]  # reactions need an explicit allowed_updates
    assert await update_ids(offset=2) == [2, 3]  # confirms update 1
    assert await update_ids() == [2, 3]
    assert await update_ids(allowed_updates=["message_reaction"]) == [reaction_id]
    assert await update_ids() == [reaction_id]  # the setting sticks, like on Telegram
    assert await update_ids(offset=reaction_id + 1, allowed_updates=[]) == []


async def test_newer_get_updates_terminates_older_long_poll(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    older = asyncio.create_task(call(client, "getUpdates", timeout=5))
    await fake.wait_for_call("getUpdates")  # the older poll is now waiting

    newer = await call(client, "getUpdates")

    status, description = error_of(await asyncio.wait_for(older, timeout=4))
    assert status == 409
    assert description.startswith("Conflict: terminated by other getUpdates request")
    assert newer.json() == {"ok": True, "result": []}


async def test_send_document_multipart_and_attach(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    direct = await client.post(
        "sendDocument",
        data={"chat_id": str(CHAT_ID), "caption": "<b>Rapport</b>", "parse_mode": "HTML"},
        files={"document": ("rapport.txt", b"sterk!", "text/plain")},
    )
    attached = await client.post(
        "sendDocument",
        data={"chat_id": str(CHAT_ID), "document": "attach://bestand"},
        files={"bestand": ("b.csv", b"a,b", "text/csv")},
    )
    dangling = await client.post(
        "sendDocument", data={"chat_id": str(CHAT_ID), "document": "attach://weg"}
    )
    empty = await client.post(
        "sendDocument",
        data={"chat_id": str(CHAT_ID)},
        files={"document": ("leeg.txt", b"", "text/plain")},
    )

    first = direct.json()["result"]
    assert first["caption"] == "Rapport"
    assert first["caption_entities"] == [{"type": "bold", "offset": 0, "length": 7}]
    assert first["document"]["file_name"] == "rapport.txt"
    assert first["document"]["file_size"] == 6
    assert fake.uploaded_files[first["document"]["file_id"]] == b"sterk!"
    second = attached.json()["result"]["document"]
    assert fake.uploaded_files[second["file_id"]] == b"a,b"
    assert isinstance(fake.calls[1].params["document"], UploadedFile)
    assert error_of(dangling)[0] == 400
    assert error_of(empty) == (400, "Bad Request: file must be non-empty")


async def test_message_update_shapes(fake: FakeBotAPI) -> None:
    command = fake.message_update(user_id=5, text="/start@krachtwerk_test_bot nu")
    sticker = fake.message_update(user_id=5, extra={"sticker": {"file_id": "s"}})
    group = fake.message_update(user_id=5, chat_id=-100200, chat_type="supergroup", text="hoi")
    edited = fake.message_update(
        user_id=5, text="fixed", edited=True, extra={"message_id": command["message"]["message_id"]}
    )

    message = command["message"]
    assert message["from"] == {
        "id": 5,
        "is_bot": False,
        "first_name": "Test",
        "language_code": "nl",
    }
    assert message["chat"] == {"id": 5, "type": "private", "first_name": "Test"}
    command_length = len("/start@krachtwerk_test_bot")
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": command_length}]
    assert "text" not in sticker["message"]
    assert sticker["message"]["sticker"] == {"file_id": "s"}
    assert sticker["message"]["message_id"] > message["message_id"]
    assert group["message"]["chat"]["type"] == "supergroup"
    assert edited["edited_message"]["message_id"] == message["message_id"]
    assert "edit_date" in edited["edited_message"]


async def test_spec_path_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = default_spec_path()
    monkeypatch.setenv("TELEGRAM_API_SPEC", str(tmp_path / "missing.json"))

    with pytest.raises(FileNotFoundError, match="TELEGRAM_API_SPEC"):
        FakeBotAPI()
    with pytest.raises(FileNotFoundError, match="not found"):
        FakeBotAPI(spec_path=tmp_path / "missing.json")
    monkeypatch.setenv("TELEGRAM_API_SPEC", str(real))
    assert FakeBotAPI().token == "123456:TEST"


# ------------------------------------------------------------------ python-telegram-bot


async def test_ptb_get_me(bot: telegram.Bot) -> None:
    me = await bot.get_me()

    assert me.id == 123456
    assert me.is_bot is True
    assert me.username == "krachtwerk_test_bot"
    assert me.can_join_groups is True


async def test_ptb_send_and_edit_message_with_keyboard(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    markup = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Ja", callback_data="yes")]]
    )

    sent = await bot.send_message(CHAT_ID, "<b>Klaar?</b>", parse_mode="HTML", reply_markup=markup)
    edited = await bot.edit_message_text(
        "Top!", chat_id=CHAT_ID, message_id=sent.message_id, reply_markup=markup
    )

    assert sent.text == "Klaar?"
    assert sent.text_html == "<b>Klaar?</b>"
    assert sent.reply_markup == markup
    assert sent.from_user is not None
    assert sent.from_user.id == bot.id
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Top!"
    assert edited.edit_date is not None
    stored = fake.sent_messages(CHAT_ID)
    assert [m["text"] for m in stored] == ["Top!"]
    assert stored[0]["reply_markup"] == markup.to_dict()
    assert fake.calls[-2].params["chat_id"] == CHAT_ID  # decoded to int from the form


async def test_ptb_answer_callback_query(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    markup = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Ja", callback_data="yes")]]
    )
    sent = await bot.send_message(CHAT_ID, "Klaar?", reply_markup=markup)
    fake.push_update(fake.callback_update(user_id=CHAT_ID, message=sent.to_dict(), data="yes"))

    (update,) = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "yes"
    assert isinstance(update.callback_query.message, telegram.Message)
    assert update.callback_query.message.message_id == sent.message_id
    assert await update.callback_query.answer("Genoteerd") is True
    assert fake.callback_answers() == [
        {"callback_query_id": update.callback_query.id, "text": "Genoteerd"}
    ]


async def test_ptb_get_updates_returns_pushed_message(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    update_id = fake.push_update(fake.message_update(user_id=77, text="/start"))

    updates = await bot.get_updates()

    assert [u.update_id for u in updates] == [update_id]
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    assert updates[0].message.chat.id == 77
    assert updates[0].message.entities[0].type == telegram.MessageEntity.BOT_COMMAND
    assert await bot.get_updates(offset=update_id + 1) == ()


async def test_ptb_long_poll_is_woken_by_push(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for_call("getUpdates")  # the poll is now waiting for updates

    fake.push_update(fake.message_update(user_id=78, text="wakker?"))
    updates = await asyncio.wait_for(poll, timeout=4)

    assert [u.message.text for u in updates if u.message] == ["wakker?"]


async def test_stop_ends_a_pending_long_poll(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for_call("getUpdates")

    await fake.stop()

    assert await asyncio.wait_for(poll, timeout=4) == ()


async def test_ptb_bad_request_for_too_long_message(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(CHAT_ID, "x" * 4097)

    assert fake.rejected[-1][2] == "Bad Request: message is too long"


async def test_ptb_retry_after_for_injected_429(
    bot: telegram.Bot, fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22's opt-in; avoids its deprecation warning
    fake.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 7", retry_after=7
    )

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(CHAT_ID, "hoi")

    assert raised.value.retry_after == timedelta(seconds=7)
    assert fake.sent_messages(CHAT_ID) == []
    assert (await bot.send_message(CHAT_ID, "hoi")).text == "hoi"


async def test_ptb_document_upload_and_download(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    sent = await bot.send_document(CHAT_ID, b"%PDF-fake", filename="plan.pdf", caption="Plan")

    assert sent.document is not None
    assert sent.document.file_name == "plan.pdf"
    assert sent.caption == "Plan"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-fake"


# ------------------------------------------------------------------ holding a call


async def test_a_held_call_waits_without_effect_until_released(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    hold = fake.hold("sendMessage")
    sending = asyncio.create_task(send_text(client, "even geduld"))

    held = await hold.arrived()

    assert held.params == {"chat_id": CHAT_ID, "text": "even geduld"}
    assert fake.sent_messages(CHAT_ID) == []
    assert fake.calls == []
    assert not sending.done()
    hold.release()
    response = await asyncio.wait_for(sending, timeout=4)
    assert response.json()["result"]["text"] == "even geduld"
    assert await hold.ended() is HoldOutcome.ANSWERED
    assert [m["text"] for m in fake.sent_messages(CHAT_ID)] == ["even geduld"]
    assert [c.method for c in fake.calls] == ["sendMessage"]


async def test_a_held_call_whose_client_went_away_never_takes_effect(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    hold = fake.hold("sendMessage")
    sending = asyncio.create_task(send_text(client, "nooit verstuurd"))
    await hold.arrived()

    sending.cancel()  # like a killed bot: the connection closes mid-call

    assert await hold.ended() is HoldOutcome.ABANDONED
    hold.release()  # too late: nothing left to let go on
    assert fake.sent_messages(CHAT_ID) == []
    assert fake.calls == []
    assert fake.rejected == []
    # The hold is used up: the next call goes straight through.
    assert (await send_text(client, "wel verstuurd")).json()["ok"] is True
    assert [m["text"] for m in fake.sent_messages(CHAT_ID)] == ["wel verstuurd"]


async def test_a_hold_catches_the_next_call_that_fits(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    to_other_chat = fake.hold("sendmessage", where=lambda params: params["chat_id"] == 7)
    second = fake.hold("sendMessage")

    await send_text(client, "")  # invalid calls are rejected at once, never held
    await call(client, "getMe")
    caught = asyncio.create_task(send_text(client, "eerste"))
    assert (await second.arrived()).params["text"] == "eerste"
    assert to_other_chat.call is None
    for_seven = asyncio.create_task(call(client, "sendMessage", chat_id=7, text="voor 7"))
    assert (await to_other_chat.arrived()).params["text"] == "voor 7"
    assert (await send_text(client, "niet vastgehouden")).json()["ok"] is True

    second.release()
    to_other_chat.release()
    await asyncio.wait_for(asyncio.gather(caught, for_seven), timeout=4)
    assert [m["text"] for m in fake.sent_messages(CHAT_ID)] == ["niet vastgehouden", "eerste"]
    assert [m["text"] for m in fake.sent_messages(7)] == ["voor 7"]
    with pytest.raises(ValueError, match="not a Bot API method"):
        fake.hold("sendTelepathy")


async def test_a_hold_released_early_lets_its_call_through(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    hold = fake.hold("sendMessage")
    hold.release()

    assert (await send_text(client, "meteen")).json()["ok"] is True

    assert (await hold.arrived()).params["text"] == "meteen"
    assert await hold.ended() is HoldOutcome.ANSWERED


async def test_a_held_call_is_answered_by_fail_next_once_released(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    hold = fake.hold("sendMessage")
    fake.fail_next("sendMessage", error_code=403, description="Forbidden: bot was blocked")
    sending = asyncio.create_task(send_text(client, "geblokkeerd"))
    await hold.arrived()

    hold.release()

    assert error_of(await asyncio.wait_for(sending, timeout=4)) == (
        403,
        "Forbidden: bot was blocked",
    )
    assert await hold.ended() is HoldOutcome.ANSWERED
    assert fake.sent_messages(CHAT_ID) == []


async def test_waiting_for_a_hold_times_out(fake: FakeBotAPI, client: httpx.AsyncClient) -> None:
    hold = fake.hold("sendMessage")

    with pytest.raises(TimeoutError, match="no sendMessage call to hold"):
        await hold.arrived(within=0.05)
    with pytest.raises(TimeoutError, match="never arrived"):
        await hold.ended(within=0.05)


async def test_holding_get_updates_keeps_the_offset_unconfirmed(
    fake: FakeBotAPI, client: httpx.AsyncClient
) -> None:
    update_id = fake.push_update(fake.message_update(user_id=7, text="hoi"))
    first = await call(client, "getUpdates")
    assert [u["update_id"] for u in first.json()["result"]] == [update_id]
    confirm = fake.hold("getUpdates", where=lambda params: params.get("offset", 0) > update_id)

    confirming = asyncio.create_task(call(client, "getUpdates", offset=update_id + 1))
    await confirm.arrived()
    confirming.cancel()  # the bot dies before its confirmation was handled
    assert await confirm.ended() is HoldOutcome.ABANDONED

    again = await call(client, "getUpdates")
    assert [u["update_id"] for u in again.json()["result"]] == [update_id]
    assert fake.delivered == [update_id, update_id]


async def test_stopping_abandons_held_calls(fake: FakeBotAPI, client: httpx.AsyncClient) -> None:
    hold = fake.hold("sendMessage")
    sending = asyncio.create_task(send_text(client, "te laat"))
    await hold.arrived()

    await asyncio.wait_for(fake.stop(), timeout=4)

    assert await hold.ended() is HoldOutcome.ABANDONED
    assert error_of(await asyncio.wait_for(sending, timeout=4))[0] == 502
    assert fake.sent_messages(CHAT_ID) == []


async def test_ptb_bot_waits_on_a_held_call(bot: telegram.Bot, fake: FakeBotAPI) -> None:
    hold = fake.hold("sendMessage")
    sending = asyncio.create_task(bot.send_message(CHAT_ID, "hallo"))

    await hold.arrived()
    assert not sending.done()
    hold.release()

    assert (await asyncio.wait_for(sending, timeout=4)).text == "hallo"
