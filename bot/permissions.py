"""Who may do what: destructive actions are for the group's admins."""

from telegram import Update
from telegram.constants import ChatMemberStatus

from bot.context import BotContext
from cjm.errors import AdminsOnly

ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})


async def require_admin(update: Update, context: BotContext) -> None:
    """Raise AdminsOnly unless the member behind the update administers the group."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        raise AdminsOnly
    member = await context.bot.get_chat_member(chat.id, user.id)
    if member.status not in ADMIN_STATUSES:
        raise AdminsOnly
