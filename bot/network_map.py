"""The network map as a PNG: the client in the middle, people and places on three rings by
closeness, coloured and shaped by kind, every name in full beside the map.

Drawn with matplotlib's object-oriented API (a Figure on its own Agg canvas, never pyplot, whose
global state is not safe in worker threads). The layout is computed in pixels, one data unit a
pixel, from measured text: names are wrapped to fit their column and stacked beside the map on
the side of their marker, joined to it by a thin line, so no name is cut off and no two names
overlap however many there are; the picture grows taller instead.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace

from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Circle
from matplotlib.text import Text

from bot.glyphs import dejavu_characters, printable
from dialogs.engine.state import Closeness, Resource, ResourceKind
from dialogs.resources.network import NetworkMap

DPI = 100
WIDTH = 1280  # px: sharp on a phone, and Telegram keeps it at full size
MARGIN = 32
FONT = "DejaVu Sans"  # ships with matplotlib
INK = "#222222"

# Okabe-Ito colours, told apart with any colour vision, and a shape per kind on top.
KIND_STYLE: dict[ResourceKind, tuple[str, str]] = {
    ResourceKind.CLOSE: ("#D55E00", "o"),  # vermillion circle
    ResourceKind.KNOWN: ("#E69F00", "D"),  # orange diamond
    ResourceKind.COMMUNITY: ("#009E73", "s"),  # bluish green square
    ResourceKind.PROFESSIONAL: ("#0072B2", "^"),  # blue triangle
}
KIND_ORDER = tuple(KIND_STYLE)
RING_ORDER = (Closeness.CLOSE, Closeness.BETWEEN, Closeness.FAR)
RING_RADIUS = {Closeness.CLOSE: 0.42, Closeness.BETWEEN: 0.71, Closeness.FAR: 1.0}  # of R
BAND_FILL = {Closeness.CLOSE: "#E4E4E4", Closeness.BETWEEN: "#EEEEEE", Closeness.FAR: "#F7F7F7"}

TITLE_PX = 36
CENTER_PX = 28
RING_PX = 20
LEGEND_PX = 22
EMPTY_PX = 24
NAME_PX = 24  # up to CROWDED names; smaller but still readable beyond
CROWDED = 12
CROWDED_NAME_PX = 20
MARKER_PX = 24
COLUMN_MAX = 300  # px: the widest a name may be, so the map keeps room
COLUMN_GAP = 28  # px between the map (with its leader lines' bends) and the names
TAG_PX = 18  # the kind's marker again before each name, where its leader line ends
LEADER_OUT = 18  # px outside the outer ring where a leader line bends to its name
NAME_GAP = 10  # px between stacked names
MAP_MAX = 900  # px: the map's diameter with few or no names
MIN_WRAP = 8  # characters: the narrowest a name is wrapped


@dataclass(frozen=True)
class _Spot:
    """One resource on the map: its marker, and where its leader line leaves the map."""

    resource: Resource
    x: float
    y: float
    out_x: float
    out_y: float
    right: bool  # its name stands right of the map

    def moved(self, dy: float) -> _Spot:
        return replace(self, y=self.y + dy, out_y=self.out_y + dy)


def render(network: NetworkMap) -> bytes:
    """The map as a PNG, WIDTH pixels wide; the same map gives the same bytes."""
    buffer = io.BytesIO()
    draw(network).savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def draw(network: NetworkMap) -> Figure:
    """The map as a figure, laid out so every text lies inside it (see the module docstring)."""
    return _Drawing(network).figure


class _Drawing:
    def __init__(self, network: NetworkMap) -> None:
        self.labels = network.labels
        self.resources = network.resources
        self.figure = Figure(figsize=(WIDTH / DPI, WIDTH / DPI), dpi=DPI, facecolor="white")
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_axes((0.0, 0.0, 1.0, 1.0))
        self.ax.set_axis_off()
        self.ax.set_xlim(0, WIDTH)
        self.ax.set_ylim(-WIDTH, 0)
        self.renderer: RendererAgg = self.canvas.get_renderer()  # type: ignore[no-untyped-call]
        self._lay_out()

    # --- text ---------------------------------------------------------------------------------

    def text(self, text: str, px: float, **style: object) -> Text:
        """A text artist at the origin, to be measured and then moved. Never parsed as maths:
        a client's "$" is a dollar sign."""
        return self.ax.text(
            0,
            0,
            text,
            fontsize=px * 72 / DPI,
            fontfamily=FONT,
            color=INK,
            parse_math=False,
            **style,  # type: ignore[arg-type]
        )

    def size(self, artist: Text) -> tuple[float, float]:
        box = artist.get_window_extent(self.renderer)
        return box.width, box.height

    def wrapped(self, text: str, px: float, max_width: float, chars: int, **style: object) -> Text:
        """The text wrapped at `chars` characters, fewer while it is wider than `max_width`."""
        drawable = printable(" ".join(text.split()), dejavu_characters())
        artist = self.text("", px, **style)
        while True:
            artist.set_text("\n".join(textwrap.wrap(drawable, chars)) or drawable)
            if self.size(artist)[0] <= max_width or chars <= MIN_WRAP:
                return artist
            chars = max(MIN_WRAP, chars * 4 // 5)

    # --- layout -------------------------------------------------------------------------------

    def _lay_out(self) -> None:
        labels, resources = self.labels, self.resources
        inner = WIDTH - 2 * MARGIN
        crowded = len(resources) > CROWDED
        name_px = CROWDED_NAME_PX if crowded else NAME_PX
        names = {
            r.number: self.wrapped(r.name, name_px, COLUMN_MAX, 24 if crowded else 20)
            for r in resources
        }
        for number, artist in names.items():
            artist.set_gid(f"resource-{number}")
        column = max((self.size(a)[0] for a in names.values()), default=0.0)
        # Both sides keep room for names, so the map stays in the middle.
        side = column + COLUMN_GAP + TAG_PX + 8 if resources else 0.0
        diameter = min(MAP_MAX, inner - 2 * side)
        radius = diameter / 2 - LEADER_OUT
        cx = WIDTH / 2

        top = float(MARGIN)
        title = self.wrapped(labels.title, TITLE_PX, inner, 48, fontweight="bold")
        title.set_position((cx, -top))
        title.set_horizontalalignment("center")
        title.set_verticalalignment("top")
        top += self.size(title)[1] + 24

        ring_labels = {
            ring: self.text(labels.rings[ring], RING_PX, ha="center", va="center", zorder=5)
            for ring in RING_ORDER
        }
        # Which side each name goes to depends only on the angles: the spots are placed around
        # a centre at height 0 first, and moved down once the columns' height is known.
        spots = self._spots(cx, radius, ring_labels)
        heights = {n: self.size(a)[1] for n, a in names.items()}
        sides = {right: [s for s in spots if s.right is right] for right in (False, True)}
        body = max(
            diameter,
            *(
                sum(heights[s.resource.number] for s in group) + NAME_GAP * (len(group) - 1)
                for group in sides.values()
            ),
        )
        cy = -(top + body / 2)
        self._map(cx, cy, radius, ring_labels)
        for right, group in sides.items():
            x = cx + (diameter / 2 + COLUMN_GAP) * (1 if right else -1)
            moved = [spot.moved(cy) for spot in group]
            self._names(moved, names, heights, x, (-top, -(top + body)), radius)
            for spot in moved:
                self._marker(spot.resource.kind, spot.x, spot.y, MARKER_PX)
        top += body + 28

        if not resources:
            empty = self.wrapped(labels.empty, EMPTY_PX, inner, 60, style="italic")
            empty.set_position((cx, -top))
            empty.set_horizontalalignment("center")
            empty.set_verticalalignment("top")
            empty.set_multialignment("center")
            top += self.size(empty)[1] + 24

        top += self._legend(cx, -top)
        height = math.ceil(top + MARGIN)
        self.figure.set_size_inches(WIDTH / DPI, height / DPI)
        self.ax.set_ylim(-height, 0)

    def _spots(self, cx: float, radius: float, ring_labels: dict[Closeness, Text]) -> list[_Spot]:
        """Markers spread evenly over each ring, kinds together, leaving the ring's name at the
        top free; on a crowded ring every other marker sits a little inside and outside it."""
        spots = []
        for ring in RING_ORDER:
            on_ring = sorted(
                (r for r in self.resources if r.closeness is ring),
                key=lambda r: (KIND_ORDER.index(r.kind), r.number),
            )
            if not on_ring:
                continue
            r = radius * RING_RADIUS[ring]
            half_label = self.size(ring_labels[ring])[0] / 2 + MARKER_PX
            free = math.pi / 2 + min(math.pi / 3, half_label / r)  # radians from the top
            arc = 2 * math.pi - 2 * (free - math.pi / 2)
            step = arc / len(on_ring)
            crowded = step * r < MARKER_PX * 1.3
            for index, resource in enumerate(on_ring):
                angle = free + step * (index + 0.5)
                shift = (MARKER_PX * 0.6 if index % 2 else -MARKER_PX * 0.6) if crowded else 0
                cos, sin = math.cos(angle), math.sin(angle)
                spots.append(
                    _Spot(
                        resource,
                        cx + (r + shift) * cos,
                        (r + shift) * sin,
                        cx + (radius + LEADER_OUT) * cos,
                        (radius + LEADER_OUT) * sin,
                        right=cos > 1e-9,
                    )
                )
        return spots

    def _map(self, cx: float, cy: float, radius: float, ring_labels: dict[Closeness, Text]) -> None:
        for ring in reversed(RING_ORDER):  # the far band first, the close one on top
            r = radius * RING_RADIUS[ring]
            self.ax.add_patch(Circle((cx, cy), r, facecolor=BAND_FILL[ring], zorder=0))
            self.ax.add_patch(
                Circle((cx, cy), r, fill=False, edgecolor="#8C8C8C", linewidth=1.5, zorder=1)
            )
            label = ring_labels[ring]
            label.set_position((cx, cy + r))
            label.set_bbox({"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "none"})
        center = self.wrapped(
            self.labels.center, CENTER_PX, radius * 0.5, 12, fontweight="bold", zorder=5
        )
        center.set_position((cx, cy))
        center.set_horizontalalignment("center")
        center.set_verticalalignment("center")
        center.set_multialignment("center")
        width, height = self.size(center)
        disc = min(max(radius * 0.16, math.hypot(width, height) / 2 + 8), radius * 0.3)
        self.ax.add_patch(
            Circle((cx, cy), disc, facecolor="white", edgecolor=INK, linewidth=2, zorder=4)
        )

    def _names(
        self,
        group: Sequence[_Spot],
        names: dict[int, Text],
        heights: dict[int, float],
        x: float,
        bounds: tuple[float, float],
        radius: float,
    ) -> None:
        """The names of one side stacked top to bottom in the order of their leader lines, each
        as near its line as the others allow, all within `bounds` (top, bottom)."""
        ordered = sorted(group, key=lambda s: (-s.out_y, s.resource.number))
        # The leader lines' ends spread over the column as they leave the map: taller than the
        # map, the column stretches their heights, so the lines fan out and do not cross.
        upper, lower = bounds
        middle_y, reach = (upper + lower) / 2, (upper - lower) / 2
        spread = max(1.0, reach / (radius + LEADER_OUT))
        tops = _stack(
            [
                middle_y + (s.out_y - middle_y) * spread + heights[s.resource.number] / 2
                for s in ordered
            ],
            [heights[s.resource.number] for s in ordered],
            bounds,
        )
        for spot, top in zip(ordered, tops, strict=True):
            right = spot.right
            name = names[spot.resource.number]
            middle = top - heights[spot.resource.number] / 2
            name.set_position((x, middle))
            name.set_horizontalalignment("left" if right else "right")
            name.set_verticalalignment("center")
            name.set_zorder(7)
            tag = x - TAG_PX / 2 - 8 if right else x + TAG_PX / 2 + 8
            self._marker(spot.resource.kind, tag, middle, TAG_PX)
            self.ax.add_line(
                Line2D(
                    (spot.x, spot.out_x, tag),
                    (spot.y, spot.out_y, middle),
                    color="#7A7A7A",
                    linewidth=1.2,
                    zorder=2,
                )
            )

    def _marker(self, kind: ResourceKind, x: float, y: float, px: float) -> None:
        colour, shape = KIND_STYLE[kind]
        self.ax.add_line(
            Line2D(
                (x,),
                (y,),
                linestyle="none",
                marker=shape,
                markersize=px * 72 / DPI,
                markerfacecolor=colour,
                markeredgecolor=INK,
                markeredgewidth=1.2,
                zorder=6,
            )
        )

    def _legend(self, cx: float, y: float) -> float:
        """The kinds' colours and shapes below the map, in two columns if they fit; its height."""
        handles = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker=KIND_STYLE[kind][1],
                markersize=MARKER_PX * 72 / DPI,
                markerfacecolor=KIND_STYLE[kind][0],
                markeredgecolor=INK,
            )
            for kind in KIND_ORDER
        ]
        texts = [
            "\n".join(textwrap.wrap(printable(self.labels.kinds[k], dejavu_characters()), 40))
            for k in KIND_ORDER
        ]
        font = FontProperties(family=FONT, size=LEGEND_PX * 72 / DPI)
        for columns in (2, 1):
            legend = self.ax.legend(
                handles,
                texts,
                loc="upper center",
                bbox_to_anchor=(cx, y),
                bbox_transform=self.ax.transData,
                ncols=columns,
                frameon=False,
                prop=font,
                borderaxespad=0,
                borderpad=0,
                columnspacing=2.0,
            )
            box = legend.get_window_extent(self.renderer)
            if box.width <= WIDTH - 2 * MARGIN:
                break
        for text in legend.get_texts():
            text.set_color(INK)
        return float(box.height)


def _stack(
    wanted: Sequence[float], heights: Sequence[float], bounds: tuple[float, float]
) -> list[float]:
    """The tops (y up) of boxes kept in order, NAME_GAP apart, within bounds (top, bottom),
    each as near its wanted top as that allows."""
    upper, lower = bounds
    tops: list[float] = []
    for index, want in enumerate(wanted):
        ceiling = upper if not index else tops[-1] - heights[index - 1] - NAME_GAP
        tops.append(min(want, ceiling))
    # Pushed down past the bottom: lift the last ones back up, keeping the gaps.
    floor = lower
    for index in range(len(tops) - 1, -1, -1):
        tops[index] = max(tops[index], floor + heights[index])
        floor = tops[index] + NAME_GAP
    return tops
