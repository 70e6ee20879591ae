"""The /map summary: the map as text, split on stage boundaries to fit Telegram's messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cjm.render.texts import Texts
from cjm.views import MapView, TouchpointScore

TELEGRAM_TEXT_LIMIT = 4096


def summary_messages(
    texts: Texts,
    view: MapView,
    *,
    language: str,
    scores: Mapping[int, TouchpointScore] | None = None,
    limit: int = TELEGRAM_TEXT_LIMIT,
) -> list[str]:
    """The summary as Telegram-HTML messages, each under `limit`, never splitting a stage."""
    module: Any = texts.environment(language).get_template("chat/maps/summary.html").module
    blocks = [str(module.header(view)).strip()]
    blocks += [
        str(module.stage(view, stage, number, scores or {})).strip()
        for number, stage in enumerate(view.stages, start=1)
    ]
    blocks.append(str(module.footer(view)).strip())
    return pack_messages(blocks, limit)


def cut_anywhere(block: str, limit: int) -> str:
    """A block cut to `limit` characters, ending in an ellipsis."""
    return block[: limit - 1] + "…"


def pack_messages(
    blocks: list[str], limit: int, cut: Callable[[str, int], str] = cut_anywhere
) -> list[str]:
    """Blocks joined by blank lines into messages under `limit`; a block is never split.

    A block longer than a whole message is `cut` to fit one.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        block = block if len(block) <= limit else cut(block, limit)
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages
