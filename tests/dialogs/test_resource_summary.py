"""The counsellor's view of a client's resources (hulpbronnen): the summary's section, the hints
drawn from the methodology, the map in the export and the digest. Pure, from case files by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.telegram_html import to_telegram
from dialogs import Content
from dialogs.desk.digest import digest
from dialogs.desk.summary import summary
from dialogs.engine.document import (
    Block,
    Bullets,
    Heading,
    Item,
    MapPicture,
    Paragraph,
    to_markdown,
)
from dialogs.engine.state import Closeness, ResourceKind
from dialogs.linking.casefile import (
    AnswerEntry,
    CaseFile,
    GoalEntry,
    ResourceEntry,
    Section,
    StepEntry,
)
from dialogs.resources.hints import Hint, HintKind, resource_hints
from tests.dialogs.test_summary import JAN, NEW, NOW, OLD

CLOSE, KNOWN = ResourceKind.CLOSE, ResourceKind.KNOWN
COMMUNITY, PROFESSIONAL = ResourceKind.COMMUNITY, ResourceKind.PROFESSIONAL


def resource(
    number: int,
    name: str,
    kind: ResourceKind,
    closeness: Closeness = Closeness.BETWEEN,
    goal: int | None = None,
    domain: str | None = None,
    help_with: str | None = None,
    at: datetime = OLD,
) -> ResourceEntry:
    return ResourceEntry(number, name, kind, closeness, goal, domain, help_with, at, at)


RESOURCES = (
    resource(1, "Oma", CLOSE, Closeness.CLOSE, goal=1, help_with="Luisteren", at=NEW),
    resource(2, "Schuldhulp", PROFESSIONAL, Closeness.FAR, goal=2),
    resource(3, "Bibliotheek", COMMUNITY, Closeness.FAR, domain="work"),
    resource(4, "Buurman Kees", KNOWN),
)
GOALS = (
    GoalEntry(1, "Werk vinden", "work", None, "open", OLD),
    GoalEntry(2, "Schulden regelen", "money", None, "open", OLD),
    GoalEntry(3, "Beter slapen", "health", None, "open", OLD),
    GoalEntry(4, "Verhuizen", "housing", None, "reached", OLD),
)


def case_file(
    *sections: Section,
    resources: tuple[ResourceEntry, ...] = RESOURCES,
    answers: tuple[AnswerEntry, ...] = (),
    steps: tuple[StepEntry, ...] = (),
) -> CaseFile:
    """Jan's case file as the repository fills it: only shared sections have data."""
    shared = frozenset(sections)
    return replace(
        JAN,
        sections=shared,
        answers=answers if Section.STRENGTHS in shared else (),
        goals=GOALS if Section.PLAN in shared else (),
        steps=steps if Section.PLAN in shared else (),
        resources=resources if Section.RESOURCES in shared else (),
    )


def section(content: Content, file: CaseFile, language: str = "nl") -> list[Block]:
    """The blocks of the resources section of the summary."""
    blocks = list(summary(content, file, language, NOW).blocks)
    start = blocks.index(Heading(content.ui(language).section_resources))
    rest = blocks[start + 1 :]
    end = next(
        (i for i, b in enumerate(rest) if isinstance(b, Heading) and b.level == 2), len(rest)
    )
    return rest[:end]


def test_resources_per_goal_per_domain_and_the_rest_with_kind_and_closeness(
    content: Content,
) -> None:
    blocks = section(content, case_file(Section.RESOURCES, Section.PLAN))
    [picture] = [b for b in blocks if isinstance(b, MapPicture)]
    assert [r.name for r in picture.map.resources] == [
        "Oma",
        "Schuldhulp",
        "Bibliotheek",
        "Buurman Kees",
    ]
    assert (picture.map.labels.title, picture.map.labels.center) == ("Netwerk van Jan", "Jan")
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert headings == [
        "Doel 1: Werk vinden",
        "Doel 2: Schulden regelen",
        "🛠 Werk, school en dagbesteding",
        "Zonder doel of domein",
        "Om op te letten",
    ]
    oma = blocks[blocks.index(Heading("Doel 1: Werk vinden", 3)) + 1]
    assert oma == Bullets(
        (Item("Iemand dicht bij me · Dichtbij · helpt met: Luisteren 🆕", "Oma"),)
    )
    kees = blocks[blocks.index(Heading("Zonder doel of domein", 3)) + 1]
    assert kees == Bullets((Item("Iemand die ik ken · Er tussenin", "Buurman Kees"),))


def test_without_the_plan_a_goal_is_only_its_number(content: Content) -> None:
    blocks = section(content, case_file(Section.RESOURCES))
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert headings[:2] == ["Doel 1", "Doel 2"]
    text = to_markdown(summary(content, case_file(Section.RESOURCES), "nl", NOW))
    assert "Werk vinden" not in text
    assert "Bij doel 2 staat alleen professionele hulp" in text


def test_unshared_resources_read_not_shared(content: Content) -> None:
    file = case_file(Section.PLAN, Section.STRENGTHS)
    assert section(content, file) == [Paragraph("Niet gedeeld.", quiet=True)]
    document = summary(content, file, "nl", NOW)
    assert not any(isinstance(b, MapPicture) for b in document.blocks)


