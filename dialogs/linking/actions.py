"""The buttons of the linking screens."""

from __future__ import annotations

from enum import StrEnum


class LinkAction(StrEnum):
    TOGGLE_INVITED = "itoggle"  # a section to share, on the invitation
    ACCEPT = "iaccept"
    DECLINE = "idecline"
    TOGGLE_SHARED = "stoggle"  # a section to share, on /delen
    CODE = "code"  # "Ik heb een code": what they type next is read as one
    SHARE = "share"  # what this counsellor may see
    UNLINK = "unlink"
