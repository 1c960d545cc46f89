"""The client's network map as plain data: who and what is around them, and the words to draw
it with. The picture itself is drawn at the edge (`bot/network_map.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dialogs.content.load import Content
from dialogs.engine.state import Closeness, Resource, ResourceKind

# The flow whose options name the kinds and the rings: the map uses the very same words.
RESOURCE_FLOW = "resource"


@dataclass(frozen=True)
class MapLabels:
    """Every word on the map, in the reader's language."""

    title: str
    center: str  # the client in the middle ("Ik")
    kinds: Mapping[ResourceKind, str]  # the legend
    rings: Mapping[Closeness, str]  # close / in between / further away
    empty: str  # said on a map without anyone yet


@dataclass(frozen=True)
class NetworkMap:
    resources: tuple[Resource, ...]
    labels: MapLabels


def map_labels(content: Content, language: str) -> MapLabels:
    """The words of the map in `language`: the legend and the rings are the options the client
    chose from when naming their resources (`resource` flow, lists `kinds` and `rings`)."""
    ui = content.ui(language)

    def option(list_name: str, item: str) -> str:
        return content.text(language, f"flows.{RESOURCE_FLOW}.{list_name}.{item}.name")

    return MapLabels(
        title=ui.network_title,
        center=ui.network_center,
        kinds={kind: option("kinds", kind.value) for kind in ResourceKind},
        rings={ring: option("rings", ring.value) for ring in Closeness},
        empty=ui.network_empty,
    )
