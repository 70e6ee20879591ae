"""/kpi: a map's KPIs stage by stage, and what recording a value did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cjm.views.maps import KpiView, StageView


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
