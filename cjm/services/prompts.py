"""Prompts: bot messages that ask something, stored so any member's reply finds its question.

A step card is a prompt too: replying to it adds to whatever the card has in focus (the stage
whose touchpoints it shows, the touchpoint being voted on, …), so the wizard works under
Telegram's privacy mode, with several members at once, and across restarts.
"""

from collections.abc import Callable
from typing import cast

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from cjm.cards import Focus, resolve
from cjm.db import UnitOfWork, table_of
from cjm.errors import ImportRefused, ItemGone, PromptUnknown, StaleButton
from cjm.models import (
    Fix,
    JourneyMap,
    PainPoint,
    PersonaField,
    Prompt,
    PromptKind,
    Stage,
    Step,
    Touchpoint,
)
from cjm.services import (
    emotions,
    fixes,
    insights,
    maps,
    pains,
    persona,
    stages,
    surveys,
    touchpoints,
)
from cjm.views import Actor, CardView, MapView, SurveyView


def card_kind(step: Step) -> PromptKind:
    """The prompt kind of a step's card."""
    return PromptKind(f"card.{step.value}")


Apply = Callable[[UnitOfWork, Prompt, str, Actor], None]


def _map(prompt: Prompt) -> int:
    if prompt.map_id is None:
        raise PromptUnknown(map_deleted=True)
    return prompt.map_id


def _target(prompt: Prompt) -> int:
    if prompt.target_id is None:
        raise PromptUnknown
    return prompt.target_id


def _focus(uow: UnitOfWork, prompt: Prompt, step: Step) -> tuple[MapView, Focus]:
    view = maps.load(uow, _map(prompt))
    card = CardView(view, step, prompt.message_id, prompt.target_id, prompt.field)
    return view, resolve(card)


