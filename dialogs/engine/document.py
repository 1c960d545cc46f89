"""A summary as plain data, rendered as Markdown here (as Telegram messages by
`bot.telegram_html`, as PDF by `bot.pdf`).

Every text in a document is the client's own words: renderers escape it, so nothing a client
typed ever becomes markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.resources.network import NetworkMap


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2  # 1 = the document's title, 2 = a section, 3 = a sub-section

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3):
            raise ValueError(f"heading level must be 1, 2 or 3, not {self.level}")


@dataclass(frozen=True)
class Paragraph:
    text: str
    quiet: bool = False  # rendered in italics, e.g. "Not shared."


@dataclass(frozen=True)
class Item:
    text: str
    label: str | None = None  # rendered bold before the text: "**label:** text"


@dataclass(frozen=True)
class Bullets:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class MapPicture:
    """The network map: a picture in the PDF and as a photo in Telegram, text in Markdown."""

    map: NetworkMap


Block = Heading | Paragraph | Bullets | MapPicture


@dataclass(frozen=True)
class Document:
    title: str
    blocks: tuple[Block, ...]


# --- Markdown -------------------------------------------------------------------------------

# Characters that are markup anywhere in a line (emphasis, code, links, HTML, entities, tables,
# strikethrough, heading markers); CommonMark lets any ASCII punctuation be backslash-escaped.
_MARKDOWN_ANYWHERE = re.compile(r"([\\`*_\[\]<>#|~&])")
# A list item or a setext underline when it opens a line.
_MARKDOWN_LINE_MARKER = re.compile(r"^([-+=])")
_MARKDOWN_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")


def to_markdown(document: Document) -> str:
    """The document as CommonMark, with every text escaped so it reads literally."""
    parts = [_markdown_heading(document.title, 1)]
    previous_marker: str | None = None
    for block in without_pictures(document.blocks):
        marker: str | None = None
        match block:
            case Heading(text, level):
                parts.append(_markdown_heading(text, level))
            case Paragraph(text, quiet):
                parts.append(_markdown_paragraph(text, quiet))
            case Bullets(items):
                # Two lists in a row would merge; another bullet character keeps them apart.
                marker = "*" if previous_marker == "-" else "-"
                rendered = (_markdown_item(item, marker) for item in items)
                parts.append("\n".join(item for item in rendered if item))
        previous_marker = marker
    body = "\n\n".join(part for part in parts if part)
    return f"{body}\n" if body else ""


def map_as_text(network: NetworkMap) -> tuple[Block, ...]:
    """The map in words: who is on each ring, with their kind."""
    labels = network.labels
    items = []
    for ring, name in labels.rings.items():
        on_ring = [r for r in network.resources if r.closeness is ring]
        if on_ring:
            names = "; ".join(f"{r.name} ({labels.kinds[r.kind]})" for r in on_ring)
            items.append(Item(names, name))
    return (Heading(labels.title, 3), Bullets(tuple(items)) if items else Paragraph(labels.empty))


def without_pictures(blocks: tuple[Block, ...]) -> list[Heading | Paragraph | Bullets]:
    """The blocks with each picture as its text (a map as the names by ring), for renderers
    that show no pictures."""
    return [
        part
        for block in blocks
        for part in (map_as_text(block.map) if isinstance(block, MapPicture) else (block,))
        if not isinstance(part, MapPicture)
    ]


def _markdown_heading(text: str, level: int) -> str:
    # A heading is one line: the client's line breaks become spaces.
    line = _markdown_line(" ".join(text.split()))
    return f"{'#' * level} {line}" if line else ""


def _markdown_paragraph(text: str, quiet: bool) -> str:
    chunks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            chunks[-1].append(_markdown_line(line))
        elif chunks[-1]:
            chunks.append([])  # a blank line starts another paragraph, as the client wrote it
    rendered = ("\\\n".join(lines) for lines in chunks if lines)
    return "\n\n".join(f"*{chunk}*" if quiet else chunk for chunk in rendered)


def _markdown_item(item: Item, marker: str) -> str:
    lines = [_markdown_line(line) for line in item.text.splitlines() if line.strip()]
    label = _markdown_line(" ".join((item.label or "").split()))
    if label:
        lines = [f"**{label}:** {lines[0]}" if lines else f"**{label}:**", *lines[1:]]
    # Hard line breaks, indented to the item's text, keep the client's lines inside the item.
    return f"{marker} " + "\\\n  ".join(lines) if lines else ""


def _markdown_line(line: str) -> str:
    """One line of the client's text, escaped; leading spaces would make it a code block."""
    escaped = _MARKDOWN_ANYWHERE.sub(r"\\\1", line.strip())
    escaped = _MARKDOWN_LINE_MARKER.sub(r"\\\1", escaped)
    return _MARKDOWN_ORDERED_MARKER.sub(r"\1\\\2", escaped)
