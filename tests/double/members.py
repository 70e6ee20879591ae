"""The driver: human members who write, reply, upload and press buttons in chats."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.double.html import utf16_len
from tests.double.rules import MAX_TEXT

if TYPE_CHECKING:
    from tests.double.server import BotApiDouble
    from tests.double.state import CallbackQueryRecord, ChatSpec, SentMessage

__all__ = ["Member"]

_MEDIA_KINDS = ("sticker", "photo", "voice", "document")
# A message's text is at most 4,096 characters (UTF-16 code units) after entities parsing
# (https://core.telegram.org/bots/api#sendmessage); clients send a longer one in parts.
MAX_MESSAGE_CHARS = MAX_TEXT
# Where Telegram Desktop's CutPart looks for a break: past half the limit, preferring the
# last paragraph break, then line break, then sentence end, then space; else a hard cut.
_BREAKS = ("\n\n", "\n", ". ", " ")


def client_parts(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Cut a long text into messages as a Telegram client does (each part trimmed, as sent)."""
    parts: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        fits = len(rest)
        while utf16_len(rest[:fits]) > limit:
            fits -= 1
        half = fits // 2
        cut = fits
        for mark in _BREAKS:
            found = rest.rfind(mark, half, fits)
            if found > 0:
                cut = found + (1 if mark == ". " else 0)  # the full stop stays with its sentence
                break
        parts.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        parts.append(rest)
    return parts


class Member:
    """A human Telegram user driven by a test; create via `BotApiDouble.member`."""

    def __init__(
        self,
        double: BotApiDouble,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> None:
        """Use `BotApiDouble.member()` rather than constructing directly."""
        self.double = double
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.started_bot = False
        self.blocked_bot = False

    def __repr__(self) -> str:
        return f"Member({self.first_name!r}, id={self.id})"

    @property
    def name(self) -> str:
        """Display name as Telegram clients show it."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    @property
    def dm(self) -> ChatSpec:
        """This member's private chat with the bot."""
        return self.double.private_chat(self)

    def user_dict(self) -> dict[str, Any]:
        """The Bot API User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    async def send(
        self, chat: ChatSpec, text: str, *, reply_to: SentMessage | None = None
    ) -> SentMessage:
        """Write a text message in `chat` (optionally as a reply)."""
        return self.double._post_member_message(self, chat, text=text, reply_to=reply_to)

    async def send_as_group(
        self, chat: ChatSpec, text: str, *, reply_to: SentMessage | None = None
    ) -> SentMessage:
        """Write as an anonymous admin: the bot sees GroupAnonymousBot, sender_chat the group.

        Only messages carry sender_chat (https://core.telegram.org/bots/api#message); a button
        press has no such field and names the member who pressed it in `from`
        (https://core.telegram.org/bots/api#callbackquery), so `press` stays as it is.
        """
        return self.double._post_member_message(
            self, chat, text=text, reply_to=reply_to, as_group=True
        )

    async def send_long(
        self, chat: ChatSpec, text: str, *, reply_to: SentMessage | None = None
    ) -> list[SentMessage]:
        """Write a text of any length: a client sends it in parts of at most 4,096 characters.

        Each part is a message of its own, sent at once one after the other; the first one
        replies to `reply_to` (as the message being written did), the others reply to nothing.
        """
        sent = []
        for number, part in enumerate(client_parts(text)):
            target = reply_to if number == 0 else None
            sent.append(self.double._post_member_message(self, chat, text=part, reply_to=target))
        return sent

    async def reply(self, chat: ChatSpec, to: SentMessage, text: str) -> SentMessage:
        """Reply to `to` (a bot's or anyone's message) with text."""
        return self.double._post_member_message(self, chat, text=text, reply_to=to)

    async def edit(self, message: SentMessage, text: str) -> int | None:
        """Edit one of this member's text messages; the edited_message update's id, if sent."""
        return self.double._edit_member_message(self, message, text)

    async def send_media(
        self,
        chat: ChatSpec,
        kind: str,
        *,
        document_bytes: bytes | None = None,
        filename: str | None = None,
        caption: str | None = None,
        reply_to: SentMessage | None = None,
        mime_type: str | None = None,
    ) -> SentMessage:
        """Send a sticker, photo, voice note or document (not necessarily as a reply)."""
        if kind not in _MEDIA_KINDS:
            raise AssertionError(f"kind must be one of {_MEDIA_KINDS}, not {kind!r}")
        return self.double._post_member_message(
            self,
            chat,
            kind=kind,
            reply_to=reply_to,
            file_bytes=document_bytes,
            filename=filename,
            caption=caption,
            mime_type=mime_type,
        )

    async def reply_with(
        self,
        chat: ChatSpec,
        to: SentMessage,
        kind: str,
        *,
        document_bytes: bytes | None = None,
        filename: str | None = None,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> SentMessage:
        """Reply to `to` with a non-text message (sticker, photo, voice or document)."""
        return await self.send_media(
            chat,
            kind,
            document_bytes=document_bytes,
            filename=filename,
            caption=caption,
            reply_to=to,
            mime_type=mime_type,
        )

    async def press(
        self, message: SentMessage, button: str | None = None, *, data: str | None = None
    ) -> CallbackQueryRecord:
        """Press an inline button by visible text (exact, else unique substring) or by data."""
        buttons = message.flat_buttons
        listing = ", ".join(f"[{b.text}]→{b.callback_data!r}" for b in buttons) or "(none)"
        where = f"message #{message.message_id} {message.content[:60]!r}"
        if message.deleted:
            raise AssertionError(f"{where} was deleted; cannot press its buttons")
        if (button is None) == (data is None):
            raise AssertionError("press() needs exactly one of button text or data=")
        if data is not None:
            if not any(b.callback_data == data for b in buttons):
                raise AssertionError(f"no button with data {data!r} on {where}; has {listing}")
            return self.double._press(self, message, data)
        assert button is not None
        chosen = [b for b in buttons if b.text == button]
        if not chosen:
            chosen = [b for b in buttons if button.lower() in b.text.lower()]
        if not chosen:
            raise AssertionError(f"no button {button!r} on {where}; available: {listing}")
        if len(chosen) > 1:
            raise AssertionError(
                f"button {button!r} is ambiguous on {where}; available: {listing}"
            )
        if chosen[0].callback_data is None:
            raise AssertionError(f"button {chosen[0].text!r} on {where} has no callback_data")
        return self.double._press(self, message, chosen[0].callback_data)

    async def press_raw(self, message: SentMessage, data: str) -> CallbackQueryRecord:
        """Send a callback query with arbitrary (possibly forged) data for `message`.

        Telegram itself only delivers callback_data that was on the message's keyboard
        (https://core.telegram.org/bots/api#callbackquery); other data takes a modified client,
        which is what this plays. `press` keeps to the keyboard; this is the forge path.
        """
        return self.double._press(self, message, data)

    async def start_bot(self) -> SentMessage:
        """Open the private chat and send /start (lets the bot write to this member)."""
        return await self.send(self.dm, "/start")

    def block_bot(self) -> None:
        """Block the bot: later sends to this member get 403; emits my_chat_member."""
        self.double._set_blocked(self, True)

    def unblock_bot(self) -> None:
        """Unblock the bot again (emits my_chat_member)."""
        self.double._set_blocked(self, False)
