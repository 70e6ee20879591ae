"""The Bot API wire format: request parameters in, Message/ChatMember JSON and errors out."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from tests.double.html import utf16_len

if TYPE_CHECKING:
    from tests.double.state import SentMessage
    from tests.double.world import World

__all__ = [
    "GROUP_ANONYMOUS_BOT",
    "ApiError",
    "Call",
    "JsonDict",
    "Upload",
    "as_int",
    "bad",
    "chat_member_dict",
    "inline_keyboard",
    "int_param",
    "member_entities",
    "message_dict",
    "read_call",
]

JsonDict = dict[str, Any]

# How Telegram decodes form fields: by each parameter's declared type in the Bot API docs.
_INT_PARAMS = frozenset(
    {
        "chat_id", "message_id", "offset", "limit", "timeout", "reply_to_message_id",
        "user_id", "from_chat_id", "cache_time", "message_thread_id", "until_date",
    }
)  # fmt: skip
_BOOL_PARAMS = frozenset(
    {
        "show_alert", "disable_notification", "protect_content", "allow_sending_without_reply",
        "disable_web_page_preview", "drop_pending_updates", "has_spoiler",
        "disable_content_type_detection", "only_if_banned", "revoke_messages",
    }
)  # fmt: skip
_JSON_PARAMS = frozenset(
    {
        "reply_markup", "reply_parameters", "entities", "caption_entities",
        "link_preview_options", "commands", "scope", "allowed_updates", "menu_button", "media",
    }
)  # fmt: skip
_MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{3,31})")


class ApiError(Exception):
    """A Bot API failure: HTTP status, Telegram's description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad(description: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class Upload:
    """One file part of a multipart request."""

    filename: str
    data: bytes
    content_type: str


@dataclass
class Call:
    """One decoded Bot API request: canonical method name, parameters and uploaded files."""

    method: str
    params: JsonDict
    files: dict[str, Upload]


def coerce(name: str, value: str) -> Any:
    """Decode one form field the way Telegram does: by the parameter's declared type."""
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value  # e.g. chat_id="@channel"; the method reports it
    if name in _BOOL_PARAMS:
        return value.lower() in ("true", "1")
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise bad(f"can't parse {name} JSON object") from exc
    return value


def as_int(value: Any) -> int | None:
    """The value as an integer if it is one (or a numeric string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def int_param(params: JsonDict, name: str, default: int) -> int:
    """An integer parameter, `default` when absent; 400 when it is not a number."""
    value = params.get(name)
    if value is None or value == "":
        return default
    number = as_int(value)
    if number is None:
        raise bad(f"invalid {name} specified")
    return number


# A file's name as Telegram shows it: the plain filename="…" parameter of the part, its bytes
# read as UTF-8 and kept verbatim, %-escapes too (aiohttp's default escaping shows up in the
# chat as "%E8%A1%97….json"). Files are posted "in the usual way that files are uploaded via the
# browser" (https://core.telegram.org/bots/api#sending-files), and browsers send that parameter
# raw (https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart/form-data-encoding-algorithm).
_FILENAME = re.compile(r';\s*filename="([^"]*)"', re.IGNORECASE)


def shown_filename(part: BodyPartReader) -> str | None:
    """The uploaded file's name as a Telegram client shows it; None for a plain field."""
    plain = _FILENAME.search(part.headers.get("Content-Disposition", ""))
    return plain[1] if plain else part.filename


async def read_call(request: web.Request, method: str) -> Call:
    """Decode query string plus JSON, urlencoded or multipart body, as Telegram accepts all."""
    params: JsonDict = {k: coerce(k, v) for k, v in request.query.items()}
    files: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise bad("can't parse JSON request body") from exc
            if not isinstance(body, dict):
                raise bad("request body must be a JSON object")
            for key, value in body.items():
                # Telegram accepts numbers as strings in JSON too.
                params[key] = coerce(key, value) if isinstance(value, str) else value
        elif ctype.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                raw = await part.read(decode=False)
                if (filename := shown_filename(part)) is not None:
                    files[part.name] = Upload(
                        filename,
                        bytes(raw),
                        part.headers.get("Content-Type", "application/octet-stream"),
                    )
                else:
                    params[part.name] = coerce(part.name, bytes(raw).decode("utf-8"))
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    params[key] = coerce(key, value)
                elif isinstance(value, web.FileField):
                    data = value.file.read()
                    files[key] = Upload(value.filename, data, value.content_type)
    return Call(method, params, files)


def inline_keyboard(markup: JsonDict | None) -> list[Any] | None:
    """The rows of an InlineKeyboardMarkup, or None for any other (or no) markup."""
    return (markup or {}).get("inline_keyboard") or None


def message_dict(world: World, msg: SentMessage, *, nested: bool = True) -> JsonDict:
    """The Bot API Message object for a message as it currently stands."""
    chat = world.chats[msg.chat_id]
    result: JsonDict = {
        "message_id": msg.message_id,
        "date": msg.date,
        "chat": chat.api_dict(),
    }
    if msg.from_bot:
        result["from"] = world.bot_user()
    elif msg.as_group:
        # https://core.telegram.org/bots/api#message: sent on behalf of a chat, `from` holds a
        # fake sender user (GroupAnonymousBot) and sender_chat the group itself.
        result["from"] = dict(GROUP_ANONYMOUS_BOT)
        result["sender_chat"] = chat.api_dict()
    elif msg.sender is not None:
        result["from"] = msg.sender.user_dict()
    if msg.text is not None:
        result["text"] = msg.text
        if msg.entities:
            result["entities"] = msg.entities
    stored = msg.file
    if stored is not None:
        if msg.kind == "photo":
            result["photo"] = stored.photo_sizes()
        elif msg.kind == "document":
            result["document"] = stored.document_dict()
        elif msg.kind == "sticker":
            result["sticker"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
                "file_size": len(stored.data),
            }
        elif msg.kind == "voice":
            result["voice"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "duration": 1,
                "mime_type": stored.mime_type,
                "file_size": len(stored.data),
            }
    if msg.caption is not None:
        result["caption"] = msg.caption
        if msg.caption_entities:
            result["caption_entities"] = msg.caption_entities
    inline = inline_keyboard(msg.reply_markup)
    if inline:
        result["reply_markup"] = {"inline_keyboard": inline}
    if nested and msg.reply_to is not None:
        result["reply_to_message"] = message_dict(world, msg.reply_to, nested=False)
    if msg.edit_date is not None:
        result["edit_date"] = msg.edit_date
    result.update(msg.service)
    return result


# The fake user of messages an anonymous admin sends as the group; getChatMember knows no
# such member ("user not found").
GROUP_ANONYMOUS_BOT: JsonDict = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


def chat_member_dict(user: JsonDict, status: str, *, anonymous: bool = False) -> JsonDict:
    """The Bot API ChatMember object (the variant for `status`; is_anonymous for admins)."""
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": anonymous}
    if status == "administrator":
        rights = [
            "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
            "can_restrict_members", "can_change_info", "can_invite_users",
            "can_post_stories", "can_edit_stories", "can_delete_stories", "can_pin_messages",
        ]  # fmt: skip
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": anonymous,
            "can_promote_members": False,
            **dict.fromkeys(rights, True),
        }
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    return {"status": status, "user": user}


def member_entities(text: str) -> list[JsonDict]:
    """The entities Telegram's clients attach to a member's text: a leading command, mentions."""
    entities: list[JsonDict] = []
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
    for match in _MENTION_RE.finditer(text):
        entities.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities
