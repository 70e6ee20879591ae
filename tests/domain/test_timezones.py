"""Offsets are read the way people mean them: UTC+3 is three hours ahead of UTC."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cjm.errors import UnknownTimezone
from cjm.services import timezones

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "zone", "hours"),
    [
        ("UTC+3", "Etc/GMT-3", 3),
        ("utc+3", "Etc/GMT-3", 3),
        ("GMT+8", "Etc/GMT-8", 8),
        ("+03:00", "Etc/GMT-3", 3),
        ("UTC-5", "Etc/GMT+5", -5),
        ("UTC −5", "Etc/GMT+5", -5),
        ("UTC+0", "Etc/UTC", 0),
        ("UTC+14", "Etc/GMT-14", 14),
        ("UTC-12", "Etc/GMT+12", -12),
    ],
)
def test_a_whole_hour_offset_is_that_far_from_utc(text: str, zone: str, hours: int) -> None:
    """The Etc zone's POSIX name has the sign reversed; its clock is what was typed."""
    resolved = timezones.resolve_zone(text, NOW)
    assert resolved == zone
    assert NOW.astimezone(ZoneInfo(resolved)).utcoffset() == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("UTC+5:30", ["Asia/Colombo", "Asia/Kolkata"]),
        ("GMT+5:45", ["Asia/Kathmandu"]),
        ("UTC-3:30", ["America/St_Johns"]),
    ],
)
def test_an_offset_with_minutes_suggests_real_zones_with_it_now(
    text: str, suggested: list[str]
) -> None:
    """No Etc zone has minutes: the suggestions are real zones at that offset today."""
    with pytest.raises(UnknownTimezone) as error:
        timezones.resolve_zone(text, NOW)
    assert str(error.value.params["suggestions"]).split(", ") == suggested


def test_the_suggestions_follow_daylight_saving() -> None:
    """UTC+10:30 is Adelaide in the southern summer, nobody's in its winter except Lord Howe."""
    summer = datetime(2026, 12, 7, tzinfo=UTC)
    winter = datetime(2026, 7, 7, tzinfo=UTC)
    assert "Australia/Adelaide" in timezones.zones_with_offset(timedelta(hours=10.5), summer)
    assert "Australia/Adelaide" not in timezones.zones_with_offset(timedelta(hours=10.5), winter)


@pytest.mark.parametrize("text", ["UTC+15", "UTC-13", "UTC+3:75"])
def test_an_offset_no_clock_has_is_refused(text: str) -> None:
    """Beyond −12…+14 hours (or 75 minutes) there is nothing to suggest."""
    with pytest.raises(UnknownTimezone) as error:
        timezones.resolve_zone(text, NOW)
    assert error.value.params["suggestions"] == ""


@pytest.mark.parametrize(
    ("text", "offset"),
    [("UTC+3", 180), ("+0300", 180), ("gmt-4", -240), ("UTC+5.30", 330), ("Europe/Berlin", None)],
)
def test_parse_offset(text: str, offset: int | None) -> None:
    """The offset in minutes east of UTC, or None for a zone name."""
    parsed = timezones.parse_offset(text)
    assert (None if parsed is None else parsed // timedelta(minutes=1)) == offset
