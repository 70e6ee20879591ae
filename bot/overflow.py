"""What a member is told when their chat sends commands or presses faster than the bot answers.

bot/concurrency.py drops commands and presses past a chat's queue cap. A dropped press is
answered, so the member's client stops spinning: answerCallbackQuery is no chat message and
costs nothing of the group's 20 messages a minute. The chat hears once (per flood) that it
should slow down; that one message spends one of the group's sends.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import BotContext
from bot.limits import MAX_CALLBACK_ANSWER

log = logging.getLogger(__name__)

TEMPLATE = "chat/slow_down.html"


async def tell_dropped(
    application: Application[Any, Any, Any, Any, Any, Any], update: Update, first: bool
) -> None:
    """Answer a dropped press; on the chat's first dropped command, tell it to slow down."""
    context = BotContext.from_update(update, application)
    query = update.callback_query
    message = update.message
    try:
        if query is not None:
            text = context.plain_macro(update, TEMPLATE, "slow_down_press")
            await query.answer(text[:MAX_CALLBACK_ANSWER])
        elif first and message is not None:
            text = context.macro(update, TEMPLATE, "slow_down")
            await message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=True)
    except TelegramError as error:  # a flood is no time to insist: the member tries again
        log.warning("update %s: could not say slow down: %s", update.update_id, error)
