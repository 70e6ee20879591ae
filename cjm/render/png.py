"""The journey map as a picture: stages as columns, lanes as rows, drawn with matplotlib's Agg.

Everything is laid out in points on a page at most 1080 pt wide, and no text is under 12 pt, so
shown 1080 px wide (a phone) no text is under 12 px, whatever the dpi. That leaves room for 12
touchpoint columns side by side; a bigger map wraps into rows of whole stages, each with its
lanes, like lines of text. Artists go straight onto the Figure (no Axes: no autoscaling or
clipping work), patches batched into one collection per layer and text into one Lettering per
layer (set by Pillow, see cjm.render.lettering), to keep big maps fast.
"""

from __future__ import annotations

import io
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import (
    CircleCollection,
    LineCollection,
    PatchCollection,
    RegularPolyCollection,
)
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, Polygon, Rectangle
from matplotlib.transforms import Affine2D, IdentityTransform

from cjm.models import FixStatus, Mode, PersonaField, Severity
from cjm.render.fonts import FONT, LINE, Fonts, shared_fonts
from cjm.render.lettering import Lettering
from cjm.views import (
    FixView,
    KpiView,
    MapView,
    PainView,
    StageView,
    TouchpointScore,
    TouchpointView,
)

__all__ = [
    "MAX_PHOTO_SIDE_SUM",
    "PictureLabels",
    "TouchpointScore",  # the survey score the picture shows; defined with the views
    "build_map_figure",
    "fits_telegram_photo",
    "png_size",
    "render_map_png",
    "smallest_font_px",
]

MAX_PHOTO_SIDE_SUM = 10000  # Telegram sendPhoto: width + height ≤ 10000 px
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram sendPhoto: at most 10 MB
MAX_PHOTO_RATIO = 20  # Telegram sendPhoto: the long side at most 20 times the short one
PHOTO_LONG_SIDE = 2560  # px: Telegram scales a photo's long side down to this
DISPLAY_WIDTH = 1080  # px: a phone screen, where no text may be under 12 px

