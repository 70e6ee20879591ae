"""Telegram's rules the double enforces: limits, markup checks, privacy mode, 403s and floods.

Each rule names the Bot API documentation it follows (https://core.telegram.org/bots/api
unless said otherwise); where the docs are silent, the double answers as Telegram does.
"""

from __future__ import annotations

import math
import re
from collections import deque
from typing import TYPE_CHECKING, Any

from tests.double.html import HtmlParseError, ParsedText, parse_html, utf16_len
from tests.double.state import RateLimit
from tests.double.wire import ApiError, JsonDict, as_int, bad, inline_keyboard

if TYPE_CHECKING:
    from tests.double.state import ChatSpec, SentMessage, StoredFile
    from tests.double.world import World

# Flood limits, bots FAQ "My bot is hitting limits" (core.telegram.org/bots/faq): about 30
# messages per second overall and 20 per minute in one group.
DEFAULT_GLOBAL_LIMIT = RateLimit(30, 1.0)
# Telegram asks for ~1 message/s per private chat but tolerates bursts; a 10-in-10 s
# sliding window has that average while letting a handler send a few messages at once.
DEFAULT_PRIVATE_LIMIT = RateLimit(10, 10.0)
DEFAULT_GROUP_LIMIT = RateLimit(20, 60.0)
DEFAULT_RATE_LIMITED_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})

MAX_TEXT = 4096  # sendMessage: text, 1-4096 characters after entities parsing
MAX_CAPTION = 1024  # sendPhoto/sendDocument: caption, 0-1024 characters after entities parsing
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # sendPhoto: "The photo must be at most 10 MB in size"
MAX_PHOTO_SIDES = 10_000  # sendPhoto: width and height "must not exceed 10000 in total"
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile: "files of up to 20MB in size"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # Sending files: "50 MB max size for other files"
MAX_ANSWER_TEXT = 200  # answerCallbackQuery: text, 0-200 characters
MAX_COMMANDS = 100  # setMyCommands: "At most 100 commands can be specified"
MAX_COMMAND_DESCRIPTION = 256  # BotCommand: description, 1-256 characters
MAX_INLINE_BUTTONS = 100  # not in the docs: Telegram answers "reply markup is too long"
CALLBACK_DATA_MAX_BYTES = 64  # InlineKeyboardButton: callback_data, 1-64 bytes

# InlineKeyboardButton: "Exactly one of the optional fields must be used".
BUTTON_ACTIONS = frozenset(
    {
        "callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat", "callback_game", "pay", "login_url", "web_app",
        "copy_text",
    }
)  # fmt: skip
# sendChatAction: the action types the docs list.
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
# getUpdates, allowed_updates: Telegram leaves these out unless allowed_updates names them.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# BotCommand: command, 1-32 characters, only lowercase English letters, digits and underscores.
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
# Telegram's own error texts, which clients (PTB among them) match on.
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
BAD_BUTTON = "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
# Bot API, answerCallbackQuery: clients show a progress bar until the bot answers
# (https://core.telegram.org/bots/api#answercallbackquery); Telegram stops waiting and refuses a
# late answer with QUERY_TOO_OLD. The window is not documented; answers seen refused after
# 10-20 s, so the double allows the low end of that. A query redelivered after a restart is
# older than that.
CALLBACK_ANSWER_WINDOW_S = 10.0


def strip(parsed: ParsedText) -> ParsedText:
    """Trim surrounding whitespace like Telegram does, shifting entity offsets to match."""
    text = parsed.text
    left = text.lstrip()
    final = left.rstrip()
    if len(final) == len(text):
        return parsed
    lead = utf16_len(text[: len(text) - len(left)])
    total = utf16_len(final)
    entities = []
    for entity in parsed.entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(final, entities)


def parse_text(world: World, raw: str, parse_mode: Any, entities: Any) -> ParsedText:
    """Formatting options: HTML is parsed (and refused) like tdlib; Markdown is stored as sent."""
    mode = str(parse_mode or "").lower()
    if mode == "html":
        try:
            parsed = parse_html(raw, strict_ampersand=world.strict_ampersand)
        except HtmlParseError as exc:
            raise ApiError(400, exc.description) from exc
        parsed.entities = [user_mention(world, e) for e in parsed.entities]
        return parsed
    if mode in ("", "markdown", "markdownv2"):
        # Markdown is not validated: the text is stored as sent.
        given = entities if isinstance(entities, list) else []
        return ParsedText(raw, [e for e in given if isinstance(e, dict)])
    raise bad(f"unsupported parse_mode {parse_mode!r}")


