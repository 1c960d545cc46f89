"""Resources (hulpbronnen) in the pure engine: naming them, taking one off the list, the network
map, "who could help?" from a goal turning into a step, and sharing them with a counsellor."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dialogs import CommandName, Content, ContentError, Engine, Press, Replace, load_content
from dialogs.content.diagram import mermaid
from dialogs.content.files import DEFAULT_CONTENT_DIR
from dialogs.engine.events import CodeEntered, CodeResult
from dialogs.engine.outputs import (
    RemoveResource,
    SaveResource,
    SaveStep,
    ScheduleReminder,
    SetSharing,
    ShowNetworkMap,
)
from dialogs.engine.state import Closeness, Resource, ResourceKind, Screen, Step
from dialogs.linking.casefile import InvitationView, LinkView, Section
from dialogs.resources.network import map_labels
from tests.dialogs.chat import EngineChat, answer_step, make_plan

PLUS = "\N{HEAVY PLUS SIGN}"
RIET = Resource(1, "Mijn zus Riet", ResourceKind.CLOSE, Closeness.CLOSE, help_with="Boodschappen")
LIBRARY = Resource(2, "De bibliotheek", ResourceKind.COMMUNITY, Closeness.FAR, domain="leisure")
LINK = LinkView(3, "Anna", None, frozenset({Section.PLAN}), datetime(2026, 10, 1, tzinfo=UTC))


def add_resource(
    chat: EngineChat,
    name: str,
    kind: str,
    ring: str,
    *,
    goal: str | None = None,
    domain: str | None = None,
    help_with: str | None = None,
) -> None:
    """Answer the questions of one resource; `name` is typed unless a suggestion has it."""
    if any(name in label for label in chat.labels):
        chat.press(name)
    else:
        chat.send(name)
    chat.press(kind)
    chat.press(ring)
    if chat.node == "goal":
        chat.press(goal) if goal else chat.press("Overslaan")
    if chat.node == "domain":
        chat.press(domain) if domain else chat.press("Overslaan")
    chat.send(help_with) if help_with else chat.press("Overslaan")


def with_resources(chat: EngineChat, *resources: Resource) -> EngineChat:
    """What the caller loads: the client's active resources and the highest number given."""
    numbers = [r.number for r in resources]
    chat.state = replace(chat.state, resources=resources, last_resource=max(numbers, default=0))
    return chat


def at_the_goal(chat: EngineChat, *resources: Resource) -> None:
    """A plan with one goal and these resources; the goal's screen is open."""
    make_plan(chat)
    with_resources(chat, *resources)
    chat.command(CommandName.MY_PLAN)
    chat.press("🎯 1")


@pytest.fixture
def finished(client: EngineChat) -> EngineChat:
    """A client who left the inventory, so the menu is where flows end."""
    client.state = client.state.with_dialog(stack=())
    return client


# --- naming resources -------------------------------------------------------------------------


def test_without_resources_the_command_explains_and_starts_adding(finished: EngineChat) -> None:
    finished.command(CommandName.RESOURCES)
    assert finished.texts[0].startswith("Hulpbronnen zijn mensen en plekken")
    assert "Begin bij je eigen netwerk" in finished.texts[0]
    assert "Hulpverleners komen als laatste" in finished.texts[0]
    assert finished.node == "name"
    assert finished.labels == ["⬅️ Terug", "⏸ Later verder"]  # required: no skip


def test_what_helped_before_is_offered_and_two_are_named(client: EngineChat) -> None:
    client.send("Een eigen huis")
    client.send("Ik woon bij een vriend")
    client.send("Mijn zus Riet")  # housing: what helped before
    client.state = client.state.with_dialog(stack=())  # as if the inventory were left
    client.command(CommandName.RESOURCES)
    assert "Mijn zus Riet" in client.labels

    add_resource(client, "Mijn zus Riet", "Iemand dicht bij me", "Dichtbij", help_with="Koken")
    # No open goals: that question is passed by; the domain came with the suggestion.
    assert client.of(SaveResource) == [
        SaveResource(
            Resource(
                1, "Mijn zus Riet", ResourceKind.CLOSE, Closeness.CLOSE, None, "housing", "Koken"
            )
        )
    ]
    assert "Wil je nog iemand of iets toevoegen?" in client.text
    client.press("Ja, nog een")
    add_resource(client, "De bibliotheek", "Een plek of club", "Verder weg", domain="Vrije tijd")
    client.press("Nee, zo is het goed")

    assert client.of(SaveResource)[1] == SaveResource(
        Resource(2, "De bibliotheek", ResourceKind.COMMUNITY, Closeness.FAR, None, "leisure")
    )
    assert client.state.dialog.screen is Screen.RESOURCES
    assert client.text == (
        "🤝 Mijn hulpbronnen\n\n"
        "Iemand dicht bij me\n"
        "• Mijn zus Riet · Dichtbij · 🏠 Wonen · Koken\n\n"
        "Een plek of club in de buurt\n"
        "• De bibliotheek · Verder weg · 🎨 Vrije tijd"
    )
    assert client.labels == [
        f"{PLUS} Iemand of iets toevoegen",
        "🗑 Iemand of iets weghalen",
        "🗺 Netwerkkaart",
        "📋 Menu",
    ]


