"""Exactly once: every update that changes something is claimed once, whatever Telegram resends.

Telegram sends an update again when the bot did not confirm it (a crash or restart before the
next getUpdates), and sends an edited message as an update of its own with the same message
id. `claim` runs before every handler (group CLAIM_GROUP) and stops a second delivery:
- a button press is claimed by its callback query id;
- a command, a file, a customer's message by (chat id, message id);
- a text reply to the bot is claimed by prompts.answer, in the answer's own transaction, so a
  refused answer stays unclaimed and can be sent or edited again;
- an edited command does nothing new; an edited reply goes on to replies.edited_reply.

A press or command is claimed in its own transaction before its handler runs, because what it
changes is often a message (a posted card or question), which no transaction can take back:
if the handler then fails, the claim stays, and a redelivery does not act a second time
(at most once; the member sees no answer and presses again, which is a new press).
"""

import logging

from telegram import Message, MessageEntity, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
)

from bot.context import BotContext
from bot.handlers import replies
from cjm.services import handled_messages

log = logging.getLogger(__name__)

CLAIM_GROUP = -1  # before every feature's handlers (group 0)


def _is_command(message: Message) -> bool:
    entities = message.entities or ()
    return any(e.type == MessageEntity.BOT_COMMAND and e.offset == 0 for e in entities)


def _answered_in_transaction(message: Message) -> bool:
    """A text reply in a group: prompts.answer claims it together with the change it makes."""
    return (
        message.text is not None
        and message.reply_to_message is not None
        and message.chat.type in ("group", "supergroup")
        and not _is_command(message)
    )


async def claim(update: Update, context: BotContext) -> None:
    """Let an update through once; a redelivered press or message, or an edited command, stops."""
    query = update.callback_query
    if query is not None:
        if not handled_messages.claim_press(context.uow(), query_id=query.id):
            log.info("update %s: press %s handled before", update.update_id, query.id)
            raise ApplicationHandlerStop
        return
    edited = update.edited_message
    if edited is not None:
        if not _answered_in_transaction(edited):
            raise ApplicationHandlerStop  # an edited command does nothing new
        return
    message = update.message
    if message is None or _answered_in_transaction(message):
        return
    chat_id = message.chat.id
    if not handled_messages.claim_message(
        context.uow(), chat_id=chat_id, message_id=message.message_id
    ):
        log.info("update %s: message %s handled before", update.update_id, message.message_id)
        raise ApplicationHandlerStop


# The handlers of updates `claim` leaves to them, and why each still acts once.
CLAIMED_ELSEWHERE: dict[object, str] = {
    replies.prompt_reply: "prompts.answer claims the reply in the answer's transaction",
    replies.edited_reply: "an edit sets again the value its reply set, or changes nothing",
}


def covers(handler: BaseHandler[Update, BotContext, None]) -> bool:
    """Whether `claim` (or CLAIMED_ELSEWHERE) makes the handler act once per update.

    A MessageHandler not named in CLAIMED_ELSEWHERE is covered only if it never sees a group's
    text reply; the drift test checks that with its filters.
    """
    if isinstance(handler, CallbackQueryHandler | CommandHandler):
        return True  # presses by query id; commands by message (an edit of one stops in claim)
    if isinstance(handler, ChatMemberHandler):
        return True  # the bot's own membership: setting a status twice sets it once
    return isinstance(handler, MessageHandler)
