"""Bot API methods for receiving updates: getUpdates (long polling) and the webhook trio."""

from __future__ import annotations

import asyncio
import itertools
from typing import TYPE_CHECKING

from tests.double.wire import ApiError, Call, JsonDict, int_param

if TYPE_CHECKING:
    from tests.double.world import World


async def delete_webhook(world: World, call: Call) -> bool:
    """deleteWebhook: back to getUpdates, optionally dropping what is queued."""
    world.webhook_url = None
    if call.params.get("drop_pending_updates"):
        world.updates.clear()
        world.unfetched.clear()
        world.notify()
    return True


async def set_webhook(world: World, call: Call) -> bool:
    """setWebhook: only remembered; while set, getUpdates answers 409."""
    world.webhook_url = str(call.params.get("url") or "") or None
    return True


async def get_webhook_info(world: World, call: Call) -> JsonDict:
    """getWebhookInfo."""
    return {
        "url": world.webhook_url or "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }


async def get_updates(world: World, call: Call) -> list[JsonDict]:
    """getUpdates: confirm up to offset, then answer at once or long-poll up to timeout."""
    if world.webhook_url:
        # getUpdates: "will not work if an outgoing webhook is set up".
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    p = call.params
    offset = int_param(p, "offset", 0)
    limit = min(100, max(1, int_param(p, "limit", 100)))  # getUpdates: limit, 1-100
    timeout = max(0, int_param(p, "timeout", 0))
    allowed = p.get("allowed_updates")
    if isinstance(allowed, list):
        world.allowed_updates = [str(a) for a in allowed] or None
    _confirm(world, offset)
    world.poll_generation += 1
    generation = world.poll_generation
    world.wake_pollers()  # an older long poll must now end with 409, like Telegram's
    if not world.updates and timeout > 0 and not world.stopping:
        await _long_poll(world, generation, timeout)
        if generation != world.poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
    batch = list(itertools.islice(world.updates, limit))
    if batch:
        world.max_fetched = max(world.max_fetched, batch[-1][0])
        world.unfetched.difference_update(update_id for update_id, _ in batch)
        world.notify()
    return [update for _, update in batch]


async def _long_poll(world: World, generation: int, seconds: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    # A waiting poll is not "work": wait_idle must not see the bot as busy.
    world.busy -= 1
    world.notify()
    try:
        while not world.updates and not world.stopping:
            if generation != world.poll_generation:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(world.new_update.wait(), remaining)
            except TimeoutError:
                return
    finally:
        world.busy += 1


def _confirm(world: World, offset: int) -> None:
    # getUpdates, offset: updates below it are confirmed; a negative one keeps the last -offset.
    if offset > 0:
        while world.updates and world.updates[0][0] < offset:
            _drop(world)
    elif offset < 0:
        while len(world.updates) > -offset:
            _drop(world)


def _drop(world: World) -> None:
    update_id, _ = world.updates.popleft()
    if update_id in world.unfetched:
        # Only a test can cause this: it redelivered an update to a bot that had confirmed it
        # already (a running bot's offset is past it). Telegram resends unconfirmed updates,
        # so a redelivery reaches a bot that starts polling again (a restart after a crash).
        world.unfetched.discard(update_id)
        world.crashes.append(f"update {update_id} was confirmed without being fetched")