def test_named_in_the_middle_of_the_inventory_it_goes_on_there(client: EngineChat) -> None:
    client.send("Een eigen huis")
    client.command(CommandName.RESOURCES)
    add_resource(client, "Oom Kees", "Iemand die ik ken", "Verder weg", domain="Wonen")
    client.press("Nee, zo is het goed")
    assert client.texts[0].startswith("Goed zo.")
    assert client.node == "housing.current"


def test_a_resource_for_a_goal_needs_no_domain(finished: EngineChat) -> None:
    make_plan(finished)
    finished.command(CommandName.RESOURCES)
    add_resource(finished, "Buurman Piet", "Iemand die ik ken", "Er tussenin", goal="Werk vinden")
    assert finished.of(SaveResource)[-1].resource == Resource(
        1, "Buurman Piet", ResourceKind.KNOWN, Closeness.BETWEEN, goal=1
    )


def test_kind_and_closeness_are_buttons_only(finished: EngineChat) -> None:
    finished.command(CommandName.RESOURCES)
    finished.send("Oom Kees")
    finished.send("familie")
    assert finished.texts[0] == "Kies een van de knoppen."
    assert finished.node == "kind"
    assert "⏭ Overslaan" not in finished.labels  # the map needs a kind


def test_a_double_tap_answers_once(finished: EngineChat) -> None:
    finished.command(CommandName.RESOURCES)
    finished.send("Oom Kees")
    tap = Press(finished.button("Iemand dicht bij me").data)
    finished.step(tap)
    assert finished.node == "closeness"
    finished.step(tap)
    assert finished.notices == ["Deze knop hoort bij een eerdere vraag."]
    assert finished.node == "closeness"


def test_a_pause_in_the_middle_keeps_what_was_said(finished: EngineChat) -> None:
    finished.command(CommandName.RESOURCES)
    finished.send("Oom Kees")
    finished.press("Later verder")
    finished.command(CommandName.RESOURCES)  # again, while under way: carries on
    assert finished.node == "kind"
    assert len(finished.texts) == 1  # the question, without the introduction again
    assert finished.state.dialog.frame is not None
    assert finished.state.dialog.frame.values == {"name": "Oom Kees"}


# --- the list: removing one -------------------------------------------------------------------


def test_removing_asks_first_and_is_not_done_twice(finished: EngineChat) -> None:
    with_resources(finished, RIET, LIBRARY)
    finished.command(CommandName.RESOURCES)
    finished.press("weghalen")
    assert finished.text == "Wie of wat wil je van je lijst halen?"
    assert finished.labels == ["🗑 Mijn zus Riet", "🗑 De bibliotheek", "⬅️ Terug"]
    finished.press("De bibliotheek")
    assert finished.text.startswith("Wil je De bibliotheek van je lijst halen?")
    finished.press("Nee, toch niet")
    assert not finished.of(RemoveResource)
    assert "De bibliotheek" in finished.text

    finished.press("weghalen")
    finished.press("De bibliotheek")
    yes = Press(finished.button("Ja").data)
    finished.step(yes)
    assert finished.of(RemoveResource) == [RemoveResource(2)]
    assert finished.texts[0] == "De bibliotheek staat niet meer op je lijst."
    assert "De bibliotheek" not in finished.text
    assert finished.state.resources == (RIET,)
    finished.step(yes)  # a second quick tap
    assert finished.of(RemoveResource) == [RemoveResource(2)]
    assert finished.notices == ["Deze knop hoort bij een eerdere vraag."]


def test_a_removed_number_is_not_given_again(finished: EngineChat) -> None:
    with_resources(finished, RIET, LIBRARY)
    finished.command(CommandName.RESOURCES)
    finished.press("weghalen")
    finished.press("De bibliotheek")
    finished.press("Ja")
    finished.press("toevoegen")
    add_resource(finished, "Het buurthuis", "Een plek of club", "Verder weg")
    assert finished.of(SaveResource)[-1].resource.number == 3


