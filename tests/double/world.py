"""The double's world: its configuration, chats, members, files and the update queue.

Routing, the Bot API methods and Telegram's rules are functions over one `World`;
`BotApiDouble` is a World with the scenario API on top.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.double.rules import (
    DEFAULT_GLOBAL_LIMIT,
    DEFAULT_GROUP_LIMIT,
    DEFAULT_PRIVATE_LIMIT,
    DEFAULT_RATE_LIMITED_METHODS,
    OPT_IN_UPDATES,
    png_size,
    should_deliver,
)
from tests.double.state import (
    CallbackQueryRecord,
    ChatSpec,
    Fault,
    RateLimit,
    SentMessage,
    StoredFile,
)
from tests.double.wire import JsonDict, chat_member_dict, message_dict

if TYPE_CHECKING:
    from tests.double.members import Member

__all__ = ["World"]


class World:
    """What the double knows, and the steps every area shares: post, queue, notify."""

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
        # The rest is bookkeeping the double's modules share; tests read it through the
        # scenario API (messages, commands, pending_updates…), not directly.
        self.files_by_path: dict[str, StoredFile] = {}
        self.command_lists: dict[tuple[str, str], list[JsonDict]] = {}
        self.updates: deque[tuple[int, JsonDict]] = deque()
        self.next_update_id = 1
        self.max_fetched = 0
        self.unfetched: set[int] = set()  # queued update ids no getUpdates has returned yet
        self.sent_updates: dict[int, JsonDict] = {}  # every update as queued, for redelivery
        self.allowed_updates: list[str] | None = None
        self.poll_generation = 0
        self.new_update = asyncio.Event()
        self.changed = asyncio.Event()
        self.activity = 0
        self.busy = 0
        self.faults: dict[str, deque[Fault]] = {}
        self.windows: dict[Any, deque[float]] = {}
        self.ids = itertools.count(1)
        self.stopping = False
        self.wall_offset = 0.0  # seconds the double's calendar runs ahead of the real one

    def wall_time(self) -> float:
        """Telegram's clock: message dates and the 48-hour deletion window read it."""
        return time.time() + self.wall_offset

    def bot_user(self) -> JsonDict:
        """The bot's Bot API User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def private_chat(self, member: Member) -> ChatSpec:
        """The private chat between `member` and the bot (id equals the user id)."""
        chat = self.chats.get(member.id)
        if chat is None:
            chat = ChatSpec(member.id, "private", member.name, member_ids=[member.id])
            chat.private_user = member
            self.chats[member.id] = chat
        return chat

    def new_message(
        self, chat: ChatSpec, *, from_bot: bool, sender: Member | None, **fields: Any
    ) -> SentMessage:
        """Append a message to the chat's transcript with the chat's next message id."""
        msg = SentMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            date=int(self.wall_time()),
            from_bot=from_bot,
            sender_name=self.bot_name if from_bot or sender is None else sender.name,
            sender=sender,
            **fields,
        )
        chat.next_message_id += 1
        chat.messages.append(msg)
        chat.by_id[msg.message_id] = msg
        return msg

    def post_service(
        self, chat: ChatSpec, actor: Member | None, service: JsonDict, *, force: bool = False
    ) -> SentMessage:
        """Post a service message (joins, leaves, migration) and queue it if the bot sees it."""
        msg = self.new_message(chat, from_bot=False, sender=actor, kind="service")
        msg.service = service
        if force or should_deliver(self, chat, msg):
            msg.delivered = True
            msg.update_id = self.enqueue("message", message_dict(self, msg))
        self.notify()
        return msg

    def emit_my_chat_member(
        self, chat: ChatSpec, actor: Member | None, old: str, new: str
    ) -> None:
        """Queue a my_chat_member update: the bot's own status in `chat` went old → new."""
        payload = {
            "chat": chat.api_dict(),
            "from": actor.user_dict() if actor else self.bot_user(),
            "date": int(time.time()),
            "old_chat_member": chat_member_dict(self.bot_user(), old),
            "new_chat_member": chat_member_dict(self.bot_user(), new),
        }
        self.enqueue("my_chat_member", payload)

    def make_file(self, kind: str, filename: str, data: bytes, mime: str) -> StoredFile:
        """A new file with fresh ids and a download path (not yet servable: see register)."""
        n = next(self.ids)
        ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        folder = {"photo": "photos", "document": "documents"}.get(kind, f"{kind}s")
        width, height = png_size(data) or ((1280, 720) if kind == "photo" else (0, 0))
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

    def register_file(self, stored: StoredFile) -> None:
        """Make a file known to getFile and downloadable at its path."""
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored

    def enqueue(self, kind: str, payload: JsonDict) -> int | None:
        """Queue an update unless allowed_updates excludes it; its update_id, else None."""
        allowed = self.allowed_updates
        if (allowed is not None and kind not in allowed) or (
            allowed is None and kind in OPT_IN_UPDATES
        ):
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        update = {"update_id": update_id, kind: payload}
        self.updates.append((update_id, update))
        self.sent_updates[update_id] = update
        self.unfetched.add(update_id)
        self.stats["updates"] += 1
        self.wake_pollers()
        return update_id

    def wake_pollers(self) -> None:
        """End every waiting long poll's wait (each then re-checks the queue)."""
        # Swap-and-set: every current waiter wakes, later waiters get a fresh event.
        event, self.new_update = self.new_update, asyncio.Event()
        event.set()

    def notify(self) -> None:
        """Tell waiting tests that something changed (a message, an answer, a request)."""
        self.activity += 1
        event, self.changed = self.changed, asyncio.Event()
        event.set()
