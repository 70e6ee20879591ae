"""Keeping the map alive: time zone, review cadence, digests, history."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CommandHandler,
)

from bot import jobs
from bot.buttons import on_press
from bot.callbacks import (
    HistoryPage,
    ReviewCadence,
    ReviewDay,
    ReviewDone,
    ReviewOpenMap,
    ReviewPause,
    ReviewSkip,
    ReviewSnooze,
    ReviewTime,
)
from bot.context import BotContext, Labels
from bot.handlers import replies
from bot.handlers.maps import show_summary
from bot.limits import MAX_CALLBACK_ANSWER
from cjm import views
from cjm.models import Cadence, PromptKind
from cjm.services import changes, maps, prompts, reminders, reviews, timezones
from cjm.views import Answered, Redraw, ReviewCard

CADENCES = tuple(Cadence)


def card_keyboard(card: ReviewCard, labels: Labels) -> InlineKeyboardMarkup:
    """Cadence, weekdays, time, pause/resume and skip buttons of the /review card."""
    cadence = [
        InlineKeyboardButton(
            labels.review_cadence(c.value, chosen=card.cadence is c),
            callback_data=ReviewCadence(card.map_id, c).pack(),
        )
        for c in CADENCES
    ]
    rows = [cadence[:2], cadence[2:]]
    if card.cadence in (Cadence.WEEKLY, Cadence.BIWEEKLY, Cadence.WEEKDAYS):
        rows.append(
            [
                InlineKeyboardButton(
                    labels.review_day(day, chosen=card.runs_on(day)),
                    callback_data=ReviewDay(card.map_id, day).pack(),
                )
                for day in range(7)
            ]
        )
    controls = [
        InlineKeyboardButton(
            labels.review_time(card.local_time), callback_data=ReviewTime(card.map_id).pack()
        )
    ]
    if card.exists:
        controls.append(
            InlineKeyboardButton(
                labels.review_resume() if card.paused else labels.review_pause(),
                callback_data=ReviewPause(card.map_id, not card.paused).pack(),
            )
        )
    if card.next_at is not None and not card.paused:
        controls.append(
            InlineKeyboardButton(
                labels.review_skip(),
                callback_data=ReviewSkip(card.map_id, reminders.minute_of(card.next_at)).pack(),
            )
        )
    rows.append(controls)
    return InlineKeyboardMarkup(rows)


def history_keyboard(page: views.HistoryPage, labels: Labels) -> InlineKeyboardMarkup | None:
    """◀ ▶ between pages of the change log."""
    moves = []
    if page.page > 0:
        moves.append(
            InlineKeyboardButton(
                labels.previous_item(),
                callback_data=HistoryPage(page.map_id, page.page - 1).pack(),
            )
        )
    if page.page + 1 < page.pages:
        moves.append(
            InlineKeyboardButton(
                labels.next_item(), callback_data=HistoryPage(page.map_id, page.page + 1).pack()
            )
        )
    return InlineKeyboardMarkup([moves]) if moves else None


async def timezone_command(update: Update, context: BotContext) -> None:
    """/timezone [Area/City]: show the chat's zone, or set it (reviews keep their local time)."""
    chat = context.group_chat(update)
    settings = context.deps.settings
    changed = bool(context.args)
    if changed:
        timezones.set_timezone(
            context.uow(),
            chat,
            text=" ".join(context.args or []),
            default_language=settings.bot_default_language,
            default_tz=settings.bot_default_timezone,
        )
        context.forget_chat()
        await jobs.reschedule_chat(context.application, chat.id)
    tz = context.chat(update).tz
    await context.reply(
        update, "chat/reviews/timezone.html", tz=tz, changed=changed, now=context.deps.clock.now()
    )


async def review_command(update: Update, context: BotContext) -> None:
    """/review: the current map's review card."""
    chat_id = context.group_chat(update).id
    card = reviews.get_review_card(context.uow(), chat_id=chat_id)
    sent = await context.reply(
        update,
        "chat/reviews/card.html",
        card=card,
        reply_markup=card_keyboard(card, context.labels(update)),
    )
    # A reply to the card is read as its time of day, like a reply to the time question: a
    # reply that is no time is told the format, never that the card asks nothing.
    asked = prompts.prepare(
        context.uow(),
        chat_id=chat_id,
        kind=PromptKind.REVIEW_TIME,
        target_id=card.map_id,
        card_message_id=sent.message_id,
    )
    prompts.remember(context.uow(), chat_id=chat_id, message_id=sent.message_id, asked=asked)


async def _redraw(update: Update, context: BotContext, card: ReviewCard) -> None:
    """Show the changed card in place and schedule its next review."""
    await jobs.reschedule_chat(context.application, context.chat(update).id)
    await context.edit_pressed(
        update,
        context.render(update, "chat/reviews/card.html", card=card),
        card_keyboard(card, context.labels(update)),
    )
    await context.answer(update)


async def cadence_button(update: Update, context: BotContext, payload: ReviewCadence) -> None:
    """A cadence button: weekly, every 2 weeks, monthly or chosen weekdays."""
    card = reviews.set_cadence(
        context.uow(),
        chat_id=context.chat(update).id,
        map_id=payload.map_id,
        cadence=payload.cadence,
        actor=context.actor(update),
    )
    await _redraw(update, context, card)


