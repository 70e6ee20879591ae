"""Who may do what: destructive actions are for the group's admins (anonymous ones too)."""

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest

from bot.context import BotContext, anonymous_sender
from cjm.errors import AdminsOnly

ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})


async def require_admin(update: Update, context: BotContext) -> None:
    """Raise AdminsOnly unless the member behind the update administers the group.

    A message sent as the group itself comes from an anonymous admin: only admins may
    (https://core.telegram.org/bots/api#message, sender_chat). Its `from` is the fake
    GroupAnonymousBot, which getChatMember does not know, so it is never asked about.
    """
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        raise AdminsOnly
    group = anonymous_sender(update)
    if group is not None:
        if group.id == chat.id:
            return
        raise AdminsOnly  # on behalf of a channel: not an admin of this group
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except BadRequest as error:
        if "user not found" in error.message.lower():  # no longer a member
            raise AdminsOnly from error
        raise
    if member.status not in ADMIN_STATUSES:
        raise AdminsOnly
