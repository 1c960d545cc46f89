"""A crisis is answered at every entry, before anything else reads what the client wrote: a
message, a caption, an edited message, what follows a command; before consent, during a pause,
after a long silence, on "are you sure?". Such a message is never stored as an answer nor
offered back, unless the client saves it with the one button after "not saved"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogs import (
    Answer,
    AnswerStatus,
    Command,
    CommandName,
    Edited,
    Engine,
    Event,
    Press,
    SaveAnswer,
    Say,
    Text,
    UnknownCommand,
    Unreadable,
)
from dialogs.engine.callbacks import CRISIS_SAVE
from dialogs.engine.outputs import ForgetMe
from dialogs.engine.state import Screen
from tests.dialogs.chat import EngineChat
from tests.dialogs.test_linking import LINK

NOT_SAVED = "Dit bericht heb ik niet bewaard."
SAVE = "💾 Toch bewaren als antwoord"
QUESTION = "Hoe zou je graag willen wonen?"


def is_crisis(text: str) -> bool:
    return "0800-0113" in text and "112" in text and "Veilig Thuis" in text


def save_button(chat: EngineChat) -> list[str]:
    """The labels under "not saved" in the latest step."""
    said = [o for o in chat.outputs if isinstance(o, Say) and o.text == NOT_SAVED]
    assert len(said) == 1, chat.texts
    return [button.label for row in said[0].buttons for button in row]


@pytest.mark.parametrize(
    ("event", "then"),
    [
        (Unreadable("ik wil dood"), "Sorry, ik kan alleen tekst lezen"),  # a photo's caption
        (Edited("ik wil dood"), "Je hebt een bericht aangepast"),
        (Command(CommandName.HELP, "ik wil dood"), "Zo werk ik"),
        (Command(CommandName.COUNSELLOR, "ik wil dood"), "Je bent nog niet gekoppeld"),
        (Command(CommandName.START, "ik wil dood"), "Welkom terug"),
        (UnknownCommand("/foo ik wil dood"), "Die opdracht ken ik niet"),
    ],
    ids=["caption", "edited", "help", "counsellor", "start", "unknown command"],
)
def test_every_entry_gets_the_crisis_answer_first_then_its_usual_answer(
    client: EngineChat, event: Event, then: str
) -> None:
    client.step(event)
    assert is_crisis(client.texts[0])
    assert client.texts[1] == NOT_SAVED
    assert any(text.startswith(then) for text in client.texts[2:]), client.texts
    assert not client.now_of(SaveAnswer)


def test_what_follows_a_command_is_not_offered_as_an_answer(client: EngineChat) -> None:
    client.step(Command(CommandName.MENU, "ik wil dood"))
    assert save_button(client) == []
    client.step(Unreadable("ik wil dood"))
    assert save_button(client) == [SAVE]


def test_an_ordinary_caption_or_edit_is_answered_as_before(client: EngineChat) -> None:
    client.step(Unreadable("Mijn huis"))
    assert client.texts[0].startswith("Sorry, ik kan alleen tekst lezen")
    client.step(Edited("Een huis met tuin"))
    assert client.texts == [client.engine.content.ui("nl").edited]


def test_the_engine_says_which_events_signal_a_crisis(engine: Engine) -> None:
    assert engine.signals_crisis(Command(CommandName.START, "ik wil dood"))
    assert engine.signals_crisis(Text("i want to die"))
    assert engine.signals_crisis(Edited("ik wil dood"))
    assert not engine.signals_crisis(Command(CommandName.START, "K7QM-4XPN"))
    assert not engine.signals_crisis(Text("Meer rust"))
    assert not engine.signals_crisis(Press("crisis:save"))


def test_before_consent_nothing_is_kept_and_the_welcome_follows(chat: EngineChat) -> None:
    chat.step(Command(CommandName.START, "i want to die"))
    assert is_crisis(chat.texts[0])
    assert save_button(chat) == []
    assert "Mag ik je antwoorden bewaren?" in chat.text
    chat.step(Unreadable("ik wil dood"))
    assert is_crisis(chat.texts[0])
    assert "Mag ik je antwoorden bewaren?" in chat.text
    assert not chat.state.dialog.consented
    chat.step(Press(CRISIS_SAVE))
    assert not chat.saved


def test_during_a_pause_the_pause_stays_and_the_message_is_not_held_as_an_answer(
    client: EngineChat,
) -> None:
    client.press("Later verder")
    client.send("ik wil dood")
    assert is_crisis(client.texts[0])
    assert save_button(client) == [SAVE]
    assert client.state.dialog.screen is Screen.RESUME  # not "is dit je antwoord?"
    assert "▶️ Verder waar ik was" in client.labels
    assert not client.saved


def test_after_a_long_silence_the_question_comes_back(client: EngineChat) -> None:
    client.later(hours=13)
    client.send("ik wil dood")
    assert is_crisis(client.texts[0])
    assert QUESTION in client.text
    assert "Is dit je antwoord" not in client.text
    assert not client.saved


def test_on_are_you_sure_nothing_is_erased_and_the_question_stays(client: EngineChat) -> None:
    client.command(CommandName.FORGET_ME)
    client.send("ik wil dood")
    assert is_crisis(client.texts[0])
    assert "Weet je zeker dat ik alles van je moet wissen?" in client.text
    assert not client.of(ForgetMe)
    client.press("Nee, niet wissen")
    assert client.state.dialog.consented


def test_the_message_can_be_saved_as_the_answer_once(client: EngineChat) -> None:
    client.send("ik wil dood")
    assert save_button(client) == [SAVE]
    assert client.text.endswith("Denk aan je huis, de buurt en hoe je dag eruitziet.")
    assert client.state.dialog.frame is not None
    assert client.state.dialog.frame.held == "ik wil dood"  # in the stored dialog
    client.step(Press(CRISIS_SAVE))
    assert [(s.key, s.text) for s in client.saved] == [("inventory.housing.wish", "ik wil dood")]
    assert client.node == "housing.current"
    client.step(Press(CRISIS_SAVE))  # a second press
    assert client.notices == ["Deze knop hoort bij een eerdere vraag."]
    assert len(client.saved) == 1


def test_a_save_press_after_the_question_was_answered_saves_nothing(client: EngineChat) -> None:
    client.send("ik wil dood")
    client.send("Bij mijn zus")
    client.step(Press(CRISIS_SAVE))
    assert [s.text for s in client.saved] == ["Bij mijn zus"]
    assert client.notices == ["Deze knop hoort bij een eerdere vraag."]


def test_no_save_button_where_own_words_are_no_answer(client: EngineChat) -> None:
    client.command(CommandName.QUIET_HOURS)  # the answer is one of the buttons
    client.send("ik wil dood")
    assert save_button(client) == []
    client.step(Press(CRISIS_SAVE))
    assert client.notices == ["Deze knop hoort bij een eerdere vraag."]


def test_a_linked_client_gets_the_alert_and_the_save_button(client: EngineChat) -> None:
    client.state = replace(client.state, links=(LINK,))
    client.send("Hij slaat me")
    buttons = [
        b.label for o in client.outputs if isinstance(o, Say) for row in o.buttons for b in row
    ]
    assert buttons[:2] == ["📣 Laat Anna weten dat het niet goed gaat", SAVE]


def test_a_flagged_answer_is_never_offered_back(client: EngineChat) -> None:
    # Stored before (the lists did not know it yet, or the client saved it on purpose).
    answers = {
        "inventory.housing.wish": Answer(AnswerStatus.ANSWERED, "ik wil dood"),
        "inventory.money.wish": Answer(AnswerStatus.ANSWERED, "Schulden kwijt"),
    }
    client.state = replace(client.state, answers=answers)
    client.command(CommandName.PLAN)
    assert "Schulden kwijt" in client.labels
    assert not [label for label in client.labels if "dood" in label]
