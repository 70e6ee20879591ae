"""The map page: a standalone HTML file (inline CSS and SVG, no requests) for screen and print."""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import get_decimal_symbol
from markupsafe import Markup, escape

from cjm.models import FixStatus, PersonaField, Severity
from cjm.render.marks import signed
from cjm.render.texts import Texts
from cjm.services.chats import LANGUAGES
from cjm.views import (
    FixView,
    KpiView,
    MapView,
    PainView,
    StageView,
    TouchpointScore,
    TouchpointView,
)

MAP_TEMPLATE = "map/map.html"
CELLS_TEMPLATE = "map/_cells.html"
CELLS_OF_STAGE = ("stage_head", "goal", "stage_pains", "stage_fixes", "kpis")  # _cells.html
CELLS_OF_COLUMN = ("touchpoint", "emotion", "pains", "fixes", "score")
# A4 landscape keeps about ten touchpoint columns readable; wider maps print a page per run of
# stages, while the screen shows the whole map in one horizontally scrolling table.
PRINT_COLUMNS_PER_PAGE = 10
CURVE_HEIGHT_PX = 128
CURVE_PAD_PX = 18
CURVE_VIEWBOX_WIDTH = 1000
NEUTRAL_BAND = 0.5  # averages within ±0.5 of 0 read as neutral
SPREAD_SHOWN_FROM = 1.0  # members disagree: the same threshold as the chat's emotion line
SCREENSHOT_TIMEOUT_S = 60
# Headless, root-safe, and offline: no first-run, QUIC, sync, component updates or pings.
CHROMIUM_OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@dataclass(frozen=True)
class PainCard:
    """A pain point as the page shows it, with its reference (P1, P2, …)."""

    pain: PainView
    ref: str


@dataclass(frozen=True)
class FixCard:
    """A fix as the page shows it, with its pain's reference and whether it is overdue."""

    fix: FixView
    ref: str
    overdue: bool


@dataclass(frozen=True)
class ScoreCell:
    """A survey score, formatted."""

    kind: str
    value: str
    n: int
    trend: int


@dataclass(frozen=True)
class Column:
    """One touchpoint column (an empty stage gets one column without a touchpoint)."""

    touchpoint: TouchpointView | None
    starts_stage: bool
    emotion: str | None
    tone: str
    spread: str | None
    pains: tuple[PainCard, ...]
    fixes: tuple[FixCard, ...]
    score: ScoreCell | None
    html: Mapping[str, Markup] = field(default_factory=dict)


@dataclass(frozen=True)
class StageHead:
    """A stage header: its number, how many columns it spans, its stage-wide pains and fixes."""

    stage: StageView
    number: int
    span: int
    emotion: str | None
    tone: str
    pains: tuple[PainCard, ...]
    fixes: tuple[FixCard, ...]
    html: Mapping[str, Markup] = field(default_factory=dict)
    kpis: tuple[KpiView, ...] = ()


@dataclass(frozen=True)
class MapPart:
    """A run of stages drawn as one table: the whole map on screen, one page of it in print."""

    stages: tuple[StageHead, ...]
    columns: tuple[Column, ...]
    curve: Markup

    @property
    def has_stage_pains(self) -> bool:
        """Whether any stage has pain points on the whole stage."""
        return any(head.pains for head in self.stages)

    @property
    def has_stage_fixes(self) -> bool:
        """Whether any stage-wide pain point has fixes."""
        return any(head.fixes for head in self.stages)

    @property
    def has_kpis(self) -> bool:
        """Whether any stage has KPIs (the KPI lane shows only then)."""
        return any(head.kpis for head in self.stages)


@dataclass(frozen=True)
class Kpis:
    """The headline figures above the map."""

    stages: int
    touchpoints: int
    voted: int
    votes: int
    emotion: str | None
    tone: str
    pains: int
    high_open: int
    fixes: int
    fixes_done: int


@dataclass(frozen=True)
class MapPage:
    """Everything the template needs beyond the view, computed once in Python."""

    language: str
    direction: str
    persona_name: str | None
    persona_role: str | None
    persona_initial: str
    persona_fields: tuple[tuple[str, str], ...]
    kpis: Kpis
    screen: MapPart | None
    print_parts: tuple[MapPart, ...]
    has_scores: bool
    generated_at: datetime | None
    print_columns: int = PRINT_COLUMNS_PER_PAGE


