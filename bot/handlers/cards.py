"""Step cards: focusing an item, asking a question about it, deleting it."""

from telegram import Update

from bot.buttons import on_press
from bot.callbacks import Ask, AskDelete, AskPersona, ConfirmDelete, Focus, ShowCard
from bot.context import BotContext
from bot.keyboards import confirm_delete_keyboard
from bot.permissions import require_admin
from cjm.errors import ItemGone, StaleButton
from cjm.models import FocusKind, PromptKind
from cjm.services import fixes, pains, prompts, stages, touchpoints


def refresh_card(update: Update, context: BotContext) -> None:
    """Redraw the card whose button was pressed, as the map stands when the edit goes out."""
    context.redraw_card(update, context.pressed_message_id(update))


def check_on_card(update: Update, context: BotContext, kind: str, item_id: int) -> None:
    """Refuse a payload naming an item that is not on the pressed card's map (old or forged)."""
    prompts.check_on_card(
        context.uow(),
        chat_id=context.chat(update).id,
        card_message_id=context.pressed_message_id(update),
        kind=kind,
        item_id=item_id,
    )


async def focus_button(update: Update, context: BotContext, payload: Focus) -> None:
    """Point the card at a stage, touchpoint, pain point or fix (0: back to the list)."""
    prompts.focus(
        context.uow(),
        chat_id=context.chat(update).id,
        card_message_id=context.pressed_message_id(update),
        focus=payload.kind,
        target_id=payload.item_id or None,
    )
    refresh_card(update, context)
    await context.answer(update)


async def show_card_button(update: Update, context: BotContext, _press: ShowCard) -> None:
    """Redraw the card (after "Cancel")."""
    refresh_card(update, context)
    await context.answer(update)


IN_CARD_TEMPLATE = "chat/in_card.html"
# Questions the card itself asks: a reply to the card adds to what it has in focus, so a press
# points the card at the button's item (when it showed another) and says so in a toast; a
# question message would add nothing but a message (and Telegram's group pace is 20 a minute).
ASKED_IN_CARD: dict[PromptKind, FocusKind] = {
    PromptKind.STAGE_ADD: FocusKind.STAGE,  # the list of stages (no stage in focus)
    PromptKind.STAGE_GOAL: FocusKind.STAGE,
    PromptKind.TOUCHPOINT_ADD: FocusKind.STAGE,
    PromptKind.EMOTION_NOTE: FocusKind.TOUCHPOINT,
    PromptKind.PAIN_ADD: FocusKind.STAGE,
    PromptKind.FIX_ADD: FocusKind.PAIN,
}


async def ask_button(update: Update, context: BotContext, payload: Ask) -> None:
    """Ask what a card's button stands for: in the card itself, or as a question to reply to."""
    focus = ASKED_IN_CARD.get(payload.kind)
    if focus is None:
        await _ask_from_card(update, context, payload.kind, payload.item_id or None)
        return
    asked = prompts.prepare(
        context.uow(),
        chat_id=context.chat(update).id,
        kind=payload.kind,
        target_id=payload.item_id or None,
        card_message_id=context.pressed_message_id(update),
    )
    target_id = None if payload.kind is PromptKind.STAGE_ADD else asked.target_id
    card = prompts.get_card(
        context.uow(),
        chat_id=context.chat(update).id,
        card_message_id=context.pressed_message_id(update),
    )
    if card.focus_id != target_id:
        prompts.focus(
            context.uow(),
            chat_id=context.chat(update).id,
            card_message_id=context.pressed_message_id(update),
            focus=focus,
            target_id=target_id,
        )
        refresh_card(update, context)
    macro = payload.kind.value.replace(".", "_")
    await context.answer(
        update, context.plain_macro(update, IN_CARD_TEMPLATE, macro, **asked.params)
    )


async def ask_persona_button(update: Update, context: BotContext, payload: AskPersona) -> None:
    """Post the question for one persona field."""
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
        card_message_id=context.pressed_message_id(update),
    )
    await context.ask(update, asked)
    await context.answer(update)


async def ask_delete_button(update: Update, context: BotContext, payload: AskDelete) -> None:
    """Turn the card into "delete X?" with Yes / Cancel."""
    card = prompts.get_card(
        context.uow(),
        chat_id=context.chat(update).id,
        card_message_id=context.pressed_message_id(update),
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


async def confirm_delete_button(
    update: Update, context: BotContext, payload: ConfirmDelete
) -> None:
    """The "Yes, delete" button: an admin deletes the item, and the card comes back."""
    check_on_card(update, context, payload.kind.value, payload.item_id)
    await require_admin(update, context)
    actor, uow, item_id = context.actor(update), context.uow(), payload.item_id
    chat_id = context.chat(update).id
    match payload.kind:
        case FocusKind.STAGE:
            stages.delete_stage(uow, chat_id=chat_id, stage_id=item_id, actor=actor)
        case FocusKind.TOUCHPOINT:
            touchpoints.delete_touchpoint(uow, chat_id=chat_id, touchpoint_id=item_id, actor=actor)
        case FocusKind.PAIN:
            pains.delete_pain(uow, chat_id=chat_id, pain_id=item_id, actor=actor)
        case FocusKind.FIX:
            fixes.delete_fix(uow, chat_id=chat_id, fix_id=item_id, actor=actor)
    refresh_card(update, context)
    await context.answer(update)


async def unknown_button(update: Update, context: BotContext) -> None:
    """A button whose data no handler understands."""
    raise StaleButton


HANDLERS = [
    on_press(Focus, focus_button),
    on_press(ShowCard, show_card_button),
    on_press(Ask, ask_button),
    on_press(AskPersona, ask_persona_button),
    on_press(AskDelete, ask_delete_button),
    on_press(ConfirmDelete, confirm_delete_button),
]
