"""Step 3 buttons: a touchpoint's channel and whether it is online."""

from telegram import Update

from bot.buttons import on_press
from bot.callbacks import SetChannel, SetMode
from bot.context import BotContext
from bot.handlers.cards import check_on_card, refresh_card
from cjm.services import prompts, touchpoints


async def channel_button(update: Update, context: BotContext, payload: SetChannel) -> None:
    """Pick a suggested channel, which says online or offline too; the card moves on.

    One press instead of four (the touchpoint, its channel, its mode, back to the list): the
    card goes on to the stage's next touchpoint without a channel, then back to the list.
    """
    check_on_card(update, context, "touchpoint", payload.touchpoint_id)
    shows, item_id = touchpoints.pick_channel(
        context.uow(),
        chat_id=context.chat(update).id,
        touchpoint_id=payload.touchpoint_id,
        channel=payload.channel,
        actor=context.actor(update),
    )
    prompts.focus(
        context.uow(),
        chat_id=context.chat(update).id,
        card_message_id=context.pressed_message_id(update),
        focus=shows,
        target_id=item_id,
    )
    refresh_card(update, context)
    await context.answer(update)


async def mode_button(update: Update, context: BotContext, payload: SetMode) -> None:
    """Mark the touchpoint online or offline."""
    check_on_card(update, context, "touchpoint", payload.touchpoint_id)
    touchpoints.set_mode(
        context.uow(),
        chat_id=context.chat(update).id,
        touchpoint_id=payload.touchpoint_id,
        mode=payload.mode,
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


HANDLERS = [
    on_press(SetChannel, channel_button),
    on_press(SetMode, mode_button),
]
