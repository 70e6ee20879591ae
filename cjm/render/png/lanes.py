"""The lanes of a row, one function each, from the stage header down to the KPIs.

The lanes: stages, customer goals, touchpoints, emotions, pains, fixes, survey scores and KPIs.
Every lane has the same shape, `lane(sheet, row, y) -> height`: it draws its cells for the row's
stages at y (in page points) and returns how tall it is, so page.grid_row can stack lanes of any
height. Moments of truth are starred on their touchpoint's card.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date

from cjm.models import FixStatus, Mode
from cjm.render.fonts import FONT, LINE
from cjm.render.png.canvas import Canvas
from cjm.render.png.layout import (
    EMOTION_H,
    HEAD,
    MARGIN,
    MAX_ITEMS,
    PAD,
    TITLE_W,
    Place,
    RowLayout,
    Slot,
)
from cjm.render.png.style import (
    ACCENT,
    CARD,
    FAINT,
    GRID,
    HEADER,
    HEADER_ALT,
    MUTED,
    NEUTRAL,
    RULE,
    SEVERITY_COLORS,
    STATUS_COLORS,
    TREND_COLORS,
    PictureLabels,
    emotion_color,
    kpi_text,
    score_text,
    signed,
)
from cjm.views import FixView, KpiView, PainView, TouchpointScore


@dataclass(frozen=True)
class Sheet:
    """What every lane draws with: the canvas, the words, and what the map says per stage."""

    canvas: Canvas
    labels: PictureLabels
    numbers: Mapping[int, int]  # stage id → its number on the map, from 1
    kpis: Mapping[int, Sequence[KpiView]]  # stage id → its KPIs
    scores: Mapping[int, TouchpointScore]  # touchpoint id → its survey score


Lane = Callable[[Sheet, RowLayout, float], float]


def stage_header(sheet: Sheet, row: RowLayout, y: float) -> float:
    """The stages as numbered chevrons, in two alternating shades, above the lanes."""
    canvas, fonts, slots, tip = sheet.canvas, sheet.canvas.fonts, row.stage_slots, 9.0
    names = {
        s.id: fonts.wrap(
            f"{sheet.numbers[s.id]}. {fonts.clean(s.name)}",
            slots[s.id].width - 2 * tip - 2 * PAD,
            HEAD,
            bold=True,
            lines=2,
        )
        for s in row.stages
    }
    height = max(len(lines) for lines in names.values()) * HEAD * LINE + 14
    canvas.rect(MARGIN, y, TITLE_W, height, HEADER, zorder=1)
    for stage in row.stages:
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
        shade = HEADER if sheet.numbers[stage.id] % 2 else HEADER_ALT
        canvas.polygon(chevron, shade, edge="white", lw=1.5, zorder=1)
        canvas.text(
            left + tip + PAD,
            middle,
            names[stage.id],
            size=HEAD,
            bold=True,
            color="white",
            va="center",
        )
    return y + height


def goals(sheet: Sheet, row: RowLayout, y: float) -> float:
    """Each stage's customer goal, across the stage."""
    canvas, fonts, height = sheet.canvas, sheet.canvas.fonts, 0.0
    for stage in row.stages:
        slot = row.stage_slots[stage.id]
        goal = fonts.clean(stage.customer_goal)
        lines = fonts.wrap(goal, slot.width - 2 * PAD - 4, lines=4)
        height = max(height, canvas.text(slot.x + PAD + 4, y + PAD + 2, lines))
    return height + 2 * PAD + 4


def touchpoints(sheet: Sheet, row: RowLayout, y: float) -> float:
    """A card per touchpoint: its name (starred if a moment of truth), mode mark and channel."""
    canvas, fonts, slots = sheet.canvas, sheet.canvas.fonts, row.tp_slots
    cards = []
    for tp in row.touchpoints:
        room = slots[tp.id].width - 4 * PAD
        # ★ (in DejaVu, unlike the ⭐ emoji) marks a moment of truth, as ⭐ does elsewhere.
        star = "★ " if tp.is_moment_of_truth else ""
        name = fonts.wrap(star + fonts.clean(tp.name), room, bold=True)
        mode = sheet.labels.mode.get(tp.mode, tp.mode.value) if tp.mode else ""
        label = fonts.clean(tp.channel) or fonts.clean(mode)
        cards.append((tp, name, fonts.wrap(label, room - 12, lines=1)))
    if not cards:
        return 0.0
    # One height for all cards of the row, so that the lane reads as a line of equal cards.
    card_h = max(len(name) + len(channel) for _, name, channel in cards) * FONT * LINE
    card_h += 2 * PAD
    marks: dict[Mode, list[tuple[float, float]]] = {mode: [] for mode in Mode}
    for tp, name, channel in cards:
        slot = slots[tp.id]
        canvas.box(slot.x + PAD, y + PAD, slot.width - 2 * PAD, card_h, CARD)
        line_y = y + 2 * PAD + canvas.text(slot.x + 2 * PAD, y + 2 * PAD, name, bold=True)
        indent = 0.0
        if tp.mode:
            marks[tp.mode].append((slot.x + 2 * PAD + 4, line_y + FONT * LINE / 2 - 1))
            indent = 12.0
        canvas.text(slot.x + 2 * PAD + indent, line_y, channel, color=MUTED)
    for mode, points in marks.items():
        mode_marks(canvas, points, mode)
    return card_h + 2 * PAD


