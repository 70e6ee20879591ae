"""The one error handler: a broken rule becomes a message in the chat's language."""

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import ChatMigrated, Forbidden

from bot.context import BotContext
from cjm.errors import AlreadyHandled, JourneyError
from cjm.services import chats

log = logging.getLogger(__name__)


async def error_handler(update: object, context: BotContext) -> None:
    """Log first, then tell the member what happened; the unit of work already rolled back."""
    error = context.error
    chat_id = (
        update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    )
    if isinstance(error, AlreadyHandled):
        return
    if isinstance(error, ChatMigrated) and chat_id is not None:
        log.info("chat %s migrated to %s", chat_id, error.new_chat_id)
        chats.migrate(context.uow(), old_id=chat_id, new_id=error.new_chat_id)
        return
    if isinstance(error, Forbidden) and chat_id is not None:
        log.warning("chat %s unreachable: %s", chat_id, error.message)
        chats.mark_unreachable(context.uow(), chat_id=chat_id)
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


async def _tell(update: Update, context: BotContext, code: str, **params: object) -> None:
    text = context.deps.texts.macro(context.language(update), "chat/errors.html", code, **params)
    query = update.callback_query
    if query is not None:
        # A button press gets a pop-up; Telegram limits those to 200 characters of plain text.
        plain = context.deps.texts.plain_macro(
            context.language(update), "chat/errors.html", code, **params
        )
        await query.answer(plain[:200], show_alert=True)
        return
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=True)
