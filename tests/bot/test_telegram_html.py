"""Documents as Telegram messages: within the limit in UTF-16 code units, split between blocks,
items and words (characters only inside a word longer than a message), the client's words
escaped and never markup."""

from __future__ import annotations

import random

import pytest

from bot.telegram_html import to_telegram
from dialogs.engine.document import Block, Bullets, Document, Heading, Item, Paragraph, to_markdown
from tests.dialogs.test_document import assert_valid, plain, random_text, words


def test_a_small_document_is_one_message() -> None:
    document = Document(
        "Samenvatting <Zoë> & co",
        (
            Heading("Krachten"),
            Paragraph("Ik *kan* goed luisteren."),
            Paragraph("Niet gedeeld.", quiet=True),
            Bullets((Item("Voetbal", label="Hobby"), Item("Zus"))),
        ),
    )
    assert to_telegram(document) == [
        "<b>Samenvatting &lt;Zoë&gt; &amp; co\n\nKrachten</b>\n\n"
        "Ik *kan* goed luisteren.\n\n"
        "<i>Niet gedeeld.</i>\n\n"
        "• <b>Hobby:</b> Voetbal\n• Zus"
    ]


def test_an_empty_document_gives_no_messages() -> None:
    empty = Document("", (Paragraph("  \n"), Bullets((Item(" "),)), Heading(" ")))
    assert to_telegram(empty) == []
    assert to_markdown(empty) == ""


def test_a_long_paragraph_is_split_between_words() -> None:
    for seed in range(5):
        text = random_text(seed, 4600)
        assert len(text) > 10_000
        for limit in (4096, 1000, 333):
            messages = to_telegram(Document("", (Paragraph(text),)), limit)
            assert_valid(messages, limit)
            assert len(messages) > 1
            assert words(" ".join(plain(message) for message in messages)) == words(text)


def test_a_quiet_paragraph_stays_italic_in_every_message() -> None:
    messages = to_telegram(Document("", (Paragraph("niet gedeeld " * 900, quiet=True),)), 500)
    assert_valid(messages, 500)
    assert all(m.startswith("<i>") and m.endswith("</i>") for m in messages)


def test_a_word_longer_than_a_message_is_split_between_characters() -> None:
    for word in ("a" * 5000, "😀" * 2500, "&<>" * 1700, "ë" * 5000, "a😀" * 1700):
        text = f"begin {word} eind"
        for limit in (4096, 1001, 100, 13):
            messages = to_telegram(Document("", (Paragraph(text),)), limit)
            assert_valid(messages, limit)
            joined = "".join(plain(message) for message in messages)
            assert joined.replace(" ", "") == text.replace(" ", "")
            # The long word starts a message of its own rather than after "begin".
            assert plain(messages[0]) == "begin"


def test_emoji_are_never_cut_at_a_message_boundary() -> None:
    for seed in range(5):
        rng = random.Random(seed)
        text = "".join(rng.choice(["😀", "a", "👍🏽", " "]) for _ in range(3000))
        for limit in (12, 13, 14, 15, 16, 17, 18, 23, 31, 4096):
            messages = to_telegram(Document("", (Paragraph(text),)), limit)
            assert_valid(messages, limit)
            assert "".join(plain(m) for m in messages).replace(" ", "") == text.replace(" ", "")


def test_many_bullets_are_split_between_items() -> None:
    items = tuple(Item(f"antwoord {n} & meer", label=f"vraag {n}") for n in range(500))
    messages = to_telegram(Document("Titel", (Bullets(items),)))
    assert_valid(messages, 4096)
    assert len(messages) > 1
    lines = [line for message in messages for line in plain(message).split("\n")]
    assert lines == ["Titel", "", *(f"• vraag {n}: antwoord {n} & meer" for n in range(500))]
    for message in messages[1:]:
        assert message.startswith("• <b>vraag ")


def test_a_long_label_is_reopened_in_every_message() -> None:
    item = Item("kort antwoord", label="een heel lang label " * 40)
    messages = to_telegram(Document("", (Bullets((item,)),)), 100)
    assert_valid(messages, 100)
    assert len(messages) > 2
    assert all("<b>" in message for message in messages[:-1])


def test_any_text_survives_splitting() -> None:
    for seed in range(30):
        text = random_text(seed, 600)
        label = random_text(seed + 1000, 5)
        document = Document("Titel", (Heading("Kop"), Bullets((Item(text, label), Item(text)))))
        for limit in (4096, 300, 50, 12):
            messages = to_telegram(document, limit)
            assert_valid(messages, limit)
            joined = "".join(plain(m) for m in messages)
            shown_label = f"{label}:" if label.strip() else ""
            expected = f"Titel Kop • {shown_label} {text} • {text}"
            assert "".join(joined.split()) == "".join(expected.split())


def test_messages_start_at_headings_and_keep_headings_with_their_text() -> None:
    # About 3,000 characters: a message has room for a section and a bit of the next.
    section: tuple[Block, ...] = (Heading("Kop"), *[Paragraph("woord " * 100)] * 5)
    messages = to_telegram(Document("Titel", section * 4 + (Heading("Slot"),)))
    assert_valid(messages, 4096)
    assert [plain(m).split("\n")[0] for m in messages] == ["Titel", "Kop", "Kop", "Kop"]
    assert messages[-1].endswith("<b>Slot</b>")
    # A heading with a paragraph longer than a message keeps the paragraph's first words.
    messages = to_telegram(Document("Titel", (Heading("Kop"), Paragraph("woord " * 2000))))
    assert plain(messages[0]).startswith("Titel\n\nKop\n\nwoord woord")


def test_a_limit_too_small_for_one_character_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 12"):
        to_telegram(Document("T", ()), 11)
