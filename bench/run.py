"""`make bench`: measure the bot against its targets and write bench/results.json.

Each bot runs as its own process (`python -m bot`, `python -m bench.echo_bot`) against the Bot
API double served from this process, the way it runs in production against Telegram.
Ratios are measured side by side in alternating rounds, because the machine is shared and noisy.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from cjm.clock import FrozenClock
from cjm.db import make_engine, unit_of_work_factory, upgrade
from cjm.exports import map_to_xlsx
from cjm.render.html import render_map_html
from cjm.render.png import render_map_png
from cjm.render.summary import summary_messages
from cjm.render.texts import Texts
from cjm.services.outputs import picture_labels
from cjm.views import ChangeView, MapView
from tests.double import BotApiDouble, ChatSpec, Member, SentMessage
from tests.factories import NOW, make_big_map

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
TOKEN = "123456:BENCH"  # noqa: S105  (the double's fake token)
ROUNDS = 5
UPDATES_PER_ROUND = 300
RSS_UPDATES = 10_000
OUTPUT_TARGETS = {
    "render_png_12x8_s": ("s", 1.0),
    "render_html_12x8_ms": ("ms", 50),
    "export_xlsx_12x8_ms": ("ms", 300),
    "summary_12x8_ms": ("ms", 10),
}


@asynccontextmanager
async def bot_process(
    double: BotApiDouble, module: str, db: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run a bot module as a subprocess polling the double; stop it afterwards."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"{double.url}/bot",
        "TELEGRAM_API_BASE_FILE_URL": f"{double.url}/file/bot",
        "DATABASE_URL": f"sqlite:///{db}",
        "BOT_GROUP_MESSAGES_PER_MINUTE": "1000000",
        "BOT_OVERALL_MESSAGES_PER_SECOND": "1000000",
        "BOT_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", module, cwd=ROOT, env=env)
    try:
        yield process
    finally:
        await stop(process)


async def stop(process: asyncio.subprocess.Process) -> None:
    """Terminate a bot process (unless it already exited) and wait up to 30 s for it."""
    if process.returncode is None:
        process.terminate()
    await asyncio.wait_for(process.wait(), 30)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def wizard_round(
    double: BotApiDouble, chat: ChatSpec, member: Member, card: SentMessage, count: int, tag: str
) -> float:
    """Reply `count` times to the persona card (each stores a field and edits the card)."""
    start = time.perf_counter()
    for i in range(count):
        await member.reply(chat, card, f"{tag} answer {i}")
    await double.wait_for_edit(chat, card, containing=f"{tag} answer {count - 1}", timeout=300)
    return count / (time.perf_counter() - start)


async def echo_round(
    double: BotApiDouble, chat: ChatSpec, member: Member, count: int, tag: str
) -> float:
    """Send `count` /echo commands and wait for the last answer."""
    start = time.perf_counter()
    for i in range(count):
        await member.send(chat, f"/echo {tag} {i}")
    await double.wait_for_message(chat, containing=f"{tag} {count - 1}", timeout=300)
    return count / (time.perf_counter() - start)


async def start_wizard(double: BotApiDouble, chat: ChatSpec, member: Member) -> SentMessage:
    """/newmap, and the persona card to reply to."""
    await member.send(chat, "/newmap Bench")
    return await double.wait_for_message(chat, containing="Step 1 of 6", timeout=60)


async def measure_throughput(tmp: Path) -> dict[str, float]:
    """Wizard updates/s against echo updates/s: both bots up, rounds alternating."""
    # One double per bot (a double serves one token), both in this process, both bots up.
    async with (
        BotApiDouble(token=TOKEN, rate_limits=False, default_timeout=60) as wizard_double,
        BotApiDouble(token=TOKEN, rate_limits=False, default_timeout=60) as echo_double,
    ):
        member = wizard_double.member("Alice", username="alice")
        wizard_chat = wizard_double.group("Wizard", admins=[member])
        echo_member = echo_double.member("Alice", username="alice")
        echo_chat = echo_double.group("Echo", admins=[echo_member])
        wizard_rates, echo_rates = [], []
        async with (
            bot_process(wizard_double, "bot", tmp / "wizard.db"),
            bot_process(echo_double, "bench.echo_bot", tmp / "unused.db"),
        ):
            card = await start_wizard(wizard_double, wizard_chat, member)
            await wizard_round(wizard_double, wizard_chat, member, card, 20, "warm")
            await echo_round(echo_double, echo_chat, echo_member, 20, "warm")
            for number in range(ROUNDS):
                wizard_rates.append(
                    await wizard_round(
                        wizard_double, wizard_chat, member, card, UPDATES_PER_ROUND, f"w{number}"
                    )
                )
                echo_rates.append(
                    await echo_round(
                        echo_double, echo_chat, echo_member, UPDATES_PER_ROUND, f"e{number}"
                    )
                )
    ratios = [w / e for w, e in zip(wizard_rates, echo_rates, strict=True)]
    return {
        "ratio": statistics.median(ratios),
        "wizard": statistics.median(wizard_rates),
        "echo": statistics.median(echo_rates),
    }


async def measure_rss(tmp: Path) -> float:
    """RSS of the bot process after it handled 10,000 wizard updates."""
    async with BotApiDouble(token=TOKEN, rate_limits=False, default_timeout=600) as double:
        member = double.member("Alice", username="alice")
        chat = double.group("Memory", admins=[member])
        async with bot_process(double, "bot", tmp / "rss.db") as process:
            card = await start_wizard(double, chat, member)
            for batch in range(RSS_UPDATES // 500):
                await wizard_round(double, chat, member, card, 500, f"m{batch}")
            return rss_mb(process.pid)


def big_map() -> MapView:
    """12 stages × 8 touchpoints with votes, pains and fixes, built through the services."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    return make_big_map(unit_of_work_factory(engine, FrozenClock(NOW)))


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """The median wall time of `work` over `repeat` runs, after one warm-up run."""
    work()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_outputs() -> dict[str, float]:
    """Rendering and export times for the 12×8 map (median)."""
    view, texts = big_map(), Texts()
    labels = picture_labels(texts, "en")
    log = [ChangeView(i, NOW, "Alice", "touchpoint.added", f"Touchpoint {i}") for i in range(500)]
    return {
        "render_png_12x8_s": median_seconds(lambda: render_map_png(view, labels), 5),
        "render_html_12x8_ms": 1000
        * median_seconds(lambda: render_map_html(texts, view, language="en"), 20),
        "export_xlsx_12x8_ms": 1000 * median_seconds(lambda: map_to_xlsx(view, log), 10),
        "summary_12x8_ms": 1000
        * median_seconds(lambda: summary_messages(texts, view, language="en"), 50),
    }


def metric(value: float, unit: str, target: str, ok: bool) -> dict[str, Any]:
    """One entry of results.json."""
    return {"value": round(value, 3), "unit": unit, "target": target, "ok": ok}


async def main() -> None:
    """Run every benchmark and write the results."""
    metrics: dict[str, Any] = {}
    if RESULTS.exists():
        metrics = json.loads(RESULTS.read_text()).get("metrics", {})
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        throughput = await measure_throughput(tmp)
        print(f"wizard {throughput['wizard']:.0f}/s, echo {throughput['echo']:.0f}/s")
        metrics["wizard_updates_per_s_ratio"] = metric(
            throughput["ratio"], "ratio", ">= 0.6", throughput["ratio"] >= 0.6
        )
        rss = await measure_rss(tmp)
        metrics["rss_mb_after_10k_updates"] = metric(rss, "MB", "<= 200", rss <= 200)
    outputs = measure_outputs()
    for name, (unit, limit) in OUTPUT_TARGETS.items():
        value = outputs[name]
        metrics[name] = metric(value, unit, f"<= {limit}", value <= limit)
    RESULTS.write_text(json.dumps({"metrics": metrics}, indent=2) + "\n")
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
