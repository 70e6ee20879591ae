"""Flood control: an even pace, a group's own window, 429 pauses, 5xx answers sent again."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import looptime
import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.ratelimit import GROUP_WINDOW_MARGIN_S, RETRY_AFTER_MARGIN_S, FloodControl, Pace

# Slack for asyncio waking a timer up to its clock resolution early.
EARLY_S = 0.002


def on_fast_clock(test: Callable[[], Awaitable[None]]) -> Callable[[], None]:
    """Run an async test on an event loop whose clock jumps over sleeps (looptime).

    Sleeps take no wall time and a busy machine cannot stretch a gap, so the test measures the
    limiter alone. (looptime's pytest plugin is off: it leaves a loop open for sync tests.)
    """

    @functools.wraps(test)
    def run() -> None:
        loop = looptime.new_event_loop(start=0)
        try:
            loop.run_until_complete(test())
        finally:
            loop.close()

    return run


class Telegram:
    """A stand-in for one Bot API method: logs when each call arrives, fails as told."""

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.calls: list[float] = []
        self.failures = failures or []

    async def method(self) -> dict[str, Any]:
        self.calls.append(asyncio.get_running_loop().time())
        if self.failures:
            raise self.failures.pop(0)
        return {"ok": True}


async def send(limiter: FloodControl, telegram: Telegram, chat_id: int = 42) -> Any:
    """One request through the limiter, as PTB's Bot makes it."""
    return await limiter.process_request(
        telegram.method, (), {}, "sendMessage", {"chat_id": chat_id}, None
    )


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


@on_fast_clock
async def test_pace_keeps_its_period_whatever_the_caller_does_between_slots() -> None:
    """Work between two slots shortens the wait instead of adding to it: no drift, no burst."""
    pace, loop = Pace(per_second=10), asyncio.get_running_loop()
    slots = []
    for _ in range(5):
        await pace.wait()
        slots.append(loop.time())
        await asyncio.sleep(0.06)  # the sender's own work: 60 % of a period

    assert all(gap >= 0.1 - EARLY_S for gap in gaps(slots))
    # A pace that waits a whole period after the work would take 4 x 0.16 s.
    assert slots[-1] - slots[0] < 0.5


@on_fast_clock
async def test_a_stall_restarts_the_pace_instead_of_catching_up() -> None:
    """After a long pause the next slot is free at once, the one after a period later."""
    pace, loop = Pace(per_second=20), asyncio.get_running_loop()
    await pace.wait()
    await asyncio.sleep(0.2)  # four periods without a send
    await pace.wait()
    resumed = loop.time()
    await pace.wait()

    assert loop.time() - resumed >= 0.05 - EARLY_S


@on_fast_clock
async def test_a_429_pauses_every_send_and_they_resume_at_the_pace() -> None:
    """Sends queued during a 429's pause go out one period apart afterwards, not together."""
    limiter = FloodControl(messages_per_second=50, group_messages_per_minute=20)
    telegram = Telegram(failures=[RetryAfter(0)])

    results = await asyncio.gather(*(send(limiter, telegram) for _ in range(6)))

    assert results == [{"ok": True}] * 6
    first_refused, *after = telegram.calls
    assert after[0] - first_refused >= RETRY_AFTER_MARGIN_S - EARLY_S
    assert all(gap >= 0.02 - EARLY_S for gap in gaps(after))


@on_fast_clock
async def test_server_errors_are_sent_again_and_refusals_are_not() -> None:
    """Two 5xx, then success: three calls. A 400 is the answer: one call, raised."""
    limiter = FloodControl(messages_per_second=1000, group_messages_per_minute=1000)
    flaky = Telegram(failures=[NetworkError("502"), NetworkError("503")])
    refusing = Telegram(failures=[BadRequest("chat not found")])

    assert await send(limiter, flaky) == {"ok": True}
    with pytest.raises(BadRequest):
        await send(limiter, refusing)

    assert (len(flaky.calls), len(refusing.calls)) == (3, 1)


@on_fast_clock
async def test_a_group_keeps_its_own_budget() -> None:
    """A group's per-minute budget holds back that group only, not private chats."""
    limiter = FloodControl(messages_per_second=1000, group_messages_per_minute=2)
    group, private = Telegram(), Telegram()
    for _ in range(2):
        await send(limiter, group, chat_id=-100)

    third = asyncio.create_task(send(limiter, group, chat_id=-100))
    await send(limiter, private, chat_id=42)
    await asyncio.sleep(0.05)

    assert (len(group.calls), len(private.calls)) == (2, 1)
    third.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await third


@on_fast_clock
async def test_a_group_sends_at_most_its_budget_in_any_minute() -> None:
    """Telegram counts 20 in any minute: the 21st send waits until the first is a minute old.

    A leaky bucket of 20 would let 39 through in the first minute, and Telegram answers the
    21st with a 429 for the rest of that minute.
    """
    limiter = FloodControl(messages_per_second=1000, group_messages_per_minute=20)
    group = Telegram()

    await asyncio.gather(*(send(limiter, group, chat_id=-100) for _ in range(41)))

    first_minute = [t for t in group.calls if t < group.calls[0] + 60]
    assert len(first_minute) == 20
    assert group.calls[20] - group.calls[0] >= 60 + GROUP_WINDOW_MARGIN_S - EARLY_S
    assert group.calls[40] - group.calls[20] >= 60 + GROUP_WINDOW_MARGIN_S - EARLY_S


@on_fast_clock
async def test_a_429_in_a_group_pauses_that_group_only() -> None:
    """Telegram's 429 on a group's send is about that chat: other chats keep sending."""
    limiter = FloodControl(messages_per_second=1000, group_messages_per_minute=1000)
    throttled, other_group, private = Telegram(failures=[RetryAfter(30)]), Telegram(), Telegram()
    loop = asyncio.get_running_loop()

    held = asyncio.create_task(send(limiter, throttled, chat_id=-100))
    await asyncio.sleep(0.01)  # the first attempt got its 429
    await send(limiter, other_group, chat_id=-200)
    await send(limiter, private, chat_id=42)
    others_done = loop.time()
    await held

    assert others_done < 1  # not held behind the 30 s pause
    assert throttled.calls[1] - throttled.calls[0] >= 30 + RETRY_AFTER_MARGIN_S - EARLY_S
