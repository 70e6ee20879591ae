"""Review settings: cadence, weekdays, time of day, pause, skip, snooze, and who reviewed.

What falls due when lives in `cjm.services.reminders`.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import func, select

from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.errors import ReviewNeedsADay, StaleButton
from cjm.models import Cadence, Chat, JourneyMap, Review, ReviewSchedule
from cjm.schedule import next_review_at, parse_local_time
from cjm.services import maps
from cjm.services.reminders import DEFAULT_REMINDER_TIME, minute_of, schedule_of, spec_of
from cjm.views import Actor, ReviewCard

SNOOZE = timedelta(days=1)


def _card(uow: OpenUnitOfWork, journey: JourneyMap, *, passed_today: bool = False) -> ReviewCard:
    tz = uow.get(Chat, journey.chat_id).tz
    row = schedule_of(uow, journey.id)
    return ReviewCard(
        map_id=journey.id or 0,
        map_title=journey.title,
        tz=tz,
        exists=row is not None,
        cadence=row.cadence if row else None,
        weekdays=row.weekdays if row else 0,
        anchor_weekday=row.anchor_weekday if row else 0,
        anchor_day=row.anchor_day if row else 1,
        local_time=row.local_time if row else DEFAULT_REMINDER_TIME.strftime("%H:%M"),
        paused=row.paused if row else False,
        pause_reason=row.pause_reason if row else None,
        next_at=row.next_at if row else None,
        passed_today=passed_today,
    )


def _replan(
    uow: OpenUnitOfWork, row: ReviewSchedule, tz: str, *, keep_rhythm: bool = True
) -> bool:
    """Compute next_at from now; True when today's run time has already passed."""
    now = uow.clock.now()
    if not keep_rhythm:
        row.next_at = None
    spec = spec_of(row, tz)
    row.next_at = next_review_at(spec, tz, now)
    zone = ZoneInfo(tz)
    start_of_today = datetime.combine(now.astimezone(zone).date(), time(0), zone)
    return next_review_at(spec, tz, start_of_today - timedelta(microseconds=1)) <= now


def get_review_card(uow: UnitOfWork, *, chat_id: int) -> ReviewCard:
    """The review card of the chat's current map."""
    with uow:
        return _card(uow, uow.get(JourneyMap, maps.current_map_id(uow, chat_id)))


def set_cadence(
    uow: UnitOfWork, *, chat_id: int, map_id: int, cadence: Cadence, actor: Actor
) -> ReviewCard:
    """Review the map weekly, every 2 weeks, monthly or on chosen weekdays (from today)."""
    with uow:
        journey = maps.own_map(uow, chat_id, map_id)
        tz = uow.get(Chat, chat_id).tz
        today = uow.clock.now().astimezone(ZoneInfo(tz)).date()
        row = schedule_of(uow, map_id) or ReviewSchedule(map_id=map_id)
        if row.id is None or row.cadence != cadence:
            row.anchor_weekday, row.anchor_day = today.weekday(), today.day
            row.weekdays = row.weekdays or 1 << today.weekday()
        row.cadence = cadence
        passed = _replan(uow, row, tz, keep_rhythm=False)
        uow.session.add(row)
        uow.record(actor, map_id, "review.cadence_set", map_id, cadence.value)
        uow.session.flush()
        card = _card(uow, journey, passed_today=passed)
        uow.commit()
    return card


def set_weekday(
    uow: UnitOfWork, *, chat_id: int, map_id: int, weekday: int, actor: Actor
) -> ReviewCard:
    """Tick or untick a weekday (chosen weekdays), or move a weekly review to that day."""
    if not 0 <= weekday <= 6:
        raise StaleButton
    with uow:
        journey = maps.own_map(uow, chat_id, map_id)
        row = schedule_of(uow, map_id)
        if row is None or row.cadence is Cadence.MONTHLY:
            raise StaleButton
        if row.cadence is Cadence.WEEKDAYS:
            days = row.weekdays ^ (1 << weekday)
            if days == 0:
                raise ReviewNeedsADay
            row.weekdays = days
        else:
            row.anchor_weekday = weekday
        passed = _replan(uow, row, uow.get(Chat, chat_id).tz, keep_rhythm=False)
        uow.record(actor, map_id, "review.days_set", map_id, f"{row.weekdays:07b}")
        card = _card(uow, journey, passed_today=passed)
        uow.commit()
    return card


