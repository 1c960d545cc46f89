"""Documents as Markdown and as Telegram messages: the client's words stay words, never markup."""

from __future__ import annotations

import html
import random
import re

import pytest

from dialogs.document import (
    Block,
    Bullets,
    Document,
    Heading,
    Item,
    Paragraph,
    to_markdown,
    to_telegram,
)

MARKUP = "*_[]<>#`\\&|~"
# Words a client might type: markup characters, entities, several scripts, emoji (surrogate
# pairs in UTF-16), a no-break space and the line breaks of phones and PCs.
PIECES = [
    *MARKUP,
    "&amp;",
    "<b>",
    "</i>",
    "Zoë",
    "café",
    "مرحبا",
    "שלום",
    "😀",
    "👨‍👩‍👧",
    "🇳🇱",
    "ik",
    "ben",
    "sterk",
    "vandaag",
    "1.",
    "-",
    "\u00a0",
    " ",
    " ",
    " ",
    "\n",
    "\r\n",
    "\n\n",
]


def random_text(seed: int, words: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(PIECES) for _ in range(words))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def plain(message: str) -> str:
    """What the client reads: tags gone, entities decoded."""
    return html.unescape(re.sub(r"</?[bi]>", "", message))


def assert_valid(messages: list[str], limit: int) -> None:
    assert messages
    for message in messages:
        assert message.strip()
        assert utf16_length(message) <= limit  # raises on a lone surrogate, too
        # Text is escaped, so every "<" opens a tag: each <b> or <i> closes before the next.
        assert re.fullmatch(r"(?:<([bi])>[^<]*</\1>|[^<])*", message), message
        # Every "&" starts a whole entity: none is cut at a message's end.
        assert "&" not in re.sub(r"&(?:amp|lt|gt);", "", message)


def words(text: str) -> list[str]:
    # A no-break space is no place to split: it glues its neighbours into one word.
    return re.findall(r"\S+(?:\u00a0+\S+)*", text)


# --- Markdown -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*vet* en _schuin_", r"\*vet\* en \_schuin\_"),
        ("[klik](https://x.nl)", r"\[klik\](https://x.nl)"),
        ("<b>niet vet</b>", r"\<b\>niet vet\</b\>"),
        ("#hashtag en # kop", r"\#hashtag en \# kop"),
        ("`code` en ```", r"\`code\` en \`\`\`"),
        ("a\\b & c | d ~~e~~", r"a\\b \& c \| d \~\~e\~\~"),
        ("- geen lijst", r"\- geen lijst"),
        ("+ ook niet", r"\+ ook niet"),
        ("1. geen genummerde lijst", r"1\. geen genummerde lijst"),
        ("2024) jaar", r"2024\) jaar"),
        ("===", r"\==="),
        ("    geen code", "geen code"),
        ("Zoë zegt: مرحبا 😀", "Zoë zegt: مرحبا 😀"),
    ],
)
def test_markdown_escapes_what_would_be_markup(text: str, expected: str) -> None:
    assert to_markdown(Document("T", (Paragraph(text),))) == f"# T\n\n{expected}\n"


def test_markdown_renders_every_block() -> None:
    document = Document(
        "Samenvatting *Zoë*",
        (
            Heading("Krachten"),
            Paragraph("Ik kan goed luisteren.\nEn koken.\n\nTweede alinea."),
            Heading("Hulpbronnen", level=3),
            Paragraph("Niet gedeeld.", quiet=True),
            Bullets((Item("Voetbal\nop zaterdag", label="Hobby_1"), Item("Zus"))),
            Bullets((Item("Buurman"),)),
        ),
    )
    assert to_markdown(document) == (
        "# Samenvatting \\*Zoë\\*\n"
        "\n"
        "## Krachten\n"
        "\n"
        "Ik kan goed luisteren.\\\n"
        "En koken.\n"
        "\n"
        "Tweede alinea.\n"
        "\n"
        "### Hulpbronnen\n"
        "\n"
        "*Niet gedeeld.*\n"
        "\n"
        "- **Hobby\\_1:** Voetbal\\\n"
        "  op zaterdag\n"
        "- Zus\n"
        "\n"
        # Another bullet character: two lists in a row would otherwise merge into one.
        "* Buurman\n"
    )


def test_markdown_keeps_headings_on_one_line() -> None:
    document = Document("Twee\nregels", (Heading("Kop\r\nmet enter", level=2),))
    assert to_markdown(document) == "# Twee regels\n\n## Kop met enter\n"


def unescaped_lines(markdown: str) -> list[str]:
    """The rendered text's lines without hard breaks and escapes; no markup may be left."""
    lines = markdown.splitlines()
    result = []
    for index, line in enumerate(lines):
        if not line:
            continue
        if index + 1 < len(lines) and lines[index + 1]:
            assert line.endswith("\\")  # a hard break: the client's line break
            line = line[:-1]
        assert not set(re.sub(r"\\.", "", line)) & set(MARKUP), line
        result.append(re.sub(r"\\(.)", r"\1", line))
    return result


def test_markdown_keeps_any_text_literal_line_by_line() -> None:
    for seed in range(300):
        text = random_text(seed, 40)
        client_lines = [line.strip() for line in text.splitlines() if line.strip()]
        paragraph = to_markdown(Document("", (Paragraph(text),)))
        assert unescaped_lines(paragraph) == client_lines
        item = to_markdown(Document("", (Bullets((Item(text),)),)))
        assert item.startswith("- ")
        assert unescaped_lines(item.removeprefix("- ").replace("\n  ", "\n")) == client_lines


# --- Telegram -------------------------------------------------------------------------------


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


def test_a_heading_level_outside_one_to_three_is_refused() -> None:
    with pytest.raises(ValueError, match="level"):
        Heading("Kop", level=4)