def test_a_stale_remove_button_does_nothing(finished: EngineChat) -> None:
    with_resources(finished, RIET)
    finished.command(CommandName.RESOURCES)
    finished.press("weghalen")
    old = Press(finished.button("Mijn zus Riet").data)
    finished.command(CommandName.MENU)
    finished.step(old)
    assert finished.notices == ["Deze knop hoort bij een eerdere vraag."]
    assert not finished.of(RemoveResource)
    # A forged confirm without the question asked is ignored too.
    finished.step(Press(f"q{finished.state.dialog.prompt_seq}:rdrop:1"))
    assert not finished.of(RemoveResource)


# --- the network map --------------------------------------------------------------------------


def test_the_network_map_shows_the_active_resources_in_the_flows_words(
    finished: EngineChat, content: Content
) -> None:
    with_resources(finished, RIET, LIBRARY)
    finished.command(CommandName.NETWORK)
    [shown] = finished.now_of(ShowNetworkMap)
    assert shown.map.resources == (RIET, LIBRARY)
    assert shown.caption.startswith("Je netwerkkaart")
    labels = shown.map.labels
    assert labels == map_labels(content, "nl")
    assert labels.center == "Ik"
    assert labels.kinds[ResourceKind.COMMUNITY] == "Een plek of club in de buurt"
    assert labels.rings[Closeness.BETWEEN] == "Er tussenin"
    english = map_labels(content, "en")
    assert english.kinds[ResourceKind.CLOSE] == "Someone close to me"
    assert english.rings[Closeness.FAR] == "Further away"


def test_the_map_without_anyone_says_how_to_begin(finished: EngineChat) -> None:
    finished.command(CommandName.NETWORK)
    [shown] = finished.now_of(ShowNetworkMap)
    assert shown.map.resources == ()
    assert "/hulpbronnen" in shown.caption


def test_the_map_button_sends_the_map_and_keeps_the_list(finished: EngineChat) -> None:
    with_resources(finished, RIET)
    finished.command(CommandName.RESOURCES)
    finished.press("Netwerkkaart")
    assert len(finished.now_of(ShowNetworkMap)) == 1
    assert finished.state.dialog.screen is Screen.RESOURCES
    assert "Mijn zus Riet" in finished.text


# --- who could help with a goal -----------------------------------------------------------------


def test_someone_new_asked_for_help_becomes_a_step_with_a_reminder(finished: EngineChat) -> None:
    at_the_goal(finished, RIET)
    finished.press("Wie kan helpen?")
    assert "Wie zou je kunnen helpen" in finished.text
    assert finished.labels[:2] == ["Mijn zus Riet", "🆕 Iemand anders"]
    finished.press("Iemand anders")
    finished.send("Buurvrouw Ans")
    finished.press("Iemand die ik ken")
    finished.press("Er tussenin")
    finished.send("mijn CV nakijken")
    assert finished.of(SaveResource)[-1].resource == Resource(
        2, "Buurvrouw Ans", ResourceKind.KNOWN, Closeness.BETWEEN, 1, None, "mijn CV nakijken"
    )
    assert '"Vraag Buurvrouw Ans om hulp bij: mijn CV nakijken"' in finished.text

    finished.press("Ja, maak er een stap van")
    assert finished.node == "due"  # what and who were known
    finished.send("vrijdag")
    finished.press("Ja, klopt")
    finished.send("donderdag 10:00")
    finished.press("Ja, klopt")

    remind = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
    assert finished.of(SaveStep)[-1] == SaveStep(
        Step(
            2,
            1,
            "Vraag Buurvrouw Ans om hulp bij: mijn CV nakijken",
            who="network",
            who_name="Buurvrouw Ans",
            due=date(2026, 12, 4),
            remind_at=remind,
        )
    )
    assert finished.of(ScheduleReminder)[-1] == ScheduleReminder(2, remind)
    assert finished.state.dialog.screen is Screen.PLAN_GOAL  # back at the goal
    assert "met Buurvrouw Ans" in finished.text


def test_one_of_the_resources_gets_the_goal_and_need_not_become_a_step(
    finished: EngineChat,
) -> None:
    at_the_goal(finished, RIET, LIBRARY)
    finished.press("Wie kan helpen?")
    finished.press("Mijn zus Riet")
    finished.send("Vacatures zoeken")
    # Riet had no goal yet and keeps what the client said she helps with.
    assert finished.of(SaveResource) == [SaveResource(replace(RIET, goal=1))]
    finished.press("Nee, nu niet")
    assert finished.texts[0].startswith("Goed. Een stap maken kan later altijd")
    assert len(finished.of(SaveStep)) == 1  # only the step of make_plan
    assert finished.state.dialog.screen is Screen.PLAN_GOAL


def test_a_resource_placed_before_keeps_its_place(finished: EngineChat) -> None:
    at_the_goal(finished, LIBRARY)
    finished.press("Wie kan helpen?")
    finished.press("De bibliotheek")
    finished.send("Computer gebruiken")
    assert finished.of(SaveResource) == [
        SaveResource(replace(LIBRARY, help_with="Computer gebruiken"))
    ]


