"""What is due when: review digests and fix due-date reminders, claimed and scheduled as jobs.

Every reminder is a database row; `bot/jobs.py` only puts the slots into the job queue.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, func, or_, select

from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.models import Chat, Fix, FixStatus, JourneyMap, PainPoint, Review, ReviewSchedule
from cjm.schedule import ScheduleSpec, local_at, next_review_at, parse_local_time
from cjm.services.digests import build_digest
from cjm.views import DueWork, FixReminder, JobSlot

DEFAULT_REMINDER_TIME = time(9, 0)
UNREACHABLE = "chat_unreachable"  # pause_reason when Telegram says the chat is gone


def review_job_name(map_id: int) -> str:
    """The job queue name of a map's review."""
    return f"review:{map_id}"


def fix_job_name(fix_id: int) -> str:
    """The job queue name of a fix's due-date reminders."""
    return f"fix:{fix_id}"


def minute_of(moment: datetime) -> int:
    """Minutes since the epoch: how buttons name a digest or a next run in ≤ 64 bytes."""
    return int(moment.timestamp()) // 60


def spec_of(row: ReviewSchedule, tz: str) -> ScheduleSpec:
    """The pure schedule of a stored row (biweekly keeps the rhythm of its last run)."""
    anchor = row.last_digest_at or row.next_at
    return ScheduleSpec(
        cadence=row.cadence,
        local_time=parse_local_time(row.local_time),
        anchor_weekday=row.anchor_weekday,
        anchor_day=row.anchor_day,
        weekdays=row.weekdays,
        anchor_on=anchor.astimezone(ZoneInfo(tz)).date() if anchor else None,
    )


def schedule_of(uow: OpenUnitOfWork, map_id: int | None) -> ReviewSchedule | None:
    """The map's review schedule, if it has one."""
    return uow.session.exec(select(ReviewSchedule).where(ReviewSchedule.map_id == map_id)).first()


def pause_unreachable(uow: UnitOfWork, *, map_id: int, reason: str = UNREACHABLE) -> None:
    """Telegram refused to post to the chat: pause its reviews, keep everything else."""
    with uow:
        row = schedule_of(uow, map_id)
        if row is not None:
            row.paused, row.pause_reason = True, reason
            uow.commit()


def _fix_times(due_on: date, tz: str, at: time) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    return (
        local_at(due_on - timedelta(days=1), at, zone),
        local_at(due_on + timedelta(days=1), at, zone),
    )


def _pending_fixes(uow: OpenUnitOfWork) -> list[tuple[Fix, int, Chat, ReviewSchedule | None]]:
    query = (
        select(Fix, PainPoint.map_id, Chat, ReviewSchedule)
        .join(PainPoint, col(PainPoint.id) == col(Fix.pain_point_id))
        .join(JourneyMap, col(JourneyMap.id) == col(PainPoint.map_id))
        .join(Chat, col(Chat.id) == col(JourneyMap.chat_id))
        .join(ReviewSchedule, col(ReviewSchedule.map_id) == col(JourneyMap.id), isouter=True)
        .where(
            col(Fix.due_on).is_not(None),
            Fix.status != FixStatus.DONE,
            or_(
                col(Fix.reminded_overdue_for).is_(None),
                col(Fix.reminded_overdue_for) != col(Fix.due_on),
            ),
        )
    )
    return list(uow.session.exec(query).all())


def _reminder_time(schedule: ReviewSchedule | None) -> time:
    return parse_local_time(schedule.local_time) if schedule else DEFAULT_REMINDER_TIME


