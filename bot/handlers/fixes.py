"""Step 6 buttons: a fix's status."""

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import SetFixStatus
from bot.context import BotContext
from bot.handlers.cards import check_on_card, refresh_card
from cjm.errors import StaleButton
from cjm.models import FixStatus
from cjm.services import fixes


async def status_button(update: Update, context: BotContext) -> None:
    """Move the fix to another status."""
    payload = SetFixStatus.parse(context.payload(update))
    check_on_card(update, context, "fix", payload.fix_id)
    statuses = list(FixStatus)
    if not 0 <= payload.status < len(statuses):
        raise StaleButton
    fixes.set_status(
        context.uow(),
        fix_id=payload.fix_id,
        status=statuses[payload.status],
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


HANDLERS = [CallbackQueryHandler(status_button, pattern=SetFixStatus.pattern())]
