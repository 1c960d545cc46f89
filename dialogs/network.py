"""The client's network map as plain data: who and what is around them, and the words to draw
it with. The picture itself is drawn at the edge (`bot/network_map.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dialogs.state import Closeness, Resource, ResourceKind


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
