"""The update processor: chats run side by side, each chat's updates in arrival order."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Coroutine
from typing import Any

from telegram import Update

from bot.concurrency import PerChatUpdateProcessor, droppable, order_key

ANN = {"id": 7, "is_bot": False, "first_name": "Ann"}


def message_update(update_id: int, chat_id: int, user_id: int = 7, text: str = "hi") -> Update:
    """A message update as Telegram sends it (parsed by PTB from its JSON)."""
    chat_type = "private" if chat_id > 0 else "group"
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": chat_id, "type": chat_type, "title": "Team"},
        "from": {**ANN, "id": user_id},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return Update.de_json({"update_id": update_id, "message": message}, None)


def press_update(update_id: int, chat_id: int) -> Update:
    """A button press on a bot message in a group (or, for a positive id, a private chat)."""
    return Update.de_json(
        {
            "update_id": update_id,
            "callback_query": {
                "id": f"q{update_id}",
                "from": ANN,
                "chat_instance": "ci",
                "data": "x:1",
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                    "from": {"id": 1, "is_bot": True, "first_name": "Bot"},
                    "text": "card",
                },
            },
        },
        None,
    )


class Recorder:
    """Handler coroutines that log when they start and end, and wait to be let go."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}

    async def handle(self, name: str) -> None:
        self.log.append(f"start {name}")
        self.gates[name] = gate = self.gates.get(name, asyncio.Event())
        await gate.wait()
        self.log.append(f"end {name}")

    def release(self, name: str) -> None:
        self.gates.setdefault(name, asyncio.Event()).set()


async def settle() -> None:
    """Let every runnable task run until it waits."""
    for _ in range(10):
        await asyncio.sleep(0)


async def test_one_chats_updates_wait_for_each_other() -> None:
    """A chat's second update starts only when its first is done, in arrival order."""
    processor, recorder = PerChatUpdateProcessor(8), Recorder()
    tasks = [
        asyncio.create_task(processor.process_update(message_update(i, -100), recorder.handle(n)))
        for i, n in enumerate(["a1", "a2", "a3"])
    ]
    await settle()
    assert recorder.log == ["start a1"]

    recorder.release("a2")  # released early: still waits for a1
    await settle()
    assert recorder.log == ["start a1"]

    recorder.release("a1")
    recorder.release("a3")
    await asyncio.gather(*tasks)
    assert recorder.log == ["start a1", "end a1", "start a2", "end a2", "start a3", "end a3"]


async def test_other_chats_run_meanwhile() -> None:
    """While one chat's update waits on Telegram, another chat's update runs."""
    processor, recorder = PerChatUpdateProcessor(8), Recorder()
    first = asyncio.create_task(
        processor.process_update(message_update(1, -100), recorder.handle("group"))
    )
    second = asyncio.create_task(
        processor.process_update(message_update(2, 555, user_id=555), recorder.handle("dm"))
    )
    await settle()
    assert recorder.log == ["start group", "start dm"]

    recorder.release("dm")
    await second
    assert recorder.log[-1] == "end dm"
    recorder.release("group")
    await first


async def test_idle_chats_leave_no_lock_behind() -> None:
    """Locks exist only while a chat has updates in flight, so memory stays flat."""
    processor, recorder = PerChatUpdateProcessor(8), Recorder()
    for chat_id in (-1, -2, 3):
        recorder.release(str(chat_id))
        await processor.process_update(message_update(1, chat_id), recorder.handle(str(chat_id)))

    assert processor._queues == {}


async def test_a_failing_update_frees_its_chat() -> None:
    """An update whose handlers raise does not block the chat's next update."""
    processor, recorder = PerChatUpdateProcessor(8), Recorder()

    async def fail() -> None:
        raise RuntimeError("boom")

    recorder.release("next")
    failed, done = await asyncio.gather(
        processor.process_update(message_update(1, -100), fail()),
        processor.process_update(message_update(2, -100), recorder.handle("next")),
        return_exceptions=True,
    )

    assert isinstance(failed, RuntimeError)
    assert done is None
    assert recorder.log == ["start next", "end next"]
    assert processor._queues == {}


