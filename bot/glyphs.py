"""A client's text made drawable with the fonts we ship (DejaVu Sans, from matplotlib).

The PDF and the network map draw with DejaVu, which has no emoji: a character it lacks would be
drawn as nothing (fpdf2) or as an empty box (matplotlib), so it is spelled out instead.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Container
from pathlib import Path

import matplotlib
from matplotlib.ft2font import FT2Font

FONT_DIR = Path(matplotlib.get_data_path(), "fonts", "ttf")
REGULAR = FONT_DIR / "DejaVuSans.ttf"

_FLAG = re.compile("[\U0001f1e6-\U0001f1ff]{2}")
_SKIN_TONES = range(0x1F3FB, 0x1F400)


@functools.cache
def dejavu_characters() -> frozenset[int]:
    """The code points DejaVu Sans can draw."""
    return frozenset(FT2Font(str(REGULAR)).get_charmap())


def printable(text: str, drawable: Container[int]) -> str:
    """The text with every character the fonts lack replaced by something visible: a symbol is
    spelled out by its Unicode name, "[thumbs up sign]", a flag by its letters, "[NL]", a
    letter of a script the font lacks by "�"; joiners and skin tones are dropped."""
    text = _FLAG.sub(lambda flag: f"[{_flag_letters(flag[0])}]", text)
    return "".join(
        char if ord(char) in drawable or char == "\n" else _substitute(char) for char in text
    )


def _flag_letters(flag: str) -> str:
    return "".join(chr(ord("A") + ord(char) - 0x1F1E6) for char in flag)


def _substitute(char: str) -> str:
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf") or ord(char) in _SKIN_TONES:
        return ""  # joiners, variation selectors and skin tones: nothing to see on their own
    if category == "Cc":
        return " "  # a tab, a carriage return
    if category == "So":
        return f"[{unicodedata.name(char).lower()}]"
    return "\ufffd"
