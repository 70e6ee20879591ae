"""In-process fake Telegram Bot API server ("the double") built on aiohttp.web."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import math
import mimetypes
import re
import time
import traceback
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import BodyPartReader, web

from tests.double.html import HtmlParseError, ParsedText, parse_html, utf16_len
from tests.double.members import Member
from tests.double.state import (
    CallbackQueryRecord,
    ChatSpec,
    RateLimit,
    SentMessage,
    StoredFile,
)

__all__ = ["ApiError", "BotApiDouble", "RateLimit"]

JsonDict = dict[str, Any]
T = TypeVar("T")

DEFAULT_GLOBAL_LIMIT = RateLimit(30, 1.0)
# Telegram asks for ~1 message/s per private chat but tolerates bursts; a 10-in-10 s
# sliding window has that average while letting a handler send a few messages at once.
DEFAULT_PRIVATE_LIMIT = RateLimit(10, 10.0)
DEFAULT_GROUP_LIMIT = RateLimit(20, 60.0)
DEFAULT_RATE_LIMITED_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

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
_BUTTON_ACTIONS = frozenset(
    {
        "callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat", "callback_game", "pay", "login_url", "web_app",
        "copy_text",
    }
)  # fmt: skip
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
# Telegram leaves these out unless allowed_updates names them explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{3,31})")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_BAD_BUTTON = "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
# A 1x1 PNG: the default picture a member "sends" when a test gives no bytes.
_TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class ApiError(Exception):
    """A Bot API failure: HTTP status, Telegram's description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class _Upload:
    filename: str
    data: bytes
    content_type: str


@dataclass
class _Call:
    method: str
    params: JsonDict
    files: dict[str, _Upload]


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    times: int
    description: str | None


def _coerce(name: str, value: str) -> Any:
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
            raise _bad(f"can't parse {name} JSON object") from exc
    return value


def _as_int(value: Any) -> int | None:
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


