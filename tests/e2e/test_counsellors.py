"""A counsellor and a client over HTTP against the fake Bot API: invitation, sharing, summary,
export, message, digest, and every way to reach data that is not one's own refused."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from storage import StaffRepository
from storage.models import AuditEntry, Invitation
from tests.conftest import Clock
from tests.e2e.harness import RunningBot, TelegramUser

ANNA, BRAM = 2001, 2002
LINK = re.compile(r"https://t\.me/krachtwerk_test_bot\?start=([A-Za-z0-9_-]+)")
CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")


def register(bot: RunningBot, telegram_id: int, name: str, team: str | None = None) -> None:
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions.begin() as session:
        StaffRepository(session).add_counsellor(telegram_id, name, team, "nl", bot.clock())


async def invite(counsellor: TelegramUser, label: str = "Jan") -> tuple[str, str]:
    replies = await counsellor.send(f"/uitnodiging {label}")
    link, code = LINK.search(replies[-1]), CODE.search(replies[-1])
    assert link is not None, replies
    assert code is not None, replies
    return link.group(1), code.group(1)


async def linked_client(bot: RunningBot, anna: TelegramUser) -> TelegramUser:
    """Jan opens Anna's link, consents, shares his strengths and plan, Anna confirms it is
    him, and he answers once."""
    deep_link, _ = await invite(anna)
    jan = bot.user(1001, first_name="Jan", username="janw")
    replies = await jan.send(f"/start {deep_link}")
    assert "Anna nodigt je uit" in replies[-1]
    replies = await jan.press("Ja, dat mag")
    assert "Anna (Noord) wil graag met je meekijken" in replies[-1]
    await jan.press("Krachten")
    await jan.press("Plan en herinneringen")
    before = len(anna.messages)
    replies = await jan.press("Koppelen")
    assert "Zodra Anna dat bevestigt, ziet Anna: Krachten, Plan en herinneringen" in replies[0]
    assert "Domein 1 van 8" in replies[-1]
    assert anna.texts_since(before) == [
        "🔔 Jan (@janw) heeft je uitnodiging voor Jan geopend en wil koppelen.\n"
        "Is dit je cliënt? Pas als je dat bevestigt, zie je wat er gedeeld wordt."
    ]
    replies = await anna.press("Ja, dat is mijn cliënt")
    assert replies == [
        "Gekoppeld met Jan, die deelt: Krachten, Plan en herinneringen. Kijk mee met /clienten."
    ]
    assert jan.last_text.startswith("✅ Anna heeft bevestigd dat jij het bent.")
    await jan.send("Een eigen kamer met een tuintje")
    return jan


async def planning_client(bot: RunningBot) -> tuple[TelegramUser, TelegramUser]:
    """Anna, and Jan linked with her, in /plan at the question by when his first step is done."""
    register(bot, ANNA, "Anna", "Noord")
    anna = bot.user(ANNA)
    jan = await linked_client(bot, anna)
    await jan.send("/plan")
    await jan.press("Een eigen kamer")
    await jan.send("Dan heb ik rust")
    await jan.send("Woningcorporatie bellen")
    await jan.press("Ik zelf")
    return anna, jan


def audit(bot: RunningBot) -> list[tuple[str, list[str]]]:
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        rows = session.execute(select(AuditEntry.kind, AuditEntry.sections).order_by(AuditEntry.id))
        return [(kind, list(sections)) for kind, sections in rows]


async def test_invite_link_share_look_export_and_withdraw(
    bot: RunningBot, anna: TelegramUser
) -> None:
    replies = await anna.send("/start")
    assert "Je bent hier als begeleider" in replies[-1]
    jan = await linked_client(bot, anna)

    replies = await anna.send("/clienten")
    assert "Jan · laatst actief" in replies[-1]
    assert "0 open stappen, 0 over tijd" in replies[-1]
    replies = await anna.press("Jan")
    shown = "\n".join(replies)
    assert "Overzicht van Jan" in shown
    assert "Een eigen kamer met een tuintje" in shown
    assert "Reflecties\n\nNiet gedeeld." in shown
    assert anna.messages[-1].get("entities"), "the summary is formatted (bold headings)"
    assert audit(bot) == [("view", ["plan", "strengths"])]

    replies = await jan.send("/wiezagwat")
    assert "Anna · bekeek: Krachten, Plan en herinneringen" in replies[0]

    await anna.send("/export")
    before = len(bot.fake.calls)
    await anna.press("Export")
    documents = [c for c in bot.fake.calls[before:] if c.method == "sendDocument"]
    assert [d.params["document"].filename for d in documents] == [
        "krachtwerk-1-2026-11-27.md",
        "krachtwerk-1-2026-11-27.pdf",
    ]
    markdown = documents[0].params["document"].data.decode()
    assert markdown.startswith("# Overzicht van Jan")
    assert "Een eigen kamer met een tuintje" in markdown
    pdf = PdfReader(io.BytesIO(documents[1].params["document"].data))
    assert "tuintje" in "".join(page.extract_text() for page in pdf.pages)
    assert audit(bot)[-1] == ("export", ["plan", "strengths"])

    # Jan stops sharing his strengths: Anna hears it, and sees none of it any more.
    await jan.send("/delen")
    before = len(anna.messages)
    await jan.press("Krachten")
    assert anna.texts_since(before) == ["Jan deelt nu: Plan en herinneringen."]
    view = next(m for m in anna.messages if "Jan · laatst actief" in m.get("text", ""))
    replies = await anna.press("Jan", on=view)  # the old button, pressed again
    shown = "\n".join(replies)
    assert "Krachten\n\nNiet gedeeld." in shown
    assert "tuintje" not in shown
    assert audit(bot)[-1] == ("view", ["plan"])

    # Jan ends the link: the same button now gives Anna nothing.
    await jan.send("/delen")
    await jan.press("Koppeling beëindigen")
    await jan.press("Ja")
    assert anna.last_text == "Jan heeft de koppeling beëindigd."
    replies = await anna.press("Jan", on=view)
    assert replies == ["Die cliënt is niet (meer) met je gekoppeld. Kies opnieuw met /clienten."]
    assert len(audit(bot)) == 3


async def test_forged_requests_reach_nothing(bot: RunningBot, anna: TelegramUser) -> None:
    jan = await linked_client(bot, anna)
    register(bot, BRAM, "Bram")
    bram = bot.user(BRAM)
    await bram.send("/clienten")
    assert "nog geen gekoppelde" in bram.last_text
    last = bram.messages[-1]
    for data in ("d:v:1", "d:x:1", "d:v:999"):
        replies = await bram.press_data(last, data)
        assert "niet (meer) met je gekoppeld" in replies[-1], data
    replies = await bram.press_data(last, "d:v:1;drop")  # not even a request: the welcome
    assert "Je bent hier als begeleider" in replies[-1]
    for command in ("/export 1", "/export 999"):
        replies = await bram.send(command)
        assert "niet (meer) met je gekoppeld" in replies[-1]
    assert audit(bot) == []

    # A deactivated counsellor sees nothing, not even their own clients.
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions.begin() as session:
        StaffRepository(session).deactivate(ANNA, bot.clock())
    replies = await anna.send("/clienten")
    assert "niet aan" in replies[-1]
    replies = await anna.send("/export 1")
    assert "niet aan" in replies[-1]
    assert audit(bot) == []
    # And Jan no longer sees Anna as his counsellor.
    replies = await jan.send("/delen")
    assert "nog niet gekoppeld" in replies[0]


async def test_codes_are_single_use_hashed_and_slowed_down(
    bot: RunningBot, anna: TelegramUser, clock: Clock
) -> None:
    deep_link, code = await invite(anna)
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        stored = session.execute(select(Invitation.code_hash, Invitation.short_hash)).one()
    assert deep_link not in "".join(stored)
    assert code.replace("-", "") not in "".join(stored)

    mira = bot.user(1002)
    await mira.send("/start")
    await mira.press("Ja, dat mag")
    replies = await mira.send(code.lower())  # the short code, typed
    assert "wil graag met je meekijken" in replies[-1]
    await mira.press("Koppelen")

    other = bot.user(1003)
    replies = await other.send(f"/start {deep_link}")
    assert "al gebruikt" in replies[0]
    assert "Mag ik je antwoorden bewaren?" in replies[-1]

    for _ in range(3):
        replies = await other.send("/start AAAA-BBBB")
    assert "te veel verkeerde codes" in replies[0]
    _, fresh = await invite(anna, "Kees")
    replies = await other.send(fresh)  # right, but too soon
    assert "te veel verkeerde codes" in replies[0]
    clock.advance(minutes=2)
    replies = await other.send(fresh)
    assert "Anna nodigt je uit" in replies[-1]


async def test_a_message_and_a_call_request_reach_the_counsellor(
    bot: RunningBot, anna: TelegramUser, logs_as_run: pytest.LogCaptureFixture
) -> None:
    jan = await linked_client(bot, anna)
    await jan.send("/begeleider")
    await jan.press("Een bericht sturen")
    before = len(anna.messages)
    replies = await jan.send("Ik ben morgen ziek <b>echt</b>")
    assert "Verstuurd" in replies[0]
    assert "Hoe woon je nu?" in replies[-1]  # and back where he was
    assert anna.texts_since(before) == ["✉️ Bericht van Jan:\n\nIk ben morgen ziek <b>echt</b>"]

    await jan.send("/begeleider")
    await jan.press("belt")
    await jan.send("Na drie uur")
    assert anna.last_text == "📞 Jan vraagt of je wilt bellen.\n\nNa drie uur"

    replies = await anna.send("/clienten")
    assert "✉️ 2 nieuw" in replies[-1]  # new since her last look at Jan
    replies = await anna.press("Jan")
    assert "Belverzoek: Na drie uur" in "\n".join(replies)
    replies = await anna.send("/clienten")
    assert "✉️" not in replies[-1]
    # What Jan wrote, and the code he used, are in no log line of the bot.
    logged = "\n".join(
        r.getMessage() for r in logs_as_run.records if not r.name.startswith(("tests.", "aiohttp"))
    )
    assert "invitation" in logged
    for private in ("tuintje", "ziek", "drie uur", "start="):
        assert private not in logged


async def test_the_weekly_digest_comes_once_on_monday_morning(
    bot: RunningBot, anna: TelegramUser, clock: Clock
) -> None:
    jan = await linked_client(bot, anna)
    await anna.send("/clienten")  # her first visit puts her digest on the clock
    await jan.send("/plan")
    # Friday 10:30 in Amsterdam; the digest is due Monday 09:00.
    clock.advance(days=2, hours=22)
    assert await bot.run_reminders() == 0
    before = len(anna.messages)
    clock.advance(minutes=30)
    await bot.run_reminders()
    digest = anna.texts_since(before)
    assert len(digest) == 1
    assert digest[0].startswith("Weekoverzicht")
    assert "Jan" in digest[0]
    assert "Nieuwe of veranderde antwoorden bij krachten: 1" in digest[0]
    assert audit(bot)[-1] == ("digest", ["plan", "strengths"])

    await bot.restart()  # a restart does not send it again
    await bot.run_reminders()
    assert len(anna.messages) == before + 1
    clock.advance(days=7)
    await bot.run_reminders()
    assert len(anna.messages) == before + 2
