"""The picture's text, drawn by Pillow onto matplotlib's Agg canvas.

matplotlib's Agg draws text glyph by glyph from Python (some 50 µs a glyph with its layout),
which was most of a big map's render time. A `Lettering` holds blocks of text laid out in page
points; when the figure is drawn, Pillow's FreeType sets each run of a line (from the same font
files matplotlib resolves, CJK fallback included) onto a small grey stamp in one call, and the
stamp is blended in the text's colour into the canvas. Being an artist, text keeps its place in
the z-order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, cast

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.colors import to_rgb
from matplotlib.transforms import Bbox
from PIL import Image, ImageDraw, ImageFont

from cjm.render.fonts import LINE, Fonts

__all__ = ["Lettering"]

_SHIFT = {"left": 0.0, "center": 0.5, "right": 1.0}  # how much of a line's width is left of x


@dataclass(frozen=True)
class _Block:
    """Lines of one size, weight and colour, anchored at (x, y) in page points (y down)."""

    x: float
    y: float
    lines: tuple[str, ...]
    size: float
    bold: bool
    color: str
    ha: str  # left, center, right: where x is on each line
    va: str  # top: of the first line's box; center: of the block; bottom: the last descender


class _Run(NamedTuple):
    """Text from one font, its origin in canvas pixels (x from the left, baseline row down)."""

    font: ImageFont.FreeTypeFont
    text: str
    x: float
    baseline: int
    rgb: tuple[int, int, int]


class _Line(NamedTuple):
    """Where a block's line sits in canvas pixels: its runs and its box."""

    block: int
    runs: list[_Run]
    top: float
    bottom: float


class Lettering(Artist):
    """Blocks of text in page points, drawn with Pillow when the figure is drawn (Agg)."""

    def __init__(self, fonts: Fonts) -> None:
        super().__init__()
        self.fonts = fonts
        self._blocks: list[_Block] = []

    def add(
        self,
        x: float,
        y: float,
        lines: Sequence[str],
        *,
        size: float,
        bold: bool = False,
        color: str = "black",
        ha: str = "left",
        va: str = "top",
    ) -> None:
        """Add lines at (x, y), one line box (size × LINE points) under another."""
        self._blocks.append(_Block(x, y, tuple(lines), size, bold, color, ha, va))
        self.stale = True

    def texts(self) -> list[str]:
        """Each block's text, its lines joined by newlines."""
        return ["\n".join(block.lines) for block in self._blocks]

    def sizes(self) -> list[float]:
        """The font size, in points, of each block that shows some text."""
        return [block.size for block in self._blocks if any(block.lines)]

    def extents(self, renderer: RendererBase) -> list[Bbox]:
        """Each block's box in display pixels: its ink's width by its line boxes' height."""
        _, height = renderer.get_canvas_width_height()
        boxes: dict[int, list[float]] = {}
        for line in self._lines(renderer):
            for run in line.runs:
                left, _, right, _ = _ink(run.font, run.text)
                box = boxes.setdefault(line.block, [math.inf, math.inf, -math.inf, -math.inf])
                box[0], box[2] = min(box[0], run.x + left), max(box[2], run.x + right)
                box[1], box[3] = min(box[1], line.top), max(box[3], line.bottom)
        return [Bbox.from_extents(a, height - d, c, height - b) for a, b, c, d in boxes.values()]

    def draw(self, renderer: RendererBase) -> None:
        """Blend each run's stamp, in its colour, into the canvas."""
        if not self.get_visible():
            return
        _, height = renderer.get_canvas_width_height()
        gc = renderer.new_gc()
        for line in self._lines(renderer):
            for run in line.runs:
                left, top, right, bottom = _ink(run.font, run.text)
                if right <= left or bottom <= top:
                    continue  # only spaces
                column = math.floor(run.x)
                # One spare column for the subpixel shift; rows stay whole (crisp baselines).
                stamp = Image.new("L", (right - left + 2, bottom - top))
                ImageDraw.Draw(stamp).text(
                    (run.x - column - left, -top), run.text, fill=255, font=run.font, anchor="ls"
                )
                alpha = np.asarray(stamp)
                rgba = np.empty((*alpha.shape, 4), np.uint8)
                rgba[..., :3] = run.rgb
                rgba[..., 3] = alpha[::-1]  # draw_image takes rows bottom up
                # ... and the stamp's lower left corner, counted from the bottom.
                row = run.baseline + top
                renderer.draw_image(gc, column + left, height - row - alpha.shape[0], rgba)
        gc.restore()
        self.stale = False

    def _lines(self, renderer: RendererBase) -> Iterator[_Line]:
        """Lay every line out in canvas pixels, with the fonts at this renderer's dpi."""
        _, height = renderer.get_canvas_width_height()
        page = self.get_transform()
        faces: dict[tuple[str, float], ImageFont.FreeTypeFont] = {}

        def font(path: str, px: float) -> ImageFont.FreeTypeFont:
            if (path, px) not in faces:  # loaded per draw: about 0.1 ms, and no shared state
                index = getattr(path, "face_index", 0)  # a FontPath since matplotlib 3.11
                faces[path, px] = ImageFont.truetype(path, px, index=index)
            return faces[path, px]

        for number, block in enumerate(self._blocks):
            px = cast(float, renderer.points_to_pixels(block.size))
            pitch, ascent = px * LINE, px * self.fonts.ascent
            x, y = page.transform((block.x, block.y))
            red, green, blue = to_rgb(block.color)
            rgb = (round(255 * red), round(255 * green), round(255 * blue))
            runs = [
                [(font(path, px), text) for path, text in self.fonts.runs(line, block.bold)]
                for line in block.lines
            ]
            first = {  # the first baseline's row
                "top": height - y + ascent,
                "center": height - y - len(runs) * pitch / 2 + ascent,
                "bottom": height - y - px * self.fonts.descent - (len(runs) - 1) * pitch,
            }[block.va]
            for i, line_runs in enumerate(runs):
                baseline = round(first + i * pitch)
                advances = (
                    [face.getlength(text) for face, text in line_runs]
                    if block.ha != "left" or len(line_runs) > 1
                    else [0.0]
                )
                start = x - _SHIFT[block.ha] * sum(advances)
                placed = []
                for (face, text), advance in zip(line_runs, advances, strict=True):
                    placed.append(_Run(face, text, start, baseline, rgb))
                    start += advance
                yield _Line(number, placed, baseline - ascent, baseline - ascent + pitch)


def _ink(font: ImageFont.FreeTypeFont, text: str) -> tuple[int, int, int, int]:
    """The pixels a run inks, as (left, top, right, bottom) from its origin on the baseline."""
    left, top, right, bottom = font.getbbox(text, anchor="ls")
    return math.floor(left), math.floor(top), math.ceil(right), math.ceil(bottom)
