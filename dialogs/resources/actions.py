"""The buttons of the resources' screens."""

from __future__ import annotations

from enum import StrEnum


class ResourceAction(StrEnum):
    LIST = "resources"
    ADD = "radd"
    PICK = "rpick"  # which one to take off the list
    DROP = "rdrop"  # after "are you sure?" about `rdrop/<number>`
    MAP = "rmap"
