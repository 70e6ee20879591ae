"""Step 5 buttons: a pain point's category, severity and touchpoint."""

from telegram import Update

from bot.buttons import on_press
from bot.callbacks import AttachPain, SetCategory, SetSeverity
from bot.context import BotContext
from bot.handlers.cards import check_on_card, refresh_card
from cjm.services import pains


async def category_button(update: Update, context: BotContext, payload: SetCategory) -> None:
    """Set the pain point's category."""
    check_on_card(update, context, "pain", payload.pain_id)
    pains.edit_pain(
        context.uow(),
        chat_id=context.chat(update).id,
        pain_id=payload.pain_id,
        category=payload.category,
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


async def severity_button(update: Update, context: BotContext, payload: SetSeverity) -> None:
    """Set the pain point's severity."""
    check_on_card(update, context, "pain", payload.pain_id)
    pains.edit_pain(
        context.uow(),
        chat_id=context.chat(update).id,
        pain_id=payload.pain_id,
        severity=payload.severity,
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


async def attach_button(update: Update, context: BotContext, payload: AttachPain) -> None:
    """Pin the pain point to a touchpoint, or to the whole stage."""
    check_on_card(update, context, "pain", payload.pain_id)
    pains.attach_to_touchpoint(
        context.uow(),
        chat_id=context.chat(update).id,
        pain_id=payload.pain_id,
        touchpoint_id=payload.touchpoint_id or None,
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


HANDLERS = [
    on_press(SetCategory, category_button),
    on_press(SetSeverity, severity_button),
    on_press(AttachPain, attach_button),
]
