"""Replies to the bot's questions: the one router for every question any feature asks.

Under privacy mode the bot sees a member's message only when it replies to the bot, so every
question is a stored prompt. The router hands a text reply to `prompts.answer`, which applies
it as the question table (cjm/services/questions.py) says and names what to redraw; the feature
that shows that message registered how to redraw it with `@redraws(...)`. Questions that take a
file (importing a map) registered a file handler with `@takes_files(...)`.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot import seen
from bot.context import BotContext
from bot.handlers import held
from bot.messages import delete_answered
from cjm.errors import ItemGone, NotText
from cjm.models import PromptKind
from cjm.services import prompts
from cjm.services.questions import question
from cjm.views import Answered, Redraw, Skipped, Unconfirmed

Redrawer = Callable[[Update, BotContext, Answered], Awaitable[None]]
FileAnswer = Callable[[Update, BotContext, Message], Awaitable[None]]

REDRAWERS: dict[Redraw, Redrawer] = {}
FILE_ANSWERS: dict[PromptKind, FileAnswer] = {}
CONFIRMATION = "chat/answered.html"
SKIPPED = "chat/skipped.html"  # a list reply's lines already on the map
# deleteMessage (core.telegram.org/bots/api#deletemessage): "A message can only be deleted if
# it was sent less than 48 hours ago"; an hour's margin for the time the answer takes.
DELETABLE_FOR = timedelta(hours=47)


def redraws(target: Redraw) -> Callable[[Redrawer], Redrawer]:
    """Register how the message of `target` is redrawn after an answer changed it."""

    def register(redrawer: Redrawer) -> Redrawer:
        REDRAWERS[target] = redrawer
        return redrawer

    return register


def takes_files(kind: PromptKind) -> Callable[[FileAnswer], FileAnswer]:
    """Register the handler of anything but text sent in reply to a question of this kind."""

    def register(handler: FileAnswer) -> FileAnswer:
        FILE_ANSWERS[kind] = handler
        return handler

    return register


async def prompt_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the bot's messages: answer what it asked, then redraw."""
    message = update.effective_message
    assert message is not None  # noqa: S101  (filter)
    assert message.reply_to_message is not None  # noqa: S101  (filters.REPLY)
    replied_to = message.reply_to_message.from_user
    if replied_to is None or replied_to.id != context.bot.id:
        return  # members talking to each other (the bot sees this when it is an admin)
    chat_id = context.chat(update).id
    if message.text is None:
        kind = prompts.kind_of(
            context.uow(), chat_id=chat_id, message_id=message.reply_to_message.message_id
        )
        if kind is None:
            return  # a sticker under a bot message that asks nothing: nothing to say
        if not question(kind).takes_files:
            raise NotText
        await FILE_ANSWERS[kind](update, context, message)
        return
    await _answer(update, context, message, edited=False)


async def edited_reply(update: Update, context: BotContext) -> None:
    """A member edited their reply: it sets its value again (or says why it cannot)."""
    message = update.edited_message
    assert message is not None  # noqa: S101  (filter)
    assert message.reply_to_message is not None  # noqa: S101  (filters.REPLY)
    replied_to = message.reply_to_message.from_user
    if replied_to is None or replied_to.id != context.bot.id or message.text is None:
        return
    await _answer(update, context, message, edited=True)


async def _answer(update: Update, context: BotContext, message: Message, *, edited: bool) -> None:
    chat_id = context.chat(update).id
    prompt_message = message.reply_to_message
    assert prompt_message is not None  # noqa: S101  (filters.REPLY)
    assert message.text is not None  # noqa: S101  (checked by the callers)
    answered = prompts.answer(
        context.uow(),
        chat_id=chat_id,
        prompt_message_id=prompt_message.message_id,
        reply_message_id=message.message_id,
        text=message.text,
        actor=context.actor(update),
        # An edit goes where its reply went (the claim recorded it), whatever the card shows.
        seen=None if edited else _seen(update, context, chat_id, prompt_message),
        edited=edited,
    )
    if isinstance(answered.outcome, Unconfirmed):
        # Nothing is set yet: the question stays, so a member can reply to it again.
        await held.ask_to_keep(update, context, answered.outcome)
        return
    # The answer is stored: neither telling so nor redrawing may report it as failed.
    if isinstance(answered.outcome, Skipped):
        async with context.saved(update):
            await context.reply(update, SKIPPED, skipped=answered.outcome)
    elif answered.confirm:
        async with context.saved(update):
            await context.reply(
                update, CONFIRMATION, kind=answered.kind.value, outcome=answered.outcome
            )
    async with context.saved(update):
        await REDRAWERS[answered.redraw](update, context, answered)
    if (
        not edited
        and not question(answered.kind).is_card
        and message.date - prompt_message.date < DELETABLE_FOR
    ):
        # Answered, the question only crowds the chat; its prompt stays, so a late reply
        # to it (sent before it vanished) still lands, and a redelivered one is still a no-op.
        async with context.saved(update):
            await delete_answered(context.bot, chat_id, prompt_message.message_id)


def _seen(
    update: Update, context: BotContext, chat_id: int, prompt_message: Message
) -> prompts.Seen | None:
    """What the replied-to step card showed its author (None for a question or a plain card)."""
    kind = prompts.kind_of(context.uow(), chat_id=chat_id, message_id=prompt_message.message_id)
    if kind is None or not question(kind).is_card or not seen.depends_on_focus(kind):
        return None
    try:
        card = prompts.get_card(
            context.uow(), chat_id=chat_id, card_message_id=prompt_message.message_id
        )
    except ItemGone:
        return None  # its map is gone: the answer says so
    return seen.seen_on(card, prompt_message, context.labels(update))


@redraws(Redraw.NOTHING)
async def redraw_nothing(update: Update, context: BotContext, answered: Answered) -> None:
    """The answer shows in the confirmation alone."""


@redraws(Redraw.STEP_CARD)
async def redraw_step_card(update: Update, context: BotContext, answered: Answered) -> None:
    """Redraw the step card in the background, as the map stands when the edit goes out."""
    if answered.card_message_id is not None:
        context.redraw_card(update, answered.card_message_id)


_REPLY = filters.REPLY & ~filters.COMMAND & filters.ChatType.GROUPS & ~filters.StatusUpdate.ALL

HANDLERS = [
    MessageHandler(filters.UpdateType.MESSAGE & _REPLY, prompt_reply),
    # Bot API, Update.edited_message: "New version of a message that is known to the bot and
    # was edited" (https://core.telegram.org/bots/api#update).
    MessageHandler(filters.UpdateType.EDITED_MESSAGE & _REPLY, edited_reply),
]
