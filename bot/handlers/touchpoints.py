"""Step 3 buttons: a touchpoint's channel and whether it is online."""

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import SetChannel, SetMode
from bot.context import BotContext
from bot.handlers.cards import check_on_card, refresh_card
from bot.keyboards import CHANNELS
from cjm.errors import StaleButton
from cjm.models import Mode
from cjm.services import touchpoints


async def channel_button(update: Update, context: BotContext) -> None:
    """Pick one of the suggested channels."""
    payload = SetChannel.parse(context.payload(update))
    check_on_card(update, context, "touchpoint", payload.touchpoint_id)
    if not 0 <= payload.channel < len(CHANNELS):
        raise StaleButton
    touchpoints.set_channel(
        context.uow(),
        touchpoint_id=payload.touchpoint_id,
        channel=CHANNELS[payload.channel],
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


async def mode_button(update: Update, context: BotContext) -> None:
    """Mark the touchpoint online or offline."""
    payload = SetMode.parse(context.payload(update))
    check_on_card(update, context, "touchpoint", payload.touchpoint_id)
    modes = list(Mode)
    if not 0 <= payload.mode < len(modes):
        raise StaleButton
    touchpoints.set_mode(
        context.uow(),
        touchpoint_id=payload.touchpoint_id,
        mode=modes[payload.mode],
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


HANDLERS = [
    CallbackQueryHandler(channel_button, pattern=SetChannel.pattern()),
    CallbackQueryHandler(mode_button, pattern=SetMode.pattern()),
]
