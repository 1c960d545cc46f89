"""A team strength meeting in a Telegram group, over HTTP against the fake Bot API: three
members, timers moved by hand (no test waits for real time), ideas typed, the presenter's
choice, the summary, the private message, a restart in the middle, pause and resume, two groups
at once, and the next meeting asking what came of it."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.flood import ChatRateLimiter
from storage.models import MeetingIdea, Step, TeamMeeting
from tests.conftest import Clock
from tests.e2e.harness import GroupMember, RunningBot
from tests.e2e.test_counsellors import ANNA, BRAM, linked_client, register

TEAM = -1001000000001
OTHER_TEAM = -1001000000002
CEES = 2003


@pytest.fixture(autouse=True)
def no_group_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Telegram takes 20 messages a minute in a group, and the rate limiter waits for that
    in real time; these tests send more than that in what is a minute for the bot's clock."""
    monkeypatch.setattr(
        "bot.telegram.ChatRateLimiter",
        functools.partial(ChatRateLimiter, per_group_per_minute=0, per_chat_per_second=0),
    )


def steps_of(bot: RunningBot) -> list[str]:
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        return list(session.scalars(select(Step.text).order_by(Step.number)))


def answered(bot: RunningBot) -> str | None:
    """The note shown to the last person who pressed a button."""
    return bot.fake.callback_answers()[-1].get("text")


def timer(member: GroupMember) -> dict[str, Any]:
    """The newest timer message in the group."""
    return next(m for m in reversed(member.messages) if m["text"].startswith(("⏱ Stap", "⏸ Stap")))


@pytest.fixture
async def team(bot: RunningBot) -> tuple[GroupMember, GroupMember, GroupMember]:
    """Bram chairs, Anna presents (she is linked with Jan), Cees is in the team but not in
    the bot as a counsellor."""
    register(bot, ANNA, "Anna", "Noord")
    register(bot, BRAM, "Bram", "Noord")
    await linked_client(bot, bot.user(ANNA))
    return (
        bot.member(BRAM, TEAM, "Bram"),
        bot.member(ANNA, TEAM, "Anna"),
        bot.member(CEES, TEAM, "Cees"),
    )


async def start_case(
    bram: GroupMember, anna: GroupMember, cees: GroupMember, bot: RunningBot
) -> None:
    """Bram opens with his own times, everyone joins, Anna brings Jan's case by initials."""
    replies = await cees.send("/teamoverleg")
    assert replies == [
        "Een teamoverleg start een begeleider die in de bot bekend is. Vraag iemand uit je team "
        "om /teamoverleg te typen."
    ]
    replies = await bram.send("/teamoverleg 2 3 4 6 3")
    assert "🤝 Teamkrachtbespreking, gestart door Bram." in replies[-1]
    assert "Successen eerst 2 min, Inbreng 3 min" in replies[-1]
    await anna.press("Ik doe mee")
    await cees.press("Ik doe mee")
    assert anna.messages[-1]["text"].endswith("Deelnemers: Bram, Anna, Cees")
    await cees.press("Beginnen")
    assert answered(bot) == "Dat doet Bram, de voorzitter."
    replies = await bram.press("Beginnen")
    assert replies == ["Wie brengt vandaag een casus in? Bram kiest."]
    assert bram.labels() == ["Bram", "Anna", "Cees"]
    replies = await bram.press("Anna")
    assert replies[-1].startswith("Anna, over wie gaat het?")
    assert anna.labels() == ["J."]  # Jan, by his initials only
    replies = await anna.press("J.")
    assert replies[-1].startswith("⏱ Stap 1 van 5 · Successen eerst · nog 2 min")
    assert "Casus: J. · inbrenger: Anna" in replies[-1]
    assert "Jan" not in "".join(m["text"] for m in anna.messages)