def test_in_a_step_someone_i_know_can_be_one_of_the_resources(finished: EngineChat) -> None:
    at_the_goal(finished, RIET, LIBRARY)
    finished.press("Nieuwe stap")
    finished.send("Samen naar het UWV")
    finished.press("Iemand die ik ken")
    assert finished.labels[:2] == ["Mijn zus Riet", "De bibliotheek"]
    finished.press("Mijn zus Riet")
    finished.press("Overslaan")
    finished.press("Geen herinnering")
    assert finished.of(SaveStep)[-1].step.who_name == "Mijn zus Riet"


def test_own_words_for_someone_i_know_still_count(finished: EngineChat) -> None:
    at_the_goal(finished, RIET)
    finished.press("Nieuwe stap")
    answer_step(finished, "Samen koken", who="Iemand die ik ken", name="Mijn oom", remind=None)
    assert finished.of(SaveStep)[-1].step.who_name == "Mijn oom"


# --- sharing with a counsellor ------------------------------------------------------------------


def test_resources_are_a_fourth_section_to_share_off_by_default(client: EngineChat) -> None:
    client.state = replace(client.state, links=(LINK,))
    client.command(CommandName.SHARING)
    assert client.labels[:4] == [
        "⬜ Krachten",
        "✅ Plan en herinneringen",
        "⬜ Reflecties",
        "⬜ Netwerk en hulpbronnen",
    ]
    client.press("Netwerk en hulpbronnen")
    assert isinstance(client.outputs[-1], Replace)
    assert client.now_of(SetSharing) == [
        SetSharing(3, frozenset({Section.PLAN, Section.RESOURCES}))
    ]
    assert client.labels[3] == "✅ Netwerk en hulpbronnen"


def test_the_invitation_names_the_fourth_section(client: EngineChat) -> None:
    invite = InvitationView(7, "Anna", None, datetime(2026, 12, 4, tzinfo=UTC))
    client.state = replace(client.state, invitation=invite)
    client.step(CodeEntered(CodeResult.OPENED))
    assert "• Netwerk en hulpbronnen: de mensen en plekken die je noemde" in client.text
    assert client.labels[3] == "⬜ Netwerk en hulpbronnen"


def test_in_english_too(engine_en: EngineChat) -> None:
    engine_en.command(CommandName.RESOURCES)
    assert engine_en.texts[0].startswith("Resources are people and places")
    engine_en.send("My sister")
    assert engine_en.labels[:4] == [
        "Someone close to me",
        "Someone I know",
        "A place or club nearby",
        "A professional service",
    ]


@pytest.fixture
def engine_en(engine: Engine, now: datetime) -> EngineChat:
    chat = EngineChat(engine, now, language="en")
    chat.send("hello")
    chat.press("Yes")
    chat.state = chat.state.with_dialog(stack=())
    return chat


# --- the content ------------------------------------------------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def test_the_kinds_of_resources_are_fixed_because_the_map_draws_them(copy: Path) -> None:
    flow = copy / "flows" / "resource.yaml"
    flow.write_text(
        flow.read_text(encoding="utf-8").replace("professional]", "service]"), encoding="utf-8"
    )
    with pytest.raises(ContentError, match="options must be close, known, community"):
        load_content(copy)


def test_a_flow_text_may_show_only_the_values_its_save_makes(copy: Path) -> None:
    texts = copy / "texts" / "nl.yaml"
    text = texts.read_text(encoding="utf-8")
    texts.write_text(text.replace("Zal ik hier een stap", "{name}: zal ik hier een stap"), "utf-8")
    with pytest.raises(ContentError, match=r"flows\.ask_help\.as_step uses \{name\}"):
        load_content(copy)


def test_the_flow_drawing_keeps_a_placeholder_as_it_is(content: Content) -> None:
    drawn = mermaid(content, "nl")
    assert "{help_step}" in drawn


def test_one_taken_off_the_list_while_asked_for_help_leaves_the_step_to_say_who(
    finished: EngineChat,
) -> None:
    at_the_goal(finished, RIET)
    finished.press("Wie kan helpen?")
    finished.press("Mijn zus Riet")
    finished.command(CommandName.RESOURCES)  # in between, Riet is taken off the list
    finished.press("weghalen")
    finished.press("Mijn zus Riet")
    finished.press("Ja")
    finished.command(CommandName.START)
    finished.press("Verder waar ik was")
    assert finished.node == "help_with"
    finished.send("Vacatures zoeken")
    assert not finished.of(SaveResource)
    assert '"Vacatures zoeken"' in finished.text
    finished.press("Ja, maak er een stap van")
    assert finished.node == "who_name"  # who it is, asked again
