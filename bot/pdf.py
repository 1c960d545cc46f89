"""A document as an A4 PDF that a counsellor can keep or print."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from itertools import chain
from unicodedata import bidirectional

from fpdf import FPDF, Align, XPos, YPos
from fpdf.bidi import auto_detect_base_direction
from fpdf.enums import TextDirection
from fpdf.fonts import TTFFont

from bot.glyphs import FONT_DIR, printable
from bot.network_map import render
from dialogs.engine.document import Bullets, Document, Heading, Item, MapPicture, Paragraph

# DejaVu Sans ships with matplotlib, which the network map needs anyway: no font to install.
_FAMILY = "DejaVuSans"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
# The file records no real time, so the same document always gives the same bytes.
_CREATED = datetime(1970, 1, 1, tzinfo=UTC)

_MARGIN = 20.0  # mm
_TEXT_SIZE = 11.0  # pt
_LINE = 5.5  # mm per line of body text
_GAP = 2.5  # mm after a block
_HEADING_SIZES = {1: 18.0, 2: 14.0, 3: 12.0}
_INDENT = 6.0  # mm from the margin to an item's text
_PICTURE_HEADROOM = 20.0  # mm a picture leaves on its page for the heading above it

# Bidirectional classes of right-to-left scripts (Hebrew; Arabic letters and digits).
_SHAPED = frozenset({"R", "AL", "AN"})


def to_pdf(document: Document) -> bytes:
    """The document on A4 pages: title, headings, wrapped paragraphs, bulleted lists with bold
    labels, and "page / pages" in the footer. Right-to-left text is shaped and reordered."""
    pdf = _SummaryPdf(document.title)
    pdf.heading(document.title, 1)
    blocks = document.blocks
    pictures = {i: render(b.map) for i, b in enumerate(blocks) if isinstance(b, MapPicture)}
    for index, block in enumerate(blocks):
        match block:
            case Heading(text, level):
                after = pictures.get(index + 1)
                pdf.heading(text, level, pdf.picture_size(after)[1] if after else 3 * _LINE)
            case Paragraph(text, quiet):
                pdf.paragraph(text, quiet)
            case Bullets(items):
                pdf.bullets(items)
            case MapPicture():
                pdf.picture(pictures[index])
    return bytes(pdf.output())


class _SummaryPdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        for style, file in _FONT_FILES.items():
            self.add_font(_FAMILY, style, FONT_DIR / file)
        # The oblique face lacks Arabic, for one: any face that has a character draws it.
        self.set_fallback_fonts([_FAMILY], exact_match=False)
        self._drawable = frozenset(
            chain.from_iterable(
                font.cmap for font in self.fonts.values() if isinstance(font, TTFFont)
            )
        )
        self.set_creation_date(_CREATED)
        self.set_title(self._printable(title))  # for the viewer's title bar
        self.set_margins(_MARGIN, _MARGIN)
        self.set_auto_page_break(True, margin=_MARGIN)
        self.add_page()

    def footer(self) -> None:
        self.set_xy(0, -12)  # mm: inside the bottom margin, centred on the page below
        self.set_font(_FAMILY, size=9)
        self.cell(self.w, 4, f"{self.page_no()} / {{nb}}", align=Align.C)

    def heading(self, text: str, level: int, then: float = 3 * _LINE) -> None:
        """A heading, kept on one page with the first `then` mm of what follows it."""
        if not text.strip():
            return
        size = _HEADING_SIZES[level]
        height = size * 0.5
        # A heading belongs with what follows it: rather a new page than one at the bottom.
        if self.will_page_break(_GAP + height + _GAP + then):
            self.add_page()
        elif self.get_y() > self.t_margin:
            self.ln(_GAP)
        self.set_font(_FAMILY, "B", size)
        self._lines(text, height)
        self.ln(_GAP)

    def paragraph(self, text: str, quiet: bool) -> None:
        if not text.strip():
            return
        self.set_font(_FAMILY, "I" if quiet else "", _TEXT_SIZE)
        self._lines(text, _LINE)
        self.ln(_GAP)

    def bullets(self, items: tuple[Item, ...]) -> None:
        for item in items:
            label = " ".join((item.label or "").split())
            if not (label or item.text.strip()):
                continue
            self.set_font(_FAMILY, "", _TEXT_SIZE)
            self.set_text_shaping(False)
            self.cell(_INDENT, _LINE, "•")
            self._shaping(label + item.text)
            # write() wraps to the left margin: moved in for the item, its lines hang indented.
            self.set_left_margin(_MARGIN + _INDENT)
            if label:
                self.set_font(_FAMILY, "B", _TEXT_SIZE)
                self.write(_LINE, self._printable(label) + ": ")
                self.set_font(_FAMILY, "", _TEXT_SIZE)
            self.write(_LINE, self._printable(item.text.strip()))
            self.set_left_margin(_MARGIN)
            self.ln(_LINE)
        self.ln(_GAP)

    def picture_size(self, png: bytes) -> tuple[float, float]:
        """A PNG's size in mm: the text width, smaller if it would not fit on a page together
        with a heading above it."""
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        tallest = self.eph - _PICTURE_HEADROOM
        w, h = self.epw, self.epw * height / width
        return (tallest * width / height, tallest) if h > tallest else (w, h)

    def picture(self, png: bytes) -> None:
        """A PNG centred (see picture_size); on a new page when this one has too little room."""
        w, h = self.picture_size(png)
        if self.will_page_break(h):
            self.add_page()
        self.image(io.BytesIO(png), x=self.l_margin + (self.epw - w) / 2, w=w, h=h)
        self.ln(_GAP)

    def _lines(self, text: str, height: float) -> None:
        """Wrapped lines, aligned to the right when the text starts in a right-to-left script."""
        printable = self._printable(text.strip())
        self._shaping(printable)
        rtl = auto_detect_base_direction(printable) == TextDirection.RTL
        self.multi_cell(
            0,
            height,
            printable,
            align=Align.R if rtl else Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def _shaping(self, text: str) -> None:
        """HarfBuzz joins Arabic letters and fpdf2's bidi algorithm orders mixed directions,
        but shaping re-shapes a line at every character while wrapping: several times slower,
        so only for text in a script that needs it."""
        self.set_text_shaping(any(bidirectional(char) in _SHAPED for char in text))

    def _printable(self, text: str) -> str:
        """fpdf2 would draw nothing for a character the fonts lack (with text shaping, not even
        a warning), so a client's emoji would silently vanish: it is spelled out instead."""
        return printable(text, self._drawable)