def test_updates_are_ordered_by_chat_then_user() -> None:
    """Chat id first; an update without a chat (an inline query) goes by its user."""
    inline = Update.de_json(
        {
            "update_id": 9,
            "inline_query": {
                "id": "q",
                "from": {"id": 42, "is_bot": False, "first_name": "Ann"},
                "query": "",
                "offset": "",
            },
        },
        None,
    )
    assert order_key(message_update(1, -100)) == -100
    assert order_key(inline) == 42
    assert order_key("not an update") is None


async def test_a_chat_queueing_behind_itself_holds_no_global_slot() -> None:
    """Two slots, one busy chat with three updates: another chat still runs (issue 13).

    PTB's own process_update takes a slot before the chat's turn, so the busy chat's second
    update would hold the last slot while it waits for its first.
    """
    processor, recorder = PerChatUpdateProcessor(2), Recorder()
    busy = [
        asyncio.create_task(processor.process_update(message_update(i, -100), recorder.handle(n)))
        for i, n in enumerate(["a1", "a2", "a3"])
    ]
    other = asyncio.create_task(
        processor.process_update(message_update(9, -200), recorder.handle("b"))
    )
    await settle()
    assert recorder.log == ["start a1", "start b"]

    for name in ("a1", "a2", "a3", "b"):
        recorder.release(name)
    await asyncio.gather(*busy, other)


class Dropped:
    """The processor's on_dropped hook: records (update id, first) for each dropped update."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, bool]] = []

    async def __call__(self, update: Update, first: bool) -> None:
        self.calls.append((update.update_id, first))


async def test_commands_and_presses_past_the_cap_are_dropped_and_replies_kept() -> None:
    """Past the cap a command or press is dropped (its coroutine closed); a reply still queues."""
    processor, recorder, dropped = (
        PerChatUpdateProcessor(8, max_queued_per_chat=2),
        Recorder(),
        Dropped(),
    )
    processor.on_dropped = dropped
    coroutines: dict[str, Coroutine[Any, Any, None]] = {}
    updates = [
        ("cmd1", message_update(1, -100, text="/help")),
        ("cmd2", message_update(2, -100, text="/help")),
        ("cmd3", message_update(3, -100, text="/help")),
        ("press", press_update(4, -100)),
        ("cmd5", message_update(5, -100, text="/map")),
        ("reply", message_update(6, -100, text="Olga, 34")),
        ("other", message_update(7, -200, text="/help")),
    ]
    tasks = []
    for name, update in updates:
        coroutines[name] = coroutine = recorder.handle(name)
        tasks.append(asyncio.create_task(processor.process_update(update, coroutine)))
    await settle()

    assert dropped.calls == [(3, True), (4, False), (5, False)]  # told once, on a command
    for name in ("cmd3", "press", "cmd5"):
        assert inspect.getcoroutinestate(coroutines[name]) == inspect.CORO_CLOSED
    assert processor.queued(-100) == 3  # cmd1 running, cmd2 and the reply waiting
    for name, _ in updates:
        recorder.release(name)
    await asyncio.gather(*tasks)
    ran = [line.removeprefix("end ") for line in recorder.log if line.startswith("end")]
    assert sorted(ran) == ["cmd1", "cmd2", "other", "reply"]
    assert [name for name in ran if name != "other"] == ["cmd1", "cmd2", "reply"]


async def test_the_chat_is_told_again_after_its_queue_emptied() -> None:
    """The chat hears "slow down" once per flood; after its queue emptied, a new flood is new."""
    processor, recorder, dropped = (
        PerChatUpdateProcessor(8, max_queued_per_chat=1),
        Recorder(),
        Dropped(),
    )
    processor.on_dropped = dropped
    for flood in range(2):
        first = asyncio.create_task(
            processor.process_update(
                message_update(10 * flood, -100, text="/help"), recorder.handle("f")
            )
        )
        await settle()
        extra = message_update(10 * flood + 1, -100, text="/help")
        await processor.process_update(extra, recorder.handle("dropped"))
        recorder.release("f")
        await first
        recorder.gates.clear()
    assert dropped.calls == [(1, True), (11, True)]


def test_only_commands_and_presses_may_be_dropped() -> None:
    """A reply carries what members typed, a customer's press their answer: never dropped."""
    assert droppable(message_update(1, -100, text="/help"))
    assert droppable(press_update(2, -100))
    assert not droppable(message_update(3, -100, text="Olga, 34"))
    assert not droppable(press_update(4, 555))  # a customer's answer: the last press wins
    assert not droppable("not an update")
