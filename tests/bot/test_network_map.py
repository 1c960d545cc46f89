"""The network map picture: readable, complete and the same every time, for 0, 1 and 40 people
and places with long names."""

from __future__ import annotations

import io
import itertools
import logging
import warnings

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image

from bot.network_map import DPI, KIND_STYLE, WIDTH, draw, render
from dialogs import Content
from dialogs.engine.state import Closeness, Resource, ResourceKind
from dialogs.resources.network import NetworkMap, map_labels

LONG = "Stichting Maatschappelijke Dienstverlening Noord-Holland Zuid, locatie Kennemerland"
NAMES = (
    LONG,
    "Oma",
    "Buurvrouw Mevrouw Jansen-van der Heijden van nummer 12",
    "Voetbalvereniging Haarlemsche Football Club Koninklijke",
    "Ervaringsdeskundige van de herstelgroep op dinsdagavond",
    "Wijkteam Schalkwijk",
)


def resources(count: int) -> tuple[Resource, ...]:
    kinds, rings = list(ResourceKind), list(Closeness)
    return tuple(
        Resource(
            number,
            f"{NAMES[number % len(NAMES)]} {number}",
            kinds[number % 4],
            rings[(number * 7) % 3],
        )
        for number in range(1, count + 1)
    )


def network(content: Content, count: int, language: str = "nl") -> NetworkMap:
    return NetworkMap(resources(count), map_labels(content, language))


def drawn_figure(network: NetworkMap) -> Figure:
    """The map as drawn: the legend places its texts only while drawing."""
    figure = draw(network)
    figure.draw_without_rendering()
    return figure


def texts(figure: Figure) -> list[Text]:
    return [
        t for t in figure.findobj(Text) if isinstance(t, Text) and t.get_visible() and t.get_text()
    ]


def extent(figure: Figure, text: Text) -> Bbox:
    return text.get_window_extent(figure.canvas.get_renderer())  # type: ignore[attr-defined]


def names(figure: Figure) -> dict[int, Text]:
    found = {}
    for text in texts(figure):
        gid = text.get_gid() or ""
        if gid.startswith("resource-"):
            found[int(gid.removeprefix("resource-"))] = text
    return found


@pytest.mark.parametrize("count", [0, 1, 40])
def test_a_png_of_phone_width_with_every_text_inside(content: Content, count: int) -> None:
    png = render(network(content, count))
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        width, height = image.size
        image.load()
    assert width == WIDTH
    assert 600 <= height <= 4000
    figure = drawn_figure(network(content, count))
    assert (round(figure.bbox.width), round(figure.bbox.height)) == (width, height)
    shown = texts(figure)
    assert len(shown) >= 1 + 1 + 3 + 4 + count  # title, centre, rings, legend, names
    for text in shown:
        box = extent(figure, text)
        assert box.x0 >= 0, text.get_text()
        assert box.y0 >= 0, text.get_text()
        assert box.x1 <= width, text.get_text()
        assert box.y1 <= height, text.get_text()
        assert float(text.get_fontsize()) * DPI / 72 >= 20, text.get_text()


@pytest.mark.parametrize("count", [1, 40])
def test_every_name_is_there_in_full(content: Content, count: int) -> None:
    figure = drawn_figure(network(content, count))
    drawn = names(figure)
    assert set(drawn) == set(range(1, count + 1))
    for resource in resources(count):
        text = drawn[resource.number].get_text()
        assert "".join(text.split()) == "".join(resource.name.split())
        assert all(line.strip() for line in text.splitlines())


def test_forty_names_do_not_overlap_each_other_or_anything_else(content: Content) -> None:
    figure = drawn_figure(network(content, 40))
    drawn = names(figure)
    boxes = {number: extent(figure, text) for number, text in drawn.items()}
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        assert not box_a.overlaps(box_b), (a, b)
    others = [t for t in texts(figure) if t not in drawn.values()]
    for text in others:
        for number, box in boxes.items():
            assert not extent(figure, text).overlaps(box), (text.get_text(), number)


def test_an_empty_map_says_so(content: Content) -> None:
    figure = drawn_figure(network(content, 0))
    shown = [t.get_text().replace("\n", " ") for t in texts(figure)]
    labels = map_labels(content, "nl")
    assert labels.empty in shown
    assert labels.center in shown
    assert all(labels.rings[ring] in shown for ring in Closeness)
    assert all(labels.kinds[kind] in shown for kind in ResourceKind)
    assert names(figure) == {}


def test_one_colour_and_one_shape_per_kind() -> None:
    colours = {colour for colour, _ in KIND_STYLE.values()}
    shapes = {shape for _, shape in KIND_STYLE.values()}
    assert len(colours) == len(shapes) == len(ResourceKind)


def test_emoji_and_dollar_signs_are_drawn_without_trouble(
    content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    odd = (
        Resource(1, "Voetbal ⚽🏀 met 👍🏽 uit 🇳🇱", ResourceKind.COMMUNITY),
        Resource(2, "Geld $\\frac{1}{$ hulp", ResourceKind.PROFESSIONAL),
        Resource(3, "Zus\u200d👩‍👧", ResourceKind.CLOSE, Closeness.CLOSE),
    )
    labels = map_labels(content, "en")
    with caplog.at_level(logging.WARNING), warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the font would warn
        png = render(NetworkMap(odd, labels))
        figure = drawn_figure(NetworkMap(odd, labels))
    assert png.startswith(b"\x89PNG")
    assert not [r for r in caplog.records if "Glyph" in r.getMessage()]
    drawn = {n: " ".join(t.get_text().split()) for n, t in names(figure).items()}
    assert "[basketball and hoop]" in drawn[1]
    assert "[NL]" in drawn[1]
    assert drawn[2] == "Geld $\\frac{1}{$ hulp"


def test_the_same_map_gives_the_same_bytes(content: Content) -> None:
    assert render(network(content, 40)) == render(network(content, 40))
    assert render(network(content, 3)) != render(network(content, 4))
