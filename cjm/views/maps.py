"""A whole map as services hand it out: stages, touchpoints and votes, pains, fixes, KPIs."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from cjm.models import (
    FixStatus,
    MapStatus,
    Mode,
    PainCategory,
    PainSource,
    PersonaField,
    Severity,
    Step,
)
from cjm.views.kpis import KpiView


@dataclass(frozen=True)
class VoteView:
    """One member's emotion vote on a touchpoint."""

    user_id: int
    user_name: str
    score: int | None
    note: str | None


@dataclass(frozen=True)
class TouchpointView:
    """A touchpoint with its emotion votes summarised."""

    id: int
    stage_id: int
    position: int
    name: str
    channel: str | None
    mode: Mode | None
    votes: tuple[VoteView, ...] = ()
    is_moment_of_truth: bool = False

    @cached_property
    def scores(self) -> tuple[int, ...]:
        """The members' scores, −2..+2."""
        return tuple(vote.score for vote in self.votes if vote.score is not None)

    @cached_property
    def emotion(self) -> float | None:
        """The average score, or None before anyone voted."""
        return statistics.fmean(self.scores) if self.scores else None

    @cached_property
    def spread(self) -> float:
        """How far members disagree: the population standard deviation of their scores."""
        return statistics.pstdev(self.scores) if len(self.scores) > 1 else 0.0

    @property
    def notes(self) -> list[VoteView]:
        """The votes that carry a note."""
        return [vote for vote in self.votes if vote.note]


@dataclass(frozen=True)
class StageView:
    """A stage with its touchpoints in order."""

    id: int
    position: int
    name: str
    customer_goal: str | None
    touchpoints: tuple[TouchpointView, ...] = ()


@dataclass(frozen=True)
class FixView:
    """A fix for a pain point."""

    id: int
    pain_point_id: int
    text: str
    owner_name: str | None
    status: FixStatus
    due_on: date | None


@dataclass(frozen=True)
class PainView:
    """A pain point with its fixes."""

    id: int
    stage_id: int
    touchpoint_id: int | None
    text: str
    category: PainCategory | None
    severity: Severity
    source: PainSource
    fixes: tuple[FixView, ...] = ()

    @property
    def severity_rank(self) -> int:
        """0 for high, 1 for medium, 2 for low: sorts the most severe first."""
        return self.severity.rank

    @property
    def is_open(self) -> bool:
        """True while no fix for it is done."""
        return not any(fix.status is FixStatus.DONE for fix in self.fixes)


@dataclass(frozen=True)
class MapView:
    """A whole map as the team sees it: persona, stages, touchpoints, votes, pains, fixes."""

    id: int
    chat_id: int
    title: str
    segment: str | None
    status: MapStatus
    owner_name: str
    created_at: datetime
    updated_at: datetime
    persona: dict[PersonaField, str | None]
    stages: tuple[StageView, ...] = ()
    pains: tuple[PainView, ...] = ()
    is_current: bool = True
    tz: str = "UTC"
    language: str = "en"
    kpis: tuple[KpiView, ...] = ()

    @property
    def touchpoints(self) -> list[TouchpointView]:
        """Every touchpoint, stage by stage."""
        return [tp for stage in self.stages for tp in stage.touchpoints]

    @property
    def fixes(self) -> list[FixView]:
        """Every fix, pain by pain."""
        return [fix for pain in self.pains for fix in pain.fixes]

    def stage(self, stage_id: int) -> StageView | None:
        """The stage with this id, if it is on the map."""
        return next((s for s in self.stages if s.id == stage_id), None)

    def touchpoint(self, touchpoint_id: int) -> TouchpointView | None:
        """The touchpoint with this id, if it is on the map."""
        return next((t for t in self.touchpoints if t.id == touchpoint_id), None)

    def pain(self, pain_id: int) -> PainView | None:
        """The pain point with this id, if it is on the map."""
        return next((p for p in self.pains if p.id == pain_id), None)

    def fix(self, fix_id: int) -> FixView | None:
        """The fix with this id, if it is on the map."""
        return next((f for f in self.fixes if f.id == fix_id), None)

    def pains_at(self, stage_id: int) -> list[PainView]:
        """The pain points of one stage."""
        return [p for p in self.pains if p.stage_id == stage_id]

    def kpis_at(self, stage_id: int) -> list[KpiView]:
        """The KPIs of one stage."""
        return [k for k in self.kpis if k.stage_id == stage_id]

    def kpi(self, kpi_id: int) -> KpiView | None:
        """The KPI with this id, if it is on the map."""
        return next((k for k in self.kpis if k.id == kpi_id), None)

    def step_counts(self) -> dict[Step, int]:
        """How many items each step holds."""
        return {
            Step.PERSONA: sum(1 for value in self.persona.values() if value),
            Step.STAGES: len(self.stages),
            Step.TOUCHPOINTS: len(self.touchpoints),
            Step.EMOTIONS: sum(1 for tp in self.touchpoints if tp.scores),
            Step.PAINS: len(self.pains),
            Step.FIXES: len(self.fixes),
        }

    def step_done(self, step: Step) -> bool:
        """Whether a step has what the map needs from it."""
        counts = self.step_counts()
        if step is Step.PERSONA:
            return bool(self.persona.get(PersonaField.NAME))
        if step is Step.EMOTIONS:
            return bool(self.touchpoints) and counts[step] == len(self.touchpoints)
        return counts[step] > 0


@dataclass(frozen=True)
class MapSummary:
    """A line in /maps."""

    id: int
    title: str
    status: MapStatus
    is_current: bool
    stage_count: int
    touchpoint_count: int
