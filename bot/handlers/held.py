"""Answers held for a yes: a map title another map has, an unknown owner, a far due date.

The domain holds the answer (cjm.services.pending); the bot asks with Yes / No buttons under
it, as it asks before deleting. Yes applies the answer as it was typed; No forgets it.
"""

from telegram import Update

from bot.buttons import on_press
from bot.callbacks import DropHeld, KeepHeld
from bot.context import BotContext
from bot.keyboards import held_keyboard
from cjm.models import Step
from cjm.services import confirmations, pending
from cjm.views import CardView, Unconfirmed

ASK = "chat/held/ask.html"


async def ask_to_keep(update: Update, context: BotContext, held: Unconfirmed) -> None:
    """Say why an answer waits, with the buttons that keep or drop it."""
    await context.reply(
        update, ASK, held=held, reply_markup=held_keyboard(held, context.labels(update))
    )


async def keep_held_button(update: Update, context: BotContext, payload: KeepHeld) -> None:
    """Yes: apply the held answer; a new map gets its persona card, a fix its card redrawn."""
    actor = context.actor(update)
    kept = confirmations.keep(
        context.uow(), chat_id=context.chat(update).id, pending_id=payload.pending_id, actor=actor
    )
    await context.edit_query_message(update, "chat/held/kept.html", kept=kept, who=actor.name)
    await context.answer(update)
    if kept.map is not None:
        await context.post_card(update, CardView(kept.map, Step.PERSONA))
    elif kept.card_message_id is not None:
        context.redraw_card(update, kept.card_message_id)


async def drop_held_button(update: Update, context: BotContext, payload: DropHeld) -> None:
    """No: forget the held answer; nothing changes."""
    value = pending.drop(
        context.uow(), chat_id=context.chat(update).id, pending_id=payload.pending_id
    )
    await context.edit_query_message(update, "chat/held/dropped.html", value=value)
    await context.answer(update)


HANDLERS = [
    on_press(KeepHeld, keep_held_button),
    on_press(DropHeld, drop_held_button),
]
