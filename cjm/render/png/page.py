"""The page around the lanes: heading, persona card, each row's grid of lanes, and the legend.

The grid is where lanes meet: a title cell per lane on the left, every other lane striped, rules
between lanes and stages, and a frame around the row.
"""

from __future__ import annotations

from collections.abc import Mapping

from cjm.models import FixStatus, Mode, PersonaField, Severity
from cjm.render.fonts import FONT, LINE
from cjm.render.png import lanes
from cjm.render.png.canvas import Canvas
from cjm.render.png.layout import HEAD, MARGIN, NAME, PAD, TITLE, TITLE_W, RowLayout
from cjm.render.png.style import (
    ACCENT,
    GRID,
    HEADER,
    MUTED,
    RULE,
    SEVERITY_COLORS,
    STATUS_COLORS,
    STRIPE,
    TITLE_BG,
    PictureLabels,
)
from cjm.views import MapView


def heading(canvas: Canvas, view: MapView, y: float) -> float:
    """The map's title and segment."""
    fonts, inner = canvas.fonts, canvas.width - 2 * MARGIN
    title = fonts.wrap(fonts.clean(view.title), inner, TITLE, bold=True, lines=2)
    y += canvas.text(MARGIN, y, title, size=TITLE, bold=True, color=HEADER)
    segment = fonts.wrap(fonts.clean(view.segment), inner, HEAD, lines=2)
    y += canvas.text(MARGIN, y + 2, segment, size=HEAD, color=MUTED)
    return y + 14


def persona(
    canvas: Canvas,
    labels: PictureLabels,
    persona: Mapping[PersonaField, str | None],
    y: float,
) -> float:
    """The persona card: the name by an initial, then each filled field in columns."""
    fonts = canvas.fonts
    values = {f: fonts.clean(persona.get(f)) for f in PersonaField}
    if not any(values.values()):
        return y
    x, inner = MARGIN + 14, canvas.width - 2 * MARGIN - 28
    top, y = y, y + 12
    if name := values.pop(PersonaField.NAME):
        canvas.circle(x, y, 36, ACCENT, zorder=2)
        initial = name[0].upper()
        canvas.text(
            x + 18, y + 19, initial, size=NAME, bold=True, color="white", ha="center", va="center"
        )
        lines = fonts.wrap(name, inner - 48, NAME, bold=True, lines=2)
        y += max(36, canvas.text(x + 48, y + 18, lines, size=NAME, bold=True, va="center"))
        y += 10
    count = 3 if inner > 700 else 2
    gap = 18
    column = (inner - gap * (count - 1)) / count
    bottoms = [y] * count
    for key, value in values.items():
        if value:
            i = bottoms.index(min(bottoms))  # the shortest column takes the next field
            cx, cy = x + i * (column + gap), bottoms[i]
            label = fonts.clean(labels.persona.get(key, key.value))
            label_lines = fonts.wrap(label, column, bold=True, lines=1)
            cy += canvas.text(cx, cy, label_lines, bold=True, color=MUTED) + 1
            cy += canvas.text(cx, cy, fonts.wrap(value, column, lines=3))
            bottoms[i] = cy + 9
    bottom = max(bottoms) + 3
    width = canvas.width - 2 * MARGIN
    canvas.box(MARGIN, top, width, bottom - top, "white", edge=RULE, radius=8, zorder=0.5)
    return bottom + 16


def empty(canvas: Canvas, labels: PictureLabels, y: float) -> float:
    """What a map without stages shows instead of the grid."""
    canvas.box(MARGIN, y, canvas.width - 2 * MARGIN, 60, STRIPE, edge=GRID, radius=8)
    canvas.text(
        canvas.width / 2,
        y + 30,
        canvas.fonts.clean(labels.no_stages),
        size=HEAD,
        color=MUTED,
        ha="center",
        va="center",
    )
    return y + 60


def grid_row(sheet: lanes.Sheet, row: RowLayout, y: float) -> float:
    """One row of whole stages: the stage header, then a lane per aspect of the journey."""
    canvas, labels, x0, x1 = sheet.canvas, sheet.labels, row.x0, row.x1
    rows: list[tuple[str, lanes.Lane]] = [
        (labels.customer_goal, lanes.goals),
        (labels.touchpoints, lanes.touchpoints),
        (labels.emotions, lanes.emotions),
        (labels.pains, lanes.pains),
        (labels.fixes, lanes.fixes),
        (labels.scores, lanes.scores),
    ]
    if any(sheet.kpis.get(stage.id) for stage in row.stages):  # no empty KPI lane
        rows.append((labels.kpis, lanes.kpis))
    top = y
    y = lanes.stage_header(sheet, row, y)
    rules: list[float] = []
    for i, (title, draw) in enumerate(rows):
        # The emotion lane's title leaves room for its −2 … +2 scale.
        room = TITLE_W - 2 * PAD - (24 if draw is lanes.emotions else 0)
        lines = canvas.fonts.wrap(canvas.fonts.clean(title), room, bold=True, lines=3)
        height = max(draw(sheet, row, y), len(lines) * FONT * LINE + 2 * PAD + 4)
        canvas.text(MARGIN + PAD, y + PAD + 2, lines, bold=True, color=HEADER)
        canvas.rect(MARGIN, y, TITLE_W, height, TITLE_BG)
        if i % 2:
            canvas.rect(x0, y, x1 - x0, height, STRIPE)
        rules.append(y)
        y += height
    canvas.lines([[(MARGIN, r), (x1, r)] for r in rules[1:]], color=GRID, lw=0.8, zorder=0.5)
    stage_xs = [s.x for s in row.stage_slots.values()]
    canvas.lines([[(x, top), (x, y)] for x in stage_xs], color=RULE, lw=0.8, zorder=0.6)
    inner = [row.tp_slots[tp.id].x for s in row.stages for tp in s.touchpoints[1:]]
    canvas.lines(
        [[(x, rules[1]), (x, y)] for x in inner],
        color=GRID,
        lw=0.6,
        zorder=0.6,
        linestyle=(0, (2, 3)),
    )
    canvas.frame(MARGIN, top, x1 - MARGIN, y - top, RULE, zorder=4)
    return y


def legend(canvas: Canvas, labels: PictureLabels, y: float) -> float:
    """Keys to the colours and marks: severities, fix statuses, touchpoint modes."""
    fonts, clean, line = canvas.fonts, canvas.fonts.clean, FONT * LINE
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
        widths = [fonts.width(t, FONT) for t in texts]
        title_w = fonts.width(title, FONT, bold=True)
        # A group that would run off the page starts a new line of the legend.
        if x > MARGIN and x + title_w + 10 + sum(w + 32 for w in widths) > canvas.width - MARGIN:
            x, y = MARGIN, y + line + 8
        canvas.text(x, y, title, bold=True, color=MUTED)
        x += title_w + 10
        for (strip, fill, _), text, width in zip(items, texts, widths, strict=True):
            if fill:  # a colour key: a card in miniature
                canvas.box(x, y + 1, 16, line - 2, fill, edge=GRID, radius=2)
                canvas.rect(x, y + 1, 4, line - 2, strip, zorder=1.5)
            else:  # a mode key: its mark, whose "strip" is the Mode's value
                lanes.mode_marks(canvas, [(x + 8, y + line / 2)], Mode(strip))
            canvas.text(x + 22, y, text, color=MUTED)
            x += 22 + width + 10
        x += 22
    return y + line
