"""Plain records the double keeps: chats, messages, files, callback queries, limits, faults."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from tests.double.members import Member

__all__ = [
    "Button",
    "CallbackQueryRecord",
    "ChatSpec",
    "Fault",
    "RateLimit",
    "SentMessage",
    "StoredFile",
]


# An @username: letters, digits, underscores (telegram.org/faq#usernames; short ones too).
USERNAME_MENTION = re.compile(r"(?<![\w@])@(\w{1,32})\b")


class Button(NamedTuple):
    """One inline button as members see it; `callback_data` is None for URL buttons."""

    text: str
    callback_data: str | None


@dataclass(frozen=True)
class RateLimit:
    """At most `count` counted requests per sliding window of `per` seconds."""

    count: int
    per: float


@dataclass
class Fault:
    """A failure `fail_next` queued: the next `times` calls of a method get it."""

    status: int
    retry_after: int | None
    times: int
    description: str | None


@dataclass(eq=False)
class StoredFile:
    """A file uploaded by the bot or sent by a member, servable via getFile."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo", "document", "sticker" or "voice"
    filename: str
    data: bytes
    mime_type: str
    file_path: str
    width: int = 0
    height: int = 0

    def photo_sizes(self) -> list[dict[str, Any]]:
        """Telegram's PhotoSize array (one size is enough for bots)."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": len(self.data),
            }
        ]

    def document_dict(self) -> dict[str, Any]:
        """Telegram's Document object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.filename,
            "mime_type": self.mime_type,
            "file_size": len(self.data),
        }


@dataclass(eq=False)
class SentMessage:
    """One message in a chat transcript, from the bot or a member, as it currently stands."""

    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    sender_name: str
    sender: Member | None
    text: str | None = None
    html: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_html: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    reply_to: SentMessage | None = None
    file: StoredFile | None = None
    kind: str = "text"  # text, photo, document, sticker, voice, service
    service: dict[str, Any] = field(default_factory=dict)
    edits: list[str] = field(default_factory=list)  # earlier texts/captions, oldest first
    edit_date: int | None = None
    deleted: bool = False
    delivered: bool = False  # whether the bot got an update for it (members' messages)
    update_id: int | None = None
    as_group: bool = False  # an anonymous admin wrote it: the chat is its sender

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard rows as (text, callback_data) pairs; empty without a keyboard."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[Button(b.get("text", ""), b.get("callback_data")) for b in row] for row in rows]

    @property
    def flat_buttons(self) -> list[Button]:
        """All inline buttons in reading order."""
        return [b for row in self.buttons for b in row]

    @property
    def force_reply(self) -> bool:
        """Whether the message asked clients to open a reply (ForceReply markup)."""
        return bool((self.reply_markup or {}).get("force_reply"))

    def opens_reply_for(self, member: Member) -> bool:
        """Whether `member`'s client opens the reply field for this message (ForceReply).

        ForceReply (core.telegram.org/bots/api#forcereply): with `selective`, only "users that
        are @mentioned in the text of the Message object" and, when the bot's message is a
        reply, the "sender of the original message"; without it, every member.
        """
        markup = self.reply_markup or {}
        if not markup.get("force_reply"):
            return False
        if not markup.get("selective"):
            return True
        if self.reply_to is not None and self.reply_to.sender is member:
            return True
        for entity in self.entities:
            if entity["type"] == "text_mention" and entity["user"]["id"] == member.id:
                return True
        # Telegram makes every "@username" in a sent text a mention entity.
        named = {m.lower() for m in USERNAME_MENTION.findall(self.text or "")}
        return member.username is not None and member.username.lower() in named

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has ("" for neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def filename(self) -> str | None:
        """Name of the attached document/photo, if any."""
        return self.file.filename if self.file else None

    @property
    def data(self) -> bytes | None:
        """Bytes of the attached document/photo, if any."""
        return self.file.data if self.file else None

    @property
    def edit_count(self) -> int:
        """How many times the bot edited this message."""
        return len(self.edits)


@dataclass(eq=False)
class ChatSpec:
    """A chat the double knows: private, group or supergroup, with its transcript."""

    id: int
    type: str  # "private", "group" or "supergroup"
    title: str
    member_ids: list[int] = field(default_factory=list)
    admin_ids: set[int] = field(default_factory=set)
    anonymous_admin_ids: set[int] = field(default_factory=set)  # admins who post as the group
    owner_id: int | None = None
    bot_status: str = "member"  # member, administrator, left, kicked
    migrated_to: int | None = None
    migrated_from: int | None = None
    messages: list[SentMessage] = field(default_factory=list)
    by_id: dict[int, SentMessage] = field(default_factory=dict)
    next_message_id: int = 1
    edit_seq: int = 0  # bumped on every edit so waiters know to re-check old messages
    private_user: Member | None = None

    @property
    def is_group(self) -> bool:
        """Group or supergroup (privacy mode applies)."""
        return self.type in ("group", "supergroup")

    def api_dict(self) -> dict[str, Any]:
        """The Bot API Chat object."""
        if self.private_user is not None:
            user = self.private_user
            chat: dict[str, Any] = {
                "id": self.id,
                "type": "private",
                "first_name": user.first_name,
            }
            if user.last_name:
                chat["last_name"] = user.last_name
            if user.username:
                chat["username"] = user.username
            return chat
        chat = {"id": self.id, "type": self.type, "title": self.title}
        if self.type == "group":
            # Legacy field Telegram still sends for basic groups.
            chat["all_members_are_administrators"] = False
        return chat


@dataclass(eq=False)
class CallbackQueryRecord:
    """A button press by a member and, once the bot answers, its answer."""

    id: str
    member: Member
    message: SentMessage
    data: str
    update_id: int
    pressed_at: float = 0.0  # the double's time_source() at the press
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False
    url: str | None = None
    answered_event: asyncio.Event = field(default_factory=asyncio.Event)
