"""Data rights in the pure engine: /mijngegevens, /vergeetmij (after "are you sure?"), /wissen."""

from __future__ import annotations

from dataclasses import replace

from dialogs import CommandName, Press, SaveAnswer, Say
from dialogs.engine.callbacks import CRISIS_ALERT
from dialogs.engine.outputs import AlertCounsellor, ExportMyData, ForgetMe, HideChat
from tests.dialogs.chat import EngineChat
from tests.dialogs.test_linking import LINK


def test_my_data_is_sent_and_the_question_comes_back(client: EngineChat) -> None:
    question = client.text
    client.command(CommandName.MY_DATA)
    assert client.now_of(ExportMyData) == [ExportMyData()]
    assert "alles wat ik van je bewaar" in client.texts[0]
    assert client.text == question


def test_forgetting_asks_first_and_no_keeps_everything(client: EngineChat) -> None:
    client.send("Een eigen huis")
    client.command(CommandName.FORGET_ME)
    assert "Weet je zeker dat ik alles van je moet wissen?" in client.text
    client.press("Nee, niet wissen")
    assert not client.of(ForgetMe)
    assert client.text.startswith("Menu")
    assert client.state.dialog.consented


def test_forgetting_erases_and_the_person_is_a_stranger_again(client: EngineChat) -> None:
    client.command(CommandName.FORGET_ME)
    client.press("Ja, wis alles")
    assert client.now_of(ForgetMe) == [ForgetMe()]
    assert "Alles is gewist" in client.text
    assert not client.state.dialog.consented
    assert client.state.dialog.stack == ()
    client.send("hallo")
    assert "Mag ik je antwoorden bewaren?" in client.text


def test_a_forged_or_old_erase_button_erases_nothing(client: EngineChat) -> None:
    seq = client.state.dialog.prompt_seq
    client.step(Press(f"q{seq}:forget:all"))  # without the question
    client.command(CommandName.FORGET_ME)
    confirm = client.button("Ja, wis alles").data
    client.command(CommandName.MENU)  # walked away: the old question's button is stale
    client.step(Press(confirm))
    assert not client.of(ForgetMe)


def test_hiding_the_chat_says_nothing(client: EngineChat) -> None:
    outputs = client.command(CommandName.HIDE)
    assert outputs == [HideChat()]
    assert not [o for o in outputs if isinstance(o, Say)]


def test_a_crisis_gets_help_numbers_at_once_and_the_question_again(client: EngineChat) -> None:
    question = client.text
    client.send("Ik wil er niet meer zijn, ik denk aan zelfmoord")
    crisis = client.texts[0]
    for number in ("0800-0113", "112", "0800-2000"):
        assert number in crisis
    assert client.text == question
    assert not client.now_of(SaveAnswer)  # not taken as the answer to the question
    client.send("Bij mijn zus")
    assert client.now_of(SaveAnswer)[0].text == "Bij mijn zus"


def test_ordinary_sentences_are_answers(client: EngineChat) -> None:
    client.send("Ik lach me dood om mijn hond")
    assert client.now_of(SaveAnswer)[0].text == "Ik lach me dood om mijn hond"


def test_a_linked_client_in_crisis_can_alert_the_counsellor(client: EngineChat) -> None:
    client.state = replace(client.state, links=(LINK,))
    client.send("Hij slaat me en ik durf niet naar huis")
    assert "Veilig Thuis" in client.texts[0]
    alert = next(
        button
        for output in client.outputs
        if isinstance(output, Say)
        for row in output.buttons
        for button in row
        if "Laat Anna weten" in button.label
    )
    client.step(Press(alert.data))
    assert client.now_of(AlertCounsellor) == [AlertCounsellor()]
    assert "Wat je schreef, stuur ik niet door" in client.texts[0]
    # Still valid after other messages, like a reminder's buttons; without a link: nothing.
    client.state = replace(client.state, links=())
    client.step(Press(CRISIS_ALERT))
    assert len(client.of(AlertCounsellor)) == 1


def test_a_stranger_in_crisis_gets_help_before_anything_is_asked(chat: EngineChat) -> None:
    chat.send("I want to kill myself")
    assert "0800-0113" in chat.texts[0]
    assert "Mag ik je antwoorden bewaren?" in chat.text
    assert not chat.state.dialog.consented
