"""A survey as the team sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cjm.models import SurveyKind, SurveyStatus


@dataclass(frozen=True)
class SurveyView:
    """A survey as the team sees it (never who answered)."""

    id: int
    map_id: int
    touchpoint_id: int | None
    touchpoint_name: str | None
    kind: SurveyKind
    question: str | None
    ask_why: bool
    token: str
    status: SurveyStatus
    ends_at: datetime | None
    ends_on: date | None  # the last day it takes answers, in the survey's chat's zone
    max_responses: int | None
    responses: int
    may_ask_again: int = 0

    @property
    def is_taking_answers(self) -> bool:
        """Open, and its touchpoint still on the map."""
        return self.status is SurveyStatus.OPEN and self.touchpoint_id is not None
