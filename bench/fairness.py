"""Fairness (issue 13): one flooding group never slows the other groups' cards.

60 quiet groups each reply to their persona card every 4 s, under Telegram's limits in the
double (30 messages/s overall, 20 a minute per group, 429s past them); the latency of a
reply is from the member's reply until the card shows it. `fairness_quiet_p95_ms` is a
minute of that alone; `fairness_noisy_p95_ms` the minute after one more group sent 100
commands at once. A reply whose card never shows it counts as lost, and fails the metric.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from tests.double import BotApiDouble, ChatSpec, SentMessage

QUIET_GROUPS = 60
REPLY_EVERY_S = 4.0
MEASURE_S = 60.0
WARM_UP_S = 8.0
BURST = 100
LOST_AFTER_S = 60.0  # a reply whose card does not show it by then is lost
NOISY_TARGET_MS = 1_000
QUIET_TARGET_MS = 100

BotProcess = Callable[..., AbstractAsyncContextManager[Any]]


class QuietGroup:
    """A group whose member replies to its card every few seconds, timing each reply."""

    def __init__(self, double: BotApiDouble, number: int) -> None:
        self.double = double
        self.member = double.member(f"Member {number}")
        self.chat: ChatSpec = double.group(f"Quiet {number}", admins=[self.member])
        self.number = number
        self.card: SentMessage | None = None
        self.sent = 0

    async def open_card(self) -> None:
        """/newmap, and wait for the persona card."""
        await self.member.send(self.chat, f"/newmap Quiet {self.number}")
        self.card = await self.double.wait_for_message(
            self.chat, containing="Step 1 of 6", timeout=120
        )

    async def reply(self, tag: str) -> float | None:
        """Reply once; the ms until the card shows it, or None if it never does."""
        assert self.card is not None
        self.sent += 1
        text = f"{tag} q{self.number} r{self.sent}"
        start = time.perf_counter()
        await self.member.reply(self.chat, self.card, text)
        try:
            await self.double.wait_for_edit(
                self.chat, self.card, containing=text, timeout=LOST_AFTER_S
            )
        except (AssertionError, TimeoutError):
            return None
        return 1000 * (time.perf_counter() - start)


async def replying(groups: list[QuietGroup], tag: str, seconds: float) -> list[float | None]:
    """Every group replies every REPLY_EVERY_S for `seconds`, spread evenly; all latencies."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    waits: list[asyncio.Task[float | None]] = []

    async def one_group(index: int, group: QuietGroup) -> None:
        due = start + REPLY_EVERY_S * index / len(groups)
        while due < start + seconds:
            await asyncio.sleep(max(0.0, due - loop.time()))
            waits.append(asyncio.create_task(group.reply(tag)))
            due += REPLY_EVERY_S

    await asyncio.gather(*(one_group(i, g) for i, g in enumerate(groups)))
    return list(await asyncio.gather(*waits))


def p95(latencies: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(latencies, n=20, method="inclusive")[-1]


async def measure_fairness(tmp: Path, bot_process: BotProcess, token: str) -> dict[str, Any]:
    """Quiet and noisy p95 (ms) with the replies lost in each, against the bot process."""
    async with BotApiDouble(token=token, default_timeout=120) as double:  # Telegram's limits
        groups = [QuietGroup(double, number) for number in range(QUIET_GROUPS)]
        flooder = double.member("Flooder")
        noisy = double.group("Noisy", admins=[flooder])
        env = {"BOT_GROUP_MESSAGES_PER_MINUTE": "20", "BOT_OVERALL_MESSAGES_PER_SECOND": "30"}
        async with bot_process(double, "bot", tmp / "fairness.db", env_overrides=env):
            for group in groups:
                await group.open_card()
            await replying(groups, "warm", WARM_UP_S)
            quiet = await replying(groups, "quiet", MEASURE_S)
            for _ in range(BURST):
                await flooder.send(noisy, "/help")
            noisy_latencies = await replying(groups, "noisy", MEASURE_S)
            answered = sum("I help your team" in m.content for m in double.bot_messages(noisy))
        throttled = double.stats["429"]
    results = {}
    for name, latencies, target in (
        ("quiet", quiet, QUIET_TARGET_MS),
        ("noisy", noisy_latencies, NOISY_TARGET_MS),
    ):
        kept = [value for value in latencies if value is not None]
        lost = len(latencies) - len(kept)
        value = p95(kept) if len(kept) > 1 else 1000 * LOST_AFTER_S
        median = statistics.median(kept) if kept else 1000 * LOST_AFTER_S
        print(
            f"fairness {name}: {len(latencies)} replies, lost {lost}, "
            f"p50 {median:.0f} ms, p95 {value:.0f} ms"
        )
        results[name] = (value, lost, target)
    print(f"fairness: the flood got {answered} answers of {BURST}; {throttled} x 429")
    return results


async def fairness_metrics(
    tmp: Path, bot_process: BotProcess, token: str, metric: Callable[..., dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The two metrics, as results.json entries: p95 within target and no reply lost."""
    entries = {}
    for name, (value, lost, target) in (await measure_fairness(tmp, bot_process, token)).items():
        note = f"<= {target:,} ms, no reply lost" + (f" ({lost} lost)" if lost else "")
        entries[f"fairness_{name}_p95_ms"] = metric(
            value, "ms", note, value <= target and not lost
        )
    return entries
