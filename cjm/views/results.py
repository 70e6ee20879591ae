"""Survey scores as services hand them out: intervals, weekly points, comments, /results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from cjm.limits import MIN_ANSWERS
from cjm.models import SurveyKind
from cjm.views.surveys import SurveyView


@dataclass(frozen=True)
class Interval:
    """A 95 % confidence interval, on the same scale as the score it goes with."""

    low: float
    high: float

    @property
    def margin(self) -> float:
        """Half the width: the "± x" shown next to a score."""
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class ScoreSummary:
    """One survey's score: NPS −100..100, CSAT % of 4–5, or CES mean 1..7, with its interval.

    For CES, `easy_share` is the % of 5–7 answers with its Wilson interval `easy_interval`.
    Below MIN_ANSWERS every score and interval is None; n and breakdown are always filled.
    """

    kind: SurveyKind
    n: int
    score: float | None
    interval: Interval | None
    breakdown: Mapping[str, int]  # NPS: detractors, passives, promoters; else "1".."k"
    easy_share: float | None = None
    easy_interval: Interval | None = None

    @property
    def too_few(self) -> bool:
        """Whether there are too few answers to show a score."""
        return self.n < MIN_ANSWERS


@dataclass(frozen=True)
class WeekPoint:
    """A survey's score over one week, which starts Monday 00:00 in the chat's zone."""

    week_start: date
    n: int
    score: float | None


@dataclass(frozen=True)
class TouchpointScore:
    """A touchpoint's latest survey score: e.g. NPS +32 from 41 answers, trending up (+1)."""

    kind: str
    value: float
    n: int
    trend: int


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