def render_map_html(
    texts: Texts,
    view: MapView,
    *,
    language: str,
    scores: Mapping[int, TouchpointScore] | None = None,
    generated_at: datetime | None = None,
) -> str:
    """The map as one standalone HTML page in a language; `scores` are keyed by touchpoint id."""
    language = language if language in LANGUAGES else "en"  # Texts falls back the same way
    rtl = Locale.parse(language).character_order == "right-to-left"
    fmt = _Numbers(get_decimal_symbol(language))
    today = generated_at.astimezone(ZoneInfo(view.tz)).date() if generated_at else None
    heads, columns = _layout(view, scores or {}, fmt, today)
    # Cells are rendered once and shared by the screen table and the printed pages.
    cells: Any = texts.environment(language).get_template(CELLS_TEMPLATE).module
    heads = [replace(head, html=_cells(cells, head, CELLS_OF_STAGE)) for head in heads]
    columns = [replace(column, html=_cells(cells, column, CELLS_OF_COLUMN)) for column in columns]
    screen = _part(heads, columns, rtl) if heads else None
    chunks = _print_chunks(heads, columns)
    print_parts = tuple(_part(*chunk, rtl) for chunk in chunks) if len(chunks) > 1 else ()
    persona = {field: (text or "").strip() for field, text in view.persona.items()}
    name = persona.get(PersonaField.NAME) or None
    page = MapPage(
        language=language,
        direction="rtl" if rtl else "ltr",
        persona_name=name,
        persona_role=persona.get(PersonaField.ROLE) or None,
        persona_initial=name[0].upper() if name else "",
        persona_fields=tuple(
            (field.value, persona[field])
            for field in PersonaField
            if persona.get(field) and field not in (PersonaField.NAME, PersonaField.ROLE)
        ),
        kpis=_kpis(view, fmt),
        screen=screen,
        print_parts=print_parts,
        has_scores=bool(scores),
        generated_at=generated_at,
    )
    return texts.render(language, MAP_TEMPLATE, map=view, page=page)


def _cells(module: Any, item: StageHead | Column, macros: Sequence[str]) -> dict[str, Markup]:
    """The macros of map/_cells.html rendered for a stage or a column.

    Macros of an autoescaped template return Markup, which escape() keeps as is; anything else
    would be escaped, so user text can never reach the page raw.
    """
    return {name: escape(getattr(module, name)(item)) for name in macros}


class _Numbers:
    """Signed one-decimal figures with the language's decimal sign and a true minus."""

    def __init__(self, decimal_symbol: str) -> None:
        self.decimal_symbol = decimal_symbol

    def signed(self, value: float) -> str:
        return signed(value).replace(".", self.decimal_symbol)

    def plain(self, value: float, digits: int = 1) -> str:
        return f"{value:.{digits}f}".replace(".", self.decimal_symbol)

    def score(self, score: TouchpointScore) -> ScoreCell:
        is_nps = score.kind.upper() == "NPS"  # NPS is a whole number from −100 to +100
        value = signed(score.value, 0) if is_nps else self.plain(score.value)
        return ScoreCell(score.kind, value, score.n, (score.trend > 0) - (score.trend < 0))


def _tone(value: float | None) -> str:
    """The CSS tone of an average: n2, n1, 0, p1, p2 (or none before any vote)."""
    if value is None:
        return "none"
    rounded = max(-2, min(2, round(value)))
    return {-2: "n2", -1: "n1", 0: "0", 1: "p1", 2: "p2"}[rounded]


