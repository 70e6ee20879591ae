"""The scenario API's reading half: transcripts, registered commands, and waits on the bot."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import re
from collections.abc import Callable
from typing import TypeVar

from tests.double.methods.bot import scope_key
from tests.double.state import CallbackQueryRecord, ChatSpec, SentMessage
from tests.double.transcript import render
from tests.double.wire import JsonDict
from tests.double.world import World

__all__ = ["Observing"]

T = TypeVar("T")


class Observing(World):
    """A World that tests can read and wait on; `BotApiDouble` adds setup and serving."""

    def messages(self, chat: ChatSpec | int) -> list[SentMessage]:
        """All messages in the chat (bot and members, deleted ones flagged), oldest first."""
        return list(self._chat_of(chat).messages)

    def bot_messages(self, chat: ChatSpec | int) -> list[SentMessage]:
        """Only the bot's messages in the chat."""
        return [m for m in self._chat_of(chat).messages if m.from_bot]

    def last_bot_message(self, chat: ChatSpec | int) -> SentMessage | None:
        """The newest message the bot sent in the chat, if any."""
        for msg in reversed(self._chat_of(chat).messages):
            if msg.from_bot:
                return msg
        return None

    def commands(
        self, language_code: str | None = None, scope: JsonDict | str | None = None
    ) -> list[tuple[str, str]]:
        """Commands registered via setMyCommands for exactly that scope and language."""
        key = (scope_key(scope), language_code or "")
        return [(c["command"], c["description"]) for c in self.command_lists.get(key, [])]

    def menu_shown_to(
        self, user_language_code: str | None, scope: JsonDict | str | None = None
    ) -> list[tuple[str, str]]:
        """The command menu a user sees: the list for their language, else the scope's default.

        Lists are registered per two-letter ISO 639-1 code and a user whose language has none
        gets the default list (https://core.telegram.org/bots/api#setmycommands), so a
        "zh-hans" user sees the "zh" list.
        """
        base = (user_language_code or "").split("-")[0].lower()
        return self.commands(base, scope) or self.commands(None, scope)

    @property
    def registered_commands(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        """Every (scope key, language) → commands the bot registered."""
        return {
            key: [(c["command"], c["description"]) for c in value]
            for key, value in self.command_lists.items()
        }

    @property
    def pending_updates(self) -> int:
        """Queued updates the bot has not fetched yet."""
        return len(self.unfetched)

    def calls_of(self, method: str) -> list[JsonDict]:
        """Decoded params of every request to `method`, oldest first."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    async def wait_for_message(
        self,
        chat: ChatSpec | int,
        containing: str | re.Pattern[str] | None = None,
        *,
        after: SentMessage | int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
        predicate: Callable[[SentMessage], bool] | None = None,
        from_bot: bool = True,
    ) -> SentMessage:
        """First bot message (a new send) newer than `after` whose text/caption matches."""
        spec = self._chat_of(chat)
        after_id = after.message_id if isinstance(after, SentMessage) else (after or 0)

        first = bisect.bisect_right(spec.messages, after_id, key=lambda m: m.message_id)
        # Scan only messages not yet checked, unless an edit may have changed old ones:
        # rescanning everything on every wake-up is quadratic in long benchmark runs.
        cursor = [first, spec.edit_seq]

        def find() -> SentMessage | None:
            if cursor[1] != spec.edit_seq:
                cursor[:] = [first, spec.edit_seq]
            messages = spec.messages
            for index in range(cursor[0], len(messages)):
                msg = messages[index]
                if msg.from_bot != from_bot or msg.kind == "service":
                    continue
                if not self._matches(msg.content, containing):
                    continue
                if predicate is None or predicate(msg):
                    return msg
            cursor[0] = len(messages)
            return None

        what = f"a message containing {containing!r}" if containing else "a message"
        return await self._wait(find, timeout, lambda: f"{what} after #{after_id}", spec)

    async def wait_for_edit(
        self,
        chat: ChatSpec | int,
        message: SentMessage | int,
        containing: str | re.Pattern[str] | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
    ) -> SentMessage:
        """Wait until that message's current text/caption matches (immediately if it does)."""
        spec = self._chat_of(chat)
        mid = message.message_id if isinstance(message, SentMessage) else message
        target = spec.by_id.get(mid)
        if target is None:
            raise AssertionError(f"no message #{mid} in {spec.title}")
        edits_before = target.edit_count if containing is None else -1

        def find() -> SentMessage | None:
            if containing is None:
                return target if target.edit_count > edits_before else None
            return target if self._matches(target.content, containing) else None

        return await self._wait(find, timeout, lambda: f"#{mid} to read {containing!r}", spec)

    async def wait_for_answer(
        self,
        query: CallbackQueryRecord,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
    ) -> CallbackQueryRecord:
        """Wait until the bot answered that callback query."""
        spec = self._chat_of(query.message.chat_id)
        return await self._wait(
            lambda: query if query.answered else None,
            timeout,
            lambda: f"an answer to callback {query.data!r}",
            spec,
        )

    async def wait_for_document(
        self,
        chat: ChatSpec | int,
        filename_suffix: str | None = None,
        *,
        after: SentMessage | int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
    ) -> SentMessage:
        """First document the bot sent (newer than `after`) whose name ends with the suffix."""
        return await self.wait_for_message(
            chat,
            after=after,
            timeout=timeout,
            predicate=lambda m: (
                m.kind == "document"
                and (filename_suffix is None or (m.filename or "").endswith(filename_suffix))
            ),
        )

    async def wait_for_photo(
        self,
        chat: ChatSpec | int,
        *,
        after: SentMessage | int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
    ) -> SentMessage:
        """First photo the bot sent newer than `after`."""
        return await self.wait_for_message(
            chat, after=after, timeout=timeout, predicate=lambda m: m.kind == "photo"
        )

    async def wait_idle(
        self,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the test API
        *,
        quiet: float = 0.05,
    ) -> None:
        """Return once every update was fetched, no request is in flight, and `quiet` passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.default_timeout if timeout is None else timeout)

        def settled() -> bool:
            fetched = not self.unfetched
            return fetched and self.busy == 0

        while True:
            await self._wait(
                lambda: True if settled() else None,
                max(0.0, deadline - loop.time()),
                lambda: f"idle (busy={self.busy}, unfetched updates={self.pending_updates})",
                None,
            )
            seen = self.activity
            changed = self.changed
            try:
                # Fixed quiet window: a bot handler between two requests shows no traffic.
                await asyncio.wait_for(changed.wait(), quiet)
            except TimeoutError:
                if seen == self.activity and settled():
                    return
            if loop.time() > deadline:
                raise AssertionError(f"bot did not go idle within {timeout}s")

    def transcript_markdown(self, chat: ChatSpec | int) -> str:
        """The chat as members saw it, rendered as Markdown."""
        spec = self._chat_of(chat)
        lines = [f"### {spec.title}", ""]
        for msg in spec.messages:
            lines.append(render(msg))
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    async def _wait(
        self,
        find: Callable[[], T | None],
        timeout: float | None,  # noqa: ASYNC109 - seconds, None for the default
        describe: Callable[[], str],
        chat: ChatSpec | None,
    ) -> T:
        loop = asyncio.get_running_loop()
        limit = self.default_timeout if timeout is None else timeout
        deadline = loop.time() + limit
        while True:
            found = find()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ""
                if chat is not None:
                    tail = chat.messages[-15:]
                    recent = "\nrecent transcript:\n" + "\n".join(render(m) for m in tail)
                errors = "".join(f"\n  {m}: {c} {d}" for m, c, d in self.errors[-5:])
                raise AssertionError(
                    f"timed out after {limit}s waiting for {describe()}"
                    + (f" in {chat.title!r}" if chat else "")
                    + (f"\nlast API errors:{errors}" if errors else "")
                    + recent
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)

    @staticmethod
    def _matches(content: str, containing: str | re.Pattern[str] | None) -> bool:
        if containing is None:
            return True
        if isinstance(containing, str):
            return containing in content
        return containing.search(content) is not None

    def _chat_of(self, chat: ChatSpec | int) -> ChatSpec:
        if isinstance(chat, ChatSpec):
            return chat
        try:
            return self.chats[chat]
        except KeyError:
            raise AssertionError(f"unknown chat {chat}") from None
