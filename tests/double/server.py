"""BotApiDouble, the public class: serving, setting up chats, members' actions and faults."""

from __future__ import annotations

import mimetypes
import time
from collections import deque
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.double.html import utf16_len
from tests.double.members import Member
from tests.double.methods.files import TINY_PNG
from tests.double.observing import Observing
from tests.double.routing import serve
from tests.double.rules import MAX_TEXT, should_deliver
from tests.double.state import (
    CallbackQueryRecord,
    ChatSpec,
    Fault,
    RateLimit,
    SentMessage,
    StoredFile,
)
from tests.double.wire import ApiError, member_entities, message_dict

__all__ = ["ApiError", "BotApiDouble", "RateLimit"]


class BotApiDouble(Observing):
    """A fake Telegram Bot API server with chats, members and Telegram's rules enforced."""

    _runner: web.AppRunner | None = None  # set by start(), released by stop()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on 127.0.0.1 at a random port and set `url`."""
        self.stopping = False
        self._runner = await serve(self)

    async def stop(self) -> None:
        """Release pending long polls (they return []) and shut the server down."""
        self.stopping = True
        self.wake_pollers()
        self.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiDouble:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ world setup

    def member(
        self,
        first_name: str,
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
        user_id: int | None = None,
    ) -> Member:
        """Create a human user the test can drive."""
        uid = user_id if user_id is not None else 100_000_000 + next(self.ids)
        member = Member(
            self,
            uid,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.members[uid] = member
        return member

    def group(
        self,
        title: str = "Team",
        *,
        members: Iterable[Member] = (),
        admins: Iterable[Member] = (),
        owner: Member | None = None,
        supergroup: bool = False,
        with_bot: bool = True,
        bot_admin: bool = False,
    ) -> ChatSpec:
        """Create a group (bot silently in it unless with_bot=False); admins are members too."""
        n = next(self.ids)
        chat_id = -(1_002_000_000_000 + n) if supergroup else -(4_000_000_000 + n)
        chat = ChatSpec(chat_id, "supergroup" if supergroup else "group", title)
        for person in [*members, *admins, *([owner] if owner else [])]:
            if person.id not in chat.member_ids:
                chat.member_ids.append(person.id)
        chat.admin_ids = {a.id for a in admins}
        chat.owner_id = owner.id if owner else None
        chat.bot_status = ("administrator" if bot_admin else "member") if with_bot else "left"
        self.chats[chat_id] = chat
        return chat

    def chat(self, chat_id: int) -> ChatSpec:
        """Look a chat up by id."""
        return self.chats[chat_id]

    async def add_bot_to(
        self, chat: ChatSpec, by: Member, *, as_admin: bool = False
    ) -> SentMessage:
        """Add the bot to a group: emits my_chat_member and a new_chat_members message."""
        old = chat.bot_status if chat.bot_status in ("left", "kicked") else "left"
        chat.bot_status = "administrator" if as_admin else "member"
        self.emit_my_chat_member(chat, by, old, chat.bot_status)
        return self.post_service(chat, by, {"new_chat_members": [self.bot_user()]})

    async def remove_bot_from(self, chat: ChatSpec, by: Member) -> SentMessage:
        """Kick the bot: emits left_chat_member and my_chat_member; later sends get 403."""
        old = chat.bot_status
        msg = self.post_service(chat, by, {"left_chat_member": self.bot_user()}, force=True)
        chat.bot_status = "kicked"
        self.emit_my_chat_member(chat, by, old, "kicked")
        return msg

    async def join(
        self, chat: ChatSpec, member: Member, *, by: Member | None = None
    ) -> SentMessage:
        """A member joins (or is added by `by`): emits a new_chat_members message."""
        if member.id not in chat.member_ids:
            chat.member_ids.append(member.id)
        return self.post_service(chat, by or member, {"new_chat_members": [member.user_dict()]})

    async def leave(self, chat: ChatSpec, member: Member) -> SentMessage:
        """A member leaves: emits a left_chat_member message."""
        msg = self.post_service(chat, member, {"left_chat_member": member.user_dict()})
        if member.id in chat.member_ids:
            chat.member_ids.remove(member.id)
        chat.admin_ids.discard(member.id)
        return msg

    async def migrate_to_supergroup(
        self, chat: ChatSpec, by: Member | None = None, *, supergroup_first: bool = False
    ) -> ChatSpec:
        """Upgrade a group: the old id then answers 400 with migrate_to_chat_id.

        The supergroup is a new chat with its own id and its own message ids, counted from 1
        (https://core.telegram.org/bots/api#message: migrate_to_chat_id, migrate_from_chat_id);
        the group's messages stay in the group. Each chat gets its service message;
        `supergroup_first` queues the supergroup's before the group's (updates of two chats
        come in no promised order).
        """
        if chat.type != "group" or chat.migrated_to is not None:
            raise AssertionError(f"{chat.title} is not a basic group that can be upgraded")
        new = self.group(chat.title, supergroup=True)
        new.member_ids = list(chat.member_ids)
        new.admin_ids = set(chat.admin_ids)
        new.owner_id = chat.owner_id
        new.bot_status = chat.bot_status
        new.migrated_from = chat.id
        actor = by or self._any_member(chat)
        if supergroup_first:
            self.post_service(new, actor, {"migrate_from_chat_id": chat.id})
        self.post_service(chat, actor, {"migrate_to_chat_id": new.id})
        chat.migrated_to = new.id
        if not supergroup_first:
            self.post_service(new, actor, {"migrate_from_chat_id": chat.id})
        return new

    def redeliver(self, item: SentMessage | CallbackQueryRecord) -> int:
        """Queue a member's message or press again as the same update (same update_id).

        This is what Telegram does with an update the bot never confirmed (it crashed before
        its next getUpdates): the update comes again, unchanged, to the next poll. Getting it,
        a restarted bot starts polling from offset 0; a running bot's offset has confirmed it
        already, so redeliver to a stopped bot and start it again (the double notes in
        `crashes` an update confirmed unseen). Bot API, getUpdates: "An update is considered
        confirmed as soon as getUpdates is called with an offset higher than its update_id"
        (https://core.telegram.org/bots/api#getupdates).
        """
        if isinstance(item, SentMessage) and item.from_bot:
            raise AssertionError("the bot never receives its own messages")
        update_id = item.update_id
        update = self.sent_updates.get(update_id or 0)
        if update is None:
            raise AssertionError(f"{item!r} was never delivered to the bot")
        assert update_id is not None
        if any(queued == update_id for queued, _ in self.updates):
            raise AssertionError(f"update {update_id} is still queued")
        position = sum(1 for queued, _ in self.updates if queued < update_id)
        self.updates.insert(position, (update_id, update))
        self.unfetched.add(update_id)
        self.wake_pollers()
        self.notify()
        return update_id

    def pass_time(self, seconds: float) -> None:
        """Move the double's clock on (button presses age: see answerCallbackQuery)."""
        source = self.time_source
        self.time_source = lambda: source() + seconds

    # ------------------------------------------------------------------ configuration

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` fail before anything is processed."""
        if status == 429 and retry_after is None:
            retry_after = 1  # a 429 without retry_after would not be Telegram's flood answer
        fault = Fault(429 if retry_after is not None else status, retry_after, times, description)
        self.faults.setdefault(method.lower(), deque()).append(fault)

    def disable_rate_limits(self) -> None:
        """Turn off the global, private-chat and group windows."""
        self.global_limit = self.private_chat_limit = self.group_limit = None

    def reset_rate_limits(self) -> None:
        """Forget all counted sends (e.g. after moving a fake clock)."""
        self.windows.clear()

    # ------------------------------------------------------------------ driver internals

    def _post_member_message(
        self,
        member: Member,
        chat: ChatSpec,
        *,
        text: str | None = None,
        reply_to: SentMessage | None = None,
        as_group: bool = False,
        kind: str = "text",
        file_bytes: bytes | None = None,
        filename: str | None = None,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> SentMessage:
        """Record a member's message and queue the update if the bot may see it."""
        chat = self._live_chat(chat)
        if chat.private_user is not None:
            if chat.private_user is not member:
                raise AssertionError(f"{member.name} cannot write in {chat.title}'s private chat")
            if member.blocked_bot:
                # Writing to a blocked bot means pressing "Restart", which unblocks it.
                self._set_blocked(member, False)
            member.started_bot = True
        elif member.id not in chat.member_ids:
            raise AssertionError(
                f"{member.name} is not a member of {chat.title!r}; "
                "pass members=[...] to group() or await double.join(chat, member)"
            )
        if reply_to is not None and (reply_to.chat_id != chat.id or reply_to.deleted):
            raise AssertionError(f"cannot reply to message #{reply_to.message_id} in {chat.title}")
        if as_group:
            # Only an admin with "Remain anonymous" writes as the group itself
            # (https://core.telegram.org/bots/api#message: sender_chat).
            if not chat.is_group or (member.id not in chat.admin_ids | {chat.owner_id}):
                raise AssertionError(f"{member.name} is no admin of {chat.title!r}")
            chat.anonymous_admin_ids.add(member.id)
        fields: dict[str, Any] = {"kind": kind, "reply_to": reply_to, "as_group": as_group}
        if kind == "text":
            if not text:
                raise AssertionError("a text message needs non-empty text")
            if utf16_len(text) > MAX_TEXT:
                # A message is at most 4,096 characters (sendMessage, text): a client cuts a
                # longer one into parts (https://core.telegram.org/bots/api#sendmessage).
                raise AssertionError(
                    f"a message holds at most {MAX_TEXT} characters, not {utf16_len(text)}: "
                    "send it with Member.send_long, in parts as a client would"
                )
            fields.update(text=text, html=text, entities=member_entities(text))
        else:
            fields["file"] = self._member_file(kind, file_bytes, filename, mime_type)
            if caption:
                fields.update(
                    caption=caption,
                    caption_html=caption,
                    caption_entities=member_entities(caption),
                )
        msg = self.new_message(chat, from_bot=False, sender=member, **fields)
        if should_deliver(self, chat, msg):
            msg.delivered = True
            msg.update_id = self.enqueue("message", message_dict(self, msg))
        self.notify()
        return msg

    def _edit_member_message(self, member: Member, message: SentMessage, text: str) -> int | None:
        """A member edits their text message; the bot gets an edited_message if it knew it."""
        if message.sender is not member or message.kind != "text":
            raise AssertionError(f"{member.name} can only edit their own text messages")
        if message.deleted or not text:
            raise AssertionError("a deleted message can't be edited, nor text made empty")
        message.edits.append(message.text or "")
        message.text = message.html = text
        message.entities = member_entities(text)
        message.edit_date = max(int(time.time()), message.date)  # Message.edit_date: Unix time
        chat = self.chats[message.chat_id]
        chat.edit_seq += 1
        update_id = None
        # Bot API, Update.edited_message: "New version of a message that is known to the bot
        # and was edited" (https://core.telegram.org/bots/api#update): only one it received.
        if message.delivered:
            update_id = self.enqueue("edited_message", message_dict(self, message))
        self.notify()
        return update_id

    def _press(self, member: Member, message: SentMessage, data: str) -> CallbackQueryRecord:
        """Queue a callback_query update for a press on `message` (always delivered)."""
        chat = self.chats[message.chat_id]
        if chat.private_user is None and member.id not in chat.member_ids:
            raise AssertionError(f"{member.name} is not a member of {chat.title!r}")
        if chat.private_user is not None and chat.private_user is not member:
            raise AssertionError(f"{member.name} cannot see {chat.title}'s private chat")
        query_id = str(4_000_000_000_000_000 + next(self.ids))
        payload = {
            "id": query_id,
            "from": member.user_dict(),
            "message": message_dict(self, message),
            "chat_instance": str(abs(chat.id) * 7 + 13),  # stable per chat, like Telegram's
            "data": data,
        }
        update_id = self.enqueue("callback_query", payload) or 0
        record = CallbackQueryRecord(
            query_id, member, message, data, update_id, pressed_at=self.time_source()
        )
        self.callback_queries[query_id] = record
        self.notify()
        return record

    def _set_blocked(self, member: Member, blocked: bool) -> None:
        """Flip the block flag and tell the bot through my_chat_member."""
        if member.blocked_bot == blocked:
            return
        member.blocked_bot = blocked
        chat = self.private_chat(member)
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        self.emit_my_chat_member(chat, member, old, new)
        self.notify()

    def _member_file(
        self, kind: str, data: bytes | None, filename: str | None, mime_type: str | None
    ) -> StoredFile:
        defaults = {
            "photo": ("photo.png", TINY_PNG, "image/png"),
            "document": ("document.txt", b"test document\n", "text/plain"),
            "sticker": ("sticker.webp", b"RIFF\x00\x00\x00\x00WEBP", "image/webp"),
            "voice": ("voice.ogg", b"OggS\x00voice", "audio/ogg"),
        }
        default_name, default_data, default_mime = defaults[kind]
        name = filename or default_name
        mime = mime_type or mimetypes.guess_type(name)[0] or default_mime
        stored = self.make_file(kind, name, default_data if data is None else data, mime)
        self.register_file(stored)
        return stored

    def _live_chat(self, chat: ChatSpec) -> ChatSpec:
        spec = self._chat_of(chat)
        if spec.migrated_to is not None:
            raise AssertionError(
                f"{spec.title!r} was upgraded; use the chat migrate_to_supergroup() returned"
            )
        return spec

    def _any_member(self, chat: ChatSpec) -> Member | None:
        uid = chat.owner_id or (chat.member_ids[0] if chat.member_ids else None)
        return self.members.get(uid) if uid is not None else None
