"""Everything stored about a client as a readable document, next to the JSON file.

Generic on purpose: every table and column of the export is in it, so nothing stored is left
out of what the client can read; technical ids are left to the JSON file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs.content.load import Content
from dialogs.engine.document import Block, Bullets, Document, Heading, Item, Paragraph

# Columns that say nothing to a person (row and foreign-key ids), in the JSON file only.
_TECHNICAL = {"id", "client_id", "staff_id", "goal_id", "link_id", "invitation_id"}


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    return str(value)


def _item(row: Mapping[str, Any]) -> Item:
    parts = [
        f"{key}: {_value(value)}"
        for key, value in row.items()
        if key not in _TECHNICAL and value not in (None, "", [], {})
    ]
    return Item(" · ".join(parts))


def data_document(content: Content, language: str, data: Mapping[str, Any]) -> Document:
    ui = content.ui(language)
    blocks: list[Block] = [Paragraph(ui.my_data_intro, quiet=True)]
    for key, rows in data.items():
        blocks.append(Heading(ui.my_data_parts.get(key, key)))
        entries = rows if isinstance(rows, list) else [rows]
        if entries:
            blocks.append(Bullets(tuple(_item(row) for row in entries)))
        else:
            blocks.append(Paragraph(ui.my_data_none, quiet=True))
    return Document(ui.my_data_title, tuple(blocks))
