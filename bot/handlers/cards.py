"""Step cards: focusing an item, asking a question about it, deleting it."""

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import Ask, AskDelete, AskPersona, ConfirmDelete, Focus, ShowCard
from bot.context import BotContext
from bot.keyboards import confirm_delete_keyboard
from bot.permissions import require_admin
from cjm.errors import ItemGone, StaleButton
from cjm.models import FocusKind, PromptKind
from cjm.services import fixes, pains, prompts, stages, touchpoints


def _card_message_id(update: Update) -> int:
    query = update.callback_query
    if query is None or query.message is None:
        raise StaleButton
    return query.message.message_id


def refresh_card(update: Update, context: BotContext) -> None:
    """Redraw the card whose button was pressed, as the map stands when the edit goes out."""
    context.redraw_card(update, _card_message_id(update))


def check_on_card(update: Update, context: BotContext, kind: str, item_id: int) -> None:
    """Refuse a payload naming an item that is not on the pressed card's map (old or forged)."""
    prompts.check_on_card(
        context.uow(),
        chat_id=context.chat(update).id,
        card_message_id=_card_message_id(update),
        kind=kind,
        item_id=item_id,
    )


async def focus_button(update: Update, context: BotContext) -> None:
    """Point the card at a stage, touchpoint, pain point or fix (0: back to the list)."""
    payload = Focus.parse(context.payload(update))
    prompts.focus(
        context.uow(),
        chat_id=context.chat(update).id,
        card_message_id=_card_message_id(update),
        focus=payload.kind,
        target_id=payload.item_id or None,
    )
    refresh_card(update, context)
    await context.answer(update)


async def show_card_button(update: Update, context: BotContext) -> None:
    """Redraw the card (after "Cancel")."""
    ShowCard.parse(context.payload(update))
    refresh_card(update, context)
    await context.answer(update)


async def ask_button(update: Update, context: BotContext) -> None:
    """Post the question a card's button stands for; members answer by replying to it."""
    payload = Ask.parse(context.payload(update))
    await _ask_from_card(update, context, payload.kind, payload.item_id or None)


async def ask_persona_button(update: Update, context: BotContext) -> None:
    """Post the question for one persona field."""
    payload = AskPersona.parse(context.payload(update))
    await _ask_from_card(update, context, PromptKind.PERSONA_FIELD, None, payload)


async def _ask_from_card(
    update: Update,
    context: BotContext,
    kind: PromptKind,
    item_id: int | None,
    persona: AskPersona | None = None,
) -> None:
    asked = prompts.prepare(
        context.uow(),
        chat_id=context.chat(update).id,
        kind=kind,
        target_id=item_id,
        persona_field=persona.field if persona else None,
        card_message_id=_card_message_id(update),
    )
    await context.ask(update, asked)
    await context.answer(update)


async def ask_delete_button(update: Update, context: BotContext) -> None:
    """Turn the card into "delete X?" with Yes / Cancel."""
    payload = AskDelete.parse(context.payload(update))
    card = prompts.get_card(
        context.uow(), chat_id=context.chat(update).id, card_message_id=_card_message_id(update)
    )
    item = {
        FocusKind.STAGE: card.map.stage,
        FocusKind.TOUCHPOINT: card.map.touchpoint,
        FocusKind.PAIN: card.map.pain,
        FocusKind.FIX: card.map.fix,
    }[payload.kind](payload.item_id)
    if item is None:
        raise ItemGone(kind=payload.kind.value)
    name = getattr(item, "name", None) or getattr(item, "text", "")
    text = context.render(update, "chat/confirm_delete.html", kind=payload.kind.value, name=name)
    await context.edit_pressed(
        update,
        text.strip(),
        confirm_delete_keyboard(payload.kind, payload.item_id, context.labels(update)),
    )
    await context.answer(update)


async def confirm_delete_button(update: Update, context: BotContext) -> None:
    """The "Yes, delete" button: an admin deletes the item, and the card comes back."""
    payload = ConfirmDelete.parse(context.payload(update))
    check_on_card(update, context, payload.kind.value, payload.item_id)
    await require_admin(update, context)
    actor, uow, item_id = context.actor(update), context.uow(), payload.item_id
    match payload.kind:
        case FocusKind.STAGE:
            stages.delete_stage(uow, stage_id=item_id, actor=actor)
        case FocusKind.TOUCHPOINT:
            touchpoints.delete_touchpoint(uow, touchpoint_id=item_id, actor=actor)
        case FocusKind.PAIN:
            pains.delete_pain(uow, pain_id=item_id, actor=actor)
        case FocusKind.FIX:
            fixes.delete_fix(uow, fix_id=item_id, actor=actor)
    refresh_card(update, context)
    await context.answer(update)


async def unknown_button(update: Update, context: BotContext) -> None:
    """A button whose data no handler understands."""
    raise StaleButton


HANDLERS = [
    CallbackQueryHandler(focus_button, pattern=Focus.pattern()),
    CallbackQueryHandler(show_card_button, pattern=ShowCard.pattern()),
    CallbackQueryHandler(ask_button, pattern=Ask.pattern()),
    CallbackQueryHandler(ask_persona_button, pattern=AskPersona.pattern()),
    CallbackQueryHandler(ask_delete_button, pattern=AskDelete.pattern()),
    CallbackQueryHandler(confirm_delete_button, pattern=ConfirmDelete.pattern()),
]
