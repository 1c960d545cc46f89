"""The counsellor's summary, digest and desk requests: pure, from a case file built by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from dialogs import Command, CommandName, Content, Press, Text
from dialogs.desk import requests
from dialogs.desk.digest import digest
from dialogs.desk.summary import summary
from dialogs.engine.document import Bullets, Document, Heading, Item, Paragraph, to_markdown
from dialogs.linking.casefile import (
    AnswerEntry,
    CaseFile,
    ClientLine,
    GoalEntry,
    MessageEntry,
    PlanChange,
    ReflectionEntry,
    ReminderEntry,
    Section,
    StepEntry,
)

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
LAST_LOOK = NOW - timedelta(days=7)
OLD, NEW = NOW - timedelta(days=20), NOW - timedelta(days=1)
# Jan's case file while he shares nothing: every case file of these tests is this one, filled.
JAN = CaseFile(
    client_id=12,
    name="Jan",
    language="nl",
    timezone="Europe/Amsterdam",
    linked_since=OLD,
    sections=frozenset(),
    last_look=LAST_LOOK,
    last_activity=NEW,
)


def case_file(*sections: Section, last_look: datetime | None = LAST_LOOK) -> CaseFile:
    """Jan's case file as a repository fills it: only the shared sections have data."""
    shared = frozenset(sections)
    plan = Section.PLAN in shared
    return replace(
        JAN,
        sections=shared,
        last_look=last_look,
        answers=(
            AnswerEntry("inventory.housing.wish", "answered", "Een eigen huis", (), OLD),
            AnswerEntry("inventory.housing.current", "answered", "Bij mijn zus", (), NEW),
            AnswerEntry("inventory.priorities", "answered", None, ("work",), OLD),
        )
        if Section.STRENGTHS in shared
        else (),
        goals=(GoalEntry(1, "Werk vinden", "work", "Dan heb ik geld", "open", OLD),)
        if plan
        else (),
        steps=(
            StepEntry(1, 1, "CV maken", "me", None, None, None, "done", NEW, OLD),
            StepEntry(
                2,
                1,
                "Bellen met Kees",
                "network",
                "Kees",
                date(2026, 11, 25),
                None,
                "open",
                None,
                NEW,
            ),
        )
        if plan
        else (),
        changes=(PlanChange(1, 2, "created", NEW), PlanChange(1, 1, "done", NEW)) if plan else (),
        reminders=(
            ReminderEntry(1, "step", OLD, "answered", OLD, OLD),
            ReminderEntry(2, "step", NEW, "missed", None, None),
        )
        if plan
        else (),
        reflections=(
            ReflectionEntry(
                1, 1, 2, {"happened": "Hij nam niet op", "next_step": "Sms sturen"}, NEW
            ),
        )
        if Section.REFLECTIONS in shared
        else (),
        messages=(MessageEntry("call", "Na drie uur", NEW),),
    )


def text_of(document: Document) -> str:
    return to_markdown(document).replace("\\", "")


def test_the_summary_shows_every_shared_section_in_the_clients_words(content: Content) -> None:
    shown = text_of(summary(content, case_file(*Section), "nl", NOW))
    for words in (
        "Overzicht van Jan",
        "Cliëntnummer 12",
        "Een eigen huis",
        "Bij mijn zus",
        "Werk vinden",
        "CV maken",
        "Bellen met Kees",
        "1 verstuurd, waarvan 1 beantwoord; 1 niet op tijd verstuurd",
        "Hij nam niet op",
        "Sms sturen",
        "Belverzoek: Na drie uur",
    ):
        assert words in shown, words
    assert "Niet gedeeld" not in shown


def test_an_unshared_section_reads_not_shared(content: Content) -> None:
    document = summary(content, case_file(Section.PLAN), "nl", NOW)
    blocks = list(document.blocks)
    for title in ("Krachten", "Reflecties"):
        heading = blocks.index(Heading(title))
        assert blocks[heading + 1] == Paragraph("Niet gedeeld.", quiet=True)
    assert "Gedeeld: Plan en herinneringen." in text_of(document)


