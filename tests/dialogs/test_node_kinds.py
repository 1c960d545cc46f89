"""Back, skip, "don't know" and pause at every kind of node, on a small flow with each kind."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from dialogs import AnswerStatus, Engine, load_content
from dialogs.content.files import DEFAULT_CONTENT_DIR
from dialogs.content.flows import NodeKind
from tests.dialogs.chat import EngineChat

FLOW = {
    "id": "inventory",
    "starts_after_consent": True,
    "nodes": [
        {"id": "hello", "kind": "info"},
        {"id": "name", "kind": "text"},
        {"id": "mood", "kind": "choice", "options": ["good", "bad"]},
        {"id": "wishes", "kind": "multi_choice", "options": ["a", "b", "c"], "max_choices": 2},
        {"id": "bye", "kind": "info"},
    ],
}
TEXTS = {
    "title": "Proef",
    "menu_start": "Begin",
    "menu_continue": "Verder",
    "hello": "Hallo!",
    "name": "Hoe heet je?",
    "mood": "Hoe gaat het?",
    "wishes": "Wat wil je?",
    "bye": "Dag!",
    "labels": {"name": "Naam", "mood": "Stemming", "wishes": "Wensen"},
    "options": {"good": "Goed", "bad": "Slecht", "a": "A", "b": "B", "c": "C"},
}
KINDS = {"name": NodeKind.TEXT, "mood": NodeKind.CHOICE, "wishes": NodeKind.MULTI_CHOICE}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root: Path = tmp_path_factory.mktemp("content")
    (root / "flows").mkdir()
    (root / "texts").mkdir()
    (root / "flows" / "inventory.yaml").write_text(yaml.safe_dump(FLOW), encoding="utf-8")
    for language in ("nl", "en"):
        shipped = yaml.safe_load((DEFAULT_CONTENT_DIR / "texts" / f"{language}.yaml").read_text())
        shipped["flows"] = {"inventory": TEXTS}
        path = root / "texts" / f"{language}.yaml"
        path.write_text(yaml.safe_dump(shipped, allow_unicode=True), encoding="utf-8")
    return Engine(load_content(root))


@pytest.fixture
def chat(engine: Engine, now: datetime) -> EngineChat:
    chat = EngineChat(engine, now)
    chat.consent()
    return chat


def go_to(chat: EngineChat, node_id: str) -> None:
    answers = {"name": lambda: chat.send("Sam"), "mood": lambda: chat.press("Goed")}
    while chat.node != node_id:
        answers[str(chat.node)]()


def test_the_flow_has_each_kind_of_answer_flow(engine: Engine) -> None:
    # Date, moment, save and sub-flow nodes belong to flows that make records: test_plan.py.
    record_kinds = {NodeKind.DATE, NodeKind.MOMENT, NodeKind.SAVE, NodeKind.SUBFLOW}
    kinds = {node.kind for node in engine.content.flows["inventory"].nodes}
    assert kinds == set(NodeKind) - record_kinds


@pytest.mark.parametrize("node_id", KINDS)
def test_skip(chat: EngineChat, node_id: str) -> None:
    go_to(chat, node_id)
    chat.press("Overslaan")
    assert chat.saved[-1].status is AnswerStatus.SKIPPED
    assert chat.node != node_id


@pytest.mark.parametrize("node_id", KINDS)
def test_dont_know(chat: EngineChat, node_id: str) -> None:
    go_to(chat, node_id)
    chat.press("Weet ik niet")
    assert chat.saved[-1].status is AnswerStatus.UNKNOWN


@pytest.mark.parametrize("node_id", KINDS)
def test_back(chat: EngineChat, node_id: str) -> None:
    go_to(chat, node_id)
    chat.press("Terug")
    order = list(KINDS)
    if node_id == order[0]:
        assert chat.notices == ["Dit is de eerste vraag."]
    else:
        assert chat.node == order[order.index(node_id) - 1]


@pytest.mark.parametrize("node_id", KINDS)
def test_pause_and_resume(chat: EngineChat, node_id: str) -> None:
    go_to(chat, node_id)
    chat.press("Later verder")
    chat.later(days=1)
    chat.send("hallo")
    assert "Is dit je antwoord op deze vraag?" in chat.text
    chat.press("Nee")
    assert chat.node == node_id
    assert all(saved.text != "hallo" for saved in chat.saved)


@pytest.mark.parametrize("node_id", KINDS)
def test_free_text_is_always_accepted(chat: EngineChat, node_id: str) -> None:
    go_to(chat, node_id)
    chat.send("in mijn eigen woorden")
    assert chat.saved[-1].text == "in mijn eigen woorden"
    assert chat.node != node_id


def test_an_option_is_chosen_by_button_or_by_typing_its_label(chat: EngineChat) -> None:
    go_to(chat, "mood")
    chat.send("slecht")
    assert chat.saved[-1].choices == ("bad",)
    assert chat.saved[-1].text is None


def test_info_nodes_are_said_and_the_flow_moves_on(chat: EngineChat) -> None:
    go_to(chat, "wishes")
    chat.press("A")
    chat.press("Klaar")
    assert chat.texts[0] == "Dag!"
    assert chat.state.dialog.frame is None