USER_LINK = re.compile(r"^tg://user\?id=(\d+)$")


def user_mention(world: World, entity: JsonDict) -> JsonDict:
    """Formatting options: "tg://user?id=<user_id> can be used to mention a user by their ID";
    the message then carries a text_mention entity with that user (for users Telegram knows)."""
    match = USER_LINK.match(str(entity.get("url", ""))) if entity["type"] == "text_link" else None
    member = world.members.get(int(match.group(1))) if match else None
    if member is None:
        return entity
    return {
        "type": "text_mention",
        "offset": entity["offset"],
        "length": entity["length"],
        "user": member.user_dict(),
    }


def check_text(parsed: ParsedText) -> None:
    """sendMessage: text is 1-4096 characters after entities parsing (and trimming)."""
    stripped = strip(parsed)
    if not stripped.text:
        raise bad("message text is empty")
    if utf16_len(stripped.text) > MAX_TEXT:
        raise bad("message is too long")
    parsed.text, parsed.entities = stripped.text, stripped.entities


def check_caption(parsed: ParsedText) -> None:
    """sendPhoto/sendDocument/editMessageCaption: caption is 0-1024 characters."""
    if utf16_len(parsed.text) > MAX_CAPTION:
        raise bad("message caption is too long")


def check_markup(markup: Any, *, edit: bool) -> JsonDict | None:
    """InlineKeyboardMarkup / InlineKeyboardButton; edits take inline keyboards only."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if edit:
            # editMessageReplyMarkup: "A JSON-serialized object for an inline keyboard".
            raise bad("inline keyboard expected")
        if not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
            raise bad("can't parse reply keyboard markup JSON object")
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad(BAD_BUTTON)
    if not any(rows):
        # InlineKeyboardMarkup (core.telegram.org/bots/api#inlinekeyboardmarkup): "Array of
        # button rows, each represented by an Array of InlineKeyboardButton objects": a keyboard
        # is its buttons, so one without any is refused (STYLE §3: where unsure, refuse). To
        # drop a message's buttons, an edit omits reply_markup.
        raise bad("reply markup is empty")
    if sum(len(r) for r in rows) > MAX_INLINE_BUTTONS:
        raise bad("reply markup is too long")
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise bad(BAD_BUTTON)
            if not button.get("text") or not BUTTON_ACTIONS & button.keys():
                raise bad("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not (
                    1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES
                ):
                    raise bad("BUTTON_DATA_INVALID")
            if "url" in button:
                url = str(button["url"])
                # InlineKeyboardButton, url: "HTTP or tg:// URL to be opened".
                if not url.startswith(("http://", "https://", "tg://")):
                    raise bad("BUTTON_URL_INVALID")
    return markup


def edited_markup(target: SentMessage, markup: JsonDict | None) -> JsonDict | None:
    """The markup a message has after an edit that sent `markup` (None when omitted)."""
    if markup is not None:
        return markup
    # Telegram drops the inline keyboard on an edit that omits reply_markup; other
    # markup (ForceReply, reply keyboards) was a one-off client hint and stays recorded.
    return None if inline_keyboard(target.reply_markup) else target.reply_markup


def check_commands(commands: Any) -> list[JsonDict]:
    """setMyCommands and BotCommand: at most 100 commands, each named and described validly."""
    if not isinstance(commands, list):
        raise bad("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad("too many commands")
    clean: list[JsonDict] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad("can't parse BotCommand JSON object")
        command = str(item.get("command", ""))
        description = str(item.get("description", ""))
        if not COMMAND_RE.match(command):
            raise bad("BOT_COMMAND_INVALID")
        if not 1 <= len(description.strip()) <= MAX_COMMAND_DESCRIPTION:
            raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": command, "description": description})
    return clean


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG header, None for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def check_photo(stored: StoredFile) -> None:
    """sendPhoto: at most 10 MB, width and height at most 10000 in total."""
    size = png_size(stored.data)
    too_big = size is not None and (size[0] + size[1] > MAX_PHOTO_SIDES)
    if len(stored.data) > MAX_PHOTO_BYTES or too_big:
        raise bad("PHOTO_INVALID_DIMENSIONS")


def reply_target(world: World, chat: ChatSpec, p: JsonDict) -> SentMessage | None:
    """ReplyParameters: the message replied to; 400 when it is gone, unless allowed."""
    allow = bool(p.get("allow_sending_without_reply"))
    mid: int | None = None
    params = p.get("reply_parameters")
    if isinstance(params, dict):
        mid = as_int(params.get("message_id"))
        allow = bool(params.get("allow_sending_without_reply", allow))
        other = as_int(params.get("chat_id"))
        if other is not None and other != chat.id:
            chat = resolve_chat(world, other)
    elif p.get("reply_to_message_id") is not None:
        mid = as_int(p.get("reply_to_message_id"))
    if mid is None:
        return None
    target = chat.by_id.get(mid)
    if target is None or target.deleted:
        if allow:
            return None
        raise bad("message to be replied not found")
    return target


def rate_check(world: World, method: str, chat: ChatSpec) -> None:
    """Bots FAQ flood limits: a 429 with ResponseParameters.retry_after once a window is full."""
    if method not in world.rate_limited_methods:
        return
    checks: list[tuple[Any, RateLimit]] = []
    if world.global_limit is not None:
        checks.append(("global", world.global_limit))
    if chat.private_user is not None and world.private_chat_limit is not None:
        checks.append((chat.id, world.private_chat_limit))
    if chat.is_group and world.group_limit is not None:
        checks.append((chat.id, world.group_limit))
    if not checks:
        return
    now = world.time_source()
    for key, limit in checks:
        window = world.windows.setdefault(key, deque())
        while window and window[0] <= now - limit.per:
            window.popleft()
        if len(window) >= limit.count:
            retry = max(1, math.ceil(window[0] + limit.per - now))
            world.stats["429"] += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
    for key, _ in checks:
        world.windows[key].append(now)


def resolve_chat(world: World, raw: Any) -> ChatSpec:
    """The chat for chat_id; an upgraded group: 400 with ResponseParameters.migrate_to_chat_id."""
    if raw is None or raw == "":
        raise bad("chat_id is empty")
    chat_id = as_int(raw)
    chat = world.chats.get(chat_id) if chat_id is not None else None
    if chat is None and chat_id in world.members:
        chat = world.private_chat(world.members[chat_id])
    if chat is None:
        raise bad("chat not found")
    if chat.migrated_to is not None:
        raise ApiError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": chat.migrated_to},
        )
    return chat


def chat_for_send(world: World, raw: Any, *, private_checks: bool = True) -> ChatSpec:
    """A chat the bot may write to: 403 when blocked, never started, kicked or not a member."""
    chat = resolve_chat(world, raw)
    user = chat.private_user
    if user is not None:
        # Bots FAQ: a bot cannot message a user who has not started it (or who blocked it).
        if private_checks and user.blocked_bot:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if private_checks and not user.started_bot:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat
    kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
    if chat.bot_status == "kicked":
        raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
    if chat.bot_status == "left":
        raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")
    return chat


def should_deliver(world: World, chat: ChatSpec, msg: SentMessage) -> bool:
    """Privacy mode (core.telegram.org/bots/features#privacy-mode): what the bot may see."""
    if chat.private_user is not None:
        return not msg.sender or not msg.sender.blocked_bot
    if chat.bot_status in ("left", "kicked"):
        return False
    # Admins see everything; service messages always reach the bot.
    if not world.privacy_mode or chat.bot_status == "administrator" or msg.service:
        return True
    content = msg.content
    if content.startswith("/"):
        command = content.split(maxsplit=1)[0]
        _, _, target = command.partition("@")
        return not target or target.lower() == world.bot_username.lower()
    if msg.reply_to is not None and msg.reply_to.from_bot:
        return True
    mention = f"@{world.bot_username}".lower()
    return mention in content.lower()