# The page, in points: at most 1080 wide, so FONT (the smallest size) is ≥ 12 px at 1080 px.
MAX_WIDTH, MIN_WIDTH, MARGIN, TITLE_W, PAD = 1080.0, 760.0, 16.0, 100.0, 6.0
MIN_COLUMN, MAX_COLUMN = 78.0, 170.0
MAX_COLUMNS = int((MAX_WIDTH - 2 * MARGIN - TITLE_W) // MIN_COLUMN)  # 12 per row
HEAD, NAME, TITLE = 13.0, 16.0, 22.0  # pt; FONT, the body, is the smallest
EMOTION_H, ROW_GAP, MAX_ITEMS = 150.0, 26.0, 4
BASE_DPI, MIN_DPI, MAX_PIXELS = 144, 72, 12_000_000

INK, MUTED, FAINT, RULE, GRID = "#1E293B", "#64748B", "#94A3B8", "#CBD5E1", "#E2E8F0"
HEADER, HEADER_ALT, ACCENT = "#1E3A5F", "#27497A", "#2563EB"
TITLE_BG, STRIPE, CARD, NEUTRAL = "#EEF2F7", "#F8FAFC", "#EAF1FB", "#EEF1F5"
SEVERITY_COLORS = {  # (strip, fill)
    Severity.HIGH: ("#DC2626", "#FDE2E2"),
    Severity.MEDIUM: ("#EA7A12", "#FFEBD2"),
    Severity.LOW: ("#D4A20B", "#FEF6C7"),
}
STATUS_COLORS = {
    FixStatus.IDEA: "#94A3B8",
    FixStatus.PLANNED: "#2563EB",
    FixStatus.IN_PROGRESS: "#7C3AED",
    FixStatus.DONE: "#16A34A",
}
EMOTION_STOPS = ("#DC2626", "#EA7A12", "#94A3B8", "#65A30D", "#15803D")  # −2 … +2
TREND_COLORS = {1: "#15803D", 0: INK, -1: "#B91C1C"}
_SEVERITY_RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


def _frozen(mapping: Mapping[Any, str]) -> Callable[[], Mapping[Any, str]]:
    return lambda: MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class PictureLabels:
    """The words drawn on the picture: English by default, the bot passes translated ones.

    In `more`, "{n}" stands for the number of cards left out of a crowded cell. A mapping
    missing a key shows the enum's value.
    """

    customer_goal: str = "Customer goal"
    touchpoints: str = "Touchpoints"
    emotions: str = "Emotions"
    pains: str = "Pain points"
    fixes: str = "Fixes"
    scores: str = "Survey scores"
    kpis: str = "KPIs"
    no_scores: str = "No survey yet"
    no_votes: str = "no votes"
    no_stages: str = "No stages yet"
    more: str = "+{n} more"
    persona: Mapping[PersonaField, str] = field(
        default_factory=_frozen(
            {
                PersonaField.NAME: "Name",
                PersonaField.ROLE: "Role or occupation",
                PersonaField.AGE_GROUP: "Age group",
                PersonaField.GENDER: "Gender",
                PersonaField.LOCATION: "Location",
                PersonaField.AREA: "Urban or rural",
                PersonaField.FAMILY: "Family",
                PersonaField.INCOME: "Income",
                PersonaField.BEHAVIOUR: "Behaviour and personality",
                PersonaField.INFO_SOURCES: "Information sources",
                PersonaField.GOALS_SHORT: "Short-term goals",
                PersonaField.GOALS_LONG: "Long-term goals",
                PersonaField.PROBLEMS: "Problems",
                PersonaField.WISHES: "Wished improvements",
            }
        )
    )
    severity: Mapping[Severity, str] = field(
        default_factory=_frozen({s: s.value for s in Severity})
    )
    status: Mapping[FixStatus, str] = field(
        default_factory=_frozen({s: s.value.replace("_", " ") for s in FixStatus})
    )
    mode: Mapping[Mode, str] = field(default_factory=_frozen({m: m.value for m in Mode}))


DEFAULT_LABELS = PictureLabels()


def render_map_png(
    view: MapView,
    labels: PictureLabels = DEFAULT_LABELS,
    *,
    scores: Mapping[int, TouchpointScore] | None = None,
) -> bytes:
    """Draw the map as PNG bytes; safe in a worker thread (no pyplot, no rcParams changes)."""
    figure = build_map_figure(view, labels, scores=scores)
    buffer = io.BytesIO()
    # No version string in the file, so the same map gives the same bytes. zlib level 3
    # encodes a tall 12 Mpx map ~4× faster than the default 6 for ~15% more bytes. The
    # ignore: print_png has no annotations in matplotlib.
    FigureCanvasAgg(figure).print_png(  # type: ignore[no-untyped-call]
        buffer, metadata={"Software": None}, pil_kwargs={"compress_level": 3}
    )
    return buffer.getvalue()


def build_map_figure(
    view: MapView,
    labels: PictureLabels = DEFAULT_LABELS,
    *,
    scores: Mapping[int, TouchpointScore] | None = None,
) -> Figure:
    """Lay the map out on a Figure sized in points, with a dpi chosen for Telegram."""
    rows = _rows(view.stages)
    columns = max((sum(_columns(s) for s in row) for row in rows), default=1)
    room = MAX_WIDTH - 2 * MARGIN - TITLE_W
    grid = min(room, max(columns * MAX_COLUMN, MIN_WIDTH - 2 * MARGIN - TITLE_W))
    painter = _Painter(shared_fonts(), 2 * MARGIN + TITLE_W + grid, labels)
    painter.numbers = {stage.id: number for number, stage in enumerate(view.stages, start=1)}
    painter.kpis = {stage.id: view.kpis_at(stage.id) for stage in view.stages}
    y = painter.persona(view.persona, painter.heading(view, MARGIN))
    pains = sorted(view.pains, key=lambda p: _SEVERITY_RANK[p.severity])
    for row in rows:
        y = painter.row(row, grid / columns, pains, scores or {}, y) + ROW_GAP
    y = painter.legend(y) if rows else painter.empty(y)
    return painter.finish(y + MARGIN)


def _kpi_text(kpi: KpiView) -> str:
    latest = kpi.latest
    if latest is None:
        return f"{kpi.name}: —"
    text = f"{kpi.name}: {latest.value:g}{kpi.unit}"
    if kpi.target is not None:
        text += f" / {kpi.target:g}{kpi.unit}"
    if len(kpi.values) > 1:
        text += (
            " ▲"
            if latest.value > kpi.values[-2].value
            else " ▼"
            if latest.value < kpi.values[-2].value
            else ""
        )
    return text


def smallest_font_px(figure: Figure, display_width: int = DISPLAY_WIDTH) -> float:
    """The smallest text on a figure, in px, when the picture is shown `display_width` px wide."""
    sizes = [size for text in figure.findobj(Lettering) for size in text.sizes()]
    return min(sizes, default=math.inf) / 72 * display_width / figure.get_figwidth()


def png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height, read from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def fits_telegram_photo(png: bytes, *, min_width: int | None = DISPLAY_WIDTH) -> bool:
    """Whether to send the picture as a photo rather than as a document.

    Telegram takes a photo of at most 10 MB whose sides sum to at most 10000 px with a ratio
    of at most 20, and then scales its long side down to 2560 px: a tall map would shrink
    below a phone's width, with its text under 12 px. So unless `min_width` is None, the
    photo must also stay at least `min_width` px wide after that scaling.
    """
    width, height = png_size(png)
    accepted = (
        len(png) <= MAX_PHOTO_BYTES
        and width + height <= MAX_PHOTO_SIDE_SUM
        and max(width, height) <= MAX_PHOTO_RATIO * min(width, height)
    )
    kept_width = width * min(1.0, PHOTO_LONG_SIDE / max(width, height))
    return accepted and (min_width is None or kept_width >= min_width)


def _columns(stage: StageView) -> int:
    return max(1, len(stage.touchpoints))


def _rows(stages: Sequence[StageView]) -> list[list[StageView]]:
    """Whole stages per row: as few rows as MAX_COLUMNS allows, split as evenly as possible."""
    widths = [_columns(s) for s in stages]
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


def _emotion_color(score: float) -> str:
    """A colour from red (−2) through grey (0) to green (+2)."""
    position = (max(-2.0, min(2.0, score)) + 2) / 4 * (len(EMOTION_STOPS) - 1)
    low = min(int(position), len(EMOTION_STOPS) - 2)
    (r0, g0, b0), (r1, g1, b1) = to_rgb(EMOTION_STOPS[low]), to_rgb(EMOTION_STOPS[low + 1])
    mix = position - low
    return to_hex((r0 + (r1 - r0) * mix, g0 + (g1 - g0) * mix, b0 + (b1 - b0) * mix))


def _signed(value: float, digits: int = 1) -> str:
    return "0" if round(value, digits) == 0 else f"{value:+.{digits}f}".replace("-", "−")


def _score_text(score: TouchpointScore) -> tuple[str, str]:
    """("NPS +32 (n=41)", "↑"): the score as the chat shows it, and its trend as an arrow."""
    kind = score.kind.strip().lower()
    if kind == "nps":
        value = f"{round(score.value):+d}"
    elif kind == "csat":
        value = f"{round(score.value)}%"
    else:
        value = f"{score.value:.1f}"
    arrow = "↑" if score.trend > 0 else "↓" if score.trend < 0 else "→"
    return f"{kind.upper()} {value.replace('-', '−')} (n={score.n})", arrow


@dataclass(frozen=True)
class _Slot:
    """A column span of a row: x and width in points."""

    x: float
    width: float


@dataclass(frozen=True)
class _Place:
    """Where a pain and its fixes sit: under a touchpoint, or across its whole stage."""

    stage_id: int
    spans: bool
    slot: _Slot


class _Painter:
    """Draws the map top to bottom in points, y growing downwards, straight onto a Figure."""

    def __init__(self, fonts: Fonts, width: float, labels: PictureLabels) -> None:
        self.fonts, self.width, self.labels = fonts, width, labels
        self.figure = Figure(facecolor="white")
        self.page = Affine2D()  # points → inches; set in finish() once the height is known
        self.transform = self.page + self.figure.dpi_scale_trans
        self.patches: dict[float, list[Patch]] = defaultdict(list)
        self.letterings: dict[float, Lettering] = {}  # the text, by z-order
        self.numbers: dict[int, int] = {}  # stage id → its number on the map, from 1
        self.kpis: dict[int, list[KpiView]] = {}  # stage id → its KPIs

    def finish(self, height: float) -> Figure:
        """Size the figure and pick its dpi.

        A map that stays readable as a Telegram photo (see fits_telegram_photo) gets its long
        side to the 2560 px Telegram keeps; a taller one, a document, gets as sharp as
        MAX_PIXELS allows, so that a 12×8 map stays quick to encode.
        """
        for zorder, patches in self.patches.items():
            collection = PatchCollection(patches, match_original=True, zorder=zorder)
            self.add(collection, transform=self.transform)
        for zorder, lettering in self.letterings.items():
            self.add(lettering, transform=self.transform, zorder=zorder)
        width_in, height_in = self.width / 72, height / 72
        self.page.scale(1 / 72, -1 / 72).translate(0, height_in)
        photo_dpi = PHOTO_LONG_SIDE / max(width_in, height_in)
        if photo_dpi * width_in >= DISPLAY_WIDTH:
            dpi = min(BASE_DPI, photo_dpi)
        else:
            dpi = min(BASE_DPI, math.sqrt(MAX_PIXELS / (width_in * height_in)))
        self.figure.set_size_inches(width_in, height_in)
        self.figure.set_dpi(max(MIN_DPI, math.floor(dpi)))
        return self.figure

    # Primitives

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

    def rect(self, x: float, y: float, w: float, h: float, fill: str, zorder: float = 0) -> None:
        """A plain filled rectangle."""
        self.patches[zorder].append(Rectangle((x, y), w, h, fc=fill, ec="none"))

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

    # Blocks

    def heading(self, view: MapView, y: float) -> float:
        """The map's title and segment."""
        inner = self.width - 2 * MARGIN
        title = self.fonts.wrap(self.fonts.clean(view.title), inner, TITLE, bold=True, lines=2)
        y += self.text(MARGIN, y, title, size=TITLE, bold=True, color=HEADER)
        segment = self.fonts.wrap(self.fonts.clean(view.segment), inner, HEAD, lines=2)
        y += self.text(MARGIN, y + 2, segment, size=HEAD, color=MUTED)
        return y + 14

    def persona(self, persona: Mapping[PersonaField, str | None], y: float) -> float:
        """The persona card: the name by an initial, then each filled field in columns."""
        values = {f: self.fonts.clean(persona.get(f)) for f in PersonaField}
        if not any(values.values()):
            return y
        x, inner = MARGIN + 14, self.width - 2 * MARGIN - 28
        top, y = y, y + 12
        if name := values.pop(PersonaField.NAME):
            self.patches[2].append(
                FancyBboxPatch((x, y), 36, 36, "circle,pad=0", fc=ACCENT, ec="none")
            )
            self.text(
                x + 18,
                y + 19,
                name[0].upper(),
                size=NAME,
                bold=True,
                color="white",
                ha="center",
                va="center",
            )
            lines = self.fonts.wrap(name, inner - 48, NAME, bold=True, lines=2)
            y += max(36, self.text(x + 48, y + 18, lines, size=NAME, bold=True, va="center"))
            y += 10
        count = 3 if inner > 700 else 2
        gap = 18
        column = (inner - gap * (count - 1)) / count
        bottoms = [y] * count
        for key, value in values.items():
            if value:
                i = bottoms.index(min(bottoms))
                cx, cy = x + i * (column + gap), bottoms[i]
                label = self.fonts.clean(self.labels.persona.get(key, key.value))
                label_lines = self.fonts.wrap(label, column, bold=True, lines=1)
                cy += self.text(cx, cy, label_lines, bold=True, color=MUTED) + 1
                cy += self.text(cx, cy, self.fonts.wrap(value, column, lines=3))
                bottoms[i] = cy + 9
        bottom = max(bottoms) + 3
        self.box(
            MARGIN,
            top,
            self.width - 2 * MARGIN,
            bottom - top,
            "white",
            edge=RULE,
            radius=8,
            zorder=0.5,
        )
        return bottom + 16

    def empty(self, y: float) -> float:
        """What a map without stages shows instead of the grid."""
        self.box(MARGIN, y, self.width - 2 * MARGIN, 60, STRIPE, edge=GRID, radius=8)
        self.text(
            self.width / 2,
            y + 30,
            self.fonts.clean(self.labels.no_stages),
            size=HEAD,
            color=MUTED,
            ha="center",
            va="center",
        )
        return y + 60

    def row(
        self,
        stages: Sequence[StageView],
        column: float,
        pains: Sequence[PainView],
        scores: Mapping[int, TouchpointScore],
        y: float,
    ) -> float:
        """One row of whole stages: the stage header, then a lane per aspect of the journey."""
        x0 = x1 = MARGIN + TITLE_W
        stage_slots: dict[int, _Slot] = {}
        tp_slots: dict[int, _Slot] = {}
        for stage in stages:
            stage_slots[stage.id] = _Slot(x1, _columns(stage) * column)
            for i, tp in enumerate(stage.touchpoints):
                tp_slots[tp.id] = _Slot(x1 + i * column, column)
            x1 += _columns(stage) * column
        tps = [tp for stage in stages for tp in stage.touchpoints]
        row_pains = [p for p in pains if p.stage_id in stage_slots]
        places = {p.id: _place(p, stages, stage_slots, tp_slots) for p in row_pains}
        labels = self.labels
        lanes: list[tuple[str, Callable[[float], float]]] = [
            (labels.customer_goal, lambda y: self._goals(stages, stage_slots, y)),
            (labels.touchpoints, lambda y: self._touchpoints(tps, tp_slots, y)),
            (labels.emotions, lambda y: self._emotions(tps, tp_slots, x0, x1, y)),
            (labels.pains, lambda y: self._pains(row_pains, places, y)),
            (labels.fixes, lambda y: self._fixes(row_pains, places, y)),
            (labels.scores, lambda y: self._scores(tps, tp_slots, scores, x0, y)),
        ]
        if any(self.kpis.get(stage.id) for stage in stages):
            lanes.append((labels.kpis, lambda y: self._kpis(stages, stage_slots, y)))
        top = y
        y = self._stage_header(stages, stage_slots, y)
        rules: list[float] = []
        for i, (title, draw) in enumerate(lanes):
            room = TITLE_W - 2 * PAD - (24 if i == 2 else 0)  # the emotion lane's scale
            lines = self.fonts.wrap(self.fonts.clean(title), room, bold=True, lines=3)
            height = max(draw(y), len(lines) * FONT * LINE + 2 * PAD + 4)
            self.text(MARGIN + PAD, y + PAD + 2, lines, bold=True, color=HEADER)
            self.rect(MARGIN, y, TITLE_W, height, TITLE_BG)
            if i % 2:
                self.rect(x0, y, x1 - x0, height, STRIPE)
            rules.append(y)
            y += height
        self.lines([[(MARGIN, r), (x1, r)] for r in rules[1:]], color=GRID, lw=0.8, zorder=0.5)
        stage_xs = [s.x for s in stage_slots.values()]
        self.lines([[(x, top), (x, y)] for x in stage_xs], color=RULE, lw=0.8, zorder=0.6)
        inner = [tp_slots[tp.id].x for s in stages for tp in s.touchpoints[1:]]
        self.lines(
            [[(x, rules[1]), (x, y)] for x in inner],
            color=GRID,
            lw=0.6,
            zorder=0.6,
            linestyle=(0, (2, 3)),
        )
        frame = Rectangle((MARGIN, top), x1 - MARGIN, y - top, fc="none", ec=RULE, lw=0.8)
        self.patches[4].append(frame)
        return y

    def _stage_header(
        self, stages: Sequence[StageView], slots: Mapping[int, _Slot], y: float
    ) -> float:
        tip = 9.0
        names = {
            s.id: self.fonts.wrap(
                f"{self.numbers[s.id]}. {self.fonts.clean(s.name)}",
                slots[s.id].width - 2 * tip - 2 * PAD,
                HEAD,
                bold=True,
                lines=2,
            )
            for s in stages
        }
        height = max(len(lines) for lines in names.values()) * HEAD * LINE + 14
        self.rect(MARGIN, y, TITLE_W, height, HEADER, zorder=1)
        for stage in stages:
            left, right = slots[stage.id].x, slots[stage.id].x + slots[stage.id].width
            middle, bottom = y + height / 2, y + height
            chevron = [
                (left, y),
                (right - tip, y),
                (right, middle),
                (right - tip, bottom),
                (left, bottom),
                (left + tip, middle),
            ]
            shade = HEADER if self.numbers[stage.id] % 2 else HEADER_ALT
            self.patches[1].append(Polygon(chevron, closed=True, fc=shade, ec="white", lw=1.5))
            self.text(
                left + tip + PAD,
                middle,
                names[stage.id],
                size=HEAD,
                bold=True,
                color="white",
                va="center",
            )
        return y + height

    def _kpis(self, stages: Sequence[StageView], slots: Mapping[int, _Slot], y: float) -> float:
        """Each stage's KPIs: latest value against target, ▲/▼ for the last change."""
        height = 0.0
        for stage in stages:
            slot = slots[stage.id]
            lines: list[str] = []
            for kpi in self.kpis.get(stage.id, []):
                lines += self.fonts.wrap(_kpi_text(kpi), slot.width - 2 * PAD - 4, lines=2)
            height = max(height, self.text(slot.x + PAD + 4, y + PAD + 2, lines))
        return height + 2 * PAD + 4

    def _goals(self, stages: Sequence[StageView], slots: Mapping[int, _Slot], y: float) -> float:
        height = 0.0
        for stage in stages:
            slot = slots[stage.id]
            goal = self.fonts.clean(stage.customer_goal)
            lines = self.fonts.wrap(goal, slot.width - 2 * PAD - 4, lines=4)
            height = max(height, self.text(slot.x + PAD + 4, y + PAD + 2, lines))
        return height + 2 * PAD + 4

    def _touchpoints(
        self, tps: Sequence[TouchpointView], slots: Mapping[int, _Slot], y: float
    ) -> float:
        cards = []
        for tp in tps:
            room = slots[tp.id].width - 4 * PAD
            # ★ (in DejaVu, unlike the ⭐ emoji) marks a moment of truth, as ⭐ does elsewhere.
            star = "★ " if tp.is_moment_of_truth else ""
            name = self.fonts.wrap(star + self.fonts.clean(tp.name), room, bold=True)
            mode = self.labels.mode.get(tp.mode, tp.mode.value) if tp.mode else ""
            label = self.fonts.clean(tp.channel) or self.fonts.clean(mode)
            cards.append((tp, name, self.fonts.wrap(label, room - 12, lines=1)))
        if not cards:
            return 0.0
        card_h = max(len(name) + len(channel) for _, name, channel in cards) * FONT * LINE
        card_h += 2 * PAD
        marks: dict[Mode, list[tuple[float, float]]] = {mode: [] for mode in Mode}
        for tp, name, channel in cards:
            slot = slots[tp.id]
            self.box(slot.x + PAD, y + PAD, slot.width - 2 * PAD, card_h, CARD)
            line_y = y + 2 * PAD + self.text(slot.x + 2 * PAD, y + 2 * PAD, name, bold=True)
            indent = 0.0
            if tp.mode:
                marks[tp.mode].append((slot.x + 2 * PAD + 4, line_y + FONT * LINE / 2 - 1))
                indent = 12.0
            self.text(slot.x + 2 * PAD + indent, line_y, channel, color=MUTED)
        for mode, points in marks.items():
            self._mode_marks(points, mode)
        return card_h + 2 * PAD

    def _mode_marks(self, points: list[tuple[float, float]], mode: Mode) -> None:
        """Online: a filled dot; offline: a hollow square (told apart without colour)."""
        online = mode is Mode.ONLINE
        self.dots(
            points,
            square=not online,
            sizes=[30 if online else 26],
            facecolors=ACCENT if online else "white",
            edgecolors=ACCENT,
            linewidths=1.4,
            zorder=4,
        )

    def _emotions(
        self,
        tps: Sequence[TouchpointView],
        slots: Mapping[int, _Slot],
        x0: float,
        x1: float,
        y: float,
    ) -> float:
        pad = 22.0
        unit = (EMOTION_H - 2 * pad) / 4

        def at(score: float) -> float:
            return y + pad + (2 - score) * unit

        self.rect(x0, at(0.5), x1 - x0, unit, NEUTRAL, zorder=0.2)
        dotted = [[(x0, at(v)), (x1, at(v))] for v in (-2, -1, 1, 2)]
        self.lines(dotted, color=GRID, lw=0.8, linestyle=(0, (2, 3)), zorder=0.5)
        self.lines([[(x0, at(0)), (x1, at(0))]], color=RULE, lw=0.8, zorder=0.5)
        for level in (2, 0, -2):
            self.text(x0 - PAD, at(level), _signed(level, 0), color=FAINT, ha="right", va="center")
        xs, ys, spreads, dots = [], [], [], []
        for tp in tps:
            center = slots[tp.id].x + slots[tp.id].width / 2
            score = tp.emotion
            xs.append(center)
            ys.append(math.nan if score is None else at(score))  # NaN: a gap in the line
            if score is None:
                self.text(
                    center,
                    at(-2) + 4,
                    self.fonts.clean(self.labels.no_votes),
                    color=FAINT,
                    ha="center",
                )
                continue
            color = _emotion_color(score)
            dots.append(((center, at(score)), color))
            if tp.spread:
                low, high = at(max(-2, score - tp.spread)), at(min(2, score + tp.spread))
                spreads.append(([(center, low), (center, high)], color))
            below = score >= 1.0  # keep the label inside the lane
            self.text(
                center,
                at(score) + (9 if below else -9),
                _signed(score),
                bold=True,
                color=color,
                ha="center",
                va="top" if below else "bottom",
                zorder=4,
            )
        self.lines(
            [s for s, _ in spreads],
            colors=[c for _, c in spreads],
            lw=7,
            alpha=0.18,
            capstyle="round",
            zorder=2,
        )
        if xs:
            self.add(
                Line2D(xs, ys, color="#475569", lw=2, solid_capstyle="round"),
                transform=self.transform,
                zorder=3,
            )
        self.dots(
            [p for p, _ in dots],
            sizes=[70],
            facecolors=[c for _, c in dots],
            edgecolors="white",
            linewidths=1.5,
            zorder=4,
        )
        return EMOTION_H

    def _stack(
        self, items: Sequence[tuple[_Place, Any]], y: float, draw: Callable[..., float]
    ) -> float:
        """Stack cards per place, stage-wide ones above the touchpoints'; return the height."""
        by_place: dict[_Place, list[Any]] = {}
        for place, item in items:
            by_place.setdefault(place, []).append(item)
        below: dict[int, float] = {}
        bottom = y
        for place in sorted(by_place, key=lambda p: not p.spans):
            cy = (y if place.spans else below.get(place.stage_id, y)) + PAD
            shown = by_place[place][:MAX_ITEMS]
            for item in shown:
                cy += draw(place.slot, item, cy) + PAD
            if hidden := len(by_place[place]) - len(shown):
                more = self.fonts.clean(self.labels.more.replace("{n}", str(hidden)))
                cy += self.text(place.slot.x + 2 * PAD, cy, more, color=MUTED) + PAD
            if place.spans:
                below[place.stage_id] = cy - PAD
            bottom = max(bottom, cy)
        return bottom - y + PAD if by_place else 0.0

    def _card(
        self, slot: _Slot, y: float, lines: list[str], meta: list[str], strip: str, fill: str
    ) -> float:
        height = (len(lines) + len(meta)) * FONT * LINE + 2 * PAD
        x, w = slot.x + PAD, slot.width - 2 * PAD
        self.box(x, y, w, height, fill, edge=GRID if fill == "white" else "none")
        self.rect(x, y, 4, height, strip, zorder=1.5)
        cy = y + PAD + self.text(x + PAD + 3, y + PAD, lines)
        self.text(x + PAD + 3, cy, meta, color=MUTED)
        return height

    def _pains(self, pains: Sequence[PainView], places: Mapping[int, _Place], y: float) -> float:
        def draw(slot: _Slot, pain: PainView, cy: float) -> float:
            strip, fill = SEVERITY_COLORS[pain.severity]
            room = slot.width - 4 * PAD - 3
            lines = self.fonts.wrap(self.fonts.clean(pain.text), room, lines=4)
            return self._card(slot, cy, lines, [], strip, fill)

        return self._stack([(places[p.id], p) for p in pains], y, draw)

    def _fixes(self, pains: Sequence[PainView], places: Mapping[int, _Place], y: float) -> float:
        def draw(slot: _Slot, fix: FixView, cy: float) -> float:
            room = slot.width - 4 * PAD - 3
            done = "✓ " if fix.status is FixStatus.DONE else ""
            lines = self.fonts.wrap(done + self.fonts.clean(fix.text), room, lines=3)
            due = fix.due_on.isoformat() if fix.due_on else ""
            meta = [
                line
                for part in (self.fonts.clean(fix.owner_name), due)
                if part
                for line in self.fonts.wrap(part, room, lines=1)
            ]
            return self._card(slot, cy, lines, meta, STATUS_COLORS[fix.status], "white")

        return self._stack([(places[p.id], fix) for p in pains for fix in p.fixes], y, draw)

    def _scores(
        self,
        tps: Sequence[TouchpointView],
        slots: Mapping[int, _Slot],
        scores: Mapping[int, TouchpointScore],
        x0: float,
        y: float,
    ) -> float:
        if not scores:
            return (
                self.text(
                    x0 + 2 * PAD, y + PAD + 2, self.fonts.clean(self.labels.no_scores), color=FAINT
                )
                + 2 * PAD
                + 4
            )
        height = 0.0
        for tp in tps:
            slot, score = slots[tp.id], scores.get(tp.id)
            x, top = slot.x + 2 * PAD, y + PAD + 2
            if score is None:
                height = max(height, self.text(x, top, "—", color=FAINT))
                continue
            text, arrow = _score_text(score)
            arrow_w = self.fonts.width(arrow, FONT, bold=True) + 4
            room = slot.width - 3 * PAD - arrow_w
            lines = self.fonts.wrap(self.fonts.clean(text), room, lines=2)
            height = max(height, self.text(x, top, lines))
            last = x + self.fonts.width(lines[-1], FONT) + 4
            trend = TREND_COLORS[(score.trend > 0) - (score.trend < 0)]
            self.text(last, top + (len(lines) - 1) * FONT * LINE, arrow, bold=True, color=trend)
        return height + 2 * PAD + 4

    def legend(self, y: float) -> float:
        """Keys to the colours and marks: severities, fix statuses, touchpoint modes."""
        labels, clean, line = self.labels, self.fonts.clean, FONT * LINE
        groups: list[tuple[str, list[tuple[str, str, str]]]] = [
            (labels.pains, [(*SEVERITY_COLORS[s], labels.severity.get(s, s)) for s in Severity]),
            (
                labels.fixes,
                [(STATUS_COLORS[s], "white", labels.status.get(s, s)) for s in FixStatus],
            ),
            (labels.touchpoints, [(m.value, "", labels.mode.get(m, m)) for m in Mode]),
        ]
        x = MARGIN
        for title, items in groups:
            title = clean(title)
            texts = [clean(text) for *_, text in items]
            widths = [self.fonts.width(t, FONT) for t in texts]
            title_w = self.fonts.width(title, FONT, bold=True)
            if x > MARGIN and x + title_w + 10 + sum(w + 32 for w in widths) > self.width - MARGIN:
                x, y = MARGIN, y + line + 8
            self.text(x, y, title, bold=True, color=MUTED)
            x += title_w + 10
            for (strip, fill, _), text, width in zip(items, texts, widths, strict=True):
                if fill:
                    self.box(x, y + 1, 16, line - 2, fill, edge=GRID, radius=2)
                    self.rect(x, y + 1, 4, line - 2, strip, zorder=1.5)
                else:
                    self._mode_marks([(x + 8, y + line / 2)], Mode(strip))
                self.text(x + 22, y, text, color=MUTED)
                x += 22 + width + 10
            x += 22
        return y + line


def _place(
    pain: PainView,
    stages: Sequence[StageView],
    stage_slots: Mapping[int, _Slot],
    tp_slots: Mapping[int, _Slot],
) -> _Place:
    """A pain sits under its touchpoint, or spans its stage when it has none (or a stray one)."""
    stage = next(s for s in stages if s.id == pain.stage_id)
    if pain.touchpoint_id is not None and any(
        t.id == pain.touchpoint_id for t in stage.touchpoints
    ):
        return _Place(stage.id, False, tp_slots[pain.touchpoint_id])
    return _Place(stage.id, True, stage_slots[stage.id])
