"""KPIs: a stage's KPI with its values, /kpi's board stage by stage, a recorded value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from cjm.models import KpiDirection

if TYPE_CHECKING:  # annotations only: maps.MapView holds KpiViews, so maps imports this module
    from cjm.views.maps import StageView


@dataclass(frozen=True)
class KpiPoint:
    """One recorded value of a KPI on a local date."""

    measured_on: date
    value: float


@dataclass(frozen=True)
class KpiView:
    """A stage's KPI with its values, oldest first."""

    id: int
    stage_id: int
    name: str
    unit: str
    target: float | None
    direction: KpiDirection
    values: tuple[KpiPoint, ...] = ()

    @property
    def latest(self) -> KpiPoint | None:
        """The newest value, or None before any was recorded."""
        return self.values[-1] if self.values else None

    @property
    def trend(self) -> int:
        """+1 when the newest value is above the one before, −1 below, 0 otherwise."""
        if len(self.values) < 2:
            return 0
        change = self.values[-1].value - self.values[-2].value
        return (change > 0) - (change < 0)

    @property
    def improving(self) -> bool | None:
        """Whether the trend goes the better way (None when flat or unknown)."""
        if not self.trend:
            return None
        return (self.trend > 0) == (self.direction is KpiDirection.UP)

    @property
    def on_target(self) -> bool | None:
        """Whether the newest value meets the target (None without value or target)."""
        if self.latest is None or self.target is None:
            return None
        if self.direction is KpiDirection.UP:
            return self.latest.value >= self.target
        return self.latest.value <= self.target


@dataclass(frozen=True)
class StageKpis:
    """A stage with its KPIs."""

    stage: StageView
    kpis: tuple[KpiView, ...]


@dataclass(frozen=True)
class KpiBoard:
    """/kpi: the current map's KPIs, stage by stage."""

    map_id: int
    title: str
    stages: tuple[StageKpis, ...]

    @property
    def kpis(self) -> list[KpiView]:
        """Every KPI, stage by stage."""
        return [kpi for stage in self.stages for kpi in stage.kpis]

    def stage(self, stage_id: int) -> StageView | None:
        """The stage with this id, if it is on the map."""
        return next((s.stage for s in self.stages if s.stage.id == stage_id), None)

    def kpi(self, kpi_id: int) -> KpiView | None:
        """The KPI with this id, if it is on the map."""
        return next((k for k in self.kpis if k.id == kpi_id), None)


@dataclass(frozen=True)
class KpiRecorded:
    """A KPI after a value was recorded; replaced says the day already had one."""

    kpi: KpiView
    measured_on: date
    value: float
    replaced: bool
