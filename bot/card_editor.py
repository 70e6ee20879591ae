"""Card edits, coalesced: at most one edit in flight per card, and the newest state wins.

A burst of answers (a team pasting touchpoints, five members voting at once) would otherwise
edit the same message once per answer; Telegram limits a group to about 20 messages a minute,
edits included. Each answer is stored at once; the card then shows everything stored so far.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

CardKey = tuple[int, int]  # (chat_id, message_id)
Edit = Callable[[], Awaitable[None]]


@dataclass
class CardEditor:
    """Runs card edits in the background, one at a time per card, skipping superseded ones."""

    _pending: dict[CardKey, Edit] = field(default_factory=dict)
    _running: dict[CardKey, asyncio.Task[None]] = field(default_factory=dict)

    def request(
        self,
        key: CardKey,
        edit: Edit,
        spawn: Callable[[Awaitable[None]], asyncio.Task[None]],
        *,
        gather_s: float = 0.0,
    ) -> None:
        """Ask for the card to be redrawn; `edit` renders the newest state when it runs.

        `gather_s`: wait that long before the first edit, so that presses several members
        make at once (three votes in a call) fold into one edit instead of one each.
        """
        self._pending[key] = edit
        if key not in self._running:
            self._running[key] = spawn(self._drain(key, gather_s))

    async def _drain(self, key: CardKey, gather_s: float) -> None:
        try:
            if gather_s > 0:
                await asyncio.sleep(gather_s)
            while (edit := self._pending.pop(key, None)) is not None:
                await edit()
        finally:
            self._running.pop(key, None)

    async def flush(self) -> None:
        """Wait until every requested edit has been sent (used on shutdown and in tests)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