async def day_button(update: Update, context: BotContext, payload: ReviewDay) -> None:
    """A weekday button: tick or untick it, or move a weekly review to it."""
    card = reviews.set_weekday(
        context.uow(),
        chat_id=context.chat(update).id,
        map_id=payload.map_id,
        weekday=payload.weekday,
        actor=context.actor(update),
    )
    await _redraw(update, context, card)


async def pause_button(update: Update, context: BotContext, payload: ReviewPause) -> None:
    """Pause or resume reviews."""
    card = reviews.set_paused(
        context.uow(),
        chat_id=context.chat(update).id,
        map_id=payload.map_id,
        paused=payload.paused,
        actor=context.actor(update),
    )
    await _redraw(update, context, card)


async def skip_button(update: Update, context: BotContext, payload: ReviewSkip) -> None:
    """Skip the next review (the one the button names)."""
    card = reviews.skip_next(
        context.uow(),
        chat_id=context.chat(update).id,
        map_id=payload.map_id,
        next_minute=payload.next_minute,
        actor=context.actor(update),
    )
    await _redraw(update, context, card)


async def time_button(update: Update, context: BotContext, payload: ReviewTime) -> None:
    """Ask for the time of day; members answer by replying."""
    query = update.callback_query
    assert query is not None  # noqa: S101  (button handlers only)
    assert query.message is not None  # noqa: S101  (a card's button)
    asked = prompts.prepare(
        context.uow(),
        chat_id=context.chat(update).id,
        kind=PromptKind.REVIEW_TIME,
        target_id=payload.map_id,
        card_message_id=query.message.message_id,
    )
    await context.ask(update, asked, placeholder="9:30")
    await context.answer(update)


@replies.redraws(Redraw.REVIEW_CARD)
async def redraw_review_card(update: Update, context: BotContext, answered: Answered) -> None:
    """After the time was answered: reschedule, redraw the card, post it when needed."""
    card = answered.outcome
    assert isinstance(card, ReviewCard)  # noqa: S101  (the table's review row)
    chat_id = context.chat(update).id
    await jobs.reschedule_chat(context.application, chat_id)
    markup = card_keyboard(card, context.labels(update))
    rendered = context.render(update, "chat/reviews/card.html", card=card)
    if answered.card_message_id is not None:
        await context.redraw(update, answered.card_message_id, rendered, markup)
    if card.passed_today or answered.card_message_id is None:
        await context.send(update, rendered, reply_markup=markup)


async def done_button(update: Update, context: BotContext, payload: ReviewDone) -> None:
    """Reviewed ✅: log who reviewed this digest; each member once."""
    query = update.callback_query
    assert query is not None  # noqa: S101  (button handlers only)
    assert query.message is not None  # noqa: S101  (a digest's button)
    count = reviews.log_review(
        context.uow(),
        chat_id=context.chat(update).id,
        map_id=payload.map_id,
        message_id=query.message.message_id,
        actor=context.actor(update),
    )
    text = context.plain_macro(update, "chat/reviews/answers.html", "reviewed", count=count)
    await context.answer(update, text[:MAX_CALLBACK_ANSWER])


async def snooze_button(update: Update, context: BotContext, payload: ReviewSnooze) -> None:
    """Snooze 1 day: post the digest again a day after it was sent (once, however often)."""
    chat = context.chat(update)
    until = reviews.snooze(
        context.uow(),
        chat_id=chat.id,
        map_id=payload.map_id,
        digest_minute=payload.digest_minute,
        actor=context.actor(update),
    )
    await jobs.reschedule_chat(context.application, chat.id)
    text = context.deps.texts.plain_macro(
        chat.language, "chat/reviews/answers.html", "snoozed", until=until, tz=chat.tz
    )
    await context.answer(update, text[:MAX_CALLBACK_ANSWER])


async def open_map_button(update: Update, context: BotContext, payload: ReviewOpenMap) -> None:
    """Open map: post the /map summary of the digest's map."""
    journey = maps.get_map(context.uow(), chat_id=context.chat(update).id, map_id=payload.map_id)
    await show_summary(update, context, journey)
    await context.answer(update)


async def history_command(update: Update, context: BotContext) -> None:
    """/history: the current map's change log, newest first, ten per page."""
    page = changes.history_page(context.uow(), chat_id=context.group_chat(update).id)
    await context.reply(
        update,
        "chat/reviews/history.html",
        page=page,
        reply_markup=history_keyboard(page, context.labels(update)),
    )


async def history_button(update: Update, context: BotContext, payload: HistoryPage) -> None:
    """◀ ▶ on /history: show that page in place."""
    page = changes.history_page(
        context.uow(), chat_id=context.chat(update).id, map_id=payload.map_id, page=payload.page
    )
    await context.edit_pressed(
        update,
        context.render(update, "chat/reviews/history.html", page=page),
        history_keyboard(page, context.labels(update)),
    )
    await context.answer(update)


HANDLERS = [
    CommandHandler("timezone", timezone_command),
    CommandHandler("review", review_command),
    CommandHandler("history", history_command),
    on_press(ReviewCadence, cadence_button),
    on_press(ReviewDay, day_button),
    on_press(ReviewTime, time_button),
    on_press(ReviewPause, pause_button),
    on_press(ReviewSkip, skip_button),
    on_press(ReviewDone, done_button),
    on_press(ReviewSnooze, snooze_button),
    on_press(ReviewOpenMap, open_map_button),
    on_press(HistoryPage, history_button),
]
