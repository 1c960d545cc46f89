"""The engine, driven like a person: consent, every node of the inventory, and every way out."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialogs import (
    AnswerStatus,
    CommandName,
    Content,
    Edited,
    Engine,
    Press,
    Replace,
    SaveAnswer,
    Say,
    Text,
    UnknownCommand,
    Unreadable,
    load_content,
)
from dialogs.content.flows import NodeKind
from dialogs.engine.state import Frame, Screen
from tests.dialogs.chat import EngineChat, change_housing_wish

QUESTIONS = [node.id for node in load_content().flows["inventory"].questions]


def walk_to(client: EngineChat, node_id: str) -> None:
    """Answer every question before `node_id` with typed text."""
    while client.node != node_id:
        assert client.node is not None, f"flow ended before {node_id}"
        if client.node == "priorities":
            client.press("Wonen")
            client.press("Klaar")
        else:
            client.send(f"antwoord bij {client.node}")


# --- before consent ----------------------------------------------------------------------------


def test_a_stranger_is_welcomed_and_asked_for_consent(chat: EngineChat) -> None:
    chat.send("hallo")
    assert "Mag ik je antwoorden bewaren?" in chat.text
    assert "Alleen jij" in chat.text
    assert chat.labels == ["✅ Ja, dat mag", "Nee, liever niet", "English"]
    assert not chat.state.dialog.consented
    assert not chat.saved


def test_declining_stores_nothing_and_says_how_to_come_back(chat: EngineChat) -> None:
    chat.send("hallo")
    chat.press("Nee")
    assert "niets van je bewaard" in chat.text
    assert "/start" in chat.text
    assert not chat.state.dialog.consented
    assert not chat.saved


@pytest.mark.parametrize("typed", ["Ja, dat mag", "ja", "JA!", "✅ ja dat mag"])
def test_consent_can_be_typed(chat: EngineChat, typed: str) -> None:
    chat.send("hallo")
    chat.send(typed)
    assert chat.state.dialog.consented
    assert chat.text.startswith("Domein 1 van 8")


def test_a_typed_no_or_language_is_the_button_and_other_words_are_not(chat: EngineChat) -> None:
    chat.send("hallo")
    chat.send("ja hoor, maar wat doe je?")  # not the button: asked again
    assert not chat.state.dialog.consented
    assert "Mag ik je antwoorden bewaren?" in chat.text
    chat.send("nee")
    assert "niets van je bewaard" in chat.text
    chat.send("english")
    assert "May I keep your answers?" in chat.text
    chat.send("yes")
    assert chat.state.dialog.language == "en"
    assert chat.state.dialog.consented


def test_the_welcome_switches_language_before_consent(chat: EngineChat) -> None:
    chat.command(CommandName.START)
    chat.press("English")
    assert "May I keep your answers?" in chat.text
    chat.press("Yes")
    assert chat.state.dialog.language == "en"
    assert chat.texts[0].startswith("Great that you are taking part")
    assert chat.text.startswith("Domain 1 of 8 · 🏠 Housing")


def test_consent_starts_the_inventory_with_visible_progress(client: EngineChat) -> None:
    assert client.state.dialog.consented
    assert client.texts[0].startswith("Fijn dat je meedoet")
    assert client.text.startswith("Domein 1 van 8 · 🏠 Wonen")
    assert "Hoe zou je graag willen wonen?" in client.text
    assert client.labels == ["⬅️ Terug", "⏭ Overslaan", "🤷 Weet ik niet", "⏸ Later verder"]


def test_pressing_consent_again_changes_nothing(client: EngineChat) -> None:
    client.step(Press("consent:yes:nl"))
    assert client.notices == ["Je doet al mee."]
    assert client.node == "housing.wish"


# --- the whole inventory ---------------------------------------------------------------


def test_the_whole_inventory_wish_first_with_progress_and_every_answer_saved(
    client: EngineChat, content: Content
) -> None:
    flow = content.flows["inventory"]
    domains = [node.group for node in flow.questions if node.group]
    assert len(set(domains)) == 8
    for number, node in enumerate(flow.questions, start=1):
        assert client.node == node.id
        if node.position:
            assert client.text.startswith(f"Domein {node.position[0]} van 8")
        if node.kind is NodeKind.MULTI_CHOICE:
            client.press("Geld")
            client.press("Gezondheid")
            client.press("Klaar")
        else:
            client.send(f"mijn antwoord {number}")
    # Per domain: wish first, then the current situation, then what helped before.
    keys = [saved.key for saved in client.saved]
    assert keys[:3] == [
        "inventory.housing.wish",
        "inventory.housing.current",
        "inventory.housing.past",
    ]
    assert keys[-3:] == ["inventory.qualities", "inventory.appreciated", "inventory.priorities"]
    assert len(keys) == len(flow.questions) == 8 * 3 + 3
    assert client.saved[-1].choices == ("money", "health")
    assert "Dank je wel" in client.texts[0]
    assert client.state.dialog.frame is None
    assert client.state.dialog.screen is Screen.MENU


@pytest.mark.parametrize(
    ("button", "status"),
    [("Overslaan", AnswerStatus.SKIPPED), ("Weet ik niet", AnswerStatus.UNKNOWN)],
    ids=["skip", "dont_know"],
)
@pytest.mark.parametrize("node_id", QUESTIONS)
def test_skip_and_dont_know_at_every_question(
    client: EngineChat, node_id: str, button: str, status: AnswerStatus
) -> None:
    walk_to(client, node_id)
    client.press(button)
    assert client.saved[-1] == SaveAnswer(f"inventory.{node_id}", status)
    assert client.node != node_id


@pytest.mark.parametrize("node_id", QUESTIONS)
def test_back_at_every_question(client: EngineChat, node_id: str) -> None:
    walk_to(client, node_id)
    saved_before = len(client.saved)
    client.press("Terug")
    if node_id == QUESTIONS[0]:
        assert client.notices == ["Dit is de eerste vraag."]
        assert client.node == node_id
    else:
        previous = QUESTIONS[QUESTIONS.index(node_id) - 1]
        assert client.node == previous
        assert "Je antwoord tot nu toe:" in client.text
    assert len(client.saved) == saved_before  # going back loses and stores nothing


@pytest.mark.parametrize("node_id", QUESTIONS)
def test_pause_at_every_question_and_continue_exactly_there(
    client: EngineChat, node_id: str
) -> None:
    walk_to(client, node_id)
    client.press("Later verder")
    assert "Alles wat je hebt verteld, is bewaard" in client.text
    client.later(days=3)
    client.send("hoi, daar ben ik weer")
    assert "Je schreef: “hoi, daar ben ik weer”\nIs dit je antwoord op deze vraag?" in client.text
    assert client.labels == ["✅ Ja, bewaar het", "✖️ Nee"]
    assert all(saved.text != "hoi, daar ben ik weer" for saved in client.saved)
    client.press("Nee")
    assert client.texts[0] == "Goed, dat heb ik niet bewaard. Hier is de vraag nog een keer."
    assert all(saved.text != "hoi, daar ben ik weer" for saved in client.saved)
    assert client.node == node_id
    assert client.state.dialog.screen is Screen.QUESTION
    assert client.state.dialog.frame is not None
    assert client.state.dialog.frame.held is None


# --- kinds of answers ----------------------------------------------------------------------------


def test_priorities_toggle_in_place_within_one_to_three(client: EngineChat) -> None:
    walk_to(client, "priorities")
    client.press("Klaar")
    assert client.notices == ["Kies er minstens 1. Of kies Overslaan."]
    for domain in ("Wonen", "Geld", "Werk"):
        client.press(domain)
        assert isinstance(client.outputs[-1], Replace)  # the same message, redrawn
    client.press("Gezondheid")
    assert client.notices == ["Je kunt er hoogstens 3 kiezen. Haal er eerst een weg."]
    client.press("Geld")  # untick
    assert "✅ 💶 Geld" not in client.labels
    client.press("Klaar")
    assert client.saved[-1].choices == ("housing", "work")


def test_priorities_in_own_words(client: EngineChat) -> None:
    walk_to(client, "priorities")
    client.press("Familie")
    client.send("Mijn kinderen weer zien")
    assert client.saved[-1].text == "Mijn kinderen weer zien"
    assert client.saved[-1].choices == ("relations",)


def test_a_typed_button_label_counts_as_pressing_it(client: EngineChat) -> None:
    client.send("Weet ik niet")
    assert client.saved[-1].status is AnswerStatus.UNKNOWN
    client.send("later verder")
    assert client.state.dialog.paused


def test_skipping_a_question_answered_before_keeps_the_answer(client: EngineChat) -> None:
    client.send("Een eigen huis")
    client.press("Terug")
    assert "Een eigen huis" in client.text
    client.press("Overslaan")
    assert [s.text for s in client.saved] == ["Een eigen huis"]
    assert client.state.answers["inventory.housing.wish"].text == "Een eigen huis"


def test_long_text_emoji_and_markup_are_kept_exactly(client: EngineChat) -> None:
    answer = "🏡 <b>thuis</b> *_[]_* " + "x" * 5000
    client.send(answer)
    assert client.saved[-1].text == answer.strip()


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "\ufeff \u2060"])
def test_empty_looking_text_is_not_an_answer(client: EngineChat, text: str) -> None:
    client.send(text)
    assert not client.saved
    assert client.texts[0].startswith("Sorry, ik kan alleen tekst lezen")
    assert client.node == "housing.wish"


# --- buttons on old messages, double taps ----------------------------------------------


def test_a_second_quick_tap_answers_nothing_twice(client: EngineChat) -> None:
    skip = client.button("Overslaan")
    client.step(Press(skip.data))
    client.step(Press(skip.data))
    assert client.notices == ["Deze knop hoort bij een eerdere vraag."]
    assert [s.key for s in client.saved] == ["inventory.housing.wish"]
    assert client.node == "housing.current"
    assert not client.texts  # only the short note, the question is still on screen


def test_a_button_from_a_much_older_message_shows_the_current_question(client: EngineChat) -> None:
    old_skip = client.button("Overslaan")
    client.send("een")
    client.send("twee")
    client.step(Press(old_skip.data))
    assert client.notices == ["Deze knop hoort bij een eerdere vraag."]
    assert client.node == "housing.past"
    assert "Wat hielp toen?" in client.text
    assert len(client.saved) == 2


@pytest.mark.parametrize(
    "data", ["", "nonsense", "q:skip", "q99999:skip", "lang:xx", "q1:edit:../x"]
)
def test_forged_or_foreign_button_data_changes_nothing(client: EngineChat, data: str) -> None:
    before = client.state.answers
    client.step(Press(data))
    assert client.state.answers == before
    assert client.node == "housing.wish"
    assert not client.saved


def test_every_button_fits_telegrams_64_bytes(client: EngineChat) -> None:
    for node_id in QUESTIONS:
        walk_to(client, node_id)
        assert all(len(b.data.encode()) <= 64 for b in client.keyboard)


# --- commands and other input mid-flow -------------------------------------------------------


def test_menu_says_where_the_client_is_and_continues_there(client: EngineChat) -> None:
    walk_to(client, "money.current")
    client.command(CommandName.MENU)
    assert "Domein 2 van 8 · 💶 Geld" in client.text
    client.press("Verder met mijn krachten")
    assert client.node == "money.current"
    assert "Hoe gaat het nu met je geld?" in client.text


def test_start_mid_flow_offers_to_continue(client: EngineChat) -> None:
    walk_to(client, "work.wish")
    client.command(CommandName.START)
    assert "Welkom terug" in client.text
    assert "Domein 3 van 8" in client.text
    client.press("Verder waar ik was")
    assert client.node == "work.wish"


def test_help_explains_and_shows_the_question_again(client: EngineChat) -> None:
    client.command(CommandName.HELP)
    assert client.texts[0].startswith("Zo werk ik")
    assert "Hoe zou je graag willen wonen?" in client.text


def test_language_changes_any_time_and_the_question_follows(client: EngineChat) -> None:
    client.command(CommandName.LANGUAGE)
    client.press("English")
    assert client.texts[0] == "I will talk English with you now."
    assert client.text.startswith("Domain 1 of 8 · 🏠 Housing")
    assert client.labels[-1] == "⏸ Continue later"


@pytest.mark.parametrize(
    ("event", "reply"),
    [
        (Unreadable(), "Sorry, ik kan alleen tekst lezen"),
        (UnknownCommand(), "Die opdracht ken ik niet"),
    ],
)
def test_unreadable_input_gets_a_kind_answer_and_the_question_again(
    client: EngineChat, event: Unreadable | UnknownCommand, reply: str
) -> None:
    client.step(event)
    assert client.texts[0].startswith(reply)
    assert "Hoe zou je graag willen wonen?" in client.text
    assert not client.saved


def test_an_edited_message_is_answered_and_nothing_changes(client: EngineChat) -> None:
    client.send("Een huis")
    before = client.state
    client.step(Edited())
    assert "/mijnkrachten" in client.text
    assert client.state.answers == before.answers
    assert client.node == before.dialog.frame.node  # type: ignore[union-attr]


def test_text_after_a_long_silence_is_asked_about_and_saved_on_yes(client: EngineChat) -> None:
    client.later(hours=13)
    client.send("Een huis met tuin")
    assert not client.saved
    assert "Hier was je gebleven: Krachten in kaart" in client.text
    assert "Hoe zou je graag willen wonen?" in client.text
    assert "Je schreef: “Een huis met tuin”" in client.text
    # Held in the dialog, which is stored every turn: nothing typed lives only in memory.
    assert client.state.dialog.frame is not None
    assert client.state.dialog.frame.held == "Een huis met tuin"
    client.send("ja")  # typed like the button
    assert client.saved[-1].text == "Een huis met tuin"
    assert client.node == "housing.current"
    assert client.state.dialog.frame is not None
    assert client.state.dialog.frame.held is None


def test_a_held_text_goes_the_way_it_would_have_gone_at_the_question(client: EngineChat) -> None:
    client.press("Later verder")
    client.send("geen idee")  # during the pause: held, then read as at the question
    client.press("Ja")
    assert client.saved[-1].status is AnswerStatus.UNKNOWN
    client.later(hours=13)
    client.send("Een tuin")
    client.send("Nee, anders: een balkon")  # not a yes or no: this one is held instead
    assert "Je schreef: “Nee, anders: een balkon”" in client.text
    client.press("Ja")
    assert client.saved[-1].text == "Nee, anders: een balkon"
    assert [s.text for s in client.saved] == [None, "Nee, anders: een balkon"]


def test_an_old_yes_on_a_held_text_saves_nothing_twice(client: EngineChat) -> None:
    client.later(hours=13)
    client.send("Een huis met tuin")
    yes = client.button("Ja")
    client.step(Press(yes.data))
    client.step(Press(yes.data))
    assert client.notices == ["Deze knop hoort bij een eerdere vraag."]
    assert [s.text for s in client.saved] == ["Een huis met tuin"]


def test_text_soon_after_is_the_answer(client: EngineChat) -> None:
    client.later(hours=11)
    client.send("Een huis met tuin")
    assert client.saved[-1].text == "Een huis met tuin"


def test_text_on_the_menu_is_not_stored_but_said_so(client: EngineChat) -> None:
    client.command(CommandName.MENU)
    client.send("ik wil een huis")
    assert not client.saved
    assert "niet als antwoord bewaard" in client.texts[0]
    assert client.node == "housing.wish"
    assert client.state.dialog.screen is Screen.QUESTION


# --- overview and changing answers -----------------------------------------------------------


def test_overview_before_any_answer(client: EngineChat) -> None:
    client.command(CommandName.STRENGTHS)
    assert "nog niets ingevuld" in client.texts[0]


def test_overview_per_domain_and_change_an_answer(client: EngineChat) -> None:
    client.send("Een eigen huis")
    client.press("Weet ik niet")
    client.command(CommandName.STRENGTHS)
    overview = client.texts[0]
    assert (
        "🏠 Wonen\n• Wat ik wil: Een eigen huis\n• Hoe het nu gaat: (weet ik nog niet)" in overview
    )
    assert "• Wat eerder hielp: (nog niet ingevuld)" in overview
    assert overview.endswith(
        "Nog niet ingevuld: 💶 Geld, 🛠 Werk, school en dagbesteding, "
        "👥 Familie, vrienden en relaties, 💚 Gezondheid, 🎨 Vrije tijd, "
        "🌱 Zingeving, geloof en cultuur, 🔄 Herstel en verslaving, Waar ik goed in ben, "
        "Wat anderen in mij waarderen, Wat nu het belangrijkst is"
    )
    client.press("Wonen")
    assert client.labels == ["Wat ik wil", "Hoe het nu gaat", "Wat eerder hielp", "⬅️ Terug"]
    client.press("Wat ik wil")
    assert "Je antwoord tot nu toe: Een eigen huis" in client.text
    client.send("Een huis met een tuin, dicht bij mijn zus")
    assert client.saved[-1].key == "inventory.housing.wish"
    assert client.texts[0].startswith("Bewaard")
    # The inventory in progress is still where it was.
    client.command(CommandName.MENU)
    client.press("Verder met mijn krachten")
    assert client.node == "housing.past"


def test_back_while_changing_an_answer_cancels_the_change(client: EngineChat) -> None:
    client.send("Een eigen huis")
    change_housing_wish(client)
    client.press("Terug")
    assert client.state.dialog.screen is Screen.EDIT_TOPICS
    assert len(client.saved) == 1


def test_an_edit_left_for_the_menu_keeps_the_place_in_the_inventory(client: EngineChat) -> None:
    walk_to(client, "money.wish")
    change_housing_wish(client)
    client.command(CommandName.MENU)
    client.press("Verder met mijn krachten")
    assert client.node == "money.wish"
    assert len(client.state.dialog.stack) == 1


def test_a_finished_inventory_can_be_walked_again_with_earlier_answers_shown(
    client: EngineChat,
) -> None:
    walk_to(client, "priorities")
    client.press("Wonen")
    client.press("Klaar")
    assert client.state.dialog.frame is None
    client.press("Krachten in kaart brengen")
    assert client.node == "housing.wish"
    assert "Je antwoord tot nu toe: antwoord bij housing.wish" in client.text


# --- purity and robustness of the state --------------------------------------------------------


def test_the_same_input_gives_the_same_output(
    engine: Engine, client: EngineChat, now: datetime
) -> None:
    first = engine.step(client.state, Text("Een huis"), now)
    second = engine.step(client.state, Text("Een huis"), now)
    assert first == second


def test_a_screen_of_removed_content_falls_back_to_the_menu(
    engine: Engine, client: EngineChat, now: datetime
) -> None:
    stale = client.state.with_dialog(stack=(), screen=Screen.EDIT_TOPICS, screen_arg="gone")
    state, outputs = engine.step(stale, Unreadable(), now)
    assert state.dialog.screen is Screen.MENU
    assert isinstance(outputs[-1], Say)
    assert outputs[-1].text.startswith("Menu")


def test_a_frame_pointing_at_removed_content_is_dropped(
    engine: Engine, client: EngineChat, now: datetime
) -> None:
    stale = client.state.with_dialog(stack=(Frame(flow="inventory", node="gone.wish"),))
    state, outputs = engine.step(stale, Text("hallo"), now)
    assert state.dialog.frame is None
    assert any(isinstance(o, Say) and o.text.startswith("Menu") for o in outputs)