def mode_marks(canvas: Canvas, points: list[tuple[float, float]], mode: Mode) -> None:
    """Online: a filled dot; offline: a hollow square (told apart without colour)."""
    online = mode is Mode.ONLINE
    canvas.dots(
        points,
        square=not online,
        sizes=[30 if online else 26],
        facecolors=ACCENT if online else "white",
        edgecolors=ACCENT,
        linewidths=1.4,
        zorder=4,
    )


def emotions(sheet: Sheet, row: RowLayout, y: float) -> float:
    """The emotion curve on a −2 … +2 scale: a dot per voted touchpoint, its spread behind it."""
    canvas, slots, x0, x1 = sheet.canvas, row.tp_slots, row.x0, row.x1
    pad = 22.0
    unit = (EMOTION_H - 2 * pad) / 4

    def at(score: float) -> float:
        return y + pad + (2 - score) * unit

    canvas.rect(x0, at(0.5), x1 - x0, unit, NEUTRAL, zorder=0.2)
    dotted = [[(x0, at(v)), (x1, at(v))] for v in (-2, -1, 1, 2)]
    canvas.lines(dotted, color=GRID, lw=0.8, linestyle=(0, (2, 3)), zorder=0.5)
    canvas.lines([[(x0, at(0)), (x1, at(0))]], color=RULE, lw=0.8, zorder=0.5)
    for level in (2, 0, -2):
        canvas.text(x0 - PAD, at(level), signed(level, 0), color=FAINT, ha="right", va="center")
    xs, ys, spreads, dots = [], [], [], []
    for tp in row.touchpoints:
        center = slots[tp.id].x + slots[tp.id].width / 2
        score = tp.emotion
        xs.append(center)
        ys.append(math.nan if score is None else at(score))  # NaN: a gap in the line
        if score is None:
            no_votes = canvas.fonts.clean(sheet.labels.no_votes)
            canvas.text(center, at(-2) + 4, no_votes, color=FAINT, ha="center")
            continue
        color = emotion_color(score)
        dots.append(((center, at(score)), color))
        if tp.spread:
            low, high = at(max(-2, score - tp.spread)), at(min(2, score + tp.spread))
            spreads.append(([(center, low), (center, high)], color))
        below = score >= 1.0  # keep the label inside the lane
        canvas.text(
            center,
            at(score) + (9 if below else -9),
            signed(score),
            bold=True,
            color=color,
            ha="center",
            va="top" if below else "bottom",
            zorder=4,
        )
    canvas.lines(
        [s for s, _ in spreads],
        colors=[c for _, c in spreads],
        lw=7,
        alpha=0.18,
        capstyle="round",
        zorder=2,
    )
    if xs:
        canvas.curve(xs, ys, color="#475569", lw=2, zorder=3)
    canvas.dots(
        [p for p, _ in dots],
        sizes=[70],
        facecolors=[c for _, c in dots],
        edgecolors="white",
        linewidths=1.5,
        zorder=4,
    )
    return EMOTION_H


def pains(sheet: Sheet, row: RowLayout, y: float) -> float:
    """The row's pain cards, coloured by severity, under their touchpoint or stage."""
    fonts = sheet.canvas.fonts

    def draw(slot: Slot, pain: PainView, cy: float) -> float:
        strip, fill = SEVERITY_COLORS[pain.severity]
        room = slot.width - 4 * PAD - 3
        lines = fonts.wrap(fonts.clean(pain.text), room, lines=4)
        return _card(sheet.canvas, slot, cy, lines, [], strip, fill)

    return _stack(sheet, [(row.places[p.id], p) for p in row.pains], y, draw)


