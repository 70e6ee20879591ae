"""Step 2 buttons: stage templates and reordering."""

from telegram import Update

from bot.buttons import on_press
from bot.callbacks import MoveStage, UseTemplate
from bot.context import BotContext
from bot.handlers.cards import check_on_card, refresh_card
from cjm.errors import StaleButton
from cjm.services import stages


async def template_button(update: Update, context: BotContext, payload: UseTemplate) -> None:
    """Fill the stages from a template, named in the chat's language."""
    check_on_card(update, context, "map", payload.map_id)
    names = context.macro(update, "chat/stage_templates.html", payload.template)
    stages.add_stages(
        context.uow(),
        chat_id=context.chat(update).id,
        map_id=payload.map_id,
        text=names,
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


async def move_stage_button(update: Update, context: BotContext, payload: MoveStage) -> None:
    """Move a stage earlier or later."""
    check_on_card(update, context, "stage", payload.stage_id)
    if payload.offset not in (-1, 1):
        raise StaleButton
    stages.move_stage(
        context.uow(),
        chat_id=context.chat(update).id,
        stage_id=payload.stage_id,
        offset=payload.offset,
        actor=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update)


HANDLERS = [
    on_press(UseTemplate, template_button),
    on_press(MoveStage, move_stage_button),
]
