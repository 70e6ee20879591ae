"""Bot API methods on text messages: sendMessage, the three edits and deleteMessage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.double.rules import (
    NOT_MODIFIED,
    chat_for_send,
    check_caption,
    check_markup,
    check_text,
    edited_markup,
    parse_text,
    rate_check,
    reply_target,
    strip,
)
from tests.double.wire import Call, JsonDict, bad, inline_keyboard, int_param, message_dict

if TYPE_CHECKING:
    from tests.double.state import ChatSpec, SentMessage
    from tests.double.world import World


async def send_message(world: World, call: Call) -> JsonDict:
    """sendMessage."""
    p = call.params
    chat = chat_for_send(world, p.get("chat_id"))
    raw = p.get("text")
    raw_text = "" if raw is None else str(raw)
    parsed = parse_text(world, raw_text, p.get("parse_mode"), p.get("entities"))
    check_text(parsed)
    markup = check_markup(p.get("reply_markup"), edit=False)
    reply_to = reply_target(world, chat, p)
    rate_check(world, call.method, chat)
    msg = world.new_message(
        chat,
        from_bot=True,
        sender=None,
        text=parsed.text,
        html=raw_text,
        entities=parsed.entities,
        reply_markup=markup,
        reply_to=reply_to,
    )
    world.notify()
    return message_dict(world, msg)


async def edit_message_text(world: World, call: Call) -> JsonDict:
    """editMessageText: the bot's own text messages; an identical edit is refused."""
    p = call.params
    chat = _editable(world, p)
    raw_text = "" if p.get("text") is None else str(p.get("text"))
    parsed = parse_text(world, raw_text, p.get("parse_mode"), p.get("entities"))
    check_text(parsed)
    markup = check_markup(p.get("reply_markup"), edit=True)
    target = _lookup_own(chat, p, "message to edit not found")
    if target.text is None:
        raise bad("there is no text in the message to edit")
    new_markup = edited_markup(target, markup)
    if (
        parsed.text == target.text
        and parsed.entities == target.entities
        and inline_keyboard(new_markup) == inline_keyboard(target.reply_markup)
    ):
        raise bad(NOT_MODIFIED)
    target.edits.append(target.text)
    target.text, target.html, target.entities = parsed.text, raw_text, parsed.entities
    target.reply_markup = new_markup
    target.edit_date = int(world.wall_time())
    chat.edit_seq += 1
    world.notify()
    return message_dict(world, target)


async def edit_message_caption(world: World, call: Call) -> JsonDict:
    """editMessageCaption: the bot's own photos and documents."""
    p = call.params
    chat = _editable(world, p)
    raw = p.get("caption")
    raw_caption = "" if raw is None else str(raw)
    parsed = strip(parse_text(world, raw_caption, p.get("parse_mode"), p.get("caption_entities")))
    check_caption(parsed)
    markup = check_markup(p.get("reply_markup"), edit=True)
    target = _lookup_own(chat, p, "message to edit not found")
    if target.file is None:
        raise bad("there is no caption in the message to edit")
    new_markup = edited_markup(target, markup)
    if (parsed.text or None) == target.caption and inline_keyboard(new_markup) == inline_keyboard(
        target.reply_markup
    ):
        raise bad(NOT_MODIFIED)
    target.edits.append(target.caption or "")
    target.caption = parsed.text or None
    target.caption_html = raw_caption
    target.caption_entities = parsed.entities
    target.reply_markup = new_markup
    target.edit_date = int(world.wall_time())
    chat.edit_seq += 1
    world.notify()
    return message_dict(world, target)


async def edit_message_reply_markup(world: World, call: Call) -> JsonDict:
    """editMessageReplyMarkup: inline keyboards only."""
    p = call.params
    chat = _editable(world, p)
    markup = check_markup(p.get("reply_markup"), edit=True)
    target = _lookup_own(chat, p, "message to edit not found")
    new_markup = edited_markup(target, markup)
    if inline_keyboard(new_markup) == inline_keyboard(target.reply_markup):
        raise bad(NOT_MODIFIED)
    target.reply_markup = new_markup
    target.edit_date = int(world.wall_time())
    chat.edit_seq += 1
    world.notify()
    return message_dict(world, target)


# deleteMessage (core.telegram.org/bots/api#deletemessage): "A message can only be deleted if
# it was sent less than 48 hours ago" (an administrator of a supergroup may delete any).
DELETE_WITHIN_S = 48 * 3600


async def delete_message(world: World, call: Call) -> bool:
    """deleteMessage: own messages within 48 h; others' in a group only as an administrator."""
    p = call.params
    chat = chat_for_send(world, p.get("chat_id"), private_checks=False)
    mid = int_param(p, "message_id", 0)
    msg = chat.by_id.get(mid)
    if msg is None or msg.deleted:
        raise bad("message to delete not found")
    if not msg.from_bot and chat.is_group and chat.bot_status != "administrator":
        raise bad("message can't be deleted")
    supergroup_admin = chat.type == "supergroup" and chat.bot_status == "administrator"
    if world.wall_time() - msg.date >= DELETE_WITHIN_S and not supergroup_admin:
        raise bad("message can't be deleted for everyone")
    msg.deleted = True
    world.notify()
    return True


def _editable(world: World, p: JsonDict) -> ChatSpec:
    # Inline messages never exist in the double: the bot has no inline mode.
    if p.get("inline_message_id"):
        raise bad("MESSAGE_ID_INVALID")
    return chat_for_send(world, p.get("chat_id"))


def _lookup_own(chat: ChatSpec, p: JsonDict, missing: str) -> SentMessage:
    # A bot can edit only the messages it sent itself.
    if p.get("message_id") in (None, ""):
        raise bad("message identifier is not specified")
    msg = chat.by_id.get(int_param(p, "message_id", 0))
    if msg is None or msg.deleted or not msg.from_bot:
        raise bad(missing)
    return msg
