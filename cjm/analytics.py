"""Survey scores (NPS, CSAT, CES) with 95 % margins of error, per survey and per local week.

Every score is computed from answer counts per value; every interval shares its score's
scale: NPS −100..+100, shares in percent, the CES mean 1..7.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import NormalDist
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from cjm.limits import MIN_ANSWERS
from cjm.models import SurveyKind
from cjm.schedule import local_at
from cjm.views import Interval, ScoreSummary, WeekPoint

Counts = npt.NDArray[np.int64]  # answers per score value 0..10 (last axis), by value


SCALE: Final[Mapping[SurveyKind, tuple[int, int]]] = MappingProxyType(
    {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5), SurveyKind.CES: (1, 7)}
)
CONFIDENCE: Final = 0.95
Z_95: Final = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)  # 1.959964
NPS_PASSIVE_FROM: Final = 7  # 0–6 detractors, 7–8 passives, 9–10 promoters
NPS_PROMOTER_FROM: Final = 9
CSAT_SATISFIED_FROM: Final = 4  # 4–5 of 5
CES_EASY_FROM: Final = 5  # 5–7 of 7
_TOP: Final = max(high for _, high in SCALE.values())
SCORE_VALUES: Final = range(_TOP + 1)  # every value a scale allows: one Counts column each


@dataclass(frozen=True)
class LocalWeeks:
    """Consecutive weeks that start Monday 00:00 on a zone's wall clock."""

    first: date  # the Monday the first week starts on
    starts_at: tuple[datetime, ...]  # UTC instant each week starts, then where the last ends

    def __len__(self) -> int:
        """How many weeks."""
        return len(self.starts_at) - 1

    def index_of(self, at: datetime) -> int:
        """The week `at` (aware) falls in: 0 for the first; −1 or len(self) outside them."""
        return bisect_right(self.starts_at, at) - 1


def nps_adjusted_wald(promoters: int, detractors: int, n: int) -> Interval:
    """The 95 % interval of an NPS on −100..+100: Rocks' adjusted Wald (Am. Stat. 70(4), 2016).

    With p̂ = (P + ¾)/(n + 3) and d̂ = (D + ¾)/(n + 3), the interval is
    100 · (p̂ − d̂ ± z · √((p̂ + d̂ − (p̂ − d̂)²)/(n + 3))), clipped to [−100, 100].
    It is centred on the adjusted p̂ − d̂; the NPS shown beside it is the plain,
    unadjusted 100 · (P − D)/n (ScoreSummary.score), which need not sit at its centre.
    """
    if min(promoters, detractors) < 0 or promoters + detractors > n:
        raise ValueError(f"bad NPS counts: {promoters} + {detractors} of {n}")
    promoted = (promoters + 0.75) / (n + 3)
    detracted = (detractors + 0.75) / (n + 3)
    centre = promoted - detracted
    error = math.sqrt((promoted + detracted - centre**2) / (n + 3))
    return Interval(100 * max(-1.0, centre - Z_95 * error), 100 * min(1.0, centre + Z_95 * error))


def wilson(successes: int, n: int) -> Interval:
    """The 95 % Wilson score interval of the share successes/n, in percent."""
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"bad proportion: {successes} of {n}")
    share = successes / n
    z2_n = Z_95**2 / n
    centre = (share + z2_n / 2) / (1 + z2_n)
    half = Z_95 * math.sqrt(share * (1 - share) / n + z2_n / (4 * n)) / (1 + z2_n)
    # At 0 or n successes a bound is exactly 0 or 1; the subtraction would leave float dust.
    low = 0.0 if successes == 0 else centre - half
    return Interval(100 * low, 100 * (1.0 if successes == n else centre + half))


def mean_t_interval(values: Iterable[float]) -> Interval:
    """The 95 % Student t interval (n − 1 degrees of freedom) of the mean of values."""
    data = [float(value) for value in values]
    if len(data) < 2:  # a spread needs two values
        raise ValueError("a t interval needs at least two values")
    return _t_interval(len(data), statistics.fmean(data), statistics.stdev(data))


