"""The drawing surface: a matplotlib Figure in page points, Pillow lettering, PNG bytes out.

Artists go straight onto the Figure (no Axes: no autoscaling or clipping work), patches batched
into one collection per layer and text into one Lettering per layer (set by Pillow, see
cjm.render.lettering), to keep big maps fast. Lanes draw through Canvas's primitives only.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import (
    CircleCollection,
    LineCollection,
    PatchCollection,
    RegularPolyCollection,
)
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, Polygon, Rectangle
from matplotlib.transforms import Affine2D, IdentityTransform

from cjm.render.fonts import FONT, LINE, Fonts
from cjm.render.lettering import Lettering
from cjm.render.png.layout import DISPLAY_WIDTH, dpi
from cjm.render.png.style import INK


class Canvas:
    """A page `width` points wide, drawn top to bottom, y growing downwards, onto a Figure."""

    def __init__(self, fonts: Fonts, width: float) -> None:
        self.fonts, self.width = fonts, width
        self.figure = Figure(facecolor="white")
        self.page = Affine2D()  # points → inches; set in finish() once the height is known
        self.transform = self.page + self.figure.dpi_scale_trans
        self.patches: dict[float, list[Patch]] = defaultdict(list)  # by z-order
        self.letterings: dict[float, Lettering] = {}  # the text, by z-order

    def finish(self, height: float) -> Figure:
        """Put the batched layers on the figure, then size it and pick its dpi."""
        for zorder, patches in self.patches.items():
            collection = PatchCollection(patches, match_original=True, zorder=zorder)
            self.add(collection, transform=self.transform)
        for zorder, lettering in self.letterings.items():
            self.add(lettering, transform=self.transform, zorder=zorder)
        width_in, height_in = self.width / 72, height / 72
        self.page.scale(1 / 72, -1 / 72).translate(0, height_in)
        self.figure.set_size_inches(width_in, height_in)
        self.figure.set_dpi(dpi(width_in, height_in))
        return self.figure

    def add(self, artist: Any, **props: Any) -> None:
        """Put an artist on the figure, unclipped."""
        artist.set(**props)
        self.figure.add_artist(artist, clip=False)

    def text(
        self,
        x: float,
        y: float,
        lines: Sequence[str] | str,
        *,
        size: float = FONT,
        bold: bool = False,
        color: str = INK,
        ha: str = "left",
        va: str = "top",
        zorder: float = 3,
    ) -> float:
        """Draw lines of text at (x, y); return their height in points."""
        rows = [lines] if isinstance(lines, str) else list(lines)
        if not "".join(rows):
            return 0.0
        if zorder not in self.letterings:
            self.letterings[zorder] = Lettering(self.fonts)
        self.letterings[zorder].add(x, y, rows, size=size, bold=bold, color=color, ha=ha, va=va)
        return len(rows) * size * LINE

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: str,
        *,
        edge: str = "none",
        radius: float = 4.0,
        zorder: float = 1.0,
    ) -> None:
        """A rounded rectangle."""
        style = f"round,pad=0,rounding_size={radius}"
        box = FancyBboxPatch((x, y), w, h, boxstyle=style, fc=fill, ec=edge, lw=0.8)
        self.patches[zorder].append(box)

    def circle(self, x: float, y: float, diameter: float, fill: str, *, zorder: float) -> None:
        """A filled circle whose bounding square starts at (x, y)."""
        circle = FancyBboxPatch((x, y), diameter, diameter, "circle,pad=0", fc=fill, ec="none")
        self.patches[zorder].append(circle)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, zorder: float = 0) -> None:
        """A plain filled rectangle."""
        self.patches[zorder].append(Rectangle((x, y), w, h, fc=fill, ec="none"))

    def frame(self, x: float, y: float, w: float, h: float, edge: str, *, zorder: float) -> None:
        """An empty rectangle: only its outline."""
        self.patches[zorder].append(Rectangle((x, y), w, h, fc="none", ec=edge, lw=0.8))

    def polygon(
        self, points: list[tuple[float, float]], fill: str, *, edge: str, lw: float, zorder: float
    ) -> None:
        """A filled, closed polygon."""
        self.patches[zorder].append(Polygon(points, closed=True, fc=fill, ec=edge, lw=lw))

    def curve(
        self, xs: list[float], ys: list[float], *, color: str, lw: float, zorder: float
    ) -> None:
        """One line with round ends through the points; a NaN leaves a gap."""
        line = Line2D(xs, ys, color=color, lw=lw, solid_capstyle="round")
        self.add(line, transform=self.transform, zorder=zorder)

    def lines(self, segments: list[list[tuple[float, float]]], **props: Any) -> None:
        """Straight line segments, as one collection."""
        if segments:
            self.add(LineCollection(segments, **props), transform=self.transform)

    def dots(
        self, points: list[tuple[float, float]], *, square: bool = False, **props: Any
    ) -> None:
        """Markers, sized in points², at page positions."""
        if points:
            where: dict[str, Any] = {"offsets": points, "offset_transform": self.transform}
            kind = (
                RegularPolyCollection(4, rotation=math.pi / 4, **where, **props)
                if square
                else CircleCollection(**where, **props)
            )
            self.add(kind, transform=IdentityTransform())


def encode_png(figure: Figure) -> bytes:
    """The figure as PNG bytes, the same bytes for the same figure."""
    buffer = io.BytesIO()
    # No version string in the file, so the same map gives the same bytes. zlib level 3
    # encodes a tall 12 Mpx map ~4× faster than the default 6 for ~15% more bytes. The
    # ignore: print_png has no annotations in matplotlib.
    FigureCanvasAgg(figure).print_png(  # type: ignore[no-untyped-call]
        buffer, metadata={"Software": None}, pil_kwargs={"compress_level": 3}
    )
    return buffer.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height, read from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def smallest_font_px(figure: Figure, display_width: int = DISPLAY_WIDTH) -> float:
    """The smallest text on a figure, in px, when the picture is shown `display_width` px wide."""
    sizes = [size for text in figure.findobj(Lettering) for size in text.sizes()]
    return min(sizes, default=math.inf) / 72 * display_width / figure.get_figwidth()
