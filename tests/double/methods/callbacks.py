"""Bot API method for button presses: answerCallbackQuery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.double.rules import CALLBACK_ANSWER_WINDOW_S, MAX_ANSWER_TEXT, QUERY_TOO_OLD
from tests.double.wire import Call, bad

if TYPE_CHECKING:
    from tests.double.world import World


async def answer_callback_query(world: World, call: Call) -> bool:
    """answerCallbackQuery: once per query, within its window; text at most 200 characters."""
    p = call.params
    record = world.callback_queries.get(str(p.get("callback_query_id") or ""))
    # https://core.telegram.org/bots/api#answercallbackquery: a query is answered once
    # ("the answer will be displayed to the user"); Telegram refuses a second answer just
    # like an unknown or expired query id ("query is too old … or query ID is invalid").
    if record is None or record.answered:
        raise bad(QUERY_TOO_OLD)
    if world.time_source() - record.pressed_at > CALLBACK_ANSWER_WINDOW_S:
        raise bad(QUERY_TOO_OLD)
    text = p.get("text")
    if text is not None and len(str(text)) > MAX_ANSWER_TEXT:
        raise bad("MESSAGE_TOO_LONG")
    record.answered = True
    record.answer_text = None if text is None else str(text)
    record.show_alert = bool(p.get("show_alert"))
    record.url = p.get("url")
    record.answered_event.set()
    world.notify()
    return True
