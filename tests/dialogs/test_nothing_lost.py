"""Nothing typed is lost: an answer changed after a pause is saved, text after a pause or a
long silence is asked about, "weet ik niet" and "overslaan" ask before replacing an answer,
typed "geen idee" counts as the button, and text the bot does not store is said to be so."""

from __future__ import annotations

import pytest

from dialogs import AnswerStatus, CommandName, Notice, Say
from dialogs.engine.outputs import SaveStep
from dialogs.engine.state import Screen
from tests.dialogs.chat import EngineChat, change_housing_wish, make_plan, open_step


def test_an_answer_changed_after_a_pause_is_saved(client: EngineChat) -> None:
    client.send("Een eigen huis")
    client.press("Later verder")
    change_housing_wish(client)
    client.send("Een huis met een tuin")
    assert client.saved[-1].key == "inventory.housing.wish"
    assert client.saved[-1].text == "Een huis met een tuin"
    assert client.texts[0].startswith("Bewaard")


def test_text_during_a_pause_is_saved_on_yes(client: EngineChat) -> None:
    client.press("Later verder")
    client.send("Een huis met tuin")
    assert not client.saved
    assert "Hoe zou je graag willen wonen?" in client.text
    assert "Je schreef: “Een huis met tuin”" in client.text
    client.press("Ja, bewaar het")
    assert client.saved[-1].text == "Een huis met tuin"
    assert client.node == "housing.current"
    assert not client.state.dialog.paused


def test_no_keeps_the_text_unsaved_and_shows_the_question(client: EngineChat) -> None:
    client.later(hours=13)
    client.send("hoi")
    client.send("nee")  # typed like the button
    assert client.texts == [
        "Goed, dat heb ik niet bewaard. Hier is de vraag nog een keer.",
        client.text,
    ]
    assert "Hoe zou je graag willen wonen?" in client.text
    assert not client.saved
    client.send("Een huis met tuin")  # now at the question: the answer
    assert client.saved[-1].text == "Een huis met tuin"


def test_a_held_date_goes_through_klopt_dat(client: EngineChat) -> None:
    make_plan(client, due=None, remind=None)
    open_step(client)
    client.press("Aanpassen")
    client.press("Wanneer")
    client.later(hours=13)
    client.send("25-12")
    assert "Je schreef: “25-12”" in client.text
    client.press("Ja, bewaar het")
    assert client.text == "Vrijdag 25 december. Klopt dat?"


@pytest.mark.parametrize(
    "typed",
    ["weet niet", "Weet ik niet.", "geen idee", "Geen idee!", "dont know", "don't know", "idk"],
)
def test_typed_dont_know_counts_as_the_button(client: EngineChat, typed: str) -> None:
    client.send(typed)
    assert client.saved[-1].status is AnswerStatus.UNKNOWN
    assert client.saved[-1].text is None
    assert client.node == "housing.current"


def test_typed_dont_know_in_english(chat: EngineChat) -> None:
    english = EngineChat(chat.engine, chat.now, "en")
    english.send("hello")
    english.press("Yes")
    english.send("No idea")
    assert english.saved[-1].status is AnswerStatus.UNKNOWN


def test_typed_dont_know_at_a_question_that_needs_an_answer(client: EngineChat) -> None:
    client.command(CommandName.PLAN)
    client.send("geen idee")
    assert client.texts == ["Deze vraag heb ik nodig. Typ je antwoord, of kies Later verder."]
    assert client.node == "goal"
    assert not client.of(SaveStep)


def test_dont_know_on_an_answered_question_asks_first(client: EngineChat) -> None:
    client.send("Een eigen huis")
    client.press("Terug")
    client.press("Weet ik niet")
    assert client.text == (
        "Bij deze vraag had je al een antwoord:\nEen eigen huis\n\n"
        "Wil je dat houden, of vervangen door “weet ik niet”?"
    )
    assert client.labels == ["👍 Houden", "🤷 Vervangen door “weet ik niet”"]
    assert len(client.saved) == 1
    client.send("houden")
    assert len(client.saved) == 1
    assert client.state.answers["inventory.housing.wish"].text == "Een eigen huis"
    assert client.node == "housing.current"
    client.press("Terug")
    client.send("weet ik niet")
    client.press("Vervangen")
    assert client.saved[-1].status is AnswerStatus.UNKNOWN
    assert client.node == "housing.current"


def test_skip_on_an_answered_question_asks_first(client: EngineChat) -> None:
    client.send("Een eigen huis")
    client.press("Terug")
    client.press("Overslaan")
    assert "Wil je dat houden, of weghalen?" in client.text
    client.press("Weghalen")
    assert client.saved[-1].status is AnswerStatus.SKIPPED
    assert client.state.answers["inventory.housing.wish"].status is AnswerStatus.SKIPPED


def test_dont_know_on_an_unanswered_or_skipped_question_asks_nothing(client: EngineChat) -> None:
    client.press("Overslaan")
    client.press("Terug")
    client.press("Weet ik niet")
    assert client.saved[-1].status is AnswerStatus.UNKNOWN
    assert client.node == "housing.current"


def test_keeping_while_changing_an_answer_changes_nothing(client: EngineChat) -> None:
    client.send("Een eigen huis")
    change_housing_wish(client)
    client.press("Weet ik niet")
    client.press("Houden")
    assert len(client.saved) == 1
    assert client.state.dialog.screen is Screen.EDIT_TOPICS


def test_dont_know_on_a_steps_date_asks_before_replacing_it(client: EngineChat) -> None:
    make_plan(client)
    open_step(client)
    client.press("Aanpassen")
    client.press("Wanneer")
    client.press("Weet ik niet")
    assert "Bij deze vraag had je al een antwoord:\nvrijdag 4 december" in client.text
    client.press("Houden")
    assert len(client.of(SaveStep)) == 1
    assert client.state.dialog.screen is Screen.PLAN_STEP
    client.press("Aanpassen")
    client.press("Wanneer")
    client.press("Overslaan")
    client.press("Weghalen")
    assert client.of(SaveStep)[-1].step.due is None


def test_text_with_no_question_open_is_said_not_to_be_saved(client: EngineChat) -> None:
    client.state = client.state.with_dialog(stack=())
    client.send("Een huis")
    assert client.texts[0] == (
        "Dit bericht heb ik niet bewaard, want er staat nu geen vraag open. "
        "Kies hieronder wat je wilt doen."
    )
    assert client.text.startswith("Menu")
    assert not client.saved


def test_a_typed_label_that_changes_nothing_is_answered_in_words(client: EngineChat) -> None:
    client.send("terug")  # at the first question: the short note is said, not a silent toast
    assert client.outputs == [Say("Dit is de eerste vraag.")]
    assert not [output for output in client.outputs if isinstance(output, Notice)]


def test_text_on_a_keep_or_replace_question_is_held(client: EngineChat) -> None:
    client.send("Een eigen huis")
    client.press("Terug")
    client.press("Weet ik niet")
    client.send("Een huis met tuin")
    assert "Je schreef: “Een huis met tuin”" in client.text
    client.press("Ja, bewaar het")
    assert client.saved[-1].text == "Een huis met tuin"
