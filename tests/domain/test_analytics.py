"""Survey scores and their margins of error, checked against numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjm.analytics import (
    SCALE,
    SCORE_VALUES,
    SurveyKind,
    _t_quantile,
    local_weeks,
    mean_t_interval,
    nps_adjusted_wald,
    summarise_counts,
    summarise_many,
    trend_arrow,
    weekly_trend,
    wilson,
)
from cjm.limits import MIN_ANSWERS
from cjm.views import Interval, ScoreSummary, WeekPoint

# 5 promoters (9, 10), 2 passives (7, 8), 3 detractors (0, 3, 6)
NPS_TEN = [10, 9, 9, 10, 9, 7, 8, 0, 3, 6]
# 18 of 20 satisfied (4–5)
CSAT_TWENTY = [5] * 10 + [4] * 8 + [3, 1]
CES_FIVE = [5, 6, 7, 4, 6]


def bounds(interval: Interval | None) -> tuple[float, float]:
    """An interval's bounds to 2 decimals, as shown to members."""
    assert interval is not None
    return round(interval.low, 2), round(interval.high, 2)


def summary_of(kind: SurveyKind, scores: pd.Series[float]) -> ScoreSummary:
    """One survey's summary from its scores, through summarise_many as the digest reads them."""
    frame = pd.DataFrame({"survey_id": 1, "kind": kind.value, "score": scores})
    no_answers = np.zeros(len(SCORE_VALUES), dtype=np.int64)
    return summarise_many(frame).get(1) or summarise_counts(kind, no_answers)


def local(tz: str, *args: int, fold: int = 0) -> datetime:
    """A wall-clock time in zone tz, as the aware UTC time an answer is stored with."""
    return datetime(*args, tzinfo=ZoneInfo(tz), fold=fold).astimezone(UTC)


def answers_at(*stamps: datetime, score: int = 9) -> pd.DataFrame:
    """One answer with score at each time."""
    return pd.DataFrame({"answered_at": list(stamps), "score": [score] * len(stamps)})


def weeks(points: list[WeekPoint]) -> list[tuple[date, int]]:
    """Each week's start and number of answers."""
    return [(point.week_start, point.n) for point in points]


def trend(kind: SurveyKind, answers: pd.DataFrame, tz: str) -> list[WeekPoint]:
    """weekly_trend of answers (answered_at, score), counted per local_weeks as results does."""
    if answers.empty:
        return []
    at = [pd.Timestamp(stamp) for stamp in answers["answered_at"]]
    local = local_weeks(min(at), max(at), tz)
    counts = np.zeros((len(local), len(SCORE_VALUES)), dtype=np.int64)
    for stamp, score in zip(at, answers["score"], strict=True):
        counts[local.index_of(stamp), score] += 1
    return weekly_trend(kind, local.first, counts)


class TestNpsAdjustedWald:
    def test_hand_computed_bounds(self):
        """P=5, D=3 of n=10 gives the adjusted-Wald bounds −30.33 and +61.10."""
        # n+3 = 13; p̂ = 5.75/13 = 0.442308; d̂ = 3.75/13 = 0.288462
        # p̂ − d̂ = 2/13 = 0.153846; p̂ + d̂ = 9.5/13 = 0.730769; (p̂ − d̂)² = 0.023669
        # SE = √((0.730769 − 0.023669)/13) = √0.054392 = 0.233222; z·SE = 1.959964 · 0.233222
        #    = 0.457106 → 0.153846 ∓ 0.457106 = −0.303260 and 0.610952 → ×100: −30.33, +61.10
        assert bounds(nps_adjusted_wald(5, 3, 10)) == (-30.33, 61.10)

    def test_all_promoters_are_clipped_at_100(self):
        """10 promoters of 10: the upper bound 106.34 is clipped to 100."""
        # p̂ = 10.75/13 = 0.826923; d̂ = 0.75/13 = 0.057692; p̂ − d̂ = 0.769231
        # SE = √((0.884615 − 0.591716)/13) = √0.022531 = 0.150102; z·SE = 0.294195
        # 0.769231 − 0.294195 = 0.475036 → 47.50; 0.769231 + 0.294195 = 1.063426 → clipped: 100
        assert bounds(nps_adjusted_wald(10, 0, 10)) == (47.50, 100.0)
        assert bounds(nps_adjusted_wald(0, 10, 10)) == (-100.0, -47.50)

    @pytest.mark.parametrize(
        ("promoters", "detractors", "n"),
        [(-1, 0, 5), (0, -1, 5), (4, 3, 6)],
        ids=["negative promoters", "negative detractors", "more than n"],
    )
    def test_impossible_counts_are_refused(self, promoters, detractors, n):
        """Counts that cannot come from n answers raise ValueError."""
        with pytest.raises(ValueError, match="bad NPS counts"):
            nps_adjusted_wald(promoters, detractors, n)


