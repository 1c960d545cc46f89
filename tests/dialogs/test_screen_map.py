"""The screens diagram is found by driving the engine: what it draws is what the code does."""

from __future__ import annotations

from dialogs import Content
from dialogs.screen_map import diagram, screen_map


def test_the_screens_are_drawn_with_the_buttons_between_them(content: Content) -> None:
    lines = screen_map(content, "en")
    nodes = {line.split("[")[0].strip() for line in lines if line.startswith("    screen_")}
    assert {
        "screen_menu",
        "screen_plan",
        "screen_plan_goal",
        "screen_plan_step",
        "screen_plan_change",
        "screen_confirm_sdrop",
        "screen_confirm_forget",
        "screen_resources",
        "screen_resource_pick",
        "screen_sharing",
        "screen_language",
        "screen_edit_topics",
    } <= nodes
    assert '  screen_plan_step -->|"🗑 Drop"| screen_confirm_sdrop' in lines
    assert '  commands -->|"/myplan"| screen_plan' in lines
    assert any(line.endswith("flow_step") for line in lines)  # a button that starts a flow


def test_the_cli_prints_flows_and_screens_as_one_flowchart(content: Content) -> None:
    drawn = diagram(content, "nl")
    assert drawn.startswith("flowchart TD\n")
    assert drawn.count("flowchart") == 1
    assert '  subgraph screens["Screens"]' in drawn
    assert diagram(content, "nl") == drawn  # the same every time: no clock, no randomness
