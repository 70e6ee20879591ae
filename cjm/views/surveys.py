"""A survey as the team sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cjm.models import SurveyKind, SurveyStatus
from cjm.views.chats import ChatView
from cjm.views.maps import MapView, StageView
from cjm.views.responses import PostedQuestion


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


@dataclass(frozen=True)
class SurveySetup:
    """/survey's first step: the current map and the stage whose touchpoints it offers."""

    journey: MapView
    stage: StageView


@dataclass(frozen=True)
class PostChoices:
    """A survey and the other groups it may be posted to (by title)."""

    survey: SurveyView
    groups: tuple[ChatView, ...]


@dataclass(frozen=True)
class Posting:
    """A survey about to be posted into a group: its card and the question to post."""

    survey: SurveyView
    question: PostedQuestion
