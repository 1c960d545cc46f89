"""Documents as Markdown: the client's words stay words, never markup. (As Telegram messages:
tests/bot/test_telegram_html.py, with the same words.)"""

from __future__ import annotations

import html
import random
import re

import pytest

from dialogs.engine.document import Bullets, Document, Heading, Item, Paragraph, to_markdown

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


def test_a_heading_level_outside_one_to_three_is_refused() -> None:
    with pytest.raises(ValueError, match="level"):
        Heading("Kop", level=4)
