"""next_review_at: the next review on the chat's wall clock, across DST changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cjm.errors import InvalidTime
from cjm.models import Cadence
from cjm.schedule import ScheduleSpec, next_review_at, parse_local_time

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(at: datetime, tz: str) -> datetime:
    return at.astimezone(ZoneInfo(tz))


def weekly(weekday: int, at: time = time(9, 0)) -> ScheduleSpec:
    return ScheduleSpec(Cadence.WEEKLY, at, anchor_weekday=weekday)


class TestDaylightSaving:
    @pytest.mark.parametrize(
        ("tz", "before", "after"),
        [
            (BERLIN, utc(2026, 3, 22, 8, 0), utc(2026, 3, 29, 7, 0)),  # CET → CEST
            (BERLIN, utc(2026, 10, 18, 7, 0), utc(2026, 10, 25, 8, 0)),  # CEST → CET
            (NEW_YORK, utc(2026, 3, 1, 14, 0), utc(2026, 3, 8, 13, 0)),  # EST → EDT
            (NEW_YORK, utc(2026, 10, 25, 13, 0), utc(2026, 11, 1, 14, 0)),  # EDT → EST
        ],
        ids=["berlin spring", "berlin autumn", "new york spring", "new york autumn"],
    )
    def test_nine_local_stays_nine_across_the_switch(
        self, tz: str, before: datetime, after: datetime
    ) -> None:
        """A Sunday 09:00 review is at 09:00 local on both sides of the change."""
        spec = weekly(6)
        assert next_review_at(spec, tz, before - timedelta(minutes=1)) == before
        assert next_review_at(spec, tz, before) == after
        assert local(after, tz).time() == time(9, 0)

    def test_a_time_in_the_spring_gap_moves_to_the_first_valid_minute(self) -> None:
        """02:30 does not exist in Berlin on 2026-03-29: the review is at 03:00 CEST."""
        spec = weekly(6, time(2, 30))
        got = next_review_at(spec, BERLIN, utc(2026, 3, 28, 12, 0))
        assert got == utc(2026, 3, 29, 1, 0)
        assert local(got, BERLIN).time() == time(3, 0)

    def test_a_time_in_the_new_york_gap_moves_forward(self) -> None:
        """02:15 does not exist in New York on 2026-03-08: the review is at 03:00 EDT."""
        got = next_review_at(weekly(6, time(2, 15)), NEW_YORK, utc(2026, 3, 7, 12, 0))
        assert got == datetime(2026, 3, 8, 3, 0, tzinfo=ZoneInfo(NEW_YORK))

    @pytest.mark.parametrize(
        ("tz", "day", "first"),
        [
            (BERLIN, date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),
            (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),
        ],
        ids=["berlin", "new york"],
    )
    def test_an_ambiguous_time_takes_its_first_occurrence(
        self, tz: str, day: date, first: datetime
    ) -> None:
        """02:30 (Berlin) / 01:30 (New York) happens twice: the first one (fold=0) counts."""
        at = time(2, 30) if tz == BERLIN else time(1, 30)
        got = next_review_at(
            weekly(6, at), tz, datetime.combine(day, time(0), UTC) - timedelta(hours=12)
        )
        assert got == first


class TestCadences:
    def test_every_two_weeks_keeps_its_rhythm(self) -> None:
        """Biweekly with an anchor week skips the week in between."""
        spec = ScheduleSpec(
            Cadence.BIWEEKLY, time(9, 0), anchor_weekday=0, anchor_on=date(2026, 11, 30)
        )
        first = next_review_at(spec, BERLIN, utc(2026, 11, 26, 9, 0))
        assert first == utc(2026, 11, 30, 8, 0)
        assert next_review_at(spec, BERLIN, first) == utc(2026, 12, 14, 8, 0)

    def test_monthly_clamps_the_day_to_the_month(self) -> None:
        """Day 31 is the 28th in February and the 30th in April."""
        spec = ScheduleSpec(Cadence.MONTHLY, time(9, 0), anchor_day=31)
        feb = next_review_at(spec, BERLIN, utc(2027, 2, 1))
        assert local(feb, BERLIN).date() == date(2027, 2, 28)
        apr = next_review_at(spec, BERLIN, utc(2027, 4, 1))
        assert local(apr, BERLIN).date() == date(2027, 4, 30)

    def test_chosen_weekdays(self) -> None:
        """Mon + Thu: from a Thursday after 09:00 the next is Monday, then Thursday."""
        spec = ScheduleSpec(Cadence.WEEKDAYS, time(9, 0), weekdays=0b0001001)
        monday = next_review_at(spec, BERLIN, utc(2026, 11, 26, 9, 0))
        assert local(monday, BERLIN).date() == date(2026, 11, 30)
        thursday = next_review_at(spec, BERLIN, monday)
        assert local(thursday, BERLIN).date() == date(2026, 12, 3)

    def test_no_weekday_is_impossible(self) -> None:
        """A weekday cadence without a day cannot be built."""
        with pytest.raises(ValueError, match="at least one day"):
            ScheduleSpec(Cadence.WEEKDAYS, time(9, 0), weekdays=0)

    def test_naive_after_is_refused(self) -> None:
        """Times are aware UTC in and out."""
        with pytest.raises(ValueError, match="aware"):
            next_review_at(weekly(0), BERLIN, datetime(2026, 1, 1))  # noqa: DTZ001


class TestParseTime:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("9:30", time(9, 30)),
            ("09:05", time(9, 5)),
            (" 17.00 ", time(17, 0)),
            ("0:00", time(0)),
        ],
    )
    def test_good(self, text: str, expected: time) -> None:
        """Hours and minutes, with a colon or a dot."""
        assert parse_local_time(text) == expected

    @pytest.mark.parametrize("text", ["25:00", "9", "12:60", "noon", "", "9:3"])
    def test_bad(self, text: str) -> None:
        """Out of range or without minutes: InvalidTime."""
        with pytest.raises(InvalidTime):
            parse_local_time(text)


ZONES = st.sampled_from([BERLIN, NEW_YORK, "Australia/Lord_Howe", "Asia/Kolkata", "UTC"])
SPECS = st.builds(
    ScheduleSpec,
    cadence=st.sampled_from(list(Cadence)),
    local_time=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    anchor_weekday=st.integers(0, 6),
    anchor_day=st.integers(1, 31),
    weekdays=st.integers(1, 127),
    anchor_on=st.none() | st.dates(date(2025, 1, 1), date(2028, 1, 1)),
)
# hypothesis takes naive bounds and attaches the zone itself.
AFTER = st.datetimes(
    datetime(2025, 1, 1),  # noqa: DTZ001
    datetime(2028, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(spec=SPECS, tz=ZONES, after=AFTER)
def test_the_next_review_is_the_first_valid_one_after(
    spec: ScheduleSpec, tz: str, after: datetime
) -> None:
    """Strictly later, UTC, on a cadence day, at the local time (or just after a gap)."""
    got = next_review_at(spec, tz, after)
    assert got > after
    assert got.tzinfo is UTC
    wall = local(got, tz)
    assert spec.runs_on(wall.date()) or wall.time() < time(4)  # a gap may push past midnight
    wanted = datetime.combine(wall.date(), spec.local_time)
    assert timedelta(0) <= wall.replace(tzinfo=None) - wanted <= timedelta(hours=1) or (
        wall.time() < spec.local_time
    )
    assert got - after <= timedelta(days=63)
    # Nothing is skipped: asking again from just before the answer gives the answer.
    assert next_review_at(spec, tz, got - timedelta(seconds=1)) == got
