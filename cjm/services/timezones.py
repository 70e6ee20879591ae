"""A chat's time zone: checked against the IANA database, with suggestions for near misses."""

from __future__ import annotations

import difflib
from functools import cache
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


def resolve_zone(text: str) -> str:
    """The IANA name for `text` (any letter case), or UnknownTimezone with suggestions."""
    wanted = text.strip()
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
    tz = resolve_zone(text)
    with uow:
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
