"""Answers that wait for a member's yes, and what keeping one did."""

from dataclasses import dataclass
from datetime import date

from cjm.models import PendingKind
from cjm.views.maps import MapView


@dataclass(frozen=True)
class Unconfirmed:
    """An answer held for a yes: its id (for the buttons), what it would set, and why it waits.

    reason: "title_taken" (names: the maps' titles), "owner_bot" / "owner_unknown" (names:
    the @mentions), "due_far" (due_on: the date read).
    """

    id: int
    kind: PendingKind
    value: str
    reason: str
    names: tuple[str, ...] = ()
    due_on: date | None = None


@dataclass(frozen=True)
class Kept:
    """A held answer a member confirmed: the new map, or the step card to redraw."""

    kind: PendingKind
    value: str
    map: MapView | None = None
    card_message_id: int | None = None
    due_on: date | None = None
