"""Where things go on the picture: the page in points, rows of whole stages, column slots, dpi.

Everything is laid out in points on a page at most 1080 pt wide, and no text is under 12 pt, so
shown 1080 px wide (a phone) no text is under 12 px, whatever the dpi. That leaves room for 12
touchpoint columns side by side; a bigger map wraps into rows of whole stages, each with its
lanes, like lines of text. Nothing here draws: it is arithmetic on views, without matplotlib.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from cjm.views import PainView, StageView, TouchpointView

DISPLAY_WIDTH = 1080  # px: a phone screen, where no text may be under 12 px
# px: the long side Telegram keeps of a photo; a picture that stays readable at it is drawn at
# it. bot.limits holds the same number for the photo-or-document decision.
PHOTO_LONG_SIDE = 2560

# The page, in points: at most 1080 wide, so FONT (the smallest size) is ≥ 12 px at 1080 px.
MAX_WIDTH, MIN_WIDTH, MARGIN, TITLE_W, PAD = 1080.0, 760.0, 16.0, 100.0, 6.0
MIN_COLUMN, MAX_COLUMN = 78.0, 170.0
MAX_COLUMNS = int((MAX_WIDTH - 2 * MARGIN - TITLE_W) // MIN_COLUMN)  # 12 per row
HEAD, NAME, TITLE = 13.0, 16.0, 22.0  # pt; FONT, the body, is the smallest
EMOTION_H, ROW_GAP, MAX_ITEMS = 150.0, 26.0, 4
BASE_DPI, MIN_DPI, MAX_PIXELS = 144, 72, 12_000_000


@dataclass(frozen=True)
class Slot:
    """A column span of a row: x and width in points."""

    x: float
    width: float


@dataclass(frozen=True)
class Place:
    """Where a pain and its fixes sit: under a touchpoint, or across its whole stage."""

    stage_id: int
    spans: bool
    slot: Slot


@dataclass(frozen=True)
class RowLayout:
    """One row of whole stages, laid out: its slots from x0 to x1, its pains and their places."""

    stages: Sequence[StageView]
    stage_slots: Mapping[int, Slot]  # stage id → its span
    tp_slots: Mapping[int, Slot]  # touchpoint id → its column
    touchpoints: Sequence[TouchpointView]
    pains: Sequence[PainView]  # the row's pains, in the order the map draws them
    places: Mapping[int, Place]  # pain id → where it sits
    x0: float
    x1: float


def columns(stage: StageView) -> int:
    """How many columns a stage takes: one per touchpoint, one when it has none yet."""
    return max(1, len(stage.touchpoints))


def rows(stages: Sequence[StageView]) -> list[list[StageView]]:
    """Whole stages per row: as few rows as MAX_COLUMNS allows, split as evenly as possible."""
    widths = [columns(s) for s in stages]
    count, used = (1, 0) if stages else (0, 0)
    for w in widths:  # greedy filling gives the fewest rows
        count, used = (count + 1, w) if used + w > MAX_COLUMNS else (count, used + w)

    @cache
    def split(start: int, rows: int) -> tuple[int, tuple[int, ...]]:
        """(widest row, cut points) of the most even split of stages[start:] into `rows`."""
        if rows == 1:
            return sum(widths[start:]), (len(widths),)
        options = []
        for cut in range(start + 1, len(widths) - rows + 2):
            widest, cuts = split(cut, rows - 1)
            options.append((max(sum(widths[start:cut]), widest), (cut, *cuts)))
        return min(options)

    cuts = (0, *split(0, count)[1]) if count else (0,)
    return [list(stages[a:b]) for a, b in itertools.pairwise(cuts)]


def page_width(rows: Sequence[Sequence[StageView]]) -> tuple[float, float]:
    """(page width, column width) in points: the widest row sets both, for every row."""
    count = max((sum(columns(s) for s in row) for row in rows), default=1)
    room = MAX_WIDTH - 2 * MARGIN - TITLE_W
    # Few columns widen to MAX_COLUMN each, but the page stays at least MIN_WIDTH wide.
    grid = min(room, max(count * MAX_COLUMN, MIN_WIDTH - 2 * MARGIN - TITLE_W))
    return 2 * MARGIN + TITLE_W + grid, grid / count


def lay_out_row(
    stages: Sequence[StageView], column: float, pains: Sequence[PainView]
) -> RowLayout:
    """Give each stage of a row its span and each touchpoint its column, left to right."""
    x0 = x1 = MARGIN + TITLE_W
    stage_slots: dict[int, Slot] = {}
    tp_slots: dict[int, Slot] = {}
    for stage in stages:
        stage_slots[stage.id] = Slot(x1, columns(stage) * column)
        for i, tp in enumerate(stage.touchpoints):
            tp_slots[tp.id] = Slot(x1 + i * column, column)
        x1 += columns(stage) * column
    row_pains = [p for p in pains if p.stage_id in stage_slots]
    return RowLayout(
        stages=stages,
        stage_slots=stage_slots,
        tp_slots=tp_slots,
        touchpoints=[tp for stage in stages for tp in stage.touchpoints],
        pains=row_pains,
        places={p.id: place(p, stages, stage_slots, tp_slots) for p in row_pains},
        x0=x0,
        x1=x1,
    )


def place(
    pain: PainView,
    stages: Sequence[StageView],
    stage_slots: Mapping[int, Slot],
    tp_slots: Mapping[int, Slot],
) -> Place:
    """A pain sits under its touchpoint, or spans its stage when it has none (or a stray one)."""
    stage = next(s for s in stages if s.id == pain.stage_id)
    if pain.touchpoint_id is not None and any(
        t.id == pain.touchpoint_id for t in stage.touchpoints
    ):
        return Place(stage.id, False, tp_slots[pain.touchpoint_id])
    return Place(stage.id, True, stage_slots[stage.id])


def dpi(width_in: float, height_in: float) -> int:
    """The dots per inch for a page of this size.

    A map that stays readable as a Telegram photo (at least DISPLAY_WIDTH px wide once its long
    side is PHOTO_LONG_SIDE) gets its long side to the 2560 px Telegram keeps; a taller one, a
    document, gets as sharp as MAX_PIXELS allows, so that a 12×8 map stays quick to encode.
    """
    photo_dpi = PHOTO_LONG_SIDE / max(width_in, height_in)
    if photo_dpi * width_in >= DISPLAY_WIDTH:
        best = min(BASE_DPI, photo_dpi)
    else:
        best = min(BASE_DPI, math.sqrt(MAX_PIXELS / (width_in * height_in)))
    return max(MIN_DPI, math.floor(best))
