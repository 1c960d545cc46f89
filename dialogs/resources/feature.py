"""The client's resources in conversation (hulpbronnen, METHODOLOGY.md section 4): /hulpbronnen
to see, add and take off the people and places that can help, and /netwerk for the map.

Removing one is soft (the store keeps the row) and asked "are you sure?" first.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs.engine.events import CommandName
from dialogs.engine.feature import Confirmation, Feature, drawn_by
from dialogs.engine.numbers import whole_number
from dialogs.engine.outputs import RemoveResource, Say, ShowNetworkMap
from dialogs.engine.screens import Screens
from dialogs.engine.state import Frame, Resource, Screen
from dialogs.engine.turn import Turn
from dialogs.resources import screens
from dialogs.resources.actions import ResourceAction
from dialogs.resources.network import NetworkMap, map_labels

# Naming resources one after another; the list is shown again when it ends.
RESOURCES_FLOW = "resources"


def resource_of(turn: Turn, arg: str) -> Resource | None:
    number = whole_number(arg)
    return turn.state.resource(number) if number is not None else None


def show_resources(turn: Turn) -> None:
    """The list; someone without any is told briefly where to start, and starts."""
    flow = turn.content.flows.get(RESOURCES_FLOW)
    if turn.state.resources or flow is None:
        turn.show(Screen.RESOURCES)
        return
    if not turn.running(turn.dialog.stack, flow.id):  # said once, not on every return
        turn.say(turn.ui.resources_intro)
    turn.update(paused=False)
    turn.start_flow(flow)


def show_map(turn: Turn) -> None:
    resources = turn.state.resources
    network = NetworkMap(resources, map_labels(turn.content, turn.dialog.language))
    caption = turn.ui.network_caption if resources else turn.ui.network_none
    turn.outputs.append(ShowNetworkMap(network, caption, turn.ui.network_map_file))


def _add(turn: Turn, _: str) -> None:
    flow = turn.content.flows.get(RESOURCES_FLOW)
    if flow is None:
        turn.stale()
        return
    turn.update(paused=False)
    turn.start_flow(flow)


def _pick(turn: Turn, _: str) -> None:
    if turn.state.resources:
        turn.show(Screen.RESOURCE_PICK)
    else:
        turn.stale()


def _drop(turn: Turn, arg: str) -> None:
    resource = resource_of(turn, arg)
    if resource is None or not turn.confirming(ResourceAction.DROP, arg):
        turn.stale()
        return
    kept = tuple(r for r in turn.state.resources if r.number != resource.number)
    turn.state = replace(turn.state, resources=kept)
    turn.outputs.append(RemoveResource(resource.number))
    turn.say(turn.ui.resource_removed.format(name=resource.name))
    turn.show(Screen.RESOURCES)


def _map(turn: Turn, _: str) -> None:
    show_map(turn)
    turn.show(Screen.RESOURCES)


def _network(turn: Turn) -> None:
    show_map(turn)
    turn.show_current()


def _drop_question(drawn: Screens, number: str, seq: int) -> Say | None:
    resource = drawn.state.resource(whole_number(number) or 0)  # no resource has number 0
    return None if resource is None else screens.confirm(drawn, resource, seq)


def _list_end(turn: Turn, _: Frame) -> None:
    turn.show(Screen.RESOURCES)


FEATURE = Feature(
    name="resources",
    actions={
        ResourceAction.LIST: lambda turn, _: turn.show(Screen.RESOURCES),
        ResourceAction.ADD: _add,
        ResourceAction.PICK: _pick,
        ResourceAction.DROP: _drop,
        ResourceAction.MAP: _map,
    },
    commands={CommandName.RESOURCES: show_resources, CommandName.NETWORK: _network},
    screens=dict.fromkeys((Screen.RESOURCES, Screen.RESOURCE_PICK), drawn_by(screens.current)),
    confirmations={
        ResourceAction.DROP: Confirmation(
            asks=lambda turn, number: resource_of(turn, number) is not None,
            draw=_drop_question,
        )
    },
    flow_ends={RESOURCES_FLOW: _list_end},
)
