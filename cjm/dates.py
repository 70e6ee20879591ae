"""Reading due dates the way members type them, in the chat's language and time zone."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dateparser

from cjm.errors import DateInPast, InvalidDate


def parse_due_date(text: str, *, language: str, tz: str, now: datetime) -> date:
    """Turn "2026-12-01", "in 2 weeks", "next friday" or "через 2 недели" into a local date."""
    local_now = now.astimezone(ZoneInfo(tz))
    typed = _chinese(text.strip(), local_now.date()) if language == "zh" else text.strip()
    parsed = dateparser.parse(
        typed,
        languages=[language, "en"] if language != "en" else ["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "DATE_ORDER": {"en": "MDY", "zh": "YMD"}.get(language, "DMY"),
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if parsed is None:
        raise InvalidDate(text=text.strip()[:50])
    due = parsed.date()
    if due < local_now.date():
        raise DateInPast(date=due.isoformat())
    return due


# What dateparser does not read in Chinese: numerals in words (两周后), a weekday of next or this
# week (下周五 is Friday of next week: a Chinese week starts on Monday), a day without a year.
_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_COUNT = re.compile(r"([一二两三四五六七八九十]{1,3})(?=个?(?:天|日|周|星期|礼拜|月|年))")
_WEEKDAY = re.compile(r"^(下|本|这)个?(?:周|星期|礼拜)([一二三四五六日天])$")
_MONTH_DAY = re.compile(r"^(\d{1,2})月(\d{1,2})[日号]?$")


def _number(word: str) -> int:
    """一 … 九十九 as a number."""
    if "十" not in word:
        return _DIGITS.get(word, 0)
    tens, _, ones = word.partition("十")
    return _DIGITS.get(tens, 1) * 10 + _DIGITS.get(ones, 0)


def _chinese(text: str, today: date) -> str:
    """A Chinese date the way dateparser reads it, or as an ISO date where it cannot."""
    text = _COUNT.sub(lambda m: str(_number(m[1])), text)
    if weekday := _WEEKDAY.match(text):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weekday[1] == "下")
        return (
            monday + timedelta(days="一二三四五六日".index(weekday[2].replace("天", "日")))
        ).isoformat()
    if month_day := _MONTH_DAY.match(text):
        for year in (today.year, today.year + 1):
            try:
                day = date(year, int(month_day[1]), int(month_day[2]))
            except ValueError:
                return text
            if day >= today:
                return day.isoformat()
    return text
