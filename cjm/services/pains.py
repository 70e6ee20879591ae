"""Step 5: pain points at a stage or a touchpoint, with category and severity."""

from sqlmodel import func, select

from cjm.db import UnitOfWork
from cjm.errors import ItemGone, TooManyItems
from cjm.limits import MAX_PAINS_PER_MAP, TEXT_MAX_CHARS, clean_text
from cjm.models import PainCategory, PainPoint, PainSource, Severity, Stage, Touchpoint
from cjm.services import maps
from cjm.services.ownership import owned
from cjm.views import Actor


def add_pain(
    uow: UnitOfWork,
    *,
    chat_id: int,
    stage_id: int,
    text: str,
    actor: Actor,
    touchpoint_id: int | None = None,
    source: PainSource = PainSource.TEAM,
    severity: Severity = Severity.MEDIUM,
) -> int:
    """Add a pain point to a stage (and optionally one of its touchpoints); return its id."""
    text = clean_text(text, field="pain", limit=TEXT_MAX_CHARS, multiline=True)
    with uow:
        stage = owned(uow, Stage, stage_id, chat_id=chat_id)
        if (
            touchpoint_id is not None
            and owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id).stage_id != stage_id
        ):
            raise ItemGone(kind="touchpoint")
        count = uow.session.exec(
            select(func.count()).select_from(PainPoint).where(PainPoint.map_id == stage.map_id)
        ).one()
        if count >= MAX_PAINS_PER_MAP:
            raise TooManyItems(kind="pain", limit=MAX_PAINS_PER_MAP)
        pain = PainPoint(
            map_id=stage.map_id,
            stage_id=stage_id,
            touchpoint_id=touchpoint_id,
            text=text,
            source=source,
            severity=severity,
            created_at=uow.clock.now(),
        )
        uow.session.add(pain)
        uow.session.flush()
        uow.record(actor, stage.map_id, "pain.added", pain.id, text)
        maps.touch(uow, stage.map_id)
        uow.commit()
    assert pain.id is not None  # noqa: S101  (flushed above)
    return pain.id


def edit_pain(
    uow: UnitOfWork,
    *,
    chat_id: int,
    pain_id: int,
    actor: Actor,
    text: str | None = None,
    category: PainCategory | None = None,
    severity: Severity | None = None,
) -> None:
    """Change a pain point's text, category or severity."""
    if text is not None:
        text = clean_text(text, field="pain", limit=TEXT_MAX_CHARS, multiline=True)
    with uow:
        pain = owned(uow, PainPoint, pain_id, chat_id=chat_id)
        pain.text = text or pain.text
        pain.category = category or pain.category
        pain.severity = severity or pain.severity
        uow.record(actor, pain.map_id, "pain.edited", pain_id, pain.text)
        maps.touch(uow, pain.map_id)
        uow.commit()


def attach_to_touchpoint(
    uow: UnitOfWork, *, chat_id: int, pain_id: int, touchpoint_id: int | None, actor: Actor
) -> None:
    """Pin a pain point to one touchpoint of its stage, or (None) to the stage as a whole."""
    with uow:
        pain = owned(uow, PainPoint, pain_id, chat_id=chat_id)
        if (
            touchpoint_id is not None
            and owned(uow, Touchpoint, touchpoint_id, chat_id=chat_id).stage_id != pain.stage_id
        ):
            raise ItemGone(kind="touchpoint")
        pain.touchpoint_id = touchpoint_id
        uow.record(actor, pain.map_id, "pain.attached", pain_id, pain.text)
        maps.touch(uow, pain.map_id)
        uow.commit()


def delete_pain(uow: UnitOfWork, *, chat_id: int, pain_id: int, actor: Actor) -> None:
    """Delete a pain point and its fixes."""
    with uow:
        pain = owned(uow, PainPoint, pain_id, chat_id=chat_id)
        map_id, text = pain.map_id, pain.text
        uow.session.delete(pain)
        uow.record(actor, map_id, "pain.deleted", pain_id, text)
        maps.touch(uow, map_id)
        uow.commit()
