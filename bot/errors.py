"""The one error handler: a broken rule becomes a message in the chat's language."""

import logging
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application

from bot.card_editor import is_transient
from bot.context import BotContext, Deps, post_card_to
from bot.limits import MAX_CALLBACK_ANSWER
from cjm.errors import AlreadyHandled, JourneyError
from cjm.render.texts import Texts
from cjm.services import chats, supergroups
from cjm.views import CardView, ChatRef

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
        cards = supergroups.migrate(deps.new_uow(), old_id=chat_id, new_id=error.new_chat_id)
        if cards:
            application.create_task(repost_cards(application, error.new_chat_id, cards))
        return True
    gone = isinstance(error, BadRequest) and "chat not found" in error.message.lower()
    if isinstance(error, Forbidden) or gone:
        log.warning("chat %s unreachable: %s", chat_id, error)
        chats.mark_unreachable(deps.new_uow(), chat_id=chat_id)
        return True
    return False


async def follow_migration(
    application: Application[Any, Any, Any, Any, Any, Any], old_id: int, new_id: int
) -> None:
    """Move the chat's rows to the supergroup's id, then post its open step cards there again.

    The old group's messages stay behind (a reply to them never reaches the supergroup), so
    the team gets each map's card afresh, with the supergroup's own message id.
    """
    deps: Deps = application.bot_data["deps"]
    cards = supergroups.migrate(deps.new_uow(), old_id=old_id, new_id=new_id)
    await repost_cards(application, new_id, cards)


async def repost_cards(
    application: Application[Any, Any, Any, Any, Any, Any],
    chat_id: int,
    cards: tuple[CardView, ...],
) -> None:
    """Post step cards into a chat again (after a migration), in the chat's language."""
    if not cards:
        return
    deps: Deps = application.bot_data["deps"]
    chat = chats.get_chat(
        deps.new_uow(),
        ChatRef(id=chat_id, title=""),
        default_language=deps.settings.bot_default_language,
        default_tz=deps.settings.bot_default_timezone,
    )
    for card in cards:
        await post_card_to(application.bot, deps, chat_id, chat.language, card)


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
        # The params can hold what a member typed (a date, a KPI line): not at INFO.
        log.info("chat %s: %s", chat_id, error.code)
        log.debug("chat %s: %s %s", chat_id, error.code, error.params)
        await _tell(update, context, error.code, **error.params)
        return
    log.error("chat %s: update %s failed", chat_id, update.update_id, exc_info=error)
    await _tell(update, context, "something_went_wrong")


def _update_id(update: object) -> int | None:
    return update.update_id if isinstance(update, Update) else None


async def _tell(update: Update, context: BotContext, code: str, **params: object) -> None:
    try:
        await _say(update, context, code, **params)
    except TelegramError as error:  # Telegram failing now: logged; the error handler ends here
        if not is_transient(error):
            raise
        log.warning("chat %s: could not say %s: %s", context.chat(update).id, code, error)


TEAM_ERRORS = "chat/errors.html"
# In a private chat the people are mostly customers: its own wording, where the team's
# names a team command (templates/chat/customers/errors.html).
PRIVATE_ERRORS = "chat/customers/errors.html"


def errors_template(texts: Texts, language: str, code: str, *, private: bool) -> str:
    """The template whose macro `code` tells this chat about an error."""
    if private and texts.has_macro(language, PRIVATE_ERRORS, code):
        return PRIVATE_ERRORS
    return TEAM_ERRORS


async def _say(update: Update, context: BotContext, code: str, **params: object) -> None:
    chat = update.effective_chat
    private = chat is not None and chat.type == ChatType.PRIVATE
    errors = errors_template(context.deps.texts, context.language(update), code, private=private)
    text = context.macro(update, errors, code, **params)
    query = update.callback_query
    if query is not None and context.was_answered(update):
        # Answered already (a query takes one answer): say it under the pressed message.
        if isinstance(query.message, Message):
            await query.message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=True)
        return
    if query is not None:
        # A button press gets a pop-up: plain text, as long as answerCallbackQuery takes.
        plain = context.plain_macro(update, errors, code, **params)
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