def _claim_fix(
    fix: Fix, map_id: int, chat: Chat, at: time, now: datetime
) -> tuple[FixReminder | None, JobSlot | None]:
    assert fix.due_on is not None  # noqa: S101  (queried so)
    assert fix.id is not None  # noqa: S101  (loaded rows have ids)
    before_at, overdue_at = _fix_times(fix.due_on, chat.tz, at)
    # Today is the chat's today: at 00:30 in Shanghai a fix due that day is due today,
    # although it is still yesterday in UTC.
    days_left = (fix.due_on - now.astimezone(ZoneInfo(chat.tz)).date()).days
    overdue = now >= overdue_at or days_left < 0
    if not overdue and (now < before_at or fix.reminded_before_for == fix.due_on):
        upcoming = before_at if fix.reminded_before_for != fix.due_on else overdue_at
        return None, JobSlot(fix_job_name(fix.id), upcoming)
    fix.reminded_before_for = fix.due_on
    if overdue:
        fix.reminded_overdue_for = fix.due_on
    reminder = FixReminder(
        chat.id,
        map_id,
        chat.language,
        fix.id,
        fix.text,
        fix.owner_name,
        fix.due_on,
        overdue,
        days_left,
    )
    return reminder, None if overdue else JobSlot(fix_job_name(fix.id), overdue_at)


def claim_due(uow: UnitOfWork) -> DueWork:
    """Everything due now, marked as sent before it is posted (at most once beats twice).

    A review missed while the bot was down is one digest, and the next run counts from now.
    """
    digests, reminders, slots, paused = [], [], [], []
    with uow:
        now = uow.clock.now()
        rows = uow.session.exec(
            select(ReviewSchedule, Chat)
            .join(JourneyMap, col(JourneyMap.id) == col(ReviewSchedule.map_id))
            .join(Chat, col(Chat.id) == col(JourneyMap.chat_id))
            .where(ReviewSchedule.paused == False, col(ReviewSchedule.next_at) <= now)  # noqa: E712
        ).all()
        for row, chat in rows:
            if not chat.reachable:
                row.paused, row.pause_reason = True, UNREACHABLE
                paused.append(row.map_id)
                continue
            since = row.last_digest_at or _last_review(uow, row.map_id)
            digests.append(build_digest(uow, map_id=row.map_id, since=since, now=now))
            row.last_digest_at, row.snoozed_until = now, None
            row.next_at = next_review_at(spec_of(row, chat.tz), chat.tz, now)
            slots.append(JobSlot(review_job_name(row.map_id), row.next_at))
        for fix, map_id, chat, schedule in _pending_fixes(uow):
            if not chat.reachable:
                continue
            reminder, slot = _claim_fix(fix, map_id, chat, _reminder_time(schedule), now)
            reminders += [reminder] if reminder else []
            slots += [slot] if slot else []
        uow.commit()
    return DueWork(tuple(digests), tuple(reminders), tuple(slots), tuple(paused))


def _last_review(uow: OpenUnitOfWork, map_id: int) -> datetime | None:
    return uow.session.exec(
        select(func.max(Review.reviewed_at)).where(Review.map_id == map_id)
    ).one()


def pending_slots(uow: UnitOfWork, *, chat_id: int | None = None) -> list[JobSlot]:
    """Every active review and pending fix reminder, as jobs (all chats, or one)."""
    with uow:
        query = (
            select(ReviewSchedule.map_id, ReviewSchedule.next_at)
            .join(JourneyMap, col(JourneyMap.id) == col(ReviewSchedule.map_id))
            .where(ReviewSchedule.paused == False, col(ReviewSchedule.next_at).is_not(None))  # noqa: E712
        )
        if chat_id is not None:
            query = query.where(JourneyMap.chat_id == chat_id)
        slots = [
            JobSlot(review_job_name(map_id), when)
            for map_id, when in uow.session.exec(query).all()
            if when is not None
        ]
        for fix, _map_id, chat, schedule in _pending_fixes(uow):
            if chat_id is not None and chat.id != chat_id:
                continue
            assert fix.due_on is not None  # noqa: S101  (queried so)
            assert fix.id is not None  # noqa: S101  (loaded rows have ids)
            before_at, overdue_at = _fix_times(fix.due_on, chat.tz, _reminder_time(schedule))
            when = overdue_at if fix.reminded_before_for == fix.due_on else before_at
            slots.append(JobSlot(fix_job_name(fix.id), when))
    return slots