def test_what_is_new_since_the_last_look_is_marked(content: Content) -> None:
    document = summary(content, case_file(*Section), "nl", NOW)
    lines = text_of(document).splitlines()
    marked = [line for line in lines if "🆕" in line and "gemarkeerd" not in line]
    assert any("Bij mijn zus" in line for line in marked)
    assert not any("Een eigen huis" in line for line in marked)
    assert any("Bellen met Kees" in line for line in marked)
    assert any("Reflectie 1" in line for line in marked)

    first = text_of(summary(content, case_file(*Section, last_look=None), "nl", NOW))
    assert "Je kijkt voor het eerst" in first
    assert "🆕" not in first


def test_the_summary_is_deterministic_and_in_english_too(content: Content) -> None:
    file = case_file(*Section)
    assert summary(content, file, "nl", NOW) == summary(content, file, "nl", NOW)
    english = text_of(summary(content, file, "en", NOW))
    assert "Summary of Jan" in english
    assert "Een eigen huis" in english  # the client's own words, never translated


def test_the_digest_tells_per_client_what_changed_this_week(content: Content) -> None:
    files = [case_file(*Section), replace(case_file(), name="Mira", client_id=13)]
    document = digest(content, files, "nl", NOW - timedelta(days=7), NOW, "Europe/Amsterdam")
    assert document is not None
    blocks = document.blocks
    jan = blocks[blocks.index(Heading("Jan")) + 1]
    assert isinstance(jan, Bullets)
    news = [item.text for item in jan.items]
    assert "Gedaan: CV maken" in news
    assert "Over tijd of niet gelukt: Bellen met Kees" in news
    assert "Nieuwe reflecties: 1" in news
    assert "Nieuwe of veranderde antwoorden bij krachten: 1" in news
    assert blocks[blocks.index(Heading("Mira")) + 1] == Bullets((Item("Berichten aan jou: 1"),))


def test_no_clients_no_digest(content: Content) -> None:
    assert digest(content, [], "nl", NOW - timedelta(days=7), NOW, "UTC") is None


@pytest.mark.parametrize(
    ("event", "request_"),
    [
        (Command(CommandName.INVITE, "Jan de Vries"), requests.MakeInvitation("Jan de Vries")),
        (Command(CommandName.INVITE, "  \u200b "), requests.MakeInvitation(None)),
        (Command(CommandName.CLIENTS), requests.ShowClients()),
        (Command(CommandName.EXPORT, "12"), requests.ExportCaseFile(12)),
        (Command(CommandName.EXPORT, "jan"), requests.ShowClients(for_export=True)),
        (Press("d:v:12"), requests.ShowCaseFile(12)),
        (Press("d:x:13"), requests.ExportCaseFile(13)),
        (Press("d:v:-1"), requests.Welcome()),
        (Press("q3:plan"), requests.Welcome()),
        (Text("hallo"), requests.Welcome()),
        (Command(CommandName.START), requests.Welcome()),
    ],
)
def test_desk_requests(event: object, request_: requests.DeskRequest) -> None:
    assert requests.read(event) == request_  # type: ignore[arg-type]


def test_the_client_list_hides_counts_of_an_unshared_plan(content: Content) -> None:
    lines = [
        ClientLine(12, "Jan", NEW, 3, 1, 2),
        ClientLine(13, "Mira", OLD, None, None, 0),
    ]
    say = requests.client_list(content, "nl", "Europe/Amsterdam", lines, NOW)
    jan, mira = say.text.splitlines()[-2:]
    assert "3 open stappen, 1 over tijd" in jan
    assert "✉️ 2 nieuw" in jan
    assert "plan niet gedeeld" in mira
    assert "open stappen" not in mira
    data = [button.data for row in say.buttons for button in row]
    assert data == ["d:v:12", "d:x:12", "d:v:13", "d:x:13"]
    empty = requests.client_list(content, "nl", "UTC", [], NOW)
    assert "nog geen gekoppelde" in empty.text