def _int_param(params: JsonDict, name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    number = _as_int(value)
    if number is None:
        raise _bad(f"invalid {name} specified")
    return number


def _strip(parsed: ParsedText) -> ParsedText:
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


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def _inline(markup: JsonDict | None) -> list[Any] | None:
    return (markup or {}).get("inline_keyboard") or None


class BotApiDouble:
    """A fake Telegram Bot API server with chats, members and Telegram's rules enforced."""

    def __init__(
        self,
        token: str = "123456:TEST",  # noqa: S107 - a fake token for a fake server
        bot_username: str = "journey_test_bot",
        bot_id: int | None = None,
        *,
        bot_name: str = "Journey Bot",
        privacy_mode: bool = True,
        time_source: Callable[[], float] = time.monotonic,
        rate_limits: bool = True,
        global_limit: RateLimit | None = DEFAULT_GLOBAL_LIMIT,
        private_chat_limit: RateLimit | None = DEFAULT_PRIVATE_LIMIT,
        group_limit: RateLimit | None = DEFAULT_GROUP_LIMIT,
        strict_ampersand: bool = True,
        default_timeout: float = 5.0,
    ) -> None:
        """Configure the double; `rate_limits=False` disables all three windows at once."""
        self.token = token
        self.bot_username = bot_username
        prefix = token.split(":", 1)[0]
        self.bot_id = bot_id if bot_id is not None else (int(prefix) if prefix.isdigit() else 1)
        self.bot_name = bot_name
        self.privacy_mode = privacy_mode
        self.time_source = time_source
        self.global_limit = global_limit if rate_limits else None
        self.private_chat_limit = private_chat_limit if rate_limits else None
        self.group_limit = group_limit if rate_limits else None
        self.rate_limited_methods: set[str] = set(DEFAULT_RATE_LIMITED_METHODS)
        self.strict_ampersand = strict_ampersand
        self.default_timeout = default_timeout
        self.url = ""
        self.stats: Counter[str] = Counter()
        self.errors: list[tuple[str, int, str]] = []  # (method, code, description)
        self.calls: list[tuple[str, JsonDict]] = []  # every request's decoded params
        self.crashes: list[str] = []  # tracebacks of bugs in the double itself
        self.chats: dict[int, ChatSpec] = {}
        self.members: dict[int, Member] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.webhook_url: str | None = None
        self._files_by_path: dict[str, StoredFile] = {}
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._updates: deque[tuple[int, JsonDict]] = deque()
        self._next_update_id = 1
        self._max_fetched = 0
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._new_update = asyncio.Event()
        self._changed = asyncio.Event()
        self._activity = 0
        self._busy = 0
        self._faults: dict[str, deque[_Fault]] = {}
        self._windows: dict[Any, deque[float]] = {}
        self._ids = itertools.count(1)
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, tuple[str, Callable[[_Call], Awaitable[Any]]]] = {}
        for name, handler in self._method_table().items():
            self._methods[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on 127.0.0.1 at a random port and set `url`."""
        self._stopping = False
        # Telegram accepts 50 MB uploads; aiohttp's default body limit is 1 MB.
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: a long poll whose client went away must not linger.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=2.0, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        """Release pending long polls (they return []) and shut the server down."""
        self._stopping = True
        self._wake_pollers()
        self._notify()
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
        uid = user_id if user_id is not None else 100_000_000 + next(self._ids)
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
        n = next(self._ids)
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

    def private_chat(self, member: Member) -> ChatSpec:
        """The private chat between `member` and the bot (id equals the user id)."""
        chat = self.chats.get(member.id)
        if chat is None:
            chat = ChatSpec(member.id, "private", member.name, member_ids=[member.id])
            chat.private_user = member
            self.chats[member.id] = chat
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
        self._emit_my_chat_member(chat, by, old, chat.bot_status)
        return self._post_service(chat, by, {"new_chat_members": [self.bot_user()]})

    async def remove_bot_from(self, chat: ChatSpec, by: Member) -> SentMessage:
        """Kick the bot: emits left_chat_member and my_chat_member; later sends get 403."""
        old = chat.bot_status
        msg = self._post_service(chat, by, {"left_chat_member": self.bot_user()}, force=True)
        chat.bot_status = "kicked"
        self._emit_my_chat_member(chat, by, old, "kicked")
        return msg

    async def join(
        self, chat: ChatSpec, member: Member, *, by: Member | None = None
    ) -> SentMessage:
        """A member joins (or is added by `by`): emits a new_chat_members message."""
        if member.id not in chat.member_ids:
            chat.member_ids.append(member.id)
        return self._post_service(chat, by or member, {"new_chat_members": [member.user_dict()]})

    async def leave(self, chat: ChatSpec, member: Member) -> SentMessage:
        """A member leaves: emits a left_chat_member message."""
        msg = self._post_service(chat, member, {"left_chat_member": member.user_dict()})
        if member.id in chat.member_ids:
            chat.member_ids.remove(member.id)
        chat.admin_ids.discard(member.id)
        return msg

    async def migrate_to_supergroup(self, chat: ChatSpec, by: Member | None = None) -> ChatSpec:
        """Upgrade a group: the old id then answers 400 with migrate_to_chat_id."""
        if chat.type != "group" or chat.migrated_to is not None:
            raise AssertionError(f"{chat.title} is not a basic group that can be upgraded")
        new = self.group(chat.title, supergroup=True)
        new.member_ids = list(chat.member_ids)
        new.admin_ids = set(chat.admin_ids)
        new.owner_id = chat.owner_id
        new.bot_status = chat.bot_status
        new.migrated_from = chat.id
        actor = by or self._any_member(chat)
        self._post_service(chat, actor, {"migrate_to_chat_id": new.id})
        chat.migrated_to = new.id
        self._post_service(new, actor, {"migrate_from_chat_id": chat.id})
        return new

    def redeliver(self, item: SentMessage | CallbackQueryRecord) -> int:
        """Queue the update for a member's message or a button press again (new update_id)."""
        if isinstance(item, CallbackQueryRecord):
            payload = {
                "id": item.id,
                "from": item.member.user_dict(),
                "message": self._message_dict(item.message),
                "chat_instance": str(abs(item.message.chat_id) * 7 + 13),
                "data": item.data,
            }
            kind = "callback_query"
        else:
            if item.from_bot:
                raise AssertionError("the bot never receives its own messages")
            payload, kind = self._message_dict(item), "message"
        update_id = self._enqueue(kind, payload)
        if update_id is None:
            raise AssertionError(f"{kind} updates are excluded by allowed_updates")
        self._notify()
        return update_id

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
        fault = _Fault(429 if retry_after is not None else status, retry_after, times, description)
        self._faults.setdefault(method.lower(), deque()).append(fault)

    def disable_rate_limits(self) -> None:
        """Turn off the global, private-chat and group windows."""
        self.global_limit = self.private_chat_limit = self.group_limit = None

    def reset_rate_limits(self) -> None:
        """Forget all counted sends (e.g. after moving a fake clock)."""
        self._windows.clear()

    def bot_user(self) -> JsonDict:
        """The bot's Bot API User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ observing

    def messages(self, chat: ChatSpec | int) -> list[SentMessage]:
        """All messages in the chat (bot and members, deleted ones flagged), oldest first."""
        return list(self._chat_of(chat).messages)

    def bot_messages(self, chat: ChatSpec | int) -> list[SentMessage]:
        """Only the bot's messages in the chat."""
        return [m for m in self._chat_of(chat).messages if m.from_bot]

    def last_bot_message(self, chat: ChatSpec | int) -> SentMessage | None:
        """The newest message the bot sent in the chat, if any."""
        for msg in reversed(self._chat_of(chat).messages):
            if msg.from_bot:
                return msg
        return None

    def commands(
        self, language_code: str | None = None, scope: JsonDict | str | None = None
    ) -> list[tuple[str, str]]:
        """Commands registered via setMyCommands for exactly that scope and language."""
        key = (self._scope_key(scope), language_code or "")
        return [(c["command"], c["description"]) for c in self._commands.get(key, [])]

    @property
    def registered_commands(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        """Every (scope key, language) → commands the bot registered."""
        return {
            key: [(c["command"], c["description"]) for c in value]
            for key, value in self._commands.items()
        }

    @property
    def pending_updates(self) -> int:
        """Queued updates the bot has not fetched yet."""
        return sum(1 for update_id, _ in self._updates if update_id > self._max_fetched)

    def calls_of(self, method: str) -> list[JsonDict]:
        """Decoded params of every request to `method`, oldest first."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    async def wait_for_message(
        self,
        chat: ChatSpec | int,
        containing: str | re.Pattern[str] | None = None,
        *,
        after: SentMessage | int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
        predicate: Callable[[SentMessage], bool] | None = None,
        from_bot: bool = True,
    ) -> SentMessage:
        """First bot message (a new send) newer than `after` whose text/caption matches."""
        spec = self._chat_of(chat)
        after_id = after.message_id if isinstance(after, SentMessage) else (after or 0)

        first = bisect.bisect_right(spec.messages, after_id, key=lambda m: m.message_id)
        # Scan only messages not yet checked, unless an edit may have changed old ones:
        # rescanning everything on every wake-up is quadratic in long benchmark runs.
        cursor = [first, spec.edit_seq]

        def find() -> SentMessage | None:
            if cursor[1] != spec.edit_seq:
                cursor[:] = [first, spec.edit_seq]
            messages = spec.messages
            for index in range(cursor[0], len(messages)):
                msg = messages[index]
                if msg.from_bot != from_bot or msg.kind == "service":
                    continue
                if not self._matches(msg.content, containing):
                    continue
                if predicate is None or predicate(msg):
                    return msg
            cursor[0] = len(messages)
            return None

        what = f"a message containing {containing!r}" if containing else "a message"
        return await self._wait(find, timeout, lambda: f"{what} after #{after_id}", spec)

    async def wait_for_edit(
        self,
        chat: ChatSpec | int,
        message: SentMessage | int,
        containing: str | re.Pattern[str] | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
    ) -> SentMessage:
        """Wait until that message's current text/caption matches (immediately if it does)."""
        spec = self._chat_of(chat)
        mid = message.message_id if isinstance(message, SentMessage) else message
        target = spec.by_id.get(mid)
        if target is None:
            raise AssertionError(f"no message #{mid} in {spec.title}")
        edits_before = target.edit_count if containing is None else -1

        def find() -> SentMessage | None:
            if containing is None:
                return target if target.edit_count > edits_before else None
            return target if self._matches(target.content, containing) else None

        return await self._wait(find, timeout, lambda: f"#{mid} to read {containing!r}", spec)

    async def wait_for_answer(
        self,
        query: CallbackQueryRecord,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
    ) -> CallbackQueryRecord:
        """Wait until the bot answered that callback query."""
        spec = self._chat_of(query.message.chat_id)
        return await self._wait(
            lambda: query if query.answered else None,
            timeout,
            lambda: f"an answer to callback {query.data!r}",
            spec,
        )

    async def wait_for_document(
        self,
        chat: ChatSpec | int,
        filename_suffix: str | None = None,
        *,
        after: SentMessage | int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
    ) -> SentMessage:
        """First document the bot sent (newer than `after`) whose name ends with the suffix."""
        return await self.wait_for_message(
            chat,
            after=after,
            timeout=timeout,
            predicate=lambda m: (
                m.kind == "document"
                and (filename_suffix is None or (m.filename or "").endswith(filename_suffix))
            ),
        )

    async def wait_for_photo(
        self,
        chat: ChatSpec | int,
        *,
        after: SentMessage | int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
    ) -> SentMessage:
        """First photo the bot sent newer than `after`."""
        return await self.wait_for_message(
            chat, after=after, timeout=timeout, predicate=lambda m: m.kind == "photo"
        )

    async def wait_idle(
        self,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
        *,
        quiet: float = 0.05,
    ) -> None:
        """Return once every update was fetched, no request is in flight, and `quiet` passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.default_timeout if timeout is None else timeout)

        def settled() -> bool:
            fetched = not self._updates or self._updates[-1][0] <= self._max_fetched
            return fetched and self._busy == 0

        while True:
            await self._wait(
                lambda: True if settled() else None,
                max(0.0, deadline - loop.time()),
                lambda: f"idle (busy={self._busy}, unfetched updates={self.pending_updates})",
                None,
            )
            seen = self._activity
            changed = self._changed
            try:
                # Fixed quiet window: a bot handler between two requests shows no traffic.
                await asyncio.wait_for(changed.wait(), quiet)
            except TimeoutError:
                if seen == self._activity and settled():
                    return
            if loop.time() > deadline:
                raise AssertionError(f"bot did not go idle within {timeout}s")

    def transcript_markdown(self, chat: ChatSpec | int) -> str:
        """The chat as members saw it, rendered as Markdown."""
        spec = self._chat_of(chat)
        lines = [f"### {spec.title}", ""]
        for msg in spec.messages:
            lines.append(self._render(msg))
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    # ------------------------------------------------------------------ driver internals

    def _post_member_message(
        self,
        member: Member,
        chat: ChatSpec,
        *,
        text: str | None = None,
        reply_to: SentMessage | None = None,
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
        fields: dict[str, Any] = {"kind": kind, "reply_to": reply_to}
        if kind == "text":
            if not text:
                raise AssertionError("a text message needs non-empty text")
            fields.update(text=text, html=text, entities=self._member_entities(text))
        else:
            fields["file"] = self._member_file(kind, file_bytes, filename, mime_type)
            if caption:
                fields.update(
                    caption=caption,
                    caption_html=caption,
                    caption_entities=self._member_entities(caption),
                )
        msg = self._new_message(chat, from_bot=False, sender=member, **fields)
        if self._should_deliver(chat, msg):
            msg.delivered = True
            msg.update_id = self._enqueue("message", self._message_dict(msg))
        self._notify()
        return msg

    def _press(self, member: Member, message: SentMessage, data: str) -> CallbackQueryRecord:
        """Queue a callback_query update for a press on `message` (always delivered)."""
        chat = self.chats[message.chat_id]
        if chat.private_user is None and member.id not in chat.member_ids:
            raise AssertionError(f"{member.name} is not a member of {chat.title!r}")
        if chat.private_user is not None and chat.private_user is not member:
            raise AssertionError(f"{member.name} cannot see {chat.title}'s private chat")
        query_id = str(4_000_000_000_000_000 + next(self._ids))
        payload = {
            "id": query_id,
            "from": member.user_dict(),
            "message": self._message_dict(message),
            "chat_instance": str(abs(chat.id) * 7 + 13),  # stable per chat, like Telegram's
            "data": data,
        }
        update_id = self._enqueue("callback_query", payload) or 0
        record = CallbackQueryRecord(query_id, member, message, data, update_id)
        self.callback_queries[query_id] = record
        self._notify()
        return record

    def _set_blocked(self, member: Member, blocked: bool) -> None:
        """Flip the block flag and tell the bot through my_chat_member."""
        if member.blocked_bot == blocked:
            return
        member.blocked_bot = blocked
        chat = self.private_chat(member)
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        self._emit_my_chat_member(chat, member, old, new)
        self._notify()

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        self._busy += 1
        self._notify()
        try:
            if request.match_info["token"] != self.token:
                return self._error_response("?", ApiError(401, "Unauthorized"))
            name = request.match_info["method"]
            entry = self._methods.get(name.lower())
            if entry is None:
                self.stats[name] += 1
                return self._error_response(name, ApiError(404, "Not Found: method not found"))
            canonical, handler = entry
            self.stats[canonical] += 1
            try:
                call = await self._read_call(request, canonical)
                self.calls.append((canonical, call.params))
                self._maybe_fail(canonical)
                result = await handler(call)
            except ApiError as err:
                return self._error_response(canonical, err)
            except Exception as exc:  # a bug in the double must surface, not hang the bot
                # Answer like a Telegram 500 but keep the traceback for the test report.
                self.crashes.append(traceback.format_exc())
                return self._error_response(
                    canonical, ApiError(500, f"Internal Server Error: double crashed: {exc!r}")
                )
            return web.json_response({"ok": True, "result": result})
        finally:
            self._busy -= 1
            self._notify()

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error_response("file", ApiError(401, "Unauthorized"))
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return self._error_response("file", ApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type=stored.mime_type)

    def _error_response(self, method: str, err: ApiError) -> web.Response:
        self.errors.append((method, err.code, err.description))
        body: JsonDict = {"ok": False, "error_code": err.code, "description": err.description}
        if err.parameters:
            body["parameters"] = err.parameters
        return web.json_response(body, status=err.code)

    async def _read_call(self, request: web.Request, method: str) -> _Call:
        params: JsonDict = {k: _coerce(k, v) for k, v in request.query.items()}
        files: dict[str, _Upload] = {}
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError as exc:
                    raise _bad("can't parse JSON request body") from exc
                if not isinstance(body, dict):
                    raise _bad("request body must be a JSON object")
                for key, value in body.items():
                    # Telegram accepts numbers as strings in JSON too.
                    params[key] = _coerce(key, value) if isinstance(value, str) else value
            elif ctype.startswith("multipart/"):
                reader = await request.multipart()
                while (part := await reader.next()) is not None:
                    if not isinstance(part, BodyPartReader) or part.name is None:
                        continue
                    raw = await part.read(decode=False)
                    if part.filename is not None:
                        files[part.name] = _Upload(
                            part.filename,
                            bytes(raw),
                            part.headers.get("Content-Type", "application/octet-stream"),
                        )
                    else:
                        params[part.name] = _coerce(part.name, bytes(raw).decode("utf-8"))
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, str):
                        params[key] = _coerce(key, value)
                    elif isinstance(value, web.FileField):
                        data = value.file.read()
                        files[key] = _Upload(value.filename, data, value.content_type)
        return _Call(method, params, files)

    def _maybe_fail(self, method: str) -> None:
        queue = self._faults.get(method.lower())
        if not queue:
            return
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.popleft()
        self.stats["faults"] += 1
        if fault.retry_after is not None:
            self.stats["429"] += 1
            raise ApiError(
                429,
                fault.description or f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        try:
            phrase = HTTPStatus(fault.status).phrase
        except ValueError:
            phrase = "Error"
        raise ApiError(fault.status, fault.description or phrase)

    # ------------------------------------------------------------------ methods

    def _method_table(self) -> dict[str, Callable[[_Call], Awaitable[Any]]]:
        return {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMemberCount": self._get_chat_member_count,
            "getFile": self._get_file,
            "leaveChat": self._leave_chat,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
        }

    async def _true(self, call: _Call) -> bool:
        return True

    async def _get_me(self, call: _Call) -> JsonDict:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _delete_webhook(self, call: _Call) -> bool:
        self.webhook_url = None
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
            self._notify()
        return True

    async def _set_webhook(self, call: _Call) -> bool:
        self.webhook_url = str(call.params.get("url") or "") or None
        return True

    async def _get_webhook_info(self, call: _Call) -> JsonDict:
        return {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _get_updates(self, call: _Call) -> list[JsonDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        p = call.params
        offset = _int_param(p, "offset", 0)
        limit = min(100, max(1, _int_param(p, "limit", 100)))
        timeout = max(0, _int_param(p, "timeout", 0))
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed] or None
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an older long poll must now end with 409, like Telegram's
        if not self._updates and timeout > 0 and not self._stopping:
            await self._long_poll(generation, timeout)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
        batch = list(itertools.islice(self._updates, limit))
        if batch:
            self._max_fetched = max(self._max_fetched, batch[-1][0])
            self._notify()
        return [update for _, update in batch]

    async def _long_poll(self, generation: int, seconds: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        # A waiting poll is not "work": wait_idle must not see the bot as busy.
        self._busy -= 1
        self._notify()
        try:
            while not self._updates and not self._stopping:
                if generation != self._poll_generation:
                    return
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return
                try:
                    await asyncio.wait_for(self._new_update.wait(), remaining)
                except TimeoutError:
                    return
        finally:
            self._busy += 1

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            while self._updates and self._updates[0][0] < offset:
                self._updates.popleft()
        elif offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()

    async def _set_my_commands(self, call: _Call) -> bool:
        p = call.params
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        clean: list[JsonDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad("can't parse BotCommand JSON object")
            command = str(item.get("command", ""))
            description = str(item.get("description", ""))
            if not _COMMAND_RE.match(command):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": command, "description": description})
        key = self._commands_key(p)
        if clean:
            self._commands[key] = clean
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, call: _Call) -> list[JsonDict]:
        return list(self._commands.get(self._commands_key(call.params), []))

    async def _delete_my_commands(self, call: _Call) -> bool:
        self._commands.pop(self._commands_key(call.params), None)
        return True

    async def _send_message(self, call: _Call) -> JsonDict:
        p = call.params
        chat = self._chat_for_send(p.get("chat_id"))
        raw = p.get("text")
        raw_text = "" if raw is None else str(raw)
        parsed = self._parse(raw_text, p.get("parse_mode"), p.get("entities"))
        self._check_text(parsed)
        markup = self._check_markup(p.get("reply_markup"), edit=False)
        reply_to = self._reply_target(chat, p)
        self._rate_check(call.method, chat)
        msg = self._new_message(
            chat,
            from_bot=True,
            sender=None,
            text=parsed.text,
            html=raw_text,
            entities=parsed.entities,
            reply_markup=markup,
            reply_to=reply_to,
        )
        self._notify()
        return self._message_dict(msg)

    async def _send_photo(self, call: _Call) -> JsonDict:
        return self._send_media(call, "photo")

    async def _send_document(self, call: _Call) -> JsonDict:
        return self._send_media(call, "document")

    def _send_media(self, call: _Call, kind: str) -> JsonDict:
        p = call.params
        chat = self._chat_for_send(p.get("chat_id"))
        stored = self._media_param(call, kind)
        raw_caption = p.get("caption")
        caption: ParsedText | None = None
        if raw_caption:
            caption = _strip(
                self._parse(str(raw_caption), p.get("parse_mode"), p.get("caption_entities"))
            )
            if utf16_len(caption.text) > MAX_CAPTION:
                raise _bad("message caption is too long")
        markup = self._check_markup(p.get("reply_markup"), edit=False)
        reply_to = self._reply_target(chat, p)
        self._rate_check(call.method, chat)
        self._register_file(stored)
        msg = self._new_message(
            chat,
            from_bot=True,
            sender=None,
            kind=kind,
            file=stored,
            caption=caption.text if caption and caption.text else None,
            caption_html=str(raw_caption) if raw_caption else None,
            caption_entities=caption.entities if caption else [],
            reply_markup=markup,
            reply_to=reply_to,
        )
        self._notify()
        return self._message_dict(msg)

    def _media_param(self, call: _Call, kind: str) -> StoredFile:
        value = call.params.get(kind)
        upload = call.files.get(kind)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = call.files.get(value[len("attach://") :])
        if upload is not None:
            if not upload.data:
                raise _bad("file must be non-empty")
            if len(upload.data) > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            filename = upload.filename or f"{kind}.bin"
            mime = upload.content_type or "application/octet-stream"
            stored = self._make_file(kind, filename, upload.data, mime)
        elif isinstance(value, str) and value in self.files:
            stored = self.files[value]  # resending by file_id
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            name = value.rsplit("/", 1)[-1] or f"{kind}.bin"
            stored = self._make_file(kind, name, _TINY_PNG, "image/png")
        elif value:
            raise _bad("wrong file identifier/HTTP URL specified")
        else:
            raise _bad(f"there is no {kind} in the request")
        if kind == "photo":
            size = _png_size(stored.data)
            too_big = size is not None and (size[0] + size[1] > 10_000)
            if len(stored.data) > MAX_PHOTO_BYTES or too_big:
                raise _bad("PHOTO_INVALID_DIMENSIONS")
        return stored

    async def _edit_message_text(self, call: _Call) -> JsonDict:
        p = call.params
        chat = self._editable(p)
        raw_text = "" if p.get("text") is None else str(p.get("text"))
        parsed = self._parse(raw_text, p.get("parse_mode"), p.get("entities"))
        self._check_text(parsed)
        markup = self._check_markup(p.get("reply_markup"), edit=True)
        target = self._lookup_own(chat, p, "message to edit not found")
        if target.text is None:
            raise _bad("there is no text in the message to edit")
        new_markup = self._edited_markup(target, markup)
        if (
            parsed.text == target.text
            and parsed.entities == target.entities
            and _inline(new_markup) == _inline(target.reply_markup)
        ):
            raise _bad(_NOT_MODIFIED)
        target.edits.append(target.text)
        target.text, target.html, target.entities = parsed.text, raw_text, parsed.entities
        target.reply_markup = new_markup
        target.edit_date = int(time.time())
        chat.edit_seq += 1
        self._notify()
        return self._message_dict(target)

    async def _edit_message_caption(self, call: _Call) -> JsonDict:
        p = call.params
        chat = self._editable(p)
        raw = p.get("caption")
        raw_caption = "" if raw is None else str(raw)
        parsed = _strip(self._parse(raw_caption, p.get("parse_mode"), p.get("caption_entities")))
        if utf16_len(parsed.text) > MAX_CAPTION:
            raise _bad("message caption is too long")
        markup = self._check_markup(p.get("reply_markup"), edit=True)
        target = self._lookup_own(chat, p, "message to edit not found")
        if target.file is None:
            raise _bad("there is no caption in the message to edit")
        new_markup = self._edited_markup(target, markup)
        if (parsed.text or None) == target.caption and _inline(new_markup) == _inline(
            target.reply_markup
        ):
            raise _bad(_NOT_MODIFIED)
        target.edits.append(target.caption or "")
        target.caption = parsed.text or None
        target.caption_html = raw_caption
        target.caption_entities = parsed.entities
        target.reply_markup = new_markup
        target.edit_date = int(time.time())
        chat.edit_seq += 1
        self._notify()
        return self._message_dict(target)

    async def _edit_message_reply_markup(self, call: _Call) -> JsonDict:
        p = call.params
        chat = self._editable(p)
        markup = self._check_markup(p.get("reply_markup"), edit=True)
        target = self._lookup_own(chat, p, "message to edit not found")
        new_markup = self._edited_markup(target, markup)
        if _inline(new_markup) == _inline(target.reply_markup):
            raise _bad(_NOT_MODIFIED)
        target.reply_markup = new_markup
        target.edit_date = int(time.time())
        chat.edit_seq += 1
        self._notify()
        return self._message_dict(target)

    async def _delete_message(self, call: _Call) -> bool:
        p = call.params
        chat = self._chat_for_send(p.get("chat_id"), private_checks=False)
        mid = _int_param(p, "message_id", 0)
        msg = chat.by_id.get(mid)
        if msg is None or msg.deleted:
            raise _bad("message to delete not found")
        if not msg.from_bot and chat.is_group and chat.bot_status != "administrator":
            raise _bad("message can't be deleted")
        msg.deleted = True
        self._notify()
        return True

    async def _answer_callback_query(self, call: _Call) -> bool:
        p = call.params
        record = self.callback_queries.get(str(p.get("callback_query_id") or ""))
        if record is None or record.answered:
            raise _bad(_QUERY_TOO_OLD)
        text = p.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        record.answered = True
        record.answer_text = None if text is None else str(text)
        record.show_alert = bool(p.get("show_alert"))
        record.url = p.get("url")
        record.answered_event.set()
        self._notify()
        return True

    async def _send_chat_action(self, call: _Call) -> bool:
        chat = self._chat_for_send(call.params.get("chat_id"))
        action = str(call.params.get("action") or "")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((chat.id, action))
        return True

    async def _get_chat(self, call: _Call) -> JsonDict:
        chat = self._chat_for_send(call.params.get("chat_id"), private_checks=False)
        info = chat.api_dict()
        info.pop("all_members_are_administrators", None)
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return info

    async def _get_chat_member(self, call: _Call) -> JsonDict:
        chat = self._chat_for_send(call.params.get("chat_id"), private_checks=False)
        user_id = _int_param(call.params, "user_id", 0)
        if user_id == self.bot_id:
            return self._chat_member_dict(self.bot_user(), chat.bot_status)
        member = self.members.get(user_id)
        if member is None:
            raise _bad("user not found")
        return self._chat_member_dict(member.user_dict(), self._status_of(chat, member.id))

    async def _get_chat_administrators(self, call: _Call) -> list[JsonDict]:
        chat = self._chat_for_send(call.params.get("chat_id"), private_checks=False)
        if not chat.is_group:
            raise _bad("there are no administrators in the private chat")
        result = []
        for uid in chat.member_ids:
            status = self._status_of(chat, uid)
            if status in ("creator", "administrator"):
                result.append(self._chat_member_dict(self.members[uid].user_dict(), status))
        if chat.bot_status == "administrator":
            result.append(self._chat_member_dict(self.bot_user(), "administrator"))
        return result

    async def _get_chat_member_count(self, call: _Call) -> int:
        chat = self._chat_for_send(call.params.get("chat_id"), private_checks=False)
        if chat.private_user is not None:
            return 2
        return len(chat.member_ids) + (1 if chat.bot_status in ("member", "administrator") else 0)

    async def _get_file(self, call: _Call) -> JsonDict:
        stored = self.files.get(str(call.params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _leave_chat(self, call: _Call) -> bool:
        chat = self._chat_for_send(call.params.get("chat_id"), private_checks=False)
        if not chat.is_group:
            raise _bad("chat member status can't be changed in private chats")
        old = chat.bot_status
        chat.bot_status = "left"
        self._emit_my_chat_member(chat, None, old, "left")
        self._notify()
        return True

    async def _set_chat_menu_button(self, call: _Call) -> bool:
        button = call.params.get("menu_button") or {"type": "default"}
        self.menu_buttons[_as_int(call.params.get("chat_id"))] = button
        return True

    async def _get_chat_menu_button(self, call: _Call) -> JsonDict:
        return self.menu_buttons.get(_as_int(call.params.get("chat_id")), {"type": "default"})

    # ------------------------------------------------------------------ rules

    def _parse(self, raw: str, parse_mode: Any, entities: Any) -> ParsedText:
        mode = str(parse_mode or "").lower()
        if mode == "html":
            try:
                return parse_html(raw, strict_ampersand=self.strict_ampersand)
            except HtmlParseError as exc:
                raise ApiError(400, exc.description) from exc
        if mode in ("", "markdown", "markdownv2"):
            # Markdown is not validated: the text is stored as sent.
            given = entities if isinstance(entities, list) else []
            return ParsedText(raw, [e for e in given if isinstance(e, dict)])
        raise _bad(f"unsupported parse_mode {parse_mode!r}")

    def _check_text(self, parsed: ParsedText) -> None:
        stripped = _strip(parsed)
        if not stripped.text:
            raise _bad("message text is empty")
        if utf16_len(stripped.text) > MAX_TEXT:
            raise _bad("message is too long")
        parsed.text, parsed.entities = stripped.text, stripped.entities

    def _check_markup(self, markup: Any, *, edit: bool) -> JsonDict | None:
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if edit:
                raise _bad("inline keyboard expected")
            if not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
                raise _bad("can't parse reply keyboard markup JSON object")
            return markup
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad(_BAD_BUTTON)
        if sum(len(r) for r in rows) > 100:
            raise _bad("reply markup is too long")
        for row in rows:
            for button in row:
                if not isinstance(button, dict):
                    raise _bad(_BAD_BUTTON)
                if not button.get("text") or not _BUTTON_ACTIONS & button.keys():
                    raise _bad("text buttons are unallowed in the inline keyboard")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in button:
                    url = str(button["url"])
                    if not url.startswith(("http://", "https://", "tg://")):
                        raise _bad("BUTTON_URL_INVALID")
        return markup

    def _reply_target(self, chat: ChatSpec, p: JsonDict) -> SentMessage | None:
        allow = bool(p.get("allow_sending_without_reply"))
        mid: int | None = None
        params = p.get("reply_parameters")
        if isinstance(params, dict):
            mid = _as_int(params.get("message_id"))
            allow = bool(params.get("allow_sending_without_reply", allow))
            other = _as_int(params.get("chat_id"))
            if other is not None and other != chat.id:
                chat = self._resolve_chat(other)
        elif p.get("reply_to_message_id") is not None:
            mid = _as_int(p.get("reply_to_message_id"))
        if mid is None:
            return None
        target = chat.by_id.get(mid)
        if target is None or target.deleted:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return target

    def _rate_check(self, method: str, chat: ChatSpec) -> None:
        if method not in self.rate_limited_methods:
            return
        checks: list[tuple[Any, RateLimit]] = []
        if self.global_limit is not None:
            checks.append(("global", self.global_limit))
        if chat.private_user is not None and self.private_chat_limit is not None:
            checks.append((chat.id, self.private_chat_limit))
        if chat.is_group and self.group_limit is not None:
            checks.append((chat.id, self.group_limit))
        if not checks:
            return
        now = self.time_source()
        for key, limit in checks:
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - limit.per:
                window.popleft()
            if len(window) >= limit.count:
                retry = max(1, math.ceil(window[0] + limit.per - now))
                self.stats["429"] += 1
                raise ApiError(
                    429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
                )
        for key, _ in checks:
            self._windows[key].append(now)

    def _resolve_chat(self, raw: Any) -> ChatSpec:
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        chat_id = _as_int(raw)
        chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None and chat_id in self.members:
            chat = self.private_chat(self.members[chat_id])
        if chat is None:
            raise _bad("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def _chat_for_send(self, raw: Any, *, private_checks: bool = True) -> ChatSpec:
        chat = self._resolve_chat(raw)
        user = chat.private_user
        if user is not None:
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

    def _editable(self, p: JsonDict) -> ChatSpec:
        if p.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        return self._chat_for_send(p.get("chat_id"))

    def _lookup_own(self, chat: ChatSpec, p: JsonDict, missing: str) -> SentMessage:
        if p.get("message_id") in (None, ""):
            raise _bad("message identifier is not specified")
        msg = chat.by_id.get(_int_param(p, "message_id", 0))
        if msg is None or msg.deleted or not msg.from_bot:
            raise _bad(missing)
        return msg

    @staticmethod
    def _edited_markup(target: SentMessage, markup: JsonDict | None) -> JsonDict | None:
        if markup is not None:
            return markup
        # Telegram drops the inline keyboard on an edit that omits reply_markup; other
        # markup (ForceReply, reply keyboards) was a one-off client hint and stays recorded.
        return None if _inline(target.reply_markup) else target.reply_markup

    def _should_deliver(self, chat: ChatSpec, msg: SentMessage) -> bool:
        if chat.private_user is not None:
            return not msg.sender or not msg.sender.blocked_bot
        if chat.bot_status in ("left", "kicked"):
            return False
        if not self.privacy_mode or chat.bot_status == "administrator" or msg.service:
            return True
        content = msg.content
        if content.startswith("/"):
            command = content.split(maxsplit=1)[0]
            _, _, target = command.partition("@")
            return not target or target.lower() == self.bot_username.lower()
        if msg.reply_to is not None and msg.reply_to.from_bot:
            return True
        mention = f"@{self.bot_username}".lower()
        return mention in content.lower()

    # ------------------------------------------------------------------ helpers

    def _new_message(
        self, chat: ChatSpec, *, from_bot: bool, sender: Member | None, **fields: Any
    ) -> SentMessage:
        msg = SentMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            date=int(time.time()),
            from_bot=from_bot,
            sender_name=self.bot_name if from_bot or sender is None else sender.name,
            sender=sender,
            **fields,
        )
        chat.next_message_id += 1
        chat.messages.append(msg)
        chat.by_id[msg.message_id] = msg
        return msg

    def _post_service(
        self, chat: ChatSpec, actor: Member | None, service: JsonDict, *, force: bool = False
    ) -> SentMessage:
        msg = self._new_message(chat, from_bot=False, sender=actor, kind="service")
        msg.service = service
        if force or self._should_deliver(chat, msg):
            msg.delivered = True
            msg.update_id = self._enqueue("message", self._message_dict(msg))
        self._notify()
        return msg

    def _emit_my_chat_member(
        self, chat: ChatSpec, actor: Member | None, old: str, new: str
    ) -> None:
        payload = {
            "chat": chat.api_dict(),
            "from": actor.user_dict() if actor else self.bot_user(),
            "date": int(time.time()),
            "old_chat_member": self._chat_member_dict(self.bot_user(), old),
            "new_chat_member": self._chat_member_dict(self.bot_user(), new),
        }
        self._enqueue("my_chat_member", payload)

    def _chat_member_dict(self, user: JsonDict, status: str) -> JsonDict:
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
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
                "is_anonymous": False,
                "can_promote_members": False,
                **dict.fromkeys(rights, True),
            }
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": status, "user": user}

    def _status_of(self, chat: ChatSpec, user_id: int) -> str:
        if chat.private_user is not None:
            return "member" if user_id == chat.id else "left"
        if user_id not in chat.member_ids:
            return "left"
        if user_id == chat.owner_id:
            return "creator"
        return "administrator" if user_id in chat.admin_ids else "member"

    def _message_dict(self, msg: SentMessage, *, nested: bool = True) -> JsonDict:
        chat = self.chats[msg.chat_id]
        result: JsonDict = {
            "message_id": msg.message_id,
            "date": msg.date,
            "chat": chat.api_dict(),
        }
        if msg.from_bot:
            result["from"] = self.bot_user()
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
        inline = _inline(msg.reply_markup)
        if inline:
            result["reply_markup"] = {"inline_keyboard": inline}
        if nested and msg.reply_to is not None:
            result["reply_to_message"] = self._message_dict(msg.reply_to, nested=False)
        if msg.edit_date is not None:
            result["edit_date"] = msg.edit_date
        result.update(msg.service)
        return result

    def _member_entities(self, text: str) -> list[JsonDict]:
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

    def _member_file(
        self, kind: str, data: bytes | None, filename: str | None, mime_type: str | None
    ) -> StoredFile:
        defaults = {
            "photo": ("photo.png", _TINY_PNG, "image/png"),
            "document": ("document.txt", b"test document\n", "text/plain"),
            "sticker": ("sticker.webp", b"RIFF\x00\x00\x00\x00WEBP", "image/webp"),
            "voice": ("voice.ogg", b"OggS\x00voice", "audio/ogg"),
        }
        default_name, default_data, default_mime = defaults[kind]
        name = filename or default_name
        mime = mime_type or mimetypes.guess_type(name)[0] or default_mime
        stored = self._make_file(kind, name, default_data if data is None else data, mime)
        self._register_file(stored)
        return stored

    def _make_file(self, kind: str, filename: str, data: bytes, mime: str) -> StoredFile:
        n = next(self._ids)
        ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        folder = {"photo": "photos", "document": "documents"}.get(kind, f"{kind}s")
        width, height = _png_size(data) or ((1280, 720) if kind == "photo" else (0, 0))
        return StoredFile(
            file_id=f"{kind[:3].upper()}-{n:08d}-{self.bot_id}",
            file_unique_id=f"U{n:08d}",
            kind=kind,
            filename=filename,
            data=data,
            mime_type=mime,
            file_path=f"{folder}/file_{n}.{ext}",
            width=width,
            height=height,
        )

    def _register_file(self, stored: StoredFile) -> None:
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored

    def _enqueue(self, kind: str, payload: JsonDict) -> int | None:
        allowed = self._allowed_updates
        if (allowed is not None and kind not in allowed) or (
            allowed is None and kind in _OPT_IN_UPDATES
        ):
            return None
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append((update_id, {"update_id": update_id, kind: payload}))
        self.stats["updates"] += 1
        self._wake_pollers()
        return update_id

    def _wake_pollers(self) -> None:
        # Swap-and-set: every current waiter wakes, later waiters get a fresh event.
        event, self._new_update = self._new_update, asyncio.Event()
        event.set()

    def _notify(self) -> None:
        self._activity += 1
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait(
        self,
        find: Callable[[], T | None],
        timeout: float | None,  # noqa: ASYNC109 - seconds, None for the default
        describe: Callable[[], str],
        chat: ChatSpec | None,
    ) -> T:
        loop = asyncio.get_running_loop()
        limit = self.default_timeout if timeout is None else timeout
        deadline = loop.time() + limit
        while True:
            found = find()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ""
                if chat is not None:
                    tail = chat.messages[-15:]
                    recent = "\nrecent transcript:\n" + "\n".join(self._render(m) for m in tail)
                errors = "".join(f"\n  {m}: {c} {d}" for m, c, d in self.errors[-5:])
                raise AssertionError(
                    f"timed out after {limit}s waiting for {describe()}"
                    + (f" in {chat.title!r}" if chat else "")
                    + (f"\nlast API errors:{errors}" if errors else "")
                    + recent
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    @staticmethod
    def _matches(content: str, containing: str | re.Pattern[str] | None) -> bool:
        if containing is None:
            return True
        if isinstance(containing, str):
            return containing in content
        return containing.search(content) is not None

    def _chat_of(self, chat: ChatSpec | int) -> ChatSpec:
        if isinstance(chat, ChatSpec):
            return chat
        try:
            return self.chats[chat]
        except KeyError:
            raise AssertionError(f"unknown chat {chat}") from None

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

    def _commands_key(self, p: JsonDict) -> tuple[str, str]:
        return self._scope_key(p.get("scope")), str(p.get("language_code") or "")

    @staticmethod
    def _scope_key(scope: JsonDict | str | None) -> str:
        if scope is None or scope == "":
            return "default"
        if isinstance(scope, str):
            return scope
        parts = [str(scope.get("type", "default"))]
        for extra in ("chat_id", "user_id"):
            if scope.get(extra) is not None:
                parts.append(str(scope[extra]))
        return ":".join(parts)

    def _render(self, msg: SentMessage) -> str:
        who = msg.sender_name
        if msg.kind == "service":
            return f"_{self._describe_service(who, msg.service)}_"
        head = f"**{who}**"
        if msg.reply_to is not None:
            snippet = msg.reply_to.content.splitlines()[0][:40] if msg.reply_to.content else ""
            head += f" (↩ {msg.reply_to.sender_name}: {snippet})"
        body = msg.text if msg.text is not None else ""
        if msg.file is not None:
            icon = {"document": "📎", "photo": "📎"}.get(msg.kind, f"[{msg.kind}]")
            body = f"{icon} {msg.file.filename}" + (f" — {msg.caption}" if msg.caption else "")
        if msg.deleted:
            body = f"~~{body}~~ (deleted)"
        elif msg.edits:
            body += " (edited)"
        lines = [f"{head}: {body}"]
        for row in msg.buttons:
            lines.append("  " + " ".join(f"[{b.text}]" for b in row))
        if msg.force_reply:
            lines.append("  (asks for a reply)")
        return "\n".join(lines)

    def _describe_service(self, who: str, service: JsonDict) -> str:
        if "new_chat_members" in service:
            names = ", ".join(u.get("first_name", "?") for u in service["new_chat_members"])
            return f"{who} added {names}"
        if "left_chat_member" in service:
            return f"{who} removed {service['left_chat_member'].get('first_name', '?')}"
        if "migrate_to_chat_id" in service:
            return "group upgraded to a supergroup"
        if "migrate_from_chat_id" in service:
            return "supergroup created from a group"
        return f"{who}: {', '.join(service)}"
