"""The client's resources in conversation (hulpbronnen, METHODOLOGY.md section 4): /hulpbronnen
to see, add and take off the people and places that can help, and /netwerk for the map.

Removing one is soft (the store keeps the row) and asked "are you sure?" first.
"""

from __future__ import annotations

from dataclasses import replace

from dialogs import resource_screens
from dialogs.events import CommandName
from dialogs.network import NetworkMap, map_labels
from dialogs.numbers import whole_number
from dialogs.outputs import RemoveResource, Say, ShowNetworkMap
from dialogs.plan_screens import ASK_HELP_FLOW
from dialogs.planning import PlanningTurn
from dialogs.state import Resource, Screen

# Naming resources one after another; the list is shown again when it ends.
RESOURCES_FLOW = "resources"


class ResourceTurn(PlanningTurn):
    """A turn that also knows the client's resources and their network map."""

    def draw(self, seq: int) -> Say | None:
        return resource_screens.current(self.screens, seq) or super().draw(seq)

    def handle_command(self, name: CommandName) -> None:
        match name:
            case CommandName.RESOURCES:
                self.show_resources()
            case CommandName.NETWORK:
                self.show_map()
                self.show_current()
            case _:
                super().handle_command(name)

    def handle_action(self, action: str, arg: str) -> None:
        question, _, number = arg.partition("/")
        resource = self.resource_of(arg)
        match action:
            case "resources":
                self.show(Screen.RESOURCES)
            case "radd" if (flow := self.content.flows.get(RESOURCES_FLOW)) is not None:
                self.update(paused=False)
                self.start_flow(flow)
            case "rpick" if self.state.resources:
                self.show(Screen.RESOURCE_PICK)
            case "ask" if question == resource_screens.DROP and self.resource_of(number):
                self.show(Screen.CONFIRM, arg)
            case resource_screens.DROP if resource and self.confirming(action, arg):
                self.remove(resource)
            case "rmap":
                self.show_map()
                self.show(Screen.RESOURCES)
            case _:
                super().handle_action(action, arg)

    def resource_of(self, arg: str) -> Resource | None:
        number = whole_number(arg)
        return self.state.resource(number) if number is not None else None

    def show_resources(self) -> None:
        """The list; someone without any is told briefly where to start, and starts."""
        flow = self.content.flows.get(RESOURCES_FLOW)
        if self.state.resources or flow is None:
            self.show(Screen.RESOURCES)
            return
        if not self.running(self.dialog.stack, flow.id):  # said once, not on every return
            self.say(self.ui.resources_intro)
        self.update(paused=False)
        self.start_flow(flow)

    def show_map(self) -> None:
        resources = self.state.resources
        network = NetworkMap(resources, map_labels(self.content, self.dialog.language))
        caption = self.ui.network_caption if resources else self.ui.network_none
        self.outputs.append(ShowNetworkMap(network, caption))

    def remove(self, resource: Resource) -> None:
        kept = tuple(r for r in self.state.resources if r.number != resource.number)
        self.state = replace(self.state, resources=kept)
        self.outputs.append(RemoveResource(resource.number))
        self.say(self.ui.resource_removed.format(name=resource.name))
        self.show(Screen.RESOURCES)

    def end_flow(self) -> None:
        """Naming resources ends at the list; asking for help at the goal it was about."""
        frame = self.dialog.frame
        alone = len(self.dialog.stack) == 1
        if frame is not None and alone and frame.flow == RESOURCES_FLOW:
            self.update(stack=())
            self.show(Screen.RESOURCES)
        elif frame is not None and alone and frame.flow == ASK_HELP_FLOW:
            goal = self.open_goal(frame.values.get("goal", ""))
            self.update(stack=())
            if goal is not None:
                self.show(Screen.PLAN_GOAL, str(goal.number))
            else:
                self.show(Screen.MENU)
        else:
            super().end_flow()
