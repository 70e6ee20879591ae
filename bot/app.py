"""Wiring: build_application(settings, clock) is the one place the bot is put together."""

import functools
import logging
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    TypeHandler,
)

from bot import jobs, once, overflow
from bot.broadcast import resume_broadcasts
from bot.card_editor import CardEditor
from bot.concurrency import PerChatUpdateProcessor
from bot.context import BotContext, Deps
from bot.errors import error_handler
from bot.handlers import (
    cards,
    chat,
    customers,
    emotions,
    fixes,
    held,
    insights,
    maps,
    outputs,
    pains,
    replies,
    reviews,
    stages,
    surveys,
    touchpoints,
)
from bot.http import AiohttpRequest
from bot.ratelimit import FloodControl
from bot.settings import Settings
from cjm.clock import Clock, SystemClock
from cjm.db import make_engine, unit_of_work_factory, upgrade
from cjm.render.texts import Texts

log = logging.getLogger(__name__)

# Order matters: customers (/start <token>) before chat (/start). Replies to every question
# go through the one router in `replies`, which the other features extend by registering how
# they redraw (@replies.redraws) and which questions take files (@replies.takes_files).
FEATURES = (
    customers,
    chat,
    maps,
    cards,
    stages,
    touchpoints,
    emotions,
    pains,
    fixes,
    held,
    outputs,
    insights,
    surveys,
    reviews,
    replies,
)

JourneyApp = Application[Any, BotContext, Any, Any, Any, Any]


async def log_update(update: Update, context: BotContext) -> None:
    """One line per update: its kind, chat and current map (never message text or tokens)."""
    chat = update.effective_chat
    kind = next(
        (
            name
            for name in ("message", "callback_query", "my_chat_member", "edited_message")
            if getattr(update, name, None) is not None
        ),
        "other",
    )
    # The group's farewell (migrate_to_chat_id) would register the moved group again.
    moved = update.effective_message is not None and update.effective_message.migrate_to_chat_id
    map_id = context.chat(update).current_map_id if chat and not moved else None
    log.info(
        "update %s %s chat=%s map=%s", update.update_id, kind, chat.id if chat else None, map_id
    )


def build_application(settings: Settings, *, clock: Clock | None = None) -> JourneyApp:
    """Build the bot: database (migrated), texts, handlers, error handler, rate limiter."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    texts = Texts()
    deps = Deps(
        settings=settings,
        new_uow=unit_of_work_factory(engine, clock),
        texts=texts,
        clock=clock,
        card_editor=CardEditor(clock),
    )

    async def post_init(application: JourneyApp) -> None:
        await chat.register_commands(application, texts)
        await jobs.reschedule_all(application)
        await resume_broadcasts(application)

    async def post_shutdown(_application: JourneyApp) -> None:
        engine.dispose()  # close the pool's connections (a PostgreSQL server counts them)

    processor = PerChatUpdateProcessor()
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .context_types(ContextTypes(context=BotContext))
        .rate_limiter(
            FloodControl(
                messages_per_second=settings.bot_overall_messages_per_second,
                group_messages_per_minute=settings.bot_group_messages_per_minute,
            )
        )
        .concurrent_updates(processor)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_file_url)
    )
    application: JourneyApp = builder.build()
    application.bot_data["deps"] = deps
    processor.on_dropped = functools.partial(overflow.tell_dropped, application)
    application.add_handler(TypeHandler(Update, chat.note_members), group=once.CLAIM_GROUP - 2)
    application.add_handler(TypeHandler(Update, log_update), group=once.CLAIM_GROUP - 1)
    application.add_handler(TypeHandler(Update, once.claim), group=once.CLAIM_GROUP)
    for feature in FEATURES:
        application.add_handlers(feature.HANDLERS)
    # Last: a button no handler claims (forged, or from an older version) still gets an answer.
    application.add_handler(CallbackQueryHandler(cards.unknown_button))
    application.add_error_handler(error_handler)
    return application
