"""Flood control and retries: Telegram's limits kept smoothly, 429 and 5xx answered.

PTB's AIORateLimiter lets a whole second's worth of messages go at once, and a request takes
its place in the bucket before it checks whether a 429 paused everyone: every send queued
during the pause then goes out together and draws the next 429 (seen in a 2,000-customer
broadcast: after one 429, a burst of 30 every 1.1 s). Here the overall limit is one message
every 1/rate seconds, and a request checks the pause after it got its slot.

One group never slows another (issue 13): a group's budget is a sliding window like
Telegram's (at most 20 sends in any minute), so a busy group meets no 429; and a 429 on a
group's send pauses that group only, since Telegram's answer is about that chat. A 429 on any
other request pauses every send.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
MAX_IDLE_GROUP_LIMITERS = 512  # forget the pace of quiet groups beyond this many
RETRY_AFTER_MARGIN_S = 0.1  # Telegram's retry_after is whole seconds, rounded down
# A send reaches Telegram a little after it took its slot here (more after a 5xx retry): a
# window's oldest send may have arrived late, so the next window starts this much later.
GROUP_WINDOW_MARGIN_S = 1.0


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


class Window:
    """At most `count` sends in any `per` seconds, in the order asked: a group's budget.

    aiolimiter's leaky bucket lets `count` go at once and then one every per/count seconds:
    39 sends in the first minute, where Telegram counts 20 in any minute and answers the 21st
    with a 429 for the rest of it. Here a send waits until the `count`-th send before it is
    `per` seconds old, and while a 429 on this group's sends lasts.
    """

    def __init__(self, count: int, per: float) -> None:
        self._per = per
        self._sent: deque[float] = deque(maxlen=max(1, count))  # the event loop's times
        self._turn = asyncio.Lock()  # FIFO: the group's sends take the window in order
        self._paused_until = 0.0

    async def wait(self, overall: Pace) -> None:
        """Wait for room in the window, then for the overall pace; the send is counted."""
        loop = asyncio.get_running_loop()
        async with self._turn:
            while True:
                free_at = self._paused_until
                if len(self._sent) == self._sent.maxlen:
                    free_at = max(free_at, self._sent[0] + self._per)
                if free_at <= loop.time():
                    break
                await asyncio.sleep(free_at - loop.time())
            await overall.wait()
            self._sent.append(loop.time())

    def pause(self, seconds: float) -> None:
        """Telegram answered a send to this group with a 429: hold its sends that long."""
        self._paused_until = max(self._paused_until, asyncio.get_running_loop().time() + seconds)

    def idle(self, now: float) -> bool:
        """Nothing waits and nothing sent within the window: forgetting it changes nothing."""
        recent = bool(self._sent) and self._sent[-1] + self._per > now
        return not (self._turn.locked() or recent or self._paused_until > now)


class FloodControl(BaseRateLimiter[int]):
    """Telegram's flood limits: smooth overall, per group, a 429 pauses its scope, 5xx retried.

    - Every request to a chat waits for the overall pace (one per 1/messages_per_second s)
      and, in a group, for the group's window (group_messages_per_minute in any minute).
    - A 429 on a group's send pauses that group for retry_after; any other 429 pauses every
      request. Afterwards they resume at the pace.
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
        self._group_rate = int(group_messages_per_minute)
        self._groups: dict[int | str, Window] = {}
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
                seconds = _seconds(error) + RETRY_AFTER_MARGIN_S
                group = self._group_window(chat_id) if chat_id is not None else None
                if group is not None:
                    log.warning(
                        "Telegram asked group %s to wait %.1f s (%s)", chat_id, seconds, endpoint
                    )
                    group.pause(seconds)
                else:
                    await self._pause(seconds, endpoint)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _paced(
        self, chat_id: Any, send: Callable[[], Coroutine[Any, Any, JSONResult]]
    ) -> JSONResult:
        """Take a slot from every limiter that applies, after any pause; then send."""
        while True:
            await self._resumed.wait()
            if chat_id is not None:
                group = self._group_window(chat_id)
                if group is not None:
                    await group.wait(self._overall)
                else:
                    await self._overall.wait()
            if self._resumed.is_set():
                return await send()
            # A 429 paused everyone while this request waited for its slot: queue again.

    def _group_window(self, chat_id: Any) -> Window | None:
        if isinstance(chat_id, int) and chat_id >= 0:
            return None  # a private chat: only the overall limit applies
        window = self._groups.get(chat_id)
        if window is None:
            if len(self._groups) > MAX_IDLE_GROUP_LIMITERS:
                now = asyncio.get_running_loop().time()
                self._groups = {
                    key: group for key, group in self._groups.items() if not group.idle(now)
                }
            window = self._groups[chat_id] = Window(self._group_rate, 60 + GROUP_WINDOW_MARGIN_S)
        return window

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
