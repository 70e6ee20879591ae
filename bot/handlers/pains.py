"""Step 5 buttons: a pain point's category, severity and touchpoint."""

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import AttachPain, SetCategory, SetSeverity
from bot.context import BotContext
from bot.handlers.cards import check_on_card, refresh_card
from cjm.errors import StaleButton
from cjm.models import PainCategory, Severity
from cjm.services import pains


async def category_button(update: Update, context: BotContext) -> None:
    """Set the pain point's category."""
    payload = SetCategory.parse(context.payload(update))
    check_on_card(update, context, "pain", payload.pain_id)
    categories = list(PainCategory)
    if not 0 <= payload.category < len(categories):
        raise StaleButton
    pains.edit_pain(
        context.uow(),
        pain_id=payload.pain_id,
        category=categories[payload.category],
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


async def severity_button(update: Update, context: BotContext) -> None:
    """Set the pain point's severity."""
    payload = SetSeverity.parse(context.payload(update))
    check_on_card(update, context, "pain", payload.pain_id)
    severities = list(Severity)
    if not 0 <= payload.severity < len(severities):
        raise StaleButton
    pains.edit_pain(
        context.uow(),
        pain_id=payload.pain_id,
        severity=severities[payload.severity],
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


async def attach_button(update: Update, context: BotContext) -> None:
    """Pin the pain point to a touchpoint, or to the whole stage."""
    payload = AttachPain.parse(context.payload(update))
    check_on_card(update, context, "pain", payload.pain_id)
    pains.attach_to_touchpoint(
        context.uow(),
        pain_id=payload.pain_id,
        touchpoint_id=payload.touchpoint_id or None,
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


HANDLERS = [
    CallbackQueryHandler(category_button, pattern=SetCategory.pattern()),
    CallbackQueryHandler(severity_button, pattern=SetSeverity.pattern()),
    CallbackQueryHandler(attach_button, pattern=AttachPain.pattern()),
]
