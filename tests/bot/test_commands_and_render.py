"""Commands as typed, and long texts fitted to Telegram's message limit."""

from __future__ import annotations

import pytest

from bot.commands import command_aliases, read_command
from bot.render import TELEGRAM_TEXT_LIMIT, split_text, utf16_length
from dialogs import Command, CommandName, Content, UnknownCommand


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/taal", Command(CommandName.LANGUAGE)),
        ("/language", Command(CommandName.LANGUAGE)),
        ("/Mijnkrachten", Command(CommandName.STRENGTHS)),
        ("/mystrengths now", Command(CommandName.STRENGTHS, "now")),
        ("/start abc-DEF_1", Command(CommandName.START, "abc-DEF_1")),
        ("/uitnodiging Jan de\nVries ", Command(CommandName.INVITE, "Jan de\nVries")),
        ("/menu@krachtwerk_bot", Command(CommandName.MENU)),
        ("/start", Command(CommandName.START)),
        ("/vliegen", UnknownCommand("/vliegen")),
        ("/vliegen ik wil dood", UnknownCommand("/vliegen ik wil dood")),
        ("/ ik weet het niet", None),
        ("gewoon tekst", None),
        ("/", None),
    ],
)
def test_commands_in_both_languages(content: Content, text: str, expected: object) -> None:
    assert read_command(text, command_aliases(content)) == expected


def test_a_short_text_is_one_message() -> None:
    assert split_text("Hallo") == ["Hallo"]
    assert split_text("  ") == []


def test_long_texts_split_between_paragraphs() -> None:
    paragraphs = [f"Domein {n}\n" + "woord " * 300 for n in range(10)]
    chunks = split_text("\n\n".join(paragraphs))
    assert len(chunks) > 1
    assert all(utf16_length(c) <= TELEGRAM_TEXT_LIMIT for c in chunks)
    assert all(c.startswith("Domein") for c in chunks)


def test_emoji_count_double_and_are_never_cut() -> None:
    text = "😀" * 3000  # 6,000 UTF-16 units, no spaces
    chunks = split_text(text)
    assert [utf16_length(c) for c in chunks] == [4096, 1904]
    assert "".join(chunks) == text


def test_a_long_answer_splits_between_words() -> None:
    text = " ".join(["krachtwerk"] * 1000)
    chunks = split_text(text)
    assert all(utf16_length(c) <= TELEGRAM_TEXT_LIMIT for c in chunks)
    assert " ".join(chunks) == text