class TestWilson:
    def test_hand_computed_bounds(self):
        """18 of 20 satisfied gives the Wilson bounds 69.90 % and 97.21 %."""
        # p = 0.9; z² = 3.841459; z²/n = 0.192073; 1 + z²/n = 1.192073
        # centre = (0.9 + 0.096036)/1.192073 = 0.835550
        # half = z·√(0.09/20 + 3.841459/1600)/1.192073 = 1.959964 · √0.006901/1.192073
        #      = 1.959964 · 0.083072/1.192073 = 0.136584
        # 0.835550 ∓ 0.136584 = 0.698966 and 0.972134 → 69.90, 97.21
        assert bounds(wilson(18, 20)) == (69.90, 97.21)

    @pytest.mark.parametrize(("successes", "n"), [(0, 1), (1, 1), (0, 1000), (1000, 1000)])
    def test_stays_within_0_and_100(self, successes, n):
        """All or none successful: the bounds stay within 0..100 and hold the share."""
        interval = wilson(successes, n)
        assert 0 <= interval.low <= 100 * successes / n <= interval.high <= 100

    @pytest.mark.parametrize(("successes", "n"), [(0, 0), (-1, 5), (6, 5)])
    def test_impossible_counts_are_refused(self, successes, n):
        """No answers, or successes outside 0..n, raise ValueError."""
        with pytest.raises(ValueError, match="bad proportion"):
            wilson(successes, n)


class TestMeanTInterval:
    def test_hand_computed_bounds(self):
        """The mean 5.6 of [5, 6, 7, 4, 6] has the t interval 4.18..7.02."""
        # mean = 28/5 = 5.6; squared deviations 0.36 + 0.16 + 1.96 + 2.56 + 0.16 = 5.2
        # s = √(5.2/4) = √1.3 = 1.140175; s/√5 = 0.509902; t(0.975, 4) = 2.776
        # half = 2.776 · 0.509902 = 1.4155 → 5.6 ∓ 1.4155 = 4.1845 and 7.0155 → 4.18, 7.02
        interval = mean_t_interval(CES_FIVE)
        assert bounds(interval) == (4.18, 7.02)
        assert round(interval.margin, 2) == 1.42

    def test_one_value_is_refused(self):
        """A spread needs two values."""
        with pytest.raises(ValueError, match="at least two"):
            mean_t_interval([5])

    # Hill's approximation stands in for scipy.stats.t.ppf, so it is pinned to printed t tables.
    @pytest.mark.parametrize(
        ("p", "df", "table"),
        [
            (0.975, 1, 12.706),
            (0.975, 2, 4.303),
            (0.975, 3, 3.182),
            (0.975, 4, 2.776),
            (0.975, 5, 2.571),
            (0.975, 10, 2.228),
            (0.975, 30, 2.042),
            (0.975, 120, 1.980),
            (0.95, 10, 1.812),
            (0.995, 3, 5.841),
            (0.9995, 5, 6.869),
        ],
    )
    def test_t_quantile_matches_tables(self, p, df, table):
        """The t quantile agrees with the printed tables to three decimals."""
        assert round(_t_quantile(p, df), 3) == table


