"""Describing a question before it is asked: its target must be the acting chat's, and its
wording names the target (the parameters of its macro in templates/chat/questions.html).

Each function runs inside prompts.prepare's open unit of work.
"""

from cjm.db import UnitOfWork
from cjm.errors import ItemGone, StaleButton
from cjm.models import Kpi, Stage
from cjm.services import hotspots, kpis, maps, surveys
from cjm.services.ownership import owned
from cjm.services.questions.kinds import Asking, Describe, Described, Target
from cjm.views import MapView


def _on_card(uow: UnitOfWork, asking: Asking) -> MapView:
    """The map of the step card the question was asked from (ItemGone once it is gone)."""
    if asking.card is None or not asking.card.kind.startswith("card.") or not asking.card.map_id:
        raise ItemGone(kind="card")
    return maps.load(uow, asking.card.map_id)


def named(subject: Target) -> Describe:
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


def persona_field(uow: UnitOfWork, asking: Asking) -> Described:
    """A persona question names the field and its current value."""
    journey = _on_card(uow, asking)
    if asking.persona_field is None:
        raise StaleButton
    field = asking.persona_field
    return Described(journey.id, {"field": field.value, "current": journey.persona[field]})


def stage_add(uow: UnitOfWork, asking: Asking) -> Described:
    """Adding stages names nothing but the card's map."""
    return Described(_on_card(uow, asking).id, {})


def survey(uow: UnitOfWork, asking: Asking) -> Described:
    """A question about a survey of this chat names the survey."""
    if asking.target_id is None:
        raise StaleButton
    survey = surveys.get_survey(uow, chat_id=asking.chat_id, survey_id=asking.target_id)
    return Described(survey.map_id, {"survey": survey})


def hotspot(uow: UnitOfWork, asking: Asking) -> Described:
    """The hotspot question names the touchpoint and its worst open pain."""
    if asking.target_id is None:
        raise StaleButton
    target = hotspots.fix_target(uow, chat_id=asking.chat_id, touchpoint_id=asking.target_id)
    pain = target.open_pain.text if target.open_pain else None
    return Described(target.map_id, {"touchpoint": target.touchpoint.name, "pain": pain})


def kpi_stage(uow: UnitOfWork, asking: Asking) -> Described:
    """A new KPI's question names a stage of the chat's current map."""
    owned(uow, Stage, asking.target_id, chat_id=asking.chat_id)  # another chat's: ItemGone
    board = kpis.list_kpis(uow, chat_id=asking.chat_id)
    stage = board.stage(asking.target_id) if asking.target_id else None
    if stage is None:
        raise StaleButton
    return Described(board.map_id, {"stage": stage.name})


def kpi(uow: UnitOfWork, asking: Asking) -> Described:
    """A value's question names a KPI of the chat's current map."""
    owned(uow, Kpi, asking.target_id, chat_id=asking.chat_id)  # another chat's: ItemGone
    board = kpis.list_kpis(uow, chat_id=asking.chat_id)
    kpi = board.kpi(asking.target_id) if asking.target_id else None
    if kpi is None:
        raise StaleButton
    return Described(board.map_id, {"name": kpi.name})


def review_time(uow: UnitOfWork, asking: Asking) -> Described:
    """The review time's question is about a map of this chat."""
    # The review card's map: the one its buttons named, checked to be this chat's.
    if asking.target_id is None:
        raise StaleButton
    maps.own_map(uow, asking.chat_id, asking.target_id)
    return Described(asking.target_id, {})


def nothing(uow: UnitOfWork, asking: Asking) -> Described:
    """A question that stands alone (importing a map)."""
    return Described(None, {})
