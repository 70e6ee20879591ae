"""Reading due dates the way members type them, in the chat's language and time zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dateparser

from cjm.errors import DateInPast, InvalidDate


def parse_due_date(text: str, *, language: str, tz: str, now: datetime) -> date:
    """Turn "2026-12-01", "in 2 weeks", "next friday" or "через 2 недели" into a local date."""
    local_now = now.astimezone(ZoneInfo(tz))
    parsed = dateparser.parse(
        text.strip(),
        languages=[language, "en"] if language != "en" else ["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "DATE_ORDER": "DMY" if language != "en" else "MDY",
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
