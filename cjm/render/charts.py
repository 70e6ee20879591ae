"""Survey pictures: the /results chart (answers per value, weekly trend) and a link's QR code.

Drawn with matplotlib's object API on the Agg canvas (never pyplot: no global state, safe in a
worker thread). The page is 8 in wide at 135 dpi, 1080 px: a phone's width, where the smallest
text (11 pt ≈ 20 px) stays readable.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any  # matplotlib ships no type stubs: its Axes are Any here

import qrcode
from babel.dates import format_skeleton

from cjm.analytics import SCALE
from cjm.models import SurveyKind
from cjm.views import SurveyResults

MAX_CHART_SURVEYS = 6  # newest first; more would make a photo too tall to read on a phone
MAX_CHART_WEEKS = 12
PAGE_WIDTH_IN = 8.0
ROW_HEIGHT_IN = 3.2
DPI = 135  # 8 in × 135 = 1080 px
FONT_PT = 11
TITLE_PT = 13
NPS_GROUPS = ("detractors", "passives", "promoters")
NPS_COLOURS = ("#d9534f", "#a0a0a0", "#2e9d5b")
BAR_COLOUR = "#4a7bd0"
LINE_COLOUR = "#333333"
QR_BOX_PX = 10  # one QR module: 10 px, so a 33-module code is ~400 px, easy to scan


@dataclass(frozen=True)
class ChartLabels:
    """The chart's words in the chat's language (rendered from a template by the caller).

    `titles` holds one heading per survey (same order as the results); `groups` names the NPS
    groups; `scores` names each kind's score axis ("NPS", "% satisfied", "mean").
    """

    titles: Sequence[str]
    answers: str
    trend: str
    too_few: str
    groups: Mapping[str, str]
    scores: Mapping[str, str]
    language: str = "en"  # the week axis writes its days the way this language does


def results_chart_png(results: Sequence[SurveyResults], labels: ChartLabels) -> bytes:
    """For each survey (newest six): answers per value as bars and the weekly score as a line."""
    shown = list(results[:MAX_CHART_SURVEYS])
    if not shown:
        raise ValueError("no survey to draw")
    # Imported here: matplotlib adds ~30 MB to the process, and most never draw a chart.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(PAGE_WIDTH_IN, ROW_HEIGHT_IN * len(shown)), dpi=DPI)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(len(shown), 2, width_ratios=(1, 1.2))
    for row, (result, title) in enumerate(zip(shown, labels.titles, strict=False)):
        bars = figure.add_subplot(grid[row, 0])
        trend = figure.add_subplot(grid[row, 1])
        _distribution(bars, result, labels)
        _trend(trend, result, labels)
        # Titles name what members typed: "$…$" is text, never math (or a parse error).
        bars.set_title(title, fontsize=TITLE_PT, loc="left", fontweight="bold", parse_math=False)
    figure.tight_layout(h_pad=2.0)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _distribution(ax: Any, result: SurveyResults, labels: ChartLabels) -> None:
    breakdown = result.summary.breakdown
    if result.survey.kind is SurveyKind.NPS:
        names = [labels.groups.get(group, group) for group in NPS_GROUPS]
        counts = [breakdown.get(group, 0) for group in NPS_GROUPS]
        colours: Sequence[str] = NPS_COLOURS
    else:
        low, high = SCALE[result.survey.kind]
        names = [str(value) for value in range(low, high + 1)]
        counts = [breakdown.get(name, 0) for name in names]
        colours = [BAR_COLOUR] * len(names)
    ax.bar(names, counts, color=colours)
    ax.set_ylim(0, max(1, *counts) * 1.15)
    ax.set_ylabel(labels.answers, fontsize=FONT_PT, parse_math=False)
    ax.tick_params(labelsize=FONT_PT)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)


def _trend(ax: Any, result: SurveyResults, labels: ChartLabels) -> None:
    weeks = result.weeks[-MAX_CHART_WEEKS:]
    kind = result.survey.kind
    ax.set_title(labels.trend, fontsize=FONT_PT, loc="left", parse_math=False)
    ax.set_ylabel(labels.scores.get(kind.value, kind.value), fontsize=FONT_PT, parse_math=False)
    ax.tick_params(labelsize=FONT_PT)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylim(*_score_range(kind))
    points = [(week.week_start, week.score) for week in weeks if week.score is not None]
    if not points:
        ax.text(
            0.5,
            0.5,
            labels.too_few,
            ha="center",
            va="center",
            fontsize=FONT_PT,
            transform=ax.transAxes,
            color="#777777",
            parse_math=False,
        )
        ax.set_xticks([])
        return
    ax.plot(
        [format_skeleton("MMMd", start, locale=labels.language) for start, _ in points],
        [score for _, score in points],
        marker="o",
        color=LINE_COLOUR,
    )
    if len(points) > 4:
        ax.tick_params(axis="x", labelrotation=45)


def _score_range(kind: SurveyKind) -> tuple[float, float]:
    if kind is SurveyKind.NPS:
        return -100.0, 100.0
    if kind is SurveyKind.CSAT:
        return 0.0, 100.0
    low, high = SCALE[kind]
    return float(low), float(high)


def qr_png(url: str) -> bytes:
    """A QR code of a link, as PNG bytes, big enough to scan from a screen or a printout."""
    code = qrcode.QRCode(box_size=QR_BOX_PX, border=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()
