"""The one error handler: a broken rule becomes a message in the chat's language."""

import logging
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import Application

from bot.context import BotContext, Deps
from bot.limits import MAX_CALLBACK_ANSWER
from cjm.errors import AlreadyHandled, JourneyError
from cjm.services import chats

log = logging.getLogger(__name__)


def handle_delivery_error(
    application: Application[Any, Any, Any, Any, Any, Any], chat_id: int, error: BaseException
) -> bool:
    """Follow a chat that moved (ChatMigrated) or mark one gone (Forbidden, "chat not found").

    The one place both the error handler and the scheduled jobs learn where a chat went; True
    when `error` was about the chat itself, so the caller stops there (or retries at the new id).
    """
    deps: Deps = application.bot_data["deps"]
    if isinstance(error, ChatMigrated):
        log.info("chat %s migrated to %s", chat_id, error.new_chat_id)
        chats.migrate(deps.new_uow(), old_id=chat_id, new_id=error.new_chat_id)
        return True
    gone = isinstance(error, BadRequest) and "chat not found" in error.message.lower()
    if isinstance(error, Forbidden) or gone:
        log.warning("chat %s unreachable: %s", chat_id, error)
        chats.mark_unreachable(deps.new_uow(), chat_id=chat_id)
        return True
    return False


def answered_too_late(error: BaseException | None) -> bool:
    """Telegram no longer takes an answer to the press (redelivered, or answered too late)."""
    # Bot API, answerCallbackQuery: 400 "query is too old and response timeout expired or
    # query ID is invalid" (https://core.telegram.org/bots/api#answercallbackquery).
    return isinstance(error, BadRequest) and "query is too old" in error.message.lower()


async def error_handler(update: object, context: BotContext) -> None:
    """Log first, then tell the member what happened; the unit of work already rolled back."""
    error = context.error
    chat_id = (
        update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    )
    if isinstance(error, AlreadyHandled):
        return
    if answered_too_late(error):
        # Whatever the press did is done; only its spinner answer came too late. No traceback.
        log.info("chat %s: update %s: press answered too late", chat_id, _update_id(update))
        return
    if (
        error is not None
        and chat_id is not None
        and handle_delivery_error(context.application, chat_id, error)
    ):
        return
    if not isinstance(update, Update) or chat_id is None:
        log.error("error outside an update", exc_info=error)
        return
    if isinstance(error, JourneyError):
        log.info("chat %s: %s %s", chat_id, error.code, error.params)
        await _tell(update, context, error.code, **error.params)
        return
    log.error("chat %s: update %s failed", chat_id, update.update_id, exc_info=error)
    await _tell(update, context, "something_went_wrong")


def _update_id(update: object) -> int | None:
    return update.update_id if isinstance(update, Update) else None


async def _tell(update: Update, context: BotContext, code: str, **params: object) -> None:
    text = context.macro(update, "chat/errors.html", code, **params)
    query = update.callback_query
    if query is not None:
        # A button press gets a pop-up: plain text, as long as answerCallbackQuery takes.
        plain = context.plain_macro(update, "chat/errors.html", code, **params)
        try:
            await query.answer(plain[:MAX_CALLBACK_ANSWER], show_alert=True)
        except BadRequest as error:
            if not answered_too_late(error):
                raise
            # Too late for a pop-up (a press redelivered after a restart): say it in the chat.
            log.info("update %s: press too old for a pop-up; told the chat", update.update_id)
            await context.send(update, text)
        return
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=True)
