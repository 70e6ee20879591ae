"""The one way texts and keyboards go out: packed to Telegram's limits, edits idempotent.

The core renders a message as blocks (sections, stages); `pack` puts them into as few
messages as fit, splitting a block at a line and a line at a character, never inside a tag or
an entity, and closing the tags a part leaves open (re-opening them in the next), so Telegram's
HTML parser accepts every part. `send_text` and `edit_text` are the only calls that send texts
with buttons: an inline keyboard without a button goes out as none, since Telegram refuses it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.limits import MAX_TEXT

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ForceReply | None

# A tag, an entity, or one character (a line break among them): the places a part may end.
_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|.|\n", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][\w-]*)")
_MORE = "\n…"


def size(text: str) -> int:
    """Telegram counts in UTF-16 code units (an emoji outside the BMP is two)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Block:
    """A block of a message and the buttons that belong to it (they go where the block ends)."""

    text: str
    buttons: tuple[InlineKeyboardButton, ...] = ()


def pack(blocks: Sequence[str], limit: int = MAX_TEXT) -> list[str]:
    """Blocks as messages of at most `limit`, blocks joined by a blank line, in order.

    A block that does not fit a message of its own is split at line boundaries; a line too long
    for one message is cut between characters, outside any tag or entity. Tags still open at a
    cut are closed there and opened again at the start of the next part.
    """
    return [message.text for message in pack_blocks([Block(text) for text in blocks], limit)]


def pack_blocks(
    blocks: Sequence[Block], limit: int = MAX_TEXT, max_buttons: int | None = None
) -> list[Block]:
    """`pack` for blocks with buttons: a message also holds at most `max_buttons` of them."""
    messages: list[Block] = []
    text = ""
    buttons: tuple[InlineKeyboardButton, ...] = ()
    for block in blocks:
        if not block.text.strip():
            continue
        pieces = [block.text] if size(block.text) <= limit else _split(block.text, limit)
        for number, piece in enumerate(pieces):
            own = block.buttons if number == len(pieces) - 1 else ()
            joined = f"{text}\n\n{piece}"
            fits = max_buttons is None or len(buttons) + len(own) <= max_buttons
            if text and number == 0 and size(joined) <= limit and fits:
                text, buttons = joined, (*buttons, *own)
                continue
            if text:
                messages.append(Block(text, buttons))
            text, buttons = piece, own
    if text:
        messages.append(Block(text, buttons))
    return messages


def fit_message(text: str, limit: int = MAX_TEXT) -> str:
    """The first message of `text`, ending in "…" when the rest did not fit."""
    if size(text) <= limit:
        return text
    first = pack([text], limit - size(_MORE))[0]
    return first + _MORE


def _split(text: str, limit: int) -> list[str]:
    tokens = _TOKEN.findall(text)
    parts: list[str] = []
    stack: list[tuple[str, str]] = []  # (name, opening tag) open where the part starts
    start = 0
    while start < len(tokens):
        if tokens[start] == "\n":  # a part never starts with the line break it was cut at
            start += 1
            continue
        head = "".join(tag for _, tag in stack)
        used = size(head)
        opened = list(stack)
        end, end_stack = start, opened
        at_line: tuple[int, list[tuple[str, str]]] | None = None
        index = start
        while index < len(tokens):
            piece = tokens[index]
            after = _apply(opened, piece)
            if used + size(piece) + _closing_size(after) > limit and index > start:
                break
            used += size(piece)
            opened = after
            index += 1
            if piece == "\n":
                at_line = (index, opened)
        if index == len(tokens) or at_line is None or at_line[0] <= start + 1:
            end, end_stack = index, opened
        else:
            end, end_stack = at_line
        body = tokens[start:end]
        if body and body[-1] == "\n" and end < len(tokens):
            body = body[:-1]
        part = head + "".join(body) + _closing(end_stack)
        if _visible(part):
            parts.append(part)
        stack, start = end_stack, end
    return parts


def _apply(stack: list[tuple[str, str]], token: str) -> list[tuple[str, str]]:
    if not token.startswith("<") or len(token) < 3:
        return stack
    match = _TAG_NAME.match(token)
    if match is None:
        return stack
    name = match.group(1).lower()
    if token.startswith("</"):
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == name:
                return stack[:depth]
        return stack
    return [*stack, (name, token)]


def _closing(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _closing_size(stack: list[tuple[str, str]]) -> int:
    return sum(len(name) + 3 for name, _ in stack)


def _visible(part: str) -> bool:
    return bool(re.sub(r"<[^<>]*>", "", part).strip())


def has_buttons(keyboard: Markup) -> bool:
    """Whether the markup is worth sending: a ForceReply, or an inline keyboard with buttons."""
    if isinstance(keyboard, InlineKeyboardMarkup):
        return any(keyboard.inline_keyboard)
    return keyboard is not None


async def send_text(
    bot: Bot, chat_id: int, text: str, keyboard: Markup = None, *, reply_to: int | None = None
) -> Message:
    """Send rendered Telegram HTML, fitted to one message, without an empty keyboard."""
    return await bot.send_message(
        chat_id,
        fit_message(text),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard if has_buttons(keyboard) else None,
        disable_web_page_preview=True,
        reply_parameters=(
            None
            if reply_to is None
            else ReplyParameters(reply_to, allow_sending_without_reply=True)
        ),
    )


async def delete_answered(bot: Bot, chat_id: int, message_id: int) -> None:
    """Delete an answered question; one that is already gone, or too old, stays as it is.

    deleteMessage (core.telegram.org/bots/api#deletemessage): a bot deletes its own messages
    in groups within 48 hours of sending them; an admin may have removed it first.
    """
    try:
        await bot.delete_message(chat_id, message_id)
    except BadRequest as error:
        log.info("answered question %s/%s stays: %s", chat_id, message_id, error.message)


async def edit_text(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace a message's text and buttons; nothing to change is not an error.

    Two members pressing the same button, or a redraw of an unchanged card, leave Telegram
    nothing to edit: it answers "message is not modified", which means the message is right.
    """
    try:
        await bot.edit_message_text(
            fit_message(text),
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard if has_buttons(keyboard) else None,
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            raise