async def test_a_whole_meeting_with_a_restart_a_pause_and_the_follow_up(
    bot: RunningBot,
    team: tuple[GroupMember, GroupMember, GroupMember],
    clock: Clock,
    logs_as_run: pytest.LogCaptureFixture,
) -> None:
    bram, anna, cees = team
    await start_case(bram, anna, cees, bot)

    # The timer message is edited each minute; a restart in the middle loses nothing.
    clock.advance(minutes=1)
    assert await bot.run_reminders() == 1
    assert timer(anna)["text"].startswith("⏱ Stap 1 van 5 · Successen eerst · nog 1 min")
    await bot.restart()
    clock.advance(minutes=1)
    before = len(anna.messages)
    assert await bot.run_reminders() == 1
    assert timer(anna)["text"].startswith("⏱ Stap 1 van 5 · Successen eerst · de tijd is om")
    assert anna.texts_since(before)[0].startswith("⏰ De tijd voor 'Successen eerst' is om.")
    await cees.press("Volgende stap")
    assert answered(bot) == "Dat doet Bram (voorzitter) of Anna (inbrenger)."
    replies = await anna.press("Volgende stap")
    assert replies[-1].startswith("⏱ Stap 2 van 5 · Inbreng · nog 3 min")
    replies = await bram.press("Volgende stap")
    assert replies[-1].startswith("⏱ Stap 3 van 5 · Verhelderende vragen · nog 4 min")

    # Questions only: advice gets a gentle reminder, once.
    replies = await cees.send("Ze moet gewoon naar de buurtkamer")
    assert replies == [
        "Even ter herinnering: in deze stap stellen we alleen vragen, nog geen adviezen. Bewaar "
        "je idee voor de brainstorm 💡"
    ]
    assert await cees.send("Echt waar") == []
    assert await cees.send("Wat deed hij vroeger graag?") == []

    # Paused, the timer stands still; resumed, it goes on with the time that was left.
    clock.advance(minutes=1)
    replies = await bram.send("/pauze")
    assert replies == [
        "⏸ Het overleg staat op pauze. Tik op 'Verder' of typ /verder om door te gaan."
    ]
    assert timer(anna)["text"].startswith("⏸ Stap 3 van 5 · Verhelderende vragen · gepauzeerd")
    clock.advance(minutes=30)
    assert await bot.run_reminders() == 0
    await anna.press("Verder")
    assert timer(anna)["text"].startswith("⏱ Stap 3 van 5 · Verhelderende vragen · nog 3 min")
    replies = await bram.press("Volgende stap")
    assert replies[-1].startswith("⏱ Stap 4 van 5 · Brainstorm · nog 6 min")

    # One message, one idea: counted on the timer message, nothing new in the group.
    for member, idea in (
        (cees, "Buurtkamer op dinsdag"),
        (anna, "Zus vragen om mee te gaan"),
        (bram, "Maatje via de vrijwilligerscentrale"),
    ):
        assert await member.send(idea) == []
    assert await cees.send("/idee Samen koken in het buurthuis") == []
    assert await cees.send("/weer@weerbot Zwolle") == []  # another bot's command: no idea
    assert "💡 Ideeën tot nu toe: 4" in timer(anna)["text"]
    edited = {"message_id": cees.messages[-1]["message_id"]}  # any earlier message will do
    replies = await cees.send("Buurtkamer op woensdag", edited=True, extra=edited)
    assert replies == [
        "✏️ Cees, een aangepast bericht lees ik niet. Stuur het opnieuw als nieuw bericht, dan "
        "neem ik het mee."
    ]
    assert "💡 Ideeën tot nu toe: 4" in timer(anna)["text"]  # the idea as it was sent
    replies = await bram.press("Volgende stap")
    assert replies[-1].startswith("⏱ Stap 5 van 5 · Keuze en volgende stap · nog 3 min")

    # Only the presenter picks; she names the next step and is done.
    await cees.press("1. Buurtkamer")
    assert answered(bot) == "Dat doet Anna, de inbrenger."
    await anna.press("1. Buurtkamer")
    await anna.press("2. Zus")
    await anna.press("2. Zus")  # tapped again: not chosen after all
    await anna.press("4. Samen")
    assert await anna.send("Ik bel Jan maandag") == []
    assert "Volgende stap: Ik bel Jan maandag" in timer(anna)["text"]
    replies = await anna.press("Klaar")
    summary = replies[0]
    assert summary.startswith(
        "📋 Samenvatting teamkrachtbespreking\nCasus: J. (ingebracht door Anna)"
    )
    assert "Ideeën (4):\n1. Buurtkamer op dinsdag\n2. Zus vragen om mee te gaan" in summary
    assert "Gekozen: 1, 4\nVolgende stap: Ik bel Jan maandag" in summary
    assert replies[-1] == "Ik stuurde Anna de gekozen ideeën in een privébericht."
    assert anna.private[-1]["text"] == (
        "📋 Je ideeën uit het teamoverleg over J.:\n1. Buurtkamer op dinsdag\n"
        "4. Samen koken in het buurthuis\n\nVolgende stap: Ik bel Jan maandag"
    )

    # The chosen ideas go into Jan's plan only when he says yes, in his own chat.
    jan = bot.user(1001)
    await jan.send("/plan")
    await jan.press("Een eigen kamer")
    await jan.send("Dan heb ik rust")  # his goal is in his plan; the first step is asked
    await cees.press("Voorstel aan de cliënt")
    assert answered(bot) == "Dat doet Anna, de inbrenger."
    assert steps_of(bot) == []
    replies = await anna.press("Voorstel aan de cliënt")
    assert replies == [
        "Het voorstel is naar de cliënt (J.) gestuurd. De cliënt beslist zelf of de stappen in "
        "het plan komen."
    ]
    assert jan.last_text == (
        "Anna besprak in het team ideeën voor jouw plan. Wil je deze als stappen in je plan?\n\n"
        "• Buurtkamer op dinsdag\n• Samen koken in het buurthuis"
    )
    replies = await jan.press("Ja, zet ze in mijn plan")
    assert replies[0] == "Ze staan in je plan. Je vindt ze bij /mijnplan."
    assert steps_of(bot) == ["Buurtkamer op dinsdag", "Samen koken in het buurthuis"]
    await jan.press("Ja, zet ze in mijn plan")  # a second tap changes nothing
    assert steps_of(bot) == ["Buurtkamer op dinsdag", "Samen koken in het buurthuis"]

    # The next meeting of the team first asks Anna what came of it.
    replies = await bram.send("/teamoverleg")
    assert "Teamkrachtbespreking" in replies[-1]
    replies = await bram.press("Beginnen")
    assert replies[-1].startswith("🔁 Terugblik. Vorige keer bracht Anna de casus J. in.")
    assert "• Buurtkamer op dinsdag" in replies[-1]
    replies = await anna.send("Hij gaat nu elke dinsdag naar de buurtkamer")
    assert replies == [
        "Dank je, Anna. Dat staat in de samenvatting.",
        "Wie brengt vandaag een casus in? Bram kiest.",
    ]
    await bram.press("Bram")
    await bram.send("/casus K.L.")
    for _ in range(4):
        await bram.press("Volgende stap")
    replies = await bram.press("Klaar")
    assert "• Anna over J.: Hij gaat nu elke dinsdag naar de buurtkamer" in replies[0]

    logged = "\n".join(
        r.getMessage() for r in logs_as_run.records if not r.name.startswith(("tests.", "aiohttp"))
    )
    assert "meeting" in logged or "update" in logged
    for typed in ("Buurtkamer", "buurtkamer", "Ik bel Jan", "Maatje", "K.L.", "Zwolle"):
        assert typed not in logged


