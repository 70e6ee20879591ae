"""A step card: what it shows, and what a reply to it lands on."""

from __future__ import annotations

from dataclasses import dataclass

from cjm.models import FocusKind, Step
from cjm.views.maps import MapView


@dataclass(frozen=True)
class CardView:
    """A step card: the map, the step it shows, and the item it has in focus."""

    map: MapView
    step: Step
    message_id: int | None = None
    focus_id: int | None = None
    focus: FocusKind | None = None
