"""Broadcasts: send a survey to every customer who agreed, at Telegram's pace, resumably.

The sender claims each Delivery (PENDING → SENDING, committed) right before its send, then
settles it SENT, BLOCKED (403: the customer blocked the bot) or FAILED. Up to IN_FLIGHT_SENDS
sends run at once; the pace comes from rate limiters, never from sleeps: PTB's AIORateLimiter
(overall messages per second, 429 → wait retry_after) and, in front of it, a smooth
aiolimiter bucket at BROADCAST_SHARE of that rate. AIORateLimiter's bucket lets a full
second's worth go at once, which Telegram's sliding window answers with 429s; the smooth one
never bursts and leaves the rest for members talking to the bot meanwhile.

On shutdown the loop stops claiming and lets sends in flight finish; on start,
`resume_broadcasts` (called from post_init) continues every unfinished broadcast.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot.context import BotContext, Deps
from bot.handlers.customers import question_message
from bot.messages import edit_text, send_text
from bot.ratelimit import Pace
from cjm.models import DeliveryState
from cjm.services import broadcasts, responses
from cjm.services.chats import LANGUAGES
from cjm.views import Actor, BroadcastView, Recipient

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]

IN_FLIGHT_SENDS = 30  # enough to keep 30 messages/s going at ~1 s per round trip
BATCH_SIZE = 200  # PENDING rows read per query
PROGRESS_EVERY = timedelta(seconds=5)  # a group takes ~20 messages a minute, edits included
BROADCAST_SHARE = 0.93  # of the overall rate: headroom for the sends a busy event loop bunches
_RUNNING = "broadcasts.running"  # bot_data key: ids being sent by this process


async def start_broadcast(
    context: BotContext, *, survey_id: int, chat_id: int, actor: Actor | None = None
) -> None:
    """Queue the survey for every willing customer, post the progress message, send."""
    view = broadcasts.start_broadcast(
        context.uow(), survey_id=survey_id, chat_id=chat_id, actor=actor
    )
    await _post_progress(context.application, view)
    context.application.create_task(run_broadcast(context.application, view.id))


async def resume_broadcasts(application: AnyApp) -> None:
    """Continue unfinished broadcasts after a restart (SENDING rows count as sent)."""
    deps: Deps = application.bot_data["deps"]
    for broadcast_id in broadcasts.resume(deps.new_uow()):
        log.info("resuming broadcast %s", broadcast_id)
        if application.running:
            application.create_task(run_broadcast(application, broadcast_id))
        else:
            # From post_init: the job queue starts with the application, whose stop() then
            # waits for the job; a bare task would outlive the bot's HTTP client.
            job_queue = application.job_queue
            if job_queue is None:
                raise RuntimeError("broadcasts need PTB's job queue (extra 'job-queue')")
            job_queue.run_once(_resume_job, when=0, data=broadcast_id, name="broadcast")


async def _resume_job(context: BotContext) -> None:
    assert context.job is not None  # noqa: S101  (only run by the job queue)
    broadcast_id = context.job.data
    assert isinstance(broadcast_id, int)  # noqa: S101  (scheduled with the broadcast's id)
    await run_broadcast(context.application, broadcast_id)


async def run_broadcast(application: AnyApp, broadcast_id: int) -> None:
    """Send every PENDING delivery of the broadcast (once per process), then report."""
    running: set[int] = application.bot_data.setdefault(_RUNNING, set())
    if broadcast_id in running:
        return
    running.add(broadcast_id)
    try:
        await _Sender(application, broadcast_id).run()
    finally:
        running.discard(broadcast_id)


async def _post_progress(application: AnyApp, view: BroadcastView) -> None:
    deps: Deps = application.bot_data["deps"]
    progress = broadcasts.progress(deps.new_uow(), broadcast_id=view.id)
    text = deps.texts.render(view.language, "chat/customers/progress.html", p=progress)
    message = await send_text(application.bot, view.chat_id, text)
    broadcasts.set_progress_message(
        deps.new_uow(), broadcast_id=view.id, message_id=message.message_id
    )


class _Sender:
    """One broadcast's send loop."""

    def __init__(self, application: AnyApp, broadcast_id: int) -> None:
        self.application = application
        self.deps: Deps = application.bot_data["deps"]
        self.broadcast_id = broadcast_id
        rate = self.deps.settings.bot_overall_messages_per_second * BROADCAST_SHARE
        self.pacer = Pace(rate)
        self.in_flight = asyncio.Semaphore(IN_FLIGHT_SENDS)
        self.last_progress = self.deps.clock.now()
        self.messages: dict[str, tuple[str, InlineKeyboardMarkup]] = {}

    async def run(self) -> None:
        deps = self.deps
        view = broadcasts.get_broadcast(deps.new_uow(), broadcast_id=self.broadcast_id)
        if view.progress_message_id is None:
            await _post_progress(self.application, view)
            view = broadcasts.get_broadcast(deps.new_uow(), broadcast_id=self.broadcast_id)
        question = responses.get_question(deps.new_uow(), survey_id=view.survey_id).question
        self.messages = {
            language: question_message(deps.texts, language, question) for language in LANGUAGES
        }
        sends: set[asyncio.Task[None]] = set()
        while self.application.running and (
            batch := broadcasts.pending(
                deps.new_uow(), broadcast_id=self.broadcast_id, limit=BATCH_SIZE
            )
        ):
            for recipient in batch:
                await self.in_flight.acquire()
                await self.pacer.wait()
                if not self.application.running:
                    self.in_flight.release()
                    break
                if not broadcasts.claim(deps.new_uow(), delivery_id=recipient.delivery_id):
                    self.in_flight.release()
                    continue
                task = asyncio.create_task(self._send(recipient))
                sends.add(task)
                task.add_done_callback(sends.discard)
                self._maybe_show_progress(view)
        if sends:
            await asyncio.gather(*sends)
        if not self.application.running:
            log.info("broadcast %s paused by shutdown", self.broadcast_id)
            return
        broadcasts.finish(deps.new_uow(), broadcast_id=self.broadcast_id)
        self._show_progress(view)

    async def _send(self, recipient: Recipient) -> None:
        text, keyboard = self.messages.get(recipient.language, self.messages["en"])
        state = DeliveryState.SENT
        try:
            await send_text(self.application.bot, recipient.user_id, text, keyboard)
        except Forbidden:
            state = DeliveryState.BLOCKED
            responses.mark_unreachable(self.deps.new_uow(), user_id=recipient.user_id)
        except TelegramError as error:
            # Not retried: the message may have arrived (at most once beats twice).
            log.warning("broadcast %s: delivery failed: %s", self.broadcast_id, error)
            state = DeliveryState.FAILED
        finally:
            self.in_flight.release()
        broadcasts.settle(self.deps.new_uow(), delivery_id=recipient.delivery_id, state=state)

    def _maybe_show_progress(self, view: BroadcastView) -> None:
        now = self.deps.clock.now()
        if now - self.last_progress >= PROGRESS_EVERY:
            self.last_progress = now
            self._show_progress(view)

    def _show_progress(self, view: BroadcastView) -> None:
        if view.progress_message_id is None or not self.application.running:
            return
        deps, message_id = self.deps, view.progress_message_id

        async def edit() -> None:
            progress = broadcasts.progress(deps.new_uow(), broadcast_id=view.id)
            text = deps.texts.render(view.language, "chat/customers/progress.html", p=progress)
            await edit_text(self.application.bot, view.chat_id, message_id, text)

        deps.card_editor.request(
            (view.chat_id, message_id), edit, lambda c: self.application.create_task(c)
        )
