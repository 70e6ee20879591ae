"""Step 4 buttons: each member's emotion vote."""

from telegram import Update

from bot.buttons import on_press
from bot.callbacks import Vote
from bot.context import BotContext
from bot.handlers.cards import check_on_card, refresh_card
from cjm.render.marks import EMOTION_EMOJI
from cjm.services import emotions


async def vote_button(update: Update, context: BotContext, payload: Vote) -> None:
    """Record the member's vote (a second press replaces the first)."""
    check_on_card(update, context, "touchpoint", payload.touchpoint_id)
    emotions.cast_vote(
        context.uow(),
        touchpoint_id=payload.touchpoint_id,
        score=payload.score,
        voter=context.actor(update),
    )
    refresh_card(update, context)
    await context.answer(update, EMOTION_EMOJI[payload.score])


HANDLERS = [on_press(Vote, vote_button)]
