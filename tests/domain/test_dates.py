"""Reading due dates the way members type them, in the chat's language and time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cjm.dates import parse_due_date
from cjm.errors import DateInPast, InvalidDate

THURSDAY_MORNING = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
THURSDAY_NIGHT = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)


def parse(text, *, language="en", tz="Europe/Berlin", now=THURSDAY_MORNING):
    return parse_due_date(text, language=language, tz=tz, now=now)


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("  2026-12-01  ", date(2026, 12, 1)),
        ("in 2 weeks", date(2026, 12, 10)),
        ("in 3 days", date(2026, 11, 29)),
        ("next friday", date(2026, 11, 27)),
        ("friday", date(2026, 11, 27)),
        ("tomorrow", date(2026, 11, 27)),
        ("today", date(2026, 11, 26)),
        ("December 1", date(2026, 12, 1)),
        ("12/01/2026", date(2026, 12, 1)),
    ],
)
def test_reads_english(text, due):
    """English dates, absolute or relative, are read from the chat's today (Thu 2026-11-26)."""
    assert parse(text) == due


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("через 2 недели", date(2026, 12, 10)),
        ("завтра", date(2026, 11, 27)),
        ("в пятницу", date(2026, 11, 27)),
        ("1 декабря", date(2026, 12, 1)),
        ("01.12.2026", date(2026, 12, 1)),
        ("01/12/2026", date(2026, 12, 1)),
        ("in 2 weeks", date(2026, 12, 10)),
    ],
)
def test_reads_russian_day_first_and_english_too(text, due):
    """In a Russian chat dates are read in Russian, day before month; English still works."""
    assert parse(text, language="ru") == due


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026年12月1日", date(2026, 12, 1)),
        ("12月1日", date(2026, 12, 1)),
        ("12月1号", date(2026, 12, 1)),
        ("1月5日", date(2027, 1, 5)),  # no year: the next one
        ("明天", date(2026, 11, 27)),
        ("后天", date(2026, 11, 28)),
        ("2周后", date(2026, 12, 10)),
        ("两周后", date(2026, 12, 10)),
        ("三天后", date(2026, 11, 29)),
        ("十天后", date(2026, 12, 6)),
        ("周五", date(2026, 11, 27)),
        ("本周五", date(2026, 11, 27)),
        ("这周日", date(2026, 11, 29)),
        ("下周五", date(2026, 12, 4)),  # Friday of next week, not tomorrow
        ("下星期一", date(2026, 11, 30)),
        ("下礼拜天", date(2026, 12, 6)),
        ("2026/12/01", date(2026, 12, 1)),  # year, month, day
        ("next friday", date(2026, 11, 27)),
    ],
)
def test_reads_chinese_and_english_too(text, due):
    """In a Chinese chat dates are read in Chinese (from Thu 2026-11-26), English still works."""
    assert parse(text, language="zh", tz="Asia/Shanghai") == due


@pytest.mark.parametrize("text", ["2月30日", "下周八", "很快"])
def test_chinese_gibberish_is_refused(text):
    """A Chinese text that is no date raises InvalidDate quoting it."""
    with pytest.raises(InvalidDate) as raised:
        parse(text, language="zh")

    assert raised.value.params == {"text": text}


def test_english_reads_month_first():
    """In an English chat 01/12/2026 is January 12th, which is past."""
    with pytest.raises(DateInPast) as raised:
        parse("01/12/2026")

    assert raised.value.params == {"date": "2026-01-12"}


def test_returns_a_plain_date():
    """The due date is a date, not a datetime."""
    assert type(parse("in 2 weeks")) is date


@pytest.mark.parametrize(
    ("tz", "today"),
    [
        ("Europe/Berlin", date(2026, 11, 27)),
        ("Asia/Tokyo", date(2026, 11, 27)),
        ("UTC", date(2026, 11, 26)),
        ("America/New_York", date(2026, 11, 26)),
    ],
)
def test_today_is_the_chats_today(tz, today):
    """ "Today" is the date in the chat's zone: 23:30 UTC is already Friday in Berlin."""
    assert parse("today", tz=tz, now=THURSDAY_NIGHT) == today


def test_relative_dates_count_from_the_chats_today():
    """ "Tomorrow" counts from the chat's date, not from UTC's."""
    assert parse("tomorrow", tz="Europe/Berlin", now=THURSDAY_NIGHT) == date(2026, 11, 28)
    assert parse("tomorrow", tz="UTC", now=THURSDAY_NIGHT) == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "past"),
    [
        ("yesterday", "2026-11-25"),
        ("2026-11-25", "2026-11-25"),
        ("2020-01-01", "2020-01-01"),
        ("last week", "2026-11-19"),
    ],
)
def test_past_dates_are_refused(text, past):
    """A date before the chat's today raises DateInPast with the ISO date."""
    with pytest.raises(DateInPast) as raised:
        parse(text)

    assert raised.value.params == {"date": past}


def test_yesterday_in_utc_can_be_today_in_the_chat():
    """The 25th is past in Berlin at 09:00 UTC, but still today in Honolulu."""
    assert parse("2026-11-25", tz="Pacific/Honolulu") == date(2026, 11, 25)
    with pytest.raises(DateInPast):
        parse("2026-11-25", tz="Europe/Berlin")


@pytest.mark.parametrize("text", ["blah blah", "asdfgh", "???", "soon", "never", "когда-нибудь"])
def test_gibberish_is_refused(text):
    """Text that is no date raises InvalidDate quoting it."""
    with pytest.raises(InvalidDate) as raised:
        parse(text, language="en" if text.isascii() else "ru")

    assert raised.value.params == {"text": text}


def test_invalid_date_quotes_at_most_fifty_characters():
    """InvalidDate quotes the stripped text, cut to 50 characters."""
    text = "  " + "nonsense " * 10

    with pytest.raises(InvalidDate) as raised:
        parse(text)

    assert raised.value.params == {"text": text.strip()[:50]}
