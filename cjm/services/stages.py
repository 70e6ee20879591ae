"""Step 2: the stages of the journey, in order."""

from enum import StrEnum

from sqlmodel import col, select

from cjm.db import OpenUnitOfWork, UnitOfWork
from cjm.errors import DuplicateName, TooManyItems
from cjm.limits import (
    MAX_STAGES,
    NAME_MAX_CHARS,
    TEXT_MAX_CHARS,
    clean_text,
    name_key,
    new_names,
    split_lines,
)
from cjm.models import Stage
from cjm.services import maps
from cjm.services.ownership import owned
from cjm.views import Actor


class StageTemplate(StrEnum):
    """The stage templates the card offers (each a macro in chat/stage_templates.html)."""

    B2C = "b2c"
    B2B = "b2b"


def _stages(uow: OpenUnitOfWork, map_id: int) -> list[Stage]:
    return list(
        uow.session.exec(
            select(Stage).where(Stage.map_id == map_id).order_by(col(Stage.position))
        ).all()
    )


def _check_unique(existing: list[Stage], name: str, *, except_id: int | None = None) -> None:
    if any(name_key(s.name) == name_key(name) and s.id != except_id for s in existing):
        raise DuplicateName(kind="stage", name=name)


def add_stages(
    uow: UnitOfWork, *, chat_id: int, map_id: int, text: str, actor: Actor
) -> tuple[str, ...]:
    """Append stages, one per line, after the existing ones; return the lines already there.

    A line naming a stage the map has (or an earlier line) is skipped and the others are
    added; when every line is such a duplicate, DuplicateName and nothing changes.
    """
    names = [
        clean_text(line, field="stage", limit=NAME_MAX_CHARS)
        for line in split_lines(text, field="stage")
    ]
    with uow:
        maps.own_map(uow, chat_id, map_id)
        existing = _stages(uow, map_id)
        fresh, skipped = new_names(names, [s.name for s in existing], kind="stage")
        if len(existing) + len(fresh) > MAX_STAGES:
            raise TooManyItems(kind="stage", limit=MAX_STAGES)
        position = max((s.position for s in existing), default=0)
        for name in fresh:
            position += 1
            stage = Stage(map_id=map_id, position=position, name=name)
            uow.session.add(stage)
            uow.session.flush()
            uow.record(actor, map_id, "stage.added", stage.id, name)
        maps.touch(uow, map_id)
        uow.commit()
    return skipped


def rename_stage(uow: UnitOfWork, *, chat_id: int, stage_id: int, name: str, actor: Actor) -> None:
    """Give a stage a new name."""
    name = clean_text(name, field="stage", limit=NAME_MAX_CHARS)
    with uow:
        stage = owned(uow, Stage, stage_id, chat_id=chat_id)
        _check_unique(_stages(uow, stage.map_id), name, except_id=stage_id)
        old, stage.name = stage.name, name
        uow.record(actor, stage.map_id, "stage.renamed", stage_id, f"{old} → {name}")
        maps.touch(uow, stage.map_id)
        uow.commit()


def set_customer_goal(
    uow: UnitOfWork, *, chat_id: int, stage_id: int, goal: str, actor: Actor
) -> None:
    """Say what the customer wants to achieve at this stage."""
    goal = clean_text(goal, field="customer_goal", limit=TEXT_MAX_CHARS, multiline=True)
    with uow:
        stage = owned(uow, Stage, stage_id, chat_id=chat_id)
        stage.customer_goal = goal
        uow.record(actor, stage.map_id, "stage.goal_set", stage_id, f"{stage.name}: {goal}")
        maps.touch(uow, stage.map_id)
        uow.commit()


def move_stage(uow: UnitOfWork, *, chat_id: int, stage_id: int, offset: int, actor: Actor) -> None:
    """Move a stage earlier (offset −1) or later (+1); at either end nothing moves."""
    with uow:
        stage = owned(uow, Stage, stage_id, chat_id=chat_id)
        ordered = _stages(uow, stage.map_id)
        index = next(i for i, s in enumerate(ordered) if s.id == stage_id)
        target = index + offset
        if 0 <= target < len(ordered):
            ordered[index], ordered[target] = ordered[target], ordered[index]
            for position, item in enumerate(ordered, start=1):
                item.position = position
            uow.record(actor, stage.map_id, "stage.moved", stage_id, stage.name)
        maps.touch(uow, stage.map_id)
        uow.commit()


def delete_stage(uow: UnitOfWork, *, chat_id: int, stage_id: int, actor: Actor) -> None:
    """Delete a stage with its touchpoints, votes and pain points."""
    with uow:
        stage = owned(uow, Stage, stage_id, chat_id=chat_id)
        map_id = stage.map_id
        uow.session.delete(stage)
        uow.session.flush()
        for position, item in enumerate(_stages(uow, map_id), start=1):
            item.position = position
        uow.record(actor, map_id, "stage.deleted", stage_id, stage.name)
        maps.touch(uow, map_id)
        uow.commit()
