"""A review digest, frozen: what changed, what is open, what customers said, what is empty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cjm.models import FixStatus


@dataclass(frozen=True)
class ChangeGroup:
    """One member's changes of one kind, e.g. Alice added 3 touchpoints (with examples)."""

    actor_name: str
    action: str
    count: int
    examples: tuple[str, ...]

    @property
    def kind(self) -> str:
        """The item kind of the action ("touchpoint" of "touchpoint.added")."""
        return self.action.split(".", 1)[0]

    @property
    def verb(self) -> str:
        """What happened ("added" of "touchpoint.added")."""
        return self.action.split(".", 1)[-1]


@dataclass(frozen=True)
class OpenFix:
    """A fix not done yet, with its owner and due date."""

    text: str
    owner_name: str | None
    status: FixStatus
    due_on: date | None
    overdue: bool


@dataclass(frozen=True)
class SurveyChange:
    """A survey with answers since the last review: its score now and before."""

    touchpoint_name: str | None
    kind: str
    new_answers: int
    score: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        """How far the score moved since the last review (None when either is unknown)."""
        if self.score is None or self.previous is None:
            return None
        return self.score - self.previous


@dataclass(frozen=True)
class Digest:
    """Everything a review digest says, frozen (built in one transaction, rendered later)."""

    map_id: int
    chat_id: int
    map_title: str
    tz: str
    language: str
    at: datetime
    since: datetime | None
    changes: tuple[ChangeGroup, ...]
    changes_total: int
    changes_more: int
    open_fixes: tuple[OpenFix, ...]
    fixes_more: int
    overdue_count: int
    surveys: tuple[SurveyChange, ...]
    unmeasured: tuple[str, ...]
    unmeasured_more: int
    empty_steps: tuple[str, ...]
    stages_without_touchpoints: tuple[str, ...]
    hotspots: tuple[str, ...]  # names of the touchpoints that need work most
    kpis: tuple[KpiChange, ...] = ()


@dataclass(frozen=True)
class KpiChange:
    """A KPI's latest value against its target, and its change since the last review."""

    stage: str
    name: str
    unit: str
    value: float
    target: float | None
    change: float | None  # None: no value from before the last review to compare with
    better: bool | None  # whether the change goes the KPI's better direction