def test_shared_but_empty_says_nothing_yet_and_hints(content: Content) -> None:
    blocks = section(content, case_file(Section.RESOURCES, resources=()))
    assert blocks[0] == Paragraph("Nog niets.", quiet=True)
    assert not any(isinstance(b, MapPicture) for b in blocks)
    assert Bullets((Item(content.desk("nl").hint_no_personal),)) in blocks


@pytest.mark.parametrize(
    ("sections", "resources", "expected"),
    [
        pytest.param(
            (Section.RESOURCES, Section.PLAN),
            RESOURCES,
            [Hint(HintKind.ONLY_PROFESSIONAL, goal=2), Hint(HintKind.GOAL_NOBODY, goal=3)],
            id="a goal with only professional help, an open goal with nobody",
        ),
        pytest.param(
            (Section.RESOURCES,),
            RESOURCES,
            [Hint(HintKind.ONLY_PROFESSIONAL, goal=2)],
            id="goals unknown without the plan",
        ),
        pytest.param(
            (Section.RESOURCES,),
            (resource(1, "Wijkteam", PROFESSIONAL, Closeness.FAR),),
            [Hint(HintKind.NO_PERSONAL), Hint(HintKind.ALL_FAR)],
            id="nobody personal, everyone far",
        ),
        pytest.param(
            (Section.RESOURCES,),
            (resource(1, "Zus", CLOSE, Closeness.CLOSE), resource(2, "Huisarts", PROFESSIONAL)),
            [],
            id="a personal network: nothing to say",
        ),
        pytest.param((Section.PLAN,), RESOURCES, [], id="not shared: no hints"),
    ],
)
def test_hints_from_the_methodology(
    sections: tuple[Section, ...],
    resources: tuple[ResourceEntry, ...],
    expected: list[Hint],
) -> None:
    file = case_file(*sections, resources=resources)
    assert list(resource_hints(file)) == expected
    assert resource_hints(file) == resource_hints(file)


def test_a_step_with_someone_from_the_network_counts_as_help_for_its_goal() -> None:
    ask = StepEntry(1, 3, "Kees vragen", "network", "Kees", None, None, "open", None, OLD)
    file = case_file(Section.RESOURCES, Section.PLAN, steps=(ask,))
    assert Hint(HintKind.GOAL_NOBODY, goal=3) not in resource_hints(file)


def test_what_helped_before_that_is_not_yet_a_resource(content: Content) -> None:
    answers = (
        AnswerEntry("inventory.health.past", "answered", "Sporten met mijn broer", (), OLD),
        AnswerEntry("inventory.housing.past", "answered", "Oma hielp met de verhuizing", (), OLD),
        AnswerEntry("inventory.leisure.past", "skipped", None, (), OLD),
        AnswerEntry("inventory.work.past", "answered", "Een cursus", (), OLD),
    )
    file = case_file(Section.RESOURCES, Section.STRENGTHS, answers=answers)
    # Oma is named already; work has the library; leisure was skipped: only health is left.
    assert resource_hints(file)[-1:] == (Hint(HintKind.PAST_UNUSED, domain="health"),)
    assert all(hint.kind is not HintKind.PAST_UNUSED for hint in resource_hints(file)[:-1])
    text = to_markdown(summary(content, file, "nl", NOW))
    assert "Bij 💚 Gezondheid vertelde je cliënt wat eerder hielp" in text.replace("\\", "")
    without_strengths = case_file(Section.RESOURCES, answers=answers)
    assert all(h.kind is not HintKind.PAST_UNUSED for h in resource_hints(without_strengths))


def test_the_map_is_text_in_markdown_and_left_out_of_telegram(content: Content) -> None:
    document = summary(content, case_file(Section.RESOURCES), "nl", NOW)
    markdown = to_markdown(document).replace("\\", "")
    assert "### Netwerk van Jan" in markdown
    assert "**Dichtbij:** Oma (Iemand dicht bij me)" in markdown
    assert "**Verder weg:** Schuldhulp (Een hulpverlener of instantie); Bibliotheek" in markdown
    telegram = "\n".join(to_telegram(document))
    assert "Netwerk van Jan" not in telegram
    assert "Oma" in telegram  # the lists are there, only the picture is sent apart


def test_english_and_deterministic(content: Content) -> None:
    file = case_file(Section.RESOURCES, Section.PLAN)
    assert summary(content, file, "en", NOW) == summary(content, file, "en", NOW)
    blocks = section(content, file, "en")
    assert Heading("Goal 2: Schulden regelen", 3) in blocks
    hints = blocks[-1]
    assert isinstance(hints, Bullets)
    assert hints.items[0].text.startswith("For goal 2 (Schulden regelen) there is only")


def test_the_digest_counts_new_resources(content: Content) -> None:
    files = [case_file(Section.RESOURCES), replace(case_file(), name="Mira", client_id=13)]
    document = digest(content, files, "nl", NOW - timedelta(days=7), NOW, "Europe/Amsterdam")
    assert document is not None
    jan = document.blocks[list(document.blocks).index(Heading("Jan")) + 1]
    assert jan == Bullets((Item("Nieuwe of veranderde hulpbronnen: 1"),))
