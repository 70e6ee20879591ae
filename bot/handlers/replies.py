"""Replies to the bot's prompts: one router for every question any feature asks.

Under privacy mode the bot sees a member's message only when it replies to the bot, so every
question is a stored prompt. This router finds what was asked by (chat id, message id) and
hands the reply to the feature that registered that prompt kind with `@answers(...)`; map
questions (the wizard's step cards and their prompts) are the default.
"""

from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot.context import BotContext
from cjm.errors import NotText
from cjm.services import prompts

Answer = Callable[[Update, BotContext, Message], Awaitable[None]]
_ANSWERS: dict[str, tuple[Answer, bool]] = {}  # kind → (handler, whether it takes files)


def answers(*kinds: str, files: bool = False) -> Callable[[Answer], Answer]:
    """Register the handler for replies to prompts of these kinds.

    Unless it takes files, the router answers anything but text (a sticker, a photo) with
    NotText, so the handler can rely on message.text.
    """

    def register(handler: Answer) -> Answer:
        for kind in kinds:
            _ANSWERS[kind] = (handler, files)
        return handler

    return register


async def prompt_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the bot's messages: hand it to the feature that asked."""
    message = update.effective_message
    assert message is not None  # noqa: S101  (filter)
    assert message.reply_to_message is not None  # noqa: S101  (filters.REPLY)
    replied_to = message.reply_to_message.from_user
    if replied_to is None or replied_to.id != context.bot.id:
        return  # members talking to each other (the bot sees this when it is an admin)
    kind = prompts.kind_of(
        context.uow(),
        chat_id=context.chat(update).id,
        message_id=message.reply_to_message.message_id,
    )
    if kind is None and message.text is None:
        return  # a sticker under a bot message that asks nothing: nothing to say
    handler, takes_files = _ANSWERS.get(kind or "", (answer_map_prompt, False))
    if message.text is None and not takes_files:
        raise NotText
    await handler(update, context, message)


async def answer_map_prompt(update: Update, context: BotContext, message: Message) -> None:
    """A map question (a step card or one of its prompts): apply it and refresh the card."""
    assert message.reply_to_message is not None  # noqa: S101  (a reply)
    assert message.text is not None  # noqa: S101  (the router sends text only)
    card_message_id = prompts.answer(
        context.uow(),
        chat_id=context.chat(update).id,
        prompt_message_id=message.reply_to_message.message_id,
        reply_message_id=message.message_id,
        text=message.text,
        actor=context.actor(update),
    )
    if card_message_id is not None:
        context.redraw_card(update, card_message_id)


HANDLERS = [
    MessageHandler(
        filters.REPLY & ~filters.COMMAND & filters.ChatType.GROUPS & ~filters.StatusUpdate.ALL,
        prompt_reply,
    ),
]
