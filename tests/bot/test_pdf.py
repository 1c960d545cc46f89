"""Documents as PDF: readable text in any script, page numbers, the same bytes every time."""

from __future__ import annotations

import io
import logging
import random
import re
import warnings

import pytest
from pypdf import PdfReader

from bot.pdf import to_pdf
from dialogs.engine.document import Bullets, Document, Heading, Item, Paragraph

ANSWER = (
    "Ik wil graag weer in de zorg werken, omdat ik het fijn vind om voor mensen te zorgen; "
    "mijn oude collega's zeggen dat ik geduldig ben. "
) * 30  # about 4,000 characters
SUMMARY = Document(
    "Overzicht van Zoë",
    (
        Paragraph("Gedeeld op 3 maart: krachten en hulpbronnen.", quiet=True),
        Heading("Krachten"),
        Paragraph("Cliënt vertelt over haar *sterke* kanten & <b>wensen</b>."),
        Heading("Antwoorden", level=3),
        Bullets((Item(ANSWER, label="Werk"), Item("Voetbal\nop zaterdag", label="Hobby"))),
        Heading("Hulpbronnen"),
        Paragraph("Niet gedeeld.", quiet=True),
    ),
)


def pages(pdf: bytes) -> list[str]:
    """Each page's text without its footer, which must be "page / pages"."""
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    bodies = []
    for number, text in enumerate(texts, start=1):
        body, _, footer = text.rstrip().rpartition("\n")
        assert footer.strip() == f"{number} / {len(texts)}"
        bodies.append(body)
    return bodies


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_shows_the_clients_words() -> None:
    pdf = to_pdf(SUMMARY)
    assert pdf.startswith(b"%PDF-")
    text = flat("\n".join(pages(pdf)))
    for words in (
        "Overzicht van Zoë",
        "Gedeeld op 3 maart: krachten en hulpbronnen.",
        "Cliënt vertelt over haar *sterke* kanten & <b>wensen</b>.",
        f"Werk: {flat(ANSWER)}",
        "Hobby: Voetbal op zaterdag",
        "Hulpbronnen Niet gedeeld.",
    ):
        assert words in text


def test_the_same_document_gives_the_same_bytes() -> None:
    assert to_pdf(SUMMARY) == to_pdf(SUMMARY)


def test_two_hundred_bullets_fill_several_pages() -> None:
    items = tuple(Item(f"antwoord {n}", label=f"vraag {n}") for n in range(200))
    texts = pages(to_pdf(Document("Alle antwoorden", (Bullets(items),))))
    assert len(texts) >= 3
    lines = [line for text in texts for line in text.splitlines()]
    assert lines == ["Alle antwoorden", *(f"• vraag {n}: antwoord {n}" for n in range(200))]


def test_a_word_longer_than_a_line_is_wrapped() -> None:
    word = "x" * 1000
    texts = pages(to_pdf(Document(word, (Paragraph(word), Bullets((Item(word, label=word),))))))
    lines = "\n".join(texts).splitlines()
    assert "".join(lines) == word + word + f"• {word}: {word}"
    assert len(lines) > 4


def test_characters_the_font_lacks_are_replaced_visibly_without_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    document = Document(
        "Zoë 👍🏽",
        (Paragraph("Waar kom je vandaan? 🇳🇱 中文 🫶", quiet=True), Bullets((Item("😀 ❤️"),))),
    )
    with caplog.at_level(logging.WARNING), warnings.catch_warnings():
        warnings.simplefilter("error")
        text = flat("\n".join(pages(to_pdf(document))))
    assert not caplog.records
    # DejaVu Sans draws 😀 and ❤ itself; the rest is spelled out or marked.
    assert "Zoë [thumbs up sign]" in text
    assert "vandaan? [NL] \ufffd\ufffd [heart hands]" in text
    assert "😀 ❤" in text


def test_right_to_left_text_is_drawn() -> None:
    arabic = "مرحبا، أحب كرة القدم وأريد أن أعمل في المطبخ مرة أخرى."
    hebrew = "שלום, אני רוצה לעבוד שוב."
    document = Document(
        "Overzicht",
        (
            Paragraph(arabic),
            Paragraph(hebrew, quiet=True),  # the oblique face lacks Arabic but has Hebrew
            Paragraph(f"Gemengd: {arabic}", quiet=True),
            Bullets((Item(arabic, label="Arabisch"),)),
        ),
    )
    # Extraction yields the glyphs in visual order: compare the words, not the sentence.
    found = set(re.findall(r"\w+", "\n".join(pages(to_pdf(document)))))
    assert set(re.findall(r"\w+", arabic + hebrew)) <= found


def test_any_text_becomes_a_pdf() -> None:
    pieces = ["Zoë", "مرحبا", "שלום", "😀", "👨‍👩‍👧", "🇸🇾", "中文", "ቤት", "*_[]<b>#`\\&", "\t"]
    pieces += [" ", " ", "\n", "\r\n", "\n\n", "y" * 300, "\ud83d"]  # the last: a lone surrogate
    for seed in range(8):
        rng = random.Random(seed)
        text = "".join(rng.choice(pieces) for _ in range(200))
        document = Document(
            text[:60],
            (Heading(text[:80], level=3), Paragraph(text, quiet=seed % 2 == 0)),
        )
        assert to_pdf(document).startswith(b"%PDF-")
