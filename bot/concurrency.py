"""Updates run concurrently across chats and in order within one chat.

Handling an update mostly waits on Telegram (answering a button, sending the next question),
so a customer answering a survey need not wait for another customer's round trips. Within one
chat order matters: a member's reply must not overtake the button press before it, and the
"why?" after a score must land after the score. Each chat (or, without a chat, each user)
gets a FIFO lock; PTB starts the update tasks in arrival order, so they queue in that order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 64  # enough to overlap round trips; bounds the work in flight


def order_key(update: object) -> int | None:
    """Which updates must run one after another: those of one chat, else of one user."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Processes updates of different chats at once, and each chat's updates in order."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}  # updates using each lock, so idle ones go away

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the update's handlers once every earlier update of its chat is done."""
        key = order_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
