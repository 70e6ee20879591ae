"""What services hand out: frozen snapshots, never live ORM objects."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias

from cjm.models import (
    FixStatus,
    FocusKind,
    KpiDirection,
    MapStatus,
    Mode,
    PainCategory,
    PainSource,
    PersonaField,
    PromptKind,
    Severity,
    Step,
    SurveyKind,
    SurveyStatus,
)

if TYPE_CHECKING:  # annotations only: importing analytics would load pandas everywhere
    from cjm.analytics import ScoreSummary, WeekPoint


@dataclass(frozen=True)
class Actor:
    """The member who did something: Telegram user id and display name."""

    user_id: int
    name: str
    username: str | None = None


@dataclass(frozen=True)
class ChatRef:
    """The chat an update came from, as the adapter saw it."""

    id: int
    title: str
    language_code: str | None = None
    is_group: bool = True


@dataclass(frozen=True)
class ChatView:
    """A chat's settings."""

    id: int
    title: str
    language: str
    tz: str
    current_map_id: int | None


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
        return list(Severity).index(self.severity)

    @property
    def is_open(self) -> bool:
        """True while no fix for it is done."""
        return not any(fix.status is FixStatus.DONE for fix in self.fixes)


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


@dataclass(frozen=True)
class PromptView:
    """What a stored prompt asks, so a reply can be routed to the right service."""

    chat_id: int
    message_id: int
    kind: str
    map_id: int | None
    target_id: int | None
    field: str | None
    card_message_id: int | None


@dataclass(frozen=True)
class CardView:
    """A step card: the map, the step it shows, and the item it has in focus."""

    map: MapView
    step: Step
    message_id: int | None = None
    focus_id: int | None = None
    focus: FocusKind | None = None


@dataclass(frozen=True)
class ChangeView:
    """One line of a map's change log."""

    id: int
    at: datetime
    actor_name: str
    action: str
    summary: str


@dataclass(frozen=True)
class TouchpointScore:
    """A touchpoint's latest survey score: e.g. NPS +32 from 41 answers, trending up (+1)."""

    kind: str
    value: float
    n: int
    trend: int


@dataclass(frozen=True)
class SurveyView:
    """A survey as the team sees it (never who answered)."""

    id: int
    map_id: int
    touchpoint_id: int | None
    touchpoint_name: str | None
    kind: SurveyKind
    question: str | None
    ask_why: bool
    token: str
    status: SurveyStatus
    ends_at: datetime | None
    ends_on: date | None  # the last day it takes answers, in the survey's chat's zone
    max_responses: int | None
    responses: int
    may_ask_again: int = 0

    @property
    def is_taking_answers(self) -> bool:
        """Open, and its touchpoint still on the map."""
        return self.status is SurveyStatus.OPEN and self.touchpoint_id is not None


@dataclass(frozen=True)
class QuestionView:
    """What a customer is asked: the survey's question in their language."""

    survey_id: int
    token: str
    kind: SurveyKind
    question: str | None
    touchpoint_name: str
    map_title: str
    ask_why: bool
    current_score: int | None = None


@dataclass(frozen=True)
class AnswerOutcome:
    """After a customer's score: whether to ask "why?" and whether it was a change."""

    survey_id: int
    score: int
    ask_why: bool
    changed: bool
    responses: int | None  # answers so far: counted for a group post, None in private


@dataclass(frozen=True)
class CommentView:
    """A customer's "why?" with its score (never who wrote it)."""

    response_id: int
    score: int
    comment: str
    answered_at: datetime
    is_low: bool


@dataclass(frozen=True)
class SurveyResults:
    """/results for one survey: the score with its interval, breakdown, trend and comments."""

    survey: SurveyView
    summary: ScoreSummary
    weeks: tuple[WeekPoint, ...]
    comments: tuple[CommentView, ...]


class Redraw(StrEnum):
    """The message that shows what an answer changed."""

    NOTHING = "nothing"
    STEP_CARD = "step_card"
    SURVEY_CARD = "survey_card"
    KPI_BOARD = "kpi_board"
    REVIEW_CARD = "review_card"


# What applying an answer returns for the redraw or the confirmation: a SurveyView, a
# ReviewCard, a KPI or hotspot outcome, or None when the redraw reads afresh (step cards).
Outcome: TypeAlias = object


@dataclass(frozen=True)
class QuestionToAsk:
    """A question checked and ready to post: its kind, what it is about, what it names."""

    kind: PromptKind
    map_id: int | None
    target_id: int | None
    persona_field: PersonaField | None
    card_message_id: int | None
    params: Mapping[str, object]


@dataclass(frozen=True)
class Answered:
    """What a reply did: the message to redraw, and the outcome to show or confirm."""

    kind: PromptKind
    redraw: Redraw
    card_message_id: int | None
    outcome: Outcome
    confirm: bool
