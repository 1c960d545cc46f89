"""Message text as Telegram stores it: Telegram-flavoured HTML parsed into plain text and
entities, surrounding whitespace trimmed, lengths measured in UTF-16 code units."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from tests.e2e.fake_bot_api.errors import bad_request

_MAX_TEXT_LENGTH = 4096
_MAX_CAPTION_LENGTH = 1024


def utf16_len(text: str) -> int:
    """The length of ``text`` as Telegram counts it."""
    # Telegram measures text and entity offsets in UTF-16 code units.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf8_len(text: str) -> int:
    """The length of ``text`` in bytes."""
    return len(text.encode("utf-8", "surrogatepass"))


class _HtmlError(Exception):
    pass


@dataclass
class _OpenTag:
    tag: str
    start: int  # UTF-16 offset in the plain text
    entity: dict[str, Any] | None  # None: the tag produces no entity of its own


_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class _TelegramHtml(HTMLParser):
    """Turns Telegram-flavoured HTML into plain text plus MessageEntity dicts.

    Mirrors Telegram's rules: only its small tag set, every tag closed in order, and a
    literal '<' must be written as '&lt;'. A bare '>' or '&' is accepted, as Telegram does.
    """

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)  # keep '&lt;' apart from a literal '<'
        self._source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self._chunks: list[str] = []
        self._length = 0
        self._open: list[_OpenTag] = []
        self._entities: list[dict[str, Any]] = []

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        # html.parser silently drops "</>" and "</ >"; Telegram rejects them.
        stray_end = re.search(r"</(?![A-Za-z])", self._source)
        if stray_end:
            offset = utf8_len(self._source[: stray_end.start()])
            raise _HtmlError(f"Unexpected end tag at byte offset {offset}")
        self.feed(self._source)
        self.close()
        if self._open:
            raise _HtmlError(
                f'Can\'t find end tag corresponding to start tag "{self._open[-1].tag}"'
            )
        self._entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self._chunks), self._entities

    def _index(self, extra: int = 0) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column + extra

    def _byte_offset(self, extra: int = 0) -> int:
        return utf8_len(self._source[: self._index(extra)])

    def _emit(self, text: str) -> None:
        self._chunks.append(text)
        self._length += utf16_len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        where = f"at byte offset {self._byte_offset()}"
        entity_type = _TAG_ENTITY_TYPES.get(tag)
        if entity_type is None:
            raise _HtmlError(f'Unsupported start tag "{tag}" {where}')
        entity: dict[str, Any] | None = {"type": entity_type}
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise _HtmlError(f'Tag "span" must have class "tg-spoiler" {where}')
        if tag == "a":
            href = attributes.get("href")
            entity = {"type": "text_link", "url": href} if href else None
        elif tag == "tg-emoji":
            emoji_id = attributes.get("emoji-id")
            if not emoji_id:
                raise _HtmlError(f'Tag "tg-emoji" must have attribute "emoji-id" {where}')
            entity = {"type": "custom_emoji", "custom_emoji_id": emoji_id}
        elif tag == "blockquote" and "expandable" in attributes:
            entity = {"type": "expandable_blockquote"}
        elif tag == "code" and self._open and self._open[-1].tag == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            css_class = attributes.get("class") or ""
            pre_entity = self._open[-1].entity
            if css_class.startswith("language-") and pre_entity is not None:
                pre_entity["language"] = css_class.removeprefix("language-")
                entity = None
        self._open.append(_OpenTag(tag=tag, start=self._length, entity=entity))

    def handle_endtag(self, tag: str) -> None:
        where = f"at byte offset {self._byte_offset()}"
        if not self._open:
            raise _HtmlError(f"Unexpected end tag {where}")
        top = self._open.pop()
        if top.tag != tag:
            raise _HtmlError(
                f'Unmatched end tag {where}, expected "</{top.tag}>", found "</{tag}>"'
            )
        if top.entity is not None and self._length > top.start:
            entity_type = top.entity["type"]
            extras = {key: value for key, value in top.entity.items() if key != "type"}
            self._entities.append(
                {
                    "type": entity_type,
                    "offset": top.start,
                    "length": self._length - top.start,
                    **extras,
                }
            )

    def handle_data(self, data: str) -> None:
        # html.parser passes a '<' that starts no valid tag through as text.
        position = data.find("<")
        if position >= 0:
            raise _HtmlError(
                f'Unsupported start tag "" at byte offset {self._byte_offset(position)}: '
                "write a literal '<' as '&lt;'"
            )
        self._emit(data)

    def handle_entityref(self, name: str) -> None:
        char = _HTML_ENTITIES.get(name)
        if char is not None:
            self._emit(char)
            return
        # Telegram knows only the four entities above; others stay literal text.
        end = self._index(1 + len(name))
        semicolon = ";" if self._source[end : end + 1] == ";" else ""
        self._emit(f"&{name}{semicolon}")

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in ("x", "X") else int(name)
        except ValueError:
            code = -1
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            self._emit(chr(code))
        else:
            self._emit(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        raise _HtmlError(f"Unsupported comment at byte offset {self._byte_offset()}")

    def handle_decl(self, decl: str) -> None:
        raise _HtmlError(f"Unsupported declaration at byte offset {self._byte_offset()}")

    def unknown_decl(self, data: str) -> None:
        raise _HtmlError(f"Unsupported declaration at byte offset {self._byte_offset()}")

    def handle_pi(self, data: str) -> None:
        raise _HtmlError(f"Unsupported instruction at byte offset {self._byte_offset()}")


def _strip_formatted(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    # Telegram trims surrounding whitespace and moves/clips the entities accordingly.
    left_stripped = text.lstrip()
    lead = utf16_len(text) - utf16_len(left_stripped)
    result = left_stripped.rstrip()
    total = utf16_len(result)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return result, kept


def _format_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities as Telegram stores them (explicit entities win)."""
    if entities is not None:
        return _strip_formatted(text, copy.deepcopy(entities))
    if parse_mode and parse_mode.lower() == "html":
        try:
            plain, parsed = _TelegramHtml(text).parse()
        except _HtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        return _strip_formatted(plain, parsed)
    # Markdown and MarkdownV2 are accepted but not parsed: the raw text is stored.
    return _strip_formatted(text, [])


def message_text(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The text and entities of a sendMessage or editMessageText, if Telegram accepts them."""
    text, entities = _format_text(params["text"], params.get("parse_mode"), params.get("entities"))
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > _MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text, entities


def message_caption(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The caption and its entities, if Telegram accepts them."""
    caption, entities = _format_text(
        params.get("caption", ""), params.get("parse_mode"), params.get("caption_entities")
    )
    if utf16_len(caption) > _MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return caption, entities
