"""The picture's colours and words: the palette, PictureLabels, and how numbers are written."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from matplotlib.colors import to_hex, to_rgb

from cjm.models import FixStatus, Mode, PersonaField, Severity
from cjm.views import KpiView, TouchpointScore

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
SEVERITY_RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}  # worst pains first


def _frozen(mapping: Mapping[Any, str]) -> Callable[[], Mapping[Any, str]]:
    # A fresh read-only copy per instance: a shared default dict could be changed by anyone.
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
    language: str = "en"  # due dates are written the way this language writes a day
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


def emotion_color(score: float) -> str:
    """A colour from red (−2) through grey (0) to green (+2)."""
    position = (max(-2.0, min(2.0, score)) + 2) / 4 * (len(EMOTION_STOPS) - 1)
    low = min(int(position), len(EMOTION_STOPS) - 2)
    (r0, g0, b0), (r1, g1, b1) = to_rgb(EMOTION_STOPS[low]), to_rgb(EMOTION_STOPS[low + 1])
    mix = position - low
    return to_hex((r0 + (r1 - r0) * mix, g0 + (g1 - g0) * mix, b0 + (b1 - b0) * mix))


def signed(value: float, digits: int = 1) -> str:
    """+1.3, −0.5 (a true minus sign), and a bare 0 rather than "+0.0"."""
    return "0" if round(value, digits) == 0 else f"{value:+.{digits}f}".replace("-", "−")


def score_text(score: TouchpointScore) -> tuple[str, str]:
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


def kpi_text(kpi: KpiView) -> str:
    """A KPI as "Conversion: 3.4% / 3.5% ▲": its latest value, target and last change."""
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
