"""Replies to the bot's prompts: one router for every question the wizard asks.

Under privacy mode the bot sees a member's message only when it replies to the bot, so every
question is a stored prompt and this router finds what it asked by (chat id, message id).
"""

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.context import BotContext
from cjm.errors import NotText
from bot.handlers.outputs import import_document
from cjm.services import prompts
from cjm.services.prompts import PromptKind


async def prompt_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the bot's messages: apply it and refresh the card it belongs to."""
    message = update.effective_message
    assert message is not None  # noqa: S101  (filter)
    assert message.reply_to_message is not None  # noqa: S101  (filters.REPLY)
    replied_to = message.reply_to_message.from_user
    if replied_to is None or replied_to.id != context.bot.id:
        return  # members talking to each other (the bot sees this when it is an admin)
    chat_id = context.chat(update).id
    question = message.reply_to_message.message_id
    if message.text is None:
        kind = prompts.kind_of(context.uow(), chat_id=chat_id, message_id=question)
        if kind is PromptKind.MAP_IMPORT and message.document is not None:
            await import_document(update, context, message.document)
        elif kind is not None:
            raise NotText
        return
    card = prompts.answer(
        context.uow(),
        chat_id=chat_id,
        prompt_message_id=question,
        reply_message_id=message.message_id,
        text=message.text,
        actor=context.actor(update),
    )
    if card.message_id is not None:
        await context.show_card(update, card)


HANDLERS = [
    MessageHandler(
        filters.REPLY & ~filters.COMMAND & filters.ChatType.GROUPS & ~filters.StatusUpdate.ALL,
        prompt_reply,
    ),
]
