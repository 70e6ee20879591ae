"""The update processor: chats run side by side, each chat's updates in arrival order."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.concurrency import PerChatUpdateProcessor, order_key


def message_update(update_id: int, chat_id: int, user_id: int = 7) -> Update:
    """A message update as Telegram sends it (parsed by PTB from its JSON)."""
    chat_type = "private" if chat_id > 0 else "group"
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat_id, "type": chat_type, "title": "Team"},
                "from": {"id": user_id, "is_bot": False, "first_name": "Ann"},
                "text": "hi",
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

    assert processor._locks == {}
    assert processor._holders == {}


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
    assert processor._locks == {}


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
