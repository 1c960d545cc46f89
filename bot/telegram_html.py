"""A document as Telegram messages: HTML that Telegram accepts, split between blocks and words
to the message limit, counted in UTF-16 code units as Telegram counts them. Every text is the
client's own words and is escaped, so nothing a client typed ever becomes markup."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from dialogs.engine.document import Bullets, Document, Heading, Item, MapPicture, Paragraph

# A word: what lies between whitespace, where no-break spaces keep words together.
_WORD = re.compile(r"\S+(?:[\u00a0\u2007\u202f]+\S+)*")
_TAG_PAIR_LENGTH = len("<b></b>")  # <i></i> is as long
# The most one character can cost alone: every message must have room for it.
_MIN_LIMIT = len("<b>&amp;</b>")


class _Cut(IntEnum):
    """Where a message may end, from worst to best; the gap there is dropped."""

    KEEP = 0  # after a heading or a bullet sign: only when nothing else fits
    IN_WORD = 1  # between the characters of a word longer than a message
    SPACE = 2
    ITEM = 3
    BLOCK = 4
    SECTION = 5  # before a heading


_Style = Literal["b", "i"] | None


@dataclass(frozen=True)
class _Word:
    html: str
    style: _Style
    size: int  # UTF-16 code units of html


@dataclass(frozen=True)
class _Gap:
    text: str  # whitespace only: needs no escaping
    cut: _Cut


class _Flow:
    """The document as words with the gaps between them; gaps[n] follows words[n]."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.words: list[_Word] = []
        self.gaps: list[_Gap] = []
        self._next_gap = _Gap("", _Cut.IN_WORD)

    def separate(self, text: str, cut: _Cut) -> None:
        """Set the gap before the next word; nothing is added if no word follows."""
        self._next_gap = _Gap(text, cut)

    def write(self, text: str, style: _Style, suffix: str = "") -> None:
        """Add the text's words, keeping its own whitespace between them."""
        matches = list(_WORD.finditer(text))
        for index, match in enumerate(matches):
            if index:
                self.separate(text[matches[index - 1].end() : match.start()], _Cut.SPACE)
            self._add(match[0] + suffix if index == len(matches) - 1 else match[0], style)

    def _add(self, text: str, style: _Style) -> None:
        escaped = html.escape(text, quote=False)
        tags = _TAG_PAIR_LENGTH if style else 0
        if _utf16_length(escaped) + tags > self.limit:
            # Longer than a message: cut between characters (a surrogate pair is one character
            # in Python, an entity is escaped per character, so neither is ever cut in two).
            for char in text:
                self._add(char, style)
            return
        if self.words:
            self.gaps.append(self._next_gap)
        self._next_gap = _Gap("", _Cut.IN_WORD)
        self.words.append(_Word(escaped, style, _utf16_length(escaped)))


def to_telegram(document: Document, limit: int = 4096) -> list[str]:
    """The document as messages for Telegram's HTML parse mode, each at most `limit` long.

    Length is counted in UTF-16 code units including tags and entities, so it is conservative.
    Messages end preferably before a heading, then between blocks, between items, at
    whitespace, and only inside a word longer than a whole message; each message has its own
    balanced `<b>`/`<i>` tags. No message is empty.
    """
    if limit < _MIN_LIMIT:
        raise ValueError(f"limit must be at least {_MIN_LIMIT}, not {limit}")
    flow = _Flow(limit)
    flow.write(document.title, "b")
    after_heading = True  # the title is one
    for block in document.blocks:
        before = len(flow.words)
        if after_heading:
            flow.separate("\n\n", _Cut.KEEP)
        else:
            flow.separate("\n\n", _Cut.SECTION if isinstance(block, Heading) else _Cut.BLOCK)
        match block:
            case Heading(text):
                flow.write(text, "b")
            case Paragraph(text, quiet):
                flow.write(text, "i" if quiet else None)
            case Bullets(items):
                _write_bullets(flow, items)
            case MapPicture():
                continue  # sent as a photo of its own after the text
        if len(flow.words) > before:
            after_heading = isinstance(block, Heading)
    return _pack(flow)


def _write_bullets(flow: _Flow, items: tuple[Item, ...]) -> None:
    first = True
    for item in items:
        label = " ".join((item.label or "").split())
        if not (label or item.text.strip()):
            continue
        if not first:
            flow.separate("\n", _Cut.ITEM)
        first = False
        flow.write("•", None)
        flow.separate(" ", _Cut.KEEP)
        if label:
            flow.write(label, "b", suffix=":")
            flow.separate(" ", _Cut.SPACE)
        flow.write(item.text, None)


def _pack(flow: _Flow) -> list[str]:
    """Fill messages greedily, each ending at the best cut that fits (the latest among equals)."""
    messages: list[str] = []
    start = 0
    while start < len(flow.words):
        size = 0
        style: _Style = None
        best: tuple[_Cut, int] | None = None  # the cut, and the index of the word before it
        end = start
        while end < len(flow.words):
            word = flow.words[end]
            size += word.size + (_TAG_PAIR_LENGTH if word.style and word.style != style else 0)
            style = word.style
            if size > flow.limit:
                break
            if end < len(flow.gaps) and (best is None or flow.gaps[end].cut >= best[0]):
                best = (flow.gaps[end].cut, end)
            size += _utf16_length(flow.gaps[end].text) if end < len(flow.gaps) else 0
            end += 1
        if end == len(flow.words):
            messages.append(_render(flow, start, end))
            break
        # Every word fits a message alone (_Flow splits longer ones), so a cut was seen.
        assert best is not None
        messages.append(_render(flow, start, best[1] + 1))
        start = best[1] + 1
    return messages


def _render(flow: _Flow, start: int, end: int) -> str:
    """Words start..end-1 as HTML; a style runs on across gaps while the next word shares it."""
    parts: list[str] = []
    style: _Style = None
    for index in range(start, end):
        word = flow.words[index]
        if word.style != style:
            if style:
                parts.append(f"</{style}>")
            if word.style:
                parts.append(f"<{word.style}>")
            style = word.style
        parts.append(word.html)
        if index + 1 < end:
            if style and flow.words[index + 1].style != style:
                parts.append(f"</{style}>")
                style = None
            parts.append(flow.gaps[index].text)
    if style:
        parts.append(f"</{style}>")
    return "".join(parts)


def _utf16_length(text: str) -> int:
    # Telegram counts UTF-16 code units; a lone surrogate from a broken client counts as one.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
