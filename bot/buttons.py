"""Registering a button handler: it receives its payload parsed (as aiogram's CallbackData.filter).

    HANDLERS = [on_press(Vote, vote_button)]  # async def vote_button(update, context, press: Vote)

The handler matches the payload's prefix; data that does not parse as that payload (forged, or
left by an older version of the bot) is a StaleButton before the handler runs.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import Button
from bot.context import BotContext

B = TypeVar("B", bound=Button)

PressHandler = Callable[[Update, BotContext, B], Awaitable[None]]


def on_press(
    payload_type: type[B], callback: PressHandler[B]
) -> CallbackQueryHandler[BotContext, None]:
    """A CallbackQueryHandler for one payload class that hands `callback` the parsed payload."""

    async def handle(update: Update, context: BotContext) -> None:
        await callback(update, context, payload_type.parse(context.payload(update)))

    handle.__name__ = handle.__qualname__ = getattr(callback, "__name__", "press")
    handle.__doc__ = callback.__doc__
    return CallbackQueryHandler(handle, pattern=payload_type.pattern())