def _t_interval(n: int, mean: float, stdev: float) -> Interval:
    """mean ± t(0.975, n − 1) · stdev/√n."""
    half = _t_quantile(0.5 + CONFIDENCE / 2, n - 1) * stdev / math.sqrt(n)
    return Interval(mean - half, mean + half)


def _t_quantile(p: float, df: int) -> float:
    """Student's t quantile (scipy)."""
    # Imported here: scipy.stats adds ~30 MB to every process, and only CES means need it.
    from scipy.stats import t as student_t

    return float(student_t.ppf(p, df))


def summarise_many(answers: pd.DataFrame) -> dict[int, ScoreSummary]:
    """A summary per survey from columns survey_id, kind and score, ordered by survey_id."""
    if answers.empty:
        return {}
    if answers[["survey_id", "kind"]].isna().to_numpy().any():
        raise ValueError("every answer needs a survey_id and a kind")
    surveys = answers.groupby("survey_id", sort=True)
    codes = np.asarray(surveys.ngroup(), dtype=np.int64)
    kinds = surveys["kind"].first()
    # Comparing with each survey's first kind is far cheaper than grouping by the strings.
    mixed = answers["kind"].to_numpy() != kinds.to_numpy()[codes]
    if mixed.any():
        ids = np.unique(answers["survey_id"][mixed])
        raise ValueError(f"surveys with more than one kind: {ids}")
    counts = _counts(codes, len(kinds), answers["score"])
    return {
        int(survey_id): summarise_counts(SurveyKind(kind), row)
        for survey_id, kind, row in zip(kinds.index.tolist(), kinds.tolist(), counts, strict=True)
    }


