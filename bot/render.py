"""Fitting messages to Telegram: at most 4,096 characters, counted in UTF-16 code units."""

from __future__ import annotations

TELEGRAM_TEXT_LIMIT = 4096


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split a long text into messages: between paragraphs, else lines, else words.

    Only a single word longer than a whole message is cut inside; never inside a character.
    """
    if utf16_length(text) <= limit:
        return [text] if text.strip() else []
    for separator in ("\n\n", "\n", " "):
        parts = text.split(separator)
        if len(parts) == 1:
            continue
        chunks: list[str] = []
        current = ""
        for part in parts:
            candidate = f"{current}{separator}{part}" if current else part
            if utf16_length(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = part
        chunks.append(current)
        return [piece for chunk in chunks for piece in split_text(chunk, limit)]
    pieces: list[str] = []
    current = ""
    for char in text:
        if utf16_length(current + char) > limit:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current]
