"""The client's side of a counsellor link in the pure engine: invitation, sharing, messages,
who looked. The caller loads the invitation, links and looks into the state; here we set them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dialogs import Command, CommandName, Engine, Event, Press, Replace, Text, new_state
from dialogs.engine.events import CodeEntered, CodeResult
from dialogs.engine.outputs import (
    AcceptInvitation,
    DeclineInvitation,
    EndLink,
    SendCounsellorMessage,
    SetSharing,
)
from dialogs.engine.state import Screen
from dialogs.linking.casefile import InvitationView, LinkView, Look, LookKind, Section
from tests.dialogs.chat import EngineChat

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
INVITE = InvitationView(7, "Anna", "Noord", NOW + timedelta(days=7), label="Jan")
LINK = LinkView(3, "Anna", "Noord", frozenset({Section.PLAN}), NOW - timedelta(days=30))
OTHER = LinkView(4, "Bram", None, frozenset(), NOW - timedelta(days=3))


def opened(chat: EngineChat, invitation: InvitationView = INVITE) -> None:
    """What the caller does when a code opens an invitation: it is in the state from now on."""
    chat.state = replace(chat.state, invitation=invitation)
    chat.step(CodeEntered(CodeResult.OPENED))


def linked(chat: EngineChat, *links: LinkView) -> EngineChat:
    chat.state = replace(chat.state, links=links or (LINK,))
    return chat


def test_a_stranger_from_a_link_hears_who_invites_then_consents_then_chooses(
    chat: EngineChat,
) -> None:
    opened(chat)
    assert "Anna nodigt je uit" in chat.text
    assert "Mag ik je antwoorden bewaren?" in chat.text
    chat.press("Ja")
    assert "Anna (Noord) wil graag met je meekijken" in chat.text
    assert [label[:1] for label in chat.labels[:3]] == ["⬜", "⬜", "⬜"]

    chat.press("Krachten")
    assert isinstance(chat.outputs[-1], Replace)
    assert chat.labels[0] == "✅ Krachten"
    chat.press("Reflecties")
    chat.press("Reflecties")  # and off again
    chat.press("Koppelen")

    assert chat.now_of(AcceptInvitation) == [AcceptInvitation(7, frozenset({Section.STRENGTHS}))]
    assert "Zodra Anna dat bevestigt, ziet Anna: Krachten" in chat.texts[0]
    assert chat.node == "housing.wish"  # a new client goes on with the strengths inventory
    assert chat.state.invitation is None


def test_a_client_in_the_middle_of_a_question_declines_and_is_back_at_it(
    client: EngineChat,
) -> None:
    client.send("Een eigen huis")
    question = client.node
    opened(client)
    assert "wil graag met je meekijken" in client.text

    client.press("Nu niet")

    assert client.now_of(DeclineInvitation) == [DeclineInvitation(7)]
    assert "je bent niet gekoppeld" in client.texts[0]
    assert client.node == question
    assert not client.of(AcceptInvitation)


def test_a_double_tap_on_link_links_once(client: EngineChat) -> None:
    opened(client)
    accept = client.button("Koppelen").data
    client.step(Press(accept))
    client.step(Press(accept))
    assert len(client.of(AcceptInvitation)) == 1
    assert client.notices


@pytest.mark.parametrize(
    ("result", "wait", "expected"),
    [
        (CodeResult.WRONG, 0, "Die code ken ik niet"),
        (CodeResult.EXPIRED, 0, "verlopen"),
        (CodeResult.USED, 0, "al gebruikt"),
        (CodeResult.SLOW_DOWN, 4, "over 4 minuten"),
        (CodeResult.OPENED, 0, "al gebruikt"),  # opened, yet gone by the time the state loaded
    ],
)
def test_a_code_that_does_not_open_gets_a_clear_answer_and_the_question_again(
    client: EngineChat, result: CodeResult, wait: int, expected: str
) -> None:
    question = client.texts[-1]
    client.step(CodeEntered(result, wait))
    assert expected in client.texts[0]
    assert client.text == question
    assert not client.of(AcceptInvitation)


def test_a_stranger_with_a_wrong_code_hears_it_and_gets_the_welcome(chat: EngineChat) -> None:
    chat.step(CodeEntered(CodeResult.WRONG))
    assert "Die code ken ik niet" in chat.texts[0]
    assert "Mag ik je antwoorden bewaren?" in chat.text
    assert not chat.state.dialog.consented


def test_sharing_without_a_counsellor_says_how_to_get_one(client: EngineChat) -> None:
    for command in (CommandName.SHARING, CommandName.COUNSELLOR):
        client.command(command)
        assert "nog niet gekoppeld" in client.texts[0]


def test_sharing_toggles_count_at_once(client: EngineChat) -> None:
    linked(client).command(CommandName.SHARING)
    assert "Wat Anna (Noord) mag zien" in client.text
    assert "✅ Plan en herinneringen" in client.labels

    client.press("Plan en herinneringen")
    assert client.now_of(SetSharing) == [SetSharing(3, frozenset())]
    client.press("Krachten")
    assert client.now_of(SetSharing) == [SetSharing(3, frozenset({Section.STRENGTHS}))]
    assert client.labels[0] == "✅ Krachten"


def test_ending_a_link_asks_first(client: EngineChat) -> None:
    linked(client).command(CommandName.SHARING)
    client.press("Koppeling beëindigen")
    assert "Weet je zeker" in client.text
    client.press("Nee")
    assert "Wat Anna (Noord) mag zien" in client.text
    assert not client.of(EndLink)

    client.press("Koppeling beëindigen")
    client.press("Ja")
    assert client.of(EndLink) == [EndLink(3)]
    assert "beëindigd" in client.texts[0]
    assert client.state.links == ()


def test_a_forged_unlink_without_the_question_does_nothing(client: EngineChat) -> None:
    linked(client).command(CommandName.SHARING)
    seq = client.state.dialog.prompt_seq
    for data in (f"q{seq}:unlink:3", f"q{seq}:unlink:99", f"q{seq}:stoggle:secrets"):
        client.step(Press(data))
    assert not client.of(EndLink)
    assert not client.of(SetSharing)


def test_two_counsellors_are_chosen_from(client: EngineChat) -> None:
    linked(client, LINK, OTHER).command(CommandName.SHARING)
    assert "Over welke begeleider" in client.text
    client.press("Bram")
    assert "Wat Bram mag zien" in client.text


def test_who_saw_lists_the_looks_newest_first(client: EngineChat) -> None:
    client.command(CommandName.WHO_SAW)
    assert "Nog niemand" in client.texts[0]
    looks = (
        Look("Anna", LookKind.EXPORT, (Section.PLAN,), NOW - timedelta(hours=1)),
        Look("Anna", LookKind.VIEW, (), NOW - timedelta(days=1)),
    )
    client.state = replace(client.state, looks=looks)
    client.command(CommandName.WHO_SAW)
    lines = client.texts[0].splitlines()[1:]
    assert "Anna · maakte een export: Plan en herinneringen" in lines[0]
    assert "Anna · bekeek: nog niets" in lines[1]


def test_a_message_to_the_counsellor(client: EngineChat) -> None:
    linked(client).command(CommandName.COUNSELLOR)
    client.press("Een bericht sturen")
    client.send("Ik ben morgen ziek, kan de afspraak later?")
    assert client.of(SendCounsellorMessage) == [
        SendCounsellorMessage("message", "Ik ben morgen ziek, kan de afspraak later?")
    ]
    assert "Verstuurd" in client.texts[0]
    assert "Domein 1 van 8" in client.text  # and back to where they were


def test_a_call_request_may_say_when(client: EngineChat) -> None:
    linked(client).command(CommandName.COUNSELLOR)
    client.press("belt")
    client.press("Overslaan")
    client.command(CommandName.COUNSELLOR)
    client.press("belt")
    client.send("Na drie uur")
    assert client.of(SendCounsellorMessage) == [
        SendCounsellorMessage("call", ""),
        SendCounsellorMessage("call", "Na drie uur"),
    ]


@pytest.mark.parametrize("name", [CommandName.INVITE, CommandName.CLIENTS, CommandName.EXPORT])
def test_desk_commands_are_not_for_clients(client: EngineChat, name: CommandName) -> None:
    question = client.text
    client.step(Command(name, "12"))
    assert "voor begeleiders" in client.texts[0]
    assert client.text == question


@pytest.mark.parametrize(
    ("event", "screen", "code"),
    [
        (Command(CommandName.START, "Zq8x-link-code"), Screen.MENU, "Zq8x-link-code"),
        (Text("K7QM-4XPN"), Screen.QUESTION, "K7QM-4XPN"),  # as printed: read unasked
        (Text("k7qm - 4xpn"), Screen.MENU, "k7qm - 4xpn"),
        (Text("verhuren"), Screen.CODE, "verhuren"),  # after "Ik heb een code"
        (Text("verhuren"), Screen.QUESTION, None),  # an answer, never a code unasked
        (Text("K7QM4XPN"), Screen.QUESTION, None),  # without the dash: could be a word
        (Command(CommandName.START), Screen.MENU, None),
        (Text("ik wil dood K7QM-4XPN"), Screen.CODE, None),  # a crisis is answered first
    ],
)
def test_what_the_engine_reads_as_an_invitation_code(
    engine: Engine, event: Event, screen: Screen, code: str | None
) -> None:
    state = new_state("nl").with_dialog(consented=True, screen=screen)
    assert engine.code_in(state, event) == code
