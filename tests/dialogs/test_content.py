"""Loading the YAML content: the shipped content is complete; broken content fails loudly."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from dialogs import Content, ContentError, Engine, load_content
from dialogs.content.files import DEFAULT_CONTENT_DIR
from tests.dialogs.chat import EngineChat


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the shipped content that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def edit_yaml(path: Path, change: Callable[[dict[str, object]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_shipped_content_is_complete_in_dutch_and_english(content: Content) -> None:
    assert set(content.languages) == {"nl", "en"}
    assert content.texts["nl"].keys() == content.texts["en"].keys()
    flow = content.flows["inventory"]
    domains = {node.group for node in flow.questions if node.group}
    assert domains == {
        "housing",
        "money",
        "work",
        "relations",
        "health",
        "leisure",
        "meaning",
        "recovery",
    }


def rename_skip(data: dict[str, object]) -> None:
    ui = data["ui"]
    assert isinstance(ui, dict)
    ui["skipp"] = ui.pop("skip")


# A change that breaks the copy, in a file; loading names the file and what is wrong in it.
BROKEN: list[tuple[str, Callable[[dict[str, object]], None], str]] = [
    (
        "texts/en.yaml",
        lambda d: d["flows"]["inventory"]["domains"]["money"].pop("past"),  # type: ignore[index]
        r"en\.yaml: missing text for key flows\.inventory\.domains\.money\.past",
    ),
    (
        "texts/nl.yaml",
        lambda d: d["flows"]["inventory"].update(wensen="Wat wil je?"),  # type: ignore[index]
        r"nl\.yaml: unknown key flows\.inventory\.wensen",
    ),
    ("texts/nl.yaml", rename_skip, r"nl\.yaml: .*ui\.skip: Field required.*ui\.skipp: Extra"),
    (
        "flows/inventory.yaml",
        lambda d: d["nodes"].append({"id": "extra", "kind": "essay"}),  # type: ignore[attr-defined]
        r"inventory\.yaml: nodes\.\d+\..*kind",
    ),
    (
        "texts/nl.yaml",
        lambda d: d["flows"]["inventory"].update(progress="Domein {nummer} van {total}"),  # type: ignore[index]
        r"flows\.inventory\.progress uses \{nummer\}",
    ),
    (
        "flows/inventory.yaml",
        lambda d: d["nodes"][1].update(repeat="areas"),  # type: ignore[index]
        r"inventory\.yaml: repeat names no list 'areas'",
    ),
    (
        "times.yaml",
        lambda d: d.update(follow_up_after_hours=0),
        r"times\.yaml.*follow_up_after_hours",
    ),
]


@pytest.mark.parametrize(
    ("file", "change", "message"),
    BROKEN,
    ids=[
        "a missing translation",
        "an unknown flow key",
        "an unknown or missing ui key",
        "an unknown node kind",
        "a wrong placeholder, at load and not in front of a client",
        "a repeat over an unknown list",
        "a broken time",
    ],
)
def test_broken_content_names_file_and_key(
    copy: Path, file: str, change: Callable[[dict[str, object]], None], message: str
) -> None:
    edit_yaml(copy / file, change)
    with pytest.raises(ContentError, match=message):
        load_content(copy)


def test_broken_yaml_names_the_file(copy: Path) -> None:
    (copy / "flows" / "inventory.yaml").write_text("id: inventory\nnodes: [\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"inventory\.yaml: cannot be read"):
        load_content(copy)


def test_no_content_at_all(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="needs flows"):
        load_content(tmp_path)


def test_an_organisation_loads_its_own_short_route(copy: Path, now: datetime) -> None:
    """Four domains and a single-choice question, without touching code."""

    def four_domains(flow: dict[str, object]) -> None:
        flow["lists"] = {"domains": ["housing", "money", "relations", "health"]}
        nodes = flow["nodes"]
        assert isinstance(nodes, list)
        nodes.insert(-1, {"id": "contact", "kind": "choice", "options": ["phone", "visit"]})

    edit_yaml(copy / "flows" / "inventory.yaml", four_domains)
    for language, labels in (("nl", ("Bellen", "Langskomen")), ("en", ("Call", "Visit"))):

        def texts(data: dict[str, object], labels: tuple[str, ...] = labels) -> None:
            inventory = data["flows"]["inventory"]  # type: ignore[index]
            for domain in ("work", "leisure", "meaning", "recovery"):
                del inventory["domains"][domain]
            inventory["contact"] = "?"
            inventory["labels"]["contact"] = "Contact"
            inventory["options"] = {"phone": labels[0], "visit": labels[1]}

        edit_yaml(copy / "texts" / f"{language}.yaml", texts)

    chat = EngineChat(Engine(load_content(copy)), now)
    chat.consent()
    assert chat.text.startswith("Domein 1 van 4 · 🏠 Wonen")
    while chat.node != "contact":
        if chat.node == "priorities":
            chat.press("Geld")
            chat.press("Klaar")
        else:
            chat.send("ja")
    assert chat.labels[:2] == ["Bellen", "Langskomen"]
    chat.press("Langskomen")
    assert chat.saved[-1].choices == ("visit",)


def test_an_organisation_sets_its_own_times(copy: Path) -> None:
    def later(data: dict[str, object]) -> None:
        data["quick"] = {**data["quick"], "tomorrow": "11:30"}  # type: ignore[dict-item]
        data["follow_up_after_hours"] = 48

    edit_yaml(copy / "times.yaml", later)
    times = load_content(copy).times
    assert times.quick.tomorrow.isoformat() == "11:30:00"
    assert times.follow_up_after.days == 2


def test_content_without_times_keeps_the_shipped_ones(copy: Path) -> None:
    (copy / "times.yaml").unlink()
    assert load_content(copy).times == load_content().times
