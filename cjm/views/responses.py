"""What a customer is asked and what their answer did."""

from __future__ import annotations

from dataclasses import dataclass

from cjm.models import SurveyKind


@dataclass(frozen=True)
class QuestionView:
    """What a customer is asked: the survey's question in their language."""

    survey_id: int
    token: str
    kind: SurveyKind
    question: str | None
    touchpoint_name: str
    map_title: str
    ask_why: bool
    current_score: int | None = None


@dataclass(frozen=True)
class AnswerOutcome:
    """After a customer's score: whether to ask "why?" and whether it was a change."""

    survey_id: int
    score: int
    ask_why: bool
    changed: bool
    responses: int | None  # answers so far: counted for a group post, None in private


@dataclass(frozen=True)
class AnswerRedraw:
    """A stored answer and the question as it now reads (to redraw it without another read)."""

    outcome: AnswerOutcome
    question: QuestionView


@dataclass(frozen=True)
class PostedQuestion:
    """A survey's question as it stands, with its answer count, in the language to show it."""

    question: QuestionView
    responses: int
    language: str
