"""/hotspots: the touchpoints that need work, why, and where a fix from there lands."""

from __future__ import annotations

from dataclasses import dataclass

from cjm.views.maps import MapView, PainView, StageView, TouchpointView


@dataclass(frozen=True)
class Reason:
    """Why a touchpoint ranks: kind "emotion", "nps", "csat", "ces", "pains" or "moment".

    value is the evidence as shown (the mean vote, the survey score, the number of pains);
    severity names the pains' severity.
    """

    kind: str
    value: float = 0.0
    severity: str | None = None


@dataclass(frozen=True)
class Hotspot:
    """A touchpoint that needs work, with its stage, need score and reasons."""

    touchpoint: TouchpointView
    stage: StageView
    score: float
    reasons: tuple[Reason, ...]
    open_pain: PainView | None  # the most severe open pain: a fix from /hotspots lands there

    @property
    def name(self) -> str:
        """The touchpoint's name (what a digest lists)."""
        return self.touchpoint.name


@dataclass(frozen=True)
class HotspotReport:
    """/hotspots: the map and its hotspots, highest need first."""

    map: MapView
    hotspots: tuple[Hotspot, ...]


@dataclass(frozen=True)
class HotspotFix:
    """What a reply to "➕ Add a fix" did: a fix for the open pain, or a new pain point."""

    touchpoint_name: str
    pain_text: str
    added_fix: bool
    fix_text: str | None = None


@dataclass(frozen=True)
class FixTarget:
    """Where a "➕ Add a fix" reply lands: the touchpoint and its most severe open pain."""

    map_id: int
    touchpoint: TouchpointView
    open_pain: PainView | None
