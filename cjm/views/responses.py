"""What a customer is asked and what their answer did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

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
    brand: str | None = None  # the team's brand or product (/brand), named in the question


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


class CommentState(StrEnum):
    """What a text from a customer did to their "why?"."""

    NOTHING_ASKED = "nothing_asked"  # no answer waits for a comment
    GOING_ON = "going_on"  # a long part: more may follow (a client split the text)
    STORED = "stored"  # the comment, all its parts joined, is stored
    TOO_LONG = "too_long"  # all parts joined are over the limit: nothing stored, ask again
    EMPTY = "empty"  # nothing readable in it: nothing stored, ask again


@dataclass(frozen=True)
class CommentVerdict:
    """A customer's comment after a part of it arrived, or once its last part is in."""

    user_id: int
    state: CommentState
    language: str
    length: int = 0  # the joined parts' characters (TOO_LONG)
    limit: int = 0  # how long a comment may be (TOO_LONG)
    survey_id: int | None = None  # the question to redraw without Skip (STORED)
    asking_message_id: int | None = None  # its message in the private chat, if known
    finish_at: datetime | None = None  # GOING_ON: when the comment counts as finished
