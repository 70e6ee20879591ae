"""Card edits, coalesced: at most one edit in flight per card, and the newest state wins.

A burst of answers (a team pasting touchpoints, five members voting at once) would otherwise
edit the same message once per answer; Telegram limits a group to about 20 messages a minute,
edits included. Each answer is stored at once; the card then shows everything stored so far.

An edit Telegram still refuses after the rate limiter's retries (5xx, 429, a timeout) leaves
the card stale, never the answer unsaved: the card stays dirty and is edited again later,
after a growing pause measured on the injected clock, until Telegram accepts it (or a newer
edit of the same card supersedes it). Tests move the clock and call `retry_due()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from cjm.clock import Clock, SystemClock

log = logging.getLogger(__name__)

CardKey = tuple[int, int]  # (chat_id, message_id)
Edit = Callable[[], Awaitable[None]]
Spawn = Callable[[Awaitable[None]], "asyncio.Task[None]"]

FIRST_RETRY = timedelta(seconds=5)
LONGEST_RETRY = timedelta(minutes=5)
# The loop's timer and the clock may disagree by a hair: a wake-up that early still retries.
RETRY_SLACK = timedelta(seconds=1)


def is_transient(error: BaseException) -> bool:
    """Telegram failed to answer (5xx, 429, a timeout), rather than refusing the request."""
    return isinstance(error, RetryAfter) or (
        isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    )


@dataclass
class _Stale:
    edit: Edit
    spawn: Spawn
    failures: int
    retry_at: datetime


@dataclass
class CardEditor:
    """Runs card edits in the background, one at a time per card, skipping superseded ones."""

    clock: Clock = field(default_factory=SystemClock)
    _pending: dict[CardKey, Edit] = field(default_factory=dict)
    _running: dict[CardKey, asyncio.Task[None]] = field(default_factory=dict)
    _stale: dict[CardKey, _Stale] = field(default_factory=dict)
    _spawns: dict[CardKey, Spawn] = field(default_factory=dict)

    def request(
        self,
        key: CardKey,
        edit: Edit,
        spawn: Spawn,
        *,
        gather_s: float = 0.0,
    ) -> None:
        """Ask for the card to be redrawn; `edit` renders the newest state when it runs.

        `gather_s`: wait that long before the first edit, so that presses several members
        make at once (three votes in a call) fold into one edit instead of one each.
        """
        self._pending[key] = edit
        self._spawns[key] = spawn
        if key not in self._running:
            self._running[key] = spawn(self._drain(key, gather_s))

    async def edit_now(self, key: CardKey, edit: Edit, spawn: Spawn) -> None:
        """Edit a message at once (the caller waits); a transient refusal retries it later."""
        try:
            await edit()
        except TelegramError as error:
            if not is_transient(error):
                raise
            self._keep_dirty(key, edit, spawn, error)
        else:
            self._stale.pop(key, None)

    @property
    def stale(self) -> set[CardKey]:
        """The cards waiting to be edited again."""
        return set(self._stale)

    def retry_due(self) -> None:
        """Edit again every stale card whose pause is over (by the injected clock)."""
        now = self.clock.now() + RETRY_SLACK
        for key, stale in list(self._stale.items()):
            if stale.retry_at <= now and key not in self._pending:
                self.request(key, stale.edit, stale.spawn)

    async def _drain(self, key: CardKey, gather_s: float) -> None:
        try:
            if gather_s > 0:
                await asyncio.sleep(gather_s)
            while (edit := self._pending.pop(key, None)) is not None:
                try:
                    await edit()
                except TelegramError as error:
                    if not is_transient(error):
                        raise
                    if key not in self._pending:  # nothing newer to try at once
                        self._keep_dirty(key, edit, self._spawns[key], error)
                else:
                    self._stale.pop(key, None)
        finally:
            self._running.pop(key, None)
            if key not in self._stale:
                self._spawns.pop(key, None)

    def _keep_dirty(self, key: CardKey, edit: Edit, spawn: Spawn, error: BaseException) -> None:
        failures = self._stale[key].failures + 1 if key in self._stale else 1
        pause = min(FIRST_RETRY * 2 ** (failures - 1), LONGEST_RETRY)
        self._stale[key] = _Stale(edit, spawn, failures, self.clock.now() + pause)
        log.warning(
            "card %s not redrawn (%s); again in %ds", key, error, int(pause.total_seconds())
        )
        # The wake-up runs on the loop's timer; what is due is decided by the clock.
        asyncio.get_running_loop().call_later(pause.total_seconds(), self.retry_due)

    async def flush(self) -> None:
        """Wait until every requested edit has been sent (used on shutdown and in tests)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