def _mean(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.fmean(present) if present else None


def _layout(
    view: MapView,
    scores: Mapping[int, TouchpointScore],
    fmt: _Numbers,
    today: date | None,
) -> tuple[list[StageHead], list[Column]]:
    """Stage headers and touchpoint columns, with pains placed and numbered in reading order."""
    touchpoint_ids = {tp.id for tp in view.touchpoints}
    at_touchpoint: dict[int, list[PainView]] = {}
    at_stage: dict[int, list[PainView]] = {}
    for pain in sorted(view.pains, key=lambda p: (p.severity_rank, p.id)):
        if pain.touchpoint_id is not None and pain.touchpoint_id in touchpoint_ids:
            at_touchpoint.setdefault(pain.touchpoint_id, []).append(pain)
        else:
            at_stage.setdefault(pain.stage_id, []).append(pain)
    numbered = 0

    def cards(pains: list[PainView]) -> tuple[tuple[PainCard, ...], tuple[FixCard, ...]]:
        nonlocal numbered
        pain_cards, fix_cards = [], []
        for pain in pains:
            numbered += 1
            pain_cards.append(PainCard(pain, f"P{numbered}"))
            fix_cards += [FixCard(fix, f"P{numbered}", _overdue(fix, today)) for fix in pain.fixes]
        return tuple(pain_cards), tuple(fix_cards)

    heads: list[StageHead] = []
    columns: list[Column] = []
    for number, stage in enumerate(view.stages, start=1):
        stage_pains, stage_fixes = cards(at_stage.get(stage.id, []))
        average = _mean(tp.emotion for tp in stage.touchpoints)
        heads.append(
            StageHead(
                stage=stage,
                number=number,
                span=max(1, len(stage.touchpoints)),
                emotion=fmt.signed(average) if average is not None else None,
                tone=_tone(average),
                pains=stage_pains,
                fixes=stage_fixes,
                kpis=tuple(view.kpis_at(stage.id)),
            )
        )
        for index, tp in enumerate(stage.touchpoints or (None,)):
            pains, fixes = cards(at_touchpoint.get(tp.id, [])) if tp else ((), ())
            emotion = tp.emotion if tp else None
            score = scores.get(tp.id) if tp else None
            columns.append(
                Column(
                    touchpoint=tp,
                    starts_stage=index == 0,
                    emotion=fmt.signed(emotion) if emotion is not None else None,
                    tone=_tone(emotion),
                    spread=(
                        fmt.plain(tp.spread) if tp and tp.spread >= SPREAD_SHOWN_FROM else None
                    ),
                    pains=pains,
                    fixes=fixes,
                    score=fmt.score(score) if score else None,
                )
            )
    return heads, columns


def _overdue(fix: FixView, today: date | None) -> bool:
    return bool(today and fix.due_on and fix.due_on < today and fix.status is not FixStatus.DONE)


def _print_chunks(
    heads: Sequence[StageHead], columns: Sequence[Column]
) -> list[tuple[list[StageHead], list[Column]]]:
    """Stages and their columns grouped into print pages of ≤ PRINT_COLUMNS_PER_PAGE columns."""
    chunks: list[tuple[list[StageHead], list[Column]]] = []
    start = 0
    for head in heads:
        stage_columns = list(columns[start : start + head.span])
        start += head.span
        if chunks and len(chunks[-1][1]) + head.span <= PRINT_COLUMNS_PER_PAGE:
            chunks[-1][0].append(head)
            chunks[-1][1].extend(stage_columns)
        else:
            chunks.append(([head], stage_columns))
    return chunks


def _part(heads: Sequence[StageHead], columns: Sequence[Column], rtl: bool) -> MapPart:
    return MapPart(tuple(heads), tuple(columns), emotion_curve(columns, rtl=rtl))


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


def _kpis(view: MapView, fmt: _Numbers) -> Kpis:
    touchpoints = view.touchpoints
    average = _mean(tp.emotion for tp in touchpoints)
    fixes = view.fixes
    return Kpis(
        stages=len(view.stages),
        touchpoints=len(touchpoints),
        voted=sum(1 for tp in touchpoints if tp.scores),
        votes=sum(len(tp.scores) for tp in touchpoints),
        emotion=fmt.signed(average) if average is not None else None,
        tone=_tone(average),
        pains=len(view.pains),
        high_open=sum(1 for p in view.pains if p.severity is Severity.HIGH and p.is_open),
        fixes=len(fixes),
        fixes_done=sum(1 for fix in fixes if fix.status is FixStatus.DONE),
    )


def screenshot_html(
    html_path: Path, png_path: Path, *, width: int = 1600, height: int = 1000
) -> bool:
    """Screenshot a page with headless Chromium; False when Chromium is missing, fails or hangs."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return False
    png_path.parent.mkdir(parents=True, exist_ok=True)
    png_path.unlink(missing_ok=True)
    # Its own session, so a hung Chromium and its helper processes can be ended together.
    with (
        tempfile.TemporaryDirectory(prefix="cjm-chromium-") as profile,
        subprocess.Popen(  # noqa: S603  (a fixed binary and our own file paths, no shell)
            [
                chromium,
                *CHROMIUM_OFFLINE_FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={png_path.resolve()}",
                f"--window-size={width},{height}",
                html_path.resolve().as_uri(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        ) as browser,
    ):
        try:
            browser.wait(timeout=SCREENSHOT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait()
            return False
    return png_path.exists() and png_path.stat().st_size > 0
