"""Review schedules: cadence, time of day, pause, skip, snooze, and what is due when."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, func, or_, select

from cjm.db import UnitOfWork
from cjm.errors import ItemGone, ReviewNeedsADay, StaleButton
from cjm.models import (
    Cadence,
    ChangeEvent,
    Chat,
    Fix,
    FixStatus,
    JourneyMap,
    PainPoint,
    Prompt,
    PromptKind,
    Review,
    ReviewSchedule,
)
from cjm.schedule import ScheduleSpec, local_at, next_review_at, parse_local_time
from cjm.services import maps
from cjm.services.digests import build_digest
from cjm.views import Actor, ChangeView, DueWork, FixReminder, HistoryPage, JobSlot, ReviewCard

TIME_PROMPT = PromptKind.REVIEW_TIME  # "reply with the time of day"
DEFAULT_REMINDER_TIME = time(9, 0)
SNOOZE = timedelta(days=1)
HISTORY_PAGE_SIZE = 10
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


def _card(uow: UnitOfWork, journey: JourneyMap, *, passed_today: bool = False) -> ReviewCard:
    tz = uow.get(Chat, journey.chat_id).tz
    row = _schedule(uow, journey.id)
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


def _schedule(uow: UnitOfWork, map_id: int | None) -> ReviewSchedule | None:
    return uow.session.exec(select(ReviewSchedule).where(ReviewSchedule.map_id == map_id)).first()


def _own_map(uow: UnitOfWork, chat_id: int, map_id: int) -> JourneyMap:
    journey = uow.get(JourneyMap, map_id)
    if journey.chat_id != chat_id:
        raise StaleButton
    return journey


def _replan(uow: UnitOfWork, row: ReviewSchedule, tz: str, *, keep_rhythm: bool = True) -> bool:
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
        journey = _own_map(uow, chat_id, map_id)
        tz = uow.get(Chat, chat_id).tz
        today = uow.clock.now().astimezone(ZoneInfo(tz)).date()
        row = _schedule(uow, map_id) or ReviewSchedule(map_id=map_id)
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
        journey = _own_map(uow, chat_id, map_id)
        row = _schedule(uow, map_id)
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
        journey = _own_map(uow, chat_id, map_id)
        row = _schedule(uow, map_id) or ReviewSchedule(map_id=map_id)
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
        journey = _own_map(uow, chat_id, map_id)
        row = _schedule(uow, map_id)
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
        journey = _own_map(uow, chat_id, map_id)
        row = _schedule(uow, map_id)
        if row is None or row.next_at is None or row.paused:
            raise StaleButton
        if minute_of(row.next_at) == next_minute:
            tz = uow.get(Chat, chat_id).tz
            row.next_at = next_review_at(spec_of(row, tz), tz, row.next_at)
            uow.record(actor, map_id, "review.skipped", map_id, "")
        card = _card(uow, journey)
        uow.commit()
    return card


def remember_time_prompt(
    uow: UnitOfWork, *, chat_id: int, message_id: int, map_id: int, card_message_id: int | None
) -> None:
    """Store the "reply with a time of day" question, so any member's reply finds it."""
    with uow:
        uow.session.add(
            Prompt(
                chat_id=chat_id,
                message_id=message_id,
                kind=TIME_PROMPT,
                map_id=map_id,
                card_message_id=card_message_id,
                created_at=uow.clock.now(),
            )
        )
        uow.commit()


def is_time_prompt(uow: UnitOfWork, *, chat_id: int, message_id: int) -> bool:
    """Whether the bot's message asked for a review time."""
    with uow:
        kind = uow.session.exec(
            select(Prompt.kind).where(Prompt.chat_id == chat_id, Prompt.message_id == message_id)
        ).first()
    return kind == TIME_PROMPT


def answer_time_prompt(
    uow: UnitOfWork,
    *,
    chat_id: int,
    prompt_message_id: int,
    reply_message_id: int,
    text: str,
    actor: Actor,
) -> tuple[ReviewCard, int | None]:
    """Apply a reply to the time question; return the card and its message id to redraw."""
    with uow:
        prompt = uow.session.exec(
            select(Prompt).where(Prompt.chat_id == chat_id, Prompt.message_id == prompt_message_id)
        ).first()
        if prompt is None or prompt.map_id is None:
            raise ItemGone(kind="map")
        uow.claim_message(chat_id, reply_message_id)
        card = set_review_time(uow, chat_id=chat_id, map_id=prompt.map_id, text=text, actor=actor)
        card_message_id = prompt.card_message_id
        uow.commit()
    return card, card_message_id


