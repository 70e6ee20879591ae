"""The emotion lane of the map page: an inline SVG curve through the touchpoints' averages."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from cjm.render.html.page import Column

CURVE_HEIGHT_PX = 128
CURVE_PAD_PX = 18
CURVE_VIEWBOX_WIDTH = 1000
NEUTRAL_BAND = 0.5  # averages within ±0.5 of 0 read as neutral


def _y(score: float) -> float:
    """The curve's y in viewBox units (px at the screen height) for a −2..+2 score, +2 on top."""
    inner = CURVE_HEIGHT_PX - 2 * CURVE_PAD_PX
    return round(CURVE_PAD_PX + (2 - max(-2.0, min(2.0, score))) / 4 * inner, 2)


def _y_pct(score: float) -> float:
    return round(_y(score) * 100 / CURVE_HEIGHT_PX, 2)


def emotion_curve(columns: Sequence[Column], *, rtl: bool = False) -> Markup:
    """The emotion lane as inline SVG spanning the columns: one marker per voted touchpoint.

    Markers sit at percentages of the lane (the columns are equally wide on screen and in
    print, and print may shorten the lane), so one SVG fits any size; the line lives in a
    viewBox stretched to the same box. Unvoted touchpoints break the line. Everything but the
    tooltips is numbers and fixed class names; tooltips carry touchpoint names, so they go
    through escape().
    """
    count = len(columns)
    if not count:
        return Markup("")

    def x_pct(position: float) -> float:
        pct = position * 100 / count
        return round(100 - pct if rtl else pct, 3)

    runs: list[list[tuple[float, float]]] = [[]]
    parts: list[str] = []  # dividers, then markers: drawn over the line
    for index, column in enumerate(columns):
        tp = column.touchpoint
        if column.starts_stage and index:
            x = x_pct(index)
            parts.append(f'<line class="divider" x1="{x}%" x2="{x}%" y1="0" y2="100%"/>')
        emotion = tp.emotion if tp else None
        if tp is None or emotion is None:
            runs.append([])
            continue
        x, y = x_pct(index + 0.5), _y_pct(emotion)
        runs[-1].append((x * CURVE_VIEWBOX_WIDTH / 100, _y(emotion)))
        label = f"{tp.name} · {column.emotion} · n={len(tp.scores)}"
        whisker = ""
        if column.spread:
            label += f" · ±{column.spread}"
            top, bottom = _y_pct(emotion + tp.spread), _y_pct(emotion - tp.spread)
            whisker = f'<line class="whisker" x1="{x}%" x2="{x}%" y1="{top}%" y2="{bottom}%"/>'
        parts.append(
            f'<g class="marker tone-{column.tone}"><title>{escape(label)}</title>{whisker}'
            f'<circle class="hit" cx="{x}%" cy="{y}%" r="12"/>'
            f'<circle class="dot" cx="{x}%" cy="{y}%" r="5.5"/></g>'
        )
    path = " ".join(_segment(run) for run in runs if len(run) > 1)
    w, h = CURVE_VIEWBOX_WIDTH, CURVE_HEIGHT_PX
    guides = "".join(
        f'<line class="guide" x1="0" x2="{w}" y1="{_y(level)}" y2="{_y(level)}"/>'
        for level in (2, 1, -1, -2)
    )
    band_top, band_bottom, zero = _y(NEUTRAL_BAND), _y(-NEUTRAL_BAND), _y(0)
    # Safe to mark: numbers, fixed class names and tooltips that went through escape() above.
    return Markup(  # noqa: S704
        f'<svg class="curve" width="100%" height="{h}" focusable="false">'
        f'<svg viewBox="0 0 {w} {h}" preserveAspectRatio="none" width="100%" height="100%">'
        f'<rect class="band" x="0" y="{band_top}" width="{w}" '
        f'height="{round(band_bottom - band_top, 2)}"/>{guides}'
        f'<line class="zero" x1="0" x2="{w}" y1="{zero}" y2="{zero}"/>'
        f'<path class="line" d="{path}"/></svg>{"".join(parts)}</svg>'
    )


def _segment(run: list[tuple[float, float]]) -> str:
    """A smooth path through a run of points; control points share each end's y (no overshoot)."""
    (x0, y0), rest = run[0], run[1:]
    parts = [f"M{x0:g} {y0:g}"]
    for x1, y1 in rest:
        mid = round((x0 + x1) / 2, 2)
        parts.append(f"C{mid:g} {y0:g} {mid:g} {y1:g} {x1:g} {y1:g}")
        x0, y0 = x1, y1
    return " ".join(parts)