def fixes(sheet: Sheet, row: RowLayout, y: float) -> float:
    """The fixes of the row's pains, in the pains' places: status, owner and due date."""
    fonts = sheet.canvas.fonts

    def draw(slot: Slot, fix: FixView, cy: float) -> float:
        room = slot.width - 4 * PAD - 3
        done = "✓ " if fix.status is FixStatus.DONE else ""
        lines = fonts.wrap(done + fonts.clean(fix.text), room, lines=3)
        due = format_date(fix.due_on, "medium", locale=sheet.labels.language) if fix.due_on else ""
        meta = [
            line
            for part in (fonts.clean(fix.owner_name), due)
            if part
            for line in fonts.wrap(part, room, lines=1)
        ]
        return _card(sheet.canvas, slot, cy, lines, meta, STATUS_COLORS[fix.status], "white")

    items = [(row.places[p.id], fix) for p in row.pains for fix in p.fixes]
    return _stack(sheet, items, y, draw)


def scores(sheet: Sheet, row: RowLayout, y: float) -> float:
    """Each touchpoint's survey score with its trend arrow; "no survey yet" without any."""
    canvas, fonts = sheet.canvas, sheet.canvas.fonts
    if not sheet.scores:
        no_scores = fonts.clean(sheet.labels.no_scores)
        return canvas.text(row.x0 + 2 * PAD, y + PAD + 2, no_scores, color=FAINT) + 2 * PAD + 4
    height = 0.0
    for tp in row.touchpoints:
        slot, score = row.tp_slots[tp.id], sheet.scores.get(tp.id)
        x, top = slot.x + 2 * PAD, y + PAD + 2
        if score is None:
            height = max(height, canvas.text(x, top, "—", color=FAINT))
            continue
        text, arrow = score_text(score)
        arrow_w = fonts.width(arrow, FONT, bold=True) + 4
        room = slot.width - 3 * PAD - arrow_w
        lines = fonts.wrap(fonts.clean(text), room, lines=2)
        height = max(height, canvas.text(x, top, lines))
        last = x + fonts.width(lines[-1], FONT) + 4  # the arrow follows the last line's end
        trend = TREND_COLORS[(score.trend > 0) - (score.trend < 0)]
        canvas.text(last, top + (len(lines) - 1) * FONT * LINE, arrow, bold=True, color=trend)
    return height + 2 * PAD + 4


def kpis(sheet: Sheet, row: RowLayout, y: float) -> float:
    """Each stage's KPIs: latest value against target, ▲/▼ for the last change."""
    canvas, fonts, height = sheet.canvas, sheet.canvas.fonts, 0.0
    for stage in row.stages:
        slot = row.stage_slots[stage.id]
        lines: list[str] = []
        for kpi in sheet.kpis.get(stage.id, []):
            lines += fonts.wrap(kpi_text(kpi), slot.width - 2 * PAD - 4, lines=2)
        height = max(height, canvas.text(slot.x + PAD + 4, y + PAD + 2, lines))
    return height + 2 * PAD + 4


def _stack(
    sheet: Sheet, items: Sequence[tuple[Place, Any]], y: float, draw: Callable[..., float]
) -> float:
    """Stack cards per place, stage-wide ones above the touchpoints'; return the height."""
    by_place: dict[Place, list[Any]] = {}
    for place, item in items:
        by_place.setdefault(place, []).append(item)
    below: dict[int, float] = {}  # stage id → the bottom of its stage-wide cards
    bottom = y
    for place in sorted(by_place, key=lambda p: not p.spans):
        cy = (y if place.spans else below.get(place.stage_id, y)) + PAD
        shown = by_place[place][:MAX_ITEMS]
        for item in shown:
            cy += draw(place.slot, item, cy) + PAD
        if hidden := len(by_place[place]) - len(shown):
            more = sheet.canvas.fonts.clean(sheet.labels.more.replace("{n}", str(hidden)))
            cy += sheet.canvas.text(place.slot.x + 2 * PAD, cy, more, color=MUTED) + PAD
        if place.spans:
            below[place.stage_id] = cy - PAD
        bottom = max(bottom, cy)
    return bottom - y + PAD if by_place else 0.0


def _card(
    canvas: Canvas, slot: Slot, y: float, lines: list[str], meta: list[str], strip: str, fill: str
) -> float:
    """A card with a coloured strip on its left: its lines, then its meta lines muted."""
    height = (len(lines) + len(meta)) * FONT * LINE + 2 * PAD
    x, w = slot.x + PAD, slot.width - 2 * PAD
    canvas.box(x, y, w, height, fill, edge=GRID if fill == "white" else "none")
    canvas.rect(x, y, 4, height, strip, zorder=1.5)
    cy = y + PAD + canvas.text(x + PAD + 3, y + PAD, lines)
    canvas.text(x + PAD + 3, cy, meta, color=MUTED)
    return height
