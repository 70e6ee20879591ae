"""A row of the question table, and what asking one needs."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from cjm.db import UnitOfWork
from cjm.models import PersonaField, Prompt, PromptKind
from cjm.views import Actor, Outcome, Redraw, question_macro


class Target(StrEnum):
    """What a question's stored target names."""

    NONE = "none"  # nothing: the question stands alone (importing a map)
    MAP = "map"  # the map itself (its stages, its review time)
    CARD = "card"  # a step card: whatever the card has in focus
    PERSONA_FIELD = "persona_field"
    STAGE = "stage"
    TOUCHPOINT = "touchpoint"
    PAIN = "pain"
    FIX = "fix"
    SURVEY = "survey"
    KPI = "kpi"


@dataclass(frozen=True)
class Asking:
    """A question about to be asked: who asks, about what, from which card."""

    chat_id: int
    target_id: int | None
    persona_field: PersonaField | None
    card: Prompt | None  # the step card, survey card or /kpi message the button was on


@dataclass(frozen=True)
class Described:
    """The map a question belongs to and what its wording names."""

    map_id: int | None
    params: Mapping[str, object]


Describe = Callable[[UnitOfWork, Asking], Described]
Apply = Callable[[UnitOfWork, Prompt, str, Actor], Outcome]


@dataclass(frozen=True)
class Question:
    """One kind of question: a row of QUESTIONS."""

    kind: PromptKind
    target: Target
    apply: Apply
    redraw: Redraw
    describe: Describe | None = None  # None for step cards: the card is its own wording
    confirm: bool = False  # the adapter says what the answer did ("✅ KPI added")
    takes_files: bool = False  # a reply may be a document, which the adapter downloads
    # The reply sets one value (a name, a note, a date): editing the reply sets it again.
    # Otherwise a reply adds items, and an edit cannot tell which of them to change.
    sets: bool = False

    @property
    def macro(self) -> str:
        """The question's wording: the macro in templates/chat/questions.html."""
        return question_macro(self.kind)

    @property
    def is_card(self) -> bool:
        """Whether this kind is a step card rather than a question message."""
        return self.target is Target.CARD
