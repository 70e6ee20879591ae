"""Ownership: every row a button or a reply names by id belongs to one chat, checked here.

Ids arrive in button payloads and in stored prompts, and a modified client can send any
payload, so an id is never trusted. Each service that reads or changes a row by id loads it
through `owned(uow, Model, item_id, chat_id=…)`: one table below says, per kind of row, how it
reaches its map and the map's chat, and the row comes back only when that chat is the acting
one. Another chat's row and a deleted row are the same to the caller: ItemGone naming only the
kind, which the payload named already; nothing about the other chat is read into a view.
"""

from typing import Any, TypeVar

from sqlalchemy import BindParameter, bindparam
from sqlmodel import SQLModel, col, select

from cjm.db import OpenUnitOfWork
from cjm.errors import ItemGone
from cjm.models import (
    Fix,
    JourneyMap,
    Kpi,
    PainPoint,
    Stage,
    Survey,
    SurveyResponse,
    Touchpoint,
)

Model = TypeVar("Model", bound=SQLModel)

_ID: BindParameter[int] = bindparam("item_id")
_CHAT: BindParameter[int] = bindparam("chat_id")
_MAP_OF_CHAT = JourneyMap.chat_id == _CHAT

# One statement per kind of row, built once: the row, joined up to its map, of this chat only.
_OWNED: dict[type[SQLModel], Any] = {
    JourneyMap: select(JourneyMap).where(JourneyMap.id == _ID, _MAP_OF_CHAT),
    Stage: select(Stage)
    .join(JourneyMap, col(JourneyMap.id) == col(Stage.map_id))
    .where(Stage.id == _ID, _MAP_OF_CHAT),
    Touchpoint: select(Touchpoint)
    .join(Stage, col(Stage.id) == col(Touchpoint.stage_id))
    .join(JourneyMap, col(JourneyMap.id) == col(Stage.map_id))
    .where(Touchpoint.id == _ID, _MAP_OF_CHAT),
    PainPoint: select(PainPoint)
    .join(JourneyMap, col(JourneyMap.id) == col(PainPoint.map_id))
    .where(PainPoint.id == _ID, _MAP_OF_CHAT),
    Fix: select(Fix)
    .join(PainPoint, col(PainPoint.id) == col(Fix.pain_point_id))
    .join(JourneyMap, col(JourneyMap.id) == col(PainPoint.map_id))
    .where(Fix.id == _ID, _MAP_OF_CHAT),
    Kpi: select(Kpi)
    .join(Stage, col(Stage.id) == col(Kpi.stage_id))
    .join(JourneyMap, col(JourneyMap.id) == col(Stage.map_id))
    .where(Kpi.id == _ID, _MAP_OF_CHAT),
    Survey: select(Survey)
    .join(JourneyMap, col(JourneyMap.id) == col(Survey.map_id))
    .where(Survey.id == _ID, _MAP_OF_CHAT),
    SurveyResponse: select(SurveyResponse)
    .join(Survey, col(Survey.id) == col(SurveyResponse.survey_id))
    .join(JourneyMap, col(JourneyMap.id) == col(Survey.map_id))
    .where(SurveyResponse.id == _ID, _MAP_OF_CHAT),
}


def owned_kinds() -> tuple[type[SQLModel], ...]:
    """The kinds of row a payload may name, each with its way up to its chat (for tests)."""
    return tuple(_OWNED)


def owned(uow: OpenUnitOfWork, model: type[Model], item_id: int | None, *, chat_id: int) -> Model:
    """The row of `model` with this id if it belongs to the acting chat; else ItemGone.

    A row of another chat (a forged or misdirected id) gets the same answer as a deleted one.
    """
    row = None
    if item_id is not None:
        row = uow.session.exec(
            _OWNED[model], params={"item_id": item_id, "chat_id": chat_id}
        ).first()
    if row is None:
        raise ItemGone(kind=model.__name__.lower())
    assert isinstance(row, model)  # noqa: S101  (the table's statement selects this model)
    return row