def set_review_time(
    uow: UnitOfWork, *, chat_id: int, map_id: int, text: str, actor: Actor
) -> ReviewCard:
    """Set the local time of day ("9:30"); a time already past today means the next run."""
    at = parse_local_time(text)
    with uow:
        journey = maps.own_map(uow, chat_id, map_id)
        row = schedule_of(uow, map_id) or ReviewSchedule(map_id=map_id)
        row.local_time = at.strftime("%H:%M")
        passed = _replan(uow, row, uow.get(Chat, chat_id).tz)
        uow.session.add(row)
        uow.record(actor, map_id, "review.time_set", map_id, row.local_time)
        uow.session.flush()
        card = _card(uow, journey, passed_today=passed)
        uow.commit()
    return card


def set_paused(
    uow: UnitOfWork, *, chat_id: int, map_id: int, paused: bool, actor: Actor
) -> ReviewCard:
    """Pause reviews, or resume them from now on."""
    with uow:
        journey = maps.own_map(uow, chat_id, map_id)
        row = schedule_of(uow, map_id)
        if row is None:
            raise StaleButton
        if row.paused != paused:
            row.paused, row.pause_reason = paused, None
            if not paused:
                _replan(uow, row, uow.get(Chat, chat_id).tz)
            uow.record(actor, map_id, "review.paused" if paused else "review.resumed", map_id, "")
        card = _card(uow, journey)
        uow.commit()
    return card


def skip_next(
    uow: UnitOfWork, *, chat_id: int, map_id: int, next_minute: int, actor: Actor
) -> ReviewCard:
    """Skip the next review; the button names it, so pressing twice skips once."""
    with uow:
        journey = maps.own_map(uow, chat_id, map_id)
        row = schedule_of(uow, map_id)
        if row is None or row.next_at is None or row.paused:
            raise StaleButton
        if minute_of(row.next_at) == next_minute:
            tz = uow.get(Chat, chat_id).tz
            row.next_at = next_review_at(spec_of(row, tz), tz, row.next_at)
            uow.record(actor, map_id, "review.skipped", map_id, "")
        card = _card(uow, journey)
        uow.commit()
    return card


def log_review(
    uow: UnitOfWork, *, chat_id: int, map_id: int, message_id: int, actor: Actor
) -> int:
    """Record that a member reviewed a digest (once per member); return how many did."""
    with uow:
        maps.own_map(uow, chat_id, map_id)
        # The digest is this chat's message: counted with the map, never another chat's
        # message that happens to have the same id.
        this_digest = (Review.map_id == map_id, Review.digest_message_id == message_id)
        mine = uow.session.exec(
            select(Review).where(*this_digest, Review.reviewer_id == actor.user_id)
        ).first()
        if mine is None:
            uow.session.add(
                Review(
                    map_id=map_id,
                    digest_message_id=message_id,
                    reviewer_id=actor.user_id,
                    reviewer_name=actor.name[:128],
                    reviewed_at=uow.clock.now(),
                )
            )
            uow.record(actor, map_id, "review.done", map_id, "")
            uow.session.flush()
        count = uow.session.exec(
            select(func.count()).select_from(Review).where(*this_digest)
        ).one()
        uow.commit()
    return count


def snooze(
    uow: UnitOfWork, *, chat_id: int, map_id: int, digest_minute: int, actor: Actor
) -> datetime:
    """Post the digest again a day after it was sent; pressing twice moves it once.

    The minute must be the map's latest digest's (the button names it): any other minute, from
    an older digest or a forged payload, is a StaleButton and moves nothing.
    """
    with uow:
        maps.own_map(uow, chat_id, map_id)
        row = schedule_of(uow, map_id)
        if row is None or row.last_digest_at is None:
            raise StaleButton
        if minute_of(row.last_digest_at) != digest_minute:
            raise StaleButton
        until = datetime.fromtimestamp(digest_minute * 60, UTC) + SNOOZE
        if row.snoozed_until != until:
            row.snoozed_until = until
            row.next_at = until if row.next_at is None else min(row.next_at, until)
            uow.record(actor, map_id, "review.snoozed", map_id, "")
        uow.commit()
    return until