def _persona(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    # The field asked for (or the card's focus), else the first field nobody filled in yet.
    field = PersonaField(prompt.field) if prompt.field in set(PersonaField) else None
    persona.set_persona_field(uow, map_id=_map(prompt), field=field, value=text, actor=actor)


def _add_stages(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    stages.add_stages(uow, map_id=_map(prompt), text=text, actor=actor)


def _rename_stage(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    stages.rename_stage(uow, stage_id=_target(prompt), name=text, actor=actor)


def _stage_goal(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    stages.set_customer_goal(uow, stage_id=_target(prompt), goal=text, actor=actor)


def _add_touchpoints(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    if prompt.kind == PromptKind.TOUCHPOINT_ADD:
        stage_id = _target(prompt)
    elif (stage := _focus(uow, prompt, Step.TOUCHPOINTS)[1].stage) is None:
        raise ItemGone(kind="stage")
    else:
        stage_id = stage.id
    touchpoints.add_touchpoints(uow, stage_id=stage_id, text=text, actor=actor)


def _rename_touchpoint(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    touchpoints.rename_touchpoint(uow, touchpoint_id=_target(prompt), name=text, actor=actor)


def _channel(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    touchpoints.set_channel(uow, touchpoint_id=_target(prompt), channel=text, actor=actor)


def _note(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    touchpoint = _focus(uow, prompt, Step.EMOTIONS)[1].touchpoint
    if touchpoint is None:
        raise ItemGone(kind="touchpoint")
    emotions.set_note(uow, touchpoint_id=touchpoint.id, note=text, voter=actor)


def _add_pain(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    if prompt.kind == PromptKind.PAIN_ADD:
        stage_id = _target(prompt)
    elif (stage := _focus(uow, prompt, Step.PAINS)[1].stage) is None:
        raise ItemGone(kind="stage")
    else:
        stage_id = stage.id
    pains.add_pain(uow, stage_id=stage_id, text=text, actor=actor)


def _pain_text(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    pains.edit_pain(uow, pain_id=_target(prompt), text=text, actor=actor)


def _add_fix(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    if prompt.kind == PromptKind.FIX_ADD:
        pain_id = _target(prompt)
    elif (pain := _focus(uow, prompt, Step.FIXES)[1].pain) is None:
        raise ItemGone(kind="pain")
    else:
        pain_id = pain.id
    fixes.add_fix(uow, pain_id=pain_id, text=text, actor=actor)


def _fix_text(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    fixes.edit_fix_text(uow, fix_id=_target(prompt), text=text, actor=actor)


def _fix_owner(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    fixes.set_owner(uow, fix_id=_target(prompt), owner=text, actor=actor)


def _fix_due(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    fixes.set_due_date(uow, fix_id=_target(prompt), text=text, actor=actor)


def _hotspot_fix(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
    # A fix for the touchpoint's most severe open pain; without one, the text becomes a pain.
    insights.add_hotspot_fix(uow, touchpoint_id=_target(prompt), text=text, actor=actor)


SurveyApply = Callable[[UnitOfWork, Prompt, str, Actor], SurveyView]


def _survey_question(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> SurveyView:
    return surveys.set_question(
        uow, chat_id=prompt.chat_id, survey_id=_target(prompt), text=text, actor=actor
    )


def _survey_end(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> SurveyView:
    return surveys.set_end_date(
        uow, chat_id=prompt.chat_id, survey_id=_target(prompt), text=text, actor=actor
    )


def _survey_cap(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> SurveyView:
    return surveys.set_cap(
        uow, chat_id=prompt.chat_id, survey_id=_target(prompt), text=text, actor=actor
    )


# Questions about a survey: they refresh the survey card, not a step card.
_SURVEY_ROUTES: dict[str, SurveyApply] = {
    PromptKind.SURVEY_QUESTION: _survey_question,
    PromptKind.SURVEY_END: _survey_end,
    PromptKind.SURVEY_CAP: _survey_cap,
}
SURVEY_KINDS = frozenset(PromptKind(kind) for kind in _SURVEY_ROUTES)


def _on_survey(apply: SurveyApply) -> Apply:
    """A survey route as a map route: the change alone (no step card to refresh)."""

    def route(uow: UnitOfWork, prompt: Prompt, text: str, actor: Actor) -> None:
        apply(uow, prompt, text, actor)

    return route


# What a reply to each kind of prompt does.
_ROUTES: dict[str, Apply] = {
    PromptKind.CARD_PERSONA: _persona,
    PromptKind.PERSONA_FIELD: _persona,
    PromptKind.CARD_STAGES: _add_stages,
    PromptKind.STAGE_ADD: _add_stages,
    PromptKind.STAGE_RENAME: _rename_stage,
    PromptKind.STAGE_GOAL: _stage_goal,
    PromptKind.CARD_TOUCHPOINTS: _add_touchpoints,
    PromptKind.TOUCHPOINT_ADD: _add_touchpoints,
    PromptKind.TOUCHPOINT_RENAME: _rename_touchpoint,
    PromptKind.TOUCHPOINT_CHANNEL: _channel,
    PromptKind.CARD_EMOTIONS: _note,
    PromptKind.EMOTION_NOTE: _note,
    PromptKind.CARD_PAINS: _add_pain,
    PromptKind.PAIN_ADD: _add_pain,
    PromptKind.PAIN_TEXT: _pain_text,
    PromptKind.CARD_FIXES: _add_fix,
    PromptKind.FIX_ADD: _add_fix,
    PromptKind.FIX_TEXT: _fix_text,
    PromptKind.FIX_OWNER: _fix_owner,
    PromptKind.FIX_DUE: _fix_due,
    PromptKind.HOTSPOT_FIX: _hotspot_fix,
    # A survey prompt's card_message_id is the survey card, which is no step card, so the
    # map router redraws nothing.
    **{kind: _on_survey(apply) for kind, apply in _SURVEY_ROUTES.items()},
}


def remember(
    uow: UnitOfWork,
    *,
    chat_id: int,
    message_id: int,
    kind: PromptKind,
    map_id: int | None,
    target_id: int | None = None,
    field: str | None = None,
    card_message_id: int | None = None,
) -> None:
    """Store a prompt the bot just sent, so replies to it can be routed."""
    with uow:
        uow.session.add(
            Prompt(
                chat_id=chat_id,
                message_id=message_id,
                kind=kind,
                map_id=map_id,
                target_id=target_id,
                field=field,
                card_message_id=card_message_id,
                created_at=uow.clock.now(),
            )
        )
        uow.commit()


# A reply to a prompt runs these: built once, as building a select() costs more than running it.
_PROMPT = select(Prompt).where(
    Prompt.chat_id == bindparam("chat_id"), Prompt.message_id == bindparam("message_id")
)
_PROMPT_KIND = select(table_of(Prompt).c.kind).where(
    table_of(Prompt).c.chat_id == bindparam("chat_id"),
    table_of(Prompt).c.message_id == bindparam("message_id"),
)
_MAP_EXISTS = select(table_of(JourneyMap).c.id).where(
    table_of(JourneyMap).c.id == bindparam("map_id")
)


def _find(uow: UnitOfWork, chat_id: int, message_id: int) -> Prompt:
    prompt = uow.session.exec(
        _PROMPT, params={"chat_id": chat_id, "message_id": message_id}
    ).first()
    if prompt is None:
        raise PromptUnknown
    if prompt.kind == PromptKind.MAP_IMPORT:
        raise ImportRefused(reason="not_a_file")  # a map arrives as a document, not as text
    if (
        prompt.map_id is None
        or uow.session.execute(_MAP_EXISTS, {"map_id": prompt.map_id}).first() is None
    ):
        raise PromptUnknown(map_deleted=True)
    return prompt


def kind_of(uow: UnitOfWork, *, chat_id: int, message_id: int) -> PromptKind | None:
    """What the bot's message asks for, or None when it asks nothing."""
    with uow:
        kind = uow.session.execute(
            _PROMPT_KIND, {"chat_id": chat_id, "message_id": message_id}
        ).scalar()
    return PromptKind(kind) if kind in set(PromptKind) else None


def _card(uow: UnitOfWork, chat_id: int, message_id: int | None) -> Prompt | None:
    if message_id is None:
        return None
    return uow.session.exec(
        select(Prompt).where(
            Prompt.chat_id == chat_id,
            Prompt.message_id == message_id,
            col(Prompt.kind).startswith("card."),
        )
    ).first()


def _step(card: Prompt) -> Step:
    return Step(card.kind.removeprefix("card."))


def answer(
    uow: UnitOfWork,
    *,
    chat_id: int,
    prompt_message_id: int,
    reply_message_id: int,
    text: str,
    actor: Actor,
) -> int | None:
    """Apply a member's reply to what the prompt asked; return the step card to redraw.

    The card is named by its message id, not drawn here: redraws read the map when they run,
    so a burst of answers costs one read of the map instead of one per answer.
    """
    with uow:
        prompt = _find(uow, chat_id, prompt_message_id)
        apply = _ROUTES.get(prompt.kind)
        if apply is None:
            raise PromptUnknown
        uow.claim_message(chat_id, reply_message_id)
        apply(uow, prompt, text, actor)
        if prompt.kind.startswith("card."):
            card_id: int | None = prompt.message_id
        else:
            card = _card(uow, chat_id, prompt.card_message_id)
            card_id = card.message_id if card else None
        uow.commit()
    return card_id


def answer_survey_prompt(
    uow: UnitOfWork,
    *,
    chat_id: int,
    prompt_message_id: int,
    reply_message_id: int,
    text: str,
    actor: Actor,
) -> tuple[SurveyView, int | None]:
    """Apply a reply to a question about a survey; return it and its card's message id."""
    with uow:
        prompt = _find(uow, chat_id, prompt_message_id)
        if prompt.kind not in _SURVEY_ROUTES:
            raise PromptUnknown
        uow.claim_message(chat_id, reply_message_id)
        survey = _SURVEY_ROUTES[prompt.kind](uow, prompt, text, actor)
        card_message_id = prompt.card_message_id
        uow.commit()
    return survey, card_message_id


def focus(
    uow: UnitOfWork,
    *,
    chat_id: int,
    card_message_id: int,
    target_id: int | None,
    field: str | None = None,
) -> None:
    """Point a card at another item (a stage, a touchpoint, a pain, a fix)."""
    with uow:
        card = _card(uow, chat_id, card_message_id)
        if card is None or card.map_id is None:
            raise ItemGone(kind="card")
        card.target_id, card.field = target_id, field
        uow.commit()


# The map an item belongs to, by the item's kind (the names bot buttons use).
_MAP_OF: dict[str, SelectOfScalar[int]] = {
    # A stored row's id is never NULL, whatever the model's `int | None` says.
    "map": cast(
        "SelectOfScalar[int]", select(JourneyMap.id).where(JourneyMap.id == bindparam("item_id"))
    ),
    "stage": select(Stage.map_id).where(Stage.id == bindparam("item_id")),
    "touchpoint": select(Stage.map_id)
    .join(Touchpoint, col(Touchpoint.stage_id) == col(Stage.id))
    .where(Touchpoint.id == bindparam("item_id")),
    "pain": select(PainPoint.map_id).where(PainPoint.id == bindparam("item_id")),
    "fix": select(PainPoint.map_id)
    .join(Fix, col(Fix.pain_point_id) == col(PainPoint.id))
    .where(Fix.id == bindparam("item_id")),
}


def check_on_card(
    uow: UnitOfWork, *, chat_id: int, card_message_id: int, kind: str, item_id: int
) -> None:
    """Refuse (StaleButton) an item that is not on the card's map: an old or forged button."""
    with uow:
        card = _card(uow, chat_id, card_message_id)
        if card is None or card.map_id is None:
            raise ItemGone(kind="card")
        item_map_id = uow.session.exec(_MAP_OF[kind], params={"item_id": item_id}).first()
        if item_map_id != card.map_id:
            raise StaleButton


def get_card(uow: UnitOfWork, *, chat_id: int, card_message_id: int) -> CardView:
    """A card as it stands: its map, its step and what it has in focus."""
    with uow:
        card = _card(uow, chat_id, card_message_id)
        if card is None or card.map_id is None:
            raise ItemGone(kind="card")
        return CardView(
            maps.load(uow, card.map_id), _step(card), card_message_id, card.target_id, card.field
        )


def latest_card(uow: UnitOfWork, *, map_id: int, step: Step) -> int | None:
    """The message id of the newest card of this step, to edit instead of posting anew."""
    with uow:
        return uow.session.exec(
            select(Prompt.message_id)
            .where(Prompt.map_id == map_id, Prompt.kind == card_kind(step))
            .order_by(col(Prompt.id).desc())
        ).first()
