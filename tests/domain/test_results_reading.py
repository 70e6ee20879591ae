"""Survey results as the database counts them: per survey, score value and local week."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjm.analytics import SCORE_VALUES
from cjm.models import SurveyKind
from cjm.services import responses, results, surveys
from cjm.views import MapView, SurveyResults, SurveyView
from tests.factories import ALICE, NOW, TEAM_CHAT_ID, make_full_map

_customers = itertools.count(1000)  # every answer comes from a customer of its own


def local(tz: str, *args: int, fold: int = 0) -> datetime:
    """A wall-clock time in zone tz, as the aware UTC time an answer is stored with."""
    return datetime(*args, tzinfo=ZoneInfo(tz), fold=fold).astimezone(UTC)


def new_survey(uow, journey: MapView, kind: SurveyKind = SurveyKind.NPS) -> SurveyView:
    """A survey on the map's first touchpoint."""
    return surveys.create_survey(
        uow(),
        chat_id=journey.chat_id,
        touchpoint_id=journey.touchpoints[0].id,
        kind=kind,
        ask_why=False,
        actor=ALICE,
    )


def answer_at(uow, clock, survey: SurveyView, answers: Iterable[tuple[datetime, int]]) -> None:
    """Each (time, score) as a new customer's answer, given with the clock set to that time."""
    for at, score in answers:
        clock.current = at
        responses.answer(
            uow(), survey_id=survey.id, user_id=next(_customers), language_code="en", score=score
        )


def survey_in(tz: str, uow, clock, *stamps: datetime) -> SurveyResults:
    """The results of an NPS survey in a chat in zone tz, answered 9 at each time."""
    journey = make_full_map(uow, tz=tz)
    survey = new_survey(uow, journey)
    answer_at(uow, clock, survey, ((at, 9) for at in stamps))
    (found,) = results.survey_results(uow(), chat_id=journey.chat_id)
    return found


def weeks(found: SurveyResults) -> list[tuple[date, int]]:
    """Each week's start and number of answers."""
    return [(point.week_start, point.n) for point in found.weeks]


class TestWeeks:
    def test_berlin_spring_forward(self, uow, clock):
        """Europe/Berlin, 29 March 2026: weeks start at local Monday midnight on either side."""
        tz = "Europe/Berlin"
        found = survey_in(
            tz,
            uow,
            clock,
            local(tz, 2026, 3, 23, 0, 15),  # Sunday 23:15 UTC, Monday in Berlin
            local(tz, 2026, 3, 29, 1, 59),  # just before clocks jump to 03:00
            local(tz, 2026, 3, 29, 3, 0),
            local(tz, 2026, 3, 29, 23, 59),
            local(tz, 2026, 3, 30, 0, 30),  # still Sunday in UTC
        )
        assert weeks(found) == [(date(2026, 3, 23), 4), (date(2026, 3, 30), 1)]

    def test_new_york_fall_back(self, uow, clock):
        """America/New_York, 1 November 2026: both 01:30s and 23:30 belong to the week before."""
        tz = "America/New_York"
        found = survey_in(
            tz,
            uow,
            clock,
            local(tz, 2026, 10, 26, 0, 0),
            local(tz, 2026, 11, 1, 1, 30, fold=0),  # 01:30 EDT
            local(tz, 2026, 11, 1, 1, 30, fold=1),  # 01:30 EST, an hour later
            local(tz, 2026, 11, 1, 23, 30),  # Monday 04:30 UTC
            local(tz, 2026, 11, 2, 0, 0),
        )
        assert weeks(found) == [(date(2026, 10, 26), 4), (date(2026, 11, 2), 1)]

    def test_a_mid_week_change_does_not_shift_the_week(self, uow, clock):
        """Asia/Jerusalem moves its clocks on Friday 27 March 2026: the weeks stay Monday's."""
        tz = "Asia/Jerusalem"
        found = survey_in(
            tz,
            uow,
            clock,
            local(tz, 2026, 3, 23, 0, 0),
            local(tz, 2026, 3, 28, 0, 30),  # Saturday after the change: still that week
            local(tz, 2026, 3, 29, 23, 59, 59),
            local(tz, 2026, 3, 30, 0, 0),
        )
        assert weeks(found) == [(date(2026, 3, 23), 3), (date(2026, 3, 30), 1)]

    def test_an_answer_at_monday_midnight_opens_the_week(self, uow, clock):
        """Monday 00:00:00.000000 local is the new week; a microsecond earlier is the last one."""
        tz = "Europe/Berlin"
        monday = local(tz, 2026, 11, 16, 0, 0)
        found = survey_in(tz, uow, clock, monday - timedelta(microseconds=1), monday)
        assert weeks(found) == [(date(2026, 11, 9), 1), (date(2026, 11, 16), 1)]

    def test_a_monday_midnight_in_a_dst_gap(self, uow, clock):
        """Asia/Tehran skipped Monday 22 March 2021 00:00–01:00: that week starts at 01:00."""
        tz = "Asia/Tehran"
        one_am = datetime(2021, 3, 21, 20, 30, tzinfo=UTC)  # 01:00 +04:30, right after 23:59:59
        found = survey_in(tz, uow, clock, one_am - timedelta(microseconds=1), one_am)
        assert weeks(found) == [(date(2021, 3, 15), 1), (date(2021, 3, 22), 1)]

    def test_answers_two_years_apart(self, uow, clock):
        """Two answers 104 weeks apart: 105 weeks, silent ones with n = 0, every one a Monday."""
        tz = "America/Sao_Paulo"
        first = local(tz, 2024, 11, 27, 12, 0)  # a Wednesday
        found = survey_in(tz, uow, clock, first, first + timedelta(weeks=104))
        assert len(found.weeks) == 105
        assert found.weeks[0].week_start == date(2024, 11, 25)
        assert [point.week_start for point in found.weeks] == [
            date(2024, 11, 25) + timedelta(weeks=week) for week in range(105)
        ]
        assert [point.n for point in found.weeks] == [1] + [0] * 103 + [1]

    def test_surveys_far_apart_each_get_their_own_weeks(self, uow, clock):
        """Two surveys of one map, a year apart: each trend runs from its own first week."""
        journey = make_full_map(uow, tz="UTC")
        old, new = new_survey(uow, journey), new_survey(uow, journey, SurveyKind.CSAT)
        answer_at(uow, clock, old, [(datetime(2025, 1, 1, tzinfo=UTC), 9)] * 5)
        answer_at(uow, clock, new, [(datetime(2026, 1, 7, tzinfo=UTC), 4)] * 3)
        answer_at(uow, clock, new, [(datetime(2026, 1, 20, tzinfo=UTC), 1)] * 2)
        newest, oldest = results.survey_results(uow(), chat_id=journey.chat_id)
        assert weeks(oldest) == [(date(2024, 12, 30), 5)]
        assert oldest.weeks[0].score == 100.0
        assert weeks(newest) == [
            (date(2026, 1, 5), 3),
            (date(2026, 1, 12), 0),
            (date(2026, 1, 19), 2),
        ]
        assert newest.summary.n == 5
        assert newest.summary.breakdown == {"1": 2, "2": 0, "3": 0, "4": 3, "5": 0}


