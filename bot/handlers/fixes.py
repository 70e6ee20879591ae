"""Step 6 buttons: a fix's status."""

from telegram import Update

from bot.buttons import on_press
from bot.callbacks import SetFixStatus
from bot.context import BotContext
from bot.handlers.cards import check_on_card, refresh_card
from cjm.services import fixes


async def status_button(update: Update, context: BotContext, payload: SetFixStatus) -> None:
    """Move the fix to another status."""
    check_on_card(update, context, "fix", payload.fix_id)
    fixes.set_status(
        context.uow(),
        chat_id=context.chat(update).id,
        fix_id=payload.fix_id,
        status=payload.status,
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


HANDLERS = [on_press(SetFixStatus, status_button)]
