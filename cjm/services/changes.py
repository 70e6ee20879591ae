"""The change log: who did what to which item, and when."""

from sqlmodel import col, select

from cjm.db import UnitOfWork
from cjm.models import ChangeEvent
from cjm.views import ChangeView


def list_changes(uow: UnitOfWork, *, map_id: int, limit: int | None = None) -> list[ChangeView]:
    """A map's changes, oldest first (the newest `limit` ones when a limit is given)."""
    with uow:
        query = select(ChangeEvent).where(ChangeEvent.map_id == map_id)
        query = query.order_by(col(ChangeEvent.id).desc())
        if limit is not None:
            query = query.limit(limit)
        rows = uow.session.exec(query).all()
        return [
            ChangeView(
                id=row.id or 0,
                at=row.at,
                actor_name=row.actor_name,
                action=row.action,
                summary=row.summary,
            )
            for row in reversed(rows)
        ]
