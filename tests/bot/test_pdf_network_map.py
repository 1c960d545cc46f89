"""The network map in a PDF: a picture on the page, within the page, the same every time."""

from __future__ import annotations

import io

from pypdf import PdfReader

from bot.pdf import to_pdf
from dialogs import Content
from dialogs.engine.document import Document, Heading, MapPicture, Paragraph
from dialogs.resources.network import NetworkMap, map_labels
from tests.bot.test_network_map import resources


def document(content: Content, count: int) -> Document:
    picture = MapPicture(NetworkMap(resources(count), map_labels(content, "nl")))
    return Document(
        "Overzicht van Jan",
        (Heading("Netwerk en hulpbronnen"), picture, Paragraph("Daarna de lijsten.")),
    )


def test_the_map_is_an_image_on_the_page(content: Content) -> None:
    reader = PdfReader(io.BytesIO(to_pdf(document(content, 5))))
    first = reader.pages[0]
    [image] = first.images
    assert image.image is not None
    assert image.image.size[0] == 1280
    assert "Daarna de lijsten." in "".join(page.extract_text() for page in reader.pages)


def test_a_tall_map_fits_on_one_page(content: Content) -> None:
    reader = PdfReader(io.BytesIO(to_pdf(document(content, 40))))
    pictures = [page for page in reader.pages if page.images]
    assert len(pictures) == 1
    [page] = pictures
    assert "Netwerk en hulpbronnen" in page.extract_text()  # its heading came along
    # The image is drawn with a "w 0 0 h x y cm" matrix: its height stays within the page.
    heights = [
        float(operands[3])
        for operands, operator in page.get_contents().operations  # type: ignore[union-attr]
        if operator == b"cm"
    ]
    assert heights
    assert max(heights) <= float(page.mediabox.height)


def test_the_same_map_gives_the_same_pdf(content: Content) -> None:
    assert to_pdf(document(content, 3)) == to_pdf(document(content, 3))
