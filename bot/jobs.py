"""Scheduled work: review digests and due-date reminders, rescheduled from the database.

Reminders are rows (ReviewSchedule.next_at, Fix.due_on), so nothing is lost on restart: the
JobQueue only holds one wake-up per row, named after it. Every wake-up calls run_due(), which
asks the services what is due at the injected clock's "now", marks it sent, posts it, and
schedules each row's next wake-up. Tests move a FrozenClock and call run_due() directly.
The repeating sweep also forgets handled-message claims no redelivery can need any more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import Application, Job

from bot.callbacks import ReviewDone, ReviewOpenMap, ReviewSnooze
from bot.context import BotContext, Deps, Labels
from bot.errors import handle_delivery_error
from bot.handlers import customers
from bot.messages import pack, send_text
from cjm.services import reminders
from cjm.services.digests import digest_blocks
from cjm.services.handled_messages import HANDLED_MESSAGE_RETENTION, forget_handled_messages
from cjm.views import Digest, FixReminder, JobSlot

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

SWEEP = timedelta(minutes=5)  # also catches due dates set since the last wake-up
SWEEP_JOB = "reminders:sweep"
DUE_JOB = "reminders:due"  # everything already due runs in one job: one digest per map
_JOBS = "reminder_jobs"  # bot_data: job name → Job (get_jobs_by_name scans every job)
_LOCK = "reminder_lock"
# A wake-up that runs late (a busy loop, a start-up) still runs; run_due decides what is due.
_LATE_IS_FINE = {"misfire_grace_time": None}


def _deps(application: App) -> Deps:
    deps: Deps = application.bot_data["deps"]
    return deps


def _jobs(application: App) -> dict[str, Job[Any]]:
    jobs: dict[str, Job[Any]] = application.bot_data.setdefault(_JOBS, {})
    return jobs


def _unschedule(application: App, name: str) -> None:
    old = _jobs(application).pop(name, None)
    if old is not None and not old.removed:
        # It may have run meanwhile, and APScheduler already dropped it.
        with contextlib.suppress(JobLookupError):
            old.schedule_removal()


def schedule(application: App, slot: JobSlot) -> None:
    """Put a reminder in the JobQueue, replacing an earlier job of the same name."""
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    _unschedule(application, slot.name)
    delay = slot.when - _deps(application).clock.now()
    if delay <= timedelta(0):
        # APScheduler drops run times in the past as "missed": run what is due now, once.
        _unschedule(application, DUE_JOB)
        _jobs(application)[DUE_JOB] = queue.run_once(
            _wake, when=0, name=DUE_JOB, job_kwargs=_LATE_IS_FINE
        )
        return
    # A delay, not slot.when: APScheduler reads the system clock, and "now" is the injected
    # clock's (a demo or test runs on a frozen one). `data` keeps the intended moment.
    _jobs(application)[slot.name] = queue.run_once(
        _wake, when=delay, name=slot.name, data=slot.when, job_kwargs=_LATE_IS_FINE
    )


async def reschedule_all(application: App) -> None:
    """Put every stored reminder into the JobQueue again (called on start)."""
    slots = await asyncio.to_thread(reminders.pending_slots, _deps(application).new_uow())
    queue = application.job_queue
    # A running APScheduler wakes its loop on every add; paused, 10,000 adds cost one wake-up.
    running = queue is not None and queue.scheduler.running
    if queue is not None and running:
        queue.scheduler.pause()
    try:
        for slot in slots:
            schedule(application, slot)
    finally:
        if queue is not None and running:
            queue.scheduler.resume()
    if queue is not None:
        _unschedule(application, SWEEP_JOB)
        _jobs(application)[SWEEP_JOB] = queue.run_repeating(
            _sweep, interval=SWEEP, first=SWEEP, name=SWEEP_JOB
        )
    log.info("%d reminders scheduled", len(slots))


async def reschedule_chat(application: App, chat_id: int) -> None:
    """Schedule a chat's reminders again after its schedule or time zone changed."""
    for slot in reminders.pending_slots(_deps(application).new_uow(), chat_id=chat_id):
        schedule(application, slot)