def log_review(
    uow: UnitOfWork, *, chat_id: int, map_id: int, message_id: int, actor: Actor
) -> int:
    """Record that a member reviewed a digest (once per member); return how many did."""
    with uow:
        _own_map(uow, chat_id, map_id)
        mine = uow.session.exec(
            select(Review).where(
                Review.digest_message_id == message_id, Review.reviewer_id == actor.user_id
            )
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
            select(func.count()).select_from(Review).where(Review.digest_message_id == message_id)
        ).one()
        uow.commit()
    return count


def snooze(
    uow: UnitOfWork, *, chat_id: int, map_id: int, digest_minute: int, actor: Actor
) -> datetime:
    """Post the digest again a day after it was sent; pressing twice moves it once."""
    until = datetime.fromtimestamp(digest_minute * 60, UTC) + SNOOZE
    with uow:
        _own_map(uow, chat_id, map_id)
        row = _schedule(uow, map_id)
        if row is None:
            raise StaleButton
        if row.snoozed_until != until:
            row.snoozed_until = until
            row.next_at = until if row.next_at is None else min(row.next_at, until)
            uow.record(actor, map_id, "review.snoozed", map_id, "")
        uow.commit()
    return until


def pause_unreachable(uow: UnitOfWork, *, map_id: int, reason: str = UNREACHABLE) -> None:
    """Telegram refused to post to the chat: pause its reviews, keep everything else."""
    with uow:
        row = _schedule(uow, map_id)
        if row is not None:
            row.paused, row.pause_reason = True, reason
            uow.commit()


def _fix_times(due_on: date, tz: str, at: time) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    return (
        local_at(due_on - timedelta(days=1), at, zone),
        local_at(due_on + timedelta(days=1), at, zone),
    )


def _pending_fixes(uow: UnitOfWork) -> list[tuple[Fix, int, Chat, ReviewSchedule | None]]:
    query = (
        select(Fix, PainPoint.map_id, Chat, ReviewSchedule)
        .join(PainPoint, col(PainPoint.id) == col(Fix.pain_point_id))
        .join(JourneyMap, col(JourneyMap.id) == col(PainPoint.map_id))
        .join(Chat, col(Chat.id) == col(JourneyMap.chat_id))
        .join(
            ReviewSchedule,
            col(ReviewSchedule.map_id) == col(JourneyMap.id),
            isouter=True,
        )
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
    overdue = now >= overdue_at
    if not overdue and (now < before_at or fix.reminded_before_for == fix.due_on):
        upcoming = before_at if fix.reminded_before_for != fix.due_on else overdue_at
        return None, JobSlot(fix_job_name(fix.id), upcoming)
    fix.reminded_before_for = fix.due_on
    if overdue:
        fix.reminded_overdue_for = fix.due_on
    reminder = FixReminder(
        chat.id, map_id, chat.language, fix.id, fix.text, fix.owner_name, fix.due_on, overdue
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


def _last_review(uow: UnitOfWork, map_id: int) -> datetime | None:
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


def history_page(
    uow: UnitOfWork, *, chat_id: int, map_id: int | None = None, page: int = 0
) -> HistoryPage:
    """A page of a map's change log (the current map's by default), newest first."""
    with uow:
        journey = (
            uow.get(JourneyMap, maps.current_map_id(uow, chat_id))
            if map_id is None
            else _own_map(uow, chat_id, map_id)
        )
        map_id = journey.id or 0
        total = uow.session.exec(
            select(func.count()).select_from(ChangeEvent).where(ChangeEvent.map_id == map_id)
        ).one()
        pages = max(1, -(-total // HISTORY_PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        rows = uow.session.exec(
            select(ChangeEvent)
            .where(ChangeEvent.map_id == map_id)
            .order_by(col(ChangeEvent.id).desc())
            .offset(page * HISTORY_PAGE_SIZE)
            .limit(HISTORY_PAGE_SIZE)
        ).all()
        items = tuple(
            ChangeView(row.id or 0, row.at, row.actor_name, row.action, row.summary)
            for row in rows
        )
        return HistoryPage(map_id, journey.title, uow.get(Chat, chat_id).tz, page, pages, items)
