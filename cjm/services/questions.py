"""Every question the bot asks, in one table: what it is about, what answers it, what to redraw.

A question is a bot message members answer by replying to it (under Telegram's privacy mode a
reply is one of the few messages a bot sees). Its row says:
- `target`: what the stored prompt's target names (a stage, a survey, a persona field…), which
  the ask checks belongs to the acting chat before the question goes out;
- `describe`: what the question's wording names (the macro of the same name as the kind in
  templates/chat/questions.html takes these parameters);
- `apply`: the service that applies a reply, inside the answer's transaction;
- `redraw`: which message shows the change afterwards (a step card, a survey card, …).

Adding a question is one row here and one macro in templates/chat/questions.html; the step
cards themselves are questions too (a reply to a card adds to what it has in focus).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from cjm.cards import resolve
from cjm.db import UnitOfWork
from cjm.errors import ImportRefused, ItemGone, PromptUnknown, StaleButton
from cjm.models import PersonaField, Prompt, PromptKind, Step
from cjm.services import (
    emotions,
    fixes,
    hotspots,
    kpis,
    maps,
    pains,
    persona,
    reviews,
    stages,
    surveys,
    touchpoints,
)
from cjm.views import Actor, CardView, MapView, Outcome, Redraw


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

    @property
    def macro(self) -> str:
        """The question's wording: the macro in templates/chat/questions.html."""
        return self.kind.value.replace(".", "_")

    @property
    def is_card(self) -> bool:
        """Whether this kind is a step card rather than a question message."""
        return self.target is Target.CARD


# ---------------------------------------------------------------- what a prompt names
# Each helper runs inside the answer's open unit of work.


def _map_of(prompt: Prompt) -> int:
    if prompt.map_id is None:
        raise PromptUnknown(map_deleted=True)
    return prompt.map_id


def _target_of(prompt: Prompt) -> int:
    if prompt.target_id is None:
        raise PromptUnknown
    return prompt.target_id


def card_view(uow: UnitOfWork, card: Prompt) -> CardView:
    """A stored step card as a view of its map as it stands."""
    return CardView(
        maps.load(uow, _map_of(card)),
        Step(card.kind.removeprefix("card.")),
        card.message_id,
        card.target_id,
        card.focus,
    )


def _focused(uow: UnitOfWork, prompt: Prompt, subject: Target) -> int:
    """The item of `subject` a step card has in focus (ItemGone when there is none)."""
    focus = resolve(card_view(uow, prompt))
    item = {
        Target.STAGE: focus.stage,
        Target.TOUCHPOINT: focus.touchpoint,
        Target.PAIN: focus.pain,
    }[subject]
    if item is None:
        raise ItemGone(kind=subject.value)
    return item.id


def _item(uow: UnitOfWork, prompt: Prompt, subject: Target) -> int:
    """What a reply adds to: the question's own target, or a card's focus."""
    if prompt.kind.startswith("card."):
        return _focused(uow, prompt, subject)
    return _target_of(prompt)


# ---------------------------------------------------------------- applying a reply