class TestSummarise:
    def test_nps(self):
        """5 promoters, 2 passives, 3 detractors: NPS +20, −30.33..+61.10, groups in order."""
        summary = summary_of(SurveyKind.NPS, pd.Series(NPS_TEN))
        assert summary.score == 20.0  # 100 · (5 − 3)/10, unadjusted
        assert bounds(summary.interval) == (-30.33, 61.10)
        assert list(summary.breakdown.items()) == [
            ("detractors", 3),
            ("passives", 2),
            ("promoters", 5),
        ]
        assert (summary.n, summary.too_few) == (10, False)

    def test_nps_interval_is_centred_on_the_adjusted_estimate(self):
        """The interval's centre is 100 · 2/13 = 15.38, not the NPS shown (+20)."""
        summary = summary_of(SurveyKind.NPS, pd.Series(NPS_TEN))
        assert summary.interval is not None
        assert round((summary.interval.low + summary.interval.high) / 2, 2) == 15.38

    def test_all_promoters(self):
        """Every answer a promoter: NPS 100 and an interval that ends at 100."""
        summary = summary_of(SurveyKind.NPS, pd.Series([10, 9] * 5))
        assert summary.score == 100.0
        assert bounds(summary.interval) == (47.50, 100.0)

    def test_csat(self):
        """18 of 20 satisfied: CSAT 90 %, 69.90..97.21, answers per value 1..5."""
        summary = summary_of(SurveyKind.CSAT, pd.Series(CSAT_TWENTY))
        assert summary.score == 90.0
        assert bounds(summary.interval) == (69.90, 97.21)
        assert dict(summary.breakdown) == {"1": 1, "2": 0, "3": 1, "4": 8, "5": 10}
        assert summary.easy_share is None

    def test_ces(self):
        """Mean 5.6 with its t interval clipped at 7; 4 of 5 easy: 80 %, 37.55..96.38."""
        summary = summary_of(SurveyKind.CES, pd.Series(CES_FIVE))
        assert summary.score == pytest.approx(5.6)
        # t interval 4.18..7.02 (TestMeanTInterval), but a mean on 1..7 cannot exceed 7
        assert bounds(summary.interval) == (4.18, 7.0)
        # Wilson, 4 of 5: p = 0.8; z²/n = 0.768292; centre = (0.8 + 0.384146)/1.768292
        #   = 0.669655; half = 1.959964 · √(0.032 + 0.038415)/1.768292 = 0.294121
        #   → 0.375535 and 0.963776 → 37.55, 96.38
        assert summary.easy_share == 80.0
        assert bounds(summary.easy_interval) == (37.55, 96.38)
        assert list(summary.breakdown) == ["1", "2", "3", "4", "5", "6", "7"]
        assert summary.breakdown["6"] == 2

    @pytest.mark.parametrize("kind", list(SurveyKind))
    def test_too_few_answers_have_no_score(self, kind):
        """Four answers are counted but give no score and no interval."""
        low, _ = SCALE[kind]
        summary = summary_of(kind, pd.Series([low] * (MIN_ANSWERS - 1)))
        assert summary.too_few
        assert (summary.n, summary.score, summary.interval) == (4, None, None)
        assert sum(summary.breakdown.values()) == 4

    @pytest.mark.parametrize("kind", list(SurveyKind))
    def test_no_answers(self, kind):
        """An empty survey has n = 0, no score and a breakdown of zeros."""
        summary = summary_of(kind, pd.Series([], dtype="float64"))
        assert summary.too_few
        assert (summary.n, summary.score) == (0, None)
        assert set(summary.breakdown.values()) == {0}

    def test_missing_scores_are_not_answers(self):
        """NaN or <NA> scores are skipped questions: they do not count towards n."""
        scores = pd.Series([5, 5, None, 4, 4, None, 3], dtype="Int64")
        summary = summary_of(SurveyKind.CSAT, scores)
        assert (summary.n, summary.score) == (5, 80.0)

    @pytest.mark.parametrize(
        ("kind", "score"),
        [
            (SurveyKind.NPS, 11),
            (SurveyKind.NPS, -1),
            (SurveyKind.CSAT, 0),
            (SurveyKind.CSAT, 6),
            (SurveyKind.CES, 8),
            (SurveyKind.CES, 4.5),
            (SurveyKind.NPS, float("inf")),
        ],
        ids=["nps 11", "nps -1", "csat 0", "csat 6", "ces 8", "ces 4.5", "nps inf"],
    )
    def test_scores_off_the_scale_are_refused(self, kind, score):
        """A score outside the kind's scale, or not whole, raises ValueError."""
        with pytest.raises(ValueError, match="scores must be"):
            summary_of(kind, pd.Series([score, *[SCALE[kind][0]] * 5]))


