"""Step 4 buttons: each member's emotion vote."""

from telegram import Update

from bot.buttons import on_press
from bot.callbacks import Vote
from bot.context import BotContext
from bot.handlers.cards import check_on_card
from cjm.render.marks import EMOTION_EMOJI
from cjm.services import emotions

# A team votes together: the votes cast within this long of the first show in one card edit
# (Telegram counts edits in a group's 20 messages a minute); each voter sees theirs at once in
# the press's answer.
VOTES_GATHER_S = 0.7


async def vote_button(update: Update, context: BotContext, payload: Vote) -> None:
    """Record the member's vote (a second press replaces the first)."""
    check_on_card(update, context, "touchpoint", payload.touchpoint_id)
    emotions.cast_vote(
        context.uow(),
        chat_id=context.chat(update).id,
        touchpoint_id=payload.touchpoint_id,
        score=payload.score,
        voter=context.actor(update),
    )
    context.redraw_card(update, context.pressed_message_id(update), gather_s=VOTES_GATHER_S)
    await context.answer(update, EMOTION_EMOJI[payload.score])


HANDLERS = [on_press(Vote, vote_button)]