async def test_two_groups_at_once_and_buttons_stay_in_their_own_group(
    bot: RunningBot, team: tuple[GroupMember, GroupMember, GroupMember], clock: Clock
) -> None:
    bram, _, cees = team
    await bram.send("/teamoverleg")
    other_anna = bot.member(ANNA, OTHER_TEAM, "Anna")
    replies = await other_anna.send("/teammeeting 1 1 1 1 1")
    assert "Teamkrachtbespreking, gestart door Anna" in replies[-1]
    replies = await bram.send("/teamoverleg")
    assert replies == [
        "Er loopt al een teamoverleg in deze groep. De voorzitter stopt het met /stopoverleg."
    ]

    # A button of one group's meeting pressed as if it were in the other changes nothing.
    message, data = bram.find_button("Beginnen")
    forged = dict(message, chat={"id": OTHER_TEAM, "type": "supergroup", "title": "Test chat"})
    await other_anna.press_data(forged, data)
    assert answered(bot) == "Deze knop hoort bij een ander gesprek."

    await other_anna.press("Beginnen")
    await other_anna.press("Anna")
    await other_anna.press("J.")
    assert timer(other_anna)["text"].startswith("⏱ Stap 1 van 5 · Successen eerst · nog 1 min")
    clock.advance(minutes=1)
    assert await bot.run_reminders() == 1  # only the other team's meeting has a timer
    assert other_anna.messages[-1]["text"].startswith("⏰ De tijd voor 'Successen eerst' is om.")
    assert not any(m["text"].startswith("⏰") for m in bram.messages)

    # The presenter who never started the bot hears kindly how to get the ideas.
    await cees.press("Ik doe mee")
    await bram.press("Beginnen")
    await bram.press("Cees")
    await cees.send("/casus P.Q.")
    bot.fake.not_started.add(CEES)
    for _ in range(4):
        await bram.press("Volgende stap")
    replies = await cees.press("Klaar")
    assert replies[-1].startswith("Cees, ik kan je geen privébericht sturen")
    bot.fake.not_started.discard(CEES)
    replies = await cees.press("Stuur mij de ideeën")
    assert replies == ["Ik stuurde Cees de gekozen ideeën in een privébericht."]
    assert cees.private[-1]["text"].startswith("📋 Je ideeën uit het teamoverleg over P.Q.")