async def _wake(context: BotContext) -> None:
    """A reminder's time came: post whatever is due (this one and any other)."""
    job, jobs = context.job, _jobs(context.application)
    if job is not None and jobs.get(job.name or "") is job:
        del jobs[job.name or ""]
    await run_due(context.application)


async def _sweep(context: BotContext) -> None:
    """Every SWEEP: post whatever is due, then forget the claims past their retention."""
    await run_due(context.application)
    # A customer's comment whose wake-up was lost (a restart) is told about here.
    await customers.finish_comments(context.application)
    uow = _deps(context.application).new_uow()
    forgotten = await asyncio.to_thread(
        forget_handled_messages, uow, older_than=HANDLED_MESSAGE_RETENTION
    )
    log.debug("%d handled messages forgotten", forgotten)


async def run_due(application: App) -> int:
    """Post every digest and fix reminder due at the clock's now; return how many were sent."""
    lock: asyncio.Lock = application.bot_data.setdefault(_LOCK, asyncio.Lock())
    async with lock:
        work = await asyncio.to_thread(reminders.claim_due, _deps(application).new_uow())
        for map_id in work.paused_map_ids:
            log.warning("map %s: reviews paused, the bot is no longer in its chat", map_id)
        sent = 0
        for digest in work.digests:
            sent += await _post_digest(application, digest)
        for reminder in work.reminders:
            sent += await _post_reminder(application, reminder)
        for slot in work.slots:
            schedule(application, slot)
    return sent


def digest_keyboard(digest: Digest, labels: Labels) -> InlineKeyboardMarkup:
    """Reviewed ✅ · Snooze 1 day · Open map."""
    minute = reminders.minute_of(digest.at)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    labels.review_done(), callback_data=ReviewDone(digest.map_id).pack()
                ),
                InlineKeyboardButton(
                    labels.review_snooze(),
                    callback_data=ReviewSnooze(digest.map_id, minute).pack(),
                ),
            ],
            [
                InlineKeyboardButton(
                    labels.review_open_map(), callback_data=ReviewOpenMap(digest.map_id).pack()
                )
            ],
        ]
    )


async def _post_digest(application: App, digest: Digest) -> int:
    texts = _deps(application).texts
    messages = pack(await asyncio.to_thread(digest_blocks, texts, digest))
    keyboard = digest_keyboard(digest, Labels(texts.labels(digest.language)))
    chat_id: int | None = digest.chat_id
    for number, text in enumerate(messages, start=1):
        markup = keyboard if number == len(messages) else None
        chat_id = await _send(application, digest.map_id, chat_id, text, markup)
        if chat_id is None:
            return number - 1
    return len(messages)


async def _post_reminder(application: App, reminder: FixReminder) -> int:
    text = _deps(application).texts.render(
        reminder.language, "chat/reviews/reminder.html", reminder=reminder
    )
    chat_id = await _send(application, reminder.map_id, reminder.chat_id, text, None)
    return 0 if chat_id is None else 1


async def _send(
    application: App,
    map_id: int,
    chat_id: int | None,
    text: str,
    markup: InlineKeyboardMarkup | None,
    *,
    retry: bool = True,
) -> int | None:
    """Send to the map's chat; return where it went, or None when the chat is gone."""
    if chat_id is None:
        return None
    try:
        await send_text(application.bot, chat_id, text, markup)
    except (ChatMigrated, Forbidden, BadRequest) as error:
        if not handle_delivery_error(application, chat_id, error):
            log.error("map %s: reminder refused by Telegram", map_id, exc_info=error)
            return chat_id
        if isinstance(error, ChatMigrated):  # reminders follow the chat, once
            if not retry:
                return None
            return await _send(application, map_id, error.new_chat_id, text, markup, retry=False)
        log.warning("map %s: reviews paused, chat %s is gone", map_id, chat_id)
        reminders.pause_unreachable(_deps(application).new_uow(), map_id=map_id)
        return None
    return chat_id
