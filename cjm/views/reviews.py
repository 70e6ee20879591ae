"""The /review card: a map's review schedule as the team sets it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cjm.models import Cadence


@dataclass(frozen=True)
class ReviewCard:
    """The /review card: the current map's schedule (exists=False: none yet)."""

    map_id: int
    map_title: str
    tz: str
    exists: bool
    cadence: Cadence | None
    weekdays: int
    anchor_weekday: int
    anchor_day: int
    local_time: str
    paused: bool
    pause_reason: str | None
    next_at: datetime | None
    passed_today: bool = False

    def runs_on(self, weekday: int) -> bool:
        """Whether the weekday (0 = Monday) is ticked on the card."""
        if self.cadence is Cadence.WEEKDAYS:
            return bool(self.weekdays >> weekday & 1)
        return self.cadence in (Cadence.WEEKLY, Cadence.BIWEEKLY) and weekday == (
            self.anchor_weekday
        )
