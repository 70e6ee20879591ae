"""A chat's time zone: checked against the IANA database, with suggestions for near misses."""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

from sqlmodel import select

from cjm.db import UnitOfWork
from cjm.errors import UnknownTimezone
from cjm.models import JourneyMap, ReviewSchedule
from cjm.schedule import next_review_at
from cjm.services import chats
from cjm.services.reminders import spec_of
from cjm.views import ChatRef, ChatView

MAX_SUGGESTIONS = 3


@cache
def _zones() -> tuple[str, ...]:
    # "posix/…" and "right/…" duplicate every zone; "Etc/…" and bare names like "EST" confuse.
    zones = available_timezones()
    return tuple(sorted(z for z in zones if "/" in z and not z.startswith(("posix/", "right/"))))


@cache
def _by_city() -> dict[str, list[str]]:
    cities: dict[str, list[str]] = {}
    for zone in _zones():
        cities.setdefault(_city(zone), []).append(zone)
    return cities


def _city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ").casefold()


def suggest(text: str) -> list[str]:
    """Up to three zones close to what was typed ("berlin" → Europe/Berlin)."""
    wanted = text.strip().replace("_", " ").casefold()
    found = list(_by_city().get(wanted, []))
    found += difflib.get_close_matches(text.strip(), _zones(), n=MAX_SUGGESTIONS, cutoff=0.5)
    for city in difflib.get_close_matches(_city(wanted), list(_by_city()), n=3, cutoff=0.6):
        found += _by_city()[city]
    return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]


# "UTC+3", "GMT+8", "+03:00", "utc-5", "UTC+5:30", "UTC −3": an offset east (+) or west (−) of UTC.
_OFFSET = re.compile(
    r"^(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?:\s*[:.h]?\s*(\d{2}))?$", re.IGNORECASE
)
_MOST_EAST, _MOST_WEST = timedelta(hours=14), timedelta(hours=-12)


def parse_offset(text: str) -> timedelta | None:
    """An offset from UTC the way people write it (UTC+3 is three hours ahead), or None."""
    match = _OFFSET.match(text.strip())
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    if int(minutes or 0) >= 60:
        return None
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return -offset if sign in "-−" else offset


@cache
def _canonical_zones() -> tuple[str, ...]:
    # zone1970.tab lists each real zone once (Asia/Kolkata, not its alias Asia/Calcutta).
    table = resources.files("tzdata").joinpath("zoneinfo", "zone1970.tab").read_text("utf-8")
    rows = (line.split("\t") for line in table.splitlines() if line and not line.startswith("#"))
    return tuple(sorted(row[2].strip() for row in rows if len(row) > 2))


def zones_with_offset(offset: timedelta, now: datetime) -> list[str]:
    """Real zones whose clocks are `offset` from UTC at `now` (DST included)."""
    return [z for z in _canonical_zones() if now.astimezone(ZoneInfo(z)).utcoffset() == offset]


def _offset_zone(text: str, offset: timedelta, now: datetime) -> str:
    """A whole-hour offset is a fixed Etc zone, its sign reversed as POSIX has it (Etc/GMT-3)."""
    hours, rest = divmod(offset, timedelta(hours=1))
    if not rest and _MOST_WEST <= offset <= _MOST_EAST:
        return "Etc/UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
    suggestions = zones_with_offset(offset, now)[:MAX_SUGGESTIONS]
    raise UnknownTimezone(text=text[:64], suggestions=", ".join(suggestions))


def resolve_zone(text: str, now: datetime | None = None) -> str:
    """The IANA name for `text` (any letter case, or an offset like UTC+3), or UnknownTimezone.

    An offset with minutes (UTC+5:30) has no fixed zone: the suggestions are the real zones
    with that offset at `now`.
    """
    wanted = text.strip()
    offset = parse_offset(wanted)
    if offset is not None:
        return _offset_zone(wanted, offset, now or datetime.now(UTC))
    exact = {zone.casefold(): zone for zone in _zones()}
    zone = exact.get(wanted.casefold())
    if zone is None and wanted in available_timezones():
        zone = wanted  # "UTC" and the like
    if zone is None:
        raise UnknownTimezone(text=wanted[:64], suggestions=", ".join(suggest(wanted)))
    ZoneInfo(zone)  # the name came from the database, so it loads
    return zone


def set_timezone(
    uow: UnitOfWork, chat: ChatRef, *, text: str, default_language: str, default_tz: str
) -> ChatView:
    """Set the chat's zone; reviews keep their local time, so their next run moves with it."""
    with uow:
        tz = resolve_zone(text, uow.clock.now())
        row = chats.ensure(uow, chat, default_language=default_language, default_tz=default_tz)
        row.tz = tz
        schedules = uow.session.exec(
            select(ReviewSchedule)
            .join(JourneyMap)
            .where(JourneyMap.chat_id == chat.id, ReviewSchedule.paused == False)  # noqa: E712
        ).all()
        now = uow.clock.now()
        for schedule in schedules:
            schedule.next_at = next_review_at(spec_of(schedule, tz), tz, now)
        view = ChatView(row.id, row.title, row.language, row.tz, row.current_map_id)
        uow.commit()
    return view
