"""The client's resources on screen (/hulpbronnen): a short list by kind, the personal network
first (METHODOLOGY.md section 4), and "are you sure?" before one is taken off the list."""

from __future__ import annotations

from dialogs.engine import callbacks
from dialogs.engine.actions import Moving
from dialogs.engine.outputs import Button, Say
from dialogs.engine.screens import Screens, rows, short
from dialogs.engine.state import Resource, ResourceKind, Screen
from dialogs.resources.actions import ResourceAction
from dialogs.resources.network import RESOURCE_FLOW, MapLabels, map_labels

NAME_CHARS = 60  # a name in the list; the map and the data keep all of it


def labels(screens: Screens) -> MapLabels:
    return map_labels(screens.content, screens.language)


def resource_line(screens: Screens, resource: Resource, words: MapLabels) -> str:
    """ "Riet · Dichtbij · doel 1 · boodschappen": who, how close, for what, with what."""
    parts = [short(resource.name, NAME_CHARS), words.rings[resource.closeness]]
    flow = screens.content.flows.get(RESOURCE_FLOW)
    if resource.goal is not None:
        parts.append(screens.ui.resource_for_goal.format(number=resource.goal))
    elif resource.domain and flow is not None and flow.has_node("domain"):
        parts.append(screens.value_text(flow.node("domain"), resource.domain))
    if resource.help_with:
        parts.append(resource.help_with)
    return " · ".join(parts)


def overview(screens: Screens, seq: int) -> Say:
    ui = screens.ui
    resources = screens.resources()
    words = labels(screens)
    blocks = [ui.resources_title]
    for kind in ResourceKind:
        group = [r for r in resources if r.kind is kind]
        if group:
            lines = [words.kinds[kind], *(f"• {resource_line(screens, r, words)}" for r in group)]
            blocks.append("\n".join(lines))
    if not resources:
        blocks.append(ui.resources_empty)
    buttons = [Button(ui.resource_add, callbacks.prompted(seq, ResourceAction.ADD))]
    if resources:
        buttons += [
            Button(ui.resource_remove, callbacks.prompted(seq, ResourceAction.PICK)),
            Button(ui.resources_map, callbacks.prompted(seq, ResourceAction.MAP)),
        ]
    buttons.append(Button(ui.to_menu, callbacks.prompted(seq, Moving.MENU)))
    return Say("\n\n".join(blocks), rows(buttons, 1))


def pick(screens: Screens, seq: int) -> Say:
    ui = screens.ui
    buttons = [
        Button(
            f"🗑 {short(r.name)}",
            callbacks.prompted(seq, Moving.ASK, f"{ResourceAction.DROP}/{r.number}"),
        )
        for r in screens.resources()
    ]
    buttons.append(Button(ui.back, callbacks.prompted(seq, ResourceAction.LIST)))
    return Say(ui.resource_pick, rows(buttons, 1))


def confirm(screens: Screens, resource: Resource, seq: int) -> Say:
    ui = screens.ui
    buttons = (
        Button(ui.confirm_yes, callbacks.prompted(seq, ResourceAction.DROP, str(resource.number))),
        Button(ui.confirm_no, callbacks.prompted(seq, ResourceAction.LIST)),
    )
    return Say(ui.confirm_drop_resource.format(name=resource.name), rows(buttons, 1))


def current(screens: Screens, seq: int) -> Say | None:
    """A resources screen drawn again, or None when it is not one (or its subject is gone)."""
    state = screens.state
    match state.dialog.screen:
        case Screen.RESOURCES:
            return overview(screens, seq)
        case Screen.RESOURCE_PICK if state.resources:
            return pick(screens, seq)
        case Screen.RESOURCE_PICK:
            return overview(screens, seq)
    return None
