"""Who may do what: destructive actions are for the group's admins (anonymous ones too).

Posting into another group is for members who administer that group, asked of Telegram.
"""

import asyncio
from collections.abc import Iterable

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden

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


# getChatMember calls in flight at once while checking the groups a survey may go to.
MEMBER_CHECKS_AT_ONCE = 10


async def administers(context: BotContext, chat_id: int, user_id: int) -> bool:
    """Whether Telegram says this user administers that group right now (getChatMember).

    A user who is not in it, or a group the bot has left, is simply no.
    """
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except (BadRequest, Forbidden):
        return False
    return member.status in ADMIN_STATUSES


async def administered_groups(
    context: BotContext, user_id: int, chat_ids: Iterable[int]
) -> list[int]:
    """Of these groups, the ones the user administers right now, asked a few at a time."""
    gate = asyncio.Semaphore(MEMBER_CHECKS_AT_ONCE)

    async def check(chat_id: int) -> bool:
        async with gate:
            return await administers(context, chat_id, user_id)

    ids = list(chat_ids)
    answers = await asyncio.gather(*(check(chat_id) for chat_id in ids))
    return [chat_id for chat_id, yes in zip(ids, answers, strict=True) if yes]