async def test_a_client_command_in_the_group_is_said_to_be_private(
    bot: RunningBot, team: tuple[GroupMember, GroupMember, GroupMember]
) -> None:
    _, _, cees = team
    replies = await cees.send("/start")
    assert replies == ["Ik werk alleen in een privégesprek. Stuur me een persoonlijk bericht."]
    assert await cees.send("Goedemorgen allemaal") == []
    assert await cees.send("/pauze") == [
        "Er loopt nu geen teamoverleg in deze groep. Een begeleider start er een met /teamoverleg."
    ]


async def one_idea_chosen(
    bram: GroupMember, anna: GroupMember, cees: GroupMember, bot: RunningBot
) -> None:
    """Anna's case on to the choice, with one idea from Cees that she picks."""
    await start_case(bram, anna, cees, bot)
    for _ in range(3):
        await bram.press("Volgende stap")
    assert await cees.send("Buurtkamer op dinsdag") == []
    await bram.press("Volgende stap")
    await anna.press("1. Buurtkamer")


async def test_forget_me_takes_the_client_out_of_the_team_meeting_and_my_data_has_it(
    bot: RunningBot, team: tuple[GroupMember, GroupMember, GroupMember]
) -> None:
    bram, anna, cees = team
    await one_idea_chosen(bram, anna, cees, bot)
    assert await anna.send("Ik bel Jan maandag") == []
    await anna.press("Klaar")

    jan = bot.user(1001)
    before = len(bot.fake.calls)
    await jan.send("/mijngegevens")
    document = next(
        c.params["document"] for c in bot.fake.calls[before:] if c.method == "sendDocument"
    )
    [meeting] = json.loads(document.data)["team_meetings"]
    assert meeting["case"] == "J."
    assert meeting["presenter"] == "Anna"
    assert meeting["next_step"] == "Ik bel Jan maandag"
    assert meeting["ideas"] == ["Buurtkamer op dinsdag"]

    await jan.send("/vergeetmij")
    await jan.press("Ja, wis alles")
    assert bot.runtime is not None
    with bot.runtime.conversations.sessions() as session:
        [kept] = session.scalars(select(TeamMeeting)).all()
        assert kept.case_label is None
        assert kept.next_step is None
        assert kept.case_removed_at is not None
        assert kept.ended_at is not None  # the meeting itself stays for the team
        assert session.scalars(select(MeetingIdea)).all() == []


async def test_hide_takes_the_teams_proposal_out_of_the_clients_chat(
    bot: RunningBot, team: tuple[GroupMember, GroupMember, GroupMember]
) -> None:
    bram, anna, cees = team
    await one_idea_chosen(bram, anna, cees, bot)
    await anna.press("Klaar")
    await anna.press("Voorstel aan de cliënt")
    jan = bot.user(1001)
    assert jan.last_text.startswith("Anna besprak in het team ideeën voor jouw plan.")
    assert await jan.send("/wissen") == []
    assert jan.messages == []
