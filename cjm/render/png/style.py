"""The picture's colours and words: the palette every lane paints with, and PictureLabels."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from cjm.models import FixStatus, Mode, PersonaField, Severity

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
