"""The /map summary: the map as text, a block per stage; the adapter packs them into messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cjm.render.texts import Texts
from cjm.views import MapView, TouchpointScore


def summary_blocks(
    texts: Texts,
    view: MapView,
    *,
    language: str,
    scores: Mapping[int, TouchpointScore] | None = None,
) -> list[str]:
    """The summary as Telegram-HTML blocks: the header, one per stage, the footer."""
    module: Any = texts.environment(language).get_template("chat/maps/summary.html").module
    blocks = [str(module.header(view)).strip()]
    blocks += [
        str(module.stage(view, stage, number, scores or {})).strip()
        for number, stage in enumerate(view.stages, start=1)
    ]
    blocks.append(str(module.footer(view)).strip())
    return blocks