@pytest.mark.parametrize(
    ("kind", "scores"),
    [
        (SurveyKind.NPS, NPS_TEN),
        (SurveyKind.CSAT, CSAT_TWENTY),
        (SurveyKind.CES, CES_FIVE),
        (SurveyKind.NPS, []),
    ],
    ids=["nps", "csat", "ces", "none"],
)
def test_counts_summarise_like_the_scores(kind, scores):
    """summarise_counts of the counts per value equals the summary of the scores themselves."""
    counts = np.bincount(np.array(scores, dtype=np.int64), minlength=len(SCORE_VALUES))
    assert summarise_counts(kind, counts) == summary_of(kind, pd.Series(scores, dtype="float64"))


class TestSummariseMany:
    def test_one_summary_per_survey(self):
        """Answers of three surveys give each survey's own summary, ordered by survey_id."""
        frame = pd.DataFrame(
            {
                "survey_id": [7] * 10 + [3] * 20 + [5] * 5,
                "kind": ["nps"] * 10 + ["csat"] * 20 + ["ces"] * 5,
                "score": NPS_TEN + CSAT_TWENTY + CES_FIVE,
            }
        ).sample(frac=1, random_state=1)
        summaries = summarise_many(frame)
        assert list(summaries) == [3, 5, 7]
        assert summaries[7] == summary_of(SurveyKind.NPS, pd.Series(NPS_TEN))
        assert summaries[3] == summary_of(SurveyKind.CSAT, pd.Series(CSAT_TWENTY))
        assert summaries[5] == summary_of(SurveyKind.CES, pd.Series(CES_FIVE))

    def test_a_survey_with_no_answered_scores_is_kept(self):
        """A survey whose answers all lack a score is listed with n = 0."""
        frame = pd.DataFrame({"survey_id": [1, 1], "kind": ["nps", "nps"], "score": [None] * 2})
        assert summarise_many(frame)[1].n == 0

    def test_empty(self):
        """No answers, no surveys."""
        assert summarise_many(pd.DataFrame(columns=["survey_id", "kind", "score"])) == {}

    def test_a_survey_with_two_kinds_is_refused(self):
        """One survey asks one question: mixed kinds raise ValueError."""
        frame = pd.DataFrame({"survey_id": [1, 1], "kind": ["nps", "csat"], "score": [5, 5]})
        with pytest.raises(ValueError, match=r"more than one kind: \[1\]"):
            summarise_many(frame)

    def test_scores_off_the_kinds_scale_are_refused(self):
        """A CSAT answer of 9 raises ValueError though 9 is a valid NPS score."""
        frame = pd.DataFrame({"survey_id": [1, 2], "kind": ["nps", "csat"], "score": [9, 9]})
        with pytest.raises(ValueError, match=r"csat scores must be within 1\.\.5"):
            summarise_many(frame)


class TestWeeklyTrend:
    def test_berlin_spring_forward(self):
        """Europe/Berlin, 29 March 2026: weeks start at local Monday midnight on either side."""
        tz = "Europe/Berlin"
        points = trend(
            SurveyKind.NPS,
            answers_at(
                local(tz, 2026, 3, 23, 0, 15),  # Sunday 23:15 UTC, Monday in Berlin
                local(tz, 2026, 3, 29, 1, 59),  # just before clocks jump to 03:00
                local(tz, 2026, 3, 29, 3, 0),
                local(tz, 2026, 3, 29, 23, 59),
                local(tz, 2026, 3, 30, 0, 30),  # still Sunday in UTC
            ),
            tz,
        )
        assert weeks(points) == [(date(2026, 3, 23), 4), (date(2026, 3, 30), 1)]

    def test_new_york_fall_back(self):
        """America/New_York, 1 November 2026: both 01:30s and 23:30 belong to the week before."""
        tz = "America/New_York"
        points = trend(
            SurveyKind.NPS,
            answers_at(
                local(tz, 2026, 10, 26, 0, 0),
                local(tz, 2026, 11, 1, 1, 30, fold=0),  # 01:30 EDT
                local(tz, 2026, 11, 1, 1, 30, fold=1),  # 01:30 EST, an hour later
                local(tz, 2026, 11, 1, 23, 30),  # Monday 04:30 UTC
                local(tz, 2026, 11, 2, 0, 0),
            ),
            tz,
        )
        assert weeks(points) == [(date(2026, 10, 26), 4), (date(2026, 11, 2), 1)]

    def test_a_mid_week_change_does_not_shift_the_week(self):
        """Asia/Jerusalem moves its clocks on Friday 27 March 2026: Saturday 00:30 is that week."""
        tz = "Asia/Jerusalem"
        points = trend(SurveyKind.NPS, answers_at(local(tz, 2026, 3, 28, 0, 30)), tz)
        assert weeks(points) == [(date(2026, 3, 23), 1)]

    def test_scores_per_week_and_silent_weeks(self):
        """Each week has its own score; a week without answers is listed with n = 0."""
        tz = "Europe/Berlin"
        frame = pd.concat(
            [
                answers_at(*[local(tz, 2026, 1, 5, 12)] * 5, score=10),  # 5 promoters
                answers_at(*[local(tz, 2026, 1, 19, 12)] * 3, score=0),  # 3 detractors
                answers_at(*[local(tz, 2026, 1, 25, 12)] * 2, score=9),  # and 2 promoters
            ]
        )
        assert trend(SurveyKind.NPS, frame, tz) == [
            WeekPoint(date(2026, 1, 5), 5, 100.0),
            WeekPoint(date(2026, 1, 12), 0, None),
            WeekPoint(date(2026, 1, 19), 5, -20.0),
        ]

    def test_fewer_than_five_answers_have_no_score(self):
        """A week with four answers shows its n but no score."""
        frame = answers_at(*[datetime(2026, 1, 6, tzinfo=UTC)] * 4)
        assert trend(SurveyKind.NPS, frame, "UTC") == [WeekPoint(date(2026, 1, 5), 4, None)]

    def test_datetime64_utc_column(self):
        """Times from a datetime64[ns, UTC] column (pandas Timestamps) work like datetimes."""
        frame = pd.DataFrame(
            {
                "answered_at": pd.to_datetime(["2026-03-29 22:30"] * 5, utc=True).as_unit("ns"),
                "score": [4, 5, 5, 5, 1],
            }
        )
        assert str(frame["answered_at"].dtype) == "datetime64[ns, UTC]"
        points = trend(SurveyKind.CSAT, frame, "Europe/Berlin")
        assert points == [WeekPoint(date(2026, 3, 30), 5, 80.0)]

    def test_naive_times_are_refused(self):
        """A time without a zone could be any moment: it raises ValueError."""
        naive = datetime(2026, 1, 6, 12)  # noqa: DTZ001 - the naive input under test
        with pytest.raises(ValueError, match="timezone-aware"):
            local_weeks(naive, naive, "UTC")

    def test_empty(self):
        """No answers, no weeks."""
        no_weeks = np.zeros((0, len(SCORE_VALUES)), dtype=np.int64)
        assert weekly_trend(SurveyKind.NPS, date(2026, 1, 5), no_weeks) == []
        assert trend(SurveyKind.NPS, pd.DataFrame(columns=["answered_at", "score"]), "UTC") == []


