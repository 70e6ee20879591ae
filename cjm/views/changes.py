"""A map's change log: its lines, and one page of them for /history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ChangeView:
    """One line of a map's change log."""

    id: int
    at: datetime
    actor_name: str
    action: str
    summary: str


@dataclass(frozen=True)
class HistoryPage:
    """One page of a map's change log, newest first."""

    map_id: int
    map_title: str
    tz: str
    page: int
    pages: int
    items: tuple[ChangeView, ...]
