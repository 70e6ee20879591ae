"""A step card and a stored prompt: what the bot asked, and what a reply should land on."""

from __future__ import annotations

from dataclasses import dataclass

from cjm.models import Step
from cjm.views.maps import MapView


@dataclass(frozen=True)
class PromptView:
    """What a stored prompt asks, so a reply can be routed to the right service."""

    chat_id: int
    message_id: int
    kind: str
    map_id: int | None
    target_id: int | None
    field: str | None
    card_message_id: int | None


@dataclass(frozen=True)
class CardView:
    """A step card: the map, the step it shows, and the item it has in focus."""

    map: MapView
    step: Step
    message_id: int | None = None
    focus_id: int | None = None
    focus_field: str | None = None
