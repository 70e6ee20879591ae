"""The journey map as a picture: stages as columns, lanes as rows, drawn with matplotlib's Agg.

`render_map_png(view)` gives the PNG bytes. The work is split by what changes together:

- `layout`: the page in points, rows of whole stages, column slots and the dpi (no drawing);
- `canvas`: the Figure, its batched patches and Pillow lettering, and the PNG encoding;
- `lanes`: one function per lane (stages, goals, touchpoints, emotions, pains, fixes, survey
  scores, KPIs), all of the shape `lane(sheet, row, y) -> height`;
- `page`: what is around the lanes (heading, persona card, each row's grid, legend);
- `style`: the palette and the words (PictureLabels).
"""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from cjm.render.fonts import shared_fonts
from cjm.render.png import page
from cjm.render.png.canvas import Canvas, encode_png, png_size, smallest_font_px
from cjm.render.png.lanes import Sheet
from cjm.render.png.layout import MARGIN, ROW_GAP, lay_out_row, page_width, rows
from cjm.render.png.style import DEFAULT_LABELS, SEVERITY_RANK, PictureLabels
from cjm.views import MapView, TouchpointScore

__all__ = [
    "PictureLabels",
    "TouchpointScore",  # the survey score the picture shows; defined with the views
    "build_map_figure",
    "png_size",
    "render_map_png",
    "smallest_font_px",
]


def render_map_png(
    view: MapView,
    labels: PictureLabels = DEFAULT_LABELS,
    *,
    scores: Mapping[int, TouchpointScore] | None = None,
) -> bytes:
    """Draw the map as PNG bytes; safe in a worker thread (no pyplot, no rcParams changes)."""
    return encode_png(build_map_figure(view, labels, scores=scores))


def build_map_figure(
    view: MapView,
    labels: PictureLabels = DEFAULT_LABELS,
    *,
    scores: Mapping[int, TouchpointScore] | None = None,
) -> Figure:
    """Lay the map out on a Figure sized in points, with a dpi chosen for Telegram."""
    stage_rows = rows(view.stages)
    width, column = page_width(stage_rows)
    canvas = Canvas(shared_fonts(), width)
    sheet = Sheet(
        canvas,
        labels,
        numbers={stage.id: number for number, stage in enumerate(view.stages, start=1)},
        kpis={stage.id: view.kpis_at(stage.id) for stage in view.stages},
        scores=scores or {},
    )
    y = page.persona(canvas, labels, view.persona, page.heading(canvas, view, MARGIN))
    pains = sorted(view.pains, key=lambda p: SEVERITY_RANK[p.severity])
    for stage_row in stage_rows:
        y = page.grid_row(sheet, lay_out_row(stage_row, column, pains), y) + ROW_GAP
    y = page.legend(canvas, labels, y) if stage_rows else page.empty(canvas, labels, y)
    return canvas.finish(y + MARGIN)
