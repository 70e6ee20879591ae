"""What the survey handlers share: short labels, the pressed message, editing in place."""

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import BotContext, fit_message
from cjm.errors import StaleButton

ANSWERS = "chat/surveys/answers.html"

Keyboard = list[list[InlineKeyboardButton]]


def short(text: str, limit: int = 24) -> str:
    """Cut a name to fit on a button."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_id(update: Update) -> int:
    """The id of the message whose button was pressed."""
    query = update.callback_query
    if query is None or query.message is None:
        raise StaleButton
    return query.message.message_id


async def edit(
    context: BotContext, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup
) -> None:
    """Redraw a message in place; two presses of the same button leave nothing to change."""
    try:
        await context.bot.edit_message_text(
            fit_message(text),
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            disable_web_page_preview=True,
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


def plain(update: Update, context: BotContext, macro: str, **params: Any) -> str:
    """A short answer (a callback's toast) from chat/surveys/answers.html."""
    return context.deps.texts.plain_macro(context.language(update), ANSWERS, macro, **params)