def _persona(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    # The field asked for; a reply to the card fills the first field nobody filled in yet.
    persona.set_persona_field(
        uow, map_id=_map_of(prompt), field=prompt.persona_field, value=text, actor=actor
    )


def _add_stages(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    stages.add_stages(uow, map_id=_map_of(prompt), text=text, actor=actor)


def _rename_stage(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    stages.rename_stage(uow, stage_id=_target_of(prompt), name=text, actor=actor)


def _stage_goal(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    stages.set_customer_goal(uow, stage_id=_target_of(prompt), goal=text, actor=actor)


def _add_touchpoints(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    stage_id = _item(uow, prompt, Target.STAGE)
    touchpoints.add_touchpoints(uow, stage_id=stage_id, text=text, actor=actor)


def _rename_touchpoint(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    touchpoints.rename_touchpoint(uow, touchpoint_id=_target_of(prompt), name=text, actor=actor)


def _channel(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    touchpoints.set_channel(uow, touchpoint_id=_target_of(prompt), channel=text, actor=actor)


def _note(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    touchpoint_id = _item(uow, prompt, Target.TOUCHPOINT)
    emotions.set_note(uow, touchpoint_id=touchpoint_id, note=text, voter=actor)


def _add_pain(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    pains.add_pain(uow, stage_id=_item(uow, prompt, Target.STAGE), text=text, actor=actor)


def _pain_text(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    pains.edit_pain(uow, pain_id=_target_of(prompt), text=text, actor=actor)


def _add_fix(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    fixes.add_fix(uow, pain_id=_item(uow, prompt, Target.PAIN), text=text, actor=actor)


def _fix_text(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    fixes.edit_fix_text(uow, fix_id=_target_of(prompt), text=text, actor=actor)


def _fix_owner(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    fixes.set_owner(uow, fix_id=_target_of(prompt), owner=text, actor=actor)


def _fix_due(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    fixes.set_due_date(uow, fix_id=_target_of(prompt), text=text, actor=actor)


def _hotspot_fix(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    # A fix for the touchpoint's most severe open pain; without one, the text becomes a pain.
    return hotspots.add_hotspot_fix(uow, touchpoint_id=_target_of(prompt), text=text, actor=actor)


def _kpi_add(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    return kpis.add_kpi(uow, stage_id=_target_of(prompt), text=text, actor=actor)


def _kpi_value(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    return kpis.record_kpi_value(uow, kpi_id=_target_of(prompt), text=text, actor=actor)


def _survey_question(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    return surveys.set_question(
        uow, chat_id=prompt.chat_id, survey_id=_target_of(prompt), text=text, actor=actor
    )


def _survey_end(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    return surveys.set_end_date(
        uow, chat_id=prompt.chat_id, survey_id=_target_of(prompt), text=text, actor=actor
    )


def _survey_cap(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    return surveys.set_cap(
        uow, chat_id=prompt.chat_id, survey_id=_target_of(prompt), text=text, actor=actor
    )


def _review_time(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> Outcome:
    return reviews.set_review_time(
        uow, chat_id=prompt.chat_id, map_id=_map_of(prompt), text=text, actor=actor
    )


def _import_text(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    raise ImportRefused(reason="not_a_file")  # a map arrives as a document, not as text


# ---------------------------------------------------------------- describing a question


def _on_card(uow: UnitOfWork, asking: Asking) -> MapView:
    """The map of the step card the question was asked from (ItemGone once it is gone)."""
    if asking.card is None or not asking.card.kind.startswith("card.") or not asking.card.map_id:
        raise ItemGone(kind="card")
    return maps.load(uow, asking.card.map_id)


def _named(subject: Target) -> Describe:
    """A question about a map item on a step card: it names the item."""

    def describe(uow: UnitOfWork, asking: Asking) -> Described:
        journey = _on_card(uow, asking)
        finder = {
            Target.STAGE: journey.stage,
            Target.TOUCHPOINT: journey.touchpoint,
            Target.PAIN: journey.pain,
            Target.FIX: journey.fix,
        }[subject]
        item = finder(asking.target_id) if asking.target_id else None
        if item is None:
            raise ItemGone(kind=subject.value)
        name = getattr(item, "name", None) or getattr(item, "text", "")
        return Described(journey.id, {"name": name})

    return describe


def _describe_persona_field(uow: UnitOfWork, asking: Asking) -> Described:
    journey = _on_card(uow, asking)
    if asking.persona_field is None:
        raise StaleButton
    field = asking.persona_field
    return Described(journey.id, {"field": field.value, "current": journey.persona[field]})


def _describe_stage_add(uow: UnitOfWork, asking: Asking) -> Described:
    return Described(_on_card(uow, asking).id, {})


def _describe_survey(uow: UnitOfWork, asking: Asking) -> Described:
    if asking.target_id is None:
        raise StaleButton
    survey = surveys.get_survey(uow, chat_id=asking.chat_id, survey_id=asking.target_id)
    return Described(survey.map_id, {"survey": survey})


def _describe_hotspot(uow: UnitOfWork, asking: Asking) -> Described:
    if asking.target_id is None:
        raise StaleButton
    target = hotspots.fix_target(uow, chat_id=asking.chat_id, touchpoint_id=asking.target_id)
    pain = target.open_pain.text if target.open_pain else None
    return Described(target.map_id, {"touchpoint": target.touchpoint.name, "pain": pain})


def _describe_kpi_stage(uow: UnitOfWork, asking: Asking) -> Described:
    board = kpis.list_kpis(uow, chat_id=asking.chat_id)
    stage = board.stage(asking.target_id) if asking.target_id else None
    if stage is None:
        raise StaleButton
    return Described(board.map_id, {"stage": stage.name})


def _describe_kpi(uow: UnitOfWork, asking: Asking) -> Described:
    board = kpis.list_kpis(uow, chat_id=asking.chat_id)
    kpi = board.kpi(asking.target_id) if asking.target_id else None
    if kpi is None:
        raise StaleButton
    return Described(board.map_id, {"name": kpi.name})


def _describe_review_time(uow: UnitOfWork, asking: Asking) -> Described:
    # The review card's map: the one its buttons named, checked to be this chat's.
    if asking.target_id is None:
        raise StaleButton
    maps.own_map(uow, asking.chat_id, asking.target_id)
    return Described(asking.target_id, {})


def _describe_nothing(uow: UnitOfWork, asking: Asking) -> Described:
    return Described(None, {})


def _card(step: Step, apply: Apply) -> Question:
    return Question(PromptKind(f"card.{step.value}"), Target.CARD, apply, Redraw.STEP_CARD)


def _on_step_card(kind: PromptKind, target: Target, apply: Apply, describe: Describe) -> Question:
    return Question(kind, target, apply, Redraw.STEP_CARD, describe)


K = PromptKind
T = Target

QUESTIONS: Mapping[PromptKind, Question] = {
    question.kind: question
    for question in (
        # Step cards: a reply adds to what the card has in focus.
        _card(Step.PERSONA, _persona),
        _card(Step.STAGES, _add_stages),
        _card(Step.TOUCHPOINTS, _add_touchpoints),
        _card(Step.EMOTIONS, _note),
        _card(Step.PAINS, _add_pain),
        _card(Step.FIXES, _add_fix),
        # Questions a step card's buttons ask; the card shows the answer.
        _on_step_card(K.PERSONA_FIELD, T.PERSONA_FIELD, _persona, _describe_persona_field),
        _on_step_card(K.STAGE_ADD, T.MAP, _add_stages, _describe_stage_add),
        _on_step_card(K.STAGE_RENAME, T.STAGE, _rename_stage, _named(T.STAGE)),
        _on_step_card(K.STAGE_GOAL, T.STAGE, _stage_goal, _named(T.STAGE)),
        _on_step_card(K.TOUCHPOINT_ADD, T.STAGE, _add_touchpoints, _named(T.STAGE)),
        _on_step_card(K.TOUCHPOINT_RENAME, T.TOUCHPOINT, _rename_touchpoint, _named(T.TOUCHPOINT)),
        _on_step_card(K.TOUCHPOINT_CHANNEL, T.TOUCHPOINT, _channel, _named(T.TOUCHPOINT)),
        _on_step_card(K.EMOTION_NOTE, T.TOUCHPOINT, _note, _named(T.TOUCHPOINT)),
        _on_step_card(K.PAIN_ADD, T.STAGE, _add_pain, _named(T.STAGE)),
        _on_step_card(K.PAIN_TEXT, T.PAIN, _pain_text, _named(T.PAIN)),
        _on_step_card(K.FIX_ADD, T.PAIN, _add_fix, _named(T.PAIN)),
        _on_step_card(K.FIX_TEXT, T.FIX, _fix_text, _named(T.FIX)),
        _on_step_card(K.FIX_OWNER, T.FIX, _fix_owner, _named(T.FIX)),
        _on_step_card(K.FIX_DUE, T.FIX, _fix_due, _named(T.FIX)),
        # Questions of the other features.
        Question(
            K.SURVEY_QUESTION, T.SURVEY, _survey_question, Redraw.SURVEY_CARD, _describe_survey
        ),
        Question(K.SURVEY_END, T.SURVEY, _survey_end, Redraw.SURVEY_CARD, _describe_survey),
        Question(K.SURVEY_CAP, T.SURVEY, _survey_cap, Redraw.SURVEY_CARD, _describe_survey),
        Question(
            K.HOTSPOT_FIX, T.TOUCHPOINT, _hotspot_fix, Redraw.NOTHING, _describe_hotspot, True
        ),
        Question(K.KPI_ADD, T.STAGE, _kpi_add, Redraw.KPI_BOARD, _describe_kpi_stage, True),
        Question(K.KPI_VALUE, T.KPI, _kpi_value, Redraw.KPI_BOARD, _describe_kpi, True),
        Question(K.REVIEW_TIME, T.MAP, _review_time, Redraw.REVIEW_CARD, _describe_review_time),
        Question(
            K.MAP_IMPORT,
            T.NONE,
            _import_text,
            Redraw.NOTHING,
            _describe_nothing,
            takes_files=True,
        ),
    )
}


def question(kind: str) -> Question:
    """The table row of a stored prompt's kind (PromptUnknown for a kind no longer asked)."""
    try:
        return QUESTIONS[PromptKind(kind)]
    except (ValueError, KeyError):
        raise PromptUnknown from None
