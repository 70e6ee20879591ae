"""Updates run concurrently across chats and in order within one chat; no chat stalls another.

Handling an update mostly waits on Telegram (answering a button, sending the next question),
so a customer answering a survey need not wait for another customer's round trips. Within one
chat order matters: a member's reply must not overtake the button press before it, and the
"why?" after a score must land after the score. Each chat (or, without a chat, each user)
gets a FIFO lock; PTB starts the update tasks in arrival order, so they queue in that order.

Fairness (issue 13): an update waits for its chat's turn *before* it takes one of the global
slots (PTB's `process_update` takes the slot first, so 100 queued commands of one flooding
group held every slot while that group waited for its own 20-a-minute send budget, and every
other group's card took a minute). A chat's queue is capped: past MAX_QUEUED_PER_CHAT its
commands and button presses are dropped (the chat is told once, each press answered);
replies, which carry what members typed, are always kept.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Chat, MessageEntity, Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 64  # enough to overlap round trips; bounds the work in flight
# Half a group's minute of sends (20/min): what is queued gets answered within a minute.
MAX_QUEUED_PER_CHAT = 10

# Told about each dropped update: the update, and whether it is the chat's first dropped
# command since its queue was last empty (the chat hears about that one only).
OnDropped = Callable[[Update, bool], Awaitable[None]]


def order_key(update: object) -> int | None:
    """Which updates must run one after another: those of one chat, else of one user."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


def is_press(update: object) -> bool:
    """A button press."""
    return isinstance(update, Update) and update.callback_query is not None


def droppable(update: object) -> bool:
    """Commands and group presses, which a member sends again at will; never a reply.

    A press in a private chat is a customer's answer to a survey, where a burst of presses
    must leave the last one standing (the handler folds them into one edit), so it is kept.
    """
    if isinstance(update, Update) and update.callback_query is not None:
        chat = update.effective_chat
        return chat is not None and chat.type != Chat.PRIVATE
    message = update.message if isinstance(update, Update) else None
    if message is None:
        return False
    entities = message.entities or ()
    return any(e.type == MessageEntity.BOT_COMMAND and e.offset == 0 for e in entities)


@dataclass
class _Queue:
    """One chat's turn: a FIFO lock and the updates queued or running behind it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    size: int = 0
    warned: bool = False  # told to slow down since the queue was last empty


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Processes updates of different chats at once, and each chat's updates in order."""

    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        *,
        max_queued_per_chat: int = MAX_QUEUED_PER_CHAT,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._queues: dict[int, _Queue] = {}  # only chats with updates in flight
        self._max_queued = max_queued_per_chat
        self.on_dropped: OnDropped | None = None  # wired by bot/app.py

    # PTB marks process_update @final and takes a global slot before do_process_update; here
    # the chat's turn comes first, so a chat queueing behind itself holds no slot (issue 13).
    async def process_update(  # type: ignore[misc]
        self, update: object, coroutine: Awaitable[Any]
    ) -> None:
        """Wait for the chat's turn (or drop the update past the cap), then for a slot."""
        key = order_key(update)
        if key is None:
            async with self._semaphore:
                await self.do_process_update(update, coroutine)
            return
        queue = self._queues.setdefault(key, _Queue())
        if queue.size >= self._max_queued and droppable(update):
            await self._drop(update, coroutine, queue)
            return
        queue.size += 1
        try:
            async with queue.lock, self._semaphore:
                await self.do_process_update(update, coroutine)
        finally:
            queue.size -= 1
            if not queue.size:
                del self._queues[key]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the update's handlers (their chat's turn and a slot are taken)."""
        await coroutine

    async def _drop(self, update: object, coroutine: Awaitable[Any], queue: _Queue) -> None:
        if inspect.iscoroutine(coroutine):
            coroutine.close()  # never started: no "never awaited" warning, nothing ran
        first = not queue.warned and not is_press(update)
        queue.warned = queue.warned or first
        log.info("update %s dropped: its chat has %s queued", _update_id(update), queue.size)
        if self.on_dropped is not None and isinstance(update, Update):
            await self.on_dropped(update, first)

    def queued(self, key: int) -> int:
        """How many updates of a chat (or user) are queued or running."""
        queue = self._queues.get(key)
        return queue.size if queue is not None else 0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def _update_id(update: object) -> int | None:
    return update.update_id if isinstance(update, Update) else None
