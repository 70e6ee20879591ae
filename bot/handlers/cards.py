"""Step cards: focusing an item, asking a question about it, deleting it."""

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import Ask, AskDelete, ConfirmDelete, Focus, ShowCard
from bot.context import BotContext
from bot.keyboards import DELETABLE, FOCUS_KINDS, PROMPT_KINDS, confirm_delete_keyboard
from bot.permissions import require_admin
from cjm.errors import ItemGone, StaleButton
from cjm.models import PersonaField, PromptKind
from cjm.services import fixes, pains, prompts, stages, touchpoints
from cjm.views import MapView


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
    if not 0 <= payload.kind < len(FOCUS_KINDS):
        raise StaleButton
    if payload.item_id:
        check_on_card(update, context, FOCUS_KINDS[payload.kind], payload.item_id)
    prompts.focus(
        context.uow(),
        chat_id=context.chat(update).id,
        card_message_id=_card_message_id(update),
        target_id=payload.item_id or None,
        field=FOCUS_KINDS[payload.kind],
    )
    refresh_card(update, context)
    await context.answer(update)


async def show_card_button(update: Update, context: BotContext) -> None:
    """Redraw the card (after "Cancel")."""
    ShowCard.parse(context.payload(update))
    refresh_card(update, context)
    await context.answer(update)


def _question(kind: PromptKind, item_id: int, journey: MapView) -> tuple[str, dict[str, Any]]:
    """The prompts.html macro for a question and what it names (raises ItemGone if gone)."""
    if kind is PromptKind.PERSONA_FIELD:
        fields = list(PersonaField)
        if not 0 <= item_id < len(fields):
            raise StaleButton
        field = fields[item_id]
        return "persona_field", {"field": field.value, "current": journey.persona[field]}
    if kind is PromptKind.STAGE_ADD:
        return "stage_add", {}
    finders = {
        "stage": journey.stage,
        "touchpoint": journey.touchpoint,
        "pain": journey.pain,
        "fix": journey.fix,
    }
    subject = {
        PromptKind.STAGE_RENAME: "stage",
        PromptKind.STAGE_GOAL: "stage",
        PromptKind.TOUCHPOINT_ADD: "stage",
        PromptKind.PAIN_ADD: "stage",
        PromptKind.TOUCHPOINT_RENAME: "touchpoint",
        PromptKind.TOUCHPOINT_CHANNEL: "touchpoint",
        PromptKind.EMOTION_NOTE: "touchpoint",
        PromptKind.PAIN_TEXT: "pain",
        PromptKind.FIX_ADD: "pain",
        PromptKind.FIX_TEXT: "fix",
        PromptKind.FIX_OWNER: "fix",
        PromptKind.FIX_DUE: "fix",
    }.get(kind)
    if subject is None:
        raise StaleButton
    item = finders[subject](item_id)
    if item is None:
        raise ItemGone(kind=subject)
    name = getattr(item, "name", None) or getattr(item, "text", "")
    return kind.value.replace(".", "_"), {"name": name}


async def ask_button(update: Update, context: BotContext) -> None:
    """Post the question a button stands for; members answer by replying to it."""
    payload = Ask.parse(context.payload(update))
    if not 0 <= payload.kind < len(PROMPT_KINDS):
        raise StaleButton
    kind = PROMPT_KINDS[payload.kind]
    card = prompts.get_card(
        context.uow(), chat_id=context.chat(update).id, card_message_id=_card_message_id(update)
    )
    macro, params = _question(kind, payload.item_id, card.map)
    is_field = kind is PromptKind.PERSONA_FIELD
    await context.ask(
        update,
        macro,
        params,
        kind=kind,
        map_id=card.map.id,
        target_id=None if is_field else payload.item_id,
        field=params["field"] if is_field else None,
        card_message_id=card.message_id,
    )
    await context.answer(update)


async def ask_delete_button(update: Update, context: BotContext) -> None:
    """Turn the card into "delete X?" with Yes / Cancel."""
    payload = AskDelete.parse(context.payload(update))
    if not 0 <= payload.kind < len(DELETABLE):
        raise StaleButton
    kind = DELETABLE[payload.kind]
    card = prompts.get_card(
        context.uow(), chat_id=context.chat(update).id, card_message_id=_card_message_id(update)
    )
    item = {
        "stage": card.map.stage,
        "touchpoint": card.map.touchpoint,
        "pain": card.map.pain,
        "fix": card.map.fix,
    }[kind](payload.item_id)
    if item is None:
        raise ItemGone(kind=kind)
    name = getattr(item, "name", None) or getattr(item, "text", "")
    text = context.deps.texts.macro(
        context.language(update), "chat/prompts.html", "confirm_delete", kind=kind, name=name
    )
    query = update.callback_query
    assert query is not None  # noqa: S101  (a button handler)
    await query.edit_message_text(
        text,
        parse_mode="HTML",
        reply_markup=confirm_delete_keyboard(kind, payload.item_id, context.labels(update)),
    )
    await context.answer(update)


async def confirm_delete_button(update: Update, context: BotContext) -> None:
    """The "Yes, delete" button: an admin deletes the item, and the card comes back."""
    payload = ConfirmDelete.parse(context.payload(update))
    if not 0 <= payload.kind < len(DELETABLE):
        raise StaleButton
    check_on_card(update, context, DELETABLE[payload.kind], payload.item_id)
    await require_admin(update, context)
    actor, uow, item_id = context.actor(update), context.uow(), payload.item_id
    match DELETABLE[payload.kind]:
        case "stage":
            stages.delete_stage(uow, stage_id=item_id, actor=actor)
        case "touchpoint":
            touchpoints.delete_touchpoint(uow, touchpoint_id=item_id, actor=actor)
        case "pain":
            pains.delete_pain(uow, pain_id=item_id, actor=actor)
        case _:
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
    CallbackQueryHandler(ask_delete_button, pattern=AskDelete.pattern()),
    CallbackQueryHandler(confirm_delete_button, pattern=ConfirmDelete.pattern()),
]
