"""The question pipeline's views: a question ready to post, and what an answer did."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from cjm.models import PersonaField, PromptKind
from cjm.views.hotspots import HotspotFix
from cjm.views.kpis import KpiBoard, KpiRecorded, KpiView
from cjm.views.pending import Unconfirmed
from cjm.views.reviews import ReviewCard
from cjm.views.surveys import SurveyView


class Redraw(StrEnum):
    """The message that shows what an answer changed."""

    NOTHING = "nothing"
    STEP_CARD = "step_card"
    SURVEY_CARD = "survey_card"
    KPI_BOARD = "kpi_board"
    REVIEW_CARD = "review_card"


@dataclass(frozen=True)
class Skipped:
    """A list reply's lines already on the map (kind: "stage", "touchpoint"); the rest went in."""

    kind: str
    names: tuple[str, ...]


# What applying an answer returns for the redraw or the confirmation; None when the redraw
# reads afresh (step cards). Skipped and Unconfirmed are shown whatever the question's row says.
Outcome: TypeAlias = (
    SurveyView | ReviewCard | HotspotFix | KpiView | KpiRecorded | Skipped | Unconfirmed | None
)


def question_macro(kind: PromptKind) -> str:
    """A question's wording: the macro named after its kind in templates/chat/questions.html."""
    return kind.value.replace(".", "_")


@dataclass(frozen=True)
class QuestionToAsk:
    """A question checked and ready to post: its kind, what it is about, what it names."""

    kind: PromptKind
    map_id: int | None
    target_id: int | None
    persona_field: PersonaField | None
    card_message_id: int | None
    params: Mapping[str, object]


@dataclass(frozen=True)
class Answered:
    """What a reply did: the message to redraw, and the outcome to show or confirm."""

    kind: PromptKind
    redraw: Redraw
    card_message_id: int | None
    outcome: Outcome
    confirm: bool


@dataclass(frozen=True)
class Cancelled:
    """What /cancel closed: unanswered questions, and answers that waited for a yes."""

    questions: int
    held: int


@dataclass(frozen=True)
class KpiAsked:
    """A new KPI's question, asked from a /kpi message, and that message's board to redraw."""

    asked: QuestionToAsk
    board: KpiBoard