def local_weeks(first_at: datetime, last_at: datetime, tz: str) -> LocalWeeks:
    """The weeks from first_at's through last_at's (aware times), starting Monday 00:00 in tz."""
    if first_at.tzinfo is None or last_at.tzinfo is None:
        raise ValueError("first_at and last_at must be timezone-aware (UTC) times")
    zone = ZoneInfo(tz)
    first, last = (_monday_of(at.astimezone(zone).date()) for at in (first_at, last_at))
    mondays = [first + timedelta(weeks=week) for week in range((last - first).days // 7 + 2)]
    # A week starts at the first instant its Monday shows on the wall clock, not 7 × 24 h after
    # the last: days around a DST change last 23 or 25 hours, and a zone that changes mid-week
    # (Asia/Jerusalem, on a Friday) must not shift its Mondays. If Monday 00:00 falls in a DST
    # gap, the week starts at the gap's end; in an overlap, at the earlier 00:00. An answer is
    # then in the week of its local date's Monday, as long as no clock change takes the local
    # date back across a Monday midnight: none in the tz database did, 1970–2040.
    return LocalWeeks(first, tuple(local_at(monday, time(0), zone) for monday in mondays))


def weekly_trend(kind: SurveyKind, first_week: date, counts: Counts) -> list[WeekPoint]:
    """Scores per week from counts per week (rows, weekly from the Monday first_week) and value."""
    answered, scores = _headlines(kind, counts)
    return [
        WeekPoint(first_week + timedelta(weeks=week), n, score if n >= MIN_ANSWERS else None)
        for week, (n, score) in enumerate(zip(answered.tolist(), scores.tolist(), strict=True))
    ]


def trend_arrow(previous: float | None, current: float | None, threshold: float) -> int:
    """+1 up or −1 down when the score moved by more than threshold, else 0 (or unknown)."""
    if threshold < 0:
        raise ValueError("threshold must not be negative")
    if previous is None or current is None:
        return 0
    if current - previous > threshold:
        return 1
    if previous - current > threshold:
        return -1
    return 0


def _monday_of(day: date) -> date:
    """The Monday starting day's week."""
    return day - timedelta(days=day.weekday())


def _counts(groups: npt.NDArray[np.int64], n_groups: int, scores: pd.Series[float]) -> Counts:
    """Answers per group (rows) and score value 0..10 (columns); missing scores count nowhere."""
    values = scores.to_numpy(dtype=np.float64, na_value=np.nan)
    answered = ~np.isnan(values)
    given = values[answered]
    if given.size and (given.min() < 0 or given.max() > _TOP or (np.trunc(given) != given).any()):
        raise ValueError(f"scores must be whole numbers within 0..{_TOP}")
    cells = groups[answered] * (_TOP + 1) + given.astype(np.int64)
    return np.bincount(cells, minlength=n_groups * (_TOP + 1)).reshape(n_groups, _TOP + 1)


def summarise_counts(kind: SurveyKind, counts: Counts) -> ScoreSummary:
    """One survey's summary from its answer counts per score value 0..10."""
    answered, scores = _headlines(kind, counts[np.newaxis])
    n, score = int(answered[0]), float(scores[0])
    breakdown = _breakdown(kind, counts)
    if n < MIN_ANSWERS:
        return ScoreSummary(kind, n, None, None, breakdown)
    if kind is SurveyKind.NPS:
        return ScoreSummary(kind, n, score, nps_adjusted_wald(*_nps_counts(counts), n), breakdown)
    if kind is SurveyKind.CSAT:
        satisfied = int(counts[CSAT_SATISFIED_FROM:].sum())
        return ScoreSummary(kind, n, score, wilson(satisfied, n), breakdown)
    easy = int(counts[CES_EASY_FROM:].sum())
    mean_interval = _t_interval(n, score, _stdev(counts, n, score))
    low, high = map(float, SCALE[kind])  # a mean stays on the scale; mean ± t·s/√n may not
    interval = Interval(max(low, mean_interval.low), min(high, mean_interval.high))
    return ScoreSummary(kind, n, score, interval, breakdown, 100 * easy / n, wilson(easy, n))


def _headlines(
    kind: SurveyKind, counts: Counts
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Answers and headline score per row: NPS, CSAT % of 4–5 or CES mean (0 if silent)."""
    low, high = SCALE[kind]
    if counts[:, :low].any() or counts[:, high + 1 :].any():
        raise ValueError(f"{kind} scores must be within {low}..{high}")
    answered = counts.sum(axis=1)
    divisor = np.maximum(answered, 1)  # silent rows: callers show None below MIN_ANSWERS anyway
    if kind is SurveyKind.NPS:
        promoters = counts[:, NPS_PROMOTER_FROM:].sum(axis=1)
        detractors = counts[:, :NPS_PASSIVE_FROM].sum(axis=1)
        return answered, 100 * (promoters - detractors) / divisor
    if kind is SurveyKind.CSAT:
        return answered, 100 * counts[:, CSAT_SATISFIED_FROM:].sum(axis=1) / divisor
    return answered, counts @ np.arange(_TOP + 1) / divisor


def _breakdown(kind: SurveyKind, counts: Counts) -> Mapping[str, int]:
    """Answers per NPS group, or per score value for CSAT and CES."""
    if kind is SurveyKind.NPS:
        passives = int(counts[NPS_PASSIVE_FROM:NPS_PROMOTER_FROM].sum())
        promoters, detractors = _nps_counts(counts)
        groups = {"detractors": detractors, "passives": passives, "promoters": promoters}
        return MappingProxyType(groups)
    low, high = SCALE[kind]
    return MappingProxyType({str(value): int(counts[value]) for value in range(low, high + 1)})


def _nps_counts(counts: Counts) -> tuple[int, int]:
    """Promoters (9–10) and detractors (0–6)."""
    return int(counts[NPS_PROMOTER_FROM:].sum()), int(counts[:NPS_PASSIVE_FROM].sum())


def _stdev(counts: Counts, n: int, mean: float) -> float:
    """The sample standard deviation of the scores counted (n ≥ 2)."""
    squares = counts * (np.arange(len(counts)) - mean) ** 2
    return math.sqrt(float(squares.sum()) / (n - 1))
