"""Flood control and retries: Telegram's limits kept smoothly, 429 and 5xx answered.

PTB's AIORateLimiter lets a whole second's worth of messages go at once, and a request takes
its place in the bucket before it checks whether a 429 paused everyone: every send queued
during the pause then goes out together and draws the next 429 (seen in a 2,000-customer
broadcast: after one 429, a burst of 30 every 1.1 s). Here the overall limit is one message
every 1/rate seconds, and a request checks the pause after it got its slot.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
MAX_IDLE_GROUP_LIMITERS = 512  # forget the pace of quiet groups beyond this many
RETRY_AFTER_MARGIN_S = 0.1  # Telegram's retry_after is whole seconds, rounded down


def _is_server_error(error: BaseException) -> bool:
    # PTB raises plain NetworkError for 5xx and broken connections; its subclasses (BadRequest,
    # TimedOut) mean the request was refused or may have arrived, so retrying could duplicate.
    return type(error) is NetworkError


def _seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Pace:
    """Slots exactly 1/per_second apart, handed out in order: never a burst, never a drift.

    aiolimiter's bucket of one waits a whole period from when a caller starts waiting, so what
    the caller does between two sends adds to every gap (a broadcast meant to send 27.9 a
    second sent 27.3). Here each slot is reserved on a timeline: the next one is a period
    after the last, whenever it is asked for; after a stall the timeline restarts from now.
    """

    def __init__(self, per_second: float) -> None:
        self._period = 1 / per_second
        self._next = 0.0  # the event loop's time of the next free slot

    async def wait(self) -> None:
        """Wait for the next slot (taken at once: a cancelled wait leaves a gap, not a burst)."""
        now = asyncio.get_running_loop().time()
        slot = max(self._next, now)
        self._next = slot + self._period
        if slot > now:
            await asyncio.sleep(slot - now)


class FloodControl(BaseRateLimiter[int]):
    """Telegram's flood limits: smooth overall, per group, 429 pauses all, 5xx retried.

    - Every request to a chat waits for the overall pace (one per 1/messages_per_second s)
      and, in a group, for the group's bucket (group_messages_per_minute).
    - A 429 pauses every request for retry_after; afterwards they resume at the pace.
    - A 5xx or a broken connection is sent again a few times with exponential backoff.
    """

    def __init__(
        self,
        *,
        messages_per_second: float,
        group_messages_per_minute: float,
        max_retries: int = 3,
        attempts: int = 4,
    ) -> None:
        self._overall = Pace(messages_per_second)
        self._group_rate = group_messages_per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._max_retries = max_retries
        self._attempts = attempts
        self._resumed = asyncio.Event()
        self._resumed.set()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        """Send when the limits allow; wait out a 429 (max_retries times), retry 5xx."""
        chat_id = data.get("chat_id")
        max_retries = rate_limit_args or self._max_retries
        for attempt in range(max_retries + 1):
            try:
                return await self._paced(chat_id, lambda: self._sent(callback, args, kwargs))
            except RetryAfter as error:
                if attempt == max_retries:
                    raise
                await self._pause(_seconds(error) + RETRY_AFTER_MARGIN_S, endpoint)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _paced(
        self, chat_id: Any, send: Callable[[], Coroutine[Any, Any, JSONResult]]
    ) -> JSONResult:
        """Take a slot from every limiter that applies, after any pause; then send."""
        while True:
            await self._resumed.wait()
            if chat_id is not None:
                group = self._group_limiter(chat_id)
                if group is not None:
                    await group.acquire()
                await self._overall.wait()
            if self._resumed.is_set():
                return await send()
            # A 429 paused everyone while this request waited for its slot: queue again.

    def _group_limiter(self, chat_id: Any) -> AsyncLimiter | None:
        if isinstance(chat_id, int) and chat_id >= 0:
            return None  # a private chat: only the overall limit applies
        limiter = self._groups.get(chat_id)
        if limiter is None:
            if len(self._groups) > MAX_IDLE_GROUP_LIMITERS:
                self._groups = {
                    key: group
                    for key, group in self._groups.items()
                    if not group.has_capacity(group.max_rate)  # refilled: idle
                }
            limiter = self._groups[chat_id] = AsyncLimiter(self._group_rate, 60)
        return limiter

    async def _pause(self, seconds: float, endpoint: str) -> None:
        if self._resumed.is_set():
            log.warning(
                "Telegram asked to wait %.1f s (%s); pausing every send", seconds, endpoint
            )
            self._resumed.clear()
            try:
                await asyncio.sleep(seconds)
            finally:
                self._resumed.set()
        else:
            await self._resumed.wait()

    async def _sent(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
    ) -> JSONResult:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(_is_server_error),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=0.1, max=2),
            reraise=True,
        ):
            with attempt:
                return await callback(*args, **kwargs)
        raise AssertionError("unreachable: tenacity reraises the last error")