class TestLocalWeeks:
    def test_weeks_start_at_local_monday_midnight(self):
        """Berlin: each week starts Monday 00:00 local (23:00 or 22:00 UTC) and ends the last."""
        tz = "Europe/Berlin"
        weeks = local_weeks(local(tz, 2026, 3, 25, 12), local(tz, 2026, 3, 30, 0, 0), tz)
        assert weeks.first == date(2026, 3, 23)
        assert weeks.starts_at == (
            datetime(2026, 3, 22, 23, tzinfo=UTC),
            datetime(2026, 3, 29, 22, tzinfo=UTC),  # summer time from 29 March
            datetime(2026, 4, 5, 22, tzinfo=UTC),
        )
        assert len(weeks) == 2

    def test_a_monday_midnight_in_a_dst_gap(self):
        """Asia/Tehran skipped 22 March 2021, a Monday, 00:00–01:00: the week starts at 01:00."""
        tz = "Asia/Tehran"
        start = datetime(2021, 3, 21, 20, 30, tzinfo=UTC)  # 00:00 +03:30 = 01:00 +04:30
        weeks = local_weeks(start, start, tz)
        assert (weeks.first, weeks.starts_at[0]) == (date(2021, 3, 22), start)
        assert weeks.index_of(start - timedelta(microseconds=1)) == -1

    def test_index_of(self):
        """index_of finds the week a time falls in; outside the weeks it is −1 or len."""
        weeks = local_weeks(
            datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 12, tzinfo=UTC), "UTC"
        )
        days = {4: -1, 5: 0, 11: 0, 12: 1, 19: 2}  # day of January 2026 (00:00 UTC) → week
        assert {day: weeks.index_of(datetime(2026, 1, day, tzinfo=UTC)) for day in days} == days


@pytest.mark.parametrize(
    ("previous", "current", "threshold", "arrow"),
    [
        (10.0, 16.0, 5.0, 1),
        (10.0, 4.0, 5.0, -1),
        (10.0, 15.0, 5.0, 0),
        (10.0, 5.0, 5.0, 0),
        (None, 50.0, 5.0, 0),
        (50.0, None, 5.0, 0),
        (4.1, 4.2, 0.0, 1),
    ],
    ids=["up", "down", "up by the threshold", "down by the threshold", "new", "gone", "zero"],
)
def test_trend_arrow(previous, current, threshold, arrow):
    """The arrow points up or down only when the score moved by more than the threshold."""
    assert trend_arrow(previous, current, threshold) == arrow


def test_trend_arrow_refuses_a_negative_threshold():
    """A negative threshold is a mistake, not a very sensitive arrow."""
    with pytest.raises(ValueError, match="negative"):
        trend_arrow(1.0, 2.0, -1.0)


class TestProperties:
    @given(scores=st.lists(st.integers(0, 10), min_size=MIN_ANSWERS, max_size=300))
    @settings(deadline=None)  # the first pandas call in a process can be slow
    def test_nps_is_the_textbook_formula(self, scores):
        """NPS = 100 · (promoters − detractors)/n, within −100..100, inside its bounds' range."""
        promoters = sum(score >= 9 for score in scores)
        detractors = sum(score <= 6 for score in scores)
        summary = summary_of(SurveyKind.NPS, pd.Series(scores))
        assert summary.score == 100 * (promoters - detractors) / len(scores)
        assert -100 <= summary.score <= 100
        assert summary.interval is not None
        assert -100 <= summary.interval.low <= summary.interval.high <= 100

    @given(
        answers=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 5) | st.none()), max_size=60)
    )
    @settings(deadline=None)
    def test_many_surveys_agree_with_one_at_a_time(self, answers):
        """summarise_many gives each survey exactly what its scores alone give."""
        frame = pd.DataFrame(answers, columns=["survey_id", "score"], dtype="float64")
        frame["kind"] = "csat"
        expected = {
            int(survey_id): summary_of(SurveyKind.CSAT, group["score"])
            for survey_id, group in frame.groupby("survey_id")
        }
        assert summarise_many(frame) == expected
