"""The crisis corpus: hundreds of ways clients voice a crisis, and ordinary messages beside them.

Prints recall and the false-alarm rate (run with `-s` or look at the report line); recall must be
complete and false alarms rare. The corpus is test data in tests/dialogs/crisis_corpus/, apart
from the shipped phrases, so that the phrases are written to the signals and not to the corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dialogs.safety.crisis import Safety, load_safety

CORPUS = Path(__file__).parent / "crisis_corpus"
MAX_FALSE_ALARMS = 0.05


def messages(name: str) -> list[str]:
    groups: dict[str, list[str]] = yaml.safe_load((CORPUS / f"{name}.yaml").read_text("utf-8"))
    listed = [message for group in groups.values() for message in group]
    # A colon in an unquoted line makes YAML read a mapping: quote such a message.
    assert all(isinstance(message, str) for message in listed), f"{name}.yaml: quote {listed}"
    return listed


@pytest.fixture(scope="module")
def safety() -> Safety:
    return load_safety()


def test_the_corpus_is_as_large_as_promised() -> None:
    sizes = {name: len(messages(name)) for name in ("nl", "en", "ordinary")}
    assert sizes["nl"] >= 300
    assert sizes["en"] >= 150
    assert sizes["ordinary"] >= 150
    for name in sizes:
        listed = messages(name)
        assert len(set(listed)) == len(listed), f"{name}.yaml lists a message twice"


def test_every_crisis_gets_the_answer_and_ordinary_messages_almost_never(
    safety: Safety, capsys: pytest.CaptureFixture[str]
) -> None:
    crises = messages("nl") + messages("en")
    ordinary = messages("ordinary")
    missed = [message for message in crises if safety.matches(message) is None]
    alarms = [message for message in ordinary if safety.matches(message) is not None]
    recall = 1 - len(missed) / len(crises)
    false_alarms = len(alarms) / len(ordinary)
    with capsys.disabled():
        print(
            f"\ncrisis corpus: recall {recall:.1%} ({len(crises) - len(missed)}/{len(crises)}), "
            f"false alarms {false_alarms:.1%} ({len(alarms)}/{len(ordinary)})"
        )
    assert not missed, f"no crisis answer for: {missed}"
    assert false_alarms <= MAX_FALSE_ALARMS, f"false alarms: {alarms}"
