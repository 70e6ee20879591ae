"""The /map summary: the map as text, split on stage boundaries to fit Telegram's messages."""

from __future__ import annotations

from collections.abc import Mapping
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
    return _pack(blocks, limit)


def _pack(blocks: list[str], limit: int) -> list[str]:
    messages: list[str] = []
    current = ""
    for block in blocks:
        block = block if len(block) <= limit else block[: limit - 1] + "…"
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages
