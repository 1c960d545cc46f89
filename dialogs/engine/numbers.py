"""Whole numbers read from what people type and what buttons carry, without surprises.

`str.isdigit()` is true for "²" and "٣", which `int()` then refuses or reads as 3, and a
button or command can carry a number larger than any database column holds: either would
raise deep inside a turn. Every number read from outside goes through `whole_number`.
"""

from __future__ import annotations

# The largest number a database id or record number can be (INTEGER; BIGINT ids are larger).
LARGEST = 2**31 - 1


def whole_number(text: str, *, largest: int = LARGEST) -> int | None:
    """The number `text` is in ASCII digits (no sign, no spaces), if at most `largest`."""
    # The length first: int() of thousands of digits is slow, and raises past 4,300.
    if not (text.isascii() and text.isdecimal()) or len(text) > len(str(largest)):
        return None
    number = int(text)
    return number if number <= largest else None
