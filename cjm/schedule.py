"""When the next review is: pure date arithmetic on the chat's wall clock, safe across DST.

A review "at 09:00" means 09:00 on the chat's wall clock, whatever the UTC offset is that day:
the local time is built with zoneinfo and converted to UTC. A time that does not exist (the
spring gap) moves forward to the first valid minute; an ambiguous one (the autumn overlap)
takes its first occurrence (fold=0).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cjm.errors import InvalidTime
from cjm.models import Cadence

ALL_WEEKDAYS = 0b1111111  # bit 0 = Monday … bit 6 = Sunday
_SEARCH_DAYS = 70  # every cadence has an occurrence within 62 days
_GAP_MINUTES = 24 * 60  # no DST gap is longer than a day
_TIME = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


@dataclass(frozen=True)
class ScheduleSpec:
    """A review cadence at a local time of day; valid by construction (never zero days).

    anchor_on (biweekly only) is a local date in a week with a review, so runs keep their
    fortnightly rhythm; without it the first matching weekday counts.
    """

    cadence: Cadence
    local_time: time
    anchor_weekday: int = 0
    anchor_day: int = 1
    weekdays: int = 0
    anchor_on: date | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.anchor_weekday <= 6:
            raise ValueError(f"anchor_weekday out of range: {self.anchor_weekday}")
        if not 1 <= self.anchor_day <= 31:
            raise ValueError(f"anchor_day out of range: {self.anchor_day}")
        if self.cadence is Cadence.WEEKDAYS and not 0 < self.weekdays <= ALL_WEEKDAYS:
            raise ValueError(f"weekdays needs at least one day: {self.weekdays:#b}")

    def runs_on(self, day: date) -> bool:
        """Whether the cadence has a review on this local date."""
        if self.cadence is Cadence.WEEKDAYS:
            return bool(self.weekdays >> day.weekday() & 1)
        if self.cadence is Cadence.MONTHLY:
            return day.day == min(self.anchor_day, monthrange(day.year, day.month)[1])
        if day.weekday() != self.anchor_weekday:
            return False
        if self.cadence is Cadence.BIWEEKLY and self.anchor_on is not None:
            return _same_parity(day, self.anchor_on)
        return True


def _same_parity(day: date, anchor: date) -> bool:
    """Whether two dates lie an even number of Monday-based weeks apart."""
    monday = day - timedelta(days=day.weekday())
    anchor_monday = anchor - timedelta(days=anchor.weekday())
    return (monday - anchor_monday).days // 7 % 2 == 0


def parse_local_time(text: str) -> time:
    """Read "9:30", "09:30" or "21.05" as a time of day; "9" or "25:00" is InvalidTime."""
    match = _TIME.match(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidTime(text=text.strip()[:20])
    return time(int(match[1]), int(match[2]))


def local_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant the chat's wall clock shows `at` on `day` (gap → first valid minute)."""
    wall = datetime.combine(day, at)
    for minutes in range(_GAP_MINUTES):
        candidate = wall + timedelta(minutes=minutes)
        instant = candidate.replace(tzinfo=zone).astimezone(UTC)  # fold=0: first of two
        if instant.astimezone(zone).replace(tzinfo=None) == candidate:
            return instant
    raise ValueError(f"no valid local time near {wall} in {zone}")  # pragma: no cover


def next_review_at(schedule: ScheduleSpec, tz: str, after: datetime) -> datetime:
    """The first review strictly after `after` (aware), as an aware UTC datetime."""
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    zone = ZoneInfo(tz)
    start = after.astimezone(zone).date() - timedelta(days=1)  # a gap may push into tomorrow
    for offset in range(_SEARCH_DAYS):
        day = start + timedelta(days=offset)
        if schedule.runs_on(day):
            candidate = local_at(day, schedule.local_time, zone)
            if candidate > after:
                return candidate
    raise ValueError(f"no review within {_SEARCH_DAYS} days: {schedule}")  # pragma: no cover
