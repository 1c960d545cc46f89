"""The features of the client's conversation: each action, command, screen, question and flow
end belongs to exactly one, and a clash stops start-up instead of a button doing the wrong
thing."""

from __future__ import annotations

from enum import StrEnum

import pytest

from dialogs.conversation import FEATURES
from dialogs.engine import basics
from dialogs.engine.events import CommandName
from dialogs.engine.feature import Feature, FeatureClashError, Features
from dialogs.engine.state import Screen
from dialogs.plan import feature as plan


class Clashing(StrEnum):
    PLAN = "plan"  # the plan's own action


def _nothing(*_: object) -> None:
    return None


def test_the_shipped_features_claim_every_screen_once() -> None:
    owners = [f.name for f in FEATURES.features]
    assert owners == ["basics", "plan", "resources", "linking", "rights"]
    assert FEATURES.drawer(Screen.PLAN) is not None
    assert FEATURES.action("sdrop") is not None
    assert FEATURES.action("nonsense") is None
    assert FEATURES.command(CommandName.MY_PLAN) is not None


def test_an_action_two_features_claim_is_refused() -> None:
    rogue = Feature(name="rogue", actions={Clashing.PLAN: _nothing})
    with pytest.raises(FeatureClashError, match="action plan: plan and rogue"):
        Features((), (basics.FEATURE, plan.FEATURE, rogue))


def test_a_command_two_features_claim_is_refused() -> None:
    rogue = Feature(name="rogue", actions={}, commands={CommandName.MY_PLAN: _nothing})
    with pytest.raises(FeatureClashError, match="command"):
        Features((), (basics.FEATURE, plan.FEATURE, rogue))


def test_a_screen_no_feature_draws_is_refused() -> None:
    with pytest.raises(FeatureClashError, match=r"screens no feature draws: .*plan"):
        Features((), (basics.FEATURE,))
