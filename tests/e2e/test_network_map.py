"""The network map over HTTP against the fake Bot API: a client asks for their map and gets a
picture; a counsellor sees the resources and the map with the summary only when shared."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from pypdf import PdfReader

from storage import ClientRepository, Identity
from storage.resources import ResourceRepository
from tests.e2e.harness import RunningBot, TelegramUser
from tests.e2e.test_counsellors import audit, linked_client, register

ANNA = 2001
LONG = "Stichting Maatschappelijke Dienstverlening Noord-Holland Zuid, locatie Kennemerland"


def add_resources(bot: RunningBot, user: TelegramUser) -> None:
    """Oma close by, a far-away professional service, as the client's own resources."""
    assert bot.runtime is not None
    now: datetime = bot.clock()
    with bot.runtime.conversations.sessions.begin() as session:
        client = ClientRepository(session).find(Identity("telegram", str(user.user_id)))
        assert client is not None
        resources = ResourceRepository(session)
        resources.save(
            client.id,
            1,
            name="Oma",
            kind="close",
            closeness="close",
            goal=None,
            domain=None,
            help_with="Luisteren",
            now=now,
        )
        resources.save(
            client.id,
            2,
            name=LONG,
            kind="professional",
            closeness="far",
            goal=None,
            domain="money",
            help_with=None,
            now=now,
        )


def photos(bot: RunningBot, since: int, chat_id: int) -> list[dict[str, Any]]:
    """The sendPhoto calls to a chat since call number `since`, with their PNG's size."""
    found = []
    for call in bot.fake.calls[since:]:
        if call.method == "sendPhoto" and int(call.params["chat_id"]) == chat_id:
            data = call.params["photo"].data
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
            width = int.from_bytes(data[16:20], "big")
            found.append({"width": width, "caption": call.params.get("caption")})
    return found


async def test_a_client_gets_their_map_as_a_picture(bot: RunningBot) -> None:
    register(bot, ANNA, "Anna", "Noord")
    jan = await linked_client(bot, bot.user(ANNA))
    add_resources(bot, jan)
    before = len(bot.fake.calls)
    await jan.send("/netwerk")
    [photo] = photos(bot, before, jan.user_id)
    assert photo["width"] == 1280
    assert photo["caption"] == ("Je netwerkkaart: hoe dichter bij het midden, hoe dichter bij jou.")
    shown = [m for m in jan.messages if "photo" in m]
    assert len(shown) == 1
    # /wissen takes the picture away too: its id was kept like any reply's.
    assert await jan.send("/wissen") == []
    assert jan.messages == []


async def test_a_counsellor_sees_resources_and_the_map_only_when_shared(
    bot: RunningBot,
) -> None:
    register(bot, ANNA, "Anna", "Noord")
    anna = bot.user(ANNA)
    jan = await linked_client(bot, anna)  # shares strengths and plan, not resources
    add_resources(bot, jan)

    before = len(bot.fake.calls)
    await anna.send("/clienten")
    shown = "\n".join(await anna.press("Jan"))
    assert "Netwerk en hulpbronnen\n\nNiet gedeeld." in shown
    assert "Oma" not in shown
    assert photos(bot, before, ANNA) == []
    assert "resources" not in audit(bot)[-1][1]

    # Jan shares his resources too: Anna sees them, and the map after the summary.
    await jan.send("/delen")
    await jan.press("Netwerk en hulpbronnen")
    before = len(bot.fake.calls)
    await anna.send("/clienten")
    shown = "\n".join(await anna.press("Jan"))
    assert "Oma: Iemand dicht bij me · Dichtbij · helpt met: Luisteren" in shown
    assert LONG in shown
    assert "Niet gedeeld" not in shown.split("Netwerk en hulpbronnen")[-1]
    [photo] = photos(bot, before, ANNA)
    assert photo == {"width": 1280, "caption": "Netwerkkaart van Jan"}
    assert anna.messages[-1].get("photo"), "the map comes after the summary"
    assert audit(bot)[-1] == ("view", ["plan", "resources", "strengths"])

    # The export: the map is text in the Markdown and a picture in the PDF.
    await anna.send("/export")
    before = len(bot.fake.calls)
    await anna.press("Export")
    documents = [c for c in bot.fake.calls[before:] if c.method == "sendDocument"]
    markdown = documents[0].params["document"].data.decode().replace("\\", "")
    assert "**Dichtbij:** Oma (Iemand dicht bij me)" in markdown
    pdf = PdfReader(io.BytesIO(documents[1].params["document"].data))
    assert sum(len(page.images) for page in pdf.pages) == 1
    assert photos(bot, before, ANNA) == []  # the export sends files, no photo


async def test_a_map_too_tall_for_a_photo_comes_as_a_file(bot: RunningBot) -> None:
    jan = bot.user(1001)
    await jan.send("/start")
    await jan.press("Ja, dat mag")
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions.begin() as session:
        client = ClientRepository(session).find(Identity("telegram", str(jan.user_id)))
        assert client is not None
        for number in range(1, 5):  # names of thousands of characters: a picture ~10,000 px tall
            ResourceRepository(session).save(
                client.id,
                number,
                name=f"lange naam {number} " * 250,
                kind="known",
                closeness="far",
                goal=None,
                domain=None,
                help_with=None,
                now=bot.clock(),
            )
    before = len(bot.fake.calls)
    await jan.send("/netwerk")
    sent = [c for c in bot.fake.calls[before:] if c.method in ("sendPhoto", "sendDocument")]
    assert [c.method for c in sent] == ["sendDocument"]
    png = sent[0].params["document"].data
    assert png.startswith(b"\x89PNG")
    assert int.from_bytes(png[16:20], "big") + int.from_bytes(png[20:24], "big") > 10_000
    assert sent[0].params["caption"].startswith("Je netwerkkaart")