def test_a_survey_without_answers(uow):
    """No answers: n = 0, no score or interval, no weeks, no comments."""
    journey = make_full_map(uow)
    survey = new_survey(uow, journey, SurveyKind.CES)
    (found,) = results.survey_results(uow(), chat_id=journey.chat_id)
    assert found.survey.id == survey.id
    assert (found.summary.n, found.summary.score, found.summary.interval) == (0, None, None)
    assert found.summary.breakdown == {str(value): 0 for value in range(1, 8)}
    assert found.weeks == ()
    assert found.comments == ()
    assert (
        results.touchpoint_scores(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, tz=journey.tz)
        == {}
    )


def test_touchpoint_scores_count_like_the_results(uow, clock):
    """A touchpoint's score and n are its newest survey's; the arrow follows its last 2 weeks."""
    journey = make_full_map(uow, tz="UTC")
    older, newest = new_survey(uow, journey), new_survey(uow, journey)
    answer_at(uow, clock, older, [(NOW, 0)] * 5)
    answer_at(uow, clock, newest, [(datetime(2026, 11, 9, tzinfo=UTC), 6)] * 5)  # NPS −100
    answer_at(uow, clock, newest, [(datetime(2026, 11, 23, tzinfo=UTC), 10)] * 5)  # NPS +100
    (found, _) = results.survey_results(uow(), chat_id=journey.chat_id)
    scores = results.touchpoint_scores(uow(), chat_id=TEAM_CHAT_ID, map_id=journey.id, tz="UTC")
    assert list(scores) == [journey.touchpoints[0].id]
    score = scores[journey.touchpoints[0].id]
    assert (score.kind, score.value, score.n) == ("nps", found.summary.score, found.summary.n)
    assert (score.value, score.n, score.trend) == (0.0, 10, 1)  # −100 → (silent week) → +100


def wall_clock_counts(answers: list[tuple[datetime, int]], tz: str) -> pd.DataFrame:
    """Answers per local Monday and score, from the raw times: the former per-answer reading."""
    frame = pd.DataFrame(answers, columns=["answered_at", "score"])
    local_days = pd.DatetimeIndex(frame["answered_at"]).tz_convert(ZoneInfo(tz)).tz_localize(None)
    frame["monday"] = (local_days.normalize() - pd.to_timedelta(local_days.day_of_week, "D")).date
    return pd.crosstab(frame["monday"], frame["score"])


ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Jerusalem",  # changes on a Friday
    "Asia/Tehran",  # changed at Monday midnight in 2021
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # moves by half an hour
]


@pytest.fixture
def journey(uow) -> MapView:
    """One map for all examples of a property test; each example asks with a survey of its own."""
    return make_full_map(uow)


@given(
    tz=st.sampled_from(ZONES),
    answers=st.lists(
        st.tuples(
            # hypothesis takes naive bounds and attaches the zone itself
            st.datetimes(datetime(2024, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),  # noqa: DTZ001
            st.integers(0, 10),
        ),
        min_size=1,
        max_size=30,
    ),
)
@settings(
    max_examples=30,
    deadline=None,  # a few database round trips per answer
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # the map is shared on purpose
)
def test_database_counts_equal_counts_of_the_raw_answers(uow, clock, journey, answers, tz):
    """Counts per week and score from the database equal those pandas makes of the raw rows."""
    survey = new_survey(uow, journey)
    answer_at(uow, clock, survey, answers)
    with uow() as unit:
        tally = results._tallies(unit, [survey.id], tz)[survey.id]
    mondays = [tally.first_week + timedelta(weeks=week) for week in range(len(tally.counts))]
    counted = pd.DataFrame(tally.counts, index=mondays, columns=list(SCORE_VALUES))
    expected = wall_clock_counts(answers, tz)
    assert (mondays[0], mondays[-1]) == (expected.index.min(), expected.index.max())
    answered = counted.loc[counted.sum(axis=1) > 0, counted.sum(axis=0) > 0]  # as crosstab
    assert answered.index.tolist() == expected.index.tolist()
    assert answered.columns.tolist() == expected.columns.tolist()
    assert np.array_equal(answered.to_numpy(), expected.to_numpy())
